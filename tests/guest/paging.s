# paging.s - the two-level page table: build one, turn PG on, and check
# translation, the U/R/W/X rules in both modes, page-fault CAUSE values
# (access and present bits) and BADVA, the A and D bits as the walker
# writes them into the PTEs, malformed entries and unbacked tables.
	.include "test.inc"

# Physical layout (all below 4 MiB, so the identity map reaches it).
	.equ	ROOT,	0x100000	# root table
	.equ	L_LOW,	0x101000	# leaf table: VA 0..4 MiB, identity
	.equ	L_TEST,	0x102000	# leaf table: VA 0x400000.., the test pages
	.equ	L_DEV,	0x103000	# leaf table: VA 0xf0000000.., devices
	.equ	F_RW,	0x200000	# frames behind the test pages
	.equ	F_RO,	0x201000
	.equ	F_WO,	0x202000
	.equ	F_X,	0x203000
	.equ	F_RW2,	0x204000

# Test pages: VA 0x400000 + n * 4 KiB is entry n of L_TEST.
	.equ	VA_RW,	0x400000	# V R W U        -> F_RW
	.equ	VA_RO,	0x401000	# V R U          -> F_RO
	.equ	VA_BAD,	0x402000	# V only: a malformed leaf
	.equ	VA_NP,	0x403000	# not present
	.equ	VA_WO,	0x404000	# V W U          -> F_WO
	.equ	VA_SUP,	0x405000	# V R W X (no U) -> F_RW
	.equ	VA_XO,	0x406000	# V X U          -> F_X
	.equ	VA_RW2,	0x407000	# V R W U        -> F_RW2
	.equ	VA_BADROOT, 0x800000	# root entry 2: R set, malformed
	.equ	VA_NOROOT, 0xc00000	# root entry 3: not present
	.equ	VA_BUSROOT, 0x1000000	# root entry 4: leaf table outside RAM

	.equ	LEAF,	PTE_V | PTE_R | PTE_W | PTE_X | PTE_U

# CAUSE values of page faults.
	.equ	PF,	CAUSE_PAGE_FAULT
	.equ	PF_FETCH, PF | (CAUSE_ACCESS_FETCH << CAUSE_ACCESS_SHIFT)
	.equ	PF_LOAD, PF | (CAUSE_ACCESS_LOAD << CAUSE_ACCESS_SHIFT)
	.equ	PF_STORE, PF | (CAUSE_ACCESS_STORE << CAUSE_ACCESS_SHIFT)

# pte_set TABLE, INDEX, VALUE: TABLE[INDEX] = VALUE (PG off).
	.macro	pte_set table, index, value
	li	t0, \table + (\index) * 4
	li	t1, \value
	sw	t1, 0(t0)
	.endm

	.text
	.globl	_start
