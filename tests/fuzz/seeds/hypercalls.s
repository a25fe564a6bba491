# hypercalls.s - a seed for fuzz_vmm: every hypercall once, with arguments
# the VMM accepts, so that mutations start from calls it serves; random
# words seldom put a valid number in a0 before an hcall.  Under the VMM it
# prints "hc!" and halts with status 0; on the bare machine the first
# hcall is illegal and the handler halts with status 1.
	.include "pg32.inc"

	.text
	.globl	_start
_start:	la	t0, handler
	mtcr	tvec, t0
	li	a0, HC_VERSION
	hcall
	li	a0, HC_GET_PSW
	hcall
	mv	s0, a0
	li	a0, HC_IRQ_SAVE_DISABLE
	hcall
	li	a0, HC_SET_PSW
	mv	a1, s0
	hcall
	li	a0, HC_SET_TVEC
	la	a1, handler
	hcall
	li	a0, HC_GET_CR
	li	a1, CR_TVEC
	hcall
	li	a0, HC_MMU_UPDATE	# two PTEs of the root table
	la	a1, updates
	li	a2, 2
	hcall
	li	a0, HC_SET_PTBR
	la	a1, root
	hcall
	li	a0, HC_TLB_FLUSH
	hcall
	li	a0, HC_TLB_INV
	li	a1, 0x1000
	hcall
	li	a0, HC_CONSOLE_WRITE
	la	a1, msg
	li	a2, 3
	hcall
	li	t0, DEV_TIMER_BASE	# a tick to wake the idle VM
	li	t1, 300
	sw	t1, TIMER_PERIOD(t0)
	li	a0, HC_IDLE
	hcall
	sw	zero, TIMER_PERIOD(t0)
	li	a0, HC_SET_CR		# rfe returns to done
	li	a1, CR_EPC
	la	a2, done
	hcall
	li	a0, HC_RFE
	la	a1, frame
	hcall
done:	li	t0, DEV_TEST_BASE
	sw	zero, TEST_EXIT(t0)

handler: li	t0, DEV_TEST_BASE
	li	t1, 1
	sw	t1, TEST_EXIT(t0)

	.data
	.align	4096
root:	.space	4096
updates: .word	root, 0x00000000 | PTE_V
	.word	root + 4, 0x00001000 | PTE_V | PTE_R | PTE_X
frame:	.word	0, 0, 0
msg:	.ascii	"hc!"
