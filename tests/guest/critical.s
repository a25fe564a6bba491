# run: --mode=leaky
#
# critical.s - an x86-style critical section on the leaky machine: save
# the PSW with rdpsw, clear IE with wrpsw, work, restore with wrpsw (cf.
# PUSHF; CLI; ...; POPF).  On the bare machine the timer interrupt that
# falls due inside the section waits until IE is restored.
#
# Under the VMM without patching, the guest kernel runs in real user mode,
# where the leaky wrpsw silently changes nothing: the virtual IE stays on
# and the interrupt arrives inside the section.  critical.vmm.expected
# records that failure; with --vmm --patch the output is the bare machine's.
	.include "test.inc"

	.text
	.globl	_start
_start:
	test_init
	set_tvec irq
	li	t0, PSW_MODE | PSW_IE	# interrupts on
	mtcr	psw, t0

	# --- the critical section ---
	rdpsw	s0			# save the PSW
	andi	t0, s0, PSW_MODE | PSW_PG
	wrpsw	t0			# IE off
	li	t0, DEV_TIMER_BASE
	li	t1, 200
	sw	t1, TIMER_PERIOD(t0)	# the timer falls due in 200 cycles
	li	t2, 1000
1:	addi	t2, t2, -1		# ... while we work in here
	bnez	t2, 1b
	la	t0, irq_count
	lw	s1, 0(t0)		# interrupts taken inside the section
	wrpsw	s0			# restore: IE on, the interrupt comes now
	nop

	expect_eq s1, 0, "no interrupt inside the wrpsw-masked critical section"
	expect_mem irq_count, 1, "the interrupt is taken once IE is restored"
	test_done

# The interrupt handler: count, turn the timer off, return.  It keeps
# every register, since it may run in the middle of the loop above.
irq:	mtcr	scratch, t0
	la	t0, irq_save
	sw	t1, 0(t0)
	la	t0, irq_count
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	li	t0, DEV_TIMER_BASE
	sw	zero, TIMER_PERIOD(t0)	# one interrupt is enough
	la	t0, irq_save
	lw	t1, 0(t0)
	mfcr	t0, scratch
	rfe

	.data
irq_count:	.word	0
irq_save:	.word	0
