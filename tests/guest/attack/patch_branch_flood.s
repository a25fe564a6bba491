# patch_branch_flood.s - thousands of pending branches before a jump.
#
# mode: leaky
# preempt: first
#
# Tries: to overflow the work list of an execution-driven scan.  FLOOD2
# is 1500 units "addi s3, s3, -1; beq s3, zero, T(k)" (3000 words over
# three pages, then ret), each beq to its own two-word target "rdpsw s1;
# j collect" in TARGETS2, whose first page has already run (from its
# entry stub) before the flood is first entered.  FLOOD1 is one page of
# 1000 one-word branches "beq s3, zero, T(k)", run once falling through
# (s3 = 1), then entered at branch k by a computed jump with s3 = 0, so
# that the branch (already run) is taken to a target in TARGETS1 that no
# run has reached.  Every target is reached only through its branch; a
# scan that drops, truncates or forgets a pending branch target leaves a
# raw rdpsw in a page that already has X, and it runs in real user mode.
# The first target (k, from 1) that reads anything else is reported.
# The bare machine: every one of the 2500 rdpsw reads PSW = MODE (1),
# the guest's supervisor mode with paging off.
# Under --patch today: FLOOD2's targets from k = 1016 on (484 of them)
# run raw, in KNOWN_FAILING.
	.include "patch.inc"

	.equ	N2,	1500		# units in FLOOD2
	.equ	N1,	1000		# branches in FLOOD1

	.text
	.globl	_start
_start:
	test_init
	li	s3, targets2_end - targets2
	expect_eq s3, 8 * N2, "TARGETS2 holds 1500 targets"
	li	s3, flood2_end - flood2
	expect_eq s3, 8 * N2, "FLOOD2 holds 1500 units"
	li	s3, flood1_end - flood1
	expect_eq s3, 4 * N1, "FLOOD1 holds 1000 branches in one page"
	li	s3, targets1_end - targets1
	expect_eq s3, 8 * N1, "TARGETS1 holds 1000 targets"
	li	s0, PSW_SUPER		# what every target must read
	call	targets2_entry		# TARGETS2's first page runs first
	expect_eq s1, 0x7a, "the targets' page runs from its entry stub"

	# --- FLOOD2: fall through all 1500 units once (s3 never hits 0) ---
	li	s2, 0			# targets that read another PSW
	li	s3, 0
	call	flood2
	expect_eq s3, -N2, "1500 untaken branches run"

	# --- then take the k-th branch, k = 1..1500 ---
	li	s2, 0
	li	s1, 0
	li	a3, 0			# targets run
1:	addi	a3, a3, 1
	mv	s3, a3
	call	flood2
	li	t0, N2
	bne	a3, t0, 1b
	expect_eq a3, N2, "1500 targets reached through their branch"
	expect_eq s2, 0, "every FLOOD2 target's rdpsw reads the supervisor PSW"
	expect_mem first_bad, 0, "  ... the first that does not: none"
	la	t0, first_bad
	sw	zero, 0(t0)

	# --- FLOOD1: run once falling through, then enter at each branch ---
	li	s3, 1
	call	flood1
	li	s2, 0
	li	s3, 0
	li	a3, 0
2:	addi	a3, a3, 1
	la	t0, flood1 - 4
	slli	t1, a3, 2
	add	t0, t0, t1
	jalr	ra, 0(t0)		# branch a3 (from 1), taken
	li	t0, N1
	bne	a3, t0, 2b
	expect_eq s2, 0, "every FLOOD1 target's rdpsw reads the supervisor PSW"
	expect_mem first_bad, 0, "  ... the first that does not: none"
	test_done

# collect(s1 = what target a3's rdpsw read): count it in s2 if not s0.
# The first such target's number (k, from 1) goes to first_bad.
collect:
	beq	s1, s0, 1f
	addi	s2, s2, 1
	la	t0, first_bad
	lw	t1, 0(t0)
	bnez	t1, 1f
	sw	a3, 0(t0)
1:	ret

	.data
first_bad: .word 0
	.text

# --- TARGETS2: an entry stub, then the 1500 targets of FLOOD2 ---
	.align	PAGE_SIZE
targets2_entry:
	li	s1, 0x7a
	ret
targets2:
	.macro	tgt2
	rdpsw	s1
	j	collect
	.endm
	rep256	tgt2
	rep256	tgt2
	rep256	tgt2
	rep256	tgt2
	rep256	tgt2
	rep64	tgt2
	rep64	tgt2
	rep64	tgt2
	rep16	tgt2
	rep4	tgt2
	rep4	tgt2
	rep4	tgt2
targets2_end:

# --- FLOOD2: unit k (from 0) at flood2 + 8k branches to targets2 + 8k ---
	.align	PAGE_SIZE
flood2:
	.macro	unit2
	addi	s3, s3, -1
	beq	s3, zero, targets2 + (. - 4 - flood2)
	.endm
	rep256	unit2
	rep256	unit2
	rep256	unit2
	rep256	unit2
	rep256	unit2
	rep64	unit2
	rep64	unit2
	rep64	unit2
	rep16	unit2
	rep4	unit2
	rep4	unit2
	rep4	unit2
flood2_end:
	ret

# --- FLOOD1: branch k at flood1 + 4k branches to targets1 + 8k ---
	.align	PAGE_SIZE
flood1:
	.macro	unit1
	beq	s3, zero, targets1 + (. - flood1) * 2
	.endm
	rep256	unit1
	rep256	unit1
	rep256	unit1
	rep64	unit1
	rep64	unit1
	rep64	unit1
	rep16	unit1
	rep16	unit1
	rep4	unit1
	rep4	unit1
flood1_end:
	ret

# --- TARGETS1: the 1000 targets of FLOOD1, in pages nothing else enters ---
	.align	PAGE_SIZE
targets1:
	.macro	tgt1
	rdpsw	s1
	j	collect
	.endm
	rep256	tgt1
	rep256	tgt1
	rep256	tgt1
	rep64	tgt1
	rep64	tgt1
	rep64	tgt1
	rep16	tgt1
	rep16	tgt1
	rep4	tgt1
	rep4	tgt1
targets1_end:
