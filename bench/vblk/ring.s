# bench/vblk/ring.s - read.inc's reads through the paravirtual block
# device (isa/ISA.md 8.7): BATCH pages a NOTIFY.
	.include "read.inc"

	.text
	.globl	_start
_start:
	li	s0, 0			# s0 = pages read
	li	t0, VBLK_BASE
	li	t1, QNUM
	sw	t1, VBLK_QUEUE_NUM(t0)
	li	t1, RINGS
	sw	t1, VBLK_QUEUE_DESC(t0)
	li	t1, AVAIL
	sw	t1, VBLK_QUEUE_AVAIL(t0)
	li	t1, USED
	sw	t1, VBLK_QUEUE_USED(t0)
	li	t1, 1
	sw	t1, VBLK_QUEUE_READY(t0)
batch:	li	s1, 0			# s1 = request in this batch
1:	mv	a0, s1
	andi	a1, s0, DISK_PAGES - 1	# the page of the disk
	call	queue
	addi	s0, s0, 1
	addi	s1, s1, 1
	li	t0, BATCH
	bne	s1, t0, 1b
	li	t0, VBLK_BASE
	sw	zero, VBLK_NOTIFY(t0)	# one exit for the batch
	li	t2, AVAIL
	lhu	t2, 2(t2)
2:	li	t1, USED
	lhu	t1, 2(t1)
	beq	t1, t2, 3f
	wfi
	j	2b
3:	li	t1, VBLK_ISR_USED
	sw	t1, VBLK_ACK(t0)
	li	t0, STATUS		# every status byte OK?
	li	t1, BATCH
4:	lbu	t2, 0(t0)
	bnez	t2, fail
	addi	t0, t0, 1
	addi	t1, t1, -1
	bnez	t1, 4b
	li	t0, PAGES
	bne	s0, t0, batch
	HALT_OK
fail:	HALT_FAIL

# queue(a0 = k, a1 = disk page): request k, descriptors 3k .. 3k+2: read
# the page into buffer k.
queue:
	slli	t0, a0, 4		# the header {IN, 0, sector, 0}
	li	t1, HDRS
	add	t0, t0, t1
	sw	zero, 0(t0)
	sw	zero, 4(t0)
	slli	t1, a1, 3
	sw	t1, 8(t0)
	sw	zero, 12(t0)
	slli	t3, a0, 1		# t3 = 3k
	add	t3, t3, a0
	slli	t1, t3, 4
	li	t2, RINGS
	add	t1, t1, t2		# t1 = descriptor 3k
	sw	t0, 0(t1)
	sw	zero, 4(t1)
	li	t2, VBLK_REQ_HEADER_SIZE
	sw	t2, 8(t1)
	addi	t2, t3, 1
	slli	t2, t2, 16
	ori	t2, t2, VBLK_DESC_F_NEXT
	sw	t2, 12(t1)
	slli	t2, a0, PAGE_SHIFT	# the buffer
	li	t0, BUF
	add	t2, t2, t0
	sw	t2, 16(t1)
	sw	zero, 20(t1)
	li	t2, PAGE_SIZE
	sw	t2, 24(t1)
	addi	t2, t3, 2
	slli	t2, t2, 16
	ori	t2, t2, VBLK_DESC_F_NEXT | VBLK_DESC_F_WRITE
	sw	t2, 28(t1)
	li	t2, STATUS
	add	t2, t2, a0
	li	t0, 0xff
	sb	t0, 0(t2)
	sw	t2, 32(t1)
	sw	zero, 36(t1)
	li	t2, 1
	sw	t2, 40(t1)
	li	t2, VBLK_DESC_F_WRITE
	sw	t2, 44(t1)
	li	t0, AVAIL		# ring[idx % QNUM] = 3k; idx + 1
	lhu	t1, 2(t0)
	andi	t2, t1, QNUM - 1
	slli	t2, t2, 1
	add	t2, t2, t0
	sh	t3, VBLK_RING_HEADER(t2)
	addi	t1, t1, 1
	sh	t1, 2(t0)
	ret
