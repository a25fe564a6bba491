# loop.s - never halts: --max-cycles must stop it.
	.text
_start:	li	t0, 0
loop:	j	loop
