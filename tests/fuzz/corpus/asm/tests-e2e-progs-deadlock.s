# deadlock.s - waits for an interrupt that nothing can raise.
	.text
_start:	nop
	wfi
	li	t0, 0xF000F000
	sw	zero, 0(t0)
