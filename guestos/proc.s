# proc.s - processes: the table, loading, the run queue, the scheduler,
# the idle loop, and the end of a process (and of the system).
#
# A process is one struct proc (param.inc) in proc_table.  Its life:
#
#   UNUSED --proc_load--> RUNNABLE --schedule--> RUNNING --+--> UNUSED
#                          ^   ^                           |   (exit, kill)
#                          |   +------ timer, yield -------+
#                          +-- tick --- SLEEPING <- sleep -+
#
# The run queue is a FIFO list of RUNNABLE processes linked through
# P_NEXT: round-robin is "take from the head, put back at the tail".

	.data
proc_table:	.space	NPROC * PROC_SIZE
idle_frame:	.space	FRAME_SIZE	# trap frame of the idle loop (never resumed)
curproc:	.word	0		# the RUNNING process; 0 while idle
cur_frame:	.word	idle_frame	# where trap entry saves registers
cur_root:	.word	0		# the root table in PTBR
lastproc:	.word	0		# the process that ran last (or 0)
runq_head:	.word	0
runq_tail:	.word	0
nextpid:	.word	1
ticks:		.word	0		# timer interrupts since boot
nlive:		.word	0		# processes not yet exited
nprocs:		.word	0		# processes ever created
nswitches:	.word	0		# context switches (see schedule)
nfaults:	.word	0		# page faults served (see trap.s)
	.text

# proc_load(a0 = table-of-contents entry): create a process running that
# program.  An entry that does not describe a sane program is skipped
# with a message; running out of memory or slots at boot is a panic.
proc_load:
	addi	sp, sp, -32
	sw	ra, 28(sp)
	sw	s0, 24(sp)
	sw	s1, 20(sp)
	sw	s2, 16(sp)
	sw	s3, 12(sp)
	mv	s0, a0			# s0 = the entry

	# Trust nothing the disk says: the image must be page-aligned user
	# memory, at most PROG_MAX bytes, with its heap below the stack, and
	# start at an aligned entry point inside itself.
	lw	t0, TE_LOAD(s0)
	lw	t1, TE_SIZE(s0)
	lw	t2, TE_ENTRY(s0)
	andi	t3, t0, PAGE_SIZE - 1
	bnez	t3, 8f
	li	t3, USER_BASE
	bltu	t0, t3, 8f
	beqz	t1, 8f
	li	t3, PROG_MAX
	bltu	t3, t1, 8f
	add	t3, t0, t1		# t3 = end of the image
	li	a1, STACK_LIMIT - PAGE_SIZE
	bgeu	t3, a1, 8f
	bltu	t2, t0, 8f
	bgeu	t2, t3, 8f
	andi	a1, t2, 3
	bnez	a1, 8f

	# A free slot, zeroed.
	la	s1, proc_table
	li	t0, NPROC
1:	lw	t1, P_STATE(s1)
	beqz	t1, 2f
	addi	s1, s1, PROC_SIZE
	addi	t0, t0, -1
	bnez	t0, 1b
	la	a0, msg_toomany
	j	panic
2:	mv	t0, s1
	addi	t1, s1, PROC_SIZE
3:	sw	zero, 0(t0)
	addi	t0, t0, 4
	bne	t0, t1, 3b

	la	t0, nextpid		# pid = nextpid++
	lw	t1, 0(t0)
	sw	t1, P_PID(s1)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	li	t0, 15			# the name: at most 15 bytes, then NUL
	mv	t1, s0
	addi	t2, s1, P_NAME
4:	lbu	t3, TE_NAME(t1)
	sb	t3, 0(t2)
	addi	t1, t1, 1
	addi	t2, t2, 1
	addi	t0, t0, -1
	bnez	t0, 4b

	call	uvm_create		# the address space
	beqz	a0, 9f
	sw	a0, P_ROOT(s1)

	# The image, one page at a time: a fresh frame, mapped for the user
	# at its virtual address, filled from the disk by DMA.
	li	s2, 0			# s2 = offset in the image
5:	call	kalloc
	beqz	a0, 9f
	mv	s3, a0			# s3 = the frame
	lw	a0, P_ROOT(s1)
	lw	a1, TE_LOAD(s0)
	add	a1, a1, s2
	mv	a2, s3
	li	a3, PTE_UPROG
	call	vm_map
	bnez	a0, 9f
	lw	t0, TE_SIZE(s0)		# sectors left, at most a page's worth
	sub	t0, t0, s2
	addi	t0, t0, DISK_SECTOR_SIZE - 1
	srli	t0, t0, 9
	li	t1, PAGE_SIZE / DISK_SECTOR_SIZE
	bltu	t0, t1, 6f
	mv	t0, t1
