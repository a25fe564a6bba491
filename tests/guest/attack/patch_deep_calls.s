# patch_deep_calls.s - a chain of 1500 nested calls, each return point a
# sensitive instruction.
#
# mode: leaky
#
# Tries: to overflow the pending return points of a scan that follows
# call targets and return points.  CHAIN is 1500 functions laid end to
# end (ten words each, about 15 pages); function k saves ra, calls
# function k + 1, and at its return point runs rdpsw s1 and counts in s2
# a value other than s0 (MODE), then returns.  The last one just
# returns.  One call of the first runs all 1500 return points, deepest
# first; the scan sees the whole chain at that first call.  Then the
# chain runs a second time.
# The bare machine: every rdpsw reads MODE (1): s2 = 0, both times.
	.include "patch.inc"

	.equ	N,	1500
	.equ	STACK,	FREE + 0x10000	# 6000 bytes of return addresses

	.text
	.globl	_start
_start:
	test_init
	li	s0, chain_end - chain
	expect_eq s0, 40 * N, "CHAIN holds 1500 functions"
	li	s0, PSW_SUPER
	li	s2, 0
	li	s3, 0
	mv	a3, sp
	li	sp, STACK
	call	chain
	mv	sp, a3
	expect_eq s3, N, "the chain runs 1500 return points"
	expect_eq s2, 0, "every return point's rdpsw reads the supervisor PSW"
	li	s2, 0
	li	s3, 0
	li	sp, STACK
	call	chain
	mv	sp, a3
	expect_eq s2, 0, "  ... and the second time"
	test_done

	.align	PAGE_SIZE
chain:
	.macro	func
	addi	sp, sp, -4
	sw	ra, 0(sp)
	jal	ra, . + 32		# the next function
	rdpsw	s1			# the return point
	beq	s1, s0, . + 8
	addi	s2, s2, 1
	addi	s3, s3, 1
	lw	ra, 0(sp)
	addi	sp, sp, 4
	ret
	.endm
	rep256	func
	rep256	func
	rep256	func
	rep256	func
	rep256	func
	rep64	func
	rep64	func
	rep64	func
	rep16	func
	rep4	func
	rep4	func
	rep4	func
chain_end:
	ret				# the end of the chain
