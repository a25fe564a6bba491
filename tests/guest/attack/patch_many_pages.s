# patch_many_pages.s - patched code in a thousand pages.
#
# mode: leaky
#
# Tries: to exhaust whatever a monitor keeps per patched page (patch
# tables, scan state, write protection).  1024 frames from 4 MiB each
# get "rdpsw s1; ret" at an offset of their own, and each is called
# (with paging off): 1024 pages scanned and patched.  Then all are
# called again (the first ones must still be patched, or patched
# again), then each has its rdpsw stored over with rdtvec s1 and is
# called (1024 pages unpatched and scanned again), then each is read
# back.
# The bare machine: every rdpsw reads MODE (1), every rdtvec the guest's
# TVEC, every word reads as stored.
	.include "patch.inc"

	.equ	BASE,	0x400000
	.equ	PAGES,	1024
	.equ	RDTVEC_S1, 0xdc000000 | (13 << 22)

# code_addr: a3 = the address of page s3's code (BASE + s3 pages + its
# offset, (8 * s3) mod 4096).
	.macro	code_addr
	slli	a3, s3, PAGE_SHIFT
	li	t0, BASE
	add	a3, a3, t0
	slli	t0, s3, 3
	andi	t0, t0, PAGE_SIZE - 8
	add	a3, a3, t0
	.endm

	.text
	.globl	_start
_start:
	test_init
	la	t0, code_t
	lw	s0, 0(t0)		# rdpsw s1
	lw	s1, 4(t0)		# ret
	li	s3, 0
1:	code_addr
	sw	s0, 0(a3)
	sw	s1, 4(a3)
	addi	s3, s3, 1
	li	t0, PAGES
	bne	s3, t0, 1b

	li	a0, PSW_SUPER
	call	call_all
	expect_eq s2, 0, "1024 pages called: every rdpsw reads the supervisor PSW"
	li	a0, PSW_SUPER
	call	call_all
	expect_eq s2, 0, "  ... called again: every rdpsw reads the supervisor PSW"

	li	s3, 0
1:	code_addr
	li	t0, RDTVEC_S1
	sw	t0, 0(a3)
	addi	s3, s3, 1
	li	t0, PAGES
	bne	s3, t0, 1b
	la	a0, trap_default
	call	call_all
	expect_eq s2, 0, "each rdpsw stored over with rdtvec: every rdtvec reads the guest's TVEC"

	li	s2, 0
	li	s3, 0
1:	code_addr
	lw	t0, 0(a3)
	li	t1, RDTVEC_S1
	beq	t0, t1, 2f
	addi	s2, s2, 1
2:	addi	s3, s3, 1
	li	t0, PAGES
	bne	s3, t0, 1b
	expect_eq s2, 0, "  ... and every one loads as rdtvec s1"
	test_done

# call_all(a0 = what each must read): s2 = the pages whose code read
# something else.
call_all:
	mv	a2, ra
	mv	a1, a0
	li	s2, 0
	li	s3, 0
1:	code_addr
	li	s1, 0
	jalr	ra, 0(a3)
	beq	s1, a1, 2f
	addi	s2, s2, 1
2:	addi	s3, s3, 1
	li	t0, PAGES
	bne	s3, t0, 1b
	jr	a2

code_t:	rdpsw	s1
	ret
