# run: --disk=@OUT@/test.disk
#
# vblk.s - the paravirtual block device (isa/ISA.md 8.7), which only a VM
# has.  On the bare machine its page, 0xF0003000, is empty device space:
# MAGIC and NOTIFY raise BUS_ERROR (vblk.expected).  Under the VMM
# (vblk.vmm.expected): CAPACITY is the disk's 8 sectors; one NOTIFY
# serves a batch of three reads, one of them scattered over two buffers,
# and each read gives the very bytes the emulated disk (8.5) reads from
# the same sectors; a write through the ring is what the emulated disk
# reads back; a request outside RAM and one of an unknown type get their
# status bytes; the completion raises line 3 (taken as an interrupt with
# IE = 1, dropped by ACK); a queue outside RAM does not start.
	.include "test.inc"

	.equ	QNUM,	16
	.equ	SECT,	0x54434553	# "SECT", little-endian: a sector's start

	.text
	.globl	_start
_start:
	test_init
	li	s1, VBLK_BASE
	li	s0, 0
	lw	s0, VBLK_MAGIC(s1)
	li	t0, VBLK_MAGIC_VALUE
	beq	s0, t0, in_a_vm

	# --- the bare machine: nothing there ---
	expect_trap CAUSE_BUS_ERROR, VBLK_BASE, "MAGIC on the bare machine"
	expect_eq s0, 0, "  ... rd not written"
	li	t0, 1
	sw	t0, VBLK_NOTIFY(s1)
	expect_trap CAUSE_BUS_ERROR, VBLK_BASE + VBLK_NOTIFY, "NOTIFY on the bare machine"
	test_done

