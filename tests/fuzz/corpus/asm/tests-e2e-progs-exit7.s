# exit7.s - halts with status 7.
	.text
_start:	li	t0, 0xF000F000
	li	t1, 7
	sw	t1, 0(t0)
