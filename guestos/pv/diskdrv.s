# pv/diskdrv.s - the paravirtualized flavour's disk driver: the
# paravirtual block device of trapeze's VMM (ISA.md section 8.7,
# vmm/README.md), virtio's way.  (native/diskdrv.s polls the emulated
# disk; disk.s includes the one the build's -I picks.)
#
# Why: the emulated disk costs a VM an exit for each register access --
# four to start a read, then about 160 polls of STATUS while the
# 2000-cycle command runs.  A kernel that knows it runs in a VM writes
# its requests into rings in its own memory, which the VMM reads
# directly, and tells the device once per batch:
#
#   disk_queue   a request in the rings; no exit at all
#   disk_wait    NOTIFY (one exit), wait for the interrupt with the IDLE
#                hypercall (one exit), ACK it (one exit), read the status
#                bytes in memory
#
# so loading every program's pages is one batch of three exits, where
# the native flavour spends some 165 exits a page.  The kernel reads only
# at boot, with interrupts off: the IDLE hypercall, like wfi, returns as
# soon as the device's line is up, and the ACK drops it before anything
# turns interrupts on.
#
# The rings live in one frame taken from the frame pool at the first
# read (after the boot message that counts the free frames, so both
# flavours print the same): kernel memory is identity-mapped, so the
# addresses the device is given are the ones the kernel writes through.
#
#   +0      the descriptor table, VQ_NUM entries; request k owns
#           descriptors 3k (header), 3k+1 (data), 3k+2 (status)
#   +1024   the available ring   +1280  the used ring
#   +2048   request k's header   +2560  request k's status byte

	.equ	VQ_NUM,		64		# descriptors (VBLK_QUEUE_MAX)
	.equ	VQ_REQS,	VQ_NUM / 3	# requests in one batch at most
	.equ	VQ_AVAIL,	1024
	.equ	VQ_USED,	1280
	.equ	VQ_HDR,		2048
	.equ	VQ_STATUS,	2560

	.data
vq_page:	.word	0	# the rings' frame; 0 until the first read
vq_queued:	.word	0	# requests queued since the last disk_wait
	.text

# DISK_READ_QUEUED: proc_load's read of one page of a program, queued
# (a0 = 0, or -1 if the device cannot be used); DISK_WAIT_ALL, at the end
# of load_programs: the whole batch, one NOTIFY; a failed read is a
# panic, as it is when the native flavour finds it at once.
	.macro	DISK_READ_QUEUED
	call	disk_queue
	.endm

	.macro	DISK_WAIT_ALL
	call	disk_wait
	beqz	a0, 1f
	la	a0, msg_diskerr
	j	panic
1:
	.endm

# disk_read(a0 = first sector, a1 = physical address, a2 = count) ->
# a0 = 0, or -1 if the device reported an error: one request, one batch.
disk_read:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	call	disk_queue
	bnez	a0, 1f
	call	disk_wait
1:	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

# vq_init() -> a0 = 0, or -1: the device's page mapped for the kernel,
# the rings' frame, and the queue started.
vq_init:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	# vm.s maps the bare machine's devices; the device leaf that every
	# address space shares gets this one too (kernel-only, as they are).
	la	t0, kernel_root
	lw	t0, 0(t0)
	lw	t0, DEV_ROOT_INDEX * 4(t0)
	li	t1, PTE_FRAME_MASK
	and	t0, t0, t1
	li	t1, VBLK_BASE | PTE_KDATA
	sw	t1, ((VBLK_BASE - DEV_CONSOLE_BASE) >> PAGE_SHIFT) * 4(t0)
	li	t0, VBLK_BASE
	TLB_INV	t0
	call	kalloc			# a zeroed frame, or 0
	beqz	a0, 1f
	la	t0, vq_page
	sw	a0, 0(t0)
	li	t0, VBLK_BASE
	li	t1, VQ_NUM
	sw	t1, VBLK_QUEUE_NUM(t0)
	sw	a0, VBLK_QUEUE_DESC(t0)
	addi	t1, a0, VQ_AVAIL
	sw	t1, VBLK_QUEUE_AVAIL(t0)
	addi	t1, a0, VQ_USED
	sw	t1, VBLK_QUEUE_USED(t0)
	li	t1, 1
	sw	t1, VBLK_QUEUE_READY(t0)
	lw	t1, VBLK_QUEUE_READY(t0) # 0: the device refused the rings
	li	a0, 0
	bnez	t1, 2f
1:	li	a0, -1
2:	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

