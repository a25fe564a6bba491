# trap.s - entering and leaving the kernel: traps, interrupts, faults.
#
# Every exception and interrupt, from user mode or from the idle loop,
# jumps to TVEC = trap_entry with (ISA.md section 6.2)
#     EPC = the instruction (interrupt: the next one), EPSW = the old PSW,
#     CAUSE, BADVA set, MODE = supervisor, IE = 0, PG unchanged.
# The trap handler is reachable in every address space because the
# kernel is mapped (identity, supervisor-only) in all of them.
#
# trap_entry saves all fifteen registers, EPC and EPSW into the trap frame
# cur_frame points to (the current struct proc, or idle_frame), switches
# to the empty kernel stack and dispatches on CAUSE.  Every path ends in
# trap_return (back to the same process) or schedule (maybe another one).

	.text
	.align	4
trap_entry:
	WRITE_SCRATCH t0		# park t0: now we have a register
	la	t0, cur_frame
	lw	t0, 0(t0)		# t0 = the trap frame
	sw	ra, 4(t0)
	sw	sp, 8(t0)
	sw	gp, 12(t0)
	sw	a0, 16(t0)
	sw	a1, 20(t0)
	sw	a2, 24(t0)
	sw	a3, 28(t0)
	sw	t1, 36(t0)		# (t0 = r8 goes to 32, below)
	sw	t2, 40(t0)
	sw	t3, 44(t0)
	sw	s0, 48(t0)
	sw	s1, 52(t0)
	sw	s2, 56(t0)
	sw	s3, 60(t0)
	READ_SCRATCH t1			# the user's t0
	sw	t1, F_T0(t0)
	READ_EPC t1
	sw	t1, F_EPC(t0)
	READ_EPSW t1
	sw	t1, F_EPSW(t0)
	la	sp, kstack_top		# a fresh kernel stack
	READ_CAUSE a0
	READ_BADVA a1
	mv	a2, t0
	j	trap_dispatch

# trap_return: resume whoever cur_frame describes, with every register
# as it was saved.  EPC and EPSW are written before the general
# registers are loaded, because loading them leaves none free.
trap_return:
	la	t0, cur_frame
	lw	t0, 0(t0)
	lw	t1, F_EPC(t0)
	WRITE_EPC t1
	lw	t1, F_EPSW(t0)
	WRITE_EPSW t1
	lw	ra, 4(t0)
	lw	sp, 8(t0)
	lw	gp, 12(t0)
	lw	a0, 16(t0)
	lw	a1, 20(t0)
	lw	a2, 24(t0)
	lw	a3, 28(t0)
	lw	t1, 36(t0)
	lw	t2, 40(t0)
	lw	t3, 44(t0)
	lw	s0, 48(t0)
	lw	s1, 52(t0)
	lw	s2, 56(t0)
	lw	s3, 60(t0)
	lw	t0, F_T0(t0)		# last: t0 held the frame's address
	RETURN_TO_USER

# trap_dispatch(a0 = cause, a1 = badva, a2 = trap frame).
trap_dispatch:
	bltz	a0, interrupt		# CAUSE bit 31: an interrupt
	lw	t0, F_EPSW(a2)		# an exception in the kernel itself is
	andi	t0, t0, PSW_MODE	# a kernel bug
	bnez	t0, kernel_exception
	andi	t0, a0, CAUSE_CODE_MASK
	li	t1, CAUSE_SYSCALL
	beq	t0, t1, syscall
	li	t1, CAUSE_PAGE_FAULT
	beq	t0, t1, page_fault
	j	user_exception

# --- interrupts ---------------------------------------------------------

interrupt:
	andi	t0, a0, CAUSE_CODE_MASK
	li	t1, IRQ_TIMER
	beq	t0, t1, timer_interrupt
	mv	s0, a0			# no other device interrupt is enabled
	la	a0, msg_panic		#  -> "guestos: panic: unexpected interrupt 0x..."
	call	kputs
	la	a0, msg_badirq
	call	kputs
	mv	a0, s0
	call	kputhex
	li	a0, '\n'
	call	kputc
	li	a0, 1
	j	halt

# timer_interrupt: one tick.  Wake the sleepers whose time has come, then
# preempt: the running process goes to the back of the run queue (after
# the ones just woken) and the head of the queue runs.
timer_interrupt:
	li	t0, DEV_TIMER_BASE
	sw	zero, TIMER_ACK(t0)	# drop the line before IE comes back on
	la	t0, ticks
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	call	wakeup_sleepers
	la	t0, curproc
	lw	a0, 0(t0)
	beqz	a0, 1f			# interrupted the idle loop
	call	runq_enqueue
1:	j	schedule

# --- exceptions -----------------------------------------------------------

# page_fault(a0 = cause, a1 = badva): a user access failed its walk.
# Not present, in the heap or stack region: map a zeroed page and run the
# instruction again (EPC points at it).  Anything else kills the process.
page_fault:
	mv	s1, a0			# s1 = cause
	mv	s2, a1			# s2 = the address
	la	t0, curproc
	lw	s0, 0(t0)		# s0 = the process
	andi	t0, s1, CAUSE_PRESENT	# a protection fault is never served
	li	t3, 1
	bnez	t0, 1f
	mv	a0, s0
	mv	a1, s2
	call	demand_zero
	mv	t3, a0
	bnez	t3, 1f
	la	t0, nfaults
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	j	trap_return

	# "guestos: pid 4 killed: page fault at 0x00001000 (load, protection)"
	# or, if no frame was left, "... killed: out of memory at 0x...".
