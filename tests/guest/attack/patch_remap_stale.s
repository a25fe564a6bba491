# patch_remap_stale.s - a patched page remapped to an identical copy,
# without a flush.
#
# mode: leaky
#
# Tries: to get a patch's hcall served as a real hypercall, or to run a
# raw sensitive instruction, through a stale translation.  With paging
# on, window page 0 maps frame F1 holding code C; C runs (so a monitor
# has patched F1).  C is copied by loads through the window (they must
# read C's own words) into frame F2, and the window is remapped to F2
# WITHOUT tlbinv: the architecture lets the CPU keep using F1 or use F2,
# and both hold the same code, so the guest must see the same thing
# either way.  Before every call a0-a2 hold a CONSOLE_WRITE hypercall
# of "PWNED\n": a monitor that finds no patch for the pc where its hcall
# exited (it looks in the newly mapped frame) and serves the hcall word
# as the guest's own hypercall prints it and changes a0.  Then tlbinv,
# and back to F1 without a flush again.
#   C: +0 rdpsw s1; ret; +8 rdtvec s1; ret
# The bare machine: rdpsw reads MODE | PG (5), rdtvec the guest's TVEC;
# a0 is never touched, nothing but PASS lines is printed; F2 holds C's
# words.
	.include "patch.inc"

	.equ	F1,	FREE + 0x1000
	.equ	F2,	FREE + 0x5000	# another TLB index than F1
	.equ	WORDS,	4

	.text
	.globl	_start
_start:
	test_init
	copy_code code_c, F1, WORDS	# F1 = C, by plain stores
	paging_on
	win_map	0, F1 | LEAF

	call_win 0
	expect_eq s1, PSW_SUPER_PG, "C at F1: rdpsw reads the supervisor PSW"
	expect_eq s2, HC_CONSOLE_WRITE, "  ... a0 untouched"
	call_win 8
	expect_eq s1, trap_default, "C at F1: rdtvec reads the guest's TVEC"
	expect_eq s2, HC_CONSOLE_WRITE, "  ... a0 untouched"

	# --- copy C through the window (the patched page) into F2 ---
	li	a0, WIN
	li	a1, F2
	li	a2, WORDS
	call	copy_words
	la	a0, code_c		# words of F2 that differ from C's
	li	a1, F2
	li	a2, WORDS
	call	count_diff
	mv	s3, a0
	expect_eq s3, 0, "loads through the patched window read C's words"

	# --- remapped to the copy, no flush ---
	poke	L_WIN, F2 | LEAF
	call_win 0
	expect_eq s1, PSW_SUPER_PG, "remapped to F2, no flush: rdpsw reads the supervisor PSW"
	expect_eq s2, HC_CONSOLE_WRITE, "  ... a0 untouched (no hypercall served)"
	call_win 8
	expect_eq s1, trap_default, "  ... rdtvec (the second entry) reads the guest's TVEC"
	expect_eq s2, HC_CONSOLE_WRITE, "  ... a0 untouched"
	li	t0, WIN
	lw	s1, 0(t0)
	expect_mem code_c, 0xd4000000 | (13 << 22), "  (C's first word is rdpsw s1)"
	la	t0, code_c
	lw	t0, 0(t0)
	sub	s1, s1, t0
	expect_eq s1, 0, "  ... a load at the window reads rdpsw s1"

	# --- now the flush: F2 for certain ---
	li	t0, WIN
	tlbinv	t0
	call_win 0
	expect_eq s1, PSW_SUPER_PG, "after tlbinv, F2: rdpsw reads the supervisor PSW"
	expect_eq s2, HC_CONSOLE_WRITE, "  ... a0 untouched"

	# --- back to F1, no flush ---
	poke	L_WIN, F1 | LEAF
	call_win 8
	expect_eq s1, trap_default, "back to F1, no flush: rdtvec reads the guest's TVEC"
	expect_eq s2, HC_CONSOLE_WRITE, "  ... a0 untouched"
	call_win 0
	expect_eq s1, PSW_SUPER_PG, "  ... rdpsw reads the supervisor PSW"
	expect_eq s2, HC_CONSOLE_WRITE, "  ... a0 untouched"

	# --- and to F2 again, no flush, F2 now scanned and run too ---
	poke	L_WIN, F2 | LEAF
	call_win 0
	expect_eq s1, PSW_SUPER_PG, "to F2 again, no flush: rdpsw reads the supervisor PSW"
	expect_eq s2, HC_CONSOLE_WRITE, "  ... a0 untouched"
	test_done

code_c:	rdpsw	s1
	ret
	rdtvec	s1
	ret
