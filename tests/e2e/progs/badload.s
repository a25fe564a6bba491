# badload.s - a beginner's first fault: a load from an address where
# there is no memory, with no trap handler installed.  The double fault
# report must name the load (pc, symbol, badva), not only the handler.
	.text
_start:	li	t0, 0x40000000
	lw	t1, 0(t0)
	li	t0, 0xF000F000
	sw	zero, 0(t0)
