# tvecunmapped.s - paging on, TVEC set to a page the page table does not
# map: the handler's fetch faults, a double fault ("not mapped").
	.text
_start:	li	t0, 0x10000		# the root table: entry 0 -> 0x11000
	li	t1, 0x11000 | 1		# V: a pointer to the next level
	sw	t1, 0(t0)
	li	t0, 0x11000		# the leaf table: VA 0x1000 -> PA 0x1000
	li	t1, 0x1000 | 0xb	# V R X, supervisor only
	sw	t1, 4(t0)
	li	t0, 0x5000		# TVEC: a page with no mapping
	mtcr	tvec, t0
	li	t0, 0x10000
	mtcr	ptbr, t0
	li	t0, 5			# PSW: supervisor, paging on
	mtcr	psw, t0
	syscall
