# pt_loop.s - page-table entries that loop back or point nowhere useful.
#
# Tries: leaf entries that are pointers back to the root or to their own
# table (a walk that would loop on a machine with more levels); a leaf
# that maps the root table read-only; a root entry with X only; a root
# pointer with U set; a not-present root entry with a frame in it; a leaf
# pointer past RAM; a root that reaches a pointer through itself; PTBR
# with low bits set.
# The bare machine: a walk has two levels and stops.  A leaf with
# R = W = X = 0 is malformed (present PAGE_FAULT), whatever it points to
# (even past RAM: no bus error); a root entry with R, W or X is malformed;
# U on a root pointer is ignored; V = 0 is not present whatever the other
# bits; PTBR's low 12 bits are ignored by the walk but read back.
	.include "attack.inc"

	.equ	L_A,	FREE + 0x10000	# a second leaf table
	.equ	RA,	0x105		# ROOT[RA] = L_A
	.equ	RSELF,	0x106		# ROOT[RSELF] = ROOT
	.equ	RX,	0x107		# ROOT[RX] = L_A | V | X: malformed
	.equ	RU,	0x108		# ROOT[RU] = L_A | V | U: a pointer
	.equ	RNP,	0x109		# ROOT[RNP] = L_A, V = 0
	.equ	VA_A,	RA << 22

	.text
	.globl	_start
_start:
	test_init
	li	t0, L_A			# clear L_A (paging off)
	li	t1, L_A + PAGE_SIZE
1:	sw	zero, 0(t0)
	addi	t0, t0, 4
	bne	t0, t1, 1b
	poke	FREE + 0x20000, 0xabcdef01
	paging_on
	poke	ROOT + RA * 4, L_A | PTE_V
	poke	ROOT + RSELF * 4, ROOT | PTE_V
	poke	ROOT + RX * 4, L_A | PTE_V | PTE_X
	poke	ROOT + RU * 4, L_A | PTE_V | PTE_U
	poke	ROOT + RNP * 4, L_A | PTE_R | PTE_W
	poke	L_A + 0 * 4, ROOT | PTE_V
	poke	L_A + 1 * 4, L_A | PTE_V
	poke	L_A + 2 * 4, ROOT | PTE_V | PTE_R
	poke	L_A + 3 * 4, L_A | PTE_V | PTE_R | PTE_W
	poke	L_A + 5 * 4, 0xfffff000 | PTE_V
	poke	L_A + 6 * 4, (FREE + 0x20000) | RWU
	tlbflush

	li	s1, VA_A
	lw	s0, 0(s1)
	expect_trap PFP_LOAD, VA_A, "leaf pointing back at the root: malformed"
	li	s1, VA_A + 1 * PAGE_SIZE + 8
	sw	s0, 0(s1)
	expect_trap PFP_STORE, VA_A + 1 * PAGE_SIZE + 8, "leaf pointing at its own table: malformed"
	li	s1, VA_A + 5 * PAGE_SIZE
	lw	s0, 0(s1)
	expect_trap PFP_LOAD, VA_A + 5 * PAGE_SIZE, "leaf pointer past RAM: malformed, no bus error"
	set_recover back1
	li	t0, VA_A + 1 * PAGE_SIZE
	jalr	ra, 0(t0)
back1:	expect_trap PFP_FETCH, VA_A + 1 * PAGE_SIZE, "fetch through a looping leaf: malformed"

	# --- the root, read-only through a leaf ---
	clear_trap
	li	s1, VA_A + 2 * PAGE_SIZE
	lw	s0, RA * 4(s1)
	expect_eq s0, L_A | PTE_V, "the root read through a leaf"
	sw	s0, RA * 4(s1)
	expect_trap PFP_STORE, VA_A + 2 * PAGE_SIZE + RA * 4, "  ... but not written"
	peek	s0, ROOT + RA * 4
	expect_eq s0, L_A | PTE_V, "  ... the root entry is unchanged"

	# --- a table that maps itself, written to add an entry ---
	li	s1, VA_A + 3 * PAGE_SIZE
	li	t0, (FREE + 0x20000) | RWU
	sw	t0, 4 * 4(s1)
	li	t0, VA_A + 4 * PAGE_SIZE
	tlbinv	t0
	li	s1, VA_A + 4 * PAGE_SIZE
	lw	s0, 0(s1)
	expect_eq s0, 0xabcdef01, "an entry added through the table's self-map"

	# --- through the self-pointing root entry ---
	li	s1, (RSELF << 22) | (RA << 12)
	lw	s0, 0(s1)
	expect_trap PFP_LOAD, (RSELF << 22) | (RA << 12), "root -> root -> a pointer: malformed"
	li	s1, (RSELF << 22) | (RSELF << 12) | 0xffc
	lw	s0, 0(s1)
	expect_trap PFP_LOAD, (RSELF << 22) | (RSELF << 12) | 0xffc, "root -> root -> itself: malformed"
	li	s1, (RSELF << 22) | (RNP << 12)
	lw	s0, 0(s1)
	expect_trap PF_LOAD, (RSELF << 22) | (RNP << 12), "root -> root -> R W with V = 0: not present"
	li	s1, (RSELF << 22) | (RX << 12)
	lw	s0, 0(s1)
	expect_trap PFP_LOAD, (RSELF << 22) | (RX << 12), "root -> root -> V X (exec-only leaf): load faults"

	# --- odd root entries ---
	li	s1, (RX << 22) | (6 << 12)
	lw	s0, 0(s1)
	expect_trap PFP_LOAD, (RX << 22) | (6 << 12), "root entry with X: malformed"
	clear_trap
	li	s1, (RU << 22) | (6 << 12)
	lw	s0, 0(s1)
	expect_eq s0, 0xabcdef01, "root pointer with U: still a pointer"
	li	s1, (RNP << 22) | (6 << 12)
	lw	s0, 0(s1)
	expect_trap PF_LOAD, (RNP << 22) | (6 << 12), "root entry with V = 0 and a frame: not present"

	# --- PTBR with its low bits set ---
	li	t0, ROOT | 0xabc
	mtcr	ptbr, t0
	mfcr	s0, ptbr
	expect_eq s0, ROOT | 0xabc, "PTBR reads back its low bits"
	li	s1, VA_A + 6 * PAGE_SIZE
	lw	s0, 0(s1)
	expect_eq s0, 0xabcdef01, "  ... and the walk ignores them"
	test_done
