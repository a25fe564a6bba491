# patch.s - sensitive instructions in supervisor mode, reached in ways
# that an execution-driven binary patcher can miss.  On the bare machine
# (clean or leaky) rdpsw in supervisor mode reads MODE = 1; under the VMM
# with --mode=leaky --patch it must read the same, so the VMM must have
# replaced every one of them before it runs.  An rdpsw that runs unpatched
# in the VMM's real user mode reads MODE = 0 instead.  Each case:
#
#  outrun  a run of 1100 branches whose targets all wait to be followed,
#          then a taken branch to code that no other path reaches;
#  ret     `ret` with ra pointing into a page that ran before, at a word
#          that no earlier path reached;
#  remap   a virtual page mapped to another frame (with tlbflush), then
#          entered at a second entry point that the first never reached;
#  stale   a page that ran (so its rdpsw was patched) remapped to an
#          identical copy without a flush: the architecture lets the stale
#          translation stay, so the copy or the original may run, but
#          either is rdpsw; it must not turn into anything else (a0 is a
#          sentinel that a hypercall would overwrite).
	.include "test.inc"

	.equ	ROOT,	0x100000
	.equ	L_LOW,	0x101000	# identity map of VA 0..4 MiB
	.equ	L_DEV,	0x102000
	.equ	WIN,	0x80000		# the remapped pages (reachable by jal)
	.equ	WIN2,	0x81000
	.equ	PTE_WIN, L_LOW + (WIN >> 12) * 4
	.equ	PTE_WIN2, L_LOW + (WIN2 >> 12) * 4
	.equ	COPY,	0x90000		# where the stale case copies its page
	.equ	LEAF,	PTE_V | PTE_R | PTE_W | PTE_X
	.equ	RW,	PTE_V | PTE_R | PTE_W
	.equ	SENTINEL, 0x5a5a

	.macro	pte_set addr, value
	li	t0, \addr
	li	t1, \value
	sw	t1, 0(t0)
	.endm

# 8, 64 and 512 branches that are never taken, each with a target that a
# scan following both ways of every branch has to keep for later.
	.macro	pending8 target
	bne	zero, zero, \target
	bne	zero, zero, \target
	bne	zero, zero, \target
	bne	zero, zero, \target
	bne	zero, zero, \target
	bne	zero, zero, \target
	bne	zero, zero, \target
	bne	zero, zero, \target
	.endm
	.macro	pending64 target
	pending8 \target
	pending8 \target
	pending8 \target
	pending8 \target
	pending8 \target
	pending8 \target
	pending8 \target
	pending8 \target
	.endm
	.macro	pending512 target
	pending64 \target
	pending64 \target
	pending64 \target
	pending64 \target
	pending64 \target
	pending64 \target
	pending64 \target
	pending64 \target
	.endm

	.text
	.globl	_start
_start:
	test_init

	# --- outrun: paging off ---
	li	s1, 0
	call	outrun
	expect_eq s1, PSW_MODE, "outrun: rdpsw past 1100 pending branches"

	# --- ret into a page that ran, at a word no path reached ---
	call	retpage			# runs the page's first words only
	li	s1, 0
	la	s2, ret_back
	la	ra, retpage_hidden
	ret
ret_back:
	expect_eq s1, PSW_MODE, "ret: rdpsw at a word of a page that ran"

	# --- paging on: identity map of the low 4 MiB, and the devices ---
	zero_words ROOT, L_DEV + PAGE_SIZE
	identity_4m L_LOW, LEAF
	pte_set	ROOT + 0 * 4, L_LOW | PTE_V
	pte_set	ROOT + 0x3c0 * 4, L_DEV | PTE_V
	pte_set	L_DEV + 0 * 4, DEV_CONSOLE_BASE | RW
	pte_set	L_DEV + 15 * 4, DEV_TEST_BASE | RW
	li	t0, ROOT
	mtcr	ptbr, t0
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0

	# --- remap: WIN shows frame_a, then frame_b, each entered twice ---
	pte_set	PTE_WIN, frame_a | LEAF
	tlbflush
	li	s1, 0
	call	WIN			# frame_a's first entry point
	call	WIN + 8			# and its second
	expect_eq s1, PSW_MODE | PSW_PG, "remap: frame_a, second entry"
	pte_set	PTE_WIN, frame_b | LEAF
	tlbflush
	li	s1, 0
	call	WIN			# frame_b: `ret` at the first entry ...
	call	WIN + 8			# ... rdpsw at the second
	expect_eq s1, PSW_MODE | PSW_PG, "remap: frame_b, second entry"

	# --- stale: WIN2 shows frame_c, then a copy of it, with no flush ---
	pte_set	PTE_WIN2, frame_c | LEAF
	tlbflush
	li	s1, 0
	call	WIN2			# runs (and so patches) its rdpsw
	li	t0, frame_c		# copy the page's two words
	li	t1, COPY
	lw	t2, 0(t0)
	sw	t2, 0(t1)
	lw	t2, 4(t0)
	sw	t2, 4(t1)
	pte_set	PTE_WIN2, COPY | LEAF	# no tlbflush: either frame may run
	li	s1, 0
	li	a0, SENTINEL
	call	WIN2
	mv	s2, a0
	tlbflush
	expect_eq s1, PSW_MODE | PSW_PG, "stale: rdpsw through a stale translation"
	expect_eq s2, SENTINEL, "stale: a0 as it was"

	test_done

# outrun: 1100 pending branch targets, then a branch that is always taken
# to code no other path reaches.  The return is a computed jump through
# s2, so that no `ret` word leads a scan to it either.
	.align	4096
outrun:
	pending512 outrun_never
	pending512 outrun_never
	pending64 outrun_never
	pending8 outrun_never
	pending8 outrun_never
	pending8 outrun_never
	pending8 outrun_never
	mv	s2, ra
	beq	zero, zero, outrun_hidden
outrun_never:
	ret
outrun_hidden:
	rdpsw	s1
	jalr	zero, 0(s2)

# retpage: its entry jumps over the word that `ret` lands on later.
	.align	4096
retpage:
	j	1f
retpage_hidden:
	rdpsw	s1
	jalr	zero, 0(s2)
1:	ret

# Two frames for WIN: the same layout, entry points at +0 and +8.  (A
# scan from the first entry stops at its `ret`.)
	.align	4096
frame_a:
	ret
	nop
	rdpsw	s1
	ret
	.align	4096
frame_b:
	ret
	nop
	rdpsw	s1
	ret

# One frame for WIN2: rdpsw at its only entry point.
	.align	4096
frame_c:
	rdpsw	s1
	ret
	.align	4096
