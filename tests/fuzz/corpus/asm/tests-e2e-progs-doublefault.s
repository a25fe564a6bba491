# doublefault.s - TVEC points at unbacked memory, then a trap: the fetch
# of the handler's first instruction faults, a double fault.
	.text
_start:	li	t0, 0xE0000000
	mtcr	tvec, t0
	break
	li	t0, 0xF000F000
	sw	zero, 0(t0)
