# nested_trap.s - faults inside the trap handler (not on its first
# instruction), and wfi with interrupts off.
#
# Tries: a handler whose second part touches memory past RAM (BUS_ERROR)
# and then makes a misaligned load (MISALIGNED) while it handles a trap,
# with paging off and on: the nested trap overwrites EPC, EPSW, CAUSE and
# BADVA, which a monitor must reflect exactly as the hardware would, not
# take for a double fault; then wfi with IE = 0 and the timer running.
# The bare machine: a trap in the handler is an ordinary trap: EPC = the
# handler's faulting instruction, EPSW = the handler's PSW (supervisor,
# IE = 0, PG as it was); only a trap on the handler's first instruction
# stops the machine.  wfi with IE = 0 waits until TIMER is pending and
# goes on without taking it.
	.include "attack.inc"

	.text
	.globl	_start
_start:
	test_init
	set_tvec nest
	call	round
	expect_eq s0, 3, "paging off: three nested traps"
	expect_mem n_epc, nest_bus, "  ... the first nested trap's EPC: the handler's load"
	expect_mem n_epsw, PSW_MODE, "  ... its EPSW: supervisor, IE off, PG off"
	expect_mem n_cause, CAUSE_BUS_ERROR, "  ... its CAUSE"
	expect_mem n_badva, RAM_SIZE + 0x40, "  ... its BADVA"
	expect_mem m_epc, nest_mis, "the second nested trap's EPC"
	expect_mem m_cause, CAUSE_MISALIGNED, "  ... its CAUSE"
	expect_mem m_badva, FREE + 2, "  ... its BADVA"

	paging_on
	set_tvec nest
	call	round
	expect_eq s0, 3, "paging on: three nested traps"
	expect_mem n_epsw, PSW_MODE | PSW_PG, "  ... EPSW: supervisor, IE off, PG on"
	expect_mem m_epc, nest_mis, "  ... the second's EPC"
	paging_off

	# --- wfi with IE = 0: wakes, takes nothing ---
	test_init
	li	t0, DEV_TIMER_BASE
	li	t1, 5000
	sw	t1, TIMER_PERIOD(t0)
	wfi
	sw	zero, TIMER_PERIOD(t0)
	expect_mem trap_count, 0, "wfi with IE = 0 returns once TIMER is pending, no trap"
	test_done

# round: s0 = 0; a break, whose handling nests a BUS_ERROR and then a
# MISALIGNED trap; the last level returns here.
round:	mv	s3, ra
	li	s0, 0
	la	t0, stage
	sw	zero, 0(t0)
	break
back:	mv	ra, s3
	ret

# nest: stage 0 (the break): go on to a load past RAM.  Stage 1 (the
# BUS_ERROR, nested): note it, misaligned load.  Stage 2 (the MISALIGNED,
# nested): note it and return to `back`, supervisor.
nest:	addi	s0, s0, 1		# first instruction: cannot fault
	la	t0, stage
	lw	t1, 0(t0)
	addi	t2, t1, 1
	sw	t2, 0(t0)
	bnez	t1, 1f
	li	t0, RAM_SIZE
nest_bus:
	lw	t1, 0x40(t0)		# BUS_ERROR inside the handler
1:	li	t2, 1
	bne	t1, t2, 2f
	la	t0, n_epc
	call	note
	li	t0, FREE
nest_mis:
	lw	t1, 2(t0)		# MISALIGNED inside the handler
2:	la	t0, m_epc
	call	note
	la	t0, back
	mtcr	epc, t0
	mfcr	t0, epsw
	ori	t0, t0, PSW_MODE
	mtcr	epsw, t0
	rfe

# note(t0 = a record): EPC, EPSW, CAUSE, BADVA into it.
note:	mfcr	t1, epc
	sw	t1, 0(t0)
	mfcr	t1, epsw
	sw	t1, 4(t0)
	mfcr	t1, cause
	sw	t1, 8(t0)
	mfcr	t1, badva
	sw	t1, 12(t0)
	ret

	.data
	.align	4
stage:	.word	0
n_epc:	.word	0
n_epsw:	.word	0
n_cause: .word	0
n_badva: .word	0
m_epc:	.word	0
m_epsw:	.word	0
m_cause: .word	0
m_badva: .word	0
