# patch_alias.s - a patched frame reached through other virtual pages,
# other permissions and the other mode.
#
# mode: leaky
#
# Tries: to use a monitor's patches where it does not expect them.  With
# paging on, frame K holds "rdpsw s1; ret; rdtvec s1; ret" and runs at
# window page 0 (so a monitor patches K).  Then K is reached through
# aliases: window page 1 (X only) runs it, from offset 0 and from offset
# 8 (never run before), with a CONSOLE_WRITE hypercall of "PWNED\n" armed
# in a0-a2; window page 2 (R only) reads it; a load from page 1 (no R)
# and stores to page 3 (R X, no W) must fault as the guest's PTEs say,
# though the monitor itself maps K differently; the A and D bits of the
# aliases' PTEs are set as the walker sets them.  Last, code that has run
# in supervisor mode (patched) runs in user mode, where the leaky
# machine's rdpsw shows MODE = 0, rdtvec still reads TVEC, and wrpsw
# ignores a change of MODE: the patch must act as the original would in
# the guest's user mode, not as a supervisor's instruction nor as an
# hcall from user mode.  And the A bit of window page 0's PTE: set by
# the fetches, cleared by the guest (with tlbinv), set again.
# The bare machine: every alias runs and reads K's words; rdpsw reads 5
# (MODE | PG) in supervisor mode and 4 (PG) in user mode, rdtvec the
# guest's TVEC; the load from page 1 and the stores to page 3 fault
# (CAUSE 0x507, 0x607); A is set on the R alias, A and D on a W alias.
	.include "patch.inc"

	.equ	K,	FREE + 0x3000
	.equ	RDPSW_S1, 0xd4000000 | (13 << 22)

	.text
	.globl	_start
_start:
	test_init
	copy_code code_k, K, 4
	paging_on
	win_map	0, K | LEAF
	win_map	1, K | PTE_V | PTE_X
	win_map	2, K | PTE_V | PTE_R
	win_map	3, K | PTE_V | PTE_R | PTE_X
	win_map	4, K | PTE_V | PTE_R | PTE_W

	call_win 0
	expect_eq s1, PSW_SUPER_PG, "K at window page 0: rdpsw reads the supervisor PSW"
	peek	s1, L_WIN
	expect_eq s1, K | LEAF | PTE_A, "  ... and its PTE has A (fetched), no D"
	win_map	0, K | LEAF		# A cleared, and tlbinv
	call_win 8
	expect_eq s1, trap_default, "A cleared: K's rdtvec (offset 8) reads the guest's TVEC"
	peek	s1, L_WIN
	expect_eq s1, K | LEAF | PTE_A, "  ... and the fetch sets A again"

	# --- run through the X-only alias ---
	call_win PAGE_SIZE
	expect_eq s1, PSW_SUPER_PG, "K through an X-only alias: rdpsw reads the supervisor PSW"
	expect_eq s2, HC_CONSOLE_WRITE, "  ... a0 untouched (no hypercall served)"
	call_win PAGE_SIZE + 8
	expect_eq s1, trap_default, "  ... from offset 8: rdtvec reads the guest's TVEC"
	expect_eq s2, HC_CONSOLE_WRITE, "  ... a0 untouched"

	# --- read through the R-only alias ---
	li	t0, WIN + 2 * PAGE_SIZE
	lw	s1, 0(t0)
	expect_eq s1, RDPSW_S1, "K through an R-only alias loads rdpsw s1"
	peek	s1, L_WIN + 2 * 4
	expect_eq s1, K | PTE_V | PTE_R | PTE_A, "  ... and the alias's PTE has A"

	# --- the guest's own permissions ---
	clear_trap
	li	t0, WIN + PAGE_SIZE
	li	s1, 0x1234
	lw	s1, 0(t0)		# faults: skipped, s1 stays
	expect_trap PFP_LOAD, WIN + PAGE_SIZE, "a load from the X-only alias"
	expect_eq s1, 0x1234, "  ... loads nothing"
	clear_trap
	li	t0, WIN + 3 * PAGE_SIZE
	li	t1, 0x11111111
	sw	t1, 0(t0)		# faults
	expect_trap PFP_STORE, WIN + 3 * PAGE_SIZE, "a store over rdpsw through the R X alias"
	clear_trap
	li	t0, WIN + 3 * PAGE_SIZE + 0x100
	li	t1, 0x22222222
	sw	t1, 0(t0)		# faults
	expect_trap PFP_STORE, WIN + 3 * PAGE_SIZE + 0x100, "a store beside the code through the R X alias"
	peek	s1, K
	expect_eq s1, RDPSW_S1, "  ... K's first word is still rdpsw s1"
	peek	s1, K + 0x100
	expect_eq s1, 0, "  ... and K + 0x100 still 0"
	peek	s1, L_WIN + 3 * 4
	expect_eq s1, K | PTE_V | PTE_R | PTE_X, "  ... and the R X alias's PTE has neither A nor D"
	li	t0, WIN + 4 * PAGE_SIZE + 0x100
	li	t1, 0x33333333
	sw	t1, 0(t0)		# a store beside the code, allowed
	peek	s1, K + 0x100
	expect_eq s1, 0x33333333, "a store beside the code through the R W alias lands"
	peek	s1, L_WIN + 4 * 4
	expect_eq s1, K | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D, "  ... and its PTE has A and D"
	call_win 0
	expect_eq s1, PSW_SUPER_PG, "  ... and K still runs: rdpsw reads the supervisor PSW"
	expect_eq s2, HC_CONSOLE_WRITE, "  ... a0 untouched"

	# --- patched code run in supervisor mode, then in user mode ---
	li	s1, 0
	li	s2, 0
	li	s3, 0
	set_recover back_super
	j	u_code
back_super:
	expect_eq s1, PSW_SUPER_PG, "U in supervisor mode: rdpsw reads MODE | PG"
	expect_eq s2, trap_default, "  ... rdtvec reads the guest's TVEC"
	expect_eq s3, PSW_SUPER_PG, "  ... wrpsw MODE | PG, then rdpsw: MODE | PG"
	li	s1, 0
	li	s2, 0
	li	s3, 0
	clear_trap
	set_recover back_user
	la	t0, u_code
	mtcr	epc, t0
	li	t0, PSW_PG		# user mode, paging on
	mtcr	epsw, t0
	rfe
back_user:
	expect_eq s1, PSW_PG, "U in user mode: rdpsw reads PG (MODE = 0)"
	expect_eq s2, trap_default, "  ... rdtvec reads the guest's TVEC"
	expect_eq s3, PSW_PG, "  ... wrpsw MODE | PG is ignored: rdpsw reads PG"
	expect_trap CAUSE_BREAK, 0, "  ... and U ends with its break"
	test_done

# K's code, copied at run time.
code_k:	rdpsw	s1
	ret
	rdtvec	s1
	ret

# U: runs to a break, which the trap handler takes back to set_recover.
	.align	PAGE_SIZE
u_code:	rdpsw	s1
	rdtvec	s2
	li	t0, PSW_MODE | PSW_PG
	wrpsw	t0
	rdpsw	s3
	break
