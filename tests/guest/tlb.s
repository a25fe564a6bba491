# tlb.s - the TLB caches translations: a changed PTE is not seen until
# tlbinv, tlbflush or a write to PTBR; a removed entry keeps working until
# then; A is set when an entry is filled, D on the first store even through
# a cached entry; permissions are checked on every access, in the current
# mode, against the cached flags.
#
# ISA.md says a stale entry *may* survive; whether it does depends on the
# TLB.  trapeze's has 256 entries, direct-mapped by VA[19:12], so the test
# pages sit at VA[19:12] = 0xa0 and 0xa1, where nothing else the test
# touches (code, data, stack, page tables, device pages) can evict them.
	.include "test.inc"

	.equ	ROOT,	0x100000
	.equ	L_LOW,	0x101000	# identity map of VA 0..4 MiB
	.equ	L_TEST,	0x102000	# VA 0x400000..
	.equ	L_DEV,	0x103000
	.equ	FA,	0x200000	# two frames with different contents
	.equ	FB,	0x201000
	.equ	VA,	0x4a0000	# the page whose PTE we change
	.equ	VA2,	0x4a1000	# another page
	.equ	PTE_VA,	L_TEST + 0xa0 * 4
	.equ	PTE_VA2, L_TEST + 0xa1 * 4
	.equ	LEAF,	PTE_V | PTE_R | PTE_W | PTE_X | PTE_U
	.equ	RWU,	PTE_V | PTE_R | PTE_W | PTE_U

	.macro	pte_set addr, value
	li	t0, \addr
	li	t1, \value
	sw	t1, 0(t0)
	.endm

	.text
	.globl	_start
_start:
	test_init

	zero_words ROOT, L_DEV + PAGE_SIZE
	identity_4m L_LOW, LEAF
	pte_set	ROOT + 0 * 4, L_LOW | PTE_V
	pte_set	ROOT + 1 * 4, L_TEST | PTE_V
	pte_set	ROOT + 0x3c0 * 4, L_DEV | PTE_V
	pte_set	L_DEV + 0 * 4, DEV_CONSOLE_BASE | RWU
	pte_set	L_DEV + 15 * 4, DEV_TEST_BASE | RWU
	pte_set	PTE_VA, FA | RWU
	pte_set	PTE_VA2, FB | RWU
	pte_set	FA, 0xaaaa
	pte_set	FB, 0xbbbb

	li	t0, ROOT
	mtcr	ptbr, t0
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0

	# --- a stale entry survives until tlbinv ---
	li	s1, VA
	lw	s0, 0(s1)
	expect_eq s0, 0xaaaa, "VA reads frame A"
	pte_set	PTE_VA, FB | RWU
	li	s1, VA
	lw	s0, 0(s1)
	expect_eq s0, 0xaaaa, "PTE changed, no flush: still frame A"
	li	t0, VA2			# another page's tlbinv does not help
	tlbinv	t0
	li	s1, VA
	lw	s0, 0(s1)
	expect_eq s0, 0xaaaa, "tlbinv of another page: still frame A"
	li	t0, VA + 0x123		# any address inside the page
	tlbinv	t0
	li	s1, VA
	lw	s0, 0(s1)
	expect_eq s0, 0xbbbb, "after tlbinv: frame B"

	# --- ... or until tlbflush ---
	pte_set	PTE_VA, FA | RWU
	li	s1, VA
	lw	s0, 0(s1)
	expect_eq s0, 0xbbbb, "changed back, no flush: still frame B"
	tlbflush
	lw	s0, 0(s1)
	expect_eq s0, 0xaaaa, "after tlbflush: frame A"

	# --- ... or until PTBR is written (even with the same value) ---
	pte_set	PTE_VA, FB | RWU
	li	s1, VA
	lw	s0, 0(s1)
	expect_eq s0, 0xaaaa, "changed again, no flush: still frame A"
	li	t0, ROOT
	mtcr	ptbr, t0
	lw	s0, 0(s1)
	expect_eq s0, 0xbbbb, "after mtcr ptbr: frame B"

	# --- a removed entry still works until tlbinv ---
	pte_set	PTE_VA, 0
	li	s1, VA
	lw	s0, 0(s1)
	expect_eq s0, 0xbbbb, "PTE removed, no flush: still mapped"
	tlbinv	s1
	expect_mem trap_count, 0, "no trap so far"
	li	s0, 0
	lw	s0, 0(s1)
	expect_trap CAUSE_PAGE_FAULT | (CAUSE_ACCESS_LOAD << CAUSE_ACCESS_SHIFT), VA, "after tlbinv: unmapped"

	# --- A: set when the entry is filled, not again on hits ---
	pte_set	PTE_VA, FA | RWU
	tlbinv	s1
	li	s1, VA
	lw	s0, 0(s1)
	li	t0, PTE_VA
	lw	s0, 0(t0)
	expect_eq s0, FA | RWU | PTE_A, "fill sets A"
	pte_set	PTE_VA, FA | RWU	# software clears A ...
	li	s1, VA
	lw	s0, 0(s1)
	li	t0, PTE_VA
	lw	s0, 0(t0)
	expect_eq s0, FA | RWU, "a TLB hit does not set A again"
	tlbinv	s1			# ... and must tlbinv to see it again
	lw	s0, 0(s1)
	li	t0, PTE_VA
	lw	s0, 0(t0)
	expect_eq s0, FA | RWU | PTE_A, "after tlbinv the next access sets A"

	# --- D: the first store sets it, even through a cached entry ---
	li	s2, 0xd1d1
	sw	s2, 4(s1)
	li	t0, PTE_VA
	lw	s0, 0(t0)
	expect_eq s0, FA | RWU | PTE_A | PTE_D, "first store sets D through a cached entry"

	# --- permissions are checked on each access against the cached flags ---
	pte_set	PTE_VA2, FB | PTE_V | PTE_R | PTE_W	# supervisor only
	li	t0, VA2
	tlbinv	t0
	li	s1, VA2
	lw	s0, 0(s1)		# supervisor: allowed, and now cached
	expect_eq s0, 0xbbbb, "supervisor load fills the entry"
	li	t0, PSW_PG		# user mode, paging on
	mtcr	epsw, t0
	la	t0, user
	mtcr	epc, t0
	rfe
user:	li	s1, VA2
	lw	s0, 0(s1)		# user: the cached entry has U = 0
	expect_trap CAUSE_PAGE_FAULT | CAUSE_PRESENT | (CAUSE_ACCESS_LOAD << CAUSE_ACCESS_SHIFT), VA2, "user load through a cached supervisor entry"
	set_recover super
	syscall
super:	mfcr	s0, psw
	expect_eq s0, PSW_MODE | PSW_PG, "back in supervisor mode"
	li	t0, PSW_MODE
	mtcr	psw, t0

	test_done
