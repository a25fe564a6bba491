# trapit.s - one of each kind of VM exit a tiny kernel makes: a privileged
# instruction (mtcr, mfcr, rfe: emulated), a syscall (reflected into its
# own handler), a device store (mmio), and the first touch of each page
# (shadow fills).  Halts with status 5, the syscall's argument.
	.equ	TEST_EXIT, 0xF000F000

	.text
	.globl	_start
_start:	la	t0, handler
	mtcr	tvec, t0
	li	a0, 5
	syscall
	li	t0, TEST_EXIT
	sw	a0, 0(t0)

# The trap handler: skip the syscall (EPC + 4) and return.
handler:
	mfcr	t1, epc
	addi	t1, t1, 4
	mtcr	epc, t1
	rfe
