# 01-loop.s - the first rung: a loop that adds 1 + 2 + ... + N and prints
# the sum.  Nothing here is privileged: the program runs in supervisor
# mode with paging off (the boot state, isa/ISA.md section 9), uses
# registers, a branch and the console.  Under the VMM (`--vmm`) it runs
# in real user mode and only its stores to the console leave the CPU: each
# is a world switch to the VMM, which emulates the device (chapter 3).
#
#   bin/trapeze run -I build/include examples/01-loop.s
#   bin/trapeze run -I build/include --vmm --stats examples/01-loop.s

	.include "print.inc"

	.equ	N, 100

	.text
	.globl	_start
_start:
	la	sp, stack_top		# print_dec and say use call/ret
	li	s0, 0			# s0: the sum so far
	li	s1, N			# s1: the next number to add, N down to 1
loop:	add	s0, s0, s1
	addi	s1, s1, -1
	bnez	s1, loop		# 100 times round, no trap, no exit

	say	"sum of 1.."
	li	a0, N
	call	print_dec
	say	" = "
	mv	a0, s0
	call	print_dec		# N * (N + 1) / 2 = 5050
	li	a0, '\n'
	call	putc
	halt

	.data
	.space	1024
stack_top:
