# primes.s - the CPU-bound program: count the primes below LIMIT by trial
# division.  It never makes a system call while it computes, so it runs
# until the timer preempts it — a few hundred times.

# --- usys.inc
# usys.inc - the guestos system call numbers.  Shared by the kernel
# (guestos/syscall.s) and the user library (guestos/user/ulib.inc), so the
# two can never disagree.  Only .equ lines and one macro (no code): safe
# to include anywhere.
#
# Convention: number in a0, arguments in a1..a3, `syscall`, result in a0.
# A negative result (-1) means the call failed.

	.equ	SYS_WRITE,  1	# write(buf, len) -> len, or -1: bytes to the console
	.equ	SYS_EXIT,   2	# exit(status): never returns
	.equ	SYS_GETPID, 3	# getpid() -> this process's id (1, 2, ...)
	.equ	SYS_YIELD,  4	# yield() -> 0: go to the back of the run queue
	.equ	SYS_SLEEP,  5	# sleep(ticks) -> 0, or -1 if ticks < 0
	.equ	SYS_SBRK,   6	# sbrk(n) -> the old break, or -1: grow the heap
	.equ	NSYSCALLS,  7	# numbers are 1 .. NSYSCALLS - 1

# The user address space (see guestos/README.md for the picture).
	.equ	USER_BASE,  0x00400000	# programs are linked here (.org)
	.equ	STACK_TOP,  0x7fff0000	# sp starts here and grows down

# PRINT "text": add a string literal to the current line (see print_str
# in ulib.inc; a "\n" at its end sends the line).  Clobbers a0..a3, t0..t3.
	.macro	PRINT str
	.data
9:	.asciz	\str
	.text
	la	a0, 9b
	call	print_str
	.endm
	.equ	LIMIT, 12000
	.equ	EVERY, 300		# report every EVERY-th prime

	.text
	.org	USER_BASE
	.globl	_start
_start:
	PRINT	"[primes] counting the primes below 12000\n"
	li	s0, 2			# s0 = the candidate
	li	s1, 0			# s1 = primes found
1:	mv	a0, s0
	call	is_prime
	beqz	a0, 2f
	addi	s1, s1, 1
	li	t0, EVERY
	remu	t0, s1, t0
	bnez	t0, 2f
	PRINT	"[primes] prime number "	# "[primes] prime number 300 is 1987"
	mv	a0, s1
	call	print_dec
	PRINT	" is "
	mv	a0, s0
	call	print_dec
	PRINT	"\n"
2:	addi	s0, s0, 1
	li	t0, LIMIT
	bltu	s0, t0, 1b

	PRINT	"[primes] done: "
	mv	a0, s1
	call	print_dec
	PRINT	" primes below 12000\n"
	li	a0, 0
	call	exit

# is_prime(a0 = n >= 2) -> 1 if n is prime, else 0.
is_prime:
	li	t0, 2
	beq	a0, t0, 3f		# 2 is prime
	andi	t1, a0, 1
	beqz	t1, 4f			# other even numbers are not
	li	t0, 3			# try the odd divisors d with d*d <= n
1:	mul	t1, t0, t0
	bltu	a0, t1, 3f
	remu	t1, a0, t0
	beqz	t1, 4f
	addi	t0, t0, 2
	j	1b
3:	li	a0, 1
	ret
4:	li	a0, 0
	ret

# --- ulib.inc
# ulib.inc - the guestos user library: system call wrappers and line
# printing.  A program includes it at the END of its .text (after its
# own code), the way a linker would append a library:
#
#	.include "usys.inc"	# at the top: numbers and macros, no code
#	.text
#	.org	USER_BASE
#   _start: ...
#	.include "ulib.inc"	# at the bottom: the routines
#
# The wrappers take C-style arguments (a0, a1, ...) and shift them into
# the kernel's convention (number in a0, arguments in a1..a3).
#
# Printing collects a line in a buffer and hands it to the kernel with
# ONE write when the line ends ('\n'), so lines of different processes
# never mix on the console even when the timer preempts mid-line.

	.text

# write(a0 = buf, a1 = len) -> len, or -1
write:
	mv	a2, a1
	mv	a1, a0
	li	a0, SYS_WRITE
	syscall
	ret

# exit(a0 = status): never returns
exit:
	mv	a1, a0
	li	a0, SYS_EXIT
	syscall
	break				# not reached

# getpid() -> pid
getpid:
	li	a0, SYS_GETPID
	syscall
	ret

# yield() -> 0
yield:
	li	a0, SYS_YIELD
	syscall
	ret

# sleep(a0 = ticks) -> 0
sleep:
	mv	a1, a0
	li	a0, SYS_SLEEP
	syscall
	ret

# sbrk(a0 = n) -> the old break, or -1
sbrk:
	mv	a1, a0
	li	a0, SYS_SBRK
	syscall
	ret

# print_char(a0 = byte): add it to the line; a '\n' (or a full buffer)
# sends the line.
print_char:
	la	t0, ulib_linelen
	lw	t1, 0(t0)
	la	t2, ulib_linebuf
	add	t2, t2, t1
	sb	a0, 0(t2)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	li	t2, '\n'
	beq	a0, t2, print_flush	# (a tail call: it returns for us)
	li	t2, ULIB_LINE_MAX
	beq	t1, t2, print_flush
	ret

# print_flush(): write out what the line buffer holds.
print_flush:
	la	t0, ulib_linelen
	lw	a2, 0(t0)
	beqz	a2, 1f
	sw	zero, 0(t0)
	la	a1, ulib_linebuf
	li	a0, SYS_WRITE
	syscall
1:	ret

# print_str(a0 = NUL-terminated string)
print_str:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	s0, 8(sp)
	mv	s0, a0
1:	lbu	a0, 0(s0)
	beqz	a0, 2f
	call	print_char
	addi	s0, s0, 1
	j	1b
2:	lw	s0, 8(sp)
	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

# print_dec(a0 = value): signed decimal
print_dec:
	addi	sp, sp, -32		# 16 bytes of digits, then ra
	sw	ra, 28(sp)
	bgez	a0, 1f
	sub	a0, zero, a0
	sw	a0, 24(sp)
	li	a0, '-'
	call	print_char
	lw	a0, 24(sp)
1:	addi	t2, sp, 15		# digits backwards from the buffer's end
	sb	zero, 0(t2)
	li	t1, 10
2:	remu	t0, a0, t1
	addi	t0, t0, '0'
	addi	t2, t2, -1
	sb	t0, 0(t2)
	divu	a0, a0, t1
	bnez	a0, 2b
	mv	a0, t2
	call	print_str
	lw	ra, 28(sp)
	addi	sp, sp, 32
	ret

# print_hex(a0 = value): "0x" and 8 hex digits
print_hex:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	s0, 8(sp)
	sw	s1, 4(sp)
	mv	s0, a0
	li	a0, '0'
	call	print_char
	li	a0, 'x'
	call	print_char
	li	s1, 28
1:	srl	a0, s0, s1
	andi	a0, a0, 15
	la	t0, ulib_hexdigits
	add	t0, t0, a0
	lbu	a0, 0(t0)
	call	print_char
	addi	s1, s1, -4
	bgez	s1, 1b
	lw	s1, 4(sp)
	lw	s0, 8(sp)
	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

	.equ	ULIB_LINE_MAX, 120
	.data
ulib_hexdigits:	.ascii	"0123456789abcdef"
	.align	4
ulib_linelen:	.word	0
ulib_linebuf:	.space	ULIB_LINE_MAX
	.text
