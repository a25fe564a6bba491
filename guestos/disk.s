# disk.s - reading the disk, and loading the programs it holds.
#
# The disk moves whole 512-byte sectors by DMA between the disk and
# *physical* RAM.  guestos reads only at boot, before any process runs;
# how it talks to the disk is the flavour's driver (diskdrv.s, below).
#
# The disk image, made by tools/mkdisk (see guestos/README.md):
#
#   sector 0:  +0 magic "PGOS"   +4 count   +8 count entries of 32 bytes:
#              name[16] | first sector | size | load address | entry
#   sector 1.. each program's image, one after the other, each starting
#              on a sector boundary: the bytes of its ELF segments from
#              its lowest address on, gaps filled with zeros.

	.data
toc:	.space	DISK_SECTOR_SIZE	# sector 0, read at boot
	.text

# disk_read(a0 = first sector, a1 = physical address, a2 = count) ->
# a0 = 0 or -1, and the two macros proc_load uses to read a program's
# pages (DISK_READ_QUEUED: a0 = 0 or -1 for the queueing; DISK_WAIT_ALL:
# every queued read has arrived, or a panic) come from the flavour's
# driver: native/diskdrv.s polls the disk of ISA.md 8.5, one command at a
# time; pv/diskdrv.s hands the paravirtual block device (ISA.md 8.7)
# whole batches through rings in memory.
	.include "diskdrv.s"

# load_programs(): read the table of contents and create one process per
# entry, in order (so the first entry gets pid 1).
load_programs:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	s0, 8(sp)
	sw	s1, 4(sp)
	li	a0, 0
	la	a1, toc			# kernel data: its address is physical
	li	a2, 1
	call	disk_read
	mv	t0, a0
	la	a0, msg_nodisk
	bnez	t0, panic
	la	s0, toc
	lw	t0, 0(s0)		# the magic
	li	t1, TOC_MAGIC
	la	a0, msg_badmagic
	bne	t0, t1, panic
	lw	s1, TOC_COUNT(s0)	# the count: 1 .. TOC_MAX
	la	a0, msg_badcount
	beqz	s1, panic
	sltiu	t0, s1, TOC_MAX + 1
	beqz	t0, panic
	addi	s0, s0, TOC_ENTRIES
1:	mv	a0, s0
	call	proc_load
	addi	s0, s0, TE_BYTES
	addi	s1, s1, -1
	bnez	s1, 1b
	DISK_WAIT_ALL			# the pages proc_load queued
	lw	s1, 4(sp)
	lw	s0, 8(sp)
	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

	.data
msg_nodisk:	.asciz	"cannot read the disk (run with --disk=build/guestos.disk)"
msg_badmagic:	.asciz	"no guestos table of contents in sector 0 (bad magic)"
msg_badcount:	.asciz	"bad program count in the table of contents"
	.align	4
	.text
