# idle.s - waits for timer ticks forever: --max-cycles must stop it in
# the middle of a wait, at the wfi, natively and under the VMM alike.
	.equ	TIMER_PERIOD, 0xF0001000
	.equ	TIMER_ACK, 0xF0001004
	.text
_start:	li	t0, TIMER_PERIOD
	li	t1, 5000
	sw	t1, 0(t0)
	li	t0, TIMER_ACK
idle:	wfi
	sw	zero, 0(t0)
	j	idle
