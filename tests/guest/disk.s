# run: --disk=@OUT@/test.disk
# disk-after: 5
#
# disk.s - the disk: SECTORS, reading and writing sectors by DMA, polled
# and with the completion interrupt, and ERROR for commands that cannot be
# carried out.  The runner makes test.disk fresh for each run: 8 sectors,
# sector k = "SECTOR" k '\n' then 504 bytes of 'a' + k.  This test writes
# sector 5 = "WRITTEN5\n" then 503 'W'; the runner checks the image after.
	.include "test.inc"

	.equ	SECT,	0x54434553	# "SECT", little-endian
	.equ	WRIT,	0x54495257	# "WRIT"

	.text
	.globl	_start
_start:
	test_init

	li	s1, DEV_DISK_BASE
	lw	s0, DISK_SECTORS(s1)
	expect_eq s0, 8, "SECTORS: 8"

	# --- a polled read of sector 1 ---
	li	s1, DEV_DISK_BASE
	li	t0, 1
	sw	t0, DISK_SECTOR(s1)
	la	t0, buf
	sw	t0, DISK_ADDR(s1)
	li	t0, 1
	sw	t0, DISK_COUNT(s1)
	li	t0, DISK_CMD_READ
	sw	t0, DISK_CMD(s1)
	lw	s0, DISK_STATUS(s1)
	expect_eq s0, DISK_STATUS_BUSY, "STATUS right after CMD: BUSY"
	li	s1, DEV_DISK_BASE
	lw	s0, DISK_SECTOR(s1)
	expect_eq s0, 1, "SECTOR reads back"
	li	s1, DEV_DISK_BASE
	lw	s0, DISK_ADDR(s1)
	expect_eq s0, buf, "ADDR reads back"
	li	s1, DEV_DISK_BASE
	lw	s0, DISK_COUNT(s1)
	expect_eq s0, 1, "COUNT reads back"
	li	s1, DEV_DISK_BASE
	lw	s0, DISK_CMD(s1)
	expect_eq s0, 0, "CMD reads 0"
	call	disk_wait
	mv	s0, a0
	expect_eq s0, DISK_STATUS_DONE, "read sector 1: DONE"
	la	s1, buf
	lw	s0, 0(s1)
	expect_eq s0, SECT, "sector 1: starts with SECT"
	lbu	s0, 6(s1)
	expect_eq s0, '1', "sector 1: its number"
	la	s1, buf
	lbu	s0, 511(s1)
	expect_eq s0, 'b', "sector 1: last byte"
	lbu	s0, 512(s1)
	expect_eq s0, 0, "sector 1: nothing past one sector"
	li	s1, DEV_DISK_BASE
	sw	zero, DISK_STATUS(s1)	# acknowledge
	lw	s0, DISK_STATUS(s1)
	expect_eq s0, 0, "writing STATUS clears DONE"

	# --- three sectors at once ---
	li	a0, 2
	la	a1, buf
	li	a2, 3
	li	a3, DISK_CMD_READ
	call	disk_cmd
	mv	s0, a0
	expect_eq s0, DISK_STATUS_DONE, "read sectors 2-4: DONE"
	la	s1, buf
	lbu	s0, 6(s1)
	expect_eq s0, '2', "sectors 2-4: first"
	lbu	s0, 512 + 6(s1)
	expect_eq s0, '3', "sectors 2-4: second"
	la	s1, buf
	lbu	s0, 1024 + 6(s1)
	expect_eq s0, '4', "sectors 2-4: third"
	lbu	s0, 1535(s1)
	expect_eq s0, 'e', "sectors 2-4: last byte"

	# --- code to the disk and back: DMA reads what the CPU runs ---
	# (A VMM that rewrites sensitive instructions in place, --patch,
	# must not let the disk see its rewrite.  Sector 5 is written again
	# below.)
	call	read_psw		# run it, so a patcher has seen it
	li	a0, 5
	la	a1, read_psw
	li	a2, 1
	li	a3, DISK_CMD_WRITE
	call	disk_cmd
	li	a0, 5
	la	a1, buf
	li	a2, 1
	li	a3, DISK_CMD_READ
	call	disk_cmd
	la	s1, buf
	lw	s0, 0(s1)
	la	s1, read_psw
	lw	s1, 0(s1)
	xor	s0, s0, s1
	expect_eq s0, 0, "code written to disk reads back as it is"

	# --- write sector 5, read it back ---
	li	a0, 5
	la	a1, wbuf
	li	a2, 1
	li	a3, DISK_CMD_WRITE
	call	disk_cmd
	mv	s0, a0
	expect_eq s0, DISK_STATUS_DONE, "write sector 5: DONE"
	li	a0, 5
	la	a1, buf
	li	a2, 1
	li	a3, DISK_CMD_READ
	call	disk_cmd
	la	s1, buf
	lw	s0, 0(s1)
	expect_eq s0, WRIT, "sector 5 reads back: WRIT"
	lbu	s0, 7(s1)
	expect_eq s0, '5', "sector 5 reads back: its number"
	la	s1, buf
	lbu	s0, 511(s1)
	expect_eq s0, 'W', "sector 5 reads back: last byte"
	la	s1, buf
	lbu	s0, 512 + 6(s1)
	expect_eq s0, '3', "sector 5 read: one sector only"

	# --- completion by interrupt ---
	set_tvec disk_irq
	li	s1, DEV_DISK_BASE
	li	t0, 1
	sw	t0, DISK_IE(s1)
	lw	s0, DISK_IE(s1)
	expect_eq s0, 1, "IE reads back"
	li	s1, DEV_DISK_BASE
	li	t0, 7
	sw	t0, DISK_SECTOR(s1)
	la	t0, buf
	sw	t0, DISK_ADDR(s1)
	li	t0, 1
	sw	t0, DISK_COUNT(s1)
	li	t0, PSW_MODE | PSW_IE
	mtcr	psw, t0
	li	t0, DISK_CMD_READ
	sw	t0, DISK_CMD(s1)
	la	t1, trap_count
