# exit1ff.s - halts with status 0x1ff: trapeze run exits with its low 8 bits.
	.text
_start:	li	t0, 0xF000F000
	li	t1, 0x1ff
	sw	t1, 0(t0)
