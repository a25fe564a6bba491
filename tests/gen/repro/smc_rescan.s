# smc_rescan.s - found by tests/gen (fixed in ccfc17b): a store into a
# scanned code page made the VMM forget the page's other entry points:
# code reached by falling through from the previous page was never scanned
# again, and its rdtvec ran unpatched (printed 0 under --mode=leaky --vmm
# --patch instead of TVEC).  Run as smc_phys.s says.
# Paging on (identity map), so the shadows are the paged ones.
	.text
	.globl _start
_start:
	la	t0, handler
	mtcr	tvec, t0
	li	t0, 0x101000		# leaf: identity map of 0..4 MiB, V R W X
	li	t1, 0x0f
	li	t2, 1024
1:	sw	t1, 0(t0)
	addi	t0, t0, 4
	li	t3, 0x1000
	add	t1, t1, t3
	addi	t2, t2, -1
	bnez	t2, 1b
	li	t0, 0x102000		# leaf for the devices at 0xf0000000
	li	t1, 0xf0000007		# console: V R W
	sw	t1, 0(t0)
	li	t1, 0xf000f007		# test device
	sw	t1, 60(t0)
	li	t0, 0x100000		# root
	li	t1, 0x101001
	sw	t1, 0(t0)
	li	t1, 0x102001
	sw	t1, 0x3c0*4(t0)
	mtcr	ptbr, t0
	li	t0, 5			# MODE | PG
	mtcr	psw, t0
	li	t1, 0x44000000		# nop, into the slot in the next page
	la	t0, slot
	sw	t1, 0(t0)
	call	slot
	j	on
	.org	0x1ffc
on:	nop				# falls through into the next page
	rdtvec	t2			# 0x2000
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
