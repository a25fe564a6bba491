# runoff.s - the other beginner's mistake: no halt at the end, so the
# CPU runs on into the zeros after the code (ILLEGAL) with no handler.
	.text
_start:	li	a0, 1
	add	a0, a0, a0
