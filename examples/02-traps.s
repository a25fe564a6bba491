# 02-traps.s - traps: the program sets TVEC to its own handler, then
# executes three instructions that cannot complete -- a word that is no
# instruction, a division by zero, a `break` -- and each time the machine
# enters the handler (isa/ISA.md section 6.2: EPC, EPSW, CAUSE, BADVA are
# written, MODE = supervisor, IE = 0, pc = TVEC).  The handler prints the
# cause and where it happened, adds 4 to EPC to step over the instruction,
# and returns with `rfe`.  The program goes on as if nothing had happened.
#
# Under the VMM the same bytes come out, but no trap reaches this handler
# directly: each one exits to the VMM, which *reflects* it -- writes the
# virtual EPC, CAUSE, ... and resumes the guest at its virtual TVEC.
#
#   bin/trapeze run -I build/include examples/02-traps.s

	.include "print.inc"

	.text
	.globl	_start
_start:
	la	sp, stack_top
	la	t0, trap_handler
	mtcr	tvec, t0		# from now on, every trap comes here

	say	"1. a word that is no instruction:\n"
bad_word:
	.word	0			# opcode 0 is never assigned: ILLEGAL
	say	"   ... and back in the program\n"

	say	"2. a division by zero:\n"
	li	a0, 7
	li	a1, 0
divide:	divu	a0, a0, a1		# traps DIVZERO and writes nothing
	mv	s0, a0
	say	"   ... back, and a0 is still "
	mv	a0, s0
	call	print_dec		# 7: a trapping instruction has no effect
	li	a0, '\n'
	call	putc

	say	"3. a break:\n"
brk:	break
	say	"   ... back again\n"
	halt

# The handler runs on the program's stack: it was entered from
# supervisor mode, so sp is good.  It saves what the functions it calls
# may change, so that the interrupted code finds its registers as it left
# them.
trap_handler:
	addi	sp, sp, -40
	sw	ra, 0(sp)
	sw	a0, 4(sp)
	sw	a1, 8(sp)
	sw	a2, 12(sp)
	sw	a3, 16(sp)
	sw	t0, 20(sp)
	sw	t1, 24(sp)
	sw	t2, 28(sp)
	sw	t3, 32(sp)

	say	"   trap: cause "
	mfcr	s0, cause		# s0 is not saved: only the handler uses it
	mv	a0, s0
	call	print_dec
	say	" ("
	slli	t0, s0, 2		# the cause's name from a table of pointers
	la	t1, cause_names
	add	t1, t1, t0
	lw	a0, 0(t1)
	call	puts
	say	") at pc "
	mfcr	a0, epc			# the instruction that trapped
	call	print_hex
	li	a0, '\n'
	call	putc

	mfcr	t0, epc			# resume after it: every cause here is an
	addi	t0, t0, 4		# exception whose EPC is the instruction
	mtcr	epc, t0		# itself (ISA.md 6.2)

	lw	ra, 0(sp)
	lw	a0, 4(sp)
	lw	a1, 8(sp)
	lw	a2, 12(sp)
	lw	a3, 16(sp)
	lw	t0, 20(sp)
	lw	t1, 24(sp)
	lw	t2, 28(sp)
	lw	t3, 32(sp)
	addi	sp, sp, 40
	rfe				# PSW = EPSW, pc = EPC

	.data
cause_names:				# indexed by CAUSE bits 7:0
	.word	n_none, n_illegal, n_priv, n_syscall, n_break, n_divzero
n_none:		.asciz	"none"
n_illegal:	.asciz	"ILLEGAL"
n_priv:		.asciz	"PRIV"
n_syscall:	.asciz	"SYSCALL"
n_break:	.asciz	"BREAK"
n_divzero:	.asciz	"DIVZERO"
	.align	4
	.space	1024
stack_top:
