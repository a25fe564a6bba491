# patch_wrpsw.s - what a patched wrpsw changes takes effect at once.
#
# mode: leaky
#
# Tries: to catch a monitor emulating wrpsw (behind its patch) a little
# late or a little wrong.  In supervisor mode, wrpsw writes MODE, IE and
# PG, and the new PSW holds from the very next instruction:
#   - wrpsw setting IE while the timer is pending: the interrupt is taken
#     before the next instruction (EPC = the instruction after wrpsw);
#   - wrpsw clearing PG while running at the window (which maps the same
#     frame as the identity map elsewhere): the next fetch is physical,
#     at 0x4000xxxx, past RAM: BUS_ERROR on the fetch of that very word;
#   - wrpsw zero with paging off: user mode, where RAM is still reached
#     unchecked, rdpsw reads 0 and mfcr traps PRIV;
#   - wrpsw clearing PG and setting it again from the identity map: rdpsw
#     reads 1, then 5;
#   - wrpsw clearing MODE: the next instruction runs in user mode, so an
#     mfcr there traps PRIV, and an rdpsw before it reads MODE = 0.
# The bare machine: as above, with TVEC the guest's handler: EPC of the
# timer interrupt = the instruction after wrpsw; the fetch fault has
# CAUSE 8, BADVA = EPC = the word after the wrpsw at the window; the
# user-mode rdpsw reads 4 (PG) and the mfcr traps PRIV.
	.include "patch.inc"

	.equ	TIMER,	DEV_TIMER_BASE
	.equ	F,	FREE + 0x4000	# the window's frame: a copy of W

	.text
	.globl	_start
_start:
	test_init

	# --- wrpsw IE with the timer pending ---
	set_tvec timer_handler
	li	t0, TIMER
	li	t1, 20
	sw	t1, TIMER_PERIOD(t0)	# pending 20 cycles from now
	li	t0, 100
1:	addi	t0, t0, -1
	bnez	t0, 1b			# 200 cycles, IE off: pending
	li	t0, PSW_MODE | PSW_IE
	wrpsw	t0
after_wrpsw:
	li	t0, PSW_MODE
	wrpsw	t0
	set_tvec trap_default
	expect_mem timer_epc, after_wrpsw, "wrpsw sets IE: the pending timer interrupts at the next instruction"
	expect_mem timer_count, 1, "  ... once"

	# --- wrpsw zero, paging off: user mode with physical addresses ---
	clear_trap
	set_recover back_zero
	li	s1, 0x77
	li	s2, 0
	wrpsw	zero
	rdpsw	s1
	la	t0, marker
	lw	s2, 0(t0)		# user mode, PG off: RAM unchecked
	mfcr	t0, psw			# PRIV
back_zero:
	expect_eq s1, 0, "wrpsw zero: rdpsw reads 0 (user mode, paging off)"
	expect_eq s2, 0x600d, "  ... a load in user mode with paging off reads RAM"
	expect_trap CAUSE_PRIV, 0, "  ... and mfcr traps PRIV"

	# --- wrpsw PG off and on, from the identity map ---
	paging_on
	li	t0, PSW_MODE
	wrpsw	t0
	rdpsw	s1
	li	t0, PSW_MODE | PSW_PG
	wrpsw	t0
	rdpsw	s2
	expect_eq s1, PSW_SUPER, "wrpsw PG off: rdpsw reads MODE"
	expect_eq s2, PSW_SUPER_PG, "wrpsw PG on again: rdpsw reads MODE | PG"

	# --- wrpsw PG off while running at the window ---
	copy_code code_w, F, 3
	win_map	0, F | LEAF
	clear_trap
	set_recover back_w
	li	a0, PSW_MODE
	li	s1, 0
	li	t0, WIN
	jr	t0			# W: wrpsw a0; li s1, 0x5a; ...
back_w:
	expect_trap BUSERR, WIN + 4, "wrpsw PG off at the window: the next fetch is physical"
	expect_mem trap_epc, WIN + 4, "  ... EPC = the word after the wrpsw"
	expect_eq s1, 0, "  ... and that word never ran"
	li	t0, PSW_MODE | PSW_PG	# the recovery kept PG off: on again
	mtcr	psw, t0

	# --- wrpsw MODE off: user mode from the next instruction ---
	clear_trap
	set_recover back_user
	li	s1, 0
	li	t0, PSW_PG
	wrpsw	t0
	rdpsw	s1
	mfcr	s2, psw			# PRIV in user mode
	j	back_user		# not reached
back_user:
	expect_eq s1, PSW_PG, "wrpsw MODE off: rdpsw reads PG (user mode)"
	expect_trap CAUSE_PRIV, 0, "  ... and mfcr traps PRIV"
	test_done

# W: wrpsw to a0, then mark s1 (copied to F, run at the window).
code_w:	wrpsw	a0
	li	s1, 0x5a
	ret

# timer_handler: count, record EPC, stop the timer (which drops the line).
# It changes t1: the code it interrupts (after_wrpsw) does not use t1.
timer_handler:
	mtcr	scratch, t0
	la	t0, timer_count
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	mfcr	t1, epc
	sw	t1, 4(t0)
	li	t0, TIMER
	sw	zero, TIMER_PERIOD(t0)
	mfcr	t0, scratch
	rfe

	.data
marker:	.word	0x600d
timer_count: .word 0
timer_epc:   .word 0