_start:
	test_init

	# --- build the tables with paging off ---
	zero_words ROOT, L_DEV + PAGE_SIZE	# ROOT and the three leaf tables
	identity_4m L_LOW, LEAF			# the low 4 MiB
	pte_set	ROOT, 0, L_LOW | PTE_V
	pte_set	ROOT, 1, L_TEST | PTE_V
	pte_set	ROOT, 2, L_TEST | PTE_V | PTE_R
	pte_set	ROOT, 4, 0xe0000000 | PTE_V
	pte_set	ROOT, 0x3c0, L_DEV | PTE_V
	pte_set	L_DEV, 0, DEV_CONSOLE_BASE | PTE_V | PTE_R | PTE_W | PTE_U
	pte_set	L_DEV, 15, DEV_TEST_BASE | PTE_V | PTE_R | PTE_W | PTE_U
	pte_set	L_TEST, 0, F_RW | PTE_V | PTE_R | PTE_W | PTE_U
	pte_set	L_TEST, 1, F_RO | PTE_V | PTE_R | PTE_U
	pte_set	L_TEST, 2, F_RW | PTE_V
	pte_set	L_TEST, 4, F_WO | PTE_V | PTE_W | PTE_U
	pte_set	L_TEST, 5, F_RW | PTE_V | PTE_R | PTE_W | PTE_X
	pte_set	L_TEST, 6, F_X | PTE_V | PTE_X | PTE_U
	pte_set	L_TEST, 7, F_RW2 | PTE_V | PTE_R | PTE_W | PTE_U
	li	t0, F_RO
	li	t1, 0x11111111
	sw	t1, 0(t0)
	la	t0, xo_code		# the exec-only page holds "ret"
	lw	t1, 0(t0)
	li	t0, F_X
	sw	t1, 0(t0)

	# --- paging on, still in supervisor mode ---
	li	t0, ROOT
	mtcr	ptbr, t0
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0
	mfcr	s0, psw			# fetched through the identity map
	expect_eq s0, PSW_MODE | PSW_PG, "paging on"

	# --- translation: VA_RW is frame F_RW ---
	li	s1, VA_RW
	li	s2, 0xabcd
	sw	s2, 0(s1)
	li	s1, F_RW		# the same frame through the identity map
	lw	s0, 0(s1)
	expect_eq s0, 0xabcd, "store through VA_RW lands in F_RW"
	li	s1, L_TEST + 0 * 4
	lw	s0, 0(s1)
	expect_eq s0, F_RW | PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D, "store sets A and D"

	# --- a store to a read-only page: a protection fault, no A ---
	li	s1, VA_RO
	li	s2, 0x2222
	sw	s2, 4(s1)
	expect_trap PF_STORE | CAUSE_PRESENT, VA_RO + 4, "store to read-only page"
	li	s1, L_TEST + 1 * 4
	lw	s0, 0(s1)
	expect_eq s0, F_RO | PTE_V | PTE_R | PTE_U, "a faulting store sets no A"
	li	s1, VA_RO
	lw	s0, 0(s1)
	expect_eq s0, 0x11111111, "load from read-only page"
	li	s1, L_TEST + 1 * 4
	lw	s0, 0(s1)
	expect_eq s0, F_RO | PTE_V | PTE_R | PTE_U | PTE_A, "load sets A, not D"
	li	s1, F_RO + 4
	lw	s0, 0(s1)
	expect_eq s0, 0, "the faulting store wrote nothing"

	# --- D on the first store after a load ---
	li	s1, VA_RW2
	lw	s0, 0(s1)
	li	s1, L_TEST + 7 * 4
	lw	s0, 0(s1)
	expect_eq s0, F_RW2 | PTE_V | PTE_R | PTE_W | PTE_U | PTE_A, "load: A only"
	li	s1, VA_RW2
	sw	s1, 0(s1)
	li	s1, L_TEST + 7 * 4
	lw	s0, 0(s1)
	expect_eq s0, F_RW2 | PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D, "then store: D too"

	# --- W does not imply R ---
	li	s1, VA_WO
	li	s0, 0x77
	lw	s0, 8(s1)
	expect_trap PF_LOAD | CAUSE_PRESENT, VA_WO + 8, "load from write-only page"
	expect_eq s0, 0x77, "faulting load: rd not written"
	li	s1, L_TEST + 4 * 4
	lw	s0, 0(s1)
	expect_eq s0, F_WO | PTE_V | PTE_W | PTE_U, "a faulting load sets no A"
	li	s1, VA_WO
	li	s2, 0x3333
	sw	s2, 8(s1)
	li	s1, F_WO + 8
	lw	s0, 0(s1)
	expect_eq s0, 0x3333, "store to write-only page"

	# --- X does not imply R; an exec-only page runs ---
	li	s1, VA_XO
	lw	s0, 0(s1)
	expect_trap PF_LOAD | CAUSE_PRESENT, VA_XO, "load from exec-only page"
	li	s0, 0
	li	t0, VA_XO
	jalr	ra, 0(t0)		# runs the "ret" there
	li	s0, 1
	expect_eq s0, 1, "call into exec-only page returns"
	li	s1, L_TEST + 6 * 4
	lw	s0, 0(s1)
	expect_eq s0, F_X | PTE_V | PTE_X | PTE_U | PTE_A, "fetch sets A"

	# --- not present, malformed, unbacked ---
	li	s1, VA_NP
	lw	s0, 0(s1)
	expect_trap PF_LOAD, VA_NP, "load from unmapped page"
	sw	s0, 12(s1)
	expect_trap PF_STORE, VA_NP + 12, "store to unmapped page"
	lw	s0, 2(s1)
	expect_trap CAUSE_MISALIGNED, VA_NP + 2, "misaligned beats unmapped"
	li	s1, VA_BAD
	lw	s0, 0(s1)
	expect_trap PF_LOAD | CAUSE_PRESENT, VA_BAD, "leaf with R=W=X=0 is malformed"
	li	s1, L_TEST + 2 * 4
	lw	s0, 0(s1)
	expect_eq s0, F_RW | PTE_V, "malformed leaf: no A"
	li	s1, VA_BADROOT + 0x10
	lw	s0, 0(s1)
	expect_trap PF_LOAD | CAUSE_PRESENT, VA_BADROOT + 0x10, "root entry with R is malformed"
	li	s1, VA_NOROOT
	sw	s0, 0(s1)
	expect_trap PF_STORE, VA_NOROOT, "root entry not present"
	li	s1, VA_BUSROOT + 0x24
	lw	s0, 0(s1)
	expect_trap CAUSE_BUS_ERROR, VA_BUSROOT + 0x24, "leaf table outside RAM"

	# --- fetch faults: EPC = BADVA = the target ---
	set_recover fetch1
	li	t0, VA_NP
	jalr	ra, 0(t0)
