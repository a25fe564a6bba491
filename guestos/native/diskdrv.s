# native/diskdrv.s - the native flavour's disk driver: the disk of
# ISA.md section 8.5, polled.  (pv/diskdrv.s is the paravirtualized
# flavour's; disk.s includes the one the build's -I picks.)
#
# Write SECTOR, ADDR, COUNT, then CMD; exactly DISK_LATENCY cycles later
# STATUS says DONE or ERROR.  guestos reads only at boot, before any
# process runs, so it simply polls STATUS (the disk's completion
# interrupt is left off).  Under a VMM every one of these register
# accesses is an exit: four to start a command, then one per poll --
# about 160 for one read.

# DISK_READ_QUEUED: proc_load's read of one page of a program.  Here it
# is done at once (a0 = 0, or -1 for an error), so there is nothing to
# wait for afterwards: DISK_WAIT_ALL is empty.
	.macro	DISK_READ_QUEUED
	call	disk_read
	.endm

	.macro	DISK_WAIT_ALL
	.endm

# disk_read(a0 = first sector, a1 = physical address, a2 = count) ->
# a0 = 0, or -1 if the disk reported an error.  Polls until done.
disk_read:
	li	t0, DEV_DISK_BASE
	sw	a0, DISK_SECTOR(t0)
	sw	a1, DISK_ADDR(t0)
	sw	a2, DISK_COUNT(t0)
	li	t1, DISK_CMD_READ
	sw	t1, DISK_CMD(t0)	# go
1:	lw	t1, DISK_STATUS(t0)	# wait for DONE or ERROR
	andi	t2, t1, DISK_STATUS_DONE | DISK_STATUS_ERROR
	beqz	t2, 1b
	sw	zero, DISK_STATUS(t0)	# acknowledge
	andi	t1, t1, DISK_STATUS_ERROR
	li	a0, 0
	beqz	t1, 2f
	li	a0, -1
2:	ret

