# syscall.s - the system calls.
#
# A user program puts the number in a0 and up to three arguments in
# a1..a3 and executes `syscall`; the result comes back in a0 (numbers in
# user/usys.inc, semantics in guestos/README.md).  Values a process passes
# are never trusted: the number is bounds-checked before it indexes the
# table, and a buffer must lie entirely in user space.
#
# Every handler is called as  handler(a0, a1, a2 = the arguments,
# a3 = the calling process) and returns its result in a0.  Handlers that
# make the process wait (yield, sleep) or end it (exit) store the result
# in the trap frame themselves and jump to schedule instead of returning.

	.text
# syscall(): from trap_dispatch, for CAUSE = SYSCALL.
syscall:
	la	t0, curproc
	lw	s0, 0(t0)		# s0 = the process (callee-saved)
	lw	t0, F_EPC(s0)		# EPC points at the syscall itself:
	addi	t0, t0, 4		# resume after it
	sw	t0, F_EPC(s0)
	lw	t0, F_A0(s0)		# the number
	li	a0, -1
	sltiu	t1, t0, SYSCALL_TABLE_SIZE	# unsigned: negative numbers fail too
	beqz	t1, 1f
	slli	t0, t0, 2
	la	t1, syscall_table
	add	t1, t1, t0
	lw	t1, 0(t1)
	lw	a0, F_A1(s0)
	lw	a1, F_A2(s0)
	lw	a2, F_A3(s0)
	mv	a3, s0
	jalr	ra, 0(t1)
1:	sw	a0, F_A0(s0)		# the result, in the process's a0
	j	trap_return

# sys_bad(): number 0 is not a system call.
sys_bad:
	li	a0, -1
	ret

# sys_write(buf, len) -> len, or -1 if buf..buf+len is not all user
# memory.  Prints len bytes on the console, all at once: the kernel runs
# with interrupts off, so lines written with one call never interleave.
sys_write:
	addi	sp, sp, -32
	sw	ra, 28(sp)
	sw	s0, 24(sp)
	sw	s1, 20(sp)
	sw	s2, 16(sp)
	sw	s3, 12(sp)
	mv	s0, a0			# s0 = buf
	add	s1, a0, a1		# s1 = end
	mv	s2, a3			# s2 = the process
	sw	a1, 8(sp)		# the result, if all goes well
	beqz	a1, 9f
	# [buf, end) must not wrap and must lie in [USER_BASE, USER_TOP).
	bltu	s1, s0, 8f
	li	t0, USER_BASE
	bltu	s0, t0, 8f
	li	t0, USER_TOP
	bltu	t0, s1, 8f

	# Pass 1: every page must be mapped, or be a heap/stack page that we
	# map now (a real fault would do that too).  Nothing is printed if
	# any page is bad.
	li	t0, PTE_FRAME_MASK
	and	s3, s0, t0		# s3 = each page of the buffer
1:	bgeu	s3, s1, 3f
	lw	a0, P_ROOT(s2)
	mv	a1, s3
	call	vm_lookup
	bnez	a0, 2f
	mv	a0, s2
	mv	a1, s3
	call	demand_zero
	bnez	a0, 8f
2:	addi	s3, s3, PAGE_SIZE
	j	1b

	# Pass 2: print, a page at a time, through the physical address
	# (the kernel never dereferences the user's pointer itself).
3:	mv	s3, s0			# s3 = the next byte to print
4:	bgeu	s3, s1, 9f
	lw	a0, P_ROOT(s2)
	mv	a1, s3
	call	vm_lookup		# a0 = where s3 is in RAM
	ori	t1, s3, PAGE_SIZE - 1	# t1 = the end of this chunk: the end
	addi	t1, t1, 1		# of the page, or of the buffer
	bgeu	s1, t1, 5f
	mv	t1, s1
5:	sub	a1, t1, s3		# a1 = the chunk's length
	mv	s3, t1
	call	kwrite
	j	4b

8:	li	t0, -1			# a bad buffer
	sw	t0, 8(sp)
9:	lw	a0, 8(sp)
	lw	s3, 12(sp)
	lw	s2, 16(sp)
	lw	s1, 20(sp)
	lw	s0, 24(sp)
	lw	ra, 28(sp)
	addi	sp, sp, 32
	ret

# sys_exit(status): "guestos: pid N exited with status S", and the
# process is gone.  Never returns.
sys_exit:
	mv	s1, a0
	mv	a0, a3
	call	print_pid_prefix
	la	a0, msg_exited
	call	kputs
	mv	a0, s1
	call	kputdec
	li	a0, '\n'
	call	kputc
	j	proc_finish

# sys_getpid() -> the caller's pid.
sys_getpid:
	lw	a0, P_PID(a3)
	ret

# sys_yield() -> 0: give the CPU to the next runnable process.
sys_yield:
	sw	zero, F_A0(a3)
	mv	a0, a3
	call	runq_enqueue
	j	schedule

# sys_sleep(ticks) -> 0: sleep for that many timer ticks (0: until the
# next tick), or -1 at once if ticks is negative.
sys_sleep:
	bltz	a0, 1f
	sw	zero, F_A0(a3)
	IRQ_SAVE_DISABLE t3, t2		# the tick must not pass in between
	la	t0, ticks
	lw	t0, 0(t0)
	add	t0, t0, a0
	sw	t0, P_WAKE(a3)
	li	t0, P_SLEEPING
	sw	t0, P_STATE(a3)
	IRQ_RESTORE t3
	j	schedule
1:	li	a0, -1
	ret

# sys_sbrk(n) -> the old break, or -1: grow the heap by n bytes (n >= 0).
# No memory is allocated here: the new pages are mapped, zeroed, when
# they are first touched (demand_zero in vm.s).  The heap may grow up to
# STACK_LIMIT, where the stack region begins.
sys_sbrk:
	bltz	a0, 1f
	lw	t0, P_BRK(a3)		# t0 = the old break
	add	t1, t0, a0		# t1 = the new one (both < 2^31: no wrap)
	li	t2, STACK_LIMIT
	bltu	t2, t1, 1f
	sw	t1, P_BRK(a3)
	mv	a0, t0
	ret
1:	li	a0, -1
	ret

	.data
	.align	4
# The system call table, indexed by number (bounds-checked above).
syscall_table:
	.word	sys_bad		# 0
	.word	sys_write	# SYS_WRITE  = 1
	.word	sys_exit	# SYS_EXIT   = 2
	.word	sys_getpid	# SYS_GETPID = 3
	.word	sys_yield	# SYS_YIELD  = 4
	.word	sys_sleep	# SYS_SLEEP  = 5
	.word	sys_sbrk	# SYS_SBRK   = 6
	.equ	SYSCALL_TABLE_SIZE, (. - syscall_table) / 4
msg_exited:	.asciz	"exited with status "
	.align	4
	.text