in_a_vm:
	expect_eq s0, VBLK_MAGIC_VALUE, "MAGIC in a VM: vblk"
	lw	s0, VBLK_CAPACITY(s1)
	expect_eq s0, 8, "CAPACITY: the disk's 8 sectors"
	lw	s0, VBLK_QUEUE_NUM_MAX(s1)
	expect_eq s0, VBLK_QUEUE_MAX, "QUEUE_NUM_MAX"

	# --- a queue outside RAM does not start ---
	li	t0, QNUM
	sw	t0, VBLK_QUEUE_NUM(s1)
	li	t0, 0x00fffff0		# the table would run past 16 MiB
	sw	t0, VBLK_QUEUE_DESC(s1)
	la	t0, avail
	sw	t0, VBLK_QUEUE_AVAIL(s1)
	la	t0, used
	sw	t0, VBLK_QUEUE_USED(s1)
	li	t0, 1
	sw	t0, VBLK_QUEUE_READY(s1)
	lw	s0, VBLK_QUEUE_READY(s1)
	expect_eq s0, 0, "READY refused: descriptor table past RAM"

	la	t0, desc
	sw	t0, VBLK_QUEUE_DESC(s1)
	li	t0, 1
	sw	t0, VBLK_QUEUE_READY(s1)
	lw	s0, VBLK_QUEUE_READY(s1)
	expect_eq s0, 1, "READY: the queue runs"

	# --- one batch, one NOTIFY: three reads ---
	# request 0: sectors 1..4 into bufa (1 KiB) and bufb (1 KiB)
	li	a0, 0
	li	a1, 1
	call	header			# a0 = its address
	mv	a1, a0
	li	a0, 0
	li	a2, VBLK_REQ_HEADER_SIZE
	li	a3, VBLK_DESC_F_NEXT | 1 << 16
	call	desc_set
	li	a0, 1
	la	a1, bufa
	li	a2, 1024
	li	a3, VBLK_DESC_F_NEXT | VBLK_DESC_F_WRITE | 2 << 16
	call	desc_set
	li	a0, 2
	la	a1, bufb
	li	a2, 1024
	li	a3, VBLK_DESC_F_NEXT | VBLK_DESC_F_WRITE | 3 << 16
	call	desc_set
	li	a0, 3
	la	a1, status
	li	a2, 1
	li	a3, VBLK_DESC_F_WRITE
	call	desc_set
	li	a0, 0
	call	publish
	# request 1: sector 7 into bufc
	li	a0, 1			# request number
	li	a1, 7			# sector
	la	a2, bufc
	li	a3, 4			# first descriptor
	call	simple_read
	li	a0, 4
	call	publish
	# request 2: sector 0 into bufd
	li	a0, 2
	li	a1, 0
	la	a2, bufd
	li	a3, 7
	call	simple_read
	li	a0, 7
	call	publish
	li	t0, VBLK_BASE
	sw	zero, VBLK_NOTIFY(t0)	# the one exit of the batch
	li	a0, 3
	call	wait_used
	la	s0, used
	lhu	s0, 2(s0)
	expect_eq s0, 3, "used idx after one NOTIFY: 3 requests"
	la	s0, used
	lw	s0, 4(s0)
	expect_eq s0, 0, "used[0].id: request 0's head"
	la	s0, used
	lw	s0, 8(s0)
	expect_eq s0, 2049, "used[0].len: 2048 bytes and the status"
	la	s0, used
	lw	s0, 12(s0)
	expect_eq s0, 4, "used[1].id"
	la	s0, used
	lw	s0, 20(s0)
	expect_eq s0, 7, "used[2].id"
	la	s0, status
	lbu	s0, 0(s0)
	expect_eq s0, VBLK_S_OK, "status 0: OK"
	la	s0, status
	lbu	s0, 1(s0)
	expect_eq s0, VBLK_S_OK, "status 1: OK"
	la	s0, status
	lbu	s0, 2(s0)
	expect_eq s0, VBLK_S_OK, "status 2: OK"
	li	t0, VBLK_BASE
	lw	s0, VBLK_ISR(t0)
	expect_eq s0, VBLK_ISR_USED, "ISR: USED"
	li	t0, VBLK_ISR_USED
	li	t1, VBLK_BASE
	sw	t0, VBLK_ACK(t1)
	lw	s0, VBLK_ISR(t1)
	expect_eq s0, 0, "ACK clears ISR"

	# --- the same sectors through the emulated disk ---
	li	a0, 1
	la	a1, emul
	li	a2, 4
	call	disk_read
	la	a0, bufa
	la	a1, emul
	li	a2, 1024
	call	differ
	mv	s0, a0
	expect_eq s0, 0, "sectors 1-2 (buffer a): the emulated disk's bytes"
	la	a0, bufb
	la	a1, emul + 1024
	li	a2, 1024
	call	differ
	mv	s0, a0
	expect_eq s0, 0, "sectors 3-4 (buffer b): the emulated disk's bytes"
	la	s0, bufb
	lw	s0, 0(s0)
	expect_eq s0, SECT, "  ... and they are sectors"
	li	a0, 7
	la	a1, emul
	li	a2, 1
	call	disk_read
	la	a0, bufc
	la	a1, emul
	li	a2, 512
	call	differ
	mv	s0, a0
	expect_eq s0, 0, "sector 7: the emulated disk's bytes"
	li	a0, 0
	la	a1, emul
	li	a2, 1
	call	disk_read
	la	a0, bufd
	la	a1, emul
	li	a2, 512
	call	differ
	mv	s0, a0
	expect_eq s0, 0, "sector 0: the emulated disk's bytes"

	# --- a write through the ring, read back by the emulated disk ---
	la	t0, bufa
	li	t1, 0x13572468
	la	t2, bufa + 512
