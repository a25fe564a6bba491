# pt_selfref.s - page tables that point at themselves.
#
# Tries: a root entry that points at the root table itself (the x86
# "recursive mapping" trick), so that the walk uses the root as a leaf
# table; a root entry shaped like a leaf (R, W set), malformed as a root
# entry but reachable as a leaf through the self-pointer; a leaf table
# that maps itself as data, and a root table mapped as data, written to
# change the mappings while paging is on (then flushed); the same from
# user mode through a U = 1 mapping of its own table.
# The bare machine: PG32 has two levels and a root entry with R = W = X
# = 0 is a pointer, which is malformed as a leaf: a walk through the
# self-pointer to a present pointer is a present PAGE_FAULT, to an empty
# entry a not-present one, and to a leaf-shaped entry a valid mapping
# (A and D set in that entry).  Page tables are RAM: writes through any
# mapping of them change the tables, seen after tlbflush/tlbinv.
	.include "attack.inc"

	.equ	SELF,	0x101		# ROOT[SELF] = ROOT, a pointer
	.equ	EMPTY,	0x102		# ROOT[EMPTY] = 0
	.equ	LEAFY,	0x103		# ROOT[LEAFY] = FREE | V R W
	.equ	NEW,	0x104		# a root entry written while PG is on
	.equ	VA_SELF, (SELF << 22) | (SELF << 12)
	.equ	VA_EMPTY, (SELF << 22) | (EMPTY << 12)
	.equ	VA_ID,	(SELF << 22) | (0 << 12)
	.equ	VA_LEAFY, (SELF << 22) | (LEAFY << 12)

	.text
	.globl	_start
_start:
	test_init
	poke	FREE, 0xf00dface
	paging_on
	poke	ROOT + SELF * 4, ROOT | PTE_V
	poke	ROOT + LEAFY * 4, FREE | PTE_V | PTE_R | PTE_W
	tlbflush

	# --- through the self-pointer ---
	li	s1, VA_SELF + 8
	lw	s0, 0(s1)
	expect_trap PFP_LOAD, VA_SELF + 8, "leaf = the self-pointer: malformed"
	li	s1, VA_EMPTY
	sw	s0, 0(s1)
	expect_trap PF_STORE, VA_EMPTY, "leaf = an empty root entry: not present"
	li	s1, VA_ID + 0x44
	lw	s0, 0(s1)
	expect_trap PFP_LOAD, VA_ID + 0x44, "leaf = root entry 0 (a pointer): malformed"
	clear_trap
	li	s1, VA_LEAFY
	lw	s0, 0(s1)
	expect_eq s0, 0xf00dface, "leaf = a leaf-shaped root entry: maps FREE"
	expect_mem trap_cause, 0, "  ... without a trap"
	li	t0, 0x1234
	sw	t0, 4(s1)
	peek	s0, FREE + 4
	expect_eq s0, 0x1234, "  ... a store lands in FREE"
	peek	s0, ROOT + LEAFY * 4
	expect_eq s0, FREE | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D, "  ... A and D set in that root entry"
	li	s1, (LEAFY << 22) + 0x10
	lw	s0, 0(s1)
	expect_trap PFP_LOAD, (LEAFY << 22) + 0x10, "the same entry as a root entry: malformed"

	# --- the root table mapped as data, written with paging on ---
	win_map	0, ROOT | RW
	li	s1, WIN + NEW * 4
	li	t0, L_WIN | PTE_V
	sw	t0, 0(s1)		# ROOT[NEW] = L_WIN, through the window
	win_map	6, FREE | RW
	tlbflush
	li	s1, (NEW << 22) + 6 * PAGE_SIZE
	lw	s0, 0(s1)
	expect_eq s0, 0xf00dface, "a root entry written through a mapping of the root"

	# --- a leaf table that maps itself ---
	# (A is set beforehand: whether a load sees the A bit its own walk
	# sets is pte_self_access.s's question, not this one's.)
	win_map	7, L_WIN | RWU | PTE_A
	li	s1, WIN + 7 * PAGE_SIZE
	lw	s0, 7 * 4(s1)
	expect_eq s0, L_WIN | RWU | PTE_A, "the window reads its own entry"
	li	t0, (FREE + PAGE_SIZE) | RWU
	sw	t0, 8 * 4(s1)		# entry 8, through the self-map
	li	t0, WIN + 8 * PAGE_SIZE
	tlbinv	t0
	poke	FREE + PAGE_SIZE, 0xbeef0008
	li	s1, WIN + 8 * PAGE_SIZE
	lw	s0, 0(s1)
	expect_eq s0, 0xbeef0008, "an entry written through the self-map is used"

	# --- user mode writes its own table through a U = 1 mapping ---
	li	t0, PSW_PG
	mtcr	epsw, t0
	la	t0, user
	mtcr	epc, t0
	rfe
user:	li	s1, WIN + 7 * PAGE_SIZE
	li	t0, (FREE + 2 * PAGE_SIZE) | RWU
	sw	t0, 9 * 4(s1)		# entry 9
	set_recover super
	break				# back to supervisor mode
super:	expect_mem trap_cause, CAUSE_BREAK, "user mode changed its table, then break"
	li	t0, WIN + 9 * PAGE_SIZE
	tlbinv	t0
	poke	FREE + 2 * PAGE_SIZE + 0x20, 0x0e0e0e0e
	li	s1, WIN + 9 * PAGE_SIZE
	lw	s0, 0x20(s1)
	expect_eq s0, 0x0e0e0e0e, "the entry user mode wrote is used"
	peek	s0, L_WIN + 9 * 4
	expect_eq s0, (FREE + 2 * PAGE_SIZE) | RWU | PTE_A, "  ... and it is in the table"
	test_done
