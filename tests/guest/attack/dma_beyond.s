# dma_beyond.s - make the disk's DMA reach memory the guest does not own.
#
# disk: yes
#
# Tries: disk reads (disk -> RAM) to just past RAM, to a range that
# spans the end of RAM by 4 bytes or by a whole sector, to the top of a
# 1 GiB host's memory, to the console's page, to an address where
# ADDR + length wraps past 2^32, to a virtual address (DMA is physical);
# disk writes (RAM -> disk) from past RAM and from a range spanning its
# end; bad counts and sectors; a read that ends exactly at the end of RAM.
# The bare machine (machine/dev_disk.c): a command whose whole range is
# not RAM ends with STATUS = ERROR and moves nothing -- memory and the
# disk are untouched; the range ending exactly at the end of RAM works.
	.include "attack.inc"

	.equ	DISK,	DEV_DISK_BASE
	.equ	BUF,	FREE + 0x10000
	.equ	SECT,	0x54434553	# "SECT", little-endian
	.equ	PAT,	0x0badf00d

# dma SECTOR, ADDR, COUNT, CMD: run one command; s0 = STATUS when done.
	.macro	dma sector, addr, count, cmd
	li	a0, \sector
	li	a1, \addr
	li	a2, \count
	li	a3, \cmd
	call	disk_cmd
	.endm

	.text
	.globl	_start
_start:
	test_init
	# The last 2 KiB of RAM hold a pattern that no failed DMA may touch.
	li	t0, RAM_SIZE - 2048
	li	t1, RAM_SIZE
	li	t2, PAT
1:	sw	t2, 0(t0)
	addi	t0, t0, 4
	bne	t0, t1, 1b

	li	t0, DISK
	lw	s0, DISK_SECTORS(t0)
	expect_eq s0, 8, "the disk has 8 sectors"
	dma	1, BUF, 1, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_DONE, "read sector 1 into RAM: DONE"
	peek	s0, BUF
	expect_eq s0, SECT, "  ... the data arrived"

	dma	1, RAM_SIZE, 1, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_ERROR, "read to just past RAM: ERROR"
	dma	1, RAM_SIZE - 508, 1, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_ERROR, "read spanning the end of RAM by 4 bytes: ERROR"
	dma	1, RAM_SIZE - 512, 2, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_ERROR, "2 sectors, the second past RAM: ERROR"
	dma	1, RAM_SIZE - 2048, 128, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_ERROR, "128 sectors from 2 KiB below the end: ERROR"
	call	pattern_intact
	expect_eq s0, 0, "  ... the end of RAM is untouched"

	dma	1, 0x3ffff000, 1, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_ERROR, "read to the top of 1 GiB: ERROR"
	dma	1, DEV_CONSOLE_BASE, 1, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_ERROR, "read to the console's page: ERROR (nothing printed)"
	dma	1, 0xffffff00, 1, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_ERROR, "read where ADDR + 512 wraps: ERROR"
	dma	1, 0xfffffe00, 1, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_ERROR, "read ending exactly at 2^32: ERROR"

	# --- exactly up to the end of RAM: fine ---
	dma	2, RAM_SIZE - 512, 1, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_DONE, "read ending exactly at the end of RAM: DONE"
	peek	s0, RAM_SIZE - 4
	expect_eq s0, 0x63636363, "  ... the last word of RAM is sector 2's last"
	peek	s0, RAM_SIZE - 516
	expect_eq s0, PAT, "  ... and the word before it is untouched"

	# --- writes from outside RAM leave the disk as it was ---
	dma	5, RAM_SIZE - 256, 1, DISK_CMD_WRITE
	expect_eq s0, DISK_STATUS_ERROR, "write from a range spanning the end of RAM: ERROR"
	dma	6, 0x20000000, 4, DISK_CMD_WRITE
	expect_eq s0, DISK_STATUS_ERROR, "write from 512 MiB: ERROR"
	dma	5, BUF, 2, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_DONE, "read sectors 5 and 6 back"
	peek	s0, BUF + 4
	expect_eq s0, 0x0a35524f, "  ... sector 5 unchanged"
	peek	s0, BUF + 512 + 4
	expect_eq s0, 0x0a36524f, "  ... sector 6 unchanged"

	# --- bad commands ---
	dma	1, BUF, 0, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_ERROR, "count 0: ERROR"
	dma	0, BUF, 129, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_ERROR, "count 129: ERROR"
	dma	8, BUF, 1, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_ERROR, "sector 8 of 8: ERROR"
	dma	7, BUF, 2, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_ERROR, "sectors 7..8 of 8: ERROR"
	dma	0, BUF, 1, 3
	expect_eq s0, DISK_STATUS_ERROR, "command 3: ERROR"

	# --- with paging on, ADDR is still physical ---
	paging_on
	win_map	0, (RAM_SIZE - PAGE_SIZE) | RWU
	dma	3, WIN, 1, DISK_CMD_READ
	expect_eq s0, DISK_STATUS_ERROR, "paging on: ADDR = a mapped virtual address: ERROR"
	paging_off
	call	pattern_intact
	expect_eq s0, 0, "the end of RAM is untouched (but for sector 2)"
	test_done

	.include "disk.inc"

# pattern_intact: s0 = the number of words of the last 2 KiB of RAM that
# no longer hold PAT, not counting the last sector (sector 2 went there).
pattern_intact:
	li	s0, 0
	li	t0, RAM_SIZE - 2048
	li	t1, RAM_SIZE - 512
	li	t2, PAT
1:	lw	t3, 0(t0)
	beq	t3, t2, 2f
	addi	s0, s0, 1
2:	addi	t0, t0, 4
	bne	t0, t1, 1b
	ret
