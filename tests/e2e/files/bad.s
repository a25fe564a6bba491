# bad.s - three errors; `trapeze as` must report each and write nothing.
	.text
_start:	addi	a0, a0, 1
	ad	a0, a0, a1
	addi	a0, a0, 70000
	beq	a0, a1, nowhere
