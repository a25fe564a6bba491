# vblk_dma.s - make the paravirtual block device reach memory the guest
# does not own.
#
# disk: yes
# vm-only: yes
#
# Tries, through the rings (isa/ISA.md 8.7): data buffers just past RAM,
# spanning its end by 4 bytes, on the console's page, where addr + len
# wraps past 2^32, above 4 GiB (the descriptor's high word); a status byte
# and a header past RAM; a write (OUT) from past RAM; rings past RAM or
# across its end; then a good read in the same batch.
# A VM: each bad request completes (IOERR, or used len 0 when there is no
# status byte to write), nothing outside the named buffers changes -- the
# GUARD page and the last 2 KiB of RAM keep their pattern -- the disk is
# unchanged, and the good request is served.  The bare machine has no
# such device: MAGIC is a BUS_ERROR (vblk_dma.native.expected).
	.include "attack.inc"
	.include "vblk.inc"

	.text
	.globl	_start
_start:
	test_init
	vblk_probe
	li	t0, VBLK_BASE
	lw	s0, VBLK_QUEUE_READY(t0)
	expect_eq s0, 1, "the queue runs"

	request	0, 0, VBLK_T_IN, 1, RAM_SIZE, 512, F_W
	publish	0
	request	1, 3, VBLK_T_IN, 1, RAM_SIZE - 508, 512, F_W
	publish	3
	request	2, 6, VBLK_T_IN, 1, DEV_CONSOLE_BASE, 512, F_W
	publish	6
	request	3, 9, VBLK_T_IN, 1, 0xffffff00, 512, F_W
	publish	9
	request	4, 12, VBLK_T_IN, 1, Q_DATA, 512, F_W
	li	t0, Q_DESC + 13 * VBLK_DESC_SIZE + 4	# addr's high word: 1
	li	t1, 1
	sw	t1, 0(t0)
	publish	12
	request	5, 15, VBLK_T_IN, 1, Q_DATA, 512, F_W
	desc	17, RAM_SIZE - 1 + 1, 1, F_W, 0		# status past RAM
	publish	15
	request	6, 18, VBLK_T_IN, 1, Q_DATA, 512, F_W
	desc	18, RAM_SIZE - 8, 16, F_N, 19		# header across the end
	publish	18
	request	7, 21, VBLK_T_OUT, 2, RAM_SIZE - 256, 512, 0
	publish	21
	request	8, 24, VBLK_T_IN, 1, Q_DATA + 0x1000, 512, F_W
	publish	24
	call	vblk_batch
	expect_eq s0, VBLK_ISR_USED, "one batch, ISR USED"
	peek	s0, Q_USED
	srli	s0, s0, 16
	expect_eq s0, 9, "all 9 requests completed"
	status_is 0, VBLK_S_IOERR, "data just past RAM: IOERR"
	status_is 1, VBLK_S_IOERR, "data across the end of RAM: IOERR"
	status_is 2, VBLK_S_IOERR, "data on the console's page: IOERR"
	status_is 3, VBLK_S_IOERR, "data wrapping past 2^32: IOERR"
	used_len_is 4, 0, "data above 4 GiB: the chain is unusable, len 0"
	status_is 4, UNTOUCHED, "  ... status not written"
	used_len_is 5, 0, "status byte past RAM: len 0"
	status_is 6, VBLK_S_IOERR, "header across the end of RAM: IOERR"
	status_is 7, VBLK_S_IOERR, "write from past RAM: IOERR"
	status_is 8, VBLK_S_OK, "the good read in the same batch: OK"
	peek	s0, Q_DATA + 0x1000
	expect_eq s0, SECT, "  ... its sector arrived"
	peek	s0, Q_DATA
	expect_eq s0, 0, "no bad request wrote the buffer it named in RAM"
	call	pattern_intact
	expect_eq s0, 0, "the guard page and the end of RAM are untouched"

	# sector 2 is still the disk's: the write from past RAM moved nothing
	request	9, 27, VBLK_T_IN, 2, Q_DATA + 0x2000, 512, F_W
	publish	27
	call	vblk_batch
	status_is 9, VBLK_S_OK, "read sector 2 back: OK"
	peek	s0, Q_DATA + 0x2000
	expect_eq s0, SECT, "  ... the disk is unchanged"

	# rings the device cannot use: READY stays 0
	li	s1, VBLK_BASE
	sw	zero, VBLK_QUEUE_READY(s1)
	li	t0, RAM_SIZE - 64 * VBLK_DESC_SIZE + 16
	sw	t0, VBLK_QUEUE_DESC(s1)
	li	t0, 1
	sw	t0, VBLK_QUEUE_READY(s1)
	lw	s0, VBLK_QUEUE_READY(s1)
	expect_eq s0, 0, "descriptor table across the end of RAM: refused"
	li	t0, Q_DESC
	sw	t0, VBLK_QUEUE_DESC(s1)
	li	t0, 0xfffffffc
	sw	t0, VBLK_QUEUE_USED(s1)
	li	t0, 1
	sw	t0, VBLK_QUEUE_READY(s1)
	lw	s0, VBLK_QUEUE_READY(s1)
	expect_eq s0, 0, "used ring at the top of the address space: refused"
	li	t0, DEV_TIMER_BASE
	sw	t0, VBLK_QUEUE_USED(s1)
	li	t0, 1
	sw	t0, VBLK_QUEUE_READY(s1)
	lw	s0, VBLK_QUEUE_READY(s1)
	expect_eq s0, 0, "used ring on the timer's page: refused"
	sw	zero, VBLK_NOTIFY(s1)
	call	pattern_intact
	expect_eq s0, 0, "the guard page and the end of RAM are still untouched"
	test_done
