# traps.s - exceptions on the bare machine: EPC, CAUSE, BADVA and EPSW for
# syscall, break, illegal words and division by zero (hcall: hcall.s); the PSW inside
# a handler; rfe and what it restores; control registers read back.
	.include "test.inc"

	.equ	PSW_SEEN, 0x100		# a free word below .text, reached as 0x100(zero)

	.text
	.globl	_start
_start:
	test_init

	# --- syscall and break: EPC is the instruction itself ---
	li	a0, 42
sc:	syscall
	expect_mem trap_cause, CAUSE_SYSCALL, "syscall: CAUSE"
	expect_mem trap_epc, sc, "syscall: EPC is the syscall"
	expect_mem trap_badva, 0, "syscall: BADVA 0"
	expect_mem trap_epsw, PSW_MODE, "syscall: EPSW is the old PSW"
	expect_mem trap_count, 1, "syscall: one trap, resumed after it"
brk:	break
	expect_mem trap_cause, CAUSE_BREAK, "break: CAUSE"
	expect_mem trap_epc, brk, "break: EPC is the break"

	# --- words that are no instruction ---
ill0:	.word	0x00000000
	expect_mem trap_cause, CAUSE_ILLEGAL, "all-zeros word: ILLEGAL"
	expect_mem trap_epc, ill0, "all-zeros word: EPC"
ill1:	.word	0xffffffff
	expect_mem trap_cause, CAUSE_ILLEGAL, "all-ones word: ILLEGAL"
	expect_mem trap_epc, ill1, "all-ones word: EPC"
	.word	0x04000001		# add zero, zero, zero with a stray bit 0
	expect_mem trap_cause, CAUSE_ILLEGAL, "stray bit in add: ILLEGAL"
	.word	0xac000001		# syscall with a stray bit: not a syscall
	expect_mem trap_cause, CAUSE_ILLEGAL, "stray bit in syscall: ILLEGAL"
	.word	0xe0000000		# opcode 0x38: unassigned
	expect_mem trap_cause, CAUSE_ILLEGAL, "unassigned opcode: ILLEGAL"

	# --- division by zero traps and leaves rd alone ---
	li	s1, 7
	li	s0, 0x5a
dz1:	div	s0, s1, zero
	expect_mem trap_cause, CAUSE_DIVZERO, "div by 0: DIVZERO"
	expect_mem trap_epc, dz1, "div by 0: EPC"
	expect_eq s0, 0x5a, "div by 0: rd not written"
dz2:	divu	s0, s1, zero
	expect_mem trap_epc, dz2, "divu by 0: EPC"
dz3:	rem	s0, s1, zero
	expect_mem trap_epc, dz3, "rem by 0: EPC"
dz4:	remu	s0, s1, zero
	expect_mem trap_epc, dz4, "remu by 0: EPC"
	expect_mem trap_cause, CAUSE_DIVZERO, "remu by 0: DIVZERO"
	expect_eq s0, 0x5a, "rem family by 0: rd not written"
	expect_mem trap_count, 11, "eleven traps so far"

	# --- BADVA: the address for MISALIGNED, 0 for the others ---
	la	s1, scratch_word
	lw	s0, 2(s1)
	expect_mem trap_badva, scratch_word + 2, "misaligned: BADVA set"
	break
	expect_mem trap_badva, 0, "break after it: BADVA 0 again"

	# --- trap entry: EPSW = PSW, then MODE = 1, IE = 0 in the handler ---
	set_tvec psw_probe
	li	t0, PSW_MODE | PSW_IE	# nothing can interrupt: no device is on
	mtcr	psw, t0
ie_brk:	break
	mfcr	s0, psw
	expect_eq s0, PSW_MODE | PSW_IE, "rfe restored IE"
	li	t0, PSW_MODE
	mtcr	psw, t0
	expect_mem trap_epsw, PSW_MODE | PSW_IE, "EPSW holds IE = 1"
	expect_mem PSW_SEEN, PSW_MODE, "in the handler: MODE = 1, IE = 0"
	expect_mem trap_epc, ie_brk, "psw probe: EPC"
	set_tvec trap_default

	# --- rfe: PSW = EPSW (MODE, IE, PG only), pc = EPC ---
	li	t0, 0xfffffff9		# MODE and bits PSW does not have
	mtcr	epsw, t0
	la	t0, rfe_land
	mtcr	epc, t0
	li	s0, 0
	rfe
	li	s0, 1			# skipped
rfe_land:
	expect_eq s0, 0, "rfe jumps to EPC"
	mfcr	s0, psw
	expect_eq s0, PSW_MODE, "rfe keeps only MODE, IE, PG"
	mfcr	s0, epsw
	expect_eq s0, 0xfffffff9, "EPSW reads back as written"

	# --- writing PSW keeps bits 0-2 only ---
	li	t0, 0xfffffff9
	mtcr	psw, t0
	mfcr	s0, psw
	expect_eq s0, PSW_MODE, "PSW other bits read 0"

	# --- the other control registers hold any value ---
	li	t0, 0x12345677
	mtcr	epc, t0
	mfcr	s0, epc
	expect_eq s0, 0x12345677, "EPC reads back"
	li	t0, 0x80000123
	mtcr	cause, t0
	mfcr	s0, cause
	expect_eq s0, 0x80000123, "CAUSE reads back"
	li	t0, 0xdeadbeef
	mtcr	badva, t0
	mfcr	s0, badva
	expect_eq s0, 0xdeadbeef, "BADVA reads back"
	li	t0, 0xcafef00d
	mtcr	scratch, t0
	mfcr	s0, scratch
	expect_eq s0, 0xcafef00d, "SCRATCH reads back"
	li	t0, 0x12345abc
	mtcr	ptbr, t0
	mfcr	s0, ptbr
	expect_eq s0, 0x12345abc, "PTBR reads back, low bits too"
	mtcr	ptbr, zero
	mfcr	s0, tvec
	expect_eq s0, trap_default, "TVEC reads back"
	rdtvec	s0
	expect_eq s0, trap_default, "rdtvec in supervisor mode"
	rdpsw	s0
	expect_eq s0, PSW_MODE, "rdpsw in supervisor mode"

	test_done

# A handler that notes the PSW it runs with, then does what the default
# handler does.
psw_probe:
	mtcr	scratch, t0
	mfcr	t0, psw
	sw	t0, PSW_SEEN(zero)
	mfcr	t0, scratch
	j	trap_default

	.data
	.align	4
scratch_word:
	.word	0
