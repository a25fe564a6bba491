# patch_cycles.s - the guest's clock through patches, emulated loads and
# stores, and scans.
#
# mode: leaky
#
# Tries: to see the monitor's work on the guest's own clock.  Each
# measure is "rdcycle t2; X; rdcycle t3", and X is: a patched rdpsw,
# rdtvec, wrpsw; a load from a patched page; a store beside the code in
# a scanned page and a store over one of its instructions; a call into a
# page that never ran (its scan) and a computed call.  Then the timer:
# it fires every 3000 cycles while a loop runs patched instructions and
# loads and stores to its own page, one of them over an instruction
# (rdtvec stored over itself, so the page is scanned again each time);
# the handler counts the loop's rounds
# at each of 5 interrupts.
# The bare machine (the cost model of isa/ISA.md section 12): rdcycle
# reads the count before it retires, so t3 - t2 is 1 + the cost of X:
# 2 for one plain instruction, 3 for a call and its ret, 7 for a call of
# the five instructions of the patched page; the rounds at
# each interrupt are the bare machine's (an interrupt is taken at the
# first boundary at or past each multiple of 3000 cycles).
	.include "patch.inc"

	.equ	TIMER,	DEV_TIMER_BASE
	.equ	PERIOD,	3000
	.equ	TICKS,	5

# t_start; X; t_check WANT, "name": s1 = the cycles from the rdcycle
# before X to the one after it, checked against WANT (t2, t3 used).
	.macro	t_start
	rdcycle	t2
	.endm
	.macro	t_check want, name
	rdcycle	t3
	sub	s1, t3, t2
	expect_eq s1, \want, \name
	.endm

	.text
	.globl	_start
_start:
	test_init
	call	c_page			# the page runs once: scanned, patched
	t_start
	rdpsw s0
	t_check 2, "rdpsw: 1 cycle"
	t_start
	rdtvec s0
	t_check 2, "rdtvec: 1 cycle"
	li	t0, PSW_MODE
	t_start
	wrpsw t0
	t_check 2, "wrpsw: 1 cycle"
	la	t0, c_page
	t_start
	lw s0, 0(t0)
	t_check 2, "a load from a patched page: 1 cycle"
	expect_eq s0, RDPSW_WORD, "  ... it reads rdpsw s2"
	la	t0, c_data
	li	t1, 0x77
	t_start
	sw t1, 0(t0)
	t_check 2, "a store beside the code in a scanned page: 1 cycle"
	la	t0, c_page + 4
	la	t1, c_page + 4
	lw	t1, 0(t1)
	t_start
	sw t1, 0(t0)
	t_check 2, "a store over an instruction of a scanned page: 1 cycle"
	t_start
	call fresh_page
	t_check 3, "a call into a page that never ran: 2 cycles"
	t_start
	call fresh_page
	t_check 3, "  ... and again: 2 cycles"
	la	t0, c_page
	t_start
	jalr ra, 0(t0)
	t_check 7, "a computed call of the patched page (5 instructions): 6 cycles"

	# --- the timer, over patched code ---
	set_tvec timer_handler
	li	s3, 0			# rounds
	li	t0, TIMER
	li	t1, PERIOD
	sw	t1, TIMER_PERIOD(t0)
	li	t0, PSW_MODE | PSW_IE
	mtcr	psw, t0
1:	call	c_page
	la	t0, c_data
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	la	t0, c_page + 4		# rdtvec s2, stored over itself:
	lw	t1, 0(t0)		# a monitor undoes the page's patches
	sw	t1, 0(t0)		# and scans it again at the next call
	addi	s3, s3, 1
	la	t0, ticks
	lw	t0, 0(t0)
	li	t1, TICKS
	bne	t0, t1, 1b
	li	t0, PSW_MODE
	mtcr	psw, t0
	li	t0, TIMER
	sw	zero, TIMER_PERIOD(t0)
	set_tvec trap_default
	expect_mem rounds + 0, 143, "tick 1: 143 rounds done"
	expect_mem rounds + 4, 284, "tick 2: 284 rounds done"
	expect_mem rounds + 8, 425, "tick 3: 425 rounds done"
	expect_mem rounds + 12, 566, "tick 4: 566 rounds done"
	expect_mem rounds + 16, 707, "tick 5: 707 rounds done"
	test_done

# timer_handler: record s3 (the rounds so far) for this tick, ack.
timer_handler:
	mtcr	scratch, t0
	la	t0, ticks
	sw	t1, 4 + 4 * TICKS(t0)	# t1 saved after rounds[]
	lw	t1, 0(t0)
	slli	t1, t1, 2
	add	t1, t1, t0
	sw	s3, 4(t1)		# rounds[tick] = s3
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	li	t1, TIMER
	sw	zero, TIMER_ACK(t1)
	lw	t1, 4 + 4 * TICKS(t0)
	mfcr	t0, scratch
	rfe

	.equ	RDPSW_WORD, 0xd4000000 | (14 << 22)

	.align	PAGE_SIZE
c_page:	rdpsw	s2
	rdtvec	s2
	li	t3, PSW_MODE | PSW_IE
	wrpsw	t3
	ret
	.align	16
c_data:	.word	0

	.align	PAGE_SIZE
fresh_page:
	ret

	.data
ticks:	.word	0
rounds:	.space	4 * TICKS
	.word	0			# the handler's t1
