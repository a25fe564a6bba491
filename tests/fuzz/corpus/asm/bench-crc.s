# crc.s - the CPU-bound benchmark: CRC-32 over 36000 buffers of
# pseudo-random bytes, in user mode with paging on.
#
# What it computes (bench/README.md):
#   seed = 12345; crc = 0xffffffff
#   36000 times:
#     fill buf[4096]: 1024 words, each the next LCG value
#                     seed = seed * 1664525 + 1013904223 (mod 2^32),
#                     stored little-endian (one seed step per word)
#     crc = CRC-32 of buf continued from crc (reflected polynomial
#           0xEDB88320, table-driven; the 256-entry table is built by
#           this program at startup)
#   crc ^= 0xffffffff
# i.e. the standard CRC-32 (zlib's crc32) of all 36000 buffers as one
# stream of 147 456 000 bytes.  The expected result is 402791ec.
#
# How it runs: the kernel part (supervisor mode) builds an identity page
# table, turns paging on, and drops to user mode with rfe.  The work runs
# in user mode on U pages, so every fetch, load and store goes through the
# MMU (user regime, TLB hits after the first touch).  The user code ends
# with a syscall; the kernel's trap handler prints "crc XXXXXXXX" and
# halts through the test device with status 0 if the CRC is right, 1 if
# not (2 for an unexpected trap).
#
# Instruction mix of the inner loops (what the MIPS figure is made of):
#   fill:  mul, add, sw, addi, bne                 5 per word  = 1.25 per byte
#   crc:   lw, xor + 4 x (andi, slli, add, lw, srli, xor) + addi, bne
#                                                  28 per word = 7    per byte
#   total 8.25 instructions per byte, 33 797 per pass (with the pass
#   loop), about 1.2167e9 for the run; 3 loads or stores in 28 (crc) and
#   1 in 5 (fill), one mul per word.

# Hardware constants: the same names and values as pg32.inc (generated
# from isa/isa.h and machine/devices.h); copied so that the benchmark
# assembles with nothing but trapeze itself.
	.equ	PSW_MODE, 0x1
	.equ	PSW_PG, 0x4
	.equ	PTE_V, 0x01
	.equ	PTE_R, 0x02
	.equ	PTE_W, 0x04
	.equ	PTE_X, 0x08
	.equ	PTE_U, 0x10
	.equ	CAUSE_SYSCALL, 3
	.equ	CAUSE_CODE_MASK, 0xff
	.equ	DEV_CONSOLE_BASE, 0xf0000000
	.equ	DEV_TEST_BASE, 0xf000f000
	.equ	CONSOLE_TX, 0
	.equ	TEST_EXIT, 0

# The benchmark's parameters.
	.equ	PASSES, 36000
	.equ	BUFSIZE, 4096
	.equ	LCG_MUL, 1664525
	.equ	LCG_ADD, 1013904223
	.equ	SEED, 12345
	.equ	POLY, 0xedb88320
	.equ	EXPECTED, 0x402791ec
	.equ	DEV_ROOT_OFF, (DEV_CONSOLE_BASE >> 22) * 4	# root entry of the devices
	.equ	TEST_LEAF_OFF, ((DEV_TEST_BASE >> 12) & 0x3ff) * 4 # leaf entry of the test device
	.equ	SYS_REPORT, 1		# syscall: a1 = the CRC; never returns

	.text
# ---------------------------------------------------------------------
# Kernel: supervisor mode, paging off, as the machine boots.
_start:
	# The leaf table for VA 0..4 MiB: page i -> frame i, V R W X U.
	# The whole first 4 MiB is user-accessible: this is a benchmark,
	# not an OS, and the code, the data and the tables all live there.
	la	t0, leaf_low
	li	t1, 0			# page number
	li	t2, 1024		# entries in a table
1:	slli	t3, t1, 12
	ori	t3, t3, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U
	sw	t3, 0(t0)
	addi	t0, t0, 4
	addi	t1, t1, 1
	bne	t1, t2, 1b

	# The devices' leaf table (VA 0xF0000000..0xF03FFFFF): the console
	# and the test device, identity, supervisor only (U = 0).
	la	t0, leaf_dev
	li	t1, DEV_CONSOLE_BASE | PTE_V | PTE_R | PTE_W
	sw	t1, 0(t0)
	li	t1, DEV_TEST_BASE | PTE_V | PTE_R | PTE_W
	sw	t1, TEST_LEAF_OFF(t0)

	# The root: entry 0 -> leaf_low, entry 0x3c0 -> leaf_dev.  A root
	# entry is a pointer: V set, R = W = X = 0.
	la	t0, root
	la	t1, leaf_low
	ori	t1, t1, PTE_V
	sw	t1, 0(t0)
	la	t1, leaf_dev
	ori	t1, t1, PTE_V
	sw	t1, DEV_ROOT_OFF(t0)

	la	t0, root
	mtcr	ptbr, t0
	la	t0, trap
	mtcr	tvec, t0
	# Paging on, still in supervisor mode; the map is the identity, so
	# the next fetch finds the next instruction.
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0

	# Enter user mode at user_main with paging on: rfe loads PSW from
	# EPSW and pc from EPC, as a return from a trap would.
	li	t0, PSW_PG
	mtcr	epsw, t0
	la	t0, user_main
	mtcr	epc, t0
	rfe

