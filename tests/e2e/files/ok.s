# ok.s - assembles cleanly: `trapeze as ok.s -o ok.elf` prints nothing.
	.text
_start:	li	t0, 0xF000F000
	sw	zero, 0(t0)
