# dma_tables_code.s - let the disk write page tables and code.
#
# disk: yes
#
# Tries: to get a stale translation or stale code out of a monitor by
# changing memory behind the CPU's back, with DMA: a leaf table is
# written to the disk and read back over the live window table while
# paging is on (then tlbflush, as the architecture asks); a routine that
# has run is replaced by DMA with another and called again (no flush:
# PG32 has no instruction cache).
# The bare machine: DMA writes physical RAM like a store would; after the
# flush the new entries are used; the next call runs the new code.
	.include "attack.inc"

	.equ	BUF,	FREE + 0x10000	# a sector's worth of PTEs
	.equ	DATA,	FREE + 0x20000	# four frames, each marked
	.equ	CODE,	FREE + 0x30000	# a routine (paging off: identity)

	.text
	.globl	_start
_start:
	test_init
	# DATA + k pages holds 0xd0000000 + k; BUF holds PTEs 0..3 -> them.
	li	t0, 0
1:	slli	t1, t0, PAGE_SHIFT
	li	t2, DATA
	add	t1, t1, t2
	li	t3, 0xd0000000
	add	t3, t3, t0
	sw	t3, 0(t1)
	ori	t1, t1, RWU
	slli	t2, t0, 2
	li	t3, BUF
	add	t2, t2, t3
	sw	t1, 0(t2)
	addi	t0, t0, 1
	li	t1, 4
	bne	t0, t1, 1b
	li	a0, 3			# sector 3 <- BUF
	li	a1, BUF
	li	a2, 1
	li	a3, DISK_CMD_WRITE
	call	disk_cmd
	expect_eq s0, DISK_STATUS_DONE, "the PTEs written to sector 3"

	# --- the live window table, overwritten by DMA ---
	paging_on
	win_map	2, FREE | RWU		# something to replace
	li	s1, WIN + 2 * PAGE_SIZE
	lw	s0, 0(s1)		# cached now, maybe
	li	a0, 3
	li	a1, L_WIN
	li	a2, 1
	li	a3, DISK_CMD_READ
	call	disk_cmd
	expect_eq s0, DISK_STATUS_DONE, "sector 3 read over the window table, paging on"
	tlbflush
	li	s2, 0
	li	s1, WIN
	li	s3, 0xd0000000
1:	lw	t0, 0(s1)
	beq	t0, s3, 2f
	addi	s2, s2, 1
2:	li	t0, PAGE_SIZE
	add	s1, s1, t0
	addi	s3, s3, 1
	li	t0, 0xd0000004
	bne	s3, t0, 1b
	expect_eq s2, 0, "after tlbflush the four DMA'd entries map the four frames"
	peek	s0, L_WIN + 2 * 4
	expect_eq s0, (DATA + 2 * PAGE_SIZE) | RWU | PTE_A, "  ... A set in the DMA'd entry"
	paging_off

	# --- code replaced by DMA ---
	la	t0, code_a		# CODE = routine A, run once
	lw	t1, 0(t0)
	lw	t2, 4(t0)
	li	t0, CODE
	sw	t1, 0(t0)
	sw	t2, 4(t0)
	li	s0, 0
	li	t0, CODE
	jalr	ra, 0(t0)
	expect_eq s0, 1, "routine A runs"
	la	t0, code_b		# routine B to sector 4, by way of BUF
	lw	t1, 0(t0)
	lw	t2, 4(t0)
	li	t0, BUF
	sw	t1, 0(t0)
	sw	t2, 4(t0)
	li	a0, 4
	li	a1, BUF
	li	a2, 1
	li	a3, DISK_CMD_WRITE
	call	disk_cmd
	li	a0, 4			# ... and over routine A
	li	a1, CODE
	li	a2, 1
	li	a3, DISK_CMD_READ
	call	disk_cmd
	expect_eq s0, DISK_STATUS_DONE, "routine B read over routine A"
	li	s0, 0
	li	t0, CODE
	jalr	ra, 0(t0)
	expect_eq s0, 0x200, "the next call runs routine B"
	test_done

code_a:	addi	s0, s0, 1
	ret
code_b:	addi	s0, s0, 0x200
	ret

	.include "disk.inc"