# The trap handler.  The only expected trap is the final syscall.
trap:
	mfcr	t0, cause
	andi	t0, t0, CAUSE_CODE_MASK
	li	t1, CAUSE_SYSCALL
	bne	t0, t1, unexpected
	la	a0, msg_crc
	call	puts
	mv	a0, a1
	call	puthex
	li	a0, '\n'
	call	putc
	li	t0, EXPECTED
	li	a0, 0
	beq	a1, t0, 1f
	li	a0, 1
1:	j	halt

unexpected:
	mv	s0, t0
	la	a0, msg_trap
	call	puts
	mv	a0, s0
	call	puthex
	li	a0, '\n'
	call	putc
	li	a0, 2
halt:
	li	t0, DEV_TEST_BASE
	sw	a0, TEST_EXIT(t0)
1:	j	1b			# not reached: the write halts the machine

# putc: a0 = the byte.  Clobbers t3.
putc:
	li	t3, DEV_CONSOLE_BASE
	sw	a0, CONSOLE_TX(t3)
	ret

# puts: a0 = a NUL-terminated string.  Clobbers t2, t3, a0.
puts:
	mv	t2, a0
1:	lbu	a0, 0(t2)
	beqz	a0, 2f
	li	t3, DEV_CONSOLE_BASE
	sw	a0, CONSOLE_TX(t3)
	addi	t2, t2, 1
	j	1b
2:	ret

# puthex: a0 = a word, printed as 8 lower-case hex digits.
# Clobbers t1, t2, t3, a0.
puthex:
	mv	t1, a0
	li	t2, 8
1:	srli	a0, t1, 28
	slli	t1, t1, 4
	sltiu	t3, a0, 10
	bnez	t3, 2f
	addi	a0, a0, 'a' - '0' - 10
2:	addi	a0, a0, '0'
	li	t3, DEV_CONSOLE_BASE
	sw	a0, CONSOLE_TX(t3)
	addi	t2, t2, -1
	bnez	t2, 1b
	ret

# One byte of table-driven CRC-32: crc = tab[crc & 0xff] ^ (crc >> 8).
	.macro	crc_byte
	andi	a1, s1, 0xff
	slli	a1, a1, 2
	add	a1, a1, s0
	lw	a1, 0(a1)
	srli	s1, s1, 8
	xor	s1, s1, a1
	.endm

# ---------------------------------------------------------------------
# User mode, paging on.
#
# Registers: s0 = the CRC table, s1 = crc, s2 = seed, s3 = passes left,
# gp = LCG_MUL, sp = LCG_ADD (no stack is used), ra = end of buf,
# t0 = the pointer into buf; a0-a3, t1 temporaries.
user_main:
	# The CRC table: tab[i] = i shifted right 8 times, xoring in POLY
	# whenever a 1 falls out (the reflected form of the polynomial).
	la	s0, crc_table
	li	s1, POLY
	li	t0, 0			# i
	li	t3, 256
1:	mv	t1, t0			# c
	li	t2, 8
2:	andi	a0, t1, 1
	srli	t1, t1, 1
	beqz	a0, 3f
	xor	t1, t1, s1
3:	addi	t2, t2, -1
	bnez	t2, 2b
	slli	a0, t0, 2
	add	a0, a0, s0
	sw	t1, 0(a0)
	addi	t0, t0, 1
	bne	t0, t3, 1b

	li	s1, -1			# crc = 0xffffffff, once for the stream
	li	s2, SEED
	li	s3, PASSES
	li	gp, LCG_MUL
	li	sp, LCG_ADD
	la	ra, buf + BUFSIZE

pass:
	# Fill: one LCG step per 32-bit word, stored little-endian.
	la	t0, buf
fill:
	mul	s2, s2, gp
	add	s2, s2, sp
	sw	s2, 0(t0)
	addi	t0, t0, 4
	bne	t0, ra, fill

	# CRC, a word at a time: xor the word into crc, then four table
	# steps of one byte each (the low byte first: the buffer is
	# little-endian and the CRC reflected, so that is byte order).
	la	t0, buf
crc_word:
	lw	a0, 0(t0)
	xor	s1, s1, a0
	crc_byte
	crc_byte
	crc_byte
	crc_byte
	addi	t0, t0, 4
	bne	t0, ra, crc_word

	addi	s3, s3, -1
	bnez	s3, pass

	li	a0, -1
	xor	a1, s1, a0		# the final xor
	li	a0, SYS_REPORT
	syscall				# the kernel prints and halts

	.data
msg_crc:
	.asciz	"crc "
msg_trap:
	.asciz	"crc bench: unexpected trap, cause "

	.align	4096
root:	.space	4096		# page tables: 4 KiB aligned
leaf_low:
	.space	4096
leaf_dev:
	.space	4096
crc_table:
	.space	1024
	.align	64
buf:	.space	BUFSIZE
