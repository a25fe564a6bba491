# ticker.s - the sleepy program: print a line, sleep a few timer ticks,
# again.  While it sleeps the others run, so its lines land between
# theirs — at the same places on every run, because time is the
# machine's cycle count.

	.include "usys.inc"
	.equ	TICKS, 50		# sleep this many ticks between lines
	.equ	LINES, 6

	.text
	.org	USER_BASE
	.globl	_start
_start:
	call	getpid
	mv	s1, a0
	PRINT	"[ticker] hello, I am pid "
	mv	a0, s1
	call	print_dec
	PRINT	"\n"
	li	s0, 1			# s0 = the line number
1:	PRINT	"[ticker] tick "
	mv	a0, s0
	call	print_dec
	PRINT	" of 6, now sleeping 50 ticks\n"
	li	a0, TICKS
	call	sleep
	addi	s0, s0, 1
	li	t0, LINES
	bgeu	t0, s0, 1b
	PRINT	"[ticker] done\n"
	li	a0, 0
	call	exit

	.include "ulib.inc"