fetch1:	expect_trap PF_FETCH, VA_NP, "fetch from unmapped page"
	expect_mem trap_epc, VA_NP, "fetch from unmapped page: EPC"
	set_recover fetch2
	li	t0, VA_RW + 0x40
	jalr	ra, 0(t0)
fetch2:	expect_trap PF_FETCH | CAUSE_PRESENT, VA_RW + 0x40, "fetch from page without X"

	# --- supervisor may use U pages: done above (VA_RW has U) ---

	# --- user mode with paging: U is required ---
	li	t0, PSW_PG		# MODE = 0, PG = 1
	mtcr	epsw, t0
	la	t0, user
	mtcr	epc, t0
	rfe

user:	li	s1, VA_RW
	lw	s0, 0(s1)
	expect_eq s0, 0xabcd, "user load from U page"
	li	s1, VA_SUP
	lw	s0, 0(s1)
	expect_trap PF_LOAD | CAUSE_PRESENT, VA_SUP, "user load from supervisor page"
	sw	s0, 4(s1)
	expect_trap PF_STORE | CAUSE_PRESENT, VA_SUP + 4, "user store to supervisor page"
	li	s1, VA_RO
	sw	s0, 0(s1)
	expect_trap PF_STORE | CAUSE_PRESENT, VA_RO, "user store to read-only page"
	li	s1, VA_NP
	lw	s0, 0(s1)
	expect_trap PF_LOAD, VA_NP, "user load from unmapped page"
	expect_mem trap_epsw, PSW_PG, "EPSW: user mode, paging on"
	set_recover super
	li	t0, VA_SUP
	jalr	ra, 0(t0)
	j	super

super:	expect_trap PF_FETCH | CAUSE_PRESENT, VA_SUP, "user fetch from supervisor page"
	expect_mem trap_epc, VA_SUP, "user fetch: EPC"
	mfcr	s0, psw
	expect_eq s0, PSW_MODE | PSW_PG, "back in supervisor mode, PG unchanged"

	li	t0, PSW_MODE		# paging off
	mtcr	psw, t0
	li	s1, VA_RW		# now a physical address: plain RAM
	lw	s0, 0(s1)
	expect_eq s0, 0, "paging off: VA_RW is physical again"

	test_done

xo_code:
	ret
