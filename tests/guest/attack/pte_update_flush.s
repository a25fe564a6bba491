# pte_update_flush.s - change PTEs while paging is on, then flush.
#
# Tries: to make the monitor use a stale translation after the guest has
# done what the architecture asks (tlbinv of the page, tlbflush, or a
# PTBR write): retarget a page to another frame, remove it, downgrade
# and upgrade its permissions, take U away from user mode, swap a whole
# leaf table under a root entry, switch between two address spaces.
# tlbinv is given an address inside the page, not its start.
# The bare machine: after the flush, the new entry is used -- the new
# frame's data, the new fault, the new permission; without the flush a
# stale entry MAY survive, which this test never relies on.
	.include "attack.inc"

	.equ	F1,	FREE
	.equ	F2,	FREE + 0x1000
	.equ	F3,	FREE + 0x2000
	.equ	F4,	FREE + 0x3000
	.equ	L_B,	FREE + 0x10000	# another leaf table for the window
	.equ	ROOT2,	FREE + 0x11000	# a second address space
	.equ	VA,	WIN + 0x3000
	.equ	PTE,	L_WIN + 3 * 4

	.text
	.globl	_start
_start:
	test_init
	poke	F1, 0x11111111
	poke	F2, 0x22222222
	poke	F3, 0x33333333
	poke	F4, 0x44444444
	paging_on

	li	s1, VA
	win_map	3, F1 | RWU
	lw	s0, 0(s1)
	expect_eq s0, 0x11111111, "VA -> F1"
	poke	PTE, F2 | RWU
	li	t0, VA + 0x567		# inside the page
	tlbinv	t0
	lw	s0, 0(s1)
	expect_eq s0, 0x22222222, "retarget to F2, tlbinv: F2"
	poke	PTE, F3 | RWU
	tlbflush
	lw	s0, 0(s1)
	expect_eq s0, 0x33333333, "retarget to F3, tlbflush: F3"
	poke	PTE, F4 | RWU
	li	t0, ROOT
	mtcr	ptbr, t0		# the same root: the write flushes
	lw	s0, 0(s1)
	expect_eq s0, 0x44444444, "retarget to F4, PTBR write: F4"

	# --- removed ---
	poke	PTE, 0
	tlbinv	s1
	lw	s0, 0(s1)
	expect_trap PF_LOAD, VA, "removed, tlbinv: not present"

	# --- read-only, then writable again ---
	poke	PTE, F1 | PTE_V | PTE_R | PTE_U
	tlbinv	s1
	li	t0, 0x5555
	sw	t0, 4(s1)
	expect_trap PFP_STORE, VA + 4, "made read-only: the store faults"
	peek	s0, F1 + 4
	expect_eq s0, 0, "  ... and wrote nothing"
	poke	PTE, F1 | RWU
	tlbinv	s1
	li	t0, 0x6666
	sw	t0, 4(s1)
	peek	s0, F1 + 4
	expect_eq s0, 0x6666, "made writable: the store lands"
	peek	s0, PTE
	expect_eq s0, F1 | RWU | PTE_A | PTE_D, "  ... A and D"

	# --- D cleared by software, then a store: D again ---
	poke	PTE, F1 | RWU | PTE_A
	tlbinv	s1
	lw	s0, 0(s1)
	peek	s0, PTE
	expect_eq s0, F1 | RWU | PTE_A, "D cleared, a load: no D"
	sw	s0, 8(s1)
	peek	s0, PTE
	expect_eq s0, F1 | RWU | PTE_A | PTE_D, "  ... then a store: D"

	# --- execute permission taken away ---
	la	t0, ret_word
	lw	t0, 0(t0)
	li	t1, F2 + 0x100
	sw	t0, 0(t1)		# F2 + 0x100 holds "ret"
	poke	PTE, F2 | PTE_V | PTE_X
	tlbinv	s1
	clear_trap
	li	t0, VA + 0x100
	jalr	ra, 0(t0)
	expect_mem trap_cause, 0, "executable: the call returns"
	poke	PTE, F2 | PTE_V | PTE_R
	tlbinv	s1
	set_recover back1
	li	t0, VA + 0x100
	jalr	ra, 0(t0)
back1:	expect_trap PFP_FETCH, VA + 0x100, "X taken away, tlbinv: fetch faults"

	# --- U taken away while user mode uses the page ---
	poke	PTE, F3 | RWU
	tlbinv	s1
	li	t0, PSW_PG
	mtcr	epsw, t0
	la	t0, user
	mtcr	epc, t0
	rfe
user:	li	s1, VA
	lw	s0, 0(s1)
	expect_eq s0, 0x33333333, "user reads a U page"
	set_recover super
	break
super:	poke	PTE, F3 | RW
	tlbinv	s1
	li	t0, PSW_PG
	mtcr	epsw, t0
	la	t0, user2
	mtcr	epc, t0
	rfe
user2:	li	s1, VA
	lw	s0, 0(s1)
	expect_trap PFP_LOAD, VA, "U taken away, tlbinv: user load faults"
	set_recover super2
	break
super2:
	# --- a whole leaf table swapped under the root entry ---
	li	t0, L_B
	li	t1, L_B + PAGE_SIZE
1:	sw	zero, 0(t0)
	addi	t0, t0, 4
	bne	t0, t1, 1b
	poke	L_B + 3 * 4, F4 | RWU
	poke	ROOT + WIN_INDEX * 4, L_B | PTE_V
	tlbflush
	li	s1, VA
	lw	s0, 0(s1)
	expect_eq s0, 0x44444444, "leaf table swapped, tlbflush: the new one"
	li	s1, VA + PAGE_SIZE
	lw	s0, 0(s1)
	expect_trap PF_LOAD, VA + PAGE_SIZE, "  ... its empty entries are not present"

	# --- two address spaces: ROOT2 = ROOT but the window -> L_WIN ---
	li	t0, ROOT
	li	t1, ROOT2
	li	t2, PAGE_SIZE / 4
1:	lw	t3, 0(t0)
	sw	t3, 0(t1)
	addi	t0, t0, 4
	addi	t1, t1, 4
	addi	t2, t2, -1
	bnez	t2, 1b
	poke	ROOT2 + WIN_INDEX * 4, L_WIN | PTE_V
	poke	PTE, F2 | RWU
	li	s2, 0			# wrong reads
	li	s3, 100			# switches
2:	li	t0, ROOT2
	mtcr	ptbr, t0
	li	t0, VA
	lw	t1, 0(t0)
	li	t2, 0x22222222
	beq	t1, t2, 3f
	addi	s2, s2, 1
3:	li	t0, ROOT
	mtcr	ptbr, t0
	li	t0, VA
	lw	t1, 0(t0)
	li	t2, 0x44444444
	beq	t1, t2, 4f
	addi	s2, s2, 1
4:	addi	s3, s3, -1
	bnez	s3, 2b
	expect_eq s2, 0, "100 switches between two address spaces: each sees its own"
	test_done

ret_word:
	ret
