# A code page written to the disk and read back: under --patch the disk
# must get the code, not the VMM's hcall (lockstep compares memory).
	.include "pg32.inc"
	.text
_start:
	rdpsw	t0			# a sensitive instruction, patched
	li	t1, DEV_DISK_BASE
	sw	zero, DISK_SECTOR(t1)
	li	t2, 0x1000		# this page
	sw	t2, DISK_ADDR(t1)
	li	t2, 1
	sw	t2, DISK_COUNT(t1)
	li	t2, DISK_CMD_WRITE
	sw	t2, DISK_CMD(t1)
1:	lw	t2, DISK_STATUS(t1)
	andi	t2, t2, DISK_STATUS_BUSY
	bnez	t2, 1b
	li	t2, 0x8000		# ... and back, elsewhere
	sw	t2, DISK_ADDR(t1)
	li	t2, DISK_CMD_READ
	sw	t2, DISK_CMD(t1)
2:	lw	t2, DISK_STATUS(t1)
	andi	t2, t2, DISK_STATUS_BUSY
	bnez	t2, 2b
	li	t1, 0x8000
	lw	a0, 0(t1)		# the rdpsw, as the disk holds it
	li	t1, DEV_CONSOLE_BASE
	sw	a0, CONSOLE_TX(t1)	# its low byte
	srli	a0, a0, 24
	sw	a0, CONSOLE_TX(t1)	# its opcode byte
	li	t1, DEV_TEST_BASE
	sw	zero, TEST_EXIT(t1)
