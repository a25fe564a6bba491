# 03-syscall.s - a system call: user code asks the kernel to print.
#
# The kernel (supervisor mode) sets TVEC and drops to user mode the only
# way there is: it writes EPC (where to go) and EPSW (user mode, IE off,
# paging off) and executes `rfe`, exactly as if it were returning from a
# trap.  The user program cannot print by itself in a well-behaved system
# (in 06-usermode.s the console's page is not mapped for it), so it puts
# a number in a0 and executes `syscall`, which traps: the kernel saves the
# program's registers (kernel.inc), serves the call, and `rfe`s back past
# the syscall with the result in a0.
#
# Paging is off here, so nothing stops this user program from storing to
# the console itself: user mode reaches physical memory and devices
# unchecked (ISA.md 7.1).  Protection comes with paging (06-usermode.s).
#
#   bin/trapeze run -I build/include examples/03-syscall.s

	.include "kernel.inc"

	.text
	.globl	_start
_start:
	kernel_init trap_handler, user_frame	# the one program's frame
	say	"kernel: dropping to user mode\n"
	la	t0, user_main
	mtcr	epc, t0			# "return" to user_main ...
	mtcr	epsw, zero		# ... in user mode: MODE = IE = PG = 0
	rfe

# The kernel's one entry point.  Everything that enters here is a trap
# from the user program; this kernel knows only system calls and treats
# anything else as fatal.
trap_handler:
	save_context
	mfcr	t0, cause
	li	t1, CAUSE_SYSCALL
	bne	t0, t1, not_a_syscall
	call	do_syscall
	bnez	a0, user_exited
	restore_context			# back past the syscall

user_exited:
	mv	s0, a1
	say	"kernel: the user program exited with status "
	mv	a0, s0
	call	print_dec
	li	a0, '\n'
	call	putc
	halt

not_a_syscall:
	say	"kernel: unexpected trap\n"
	halt

# --- the user program: it knows only the system call numbers -----------
user_main:
	sys_puts "user: hello, kernel!\n"
	mv	s0, a0			# the result: bytes printed
	sys_puts "user: that was "
	sys_putdec s0
	sys_puts " bytes\n"
	sys_exit 0

	.data
user_frame:
	.space	FRAME_SIZE