1:	lw	t0, 0(t1)		# the handler counts
	beqz	t0, 1b
	li	t0, PSW_MODE
	mtcr	psw, t0
	expect_mem trap_count, 1, "one DISK interrupt"
	expect_mem trap_cause, CAUSE_INTERRUPT | IRQ_DISK, "CAUSE = interrupt | DISK"
	expect_mem disk_status_seen, DISK_STATUS_DONE, "the handler saw DONE"
	la	s1, buf
	lbu	s0, 6(s1)
	expect_eq s0, '7', "sector 7 read by interrupt"
	li	s1, DEV_DISK_BASE
	lw	s0, DISK_STATUS(s1)
	expect_eq s0, 0, "the handler's STATUS write cleared DONE"
	set_tvec trap_default
	li	s1, DEV_DISK_BASE
	sw	zero, DISK_IE(s1)

	# --- commands that fail: ERROR, and nothing moves ---
	la	s1, buf
	li	t0, 0x5a5a5a5a
	sw	t0, 0(s1)
	li	a0, 8			# past the end
	la	a1, buf
	li	a2, 1
	li	a3, DISK_CMD_READ
	call	disk_cmd
	mv	s0, a0
	expect_eq s0, DISK_STATUS_ERROR, "sector 8 of 8: ERROR"
	li	a0, 7			# runs past the end
	la	a1, buf
	li	a2, 2
	li	a3, DISK_CMD_READ
	call	disk_cmd
	mv	s0, a0
	expect_eq s0, DISK_STATUS_ERROR, "sectors 7-8 of 8: ERROR"
	li	a0, 0
	la	a1, buf
	li	a2, 0
	li	a3, DISK_CMD_READ
	call	disk_cmd
	mv	s0, a0
	expect_eq s0, DISK_STATUS_ERROR, "COUNT 0: ERROR"
	li	a0, 0
	la	a1, buf
	li	a2, DISK_MAX_COUNT + 1
	li	a3, DISK_CMD_READ
	call	disk_cmd
	mv	s0, a0
	expect_eq s0, DISK_STATUS_ERROR, "COUNT 129: ERROR"
	li	a0, 0
	la	a1, buf
	li	a2, 1
	li	a3, 3
	call	disk_cmd
	mv	s0, a0
	expect_eq s0, DISK_STATUS_ERROR, "CMD 3: ERROR"
	li	a0, 0
	li	a1, 0xe0000000
	li	a2, 1
	li	a3, DISK_CMD_READ
	call	disk_cmd
	mv	s0, a0
	expect_eq s0, DISK_STATUS_ERROR, "DMA to no RAM: ERROR"
	li	a0, 0
	li	a1, 0x01000000 - 256	# crosses the end of 16 MiB of RAM
	li	a2, 1
	li	a3, DISK_CMD_READ
	call	disk_cmd
	mv	s0, a0
	expect_eq s0, DISK_STATUS_ERROR, "DMA across the end of RAM: ERROR"
	la	s1, buf
	lw	s0, 0(s1)
	expect_eq s0, 0x5a5a5a5a, "failed commands moved nothing"

	test_done

# read_psw() -> a0 = PSW: a sensitive instruction, for the DMA test.
read_psw:
	rdpsw	a0
	ret

# disk_wait() -> a0 = STATUS once BUSY is 0.
disk_wait:
	li	t0, DEV_DISK_BASE
1:	lw	a0, DISK_STATUS(t0)
	andi	t1, a0, DISK_STATUS_BUSY
	bnez	t1, 1b
	ret

# disk_cmd(a0 = sector, a1 = address, a2 = count, a3 = command) -> a0 =
# STATUS when the command has completed; STATUS is then acknowledged.
disk_cmd:
	li	t0, DEV_DISK_BASE
	sw	a0, DISK_SECTOR(t0)
	sw	a1, DISK_ADDR(t0)
	sw	a2, DISK_COUNT(t0)
	sw	a3, DISK_CMD(t0)
1:	lw	a0, DISK_STATUS(t0)
	andi	t1, a0, DISK_STATUS_BUSY
	bnez	t1, 1b
	sw	zero, DISK_STATUS(t0)
	ret

# The completion interrupt: note STATUS, acknowledge, count.
disk_irq:
	mtcr	scratch, t0
	mfcr	t0, cause
	blt	t0, zero, 1f
	mfcr	t0, scratch
	j	trap_default
1:	la	t0, trap_epc
	sw	t1, TR_SAVE_T1(t0)
	mfcr	t1, cause
	sw	t1, TR_CAUSE(t0)
	lw	t1, TR_COUNT(t0)
	addi	t1, t1, 1
	sw	t1, TR_COUNT(t0)
	li	t0, DEV_DISK_BASE
	lw	t1, DISK_STATUS(t0)
	sw	zero, DISK_STATUS(t0)	# drops the line
	la	t0, disk_status_seen
	sw	t1, 0(t0)
	la	t0, trap_epc
	lw	t1, TR_SAVE_T1(t0)
	mfcr	t0, scratch
	rfe

	.data
	.align	4
disk_status_seen:
	.word	0
wbuf:	.ascii	"WRITTEN5\n"
	.space	503, 'W'
	.align	4
buf:	.space	4 * 512
