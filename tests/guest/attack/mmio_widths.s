# mmio_widths.s - device registers with odd widths and offsets.
#
# Tries: loads and stores of bytes and halves to device registers, to the
# bytes inside a register that are not its start, to the unused rest of a
# device page, to the test device's EXIT register at offsets 1..3 (which
# must not halt), misaligned halves and words, all with paging off and
# again through window aliases of the device pages -- the cases a monitor
# must decode from the faulting instruction itself.
# The bare machine (machine/dev_bus.c): a store of any width at a
# register's address writes the value zero-extended to 32 bits; a load
# of any width reads the register's low bits (lb/lh sign-extend them);
# other bytes of the device's page read 0 and ignore writes; write-only
# registers read 0; misaligned accesses are MISALIGNED before anything.
	.include "attack.inc"

	.equ	TIMER,	DEV_TIMER_BASE
	.equ	DISK,	DEV_DISK_BASE
	.equ	CON,	DEV_CONSOLE_BASE
	.equ	TEST,	DEV_TEST_BASE

# badva_is OFFSET, "name": the last trap's BADVA is s1 + OFFSET.
	.macro	badva_is off, name
	la	t0, trap_badva
	lw	s0, 0(t0)
	sub	s0, s0, s1
	expect_eq s0, \off, \name
	.endm

	.text
	.globl	_start
_start:
	test_init
	li	s3, 0			# the device bases: 0 = physical
	call	widths
	paging_on
	win_map	0, CON | RWU
	win_map	1, TIMER | RWU
	win_map	2, DISK | RWU
	win_map	15, TEST | RWU
	li	s3, 0x50000000		# + 0xf0000000 = WIN (mod 2^32)
	call	widths
	test_done

# widths(s3 = what to add to a device's physical address)
widths:
	addi	sp, sp, -4
	sw	ra, 0(sp)
	# --- the timer's PERIOD, read at every width ---
	li	t0, TIMER
	add	s1, t0, s3
	li	t0, 0x8080
	sw	t0, TIMER_PERIOD(s1)
	lw	s0, 0(s1)
	expect_eq s0, 0x8080, "PERIOD: lw"
	lh	s0, 0(s1)
	expect_eq s0, 0xffff8080, "PERIOD: lh sign-extends the low half"
	lhu	s0, 0(s1)
	expect_eq s0, 0x8080, "PERIOD: lhu"
	lb	s0, 0(s1)
	expect_eq s0, 0xffffff80, "PERIOD: lb sign-extends the low byte"
	lbu	s0, 0(s1)
	expect_eq s0, 0x80, "PERIOD: lbu"
	lbu	s0, 1(s1)
	expect_eq s0, 0, "PERIOD + 1: lbu reads 0"
	lh	s0, 2(s1)
	expect_eq s0, 0, "PERIOD + 2: lh reads 0"
	li	t0, 0x12345678
	sh	t0, 0(s1)
	lw	s0, 0(s1)
	expect_eq s0, 0x5678, "sh to PERIOD writes the half, zero-extended"
	li	t0, 0x1ff
	sb	t0, 0(s1)
	lw	s0, 0(s1)
	expect_eq s0, 0xff, "sb to PERIOD writes the byte, zero-extended"
	li	t0, 0x55
	sb	t0, 1(s1)
	sh	t0, 2(s1)
	sb	t0, 3(s1)
	lw	s0, 0(s1)
	expect_eq s0, 0xff, "stores to PERIOD + 1..3 are ignored"
	sw	zero, 0(s1)		# the timer off again
	lw	s0, 0x800(s1)
	expect_eq s0, 0, "the rest of the timer's page reads 0"
	li	t0, -1
	sw	t0, 0xffc(s1)
	lw	s0, 0xffc(s1)
	expect_eq s0, 0, "  ... and ignores writes"
	lw	s0, TIMER_ACK(s1)
	expect_eq s0, 0, "ACK (write-only) reads 0"

	# --- the disk's SECTOR register ---
	li	t0, DISK
	add	s1, t0, s3
	li	t0, 0xdeadbeef
	sw	t0, DISK_SECTOR(s1)
	lb	s0, 0(s1)
	expect_eq s0, 0xffffffef, "SECTOR: lb"
	lhu	s0, 0(s1)
	expect_eq s0, 0xbeef, "SECTOR: lhu"
	lbu	s0, 3(s1)
	expect_eq s0, 0, "SECTOR + 3: lbu reads 0, not 0xde"
	sw	zero, DISK_SECTOR(s1)

	# --- the console: TX at odd offsets prints nothing ---
	li	t0, CON
	add	s1, t0, s3
	li	t0, 'X'
	sb	t0, 1(s1)
	sb	t0, 2(s1)
	sh	t0, 2(s1)
	sb	t0, 3(s1)
	sb	t0, 0x10(s1)		# past the registers
	li	t0, 0x4142		# "B" is the low byte
	sh	t0, 0(s1)
	li	t0, 0x44434241 & 0xffffff00 | 'C'
	sw	t0, 0(s1)
	li	t0, '\n'
	sb	t0, 0(s1)		# the line reads "BC"
	lw	s0, CONSOLE_TX(s1)
	expect_eq s0, 0, "TX (write-only) reads 0"
	lbu	s0, CONSOLE_STATUS(s1)
	andi	s0, s0, CONSOLE_STATUS_TXREADY
	expect_eq s0, CONSOLE_STATUS_TXREADY, "STATUS: lbu, TXREADY"
	lbu	s0, CONSOLE_STATUS + 1(s1)
	expect_eq s0, 0, "STATUS + 1 reads 0"

	# --- the test device: EXIT at offsets 1..3 does not halt ---
	li	t0, TEST
	add	s1, t0, s3
	li	t0, 0x7f
	sb	t0, 1(s1)
	sh	t0, 2(s1)
	sb	t0, 3(s1)
	sw	t0, 4(s1)
	sw	t0, 0xffc(s1)
	lw	s0, 0(s1)
	expect_eq s0, 0, "EXIT + 1..3 and the rest of its page: no halt; EXIT reads 0"

	# --- misaligned: MISALIGNED, nothing reaches the device ---
	sw	t0, 1(s1)
	expect_mem trap_cause, CAUSE_MISALIGNED, "sw to EXIT + 1: misaligned"
	badva_is 1, "  ... badva"
	li	t0, CON
	add	s1, t0, s3
	lw	s0, 2(s1)
	expect_mem trap_cause, CAUSE_MISALIGNED, "lw at TX + 2: misaligned"
	badva_is 2, "  ... badva"
	sh	t0, 1(s1)
	expect_mem trap_cause, CAUSE_MISALIGNED, "sh at TX + 1: misaligned"
	badva_is 1, "  ... badva"
	lw	ra, 0(sp)
	addi	sp, sp, 4
	ret
