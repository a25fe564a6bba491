# spin_ie_off.s - spin for a long time with interrupts off.
#
# preempt: last
#
# Tries: to keep the CPU: 4 million loop iterations (about 12 million
# cycles) with IE = 0, first with nothing pending, then with its own timer
# firing every 1000 cycles (a TIMER line pending that it never lets in);
# then it lets the interrupt in, once, and halts.  A monitor must take the
# CPU back for its other VMs anyway (the neighbour, 7 million cycles long,
# must finish first) and must not inject the guest's interrupt while its
# virtual IE is 0.
# The bare machine: the loop runs to its end; no interrupt is taken while
# IE = 0; the pending TIMER is taken at the first instruction boundary
# after IE is set, with EPC = the next instruction.
	.include "attack.inc"

	.text
	.globl	_start
_start:
	test_init
	la	a0, str_start
	call	puts

	li	s1, 2000000
	li	s0, 0
1:	addi	s0, s0, 3
	addi	s1, s1, -1
	bnez	s1, 1b
	expect_eq s0, 6000000, "2M iterations with IE = 0, nothing pending"

	li	t0, DEV_TIMER_BASE
	li	t1, 1000
	sw	t1, TIMER_PERIOD(t0)
	li	s1, 2000000
	li	s0, 0
1:	addi	s0, s0, 3
	addi	s1, s1, -1
	bnez	s1, 1b
	expect_eq s0, 6000000, "2M iterations with IE = 0, TIMER pending"
	expect_mem trap_count, 0, "  ... no interrupt taken"

	set_tvec tick
	li	s1, 0			# interrupts taken (the handler counts)
	li	t0, PSW_MODE | PSW_IE
	mtcr	psw, t0
after:	li	t0, PSW_MODE		# the handler returned here
	mtcr	psw, t0
	expect_eq s1, 1, "IE set: the TIMER interrupt is taken once"
	expect_eq s3, CAUSE_INTERRUPT | IRQ_TIMER, "  ... cause TIMER"
	expect_eq s2, after, "  ... EPC = the instruction after the mtcr"
	test_done

# tick: the interrupt handler: count it, note EPC and CAUSE, turn the
# timer off (which clears the pending TIMER), return.
tick:	addi	s1, s1, 1
	mfcr	s2, epc
	mfcr	s3, cause
	li	t0, DEV_TIMER_BASE
	sw	zero, TIMER_PERIOD(t0)
	rfe

	.data
str_start:	.asciz	"spin starts\n"