1:	sw	t1, 0(t0)
	addi	t1, t1, 3
	addi	t0, t0, 4
	bne	t0, t2, 1b
	li	a0, 3
	li	a1, 6
	la	a2, bufa
	li	a3, 0
	call	simple_read
	la	t0, hdr + 3 * 16	# make it a write: type OUT, data read
	li	t1, VBLK_T_OUT
	sw	t1, 0(t0)
	la	t0, desc + 1 * 16 + 12
	li	t1, VBLK_DESC_F_NEXT
	sh	t1, 0(t0)
	li	a0, 0
	call	publish
	li	t0, VBLK_BASE
	sw	zero, VBLK_NOTIFY(t0)
	li	a0, 4
	call	wait_used
	la	s0, status
	lbu	s0, 3(s0)
	expect_eq s0, VBLK_S_OK, "write of sector 6: OK"
	li	t0, VBLK_ISR_USED
	li	t1, VBLK_BASE
	sw	t0, VBLK_ACK(t1)
	li	a0, 6
	la	a1, emul
	li	a2, 1
	call	disk_read
	la	a0, bufa
	la	a1, emul
	li	a2, 512
	call	differ
	mv	s0, a0
	expect_eq s0, 0, "sector 6 read by the emulated disk: what the ring wrote"

	# --- bad requests in one batch: outside RAM, unknown type ---
	li	a0, 4
	li	a1, 2
	li	a2, 0x00ffff00		# 256 bytes before the end of RAM
	li	a3, 0
	call	simple_read
	li	a0, 0
	call	publish
	li	a0, 5
	li	a1, 2
	la	a2, bufc
	li	a3, 4
	call	simple_read
	la	t0, hdr + 5 * 16
	li	t1, 9			# no such type
	sw	t1, 0(t0)
	li	a0, 4
	call	publish
	li	t0, VBLK_BASE
	sw	zero, VBLK_NOTIFY(t0)
	li	a0, 6
	call	wait_used
	la	s0, status
	lbu	s0, 4(s0)
	expect_eq s0, VBLK_S_IOERR, "data past the end of RAM: IOERR"
	la	s0, status
	lbu	s0, 5(s0)
	expect_eq s0, VBLK_S_UNSUPP, "unknown type: UNSUPP"
	li	t0, VBLK_ISR_USED
	li	t1, VBLK_BASE
	sw	t0, VBLK_ACK(t1)

	# --- completion as an interrupt: line 3, taken with IE = 1 ---
	li	a0, 6
	li	a1, 3
	la	a2, bufd
	li	a3, 0
	call	simple_read
	li	a0, 0
	call	publish
	set_tvec on_irq
	li	t0, VBLK_BASE
	sw	zero, VBLK_NOTIFY(t0)
	li	t0, PSW_MODE | PSW_IE
	mtcr	psw, t0
	wfi				# the interrupt comes here
	li	t0, PSW_MODE
	mtcr	psw, t0
	set_tvec trap_default
	la	s0, irq_cause
	lw	s0, 0(s0)
	expect_eq s0, CAUSE_INTERRUPT | IRQ_VBLK, "completion: interrupt line 3"
	la	s0, irq_isr
	lw	s0, 0(s0)
	expect_eq s0, VBLK_ISR_USED, "  ... with ISR USED"
	la	s0, used
	lhu	s0, 2(s0)
	expect_eq s0, 7, "  ... and the used index moved"
	la	s0, status
	lbu	s0, 6(s0)
	expect_eq s0, VBLK_S_OK, "  ... status OK"
	li	t0, VBLK_BASE
	lw	s0, VBLK_ISR(t0)
	expect_eq s0, 0, "the handler's ACK dropped the line"
	test_done

# on_irq: the interrupt handler of the last case: what caused it, ISR,
# then ACK, so that the line drops before rfe turns IE on again.
on_irq:
	mtcr	scratch, t0
	mfcr	t0, cause
	la	t1, irq_cause
	sw	t0, 0(t1)
	li	t1, VBLK_BASE
	lw	t0, VBLK_ISR(t1)
	la	t1, irq_isr
	sw	t0, 0(t1)
	li	t1, VBLK_BASE
	sw	t0, VBLK_ACK(t1)
	mfcr	t0, scratch
	rfe

# header(a0 = request n, a1 = sector) -> a0 = the address of request n's
# header, {IN, 0, sector, 0}; its status byte is set to 0xff.
header:
	la	t0, hdr
	slli	t1, a0, 4
	add	t0, t0, t1
	li	t1, VBLK_T_IN
	sw	t1, 0(t0)
	sw	zero, 4(t0)
	sw	a1, 8(t0)
	sw	zero, 12(t0)
	la	t1, status
	add	t1, t1, a0
	li	t2, 0xff
	sb	t2, 0(t1)
	mv	a0, t0
	ret

