# 08-sensitive.s - a sensitive-instruction probe: what do rdpsw, wrpsw and
# rdtvec do, in supervisor mode and in user mode, on this machine?
#
# Popek and Goldberg (chapter 2): an instruction is *sensitive* if it
# reads or changes the machine's control state (mode, interrupt enable,
# paging, trap vector); it is *privileged* if it traps in user mode.  A
# monitor can run a guest kernel deprivileged only if every sensitive
# instruction is privileged.  On PG32's clean machine the three are
# privileged; on the leaky one (`--mode=leaky`, like x86 before VT-x)
# they run in user mode without trapping (ISA.md 4.7 and 10).
#
# The probe prints what it observed, so its output tells the machines
# apart:
#   trapeze run examples/08-sensitive.s                  clean: all trap
#   trapeze run --mode=leaky ...                         user mode: none traps
#   trapeze run --vmm --mode=leaky ...                   the VMM is fooled:
#       the guest kernel runs in real user mode, so its rdpsw sees user
#       mode, its wrpsw is silently lost, its rdtvec reads the VMM's TVEC
#   trapeze run --vmm --mode=leaky --patch ...           fixed: the VMM
#       rewrote each of the three into an hcall and emulates it; the
#       output is the bare leaky machine's again
# (each with -I build/include).
#
# Register s3 belongs to the trap handler: it holds the cause of the last
# trap, and the probe clears it before each attempt.

	.include "print.inc"

	.text
	.globl	_start
_start:
	la	sp, stack_top
	la	t0, trap_handler
	mtcr	tvec, t0

	# --- supervisor mode: the kernel looks at itself -----------------
	say	"kernel: rdpsw reads MODE = "
	rdpsw	s0
	andi	s0, s0, PSW_MODE
	call	print_mode
	bnez	s0, 1f
	say	"  <- wrong: this is the kernel"
1:	li	a0, '\n'
	call	putc

	rdtvec	s0
	la	s1, trap_handler
	beq	s0, s1, 2f
	say	"kernel: rdtvec reads "
	mv	a0, s0
	call	print_hex
	say	", not the TVEC I set, "
	mv	a0, s1
	call	print_hex
	say	"  <- someone else owns the machine\n"
	j	3f
2:	say	"kernel: rdtvec reads the TVEC I set\n"

3:	li	t0, PSW_MODE | PSW_IE	# no device is on: nothing can come
	wrpsw	t0
	mfcr	s0, psw			# privileged: always the truth
	andi	s0, s0, PSW_IE
	beqz	s0, 4f
	say	"kernel: wrpsw turned interrupts on\n"
	j	5f
4:	say	"kernel: wrpsw to turn interrupts on was lost  <- a critical section would break\n"
5:	li	t0, PSW_MODE
	mtcr	psw, t0			# interrupts off again

	# --- user mode: the same three instructions ------------------------
	la	t0, user
	mtcr	epc, t0
	mtcr	epsw, zero		# user mode, IE and PG off
	rfe

# In user mode with paging off, the program can still reach the console
# (nothing protects it without paging: ISA.md 7.1), so it prints itself.
user:	li	s3, 0
	rdpsw	s0
	say	"user:   rdpsw "
	call	report_trap
	bnez	s3, 6f
	say	", reads MODE = "
	andi	s0, s0, PSW_MODE
	call	print_mode
6:	li	a0, '\n'
	call	putc

	li	s3, 0
	li	t0, PSW_MODE
	wrpsw	t0			# asks for supervisor mode
	say	"user:   wrpsw "
	call	report_trap
	bnez	s3, 7f
	say	", and MODE is still user"
7:	li	a0, '\n'
	call	putc

	li	s3, 0
	rdtvec	s0
	say	"user:   rdtvec "
	call	report_trap
	bnez	s3, 8f
	say	", reads "
	mv	a0, s0
	call	print_hex
8:	li	a0, '\n'
	call	putc
	syscall				# the end: the handler halts

# report_trap: "trapped (CAUSE n)" or "did not trap", from s3.
report_trap:
	addi	sp, sp, -4
	sw	ra, 0(sp)
	beqz	s3, 1f
	say	"trapped, CAUSE "
	mv	a0, s3
	call	print_dec
	li	t0, CAUSE_PRIV
	bne	s3, t0, 2f
	say	" (PRIV)"
	j	2f
1:	say	"did not trap"
2:	lw	ra, 0(sp)
	addi	sp, sp, 4
	ret

# print_mode(s0 = the MODE bit)
print_mode:
	addi	sp, sp, -4
	sw	ra, 0(sp)
	beqz	s0, 1f
	say	"supervisor"
	j	2f
1:	say	"user"
2:	lw	ra, 0(sp)
	addi	sp, sp, 4
	ret

# The handler: record the cause in s3 and step over the instruction; the
# user's final syscall halts the machine.
trap_handler:
	mfcr	s3, cause
	mtcr	scratch, t0
	li	t0, CAUSE_SYSCALL
	beq	s3, t0, finish
	mfcr	t0, epc
	addi	t0, t0, 4
	mtcr	epc, t0
	mfcr	t0, scratch
	rfe
finish:	halt

	.data
	.space	1024
stack_top:
