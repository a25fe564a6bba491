# alu.s - arithmetic and logic: wrap-around, shifts by more than 31,
# division and remainder rules, and how each immediate is extended.
# Operands live in s1, s2 and results in s0: the checks keep s0-s3.
	.include "test.inc"

	.text
	.globl	_start
_start:
	test_init

	# --- add, sub: modulo 2^32, nothing traps on overflow ---
	li	s1, 0x7fffffff
	addi	s0, s1, 1
	expect_eq s0, 0x80000000, "add wraps INT_MAX + 1"
	li	s2, 1
	sub	s0, zero, s2
	expect_eq s0, 0xffffffff, "sub 0 - 1"
	li	s1, 0xffffffff
	li	s2, 2
	add	s0, s1, s2
	expect_eq s0, 1, "add wraps 0xffffffff + 2"

	# --- logic ---
	li	s1, 0xff00ff00
	li	s2, 0x0ff00ff0
	and	s0, s1, s2
	expect_eq s0, 0x0f000f00, "and"
	or	s0, s1, s2
	expect_eq s0, 0xfff0fff0, "or"
	xor	s0, s1, s2
	expect_eq s0, 0xf0f0f0f0, "xor"

	# --- shifts by a register use its low 5 bits ---
	li	s1, 0x80000001
	li	s2, 33
	sll	s0, s1, s2
	expect_eq s0, 0x00000002, "sll by 33 shifts by 1"
	li	s2, 32
	srl	s0, s1, s2
	expect_eq s0, 0x80000001, "srl by 32 shifts by 0"
	li	s2, 36
	sra	s0, s1, s2
	expect_eq s0, 0xf8000000, "sra by 36 shifts by 4"
	li	s2, 31
	sra	s0, s1, s2
	expect_eq s0, 0xffffffff, "sra by 31 copies the sign"
	srl	s0, s1, s2
	expect_eq s0, 1, "srl by 31 brings in zeros"
	li	s2, -1			# low 5 bits: 31
	sll	s0, s1, s2
	expect_eq s0, 0x80000000, "sll by -1 shifts by 31"
	slli	s0, s1, 31
	expect_eq s0, 0x80000000, "slli 31"
	srli	s0, s1, 4
	expect_eq s0, 0x08000000, "srli 4"
	srai	s0, s1, 4
	expect_eq s0, 0xf8000000, "srai 4"
	srai	s0, s1, 0
	expect_eq s0, 0x80000001, "srai 0"

	# --- comparisons ---
	li	s1, -1
	li	s2, 1
	slt	s0, s1, s2
	expect_eq s0, 1, "slt -1 < 1 signed"
	sltu	s0, s1, s2
	expect_eq s0, 0, "sltu 0xffffffff < 1 unsigned is false"
	slt	s0, s2, s2
	expect_eq s0, 0, "slt equal is false"
	sltu	s0, zero, s2
	expect_eq s0, 1, "sltu 0 < 1"

	# --- multiplication ---
	li	s1, 0x10000
	mul	s0, s1, s1
	expect_eq s0, 0, "mul keeps the low 32 bits"
	mulhu	s0, s1, s1
	expect_eq s0, 1, "mulhu gives the high 32 bits"
	li	s1, -3
	li	s2, 7
	mul	s0, s1, s2
	expect_eq s0, -21, "mul -3 * 7"
	li	s1, 0xffffffff
	mulhu	s0, s1, s1
	expect_eq s0, 0xfffffffe, "mulhu 0xffffffff squared"

	# --- division truncates toward zero, as in C ---
	li	s1, -7
	li	s2, 2
	div	s0, s1, s2
	expect_eq s0, -3, "div -7 / 2 = -3"
	rem	s0, s1, s2
	expect_eq s0, -1, "rem -7 % 2 = -1"
	li	s1, 7
	li	s2, -2
	div	s0, s1, s2
	expect_eq s0, -3, "div 7 / -2 = -3"
	rem	s0, s1, s2
	expect_eq s0, 1, "rem 7 % -2 = 1"
	li	s1, 0x80000000
	li	s2, -1
	div	s0, s1, s2
	expect_eq s0, 0x80000000, "div INT_MIN / -1 = INT_MIN"
	rem	s0, s1, s2
	expect_eq s0, 0, "rem INT_MIN % -1 = 0"
	li	s1, 0xffffffff
	li	s2, 2
	divu	s0, s1, s2
	expect_eq s0, 0x7fffffff, "divu is unsigned"
	li	s2, 10
	remu	s0, s1, s2
	expect_eq s0, 5, "remu 0xffffffff % 10"
	li	s2, -2
	div	s0, s1, s2
	expect_eq s0, 0, "div -1 / -2 = 0"

	# --- immediates: addi slti sltiu sign-extend, andi ori xori do not ---
	addi	s0, zero, -1
	expect_eq s0, 0xffffffff, "addi sign-extends -1"
	addi	s0, zero, -32768
	expect_eq s0, 0xffff8000, "addi sign-extends -32768"
	addi	s0, zero, 32767
	expect_eq s0, 0x00007fff, "addi 32767"
	li	s1, 0xffffffff
	andi	s0, s1, 0xffff
	expect_eq s0, 0x0000ffff, "andi zero-extends"
	ori	s0, zero, 0x8000
	expect_eq s0, 0x00008000, "ori zero-extends"
	xori	s0, s1, 0xffff
	expect_eq s0, 0xffff0000, "xori zero-extends"
	slti	s0, s1, 0
	expect_eq s0, 1, "slti -1 < 0"
	slti	s0, zero, -1
	expect_eq s0, 0, "slti 0 < -1 is false"
	li	s2, 5
	sltiu	s0, s2, -1
	expect_eq s0, 1, "sltiu compares with 0xffffffff"
	sltiu	s0, s1, -1
	expect_eq s0, 0, "sltiu 0xffffffff < 0xffffffff is false"
	lui	s0, 0xabcd
	expect_eq s0, 0xabcd0000, "lui"
	lui	s0, 0xffff
	ori	s0, s0, 0x1234
	expect_eq s0, 0xffff1234, "lui + ori"
	li	s0, 0x12345678
	expect_eq s0, 0x12345678, "li 32-bit constant"
	li	s0, 0x8000
	expect_eq s0, 0x00008000, "li 0x8000"

	# --- r0 always reads 0 ---
	addi	zero, zero, 5
	li	s1, 7
	add	zero, s1, s1
	mv	s0, zero
	expect_eq s0, 0, "writes to r0 are discarded"

	test_done
