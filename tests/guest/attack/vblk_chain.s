# vblk_chain.s - descriptor chains that never end, or are too long.
#
# disk: yes
# vm-only: yes
#
# Tries, through the rings (isa/ISA.md 8.7): a descriptor that is its own
# next, a cycle of two, a cycle through all 64 descriptors, a next and a
# head past the table (64, 0xffff), a buffer longer than one request may
# carry (64 KiB + 512), lengths that add up past it, a length of
# 0xfffffff0, data in the wrong direction; the longest chain there can be
# (64 descriptors) done right; an available index run 65 ahead (the queue
# breaks) and a reset after it.
# A VM: the device follows no chain past 64 descriptors, each bad request
# completes (IOERR, or used len 0 with nothing written), the work is done
# (the VM goes on, its neighbour too), nothing outside the named buffers
# changes, and after the reset the queue works again.  The bare machine
# has no such device: MAGIC is a BUS_ERROR (vblk_chain.native.expected).
	.include "attack.inc"
	.include "vblk.inc"

	.text
	.globl	_start
_start:
	test_init
	vblk_probe

	# --- chains that loop, indices past the table ---
	header	0, VBLK_T_IN, 1
	desc	0, Q_HDR, 16, F_N, 0			# its own next
	publish	0
	header	1, VBLK_T_IN, 1
	desc	1, Q_HDR + 16, 16, F_N, 2		# 1 -> 2 -> 1
	desc	2, Q_DATA, 512, F_N | F_W, 1
	publish	1
	li	s1, 3					# 3 -> 4 -> ... -> 63 -> 3
1:	li	t0, Q_DESC
	slli	t1, s1, 4
	add	t0, t0, t1
	li	t1, Q_DATA
	sw	t1, 0(t0)
	sw	zero, 4(t0)
	li	t1, 512
	sw	t1, 8(t0)
	addi	t1, s1, 1
	li	t2, QN
	bne	t1, t2, 2f
	li	t1, 3
2:	slli	t1, t1, 16
	ori	t1, t1, F_N | F_W
	sw	t1, 12(t0)
	addi	s1, s1, 1
	li	t2, QN
	bne	s1, t2, 1b
	publish	3
	call	vblk_batch
	used_len_is 0, 0, "a descriptor that is its own next: len 0"
	used_len_is 1, 0, "a cycle of two: len 0"
	used_len_is 2, 0, "a cycle through all 64 descriptors: len 0"
	peek	s0, Q_DATA
	expect_eq s0, 0, "  ... nothing written to their buffer"

	header	2, VBLK_T_IN, 1
	desc	0, Q_HDR + 32, 16, F_N, QN		# next past the table
	desc	QN, Q_STAT + 2, 1, F_W, 0		# (a status there: not used)
	publish	0
	header	3, VBLK_T_IN, 1
	desc	1, Q_HDR + 48, 16, F_N, 0xffff
	publish	1
	publish	QN
	publish	0xffff
	call	vblk_batch
	used_len_is 3, 0, "next = 64, past the table: len 0"
	status_is 2, UNTOUCHED, "  ... the status beyond the table untouched"
	used_len_is 4, 0, "next = 0xffff: len 0"
	used_len_is 5, 0, "head = 64: len 0"
	used_len_is 6, 0, "head = 0xffff: len 0"

	# --- too long ---
	request	4, 0, VBLK_T_IN, 0, Q_DATA, VBLK_MAX_DATA + 512, F_W
	publish	0
	header	5, VBLK_T_IN, 0
	desc	3, Q_HDR + 80, 16, F_N, 4
	desc	4, Q_DATA, VBLK_MAX_DATA, F_N | F_W, 5
	desc	5, Q_DATA + VBLK_MAX_DATA, 512, F_N | F_W, 6
	desc	6, Q_STAT + 5, 1, F_W, 0
	publish	3
	request	6, 7, VBLK_T_IN, 0, Q_DATA, 0xfffffff0, F_W
	publish	7
	request	7, 10, VBLK_T_IN, 0, Q_DATA, 512, 0	# the wrong direction
	publish	10
	call	vblk_batch
	status_is 4, VBLK_S_IOERR, "one buffer of 64 KiB + 512: IOERR"
	status_is 5, VBLK_S_IOERR, "buffers adding up past 64 KiB: IOERR"
	status_is 6, VBLK_S_IOERR, "a length of 0xfffffff0: IOERR"
	status_is 7, VBLK_S_IOERR, "a read into a buffer not marked WRITE: IOERR"
	peek	s0, Q_DATA
	expect_eq s0, 0, "  ... nothing written"

	# --- the longest chain: header, 62 data, status; 60 of them empty ---
	header	8, VBLK_T_IN, 2
	desc	0, Q_HDR + 128, 16, F_N, 1
	li	s1, 1
1:	li	t0, Q_DESC
	slli	t1, s1, 4
	add	t0, t0, t1
	li	t1, Q_DATA
	sw	t1, 0(t0)
	sw	zero, 4(t0)
	sw	zero, 8(t0)				# len 0
	addi	t1, s1, 1
	slli	t1, t1, 16
	ori	t1, t1, F_N | F_W
	sw	t1, 12(t0)
	addi	s1, s1, 1
	li	t2, QN - 3
	bne	s1, t2, 1b
	desc	QN - 3, Q_DATA, 512, F_N | F_W, QN - 2
	desc	QN - 2, Q_DATA + 512, 512, F_N | F_W, QN - 1
	desc	QN - 1, Q_STAT + 8, 1, F_W, 0
	publish	0
	call	vblk_batch
	status_is 8, VBLK_S_OK, "64 descriptors, the most there can be: OK"
	used_len_is 11, 1025, "  ... len 1025"
	peek	s0, Q_DATA + 512
	expect_eq s0, SECT, "  ... the sectors arrived"

	# --- the available index run away: the queue breaks ---
	li	t0, Q_AVAIL
	lhu	t1, 2(t0)
	addi	t1, t1, QN + 1
	sh	t1, 2(t0)
	li	s1, VBLK_BASE
	sw	zero, VBLK_NOTIFY(s1)
	wfi					# line 3 comes up (IE = 0)
	lw	s0, VBLK_ISR(s1)
	expect_eq s0, VBLK_ISR_BROKEN, "avail idx 65 ahead: ISR BROKEN"
	lw	s0, VBLK_QUEUE_READY(s1)
	expect_eq s0, 0, "  ... and the queue stopped"
	sw	zero, VBLK_QUEUE_READY(s1)		# reset
	lw	s0, VBLK_ISR(s1)
	expect_eq s0, 0, "reset clears ISR"
	li	t0, Q_AVAIL
	sw	zero, 0(t0)
	li	t0, Q_USED
	sw	zero, 0(t0)
	call	vblk_start
	request	9, 0, VBLK_T_IN, 3, Q_DATA + 0x1000, 512, F_W
	publish	0
	call	vblk_batch
	status_is 9, VBLK_S_OK, "after the reset the queue works"
	call	pattern_intact
	expect_eq s0, 0, "the guard page and the end of RAM are untouched"
	test_done
