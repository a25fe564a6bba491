# crash.s - one process per way a user program can go wrong.  The test
# disk (see run.sh) holds this same program several times; each copy
# asks getpid() which case it is (pids are given in disk order, from 1)
# and commits that crime.  The kernel must kill each with the right
# message and keep going; the last copies check refused system calls and
# that a process that only sleeps still wakes up (the idle loop).

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

	.text
	.org	USER_BASE
	.globl	_start
_start:
	call	getpid
	mv	s0, a0
	PRINT	"[crash] pid "
	mv	a0, s0
	call	print_dec
	PRINT	" starting\n"
	li	t0, NCASES		# jump through the table: case s0
	bltu	t0, s0, bad_case
	beqz	s0, bad_case
	slli	t0, s0, 2
	la	t1, cases - 4
	add	t1, t1, t0
	lw	t1, 0(t1)
	jr	t1

case_divzero:
	li	t0, 7
	div	t0, t0, zero
	j	survived
case_illegal:
	.word	0			# the all-zeros word is illegal
	j	survived
case_misaligned:
	li	t0, USER_BASE + 2
	lw	t1, 0(t0)
	j	survived
case_break:
	break
	j	survived
case_priv:
	rdpsw	t0			# sensitive: traps in user mode (clean)
	j	survived
case_fetch_heap:
	li	a0, 4096		# a heap page is not executable
	call	sbrk
	mv	s1, a0
	li	t0, 0x44000000		# a nop there, and jump to it
	sw	t0, 0(s1)
	jr	s1
case_store_unmapped:
	li	t0, 0x10000000		# neither program, heap nor stack
	sw	t0, 0(t0)
	j	survived
case_stack_overflow:
	li	t0, STACK_TOP - 256 * 4096 - 4	# just below the stack region
	lw	t1, 0(t0)
	j	survived
case_jump_null:
	jr	zero
case_device:
	li	t0, 0xF000F000		# the test device is kernel-only
	sw	zero, 0(t0)
	j	survived
case_hcall:
	hcall				# outside a VM: illegal
	j	survived
case_refused:
	li	a0, STACK_TOP - 8	# a buffer running past user space
	li	a1, 16
	call	write
	mv	s1, a0
	PRINT	"[crash] write past the stack top returned "
	mv	a0, s1
	call	print_dec
	PRINT	"\n"
	li	a0, 99			# no such system call
	syscall
	mv	s1, a0
	PRINT	"[crash] system call 99 returned "
	mv	a0, s1
	call	print_dec
	PRINT	"\n"
	li	a0, -1
	call	sleep
	mv	s1, a0
	PRINT	"[crash] sleep(-1) returned "
	mv	a0, s1
	call	print_dec
	PRINT	"\n"
	li	a0, 7
	call	exit
case_sleeper:
	li	a0, 20			# everyone else is gone by then: idle
	call	sleep
	PRINT	"[crash] the sleeper woke up\n"
	li	a0, 0
	call	exit

survived:
	PRINT	"[crash] survived: the kernel did not kill me\n"
	li	a0, 1
	call	exit
bad_case:
	PRINT	"[crash] no such case\n"
	li	a0, 2
	call	exit

	.data
	.align	4
cases:	.word	case_divzero, case_illegal, case_misaligned, case_break
	.word	case_priv, case_fetch_heap, case_store_unmapped
	.word	case_stack_overflow, case_jump_null, case_device, case_hcall
	.word	case_refused, case_sleeper
	.equ	NCASES, (. - cases) / 4

	.text
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
