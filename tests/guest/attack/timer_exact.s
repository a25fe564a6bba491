# timer_exact.s - where does the guest's timer interrupt land, amid exits?
#
# Tries: to catch a monitor's clock out: the guest's own timer fires every
# 997 cycles while the guest runs a loop full of what a monitor must
# emulate -- device reads, control-register writes, TLB flushes followed
# by stores (shadow refills), syscalls -- and records, for 40 interrupts,
# the loop counter and the interrupted pc.  A monitor that charged the
# guest's clock for its own work, or let a refetch count twice, would
# deliver them elsewhere.
# The bare machine: the clock counts the guest's own cycles, so each
# interrupt lands at a fixed point; the printed list is the same every
# run.  (PG32 promises the VMM the same clock: vmm.h.)
	.include "attack.inc"

	.equ	N,	40

	.text
	.globl	_start
_start:
	test_init
	paging_on
	set_tvec tick
	li	s1, 0			# interrupts taken
	li	s2, 0			# the loop counter
	li	t0, DEV_TIMER_BASE
	li	t1, 997
	sw	t1, TIMER_PERIOD(t0)
	li	t0, PSW_MODE | PSW_PG | PSW_IE
	mtcr	psw, t0
loop:	addi	s2, s2, 1
	li	t0, DEV_CONSOLE_BASE
	lw	t1, CONSOLE_STATUS(t0)
	mtcr	scratch, s2
	tlbflush
	li	t0, FREE
	sw	s2, 0(t0)
	andi	t1, s2, 7
	bnez	t1, 1f
	syscall
1:	li	t0, N
	bne	s1, t0, loop

	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0
	li	t0, DEV_TIMER_BASE
	sw	zero, TIMER_PERIOD(t0)
	li	s1, 0
	la	s3, record
2:	lw	a0, 0(s3)
	call	print_dec
	li	a0, ' '
	call	putc
	lw	a0, 4(s3)
	call	print_hex
	li	a0, '\n'
	call	putc
	addi	s3, s3, 8
	addi	s1, s1, 1
	li	t0, N
	bne	s1, t0, 2b
	expect_eq s1, N, "40 interrupts recorded"
	test_done

# tick: a syscall returns past itself; an interrupt records (counter,
# EPC), acknowledges the timer and returns to EPC.
tick:	mfcr	t0, cause
	bltz	t0, 1f
	mfcr	t0, epc
	addi	t0, t0, 4
	mtcr	epc, t0
	rfe
1:	la	t0, record
	slli	t1, s1, 3
	add	t0, t0, t1
	sw	s2, 0(t0)
	mfcr	t1, epc
	sw	t1, 4(t0)
	addi	s1, s1, 1
	li	t0, DEV_TIMER_BASE
	sw	zero, TIMER_ACK(t0)
	rfe

	.data
	.align	4
record:	.space	N * 8
