# primes.s - the CPU-bound program: count the primes below LIMIT by trial
# division.  It never makes a system call while it computes, so it runs
# until the timer preempts it — a few hundred times.

	.include "usys.inc"
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

	.include "ulib.inc"
