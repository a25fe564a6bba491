# paged_beyond_ram.s - with paging on, point PTEs past the end of RAM.
#
# Tries: leaf PTEs whose frame lies just past RAM, in the middle of a
# 1 GiB host's memory, at its top, in the hole below the devices and at
# the top of the address space; loads, stores and fetches through them;
# root entries whose leaf table lies past RAM or on a device page.
# The bare machine: a frame number is a physical address; nothing backs
# one past RAM, so the access (after a successful walk) is a BUS_ERROR
# with BADVA = the virtual address, and sets no A or D (A and D are set
# only by accesses that succeed).  A walk that must read a table from
# past RAM, or from a device, is a BUS_ERROR with BADVA = the virtual
# address.  The last page of RAM, mapped the same way, works.
	.include "attack.inc"

	.macro	probe n, frame, name
	win_map	\n, \frame | RWU | PTE_X
	li	s1, WIN + (\n) * PAGE_SIZE + 0x124
	li	s0, 0x5a5a5a5a
	lw	s0, 0(s1)
	expect_trap BUSERR, WIN + (\n) * PAGE_SIZE + 0x124, \name
	expect_eq s0, 0x5a5a5a5a, "  ... rd not written"
	sb	s0, 0x3ff(s1)
	expect_trap BUSERR, WIN + (\n) * PAGE_SIZE + 0x523, "  ... and a store"
	peek	s0, L_WIN + (\n) * 4
	expect_eq s0, \frame | RWU | PTE_X, "  ... no A, no D"
	.endm

	.text
	.globl	_start
_start:
	test_init
	paging_on

	# --- the last page of RAM through the window: RAM ---
	win_map	0, (RAM_SIZE - PAGE_SIZE) | RWU
	li	s1, WIN + 0xff8
	li	s2, 0x600dcafe
	sw	s2, 0(s1)
	peek	s0, RAM_SIZE - 8
	expect_eq s0, 0x600dcafe, "the last RAM frame, mapped, is RAM"
	peek	s0, L_WIN
	expect_eq s0, (RAM_SIZE - PAGE_SIZE) | RWU | PTE_A | PTE_D, "  ... A and D set"

	probe	1, RAM_SIZE, "frame just past RAM"
	probe	2, RAM_SIZE + PAGE_SIZE, "the next frame"
	probe	3, 0x02000000, "frame at 32 MiB"
	probe	4, 0x10000000, "frame at 256 MiB"
	probe	5, 0x3ffff000, "the last frame of 1 GiB"
	probe	6, 0x40000000, "frame at 1 GiB"
	probe	7, 0xeffff000, "frame just below the devices"
	probe	8, 0xf0010000, "frame just above the device slots"
	probe	9, 0xfffff000, "frame 0xfffff"

	# --- a fetch through such a PTE ---
	set_recover fetched
	li	t0, WIN + 1 * PAGE_SIZE + 0x40
	jalr	ra, 0(t0)
fetched:
	expect_trap BUSERR, WIN + 1 * PAGE_SIZE + 0x40, "fetch from a frame past RAM"
	expect_mem trap_epc, WIN + 1 * PAGE_SIZE + 0x40, "  ... EPC = the target"

	# --- leaf tables that are not RAM ---
	poke	ROOT + (WIN_INDEX + 1) * 4, RAM_SIZE | PTE_V
	poke	ROOT + (WIN_INDEX + 2) * 4, 0x3ffff000 | PTE_V
	poke	ROOT + (WIN_INDEX + 3) * 4, DEV_CONSOLE_BASE | PTE_V
	poke	ROOT + (WIN_INDEX + 4) * 4, DEV_TEST_BASE | PTE_V
	tlbflush
	li	s1, WIN + 0x400000 + 0x10
	lw	s0, 0(s1)
	expect_trap BUSERR, WIN + 0x400000 + 0x10, "leaf table just past RAM"
	li	s1, WIN + 0x800000 + 0x3ffffc
	sw	s0, 0(s1)
	expect_trap BUSERR, WIN + 0x800000 + 0x3ffffc, "leaf table at the top of 1 GiB"
	li	s1, WIN + 0xc00000
	lw	s0, 0(s1)
	expect_trap BUSERR, WIN + 0xc00000, "leaf table on the console's page"
	li	s1, WIN + 0x1000000 + 0x2000
	sw	s0, 0(s1)
	expect_trap BUSERR, WIN + 0x1000000 + 0x2000, "leaf table on the test device's page"

	# --- the same from user mode ---
	li	t0, PSW_PG
	mtcr	epsw, t0
	la	t0, user
	mtcr	epc, t0
	rfe
user:	li	s1, WIN + 3 * PAGE_SIZE
	lw	s0, 0(s1)
	expect_trap BUSERR, WIN + 3 * PAGE_SIZE, "user load from a frame past RAM"
	expect_mem trap_epsw, PSW_PG, "  ... EPSW: user, paging on"
	li	s1, WIN + 0x400000
	sw	s0, 0(s1)
	expect_trap BUSERR, WIN + 0x400000, "user store under a leaf table past RAM"
	li	s1, WIN + 0xff8
	lw	s0, 0(s1)
	expect_eq s0, 0x600dcafe, "user reads the last RAM frame"
	test_done
