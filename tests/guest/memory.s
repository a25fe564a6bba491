# memory.s - loads and stores: little-endian order, sign and zero
# extension, offsets, alignment traps with BADVA, bus errors.
	.include "test.inc"

	.text
	.globl	_start
_start:
	test_init

	# --- little-endian: the word 0x11223344 is 44 33 22 11 in memory ---
	la	s1, word
	lw	s0, 0(s1)
	expect_eq s0, 0x11223344, "lw"
	lbu	s0, 0(s1)
	expect_eq s0, 0x44, "lbu byte 0 is the low byte"
	lbu	s0, 3(s1)
	expect_eq s0, 0x11, "lbu byte 3 is the high byte"
	lhu	s0, 0(s1)
	expect_eq s0, 0x3344, "lhu half 0"
	lhu	s0, 2(s1)
	expect_eq s0, 0x1122, "lhu half 2"

	# --- sign and zero extension ---
	la	s1, bytes		# 0x80 0x7f 0xff 0x01, then the half 0x8001
	lb	s0, 0(s1)
	expect_eq s0, 0xffffff80, "lb sign-extends 0x80"
	lbu	s0, 0(s1)
	expect_eq s0, 0x00000080, "lbu zero-extends 0x80"
	lb	s0, 1(s1)
	expect_eq s0, 0x0000007f, "lb 0x7f stays positive"
	lb	s0, 2(s1)
	expect_eq s0, 0xffffffff, "lb 0xff is -1"
	lh	s0, 0(s1)
	expect_eq s0, 0x00007f80, "lh 0x7f80 stays positive"
	lh	s0, 4(s1)
	expect_eq s0, 0xffff8001, "lh sign-extends 0x8001"
	lhu	s0, 4(s1)
	expect_eq s0, 0x00008001, "lhu zero-extends 0x8001"

	# --- stores write only their width ---
	la	s1, buf
	li	s2, 0xdeadbeef
	sw	s2, 0(s1)
	lbu	s0, 0(s1)
	expect_eq s0, 0xef, "sw stores the low byte first"
	li	s2, 0x12345678
	sb	s2, 1(s1)
	lw	s0, 0(s1)
	expect_eq s0, 0xdead78ef, "sb writes one byte"
	li	s2, 0xffff1234
	sh	s2, 2(s1)
	lw	s0, 0(s1)
	expect_eq s0, 0x123478ef, "sh writes two bytes"

	# --- offsets sign-extend ---
	la	s1, buf + 8
	li	s2, 0xcafe
	sw	s2, -8(s1)
	la	s1, buf
	lw	s0, 0(s1)
	expect_eq s0, 0xcafe, "negative store offset"
	la	s1, buf + 0x7ff0
	lw	s0, -0x7ff0(s1)
	expect_eq s0, 0xcafe, "offset -0x7ff0"

	# --- a load into r0 is discarded ---
	la	s1, word
	lw	zero, 0(s1)
	mv	s0, zero
	expect_eq s0, 0, "lw into r0 leaves it 0"

	# --- misaligned accesses trap; the faulting instruction has no effect ---
	la	s1, word
	li	s0, 0x5a5a5a5a
mis_lw:	lw	s0, 1(s1)
	expect_mem trap_cause, CAUSE_MISALIGNED, "lw +1: cause MISALIGNED"
	expect_mem trap_epc, mis_lw, "lw +1: EPC is the load"
	expect_mem trap_badva, word + 1, "lw +1: BADVA is the address"
	expect_eq s0, 0x5a5a5a5a, "lw +1: rd not written"

mis_lw2: lw	s0, 2(s1)
	expect_mem trap_badva, word + 2, "lw +2: BADVA"
	expect_mem trap_epc, mis_lw2, "lw +2: EPC"

mis_lh:	lh	s0, 3(s1)
	expect_mem trap_cause, CAUSE_MISALIGNED, "lh +3: cause MISALIGNED"
	expect_mem trap_badva, word + 3, "lh +3: BADVA"
	expect_mem trap_epc, mis_lh, "lh +3: EPC"
mis_lhu: lhu	s0, 1(s1)
	expect_mem trap_badva, word + 1, "lhu +1: BADVA"
	expect_eq s0, 0x5a5a5a5a, "lhu +1: rd not written"

	la	s1, buf
	sw	zero, 0(s1)
	sw	zero, 4(s1)
	li	s2, -1
mis_sw:	sw	s2, 2(s1)
	expect_mem trap_cause, CAUSE_MISALIGNED, "sw +2: cause MISALIGNED"
	expect_mem trap_epc, mis_sw, "sw +2: EPC"
	expect_mem trap_badva, buf + 2, "sw +2: BADVA"
mis_sh:	sh	s2, 5(s1)
	expect_mem trap_badva, buf + 5, "sh +5: BADVA"
	lw	s0, 0(s1)
	expect_eq s0, 0, "misaligned sw wrote nothing"
	lw	s0, 4(s1)
	expect_eq s0, 0, "misaligned sh wrote nothing"

	# bytes have no alignment: no trap
	la	t0, trap_count
	lw	s3, 0(t0)
	la	s1, word
	lbu	s0, 1(s1)
	sb	s0, 5(s1)
	la	t0, trap_count
	lw	s0, 0(t0)
	sub	s0, s0, s3
	expect_eq s0, 0, "byte accesses never misalign"
	expect_mem trap_count, 6, "six traps so far"

	# --- addresses nothing backs: BUS_ERROR with BADVA ---
	li	s1, 0xe0000000
	li	s0, 0x77
bus_lw:	lw	s0, 0(s1)
	expect_mem trap_cause, CAUSE_BUS_ERROR, "load from 0xe0000000: BUS_ERROR"
	expect_mem trap_epc, bus_lw, "load from 0xe0000000: EPC"
	expect_mem trap_badva, 0xe0000000, "load from 0xe0000000: BADVA"
	expect_eq s0, 0x77, "bus error: rd not written"
	li	s1, 0x01000000		# the first byte past 16 MiB of RAM
bus_sb:	sb	s0, 4(s1)
	expect_mem trap_cause, CAUSE_BUS_ERROR, "store past RAM: BUS_ERROR"
	expect_mem trap_badva, 0x01000004, "store past RAM: BADVA"
	li	s1, 0x00fffffc		# the last word of RAM is fine
	li	s2, 0x600d
	sw	s2, 0(s1)
	lw	s0, 0(s1)
	expect_eq s0, 0x600d, "last word of RAM"
	li	s1, 0xf000e000		# between devices
	lw	s0, 0(s1)
	expect_mem trap_cause, CAUSE_BUS_ERROR, "load between devices: BUS_ERROR"
	expect_mem trap_badva, 0xf000e000, "load between devices: BADVA"
	# misalignment is checked first, even where nothing is
	lw	s0, 2(s1)
	expect_mem trap_cause, CAUSE_MISALIGNED, "misaligned and unbacked: MISALIGNED"

	test_done

	.data
	.align	4
word:	.word	0x11223344
bytes:	.byte	0x80, 0x7f, 0xff, 0x01
	.half	0x8001
	.align	4
buf:	.space	16