# disk_queue(a0 = first sector, a1 = physical address, a2 = count) ->
# a0 = 0, or -1: one read request in the rings, not yet notified.  A
# full batch is waited for first.
disk_queue:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	s0, 8(sp)
	sw	s1, 4(sp)
	sw	s2, 0(sp)
	mv	s0, a0
	mv	s1, a1
	mv	s2, a2
	la	t0, vq_page
	lw	t0, 0(t0)
	bnez	t0, 1f
	call	vq_init
	bnez	a0, 9f
1:	la	t0, vq_queued
	lw	t0, 0(t0)
	sltiu	t0, t0, VQ_REQS
	bnez	t0, 2f
	call	disk_wait		# the rings are full: send them first
	bnez	a0, 9f
2:	la	t0, vq_page
	lw	t3, 0(t0)		# t3 = the rings' frame
	la	t0, vq_queued
	lw	a3, 0(t0)		# a3 = k, this request
	addi	t1, a3, 1
	sw	t1, 0(t0)
	slli	t0, a3, 4		# the header {IN, 0, sector, 0}
	add	t0, t0, t3
	addi	t0, t0, VQ_HDR
	sw	zero, 0(t0)		# VBLK_T_IN is 0
	sw	zero, 4(t0)
	sw	s0, 8(t0)
	sw	zero, 12(t0)
	add	t1, t3, a3		# its status byte, not yet written
	li	t2, 0xff
	sb	t2, VQ_STATUS(t1)
	slli	a0, a3, 1		# a0 = 3k, the first descriptor
	add	a0, a0, a3
	slli	t1, a0, 4		# t1 = its address
	add	t1, t1, t3
	sw	t0, 0(t1)		# 3k: the header, read by the device
	sw	zero, 4(t1)
	li	t2, VBLK_REQ_HEADER_SIZE
	sw	t2, 8(t1)
	addi	t2, a0, 1
	slli	t2, t2, 16
	ori	t2, t2, VBLK_DESC_F_NEXT
	sw	t2, 12(t1)
	sw	s1, 16(t1)		# 3k+1: the data, written by the device
	sw	zero, 20(t1)
	slli	t2, s2, 9		# count * 512 bytes
	sw	t2, 24(t1)
	addi	t2, a0, 2
	slli	t2, t2, 16
	ori	t2, t2, VBLK_DESC_F_NEXT | VBLK_DESC_F_WRITE
	sw	t2, 28(t1)
	add	t2, t3, a3		# 3k+2: the status byte
	addi	t2, t2, VQ_STATUS
	sw	t2, 32(t1)
	sw	zero, 36(t1)
	li	t2, 1
	sw	t2, 40(t1)
	li	t2, VBLK_DESC_F_WRITE
	sw	t2, 44(t1)
	addi	t0, t3, VQ_AVAIL	# available: ring[idx % VQ_NUM] = 3k,
	lhu	t1, 2(t0)		# then idx + 1 (the device reads the
	andi	t2, t1, VQ_NUM - 1	# ring only after NOTIFY)
	slli	t2, t2, 1
	add	t2, t2, t0
	sh	a0, VBLK_RING_HEADER(t2)
	addi	t1, t1, 1
	sh	t1, 2(t0)
	li	a0, 0
9:	lw	s2, 0(sp)
	lw	s1, 4(sp)
	lw	s0, 8(sp)
	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

# disk_wait() -> a0 = 0, or -1 if a request failed: the queued requests
# in one batch.  NOTIFY, then IDLE until the used ring has caught up with
# the available one, then ACK; then every status byte is looked at.
disk_wait:
	la	t0, vq_queued
	lw	t1, 0(t0)
	li	a0, 0
	beqz	t1, 4f			# nothing queued
	la	t0, vq_page
	lw	t3, 0(t0)
	li	t0, VBLK_BASE
	sw	zero, VBLK_NOTIFY(t0)	# the batch's one notification
	lhu	t2, VQ_AVAIL + 2(t3)
1:	lhu	t1, VQ_USED + 2(t3)
	beq	t1, t2, 2f
	WAIT_FOR_INTERRUPT		# IE = 0: back once line 3 is up
	j	1b
2:	li	t0, VBLK_BASE
	li	t1, VBLK_ISR_USED
	sw	t1, VBLK_ACK(t0)	# the line drops
	la	t0, vq_queued
	lw	t1, 0(t0)
	sw	zero, 0(t0)
	addi	t3, t3, VQ_STATUS	# a0 = -1 if any status is not OK
3:	lbu	t0, 0(t3)
	beqz	t0, 5f
	li	a0, -1
5:	addi	t3, t3, 1
	addi	t1, t1, -1
	bnez	t1, 3b
4:	ret
