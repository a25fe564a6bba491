# patch_cross_page.s - a scan that follows a branch into another page,
# and mappings that change under it.
#
# mode: leaky
#
# Tries: to make a scan's view of a page outlive the page's mapping or
# its contents.  With paging on, window page 0 (P) holds
#   P: beqz a0, Q; li s1, 0x11; ret        (Q = window page 1)
# and P runs with a0 = 1 (not taken) while Q is, in turn:
#   1. unmapped, then mapped to frame Q2 ("rdpsw s1; ret");
#   2. mapped to frame Q1 ("li s1, 0x22; ret"), then remapped to Q2;
#   3. mapped to Q2 without X, then given X (same frame);
#   4. mapped to Q2 without X, and entered: a fetch fault;
#   5. mapped to a frame of zeros (illegal words), which is then filled
#      with "rdpsw s1; ret" through the identity map;
# each time with tlbinv after the change, then P runs with a0 = 0 and
# the branch is taken into Q.  Last:
#   6. frame G is written through the identity map first (so a monitor
#      may hold a writable translation of it there), then run at window
#      page 2 ("li s1, 0x33; nop; ret"); then its nop is made rdpsw s1
#      through the identity map, and G is run at the window again;
#   7-9. Q = "li s1, 0x44; ret; rdpsw s1; ret" runs from +0 (so it is
#      scanned, and has X); then a page that never ran, the next one
#      before Q, enters Q + 8 by a branch (7), a jump (8) and a call (9),
#      on its first run: the scan of the new page follows into a page
#      whose own scan is done and never saw Q + 8;
#   10. a call in the last word of window page 9 returns to the first
#      word of page 10 (rdpsw s1), a page that has run from + 0x200.
# The bare machine: each run executes the frame mapped at that moment:
# rdpsw reads MODE | PG (5), li reads its value; case 4 faults with
# CAUSE 0x407, BADVA = EPC = Q.
	.include "patch.inc"

	.equ	FP,	FREE + 0x1000
	.equ	Q1,	FREE + 0x2000
	.equ	Q2,	FREE + 0x3000
	.equ	Q3,	FREE + 0x4000
	.equ	G,	FREE + 0x5000
	.equ	P,	WIN
	.equ	Q,	WIN + PAGE_SIZE
	.equ	RDPSW_S1, 0xd4000000 | (13 << 22)

# run_p A0: s1 = 0, a0 = A0, call P.
	.macro	run_p a
	li	s1, 0
	li	a0, \a
	li	t0, P
	jalr	ra, 0(t0)
	.endm

	.text
	.globl	_start
_start:
	test_init
	copy_code code_p, FP, 3
	copy_code code_q1, Q1, 3
	copy_code code_q2, Q2, 3
	paging_on
	win_map	0, FP | LEAF

	# --- 1. Q unmapped, then mapped ---
	win_map	1, 0
	run_p	1
	expect_eq s1, 0x11, "1. P runs, Q unmapped"
	win_map	1, Q2 | LEAF
	run_p	0
	expect_eq s1, PSW_SUPER_PG, "1. Q mapped to Q2, entered by P's branch: rdpsw reads the supervisor PSW"

	# --- 2. Q at Q1, then at Q2 ---
	win_map	1, Q1 | LEAF
	run_p	1
	expect_eq s1, 0x11, "2. P runs, Q at Q1"
	win_map	1, Q2 | LEAF
	run_p	0
	expect_eq s1, PSW_SUPER_PG, "2. Q remapped to Q2, entered: rdpsw reads the supervisor PSW"
	win_map	1, Q1 | LEAF
	run_p	0
	expect_eq s1, 0x22, "2. Q back at Q1, entered: li s1, 0x22"

	# --- 3. Q at Q2 without X, then with X ---
	win_map	1, Q2 | PTE_V | PTE_R | PTE_U
	run_p	1
	expect_eq s1, 0x11, "3. P runs, Q at Q2 without X"
	win_map	1, Q2 | LEAF
	run_p	0
	expect_eq s1, PSW_SUPER_PG, "3. Q given X, entered: rdpsw reads the supervisor PSW"

	# --- 4. Q without X, entered ---
	win_map	1, Q2 | PTE_V | PTE_R | PTE_U
	clear_trap
	set_recover back4
	run_p	0
