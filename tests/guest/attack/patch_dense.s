# patch_dense.s - pages that are nothing but sensitive instructions.
#
# mode: leaky
#
# Tries: to fill a monitor's patch tables.  DENSE is 4096 units "rdpsw
# t0; add s2, s2, t0" (8192 words: eight full pages, 512 patch sites
# each), then ret: every unit adds what its rdpsw read to s2.  DENSE
# runs, then one word in each of its pages is stored over (with the
# same rdpsw: a monitor undoes that page's patches and scans it again),
# and DENSE runs again.  Then a page of 341 units "rdtvec t0; xor t0,
# t0, s0; or s2, s2, t0" and a ret, and a page of 1023 wrpsw that set
# and clear IE in turn (the last clears it).
# The bare machine: each rdpsw reads MODE (1), so s2 = 4096 after each
# run of DENSE; every rdtvec reads the guest's TVEC (s2 = 0); the PSW
# after the wrpsw page is MODE (1).
	.include "patch.inc"

	.equ	UNITS,	4096
	.equ	RDPSW_T0, 0xd4000000 | (8 << 22)

	.text
	.globl	_start
_start:
	test_init
	li	s0, dense_end - dense
	expect_eq s0, 8 * UNITS, "DENSE holds 4096 units"
	li	s0, wrpsws_end - wrpsws
	expect_eq s0, 4 * 1023, "the wrpsw page holds 1023 wrpsw and its ret"
	li	s0, tvecs_end - tvecs
	expect_eq s0, 4 * 1023, "the rdtvec page holds 341 units and its ret"
	li	s2, 0
	call	dense
	expect_eq s2, UNITS, "DENSE runs: 4096 rdpsw read MODE"

	# --- one word of each page stored over, then DENSE again ---
	la	t0, dense
	li	t1, RDPSW_T0
	li	t2, 8
1:	sw	t1, 0(t0)		# every page starts with a unit's rdpsw
	li	t3, PAGE_SIZE
	add	t0, t0, t3
	addi	t2, t2, -1
	bnez	t2, 1b
	li	s2, 0
	call	dense
	expect_eq s2, UNITS, "DENSE stored over in every page, run again: 4096 rdpsw read MODE"

	la	s0, trap_default
	li	s2, 0
	call	tvecs
	expect_eq s2, 0, "a page of 341 rdtvec: every one reads the guest's TVEC"
	li	t1, PSW_MODE
	li	t2, PSW_MODE | PSW_IE
	call	wrpsws
	rdpsw	s1
	expect_eq s1, PSW_SUPER, "a page of 1023 wrpsw, IE on and off: the PSW is MODE"
	test_done

	.align	PAGE_SIZE
dense:
	.macro	unit
	rdpsw	t0
	add	s2, s2, t0
	.endm
	rep256	unit
	rep256	unit
	rep256	unit
	rep256	unit
	rep256	unit
	rep256	unit
	rep256	unit
	rep256	unit
	rep256	unit
	rep256	unit
	rep256	unit
	rep256	unit
	rep256	unit
	rep256	unit
	rep256	unit
	rep256	unit
dense_end:
	ret

# tvecs(s0 = the guest's TVEC): 341 units "rdtvec t0; xor t0, t0, s0;
# or s2, s2, t0" (1023 words) and a ret: s2 = 0 if every one read s0.
	.align	PAGE_SIZE
tvecs:
	.macro	tv
	rdtvec	t0
	xor	t0, t0, s0
	or	s2, s2, t0
	.endm
	rep256	tv
	rep64	tv
	rep16	tv
	rep4	tv
	tv
tvecs_end:
	ret

# wrpsws(t1 = MODE, t2 = MODE | IE): 511 pairs "wrpsw t2; wrpsw t1" and
# one more wrpsw t1: IE on and off, and off at the end.
	.align	PAGE_SIZE
wrpsws:
	.macro	wpair
	wrpsw	t2
	wrpsw	t1
	.endm
	rep256	wpair
	rep64	wpair
	rep64	wpair
	rep64	wpair
	rep16	wpair
	rep16	wpair
	rep16	wpair
	rep4	wpair
	rep4	wpair
	rep4	wpair
	wpair
	wpair
	wpair
	wrpsw	t1
wrpsws_end:
	ret
