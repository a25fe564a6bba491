# patch_timer_sweep.s - the timer against patched code, one cycle at a
# time.
#
# mode: leaky
#
# Tries: to catch a monitor taking an interrupt at another instruction
# than the machine when the instructions around it are patched (wrpsw
# turning IE on and off, rdpsw, rdtvec) or emulated (loads from the
# patched page, stores beside its code).  For each delay d = 0..45 the
# timer is set to fire d + 1 cycles later, with IE off, and SEQ runs:
# 40 instructions where IE goes on and off, then IE on and nops.  The
# interrupt is taken at the first boundary with IE = 1 at or after the
# deadline; the handler stops the timer and records EPC.  The guest
# prints, for each d, EPC's offset in SEQ.
# The bare machine: the offsets it prints are in NAME.expected; they
# climb with d, and only ever land where IE is 1.
	.include "patch.inc"

	.equ	TIMER,	DEV_TIMER_BASE
	.equ	DELAYS,	46

	.text
	.globl	_start
_start:
	test_init
	set_tvec timer_handler
	li	s1, PSW_MODE		# IE off
	li	s2, PSW_MODE | PSW_IE	# IE on
	call	seq_entry		# SEQ's page runs once: patched
	li	s3, 0			# d
	li	s0, 0			# interrupts taken inside SEQ
1:	mtcr	psw, s1
	la	t0, taken
	sw	zero, 0(t0)
	li	t0, TIMER
	addi	t1, s3, 1
	sw	t1, TIMER_PERIOD(t0)
	call	seq
	mtcr	psw, s1
	la	a0, str_d
	call	puts
	mv	a0, s3
	call	print_dec
	la	a0, str_at
	call	puts
	la	t0, taken
	lw	a0, 4(t0)
	la	t0, seq
	sub	a0, a0, t0
	sltiu	t1, a0, seq_end - seq	# inside SEQ?
	add	s0, s0, t1
	call	print_dec
	li	a0, '\n'
	call	putc
	addi	s3, s3, 1
	li	t0, DELAYS
	bne	s3, t0, 1b
	set_tvec trap_default
	expect_eq s0, DELAYS, "46 delays swept, each interrupt taken inside SEQ"
	test_done

# timer_handler: taken = 1, its EPC; the timer stops (and its line drops).
timer_handler:
	mtcr	scratch, t0
	la	t0, taken
	sw	t1, 8(t0)
	li	t1, 1
	sw	t1, 0(t0)
	mfcr	t1, epc
	sw	t1, 4(t0)
	li	t1, TIMER
	sw	zero, TIMER_PERIOD(t1)
	lw	t1, 8(t0)
	mfcr	t0, scratch
	rfe

	.data
taken:	.word	0, 0, 0		# taken?, EPC, the handler's t1
str_d:	.asciz	"delay "
str_at:	.asciz	": EPC = SEQ + "
	.align	4

	.text
	.align	PAGE_SIZE
seq_entry:
	ret
# SEQ(s1 = PSW with IE off, s2 = with IE on): IE on and off between
# patched and emulated instructions, then on for good.
seq:
	wrpsw	s2
	nop
	rdpsw	a0
	wrpsw	s1
	nop
	nop
	wrpsw	s2
	la	t0, seq_data
	lw	a1, 0(t0)		# a load from the patched page
	wrpsw	s1
	sw	a1, 4(t0)		# a store beside the code
	wrpsw	s2
	rdtvec	a0
	rdtvec	a0
	wrpsw	s1
	lw	a1, -4(t0)		# the word before seq_data: code
	wrpsw	s2
	sw	a1, 8(t0)
	sw	a1, 12(t0)
	wrpsw	s1
	rdpsw	a0
	wrpsw	s2
	wrpsw	s1
	wrpsw	s2
	nop
	wrpsw	s1
	mul	a0, a0, a0
	wrpsw	s2
	mul	a0, a0, a0
	lw	a1, 0(t0)
	wrpsw	s1
	nop
	wrpsw	s2
	nop
	nop
	nop
	nop
	nop
	nop
	ret
seq_end:
	.word	0xd4000000		# rdpsw zero, as data
seq_data:
	.word	0x12345678, 0, 0, 0