6:	lw	a0, TE_SECTOR(s0)
	srli	t1, s2, 9
	add	a0, a0, t1
	mv	a1, s3
	mv	a2, t0
	DISK_READ_QUEUED		# diskdrv.s: now, or with the others
	la	t0, msg_diskerr
	bnez	a0, 10f
	addi	s2, s2, PAGE_SIZE
	lw	t0, TE_SIZE(s0)
	bltu	s2, t0, 5b

	lw	t0, TE_LOAD(s0)		# the heap starts at the next page
	add	t0, t0, s2
	sw	t0, P_HEAPBASE(s1)
	sw	t0, P_BRK(s1)
	li	t0, STACK_TOP		# the first register values:
	sw	t0, F_SP(s1)		# sp at the top of an empty stack,
	lw	t0, TE_ENTRY(s0)	# pc at the entry, user mode with
	sw	t0, F_EPC(s1)		# interrupts and paging on
	li	t0, USER_PSW
	sw	t0, F_EPSW(s1)

	la	t0, nprocs
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	la	t0, nlive
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	mv	a0, s1
	call	runq_enqueue		# now RUNNABLE

	# "guestos: pid 1 is primes, 4096 bytes at 0x00400000"
	la	a0, msg_pid
	call	kputs
	lw	a0, P_PID(s1)
	call	kputdec
	la	a0, msg_is
	call	kputs
	addi	a0, s1, P_NAME
	call	kputs
	la	a0, msg_comma
	call	kputs
	lw	a0, TE_SIZE(s0)
	call	kputdec
	la	a0, msg_bytesat
	call	kputs
	lw	a0, TE_LOAD(s0)
	call	kputhex
	li	a0, '\n'
	call	kputc
	j	11f

8:	la	a0, msg_badentry	# a bad entry: skip it
	call	kputs
	j	11f
9:	la	t0, msg_nomem
10:	mv	a0, t0
	j	panic

11:	lw	s3, 12(sp)
	lw	s2, 16(sp)
	lw	s1, 20(sp)
	lw	s0, 24(sp)
	lw	ra, 28(sp)
	addi	sp, sp, 32
	ret

# runq_enqueue(a0 = proc): make it RUNNABLE, at the tail of the queue.
runq_enqueue:
	IRQ_SAVE_DISABLE t3, t2		# the queue must not change under us
	sw	zero, P_NEXT(a0)
	li	t0, P_RUNNABLE
	sw	t0, P_STATE(a0)
	la	t0, runq_tail
	lw	t1, 0(t0)
	beqz	t1, 1f
	sw	a0, P_NEXT(t1)		# tail->next = proc
	j	2f
1:	la	t1, runq_head		# empty queue: proc is also the head
	sw	a0, 0(t1)
2:	sw	a0, 0(t0)
	IRQ_RESTORE t3
	ret

# runq_dequeue() -> a0 = the process at the head of the queue, removed,
# or 0 if the queue is empty.
runq_dequeue:
	IRQ_SAVE_DISABLE t3, t2
	la	t0, runq_head
	lw	a0, 0(t0)
	beqz	a0, 1f
	lw	t1, P_NEXT(a0)
	sw	t1, 0(t0)
	bnez	t1, 1f
	la	t0, runq_tail		# it was the last one
	sw	zero, 0(t0)
1:	IRQ_RESTORE t3
	ret

# schedule(): run the next process.  Never returns: it resumes a process
# through trap_return, or idles.  Whoever calls it has already put the
# current process where it belongs (run queue, sleeping, or gone).
schedule:
	la	sp, kstack_top		# nothing on the kernel stack matters now
	call	runq_dequeue
	beqz	a0, idle
	mv	s0, a0
	li	t0, P_RUNNING
	sw	t0, P_STATE(s0)

	# A context switch is giving the CPU to another process than the one
	# that ran last (the first process to run counts as one).
	la	t0, lastproc
	lw	t1, 0(t0)
	beq	t1, s0, 1f
	sw	s0, 0(t0)
	la	t0, nswitches
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)

