# heap.s - grow the heap with sbrk and use it.  sbrk only moves the break;
# each new page is mapped, zeroed, by the kernel's page-fault handler the
# first time it is touched.  The program checks that every fresh page
# reads as zero, fills them with a pattern, lets the others run, and
# checks the pattern is still there.

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
	.equ	PAGES, 4
	.equ	PAGE, 4096

	.text
	.org	USER_BASE
	.globl	_start
_start:
	li	a0, 0			# sbrk(0): where the heap starts
	call	sbrk
	mv	s0, a0			# s0 = the heap
	PRINT	"[heap] the break starts at "
	mv	a0, s0
	call	print_hex
	PRINT	"\n"

	li	a0, PAGES * PAGE	# grow by PAGES pages
	call	sbrk
	bne	a0, s0, fail

	# Fresh pages read as zero (every word of them).
	mv	t0, s0
	li	t1, PAGES * PAGE
	add	t1, t0, t1
1:	lw	t2, 0(t0)
	bnez	t2, fail
	addi	t0, t0, 4
	bltu	t0, t1, 1b
	PRINT	"[heap] 4 new pages read as zero\n"

	# Fill them: word i holds i * 0x9e3779b1 (a different value everywhere).
	li	s1, 0x9e3779b1
	mv	t0, s0
	li	t1, PAGES * PAGE	# (t registers do not survive calls)
	add	t1, t0, t1
	li	t3, 0			# t3 = i * 0x9e3779b1
2:	sw	t3, 0(t0)
	add	t3, t3, s1
	addi	t0, t0, 4
	bltu	t0, t1, 2b
	PRINT	"[heap] wrote a pattern, yielding\n"
	call	yield

	# Still there?
	li	t1, PAGES * PAGE
	add	t1, s0, t1
	mv	t0, s0
	li	t3, 0
3:	lw	t2, 0(t0)
	bne	t2, t3, fail
	add	t3, t3, s1
	addi	t0, t0, 4
	bltu	t0, t1, 3b
	PRINT	"[heap] pattern intact in 4 pages\n"

	li	a0, -PAGE		# shrinking is not supported
	call	sbrk
	li	t0, -1
	bne	a0, t0, fail
	li	a0, 0x7ff00000		# nor growing into the stack region
	call	sbrk
	li	t0, -1
	bne	a0, t0, fail
	PRINT	"[heap] sbrk(-4096) and sbrk(0x7ff00000) refused\n"
	li	a0, 0
	call	exit

fail:	PRINT	"[heap] FAILED\n"
	li	a0, 1
	call	exit

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
