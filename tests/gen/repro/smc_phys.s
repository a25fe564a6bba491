# smc_phys.s - found by tests/gen (fixed in ccfc17b): with paging off, a
# store of `rdtvec t2` into a slot of an already scanned code page, then a
# call to it.  Prints TVEC (the handler's address) natively; under
# --mode=leaky --vmm --patch it printed 0: undoing the page's patches left
# the paging-off shadow granting X, so the page was never scanned again
# and the rdtvec ran silently.  Digits print as 'a'+n.
#   trapeze as smc_phys.s -o s.elf && trapeze run --mode=leaky s.elf
#   trapeze run --mode=leaky --vmm --patch s.elf      # must print the same
	.text
	.globl _start
_start:
	la	t0, handler
	mtcr	tvec, t0
	li	t1, 0xde800000		# rdtvec t2 (opcode 0x37, rd = r10)
	la	t0, slot
	sw	t1, 0(t0)
	call	slot
	mv	a0, t2
	call	phex
	li	t0, 0xf000f000
	sw	zero, 0(t0)
handler:
	j	handler
slot:	nop
	ret
phex:	li	t0, 0xf0000000
	li	t3, 28
1:	srl	t1, a0, t3
	andi	t1, t1, 0xf
	addi	t1, t1, 'a'
	sb	t1, 0(t0)
	addi	t3, t3, -4
	bge	t3, zero, 1b
	li	t1, '\n'
	sb	t1, 0(t0)
	ret
