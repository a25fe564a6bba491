# exit_flood.s - a storm of exits, then an ordinary finish.
#
# preempt: first
#
# Tries: to swamp a trap-and-emulate monitor with exits: 100000 mtcr to
# SCRATCH and mfcr back, 100000 tlbinv, 20000 tlbflush each followed by a
# page touch (a shadow refill each time), 20000 device reads, 20000
# syscalls through its own handler, and 10000 divisions by zero.  A
# monitor must keep every exit exact and must not let the storm keep the
# CPU from its other VMs (the neighbour, a few million cycles long, must
# finish before this storm does).
# The bare machine: no exits at all -- just the instructions; every value
# comes out as computed, every trap is taken once, and the program ends.
	.include "attack.inc"

	.text
	.globl	_start
_start:
	test_init
	la	a0, str_start
	call	puts

	# --- 100000 mtcr/mfcr of SCRATCH ---
	li	s1, 100000
	li	s0, 0			# sum of what mfcr returns
	li	s2, 0
1:	mtcr	scratch, s2
	mfcr	t0, scratch
	add	s0, s0, t0
	addi	s2, s2, 1
	bne	s2, s1, 1b
	expect_eq s0, 0x2a052eb0, "100000 mtcr/mfcr scratch: the sum"
	mfcr	s0, scratch
	expect_eq s0, 99999, "  ... the last value written"

	# --- 100000 tlbinv and rdpsw-like mfcr psw ---
	paging_on
	li	s1, 100000
	li	s2, 0
	li	s3, 0
1:	tlbinv	s2
	mfcr	t0, psw
	add	s3, s3, t0
	addi	s2, s2, 1
	bne	s2, s1, 1b
	expect_eq s3, 500000, "100000 tlbinv + mfcr psw: psw = S|PG each time"

	# --- 20000 tlbflush, each followed by a store: refills ---
	li	s1, 20000
	li	s2, 0
	li	t1, FREE
1:	tlbflush
	sw	s2, 0(t1)
	addi	s2, s2, 1
	bne	s2, s1, 1b
	peek	s0, FREE
	expect_eq s0, 19999, "20000 tlbflush + store: the last store"

	# --- 20000 device reads (console STATUS: TXREADY) ---
	li	s1, 20000
	li	s0, 0
	li	t1, DEV_CONSOLE_BASE
1:	lw	t0, CONSOLE_STATUS(t1)
	andi	t0, t0, CONSOLE_STATUS_TXREADY
	add	s0, s0, t0
	addi	s1, s1, -1
	bnez	s1, 1b
	expect_eq s0, 40000, "20000 console STATUS reads: TXREADY each"

	# --- 20000 syscalls and 10000 divisions by zero ---
	la	t0, trap_count
	sw	zero, 0(t0)
	li	s1, 20000
1:	syscall
	addi	s1, s1, -1
	bnez	s1, 1b
	li	s1, 10000
	li	s0, 7
1:	div	s0, s0, zero
	addi	s1, s1, -1
	bnez	s1, 1b
	expect_mem trap_count, 30000, "30000 traps through its own handler"
	expect_mem trap_cause, CAUSE_DIVZERO, "  ... the last was DIVZERO"
	expect_eq s0, 7, "  ... which wrote no register"
	test_done

	.data
str_start:	.asciz	"storm starts\n"