# desc_set(a0 = index, a1 = addr, a2 = len, a3 = flags | next << 16)
desc_set:
	la	t0, desc
	slli	t1, a0, 4
	add	t0, t0, t1
	sw	a1, 0(t0)
	sw	zero, 4(t0)
	sw	a2, 8(t0)
	sw	a3, 12(t0)		# flags, then next: little-endian halves
	ret

# simple_read(a0 = request n, a1 = sector, a2 = buffer, a3 = first
# descriptor d): descriptors d, d+1, d+2 = header, 512 bytes, status.
simple_read:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	s0, 8(sp)
	sw	s1, 4(sp)
	sw	s2, 0(sp)
	mv	s0, a0
	mv	s1, a2
	mv	s2, a3
	call	header
	mv	a1, a0
	mv	a0, s2
	li	a2, VBLK_REQ_HEADER_SIZE
	addi	a3, s2, 1
	slli	a3, a3, 16
	ori	a3, a3, VBLK_DESC_F_NEXT
	call	desc_set
	addi	a0, s2, 1
	mv	a1, s1
	li	a2, 512
	addi	a3, s2, 2
	slli	a3, a3, 16
	ori	a3, a3, VBLK_DESC_F_NEXT | VBLK_DESC_F_WRITE
	call	desc_set
	addi	a0, s2, 2
	la	a1, status
	add	a1, a1, s0
	li	a2, 1
	li	a3, VBLK_DESC_F_WRITE
	call	desc_set
	lw	s2, 0(sp)
	lw	s1, 4(sp)
	lw	s0, 8(sp)
	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

# publish(a0 = head): ring[idx % QNUM] = head, then idx + 1.
publish:
	la	t0, avail
	lhu	t1, 2(t0)
	andi	t2, t1, QNUM - 1
	slli	t2, t2, 1
	add	t2, t2, t0
	sh	a0, VBLK_RING_HEADER(t2)
	addi	t1, t1, 1
	sh	t1, 2(t0)
	ret

# wait_used(a0 = index): waits until the used ring's idx is a0 (wfi with
# IE = 0: the VM's clock jumps to the device's completion).
wait_used:
1:	la	t0, used
	lhu	t0, 2(t0)
	beq	t0, a0, 2f
	wfi
	j	1b
2:	ret

# disk_read(a0 = sector, a1 = address, a2 = count): the emulated disk,
# polled.
disk_read:
	li	t0, DEV_DISK_BASE
	sw	a0, DISK_SECTOR(t0)
	sw	a1, DISK_ADDR(t0)
	sw	a2, DISK_COUNT(t0)
	li	t1, DISK_CMD_READ
	sw	t1, DISK_CMD(t0)
1:	lw	t1, DISK_STATUS(t0)
	andi	t1, t1, DISK_STATUS_BUSY
	bnez	t1, 1b
	sw	zero, DISK_STATUS(t0)
	ret

# differ(a0, a1, a2 = bytes) -> a0 = how many words differ.
differ:
	li	t3, 0
1:	beqz	a2, 2f
	lw	t0, 0(a0)
	lw	t1, 0(a1)
	beq	t0, t1, 3f
	addi	t3, t3, 1
3:	addi	a0, a0, 4
	addi	a1, a1, 4
	addi	a2, a2, -4
	j	1b
2:	mv	a0, t3
	ret

	.data
	.align	16
desc:	.space	QNUM * VBLK_DESC_SIZE
avail:	.space	VBLK_RING_HEADER + QNUM * 2
	.align	4
used:	.space	VBLK_RING_HEADER + QNUM * VBLK_USED_ELEM_SIZE
hdr:	.space	8 * VBLK_REQ_HEADER_SIZE
status:	.space	8
irq_cause:	.word	0
irq_isr:	.word	0
	.align	4
bufa:	.space	1024
bufb:	.space	1024
bufc:	.space	512
bufd:	.space	512
emul:	.space	2048