1:	lw	a0, P_ROOT(s0)		# its address space (this flushes the
	la	t0, cur_root		# TLB, so only when it changes)
	lw	t1, 0(t0)
	beq	t1, a0, 2f
	sw	a0, 0(t0)
	SET_PTBR a0
2:	la	t0, curproc
	sw	s0, 0(t0)
	la	t0, cur_frame		# the trap frame is at offset 0
	sw	s0, 0(t0)
	j	trap_return

# idle: nobody is runnable.  If nobody is alive either, we are done;
# otherwise someone sleeps, and a timer interrupt will wake it.  Wait for
# it with interrupts on; the interrupt enters the kernel as any other
# trap (saving into idle_frame), and the kernel stack starts afresh.
idle:
	la	t0, nlive
	lw	t0, 0(t0)
	beqz	t0, shutdown
	la	t0, curproc
	sw	zero, 0(t0)
	la	t0, cur_frame
	la	t1, idle_frame
	sw	t1, 0(t0)
	IRQ_ENABLE t0
1:	WAIT_FOR_INTERRUPT
	j	1b

# wakeup_sleepers(): make RUNNABLE every sleeper whose time has come, in
# process-table order.
wakeup_sleepers:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	s0, 8(sp)
	sw	s1, 4(sp)
	la	s0, proc_table
	addi	s1, s0, NPROC * PROC_SIZE
1:	lw	t0, P_STATE(s0)
	li	t1, P_SLEEPING
	bne	t0, t1, 2f
	la	t0, ticks
	lw	t0, 0(t0)
	lw	t1, P_WAKE(s0)
	sub	t0, t0, t1		# ticks - wake >= 0 (wraps correctly)
	bltz	t0, 2f
	mv	a0, s0
	call	runq_enqueue
2:	addi	s0, s0, PROC_SIZE
	bne	s0, s1, 1b
	lw	s1, 4(sp)
	lw	s0, 8(sp)
	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

# proc_finish(): the current process is gone (it exited or was killed):
# free its memory and its slot, and run someone else.  Never returns.
proc_finish:
	la	t0, curproc
	lw	s0, 0(t0)
	# Leave its address space first: the kernel must not run on a root
	# table it is about to free.
	la	t0, kernel_root
	lw	a0, 0(t0)
	la	t0, cur_root
	sw	a0, 0(t0)
	SET_PTBR a0
	lw	a0, P_ROOT(s0)
	call	vm_free
	sw	zero, P_STATE(s0)	# P_UNUSED
	la	t0, nlive
	lw	t1, 0(t0)
	addi	t1, t1, -1
	sw	t1, 0(t0)
	la	t0, curproc		# no current process any more
	sw	zero, 0(t0)
	la	t0, lastproc
	sw	zero, 0(t0)
	la	t0, cur_frame
	la	t1, idle_frame
	sw	t1, 0(t0)
	j	schedule

# shutdown(): every process has exited.  One summary line, then halt.
shutdown:
	la	a0, msg_halt
	call	kputs
	la	t0, nprocs
	lw	a0, 0(t0)
	call	kputdec
	la	a0, msg_processes
	call	kputs
	la	t0, nswitches
	lw	a0, 0(t0)
	call	kputdec
	la	a0, msg_switches
	call	kputs
	la	t0, nfaults
	lw	a0, 0(t0)
	call	kputdec
	la	a0, msg_faults
	call	kputs
	li	a0, 0
	j	halt

# print_pid_prefix(a0 = proc): print "guestos: pid N ".
print_pid_prefix:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	a0, 8(sp)
	la	a0, msg_pid
	call	kputs
	lw	a0, 8(sp)
	lw	a0, P_PID(a0)
	call	kputdec
	li	a0, ' '
	call	kputc
	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

	.data
msg_pid:	.asciz	"guestos: pid "
msg_is:		.asciz	" is "
msg_comma:	.asciz	", "
msg_bytesat:	.asciz	" bytes at "
msg_badentry:	.asciz	"guestos: skipping a bad table-of-contents entry\n"
msg_toomany:	.asciz	"too many programs for the process table"
msg_nomem:	.asciz	"out of memory while loading the programs"
msg_diskerr:	.asciz	"disk error while loading the programs"
msg_halt:	.asciz	"guestos: halt after "
msg_processes:	.asciz	" processes, "
msg_switches:	.asciz	" context switches, "
msg_faults:	.asciz	" page faults\n"
	.align	4
	.text
