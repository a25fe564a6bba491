# 04-timer.s - a timer interrupt: the timer raises its line every PERIOD
# cycles; with IE = 1 the CPU takes it at the next instruction boundary
# (ISA.md 6.5) and enters the handler, which counts the tick and writes
# ACK to lower the line -- an interrupt line is a level, and a handler
# that does not clear it is interrupted again at once.  Between ticks the
# program waits with `wfi`, which stops the CPU until a line is pending;
# the simulated clock jumps to the next tick, so waiting costs nothing.
#
# The program prints the cycle clock (`rdcycle`) at every tick.  Time on
# PG32 is deterministic (ISA.md 12), and under the VMM each VM's clock is
# the bare machine's (vmm/README.md, "Time"), so these numbers are the
# same natively and with --vmm: the VMM injects the virtual interrupt at
# the very instruction where the bare machine takes the real one.
#
#   bin/trapeze run -I build/include examples/04-timer.s

	.include "print.inc"

	.equ	PERIOD, 5000		# cycles between two ticks
	.equ	TICKS, 5		# how many to wait for

	.text
	.globl	_start
_start:
	la	sp, stack_top
	la	t0, tick_handler
	mtcr	tvec, t0
	li	t0, DEV_TIMER_BASE
	li	t1, PERIOD
	sw	t1, TIMER_PERIOD(t0)	# ticks at PERIOD, 2 PERIOD, ... from now
	li	t0, PSW_MODE | PSW_IE
	mtcr	psw, t0			# interrupts on

	li	s1, 0			# s1: ticks seen by the main loop
wait:	wfi				# sleep until the line rises
	addi	s1, s1, 1
	say	"tick "
	la	t0, ticks
	lw	a0, 0(t0)		# the handler's count
	call	print_dec
	say	" at cycle "
	rdcycle	a0			# the clock, read in the main loop
	call	print_dec
	li	a0, '\n'
	call	putc
	li	t0, TICKS
	bne	s1, t0, wait

	li	t0, DEV_TIMER_BASE
	sw	zero, TIMER_PERIOD(t0)	# timer off
	say	"done: "
	li	a0, TICKS
	call	print_dec
	say	" ticks, one wfi each\n"
	halt

# The handler uses two registers: it parks them in SCRATCH and on the
# stack instead of touching anything the main loop holds.
tick_handler:
	mtcr	scratch, t0
	addi	sp, sp, -4
	sw	t1, 0(sp)
	la	t0, ticks
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	li	t0, DEV_TIMER_BASE
	sw	zero, TIMER_ACK(t0)	# lower the line
	lw	t1, 0(sp)
	addi	sp, sp, 4
	mfcr	t0, scratch
	rfe				# EPC is the instruction after the wfi

	.data
ticks:	.word	0
	.space	1024
stack_top:
