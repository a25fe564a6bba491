# pgfault.s - the page fault: user code stores to a page that is not
# mapped; the kernel maps it and returns; the store runs again and
# succeeds.  Each iteration touches a fresh page (FAULT_BASE + i * 4 KiB,
# all mapped to the one FAULT_FRAME), so each store faults once.
#
# Mapping a page that was not present needs no tlbinv: the TLB holds only
# translations that succeeded (isa/ISA.md, 7.5), so there is no stale
# entry to drop.  Under the VMM the fault costs more than one exit: the
# store exits (shadow miss; the VMM walks the guest's table, finds no
# page and reflects the fault), the handler's mfcr's and rfe exit, and
# the store's retry exits once more to fill the shadow.
# Check: the handler ran N times, the last store reached FAULT_FRAME
# (it wrote s0 = 1), and the walker set A and D in the last page's PTE.
	.include "nano.inc"

	.equ	LAST_PTE, FAULT_LEAVES + (N - 1) * 4

	.macro	BENCH_SETUP
	li	s2, FAULT_BASE
	.endm
	.macro	KERNEL_OP
	.endm
	.macro	USER_OP
	sw	s0, 0(s2)		# faults: the page is not mapped
	addi	s2, s2, PAGE_SIZE	# the next fresh page
	.endm
	.macro	CHECK
	li	t0, N
	bne	s1, t0, fail
	li	t0, FAULT_FRAME
	lw	t0, 0(t0)
	li	t1, 1
	bne	t0, t1, fail
	li	t0, LAST_PTE
	lw	t0, 0(t0)
	andi	t0, t0, PTE_A | PTE_D
	li	t1, PTE_A | PTE_D
	bne	t0, t1, fail
	.endm

	NANO_MAIN

# A store to a page that is not present: CAUSE = PAGE_FAULT, access
# STORE, present bit 0.  The PTE of page i is word i of FAULT_LEAVES.
trap:	READ_CAUSE t2
	li	t3, CAUSE_PAGE_FAULT | (CAUSE_ACCESS_STORE << CAUSE_ACCESS_SHIFT)
	bne	t2, t3, other_trap
	READ_BADVA t3
	li	t2, FAULT_BASE
	sub	t3, t3, t2
	srli	t3, t3, PAGE_SHIFT	# the page's number i
	slli	t3, t3, 2
	li	t2, FAULT_LEAVES
	add	t3, t3, t2		# its PTE
	li	t2, FAULT_FRAME | PTE_V | PTE_R | PTE_W | PTE_U
	sw	t2, 0(t3)
	addi	s1, s1, 1
	RETURN_TO_USER			# EPC is the store: it runs again
