# patch_remap_flush.s - a code page remapped to other code, with a flush.
#
# mode: leaky
#
# Tries: to make a monitor keep the scan and patches of one frame for
# another frame mapped at the same virtual page.  With paging on, window
# page 0 maps frame F1 holding code A; A runs from offset 0.  Then the
# window page is remapped (tlbinv, as the architecture asks) to frame F2
# holding code B, whose sensitive instructions sit where A had harmless
# ones (offset 0) and where A's scan never went (offset 16), and B is
# entered at both; then back to F1, entered at offsets A's first run
# never reached (8: rdpsw, 16: rdtvec); then through tlbflush, and
# through a second address space (mtcr ptbr) mapping the window to F2.
# Loads through the window and through the identity map read the words
# of the frame mapped there: A's and B's instructions as assembled.
#   A: +0 li s1, 0xa1; ret; +8 rdpsw s1; ret; +16 rdtvec s1; ret
#   B: +0 rdpsw s1;   ret; +8 li s1, 0xb1; ret; +16 rdpsw s1; ret
# The bare machine: each call runs the code of the frame mapped at that
# moment; rdpsw reads MODE | PG (5), rdtvec the guest's TVEC.
	.include "patch.inc"

	.equ	F1,	FREE + 0x1000
	.equ	F2,	FREE + 0x2000
	.equ	ROOT2,	FREE + 0x10000	# a second address space
	.equ	L_WIN2,	FREE + 0x11000	# ... whose window maps F2

	.text
	.globl	_start
_start:
	test_init
	copy_code code_a, F1, 6
	copy_code code_b, F2, 6
	paging_on
	win_map	0, F1 | LEAF

	li	s1, 0
	li	t0, WIN
	jalr	ra, 0(t0)
	expect_eq s1, 0xa1, "A runs at the window from offset 0"

	# --- remapped to B (tlbinv), entered at the same offset ---
	win_map	0, F2 | LEAF
	li	s1, 0
	li	t0, WIN
	jalr	ra, 0(t0)
	expect_eq s1, PSW_SUPER_PG, "remapped to B: B's rdpsw at offset 0 reads the supervisor PSW"
	li	s1, 0
	li	t0, WIN + 16
	jalr	ra, 0(t0)
	expect_eq s1, PSW_SUPER_PG, "  ... B's rdpsw at offset 16 (a second entry)"
	li	s1, 0
	li	t0, WIN + 8
	jalr	ra, 0(t0)
	expect_eq s1, 0xb1, "  ... B's li at offset 8, where A has rdpsw"
	li	t0, WIN
	lw	s1, 0(t0)
	expect_mem code_b, 0xd4000000 | (13 << 22), "  (B's first word is rdpsw s1)"
	la	t0, code_b
	lw	t1, 0(t0)
	li	t0, WIN
	lw	s1, 0(t0)
	sub	s1, s1, t1
	expect_eq s1, 0, "  ... a load at the window reads B's rdpsw word"

	# --- back to A (tlbinv), entered where its first run never went ---
	win_map	0, F1 | LEAF
	li	s1, 0
	li	t0, WIN + 8
	jalr	ra, 0(t0)
	expect_eq s1, PSW_SUPER_PG, "back to A: A's rdpsw at offset 8 reads the supervisor PSW"
	li	s1, 0
	li	t0, WIN + 16
	jalr	ra, 0(t0)
	expect_eq s1, trap_default, "  ... A's rdtvec at offset 16 reads the guest's TVEC"
	li	s1, 0
	li	t0, WIN
	jalr	ra, 0(t0)
	expect_eq s1, 0xa1, "  ... A's li at offset 0, where B has rdpsw"
	la	t0, code_a
	lw	t1, 8(t0)
	li	t0, WIN
	lw	s1, 8(t0)
	sub	s1, s1, t1
	expect_eq s1, 0, "  ... a load at the window reads A's rdpsw word"
	la	t0, code_b
	lw	t1, 16(t0)
	li	t0, F2
	lw	s1, 16(t0)
	sub	s1, s1, t1
	expect_eq s1, 0, "  ... a load of F2 by the identity map reads B's rdpsw word"

	# --- to B with a tlbflush ---
	li	t0, L_WIN
	li	t1, F2 | LEAF
	sw	t1, 0(t0)
	tlbflush
	li	s1, 0
	li	t0, WIN
	jalr	ra, 0(t0)
	expect_eq s1, PSW_SUPER_PG, "remapped to B by tlbflush: rdpsw at offset 0"
	li	t0, L_WIN
	li	t1, F1 | LEAF
	sw	t1, 0(t0)
	tlbflush
	li	s1, 0
	li	t0, WIN
	jalr	ra, 0(t0)
	expect_eq s1, 0xa1, "  ... and back to A by tlbflush: li at offset 0"

	# --- a second address space whose window maps F2 ---
	li	t0, ROOT		# ROOT2 = ROOT, but for the window
	li	t1, ROOT2
	li	t2, PAGE_SIZE
1:	lw	t3, 0(t0)
	sw	t3, 0(t1)
	addi	t0, t0, 4
	addi	t1, t1, 4
	addi	t2, t2, -4
	bnez	t2, 1b
	poke	ROOT2 + WIN_INDEX * 4, L_WIN2 | PTE_V
	poke	L_WIN2, F2 | LEAF
	li	t0, ROOT2
	mtcr	ptbr, t0
	li	s1, 0
	li	t0, WIN
	jalr	ra, 0(t0)
	mv	s2, s1
	li	s1, 0
	li	t0, WIN + 16
	jalr	ra, 0(t0)
	li	t0, ROOT
	mtcr	ptbr, t0
	expect_eq s2, PSW_SUPER_PG, "PTBR to a space mapping B: rdpsw at offset 0"
	expect_eq s1, PSW_SUPER_PG, "  ... rdpsw at offset 16"
	li	s1, 0
	li	t0, WIN + 16
	jalr	ra, 0(t0)
	expect_eq s1, trap_default, "PTBR back: A's rdtvec at offset 16"
	test_done

# The templates: data to this program, code once copied.
code_a:	li	s1, 0xa1
	ret
	rdpsw	s1
	ret
	rdtvec	s1
	ret
code_b:	rdpsw	s1
	ret
	li	s1, 0xb1
	ret
	rdpsw	s1
	ret