back4:
	expect_trap PFP_FETCH, Q, "4. Q without X, entered"
	expect_mem trap_epc, Q, "4. ... EPC = Q"
	expect_eq s1, 0, "4. ... and Q's rdpsw never ran"

	# --- 5. a frame of zeros, filled after the scan went there ---
	win_map	1, Q3 | LEAF
	run_p	1
	expect_eq s1, 0x11, "5. P runs, Q at a frame of zeros"
	copy_code code_q2, Q3, 3
	run_p	0
	expect_eq s1, PSW_SUPER_PG, "5. the frame filled by the identity map, entered: rdpsw"

	# --- 6. a frame written, run, then rewritten by the identity map ---
	copy_code code_g, G, 3
	win_map	2, G | LEAF
	li	s1, 0
	li	t0, WIN + 2 * PAGE_SIZE
	jalr	ra, 0(t0)
	expect_eq s1, 0x33, "6. G runs at window page 2"
	poke	G + 4, RDPSW_S1
	li	s1, 0
	li	t0, WIN + 2 * PAGE_SIZE
	jalr	ra, 0(t0)
	expect_eq s1, PSW_SUPER_PG, "6. G's nop made rdpsw through the identity map: supervisor PSW"
	poke	G + 4, 0x44000000
	li	s1, 0
	li	t0, WIN + 2 * PAGE_SIZE
	jalr	ra, 0(t0)
	expect_eq s1, 0x33, "6. ... and back to the nop: li s1, 0x33"

	# --- 7-9. a new page's branch, jump, call into a page that has run ---
	copy_code code_p7, FREE + 0x6000, 4
	copy_code code_q, FREE + 0x7000, 4
	copy_code code_p8, FREE + 0x8000, 4
	copy_code code_q, FREE + 0x9000, 4
	copy_code code_p9, FREE + 0xa000, 4
	copy_code code_q, FREE + 0xb000, 4
	li	s2, 3			# window pages 3..8 <- those frames
	li	s3, FREE + 0x6000
1:	slli	t0, s2, 2
	li	t1, L_WIN
	add	t0, t0, t1
	ori	t1, s3, LEAF
	sw	t1, 0(t0)
	li	t0, PAGE_SIZE
	add	s3, s3, t0
	addi	s2, s2, 1
	li	t0, 9
	bne	s2, t0, 1b
	tlbflush
	li	s2, 0			# Q runs, from +0 only, at pages 4, 6, 8
	li	s3, 0
1:	li	s1, 0
	li	t0, WIN + 4 * PAGE_SIZE
	add	t0, t0, s2
	jalr	ra, 0(t0)
	li	t0, 0x44
	beq	s1, t0, 2f
	addi	s3, s3, 1
2:	li	t0, 2 * PAGE_SIZE
	add	s2, s2, t0
	li	t0, 6 * PAGE_SIZE
	bne	s2, t0, 1b
	expect_eq s3, 0, "7-9. the three copies of Q run from their entry"
	li	s1, 0
	li	a0, 0
	li	t0, WIN + 3 * PAGE_SIZE
	jalr	ra, 0(t0)
	expect_eq s1, PSW_SUPER_PG, "7. a new page's branch to Q + 8 (Q has run): rdpsw reads the supervisor PSW"
	li	s1, 0
	li	t0, WIN + 5 * PAGE_SIZE
	jalr	ra, 0(t0)
	expect_eq s1, PSW_SUPER_PG, "8. a new page's jump to Q + 8: rdpsw reads the supervisor PSW"
	li	s1, 0
	li	t0, WIN + 7 * PAGE_SIZE
	jalr	ra, 0(t0)
	expect_eq s1, PSW_SUPER_PG, "9. a new page's call of Q + 8: rdpsw reads the supervisor PSW"

	# --- 10. a call in a page's last word returns into the next page ---
	copy_code code_p10, FREE + 0xc000 + PAGE_SIZE - 8, 2
	copy_code code_r10, FREE + 0xd000, 3
	copy_code code_f10, FREE + 0xd100, 1
	copy_code code_e10, FREE + 0xd200, 2
	win_map	9, (FREE + 0xc000) | LEAF
	win_map	10, (FREE + 0xd000) | LEAF
	li	s1, 0
	li	t0, WIN + 10 * PAGE_SIZE + 0x200
	jalr	ra, 0(t0)
	expect_eq s1, 0x55, "10. the next page runs from + 0x200"
	li	s1, 0
	li	t0, WIN + 10 * PAGE_SIZE - 8
	jalr	ra, 0(t0)
	expect_eq s1, PSW_SUPER_PG, "10. a call in a page's last word returns to rdpsw at the next page's first: supervisor PSW"
	test_done

# The templates, copied to frames at run time.
code_p:	beqz	a0, code_p + PAGE_SIZE	# to Q, one page on
	li	s1, 0x11
	ret
code_q1: li	s1, 0x22
	ret
	nop
code_q2: rdpsw	s1
	ret
	nop
code_g:	li	s1, 0x33
	nop
	ret
code_q:	li	s1, 0x44		# runs first, from here
	ret
	rdpsw	s1			# + 8: reached only from P7, P8, P9
	ret
code_p7: beqz	a0, . + PAGE_SIZE + 8	# to Q + 8, one page on
	li	s1, 0x11
	ret
	nop
code_p8: j	. + PAGE_SIZE + 8	# to Q + 8
	nop
	nop
	nop
code_p9: mv	a3, ra
	jal	ra, . + PAGE_SIZE + 4	# calls Q + 8
	mv	ra, a3
	ret
code_p10: mv	a3, ra			# the last two words of page 9
	jal	ra, . + 4 + 0x100	# calls page 10 + 0x100
code_r10: rdpsw	s1			# page 10 + 0: the return point
	mv	ra, a3
	ret
code_f10: ret				# page 10 + 0x100
code_e10: li	s1, 0x55		# page 10 + 0x200: runs first
	ret
