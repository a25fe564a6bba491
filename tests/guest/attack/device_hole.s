# device_hole.s - touch the device space where no device is.
#
# Tries: the eleven empty 4 KiB slots between the disk (0xF0002000) and
# the test device (0xF000F000) -- slot 3 (0xF0003000) is empty on the
# bare machine too, but a VM has its paravirtual block device there
# (isa/ISA.md 8.7; tests/guest/vblk.s checks that slot natively) -- the
# first page above them, with paging off and through PTEs (a device page
# with no device behind it: frame 0xF0004); every width; the PTE even
# with U = 1 from user mode.
# The bare machine: nothing backs those addresses, so every access is a
# BUS_ERROR with BADVA = the address used (physical with PG off, virtual
# with PG on), the load's rd is not written, and the PTE gets no A.
	.include "attack.inc"

	.text
	.globl	_start
_start:
	test_init

	# --- paging off: every empty slot, a word at offset 0x10 ---
	li	s3, 0xf0004010		# slot 4
	li	s2, 0			# BUS_ERRORs with the right BADVA
1:	la	t0, trap_cause
	sw	zero, 0(t0)
	lw	s0, 0(s3)
	peek	t1, trap_cause
	li	t2, BUSERR
	bne	t1, t2, 2f
	peek	t1, trap_badva
	bne	t1, s3, 2f
	addi	s2, s2, 1
2:	li	t0, PAGE_SIZE
	add	s3, s3, t0
	li	t0, 0xf000f010
	bne	s3, t0, 1b
	expect_eq s2, 11, "loads from the 11 empty slots: BUS_ERROR each"

	li	s1, 0xf0004000
	li	s0, 0x77
	lb	s0, 0xfff(s1)
	expect_trap BUSERR, 0xf0004fff, "lb at the end of slot 4"
	expect_eq s0, 0x77, "  ... rd not written"
	sh	s0, 0x2(s1)
	expect_trap BUSERR, 0xf0004002, "sh in slot 4"
	sw	s0, 0x0(s1)
	expect_trap BUSERR, 0xf0004000, "sw in slot 4"
	li	s1, 0xf000e000
	lhu	s0, 0xffe(s1)
	expect_trap BUSERR, 0xf000effe, "lhu at the end of slot 14"
	li	s1, 0xf0010000
	sw	s0, 0(s1)
	expect_trap BUSERR, 0xf0010000, "sw just above the slots"

	# --- paging on: PTEs to frame 0xF0004 and others ---
	paging_on
	win_map	0, 0xf0004000 | RWU
	win_map	1, 0xf0008000 | RWU
	win_map	2, 0xf000e000 | RW
	li	s1, WIN
	li	s0, 0x77
	lw	s0, 0x30(s1)
	expect_trap BUSERR, WIN + 0x30, "load through a PTE to 0xf0004000"
	expect_eq s0, 0x77, "  ... rd not written"
	sw	s0, 0x34(s1)
	expect_trap BUSERR, WIN + 0x34, "store through a PTE to 0xf0004000"
	lbu	s0, 0x1001(s1)
	expect_trap BUSERR, WIN + 0x1001, "lbu through a PTE to 0xf0008000"
	sh	s0, 0x2ffe(s1)
	expect_trap BUSERR, WIN + 0x2ffe, "sh through a PTE to 0xf000e000"
	peek	s0, L_WIN
	expect_eq s0, 0xf0004000 | RWU, "  ... no A or D in the PTE"
	peek	s0, L_WIN + 8
	expect_eq s0, 0xf000e000 | RW, "  ... no A or D in the other"

	# --- the same page through the device leaf table (VA = PA) ---
	poke	L_DEV + 4 * 4, 0xf0004000 | RWU
	tlbflush
	li	s1, 0xf0004000
	lw	s0, 0x10(s1)
	expect_trap BUSERR, 0xf0004010, "paging on, identity PTE for slot 4"

	# --- user mode through a U = 1 PTE: the same BUS_ERROR ---
	li	t0, PSW_PG
	mtcr	epsw, t0
	la	t0, user
	mtcr	epc, t0
	rfe
user:	li	s1, WIN
	lw	s0, 0x40(s1)
	expect_trap BUSERR, WIN + 0x40, "user load through a U PTE to slot 4"
	expect_mem trap_epsw, PSW_PG, "  ... from user mode"
	li	s1, WIN + 2 * PAGE_SIZE
	lw	s0, 0(s1)
	expect_trap PFP_LOAD, WIN + 2 * PAGE_SIZE, "user load, PTE without U: page fault first"
	test_done
