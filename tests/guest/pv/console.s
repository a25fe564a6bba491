# pv/console.s - the paravirtualized guest OS's CONSOLE_WRITE
# (guestos/pv/priv.inc) on the buffers the guest OS never prints, under
# the VMM only (hcall is illegal on the bare machine, so tests/guest/run.sh
# does not run this folder; lab 5 grades it, labs/lab5-pv/tests):
#   - 1500 bytes, more than one HC_CONSOLE_WRITE prints (at most
#     VMM_HC_MAX_BATCH, 1024): the macro must go on from where it stopped;
#   - a buffer that runs past the end of RAM: the hypercall prints what
#     there is, then nothing; the macro must give up, not loop for ever.
# The expected output is console.vmm.expected.
	.include "test.inc"
	.include "../../../guestos/pv/priv.inc"

	.equ	LONG, 1500
	.equ	RAM_END, 0x01000000	# the default 16 MiB
	.equ	TAIL, 16		# bytes of the buffer below RAM_END

	.text
	.globl	_start
_start:
	test_init

	# 1500 bytes: 25 lines of 59 letters and a newline.
	la	t0, long_buf
	li	t1, LONG
	li	t2, 'a'
	li	t3, 59			# letters left in this line
1:	sb	t2, 0(t0)
	addi	t2, t2, 1
	li	a0, 'z' + 1
	bne	t2, a0, 2f
	li	t2, 'a'
2:	addi	t3, t3, -1
	bnez	t3, 3f
	addi	t0, t0, 1
	addi	t1, t1, -1
	li	a0, '\n'
	sb	a0, 0(t0)
	li	t3, 59
3:	addi	t0, t0, 1
	addi	t1, t1, -1
	bnez	t1, 1b
	la	a0, long_buf
	li	a1, LONG
	call	console_write
	la	a0, msg_long
	call	puts

	# The last TAIL bytes of RAM, then 84 that are not there.
	li	t0, RAM_END - TAIL
	la	t1, tail_text
	li	t2, TAIL
4:	lbu	t3, 0(t1)
	sb	t3, 0(t0)
	addi	t0, t0, 1
	addi	t1, t1, 1
	addi	t2, t2, -1
	bnez	t2, 4b
	li	a0, RAM_END - TAIL
	li	a1, TAIL + 84
	call	console_write
	la	a0, msg_tail
	call	puts
	test_done

# console_write(a0 = address, a1 = length): the guest OS's kwrite.
console_write:
	CONSOLE_WRITE
	ret

	.data
msg_long:	.asciz	"-- the 1500 bytes above: two hypercalls\n"
msg_tail:	.asciz	"-- a buffer past the end of RAM: what there is, and the macro returned\n"
tail_text:	.ascii	"end of the RAM.\n"
	.align	4
long_buf:	.space	LONG
	.align	4
	.text
