# alias_own_frames.s - map every frame of its own RAM at another address.
#
# Tries: to a guest, a PTE's frame number is a guest-physical address.
# This guest maps each of its frames from 2 MiB to 16 MiB (3584 frames)
# in turn at one window page, writes a pattern through the window and
# reads it back through the identity map (and the other way round), maps
# two window pages onto one frame, and aliases its own code and page
# tables.  A VMM that translated these frames wrongly would let the
# guest reach a frame that is not its own, or lose its writes.
# The bare machine: the window is plain RAM at that physical address;
# every pattern reads back where it was written.
	.include "attack.inc"

	.equ	FIRST,	0x200		# frames FIRST..0xfff
	.equ	LAST,	0x1000

	.text
	.globl	_start
_start:
	test_init
	paging_on

	# --- write through the window, read through the identity map ---
	li	s3, FIRST		# the frame
	li	s2, 0			# mismatches
1:	slli	t0, s3, PAGE_SHIFT
	ori	t1, t0, RWU
	li	t2, L_WIN
	sw	t1, 0(t2)
	li	t2, WIN
	tlbinv	t2
	andi	a0, s3, 0x3ff		# a different offset in each frame
	slli	a0, a0, 2
	li	a1, 0xa5a50000
	xor	a1, a1, s3		# the pattern names the frame
	add	t2, t2, a0
	sw	a1, 0(t2)		# through the window
	add	t0, t0, a0
	lw	a2, 0(t0)		# through the identity map
	beq	a1, a2, 2f
	addi	s2, s2, 1
2:	addi	s3, s3, 1
	li	t0, LAST
	bne	s3, t0, 1b
	expect_eq s2, 0, "3584 frames: window writes land in the frame"

	# --- and every pattern is still there, read through the window ---
	li	s3, FIRST
	li	s2, 0
1:	slli	t0, s3, PAGE_SHIFT
	ori	t1, t0, PTE_V | PTE_R
	li	t2, L_WIN
	sw	t1, 0(t2)
	li	t2, WIN
	tlbinv	t2
	andi	a0, s3, 0x3ff
	slli	a0, a0, 2
	li	a1, 0xa5a50000
	xor	a1, a1, s3
	add	t2, t2, a0
	lw	a2, 0(t2)
	beq	a1, a2, 2f
	addi	s2, s2, 1
2:	addi	s3, s3, 1
	li	t0, LAST
	bne	s3, t0, 1b
	expect_eq s2, 0, "3584 frames: read back through the window"

	# --- two window pages on one frame ---
	win_map	1, FREE | RWU
	win_map	2, FREE | RWU
	li	s1, WIN + PAGE_SIZE
	li	t0, 0x11223344
	sw	t0, 0x80(s1)
	lw	s0, PAGE_SIZE + 0x80(s1)
	expect_eq s0, 0x11223344, "two pages on one frame: a write shows in both"
	peek	s0, FREE + 0x80
	expect_eq s0, 0x11223344, "  ... and at the frame's own address"
	li	t0, 0x55667788
	li	t1, FREE + 0x84
	sw	t0, 0(t1)
	lw	s0, PAGE_SIZE + 0x84(s1)
	expect_eq s0, 0x55667788, "  ... identity writes show through the alias"

	# --- its own code and page tables, aliased ---
	win_map	3, 0x1000 | PTE_V | PTE_R
	la	t0, _start
	lw	s1, 0(t0)
	li	t0, WIN + 3 * PAGE_SIZE
	la	t1, _start
	andi	t1, t1, 0xfff
	add	t0, t0, t1
	lw	s0, 0(t0)
	sub	s0, s0, s1
	expect_eq s0, 0, "its code read through an alias"
	win_map	4, ROOT | PTE_V | PTE_R
	li	t0, WIN + 4 * PAGE_SIZE + WIN_INDEX * 4
	lw	s0, 0(t0)
	expect_eq s0, L_WIN | PTE_V, "its root table read through an alias"
	win_map	5, 0 | PTE_V | PTE_R | PTE_W
	li	t0, WIN + 5 * PAGE_SIZE + 0x10
	li	t1, 0x7e57
	sw	t1, 0(t0)
	peek	s0, 0x10
	expect_eq s0, 0x7e57, "frame 0 through an alias is address 0"
	test_done
