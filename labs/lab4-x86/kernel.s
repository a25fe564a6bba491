# run: --mode=leaky
#
# kernel.s - lab 4's guest: a small kernel written for the leaky machine
# the way x86 kernels were written before hardware virtualization.  It
# masks interrupts around a critical section with wrpsw (cf. CLI/STI and
# POPF), asks rdpsw whether it is the kernel (cf. SMSW) and finds its own
# trap handler with rdtvec (cf. SIDT).  On the bare machine, clean or
# leaky, every check passes.  Under the VMM in leaky mode without
# patching, it runs deprivileged and some checks fail: part A of the lab
# (labs/lab4-x86/README.md, section 3.1) asks which instruction made the
# VM part from the bare machine first, where, and why.  With --patch the
# VM prints what the bare machine prints (a graded test of part B).
	.include "test.inc"

	.equ	TICKS,	200		# the timer falls due inside the section
	.equ	WORK,	1000		# iterations of the section's work
	.equ	CALLS,	3		# times the kernel asks where it runs

	.text
	.globl	_start
_start:
	test_init
	set_tvec irq
	# Boot: interrupts stay off until the kernel is ready.  It "restores"
	# the PSW it wants (interrupts off) the way it would restore a saved
	# one: a wrpsw that changes nothing.
	li	t0, PSW_MODE
	wrpsw	t0

	# The kernel's work before it turns interrupts on: a checksum.
	li	s0, 0
	li	t1, 64
1:	add	s0, s0, t1
	addi	t1, t1, -1
	bnez	t1, 1b
	expect_eq s0, 64 * 65 / 2, "the checksum of the boot work"

	li	t0, PSW_MODE | PSW_IE	# ready: interrupts on
	mtcr	psw, t0

	# --- a critical section, masked with wrpsw (cli ... sti) ---
	li	t0, PSW_MODE
	wrpsw	t0			# interrupts off
	li	t0, DEV_TIMER_BASE
	li	t1, TICKS
	sw	t1, TIMER_PERIOD(t0)
	li	t2, WORK
2:	addi	t2, t2, -1
	bnez	t2, 2b
	la	t0, irq_count
	lw	s1, 0(t0)		# interrupts taken inside the section
	li	t0, PSW_MODE | PSW_IE
	wrpsw	t0			# interrupts on: the interrupt comes now
	nop
	expect_eq s1, 0, "no interrupt inside the critical section"
	expect_mem irq_count, 1, "the interrupt once the section is over"

	# --- "am I the kernel?", asked from a few places ---
	li	s2, CALLS
	li	s3, 0			# answers that said "supervisor"
3:	call	in_kernel
	add	s3, s3, a0
	addi	s2, s2, -1
	bnez	s2, 3b
	expect_eq s3, CALLS, "rdpsw says supervisor mode each time"

	# --- where is my trap handler? ---
	rdtvec	s0
	expect_eq s0, irq, "rdtvec finds the kernel's own handler"
	test_done

# in_kernel: a0 = 1 if the CPU is in supervisor mode, else 0.
in_kernel:
	rdpsw	a0
	andi	a0, a0, PSW_MODE
	ret

# The interrupt handler: count, turn the timer off, return.  It may run in
# the middle of the section, so it keeps what it uses on the stack.
irq:	addi	sp, sp, -8
	sw	t0, 0(sp)
	sw	t1, 4(sp)
	la	t0, irq_count
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	li	t0, DEV_TIMER_BASE
	sw	zero, TIMER_PERIOD(t0)	# one interrupt is enough
	lw	t1, 4(sp)
	lw	t0, 0(sp)
	addi	sp, sp, 8
	rfe

	.data
irq_count:	.word	0
