# bench/vblk/emulated.s - read.inc's reads through the emulated disk
# (isa/ISA.md 8.5): one command a page, STATUS polled, as the guest OS
# reads.
	.include "read.inc"

	.text
	.globl	_start
_start:
	li	s0, 0			# s0 = pages read
	li	t0, DEV_DISK_BASE
1:	andi	t1, s0, DISK_PAGES - 1
	slli	t1, t1, 3		# 8 sectors a page
	sw	t1, DISK_SECTOR(t0)
	andi	t1, s0, BATCH - 1
	slli	t1, t1, PAGE_SHIFT
	li	t2, BUF
	add	t1, t1, t2
	sw	t1, DISK_ADDR(t0)
	li	t1, PAGE_SIZE / DISK_SECTOR_SIZE
	sw	t1, DISK_COUNT(t0)
	li	t1, DISK_CMD_READ
	sw	t1, DISK_CMD(t0)
2:	lw	t1, DISK_STATUS(t0)	# poll, as the guest OS does
	andi	t2, t1, DISK_STATUS_DONE | DISK_STATUS_ERROR
	beqz	t2, 2b
	sw	zero, DISK_STATUS(t0)
	andi	t1, t1, DISK_STATUS_ERROR
	bnez	t1, fail
	addi	s0, s0, 1
	li	t1, PAGES
	bne	s0, t1, 1b
	HALT_OK
fail:	HALT_FAIL
