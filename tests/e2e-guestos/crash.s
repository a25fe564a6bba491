# crash.s - one process per way a user program can go wrong.  The test
# disk (see run.sh) holds this same program several times; each copy
# asks getpid() which case it is (pids are given in disk order, from 1)
# and commits that crime.  The kernel must kill each with the right
# message and keep going; the last copies check refused system calls and
# that a process that only sleeps still wakes up (the idle loop).

	.include "usys.inc"

	.text
	.org	USER_BASE
	.globl	_start
_start:
	call	getpid
	mv	s0, a0
	PRINT	"[crash] pid "
	mv	a0, s0
	call	print_dec
	PRINT	" starting\n"
	li	t0, NCASES		# jump through the table: case s0
	bltu	t0, s0, bad_case
	beqz	s0, bad_case
	slli	t0, s0, 2
	la	t1, cases - 4
	add	t1, t1, t0
	lw	t1, 0(t1)
	jr	t1

case_divzero:
	li	t0, 7
	div	t0, t0, zero
	j	survived
case_illegal:
	.word	0			# the all-zeros word is illegal
	j	survived
case_misaligned:
	li	t0, USER_BASE + 2
	lw	t1, 0(t0)
	j	survived
case_break:
	break
	j	survived
case_priv:
	rdpsw	t0			# sensitive: traps in user mode (clean)
	j	survived
case_fetch_heap:
	li	a0, 4096		# a heap page is not executable
	call	sbrk
	mv	s1, a0
	li	t0, 0x44000000		# a nop there, and jump to it
	sw	t0, 0(s1)
	jr	s1
case_store_unmapped:
	li	t0, 0x10000000		# neither program, heap nor stack
	sw	t0, 0(t0)
	j	survived
case_stack_overflow:
	li	t0, STACK_TOP - 256 * 4096 - 4	# just below the stack region
	lw	t1, 0(t0)
	j	survived
case_jump_null:
	jr	zero
case_device:
	li	t0, 0xF000F000		# the test device is kernel-only
	sw	zero, 0(t0)
	j	survived
case_hcall:
	hcall				# outside a VM: illegal
	j	survived
case_refused:
	li	a0, STACK_TOP - 8	# a buffer running past user space
	li	a1, 16
	call	write
	mv	s1, a0
	PRINT	"[crash] write past the stack top returned "
	mv	a0, s1
	call	print_dec
	PRINT	"\n"
	li	a0, 99			# no such system call
	syscall
	mv	s1, a0
	PRINT	"[crash] system call 99 returned "
	mv	a0, s1
	call	print_dec
	PRINT	"\n"
	li	a0, -1
	call	sleep
	mv	s1, a0
	PRINT	"[crash] sleep(-1) returned "
	mv	a0, s1
	call	print_dec
	PRINT	"\n"
	li	a0, 7
	call	exit
case_sleeper:
	li	a0, 20			# everyone else is gone by then: idle
	call	sleep
	PRINT	"[crash] the sleeper woke up\n"
	li	a0, 0
	call	exit

survived:
	PRINT	"[crash] survived: the kernel did not kill me\n"
	li	a0, 1
	call	exit
bad_case:
	PRINT	"[crash] no such case\n"
	li	a0, 2
	call	exit

	.data
	.align	4
cases:	.word	case_divzero, case_illegal, case_misaligned, case_break
	.word	case_priv, case_fetch_heap, case_store_unmapped
	.word	case_stack_overflow, case_jump_null, case_device, case_hcall
	.word	case_refused, case_sleeper
	.equ	NCASES, (. - cases) / 4

	.text
	.include "ulib.inc"
