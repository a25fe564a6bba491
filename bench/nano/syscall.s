# syscall.s - the system call round trip: user `syscall` -> the kernel's
# handler -> back to user mode with rfe.
#
# The handler is what a minimal kernel's syscall path must do: read
# CAUSE to know why it was entered, step EPC past the syscall (EPC holds
# the syscall itself), count, return.  On the bare machine that is two
# trap entries' worth of cycles and a dozen instructions.  Under
# trap-and-emulate the syscall exits to the VMM, which reflects it into
# the guest kernel, and each mfcr, mtcr and the rfe is an exit too;
# paravirtualized, they are hypercalls - one each as well.
# Check: the handler ran N times.
	.include "nano.inc"

	.macro	BENCH_SETUP
	.endm
	.macro	KERNEL_OP
	.endm
	.macro	USER_OP
	syscall
	.endm
	.macro	CHECK
	li	t0, N
	bne	s1, t0, fail
	.endm

	NANO_MAIN

trap:	READ_CAUSE t2
	li	t3, CAUSE_SYSCALL
	bne	t2, t3, other_trap
	li	t3, DONE		# the final syscall is not one of ours
	beq	s3, t3, other_trap
	READ_EPC t3
	addi	t3, t3, 4		# resume after the syscall
	WRITE_EPC t3
	addi	s1, s1, 1
	RETURN_TO_USER