1:	mv	s3, t3			# s3 = 1 bad address, 2 out of memory
	mv	a0, s0
	call	print_pid_prefix
	la	a0, msg_pf
	li	t0, 2
	bne	s3, t0, 2f
	la	a0, msg_oom
2:	call	kputs
	mv	a0, s2
	call	kputhex
	li	t0, 2
	beq	s3, t0, 4f
	la	a0, msg_lparen		# " (load, protection)"
	call	kputs
	srli	t0, s1, CAUSE_ACCESS_SHIFT
	andi	t0, t0, 3
	slli	t0, t0, 2
	la	t1, access_names
	add	t1, t1, t0
	lw	a0, 0(t1)
	call	kputs
	la	a0, msg_notpresent
	andi	t0, s1, CAUSE_PRESENT
	beqz	t0, 3f
	la	a0, msg_protection
3:	call	kputs
4:	li	a0, '\n'
	call	kputc
	j	proc_finish

# user_exception(a0 = cause, a1 = badva): any other exception in user
# code — illegal or privileged instruction, break, divide by zero,
# misaligned access, bus error.  The process is killed with one line:
#   guestos: pid N killed: divide by zero at pc 0x00400010
#   guestos: pid N killed: misaligned access at 0x00400123
# (an access fault names the address, the others the instruction).
user_exception:
	mv	s1, a0
	mv	s2, a1
	la	t0, curproc
	lw	a0, 0(t0)
	call	print_pid_prefix
	la	a0, msg_killed
	call	kputs
	andi	t0, s1, CAUSE_CODE_MASK	# its name, from a bounds-checked table
	sltiu	t1, t0, NCAUSE_NAMES
	bnez	t1, 1f
	li	t0, 0			# unknown cause
1:	slli	t0, t0, 2
	la	t1, cause_names
	add	t1, t1, t0
	lw	a0, 0(t1)
	call	kputs
	andi	t0, s1, CAUSE_CODE_MASK
	li	t1, CAUSE_MISALIGNED
	beq	t0, t1, 2f
	li	t1, CAUSE_BUS_ERROR
	beq	t0, t1, 2f
	la	a0, msg_atpc		# " at pc 0x..."
	call	kputs
	la	t0, cur_frame
	lw	t0, 0(t0)
	lw	a0, F_EPC(t0)
	j	3f
2:	la	a0, msg_at		# " at 0x..." (the address)
	call	kputs
	mv	a0, s2
3:	call	kputhex
	li	a0, '\n'
	call	kputc
	j	proc_finish

# kernel_exception(a0 = cause, a1 = badva, a2 = frame): the kernel itself
# faulted.  That is a bug; say everything we know and stop.
#   guestos: panic: kernel trap, cause 0x... at pc 0x... (badva 0x...)
kernel_exception:
	mv	s0, a0
	mv	s1, a1
	mv	s2, a2
	la	a0, msg_panic
	call	kputs
	la	a0, msg_ktrap
	call	kputs
	mv	a0, s0
	call	kputhex
	la	a0, msg_atpc
	call	kputs
	lw	a0, F_EPC(s2)
	call	kputhex
	la	a0, msg_badva
	call	kputs
	mv	a0, s1
	call	kputhex
	la	a0, msg_rparen
	call	kputs
	li	a0, 1
	j	halt

	.data
msg_badirq:	.asciz	"unexpected interrupt, cause "
msg_ktrap:	.asciz	"kernel trap, cause "
msg_badva:	.asciz	" (badva "
msg_killed:	.asciz	"killed: "
msg_pf:		.asciz	"killed: page fault at "
msg_oom:	.asciz	"killed: out of memory at "
msg_lparen:	.asciz	" ("
msg_notpresent:	.asciz	", not present)"
msg_protection:	.asciz	", protection)"
msg_atpc:	.asciz	" at pc "
msg_at:		.asciz	" at "
acc_fetch:	.asciz	"fetch"
acc_load:	.asciz	"load"
acc_store:	.asciz	"store"
acc_what:	.asciz	"access 3"
c_unknown:	.asciz	"unknown exception"
c_illegal:	.asciz	"illegal instruction"
c_priv:		.asciz	"privileged instruction"
c_break:	.asciz	"breakpoint"
c_divzero:	.asciz	"divide by zero"
c_misaligned:	.asciz	"misaligned access"
c_buserror:	.asciz	"bus error"
	.align	4
# CAUSE bits 9:8 of a page fault -> the access
access_names:	.word	acc_fetch, acc_load, acc_store, acc_what
# CAUSE code -> name (SYSCALL and PAGE_FAULT never get here)
cause_names:	.word	c_unknown, c_illegal, c_priv, c_unknown, c_break
		.word	c_divzero, c_misaligned, c_unknown, c_buserror
	.equ	NCAUSE_NAMES, (. - cause_names) / 4
	.text
