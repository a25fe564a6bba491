# hello.s - the smallest complete PG32 program: print a line on the
# console, then halt the machine through the test device.
#
#   bin/trapeze as examples/hello.s -o build/hello.elf
#   bin/trapeze run build/hello.elf

	.equ CONSOLE_TX, 0xF0000000	# a byte stored here is printed
	.equ TEST_EXIT,  0xF000F000	# a word stored here halts the machine

	.text
	.globl _start
_start:
	la	a0, message		# a0 walks the string
	li	t0, CONSOLE_TX
1:	lbu	t1, 0(a0)		# next byte; the string ends with 0
	beqz	t1, 2f
	sb	t1, 0(t0)		# print it
	addi	a0, a0, 1
	j	1b
2:	li	t0, TEST_EXIT
	sw	zero, 0(t0)		# halt with exit status 0

	.data
message:
	.asciz	"Hello from PG32!\n"
