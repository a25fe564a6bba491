# redpill.s - on the leaky machine rdtvec reads the real TVEC; under the
# VMM that is not the guest's.  For --lockstep to find the difference.
	.text
_start:
	la	t0, handler
	mtcr	tvec, t0
	rdtvec	a0
	li	t1, 0xF000F000
	sw	zero, 0(t1)
handler:
	j	handler
