# tvecodd.s - TVEC not a multiple of 4: no instruction starts there, so
# the handler's fetch faults, a double fault ("not a multiple of 4").
	.text
_start:	li	t0, 0x1002
	mtcr	tvec, t0
	break
