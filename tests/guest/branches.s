# branches.s - every branch taken and not taken, signed and unsigned;
# jal and jalr return addresses; call and ret; numeric local labels;
# a jump to a misaligned address.
	.include "test.inc"

# branch_case BRANCH, A, B, TAKEN, "name": runs BRANCH A, B and checks
# whether it was taken (TAKEN = 1) or fell through (TAKEN = 0).
	.macro	branch_case op, a, b, taken, name
	li	s1, \a
	li	s2, \b
	li	s0, 0
	\op	s1, s2, 1f
	j	2f
1:	li	s0, 1
2:	expect_eq s0, \taken, \name
	.endm

	.text
	.globl	_start
_start:
	test_init

	branch_case beq, 5, 5, 1, "beq equal: taken"
	branch_case beq, 5, 6, 0, "beq unequal: not taken"
	branch_case bne, 5, 6, 1, "bne unequal: taken"
	branch_case bne, -1, -1, 0, "bne equal: not taken"
	branch_case blt, -1, 1, 1, "blt -1 < 1: taken"
	branch_case blt, 1, -1, 0, "blt 1 < -1: not taken"
	branch_case blt, 3, 3, 0, "blt equal: not taken"
	branch_case bge, 3, 3, 1, "bge equal: taken"
	branch_case bge, 1, -1, 1, "bge 1 >= -1: taken"
	branch_case bge, -1, 1, 0, "bge -1 >= 1: not taken"
	branch_case bltu, 1, -1, 1, "bltu 1 < 0xffffffff: taken"
	branch_case bltu, -1, 1, 0, "bltu 0xffffffff < 1: not taken"
	branch_case bltu, 0, 0, 0, "bltu equal: not taken"
	branch_case bgeu, -1, 1, 1, "bgeu 0xffffffff >= 1: taken"
	branch_case bgeu, 1, -1, 0, "bgeu 1 >= 0xffffffff: not taken"
	branch_case bgeu, 0, 0, 1, "bgeu equal: taken"
	branch_case blt, 0x80000000, 0x7fffffff, 1, "blt INT_MIN < INT_MAX"
	branch_case bltu, 0x7fffffff, 0x80000000, 1, "bltu 0x7fffffff < 0x80000000"

	# --- a backward branch: a counting loop ---
	li	s0, 0
	li	s1, 10
1:	add	s0, s0, s1
	addi	s1, s1, -1
	bnez	s1, 1b
	expect_eq s0, 55, "loop sums 10..1"

	# --- numeric local labels may be defined again; 1b/1f find the nearest ---
	li	s0, 0
	j	1f
	li	s0, 100			# skipped
1:	addi	s0, s0, 1		# s0 = 1
	li	s1, 3
1:	addi	s0, s0, 10		# three times: 1b below is this 1:
	addi	s1, s1, -1
	bnez	s1, 1b
	beqz	s1, 1f
	li	s0, 300			# skipped
1:	expect_eq s0, 31, "local labels"

	# --- jal writes the address of the next instruction ---
	jal	s0, 1f
jal_next:
	nop
1:	expect_eq s0, jal_next, "jal rd = pc + 4"
	jal	zero, 1f		# rd = zero: a plain jump
	li	s0, 0
1:	expect_eq s0, jal_next, "jal zero: plain jump"

	# --- jalr: target = rs1 + offset, computed before rd is written ---
	la	s1, jalr_target - 8
	jalr	s0, 8(s1)
jalr_next:
	li	s0, 0			# skipped
jalr_target:
	expect_eq s0, jalr_next, "jalr rd = pc + 4, target rs1 + off"
	la	s2, jalr_target2
	mv	ra, s2
	jalr	ra, 0(ra)		# jumps to the old ra
jalr_next2:
	li	s2, 0			# skipped
jalr_target2:
	mv	s0, ra
	expect_eq s0, jalr_next2, "jalr ra, 0(ra) uses the old ra"
	expect_eq s2, jalr_target2, "jalr ra, 0(ra) jumps to the old ra"

	# --- call and ret, nested, with the stack ---
	li	a0, 6
	call	fact
	mv	s0, a0
	expect_eq s0, 720, "call/ret: recursive 6! = 720"
	call	leaf
ret_here:
	mv	s0, a0
	expect_eq s0, ret_here, "call writes ra = pc + 4"

	# --- a jump to a misaligned address: the jump completes, the fetch traps ---
	set_recover mis_back
	la	s1, jalr_target + 2
	li	s0, 0
mis_jalr:
	jalr	s0, 0(s1)
	li	s0, 0			# skipped
mis_back:
	expect_eq s0, mis_jalr + 4, "misaligned jalr: rd written"
	expect_mem trap_cause, CAUSE_MISALIGNED, "misaligned fetch: MISALIGNED"
	expect_mem trap_epc, jalr_target + 2, "misaligned fetch: EPC = target"
	expect_mem trap_badva, jalr_target + 2, "misaligned fetch: BADVA = target"

	# --- far branches: beyond the reach of 16-bit byte offsets ---
	li	s0, 0
	beq	zero, zero, far
back:	expect_eq s0, 1, "branch over 64 KiB and back"

	test_done

# fact(a0 = n) = n!, recursively.
fact:	addi	sp, sp, -8
	sw	ra, 0(sp)
	sw	a0, 4(sp)
	li	t0, 1
	bgeu	t0, a0, 1f		# n <= 1: return 1
	addi	a0, a0, -1
	call	fact
	lw	t0, 4(sp)
	mul	a0, a0, t0
	j	2f
1:	li	a0, 1
2:	lw	ra, 0(sp)
	addi	sp, sp, 8
	ret

# leaf() returns its return address.
leaf:	mv	a0, ra
	ret

	.space	0x12000			# zeros: never executed
far:	li	s0, 1
	bne	s0, zero, back
