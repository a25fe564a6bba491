# patch_jump_faults.s - computed jumps and rfe to where no code can be.
#
# mode: leaky
#
# Tries: a monitor emulates a patched jalr (and rfe) and scans from where
# it lands; make it land where the fetch must fault, and see that the
# jump still happened as on the machine (rd written) and that the fault
# is the machine's: jalr to a target not a multiple of 4, past RAM, in
# device space; jalr t0, 4(t0) (the target is computed before t0 is
# written); with paging on, jalr to an unmapped page, and from user mode
# to a page without U; rfe to an EPC not a multiple of 4 and past RAM.
# The bare machine (isa/ISA.md 4.4, 6.2): the jump completes, rd = the
# jalr's address + 4; then the fetch at the target traps with EPC =
# BADVA = the target: MISALIGNED (6), BUS_ERROR (8) past RAM and in
# device space, PAGE_FAULT 0x007 unmapped, 0x407 without U.
	.include "patch.inc"

	.equ	K,	FREE + 0x1000	# a code frame: "rdpsw s1; ret"

# jalr_fault TARGET: set a recovery point, s1 = 0, "jalr ra, 0(t0)" to
# TARGET; after the trap s2 = ra as the jalr left it, s3 = its address + 4.
	.macro	jalr_fault target
	clear_trap
	set_recover __jf_back\@
	li	s1, 0
	li	t0, \target
__jf_jalr\@:
	jalr	ra, 0(t0)
__jf_back\@:
	mv	s2, ra
	la	s3, __jf_jalr\@ + 4
	.endm

# fault_at TARGET, CAUSE, "name": the last trap was CAUSE at TARGET:
# BADVA = EPC = TARGET.
	.macro	fault_at target, cause, name
	expect_trap \cause, \target, \name
	expect_mem trap_epc, \target, "  ... EPC = the target"
	.endm

	.text
	.globl	_start
_start:
	test_init
	call	code_page		# the target page has run: patched

	# --- paging off ---
	jalr_fault code_page + 2
	fault_at code_page + 2, CAUSE_MISALIGNED, "jalr to a target + 2"
	sub	s2, s2, s3
	expect_eq s2, 0, "  ... ra = the jalr + 4"
	jalr_fault RAM_SIZE
	fault_at RAM_SIZE, BUSERR, "jalr past RAM"
	sub	s2, s2, s3
	expect_eq s2, 0, "  ... ra = the jalr + 4"
	jalr_fault DEV_CONSOLE_BASE
	fault_at DEV_CONSOLE_BASE, BUSERR, "jalr to the console's page"
	sub	s2, s2, s3
	expect_eq s2, 0, "  ... ra = the jalr + 4"

	la	t0, t0_landing - 4
t0_jalr:
	jalr	t0, 4(t0)		# to t0_landing, t0 = t0_jalr + 4
after_t0:
	expect_eq s1, PSW_SUPER, "jalr t0, 4(t0) lands on rdpsw: supervisor PSW"
	expect_eq s2, t0_jalr + 4, "  ... and t0 = the jalr + 4"

	# --- rfe ---
	clear_trap
	set_recover rfe_back1
	la	t0, code_page + 2
	mtcr	epc, t0
	li	t0, PSW_MODE
	mtcr	epsw, t0
	rfe
rfe_back1:
	fault_at code_page + 2, CAUSE_MISALIGNED, "rfe to EPC = a target + 2"
	clear_trap
	set_recover rfe_back2
	li	t0, RAM_SIZE
	mtcr	epc, t0
	li	t0, PSW_MODE
	mtcr	epsw, t0
	rfe
rfe_back2:
	fault_at RAM_SIZE, BUSERR, "rfe to EPC past RAM"

	# --- paging on ---
	copy_code code_k, K, 2
	paging_on
	win_map	0, K | PTE_V | PTE_R | PTE_X	# no U
	win_map	1, 0				# unmapped
	li	s1, 0
	li	t0, WIN
	jalr	ra, 0(t0)
	expect_eq s1, PSW_SUPER_PG, "K runs at the window (supervisor, no U): rdpsw"
	jalr_fault WIN + PAGE_SIZE
	fault_at WIN + PAGE_SIZE, PF_FETCH, "jalr to an unmapped page"
	sub	s2, s2, s3
	expect_eq s2, 0, "  ... ra = the jalr + 4"
	jalr_fault WIN + 2
	fault_at WIN + 2, CAUSE_MISALIGNED, "jalr to the window + 2"

	# user mode: jalr from U code to K, which has no U
	clear_trap
	set_recover user_back
	li	s1, 0
	li	t0, WIN
	la	t1, user_jalr
	mtcr	epc, t1
	li	t1, PSW_PG
	mtcr	epsw, t1
	rfe
user_back:
	mv	s2, ra
	fault_at WIN, PFP_FETCH, "user jalr to a page without U"
	expect_eq s1, 0, "  ... K's rdpsw never ran"
	expect_eq s2, user_jalr + 4, "  ... and ra = the jalr + 4"
	test_done

# user_jalr: runs in user mode, jumps to t0; the trap's recovery keeps
# ra in s2.
user_jalr:
	jalr	ra, 0(t0)
	j	user_jalr		# not reached

# The page the jumps aim into (it has run, so a monitor has patched it).
	.align	PAGE_SIZE
code_page:
	rdpsw	s1
	ret
t0_landing:
	rdpsw	s1
	mv	s2, t0
	j	after_t0

code_k:	rdpsw	s1
	ret
