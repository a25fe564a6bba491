# pvsyscall.s - the system call round trip of hypercall ABI 2 (vmm/README.md,
# "The shared page"), counted by --stats: case vmm-pv-syscall.
#
# A kernel of a few lines registers its shared page and trap entry, drops
# to user mode with HC_IRET, and serves N system calls: each is one exit
# out (the syscall, which the VMM delivers straight to the entry with its
# frame in the shared page) and one back (HC_IRET); the kernel reads
# CAUSE and steps EPC with plain loads and stores.  So --stats counts N + 1
# SYSCALL exits (the last one asks to halt) and N + 3 HCALL exits (the
# registration, the first HC_IRET, one HC_IRET per call, the console
# line): two exits a round trip.  Under ABI 1 it took five.
	.equ	N, 100
	# from pg32.inc (these programs are assembled without -I)
	.equ	HC_CONSOLE_WRITE, 10
	.equ	HC_REGISTER_SHARED, 14
	.equ	HC_IRET, 15
	.equ	SH_EPC, 0
	.equ	SH_CAUSE, 4
	.equ	SH_EPSW, 12
	.equ	SH_A0, 24
	.equ	CAUSE_SYSCALL, 3
	.equ	TEST_EXIT, 0xF000F000

	.data
shared:	.space	32		# first in .data: page aligned
count:	.word	0
msg:	.ascii	"pvsyscall: 100 round trips\n"
	.equ	MSG_LEN, . - msg

	.text
	.globl	_start
_start:	la	a1, shared
	la	a2, kentry
	li	a0, HC_REGISTER_SHARED
	hcall
	bnez	a0, fail
	la	t0, user		# to user mode (PSW = 0): HC_IRET
	sw	t0, shared+SH_EPC(zero)
	sw	zero, shared+SH_EPSW(zero)
	li	a0, HC_IRET
	hcall

# The trap entry: a system call from user mode (a0 = 1: count it; a0 = 0:
# halt), anything else fails.  The user's t0 and t1 are ours.
kentry:	lw	t0, shared+SH_CAUSE(zero)
	li	t1, CAUSE_SYSCALL
	bne	t0, t1, fail
	beqz	a0, done
	lw	t0, count(zero)
	addi	t0, t0, 1
	sw	t0, count(zero)
	lw	t0, shared+SH_EPC(zero)	# resume after the syscall
	addi	t0, t0, 4
	sw	t0, shared+SH_EPC(zero)
	sw	a0, shared+SH_A0(zero)	# HC_IRET gives a0 back
	li	a0, HC_IRET
	hcall

done:	lw	t0, count(zero)
	li	t1, N
	bne	t0, t1, fail
	la	a1, msg
	li	a2, MSG_LEN
	li	a0, HC_CONSOLE_WRITE
	hcall
	li	a0, 0
	j	halt
fail:	li	a0, 1
halt:	li	t0, TEST_EXIT
	sw	a0, 0(t0)

user:	li	s0, N
1:	li	a0, 1
	syscall
	addi	s0, s0, -1
	bnez	s0, 1b
	li	a0, 0
	syscall
