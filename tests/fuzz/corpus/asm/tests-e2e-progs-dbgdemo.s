# dbgdemo.s - a tiny kernel for the debugger's tests (tests/e2e/cases/
# debug-*): one of each world switch a student steps through.
#   - mtcr tvec: a privileged instruction, emulated;
#   - a store to the console: an MMIO exit;
#   - syscall: reflected into its own handler;
#   - the timer: a virtual interrupt injected while it spins;
#   - paging on over an identity map: shadow page faults, and `counter`
#     to watch.
# Prints "hi", halts with status 0.
	.equ	DEV_CONSOLE, 0xF0000000
	.equ	DEV_TIMER, 0xF0001000
	.equ	DEV_TEST, 0xF000F000
	.equ	PT_ROOT, 0x8000		# the page table, built at run time
	.equ	PT_LEAF, 0x9000
	.equ	PTE_KERNEL, 0xF		# V R W X, supervisor only

	.text
	.globl	_start
_start:	la	t0, handler
	mtcr	tvec, t0
	li	t0, DEV_CONSOLE
	li	t1, 'h'
	sw	t1, 0(t0)
	li	a0, 7
	syscall

# The timer, every 200 cycles; spin with interrupts on until it ticks.
	li	t0, DEV_TIMER
	li	t1, 200
	sw	t1, 0(t0)
	li	t0, 3			# MODE = S, IE = 1
	mtcr	psw, t0
spin:	la	t0, ticks
	lw	t1, 0(t0)
	beq	t1, zero, spin
	li	t0, 1			# IE = 0
	mtcr	psw, t0

# Paging on: pages 0-15 mapped to themselves.
	li	t0, PT_LEAF
	li	t1, PTE_KERNEL
	li	t2, 16
fill:	sw	t1, 0(t0)
	addi	t0, t0, 4
	addi	t1, t1, 0x1000
	addi	t2, t2, -1
	bne	t2, zero, fill
	li	t0, PT_ROOT
	li	t1, PT_LEAF | 1		# V: points at the leaf table
	sw	t1, 0(t0)
	mtcr	ptbr, t0
	li	t0, 5			# MODE = S, PG = 1
	mtcr	psw, t0
paged:	la	t0, counter
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)

# Paging off again (the devices are not mapped), print "i", halt.
	li	t0, 1
	mtcr	psw, t0
	li	t0, DEV_CONSOLE
	li	t1, 'i'
	sw	t1, 0(t0)
	li	t1, '\n'
	sw	t1, 0(t0)
	li	t0, DEV_TEST
	sw	zero, 0(t0)

# Traps: a syscall is skipped (EPC + 4); the timer's interrupt is counted
# and the timer turned off.
handler:
	mfcr	a2, cause
	blt	a2, zero, tick		# bit 31: an interrupt
	mfcr	a2, epc
	addi	a2, a2, 4
	mtcr	epc, a2
	rfe
tick:	la	a2, ticks
	lw	a3, 0(a2)
	addi	a3, a3, 1
	sw	a3, 0(a2)
	li	a2, DEV_TIMER
	sw	zero, 0(a2)		# PERIOD = 0: off, and the line drops
	rfe

	.data
ticks:	.word	0
counter: .word	0
