# pte_self_access.s - a load or store whose data is its own leaf PTE.
#
# Tries: a leaf PTE that maps the page table holding it (V R W, A and D
# clear), then a load of that very PTE through it, and a store to it.
# This is where the order of "the walker sets A/D" and "the access reads
# or writes memory" shows, and a shadow-paging VMM that sets A/D in the
# guest's PTE before re-running the instruction may show a different
# order than the hardware's.
# The bare machine (machine/mmu.c, mmu_load/mmu_store): a load reads the
# memory first and sets A once it has succeeded, so it returns the PTE
# without A; A is in memory afterwards.  A store sets A and D first and
# then writes, so memory holds exactly the stored value.
	.include "attack.inc"

	.text
	.globl	_start
_start:
	test_init
	paging_on

	# --- a load of its own PTE, A clear ---
	win_map	3, L_WIN | RW
	li	s1, WIN + 3 * PAGE_SIZE
	lw	s0, 3 * 4(s1)
	expect_eq s0, L_WIN | RW, "a load of its own PTE reads it without A"
	peek	s0, L_WIN + 3 * 4
	expect_eq s0, L_WIN | RW | PTE_A, "  ... then A is in memory"

	# --- a store to its own PTE, A and D clear ---
	win_map	4, L_WIN | RW
	li	s1, WIN + 4 * PAGE_SIZE
	li	t0, FREE | RWU
	sw	t0, 4 * 4(s1)
	peek	s0, L_WIN + 4 * 4
	expect_eq s0, FREE | RWU, "a store to its own PTE: memory holds the value stored"

	# --- a load of a neighbouring entry of the same table ---
	win_map	5, L_WIN | RW
	li	s1, WIN + 5 * PAGE_SIZE
	lw	s0, 3 * 4(s1)
	expect_eq s0, L_WIN | RW | PTE_A, "a load of another entry of its table"
	peek	s0, L_WIN + 5 * 4
	expect_eq s0, L_WIN | RW | PTE_A, "  ... A set in its own entry"
	test_done
