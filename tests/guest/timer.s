# timer.s - the timer interrupt: PERIOD and ACK, a pending interrupt taken
# right after the mtcr, wrpsw or rfe that sets IE (EPC = the next
# instruction), masking with IE = 0, wfi with IE = 0 and IE = 1.
	.include "test.inc"

	.equ	IRQ_CAUSE_TIMER, CAUSE_INTERRUPT | IRQ_TIMER

# timer_write REG, VALUE
	.macro	timer_write reg, value
	li	t0, DEV_TIMER_BASE
	li	t1, \value
	sw	t1, \reg(t0)
	.endm

	.macro	ie_on
	li	t0, PSW_MODE | PSW_IE
	mtcr	psw, t0
	.endm

	.macro	ie_off
	li	t0, PSW_MODE
	mtcr	psw, t0
	.endm

	.text
	.globl	_start
_start:
	test_init
	set_tvec tick

	# --- registers ---
	timer_write TIMER_PERIOD, 100
	li	t0, DEV_TIMER_BASE
	lw	s0, TIMER_PERIOD(t0)
	expect_eq s0, 100, "PERIOD reads back"
	li	t0, DEV_TIMER_BASE
	lw	s0, TIMER_ACK(t0)
	expect_eq s0, 0, "ACK reads 0"

	# --- wfi with IE = 0 waits for the line, then goes on; nothing taken ---
	timer_write TIMER_PERIOD, 50
	wfi
	expect_mem trap_count, 0, "wfi with IE = 0: no interrupt taken"

	# --- the line is pending: setting IE with mtcr takes it at once ---
	li	t0, PSW_MODE | PSW_IE
	mtcr	psw, t0
after_mtcr:
	nop
	expect_mem trap_count, 1, "mtcr psw, IE: interrupt taken"
	expect_mem trap_epc, after_mtcr, "  ... EPC = the instruction after mtcr"
	expect_mem trap_cause, IRQ_CAUSE_TIMER, "  ... CAUSE = interrupt | TIMER"
	expect_mem trap_badva, 0, "  ... BADVA = 0"
	expect_mem trap_epsw, PSW_MODE | PSW_IE, "  ... EPSW has IE = 1"
	expect_mem tick_psw, PSW_MODE, "  ... the handler runs with IE = 0"
	mfcr	s0, psw
	expect_eq s0, PSW_MODE, "the handler returned with IE = 0"

	# --- ACK clears the pending line ---
	timer_write TIMER_PERIOD, 1000
	wfi				# pending again
	timer_write TIMER_ACK, 1
	ie_on
	nop
	nop
	ie_off
	expect_mem trap_count, 1, "after ACK: nothing taken"

	# --- writing PERIOD clears it too ---
	wfi
	timer_write TIMER_PERIOD, 1000
	ie_on
	nop
	nop
	ie_off
	expect_mem trap_count, 1, "after a PERIOD write: nothing taken"

	# --- wrpsw setting IE: taken right after it ---
	wfi
	li	t0, PSW_MODE | PSW_IE
	wrpsw	t0
after_wrpsw:
	nop
	expect_mem trap_count, 2, "wrpsw IE: interrupt taken"
	expect_mem trap_epc, after_wrpsw, "  ... EPC = the instruction after wrpsw"

	# --- rfe setting IE: taken before the instruction at EPC ---
	wfi
	li	t0, PSW_MODE | PSW_IE
	mtcr	epsw, t0
	la	t0, rfe_target
	mtcr	epc, t0
	rfe
	nop				# skipped
rfe_target:
	nop
	expect_mem trap_count, 3, "rfe IE: interrupt taken"
	expect_mem trap_epc, rfe_target, "  ... EPC = the rfe's target"

	# --- wfi with IE = 1: the interrupt is taken, EPC after the wfi ---
	timer_write TIMER_PERIOD, 1000	# restarts the count, clears the line
	ie_on
	wfi
after_wfi:
	nop
	expect_mem trap_count, 4, "wfi with IE = 1: interrupt taken"
	expect_mem trap_epc, after_wfi, "  ... EPC = the instruction after wfi"

	# --- a periodic timer: five more ticks ---
	li	s1, 5
1:	ie_on
	wfi
	addi	s1, s1, -1
	bnez	s1, 1b
	expect_mem trap_count, 9, "five more ticks"
	timer_write TIMER_PERIOD, 0
	li	t0, DEV_TIMER_BASE
	lw	s0, TIMER_PERIOD(t0)
	expect_eq s0, 0, "timer off"

	test_done

# The timer handler: record the trap like the default handler, note the
# PSW it runs with, ACK the timer and return with IE = 0, so that the test
# decides when the next interrupt may come.  Anything but an interrupt goes
# to the default handler.
tick:	mtcr	scratch, t0
	mfcr	t0, cause
	blt	t0, zero, 1f
	mfcr	t0, scratch
	j	trap_default
1:	la	t0, trap_epc
	sw	t1, TR_SAVE_T1(t0)
	mfcr	t1, epc
	sw	t1, TR_EPC(t0)
	mfcr	t1, cause
	sw	t1, TR_CAUSE(t0)
	mfcr	t1, badva
	sw	t1, TR_BADVA(t0)
	mfcr	t1, epsw
	sw	t1, TR_EPSW(t0)
	lw	t1, TR_COUNT(t0)
	addi	t1, t1, 1
	sw	t1, TR_COUNT(t0)
	mfcr	t1, psw
	la	t0, tick_psw
	sw	t1, 0(t0)
	li	t1, DEV_TIMER_BASE
	sw	zero, TIMER_ACK(t1)
	mfcr	t1, epsw
	andi	t1, t1, PSW_MODE | PSW_PG	# IE off after rfe
	mtcr	epsw, t1
	la	t0, trap_epc
	lw	t1, TR_SAVE_T1(t0)
	mfcr	t0, scratch
	rfe

	.data
	.align	4
tick_psw: .word	0
