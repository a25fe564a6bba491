# 07-processes.s - a two-process kernel: two user programs, each in its
# own address space, switched by the timer.
#
# Both processes run the same code (one page, mapped with U in both
# address spaces), but each has its own data page at the same virtual
# address, DATA_VA: process A's DATA_VA is the frame at 0x00020000,
# process B's the frame at 0x00021000.  Each keeps its name and its
# counter there and prints "A: 1", "A: 2", ... through system calls,
# wasting time between two lines.
#
# The timer interrupts whichever process runs every PERIOD cycles.  The
# kernel saves the running process's registers in its frame (kernel.inc),
# makes the other process current, loads its root table into PTBR --
# switching address spaces is one `mtcr ptbr`, which also flushes the TLB
# (ISA.md 7.5) -- and returns into it with `rfe`.  The output interleaves,
# in an order fixed by the cycle clock: the same at every run, natively
# and under the VMM, where each `mtcr ptbr` is a world switch after which
# the VMM drops its shadow tables and refills them for the other process.
#
#   bin/trapeze run -I build/include examples/07-processes.s

	.include "kernel.inc"

	.equ	ROOT_A,    0x00010000	# one root table per address space
	.equ	ROOT_B,    0x00014000
	.equ	LEAF_LOW,  0x00011000	# shared: the kernel, the user's code
	.equ	LEAF_DEV,  0x00012000	# shared: console, timer, test device
	.equ	LEAF_A,    0x00013000	# A's own: DATA_VA -> FRAME_A
	.equ	LEAF_B,    0x00015000	# B's own: DATA_VA -> FRAME_B
	.equ	FRAME_A,   0x00020000
	.equ	FRAME_B,   0x00021000
	.equ	DATA_VA,   0x00400000	# the same address in both processes
	.equ	DATA_COUNT, 0		# in the data page: the counter
	.equ	DATA_NAME,  4		# and the name, "A: "
	.equ	KERNEL_RWX, PTE_V | PTE_R | PTE_W | PTE_X
	.equ	USER_RX,   PTE_V | PTE_R | PTE_X | PTE_U
	.equ	USER_RW,   PTE_V | PTE_R | PTE_W | PTE_U
	.equ	DEVICE_RW, PTE_V | PTE_R | PTE_W
	.equ	PERIOD,    3000		# cycles between two timer ticks
	.equ	LINES,     4		# lines each process prints
	.equ	DELAY,     700		# rounds of the time-wasting loop

# A process: its trap frame (kernel.inc), then its root table and
# whether it still runs.
	.equ	PROC_ROOT,  FRAME_SIZE
	.equ	PROC_ALIVE, FRAME_SIZE + 4
	.equ	PROC_SIZE,  FRAME_SIZE + 8

	.text
	.globl	_start
_start:
	la	sp, kernel_stack_top
	la	t0, trap_handler
	mtcr	tvec, t0
	call	build_tables
	la	a0, proc_a
	li	a1, ROOT_A
	li	a2, FRAME_A
	li	a3, 'A'
	call	make_process
	la	a0, proc_b
	li	a1, ROOT_B
	li	a2, FRAME_B
	li	a3, 'B'
	call	make_process

	say	"kernel: two processes; A runs first\n"
	la	t0, proc_a
	la	t1, current
	sw	t0, 0(t1)
	li	t0, DEV_TIMER_BASE
	li	t1, PERIOD
	sw	t1, TIMER_PERIOD(t0)
	li	t0, ROOT_A
	mtcr	ptbr, t0
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0
	restore_context			# into A, as if returning from a trap

# make_process(a0 = process, a1 = root, a2 = data frame, a3 = letter):
# the frame says "start at user_main, user mode, interrupts and paging
# on"; the data page gets the counter (0) and the name.  Paging is still
# off, so the frame is written at its physical address.
make_process:
	la	t0, user_main
	sw	t0, FRAME_EPC(a0)
	li	t0, PSW_IE | PSW_PG
	sw	t0, FRAME_EPSW(a0)
	sw	a1, PROC_ROOT(a0)
	li	t0, 1
	sw	t0, PROC_ALIVE(a0)
	sw	zero, DATA_COUNT(a2)
	sb	a3, DATA_NAME(a2)
	li	t0, ':'
	sb	t0, DATA_NAME + 1(a2)
	li	t0, ' '
	sb	t0, DATA_NAME + 2(a2)
	sb	zero, DATA_NAME + 3(a2)
	ret

# build_tables: both roots share the kernel's leaf and the devices' leaf;
# each has its own leaf for DATA_VA.
build_tables:
	addi	sp, sp, -4
	sw	ra, 0(sp)
	identity_map LEAF_LOW, KERNEL_RWX	# supervisor only, but
	map_own_page LEAF_LOW, user_main, USER_RX	# the user code's page
	li	t0, LEAF_DEV
	li	t1, DEV_CONSOLE_BASE | DEVICE_RW
	sw	t1, 0(t0)
	li	t1, DEV_TIMER_BASE | DEVICE_RW
	sw	t1, ((DEV_TIMER_BASE >> PAGE_SHIFT) & (ENTRIES - 1)) * 4(t0)
	li	t1, DEV_TEST_BASE | DEVICE_RW
	sw	t1, ((DEV_TEST_BASE >> PAGE_SHIFT) & (ENTRIES - 1)) * 4(t0)
	li	t0, LEAF_A
	li	t1, FRAME_A | USER_RW
	sw	t1, 0(t0)
	li	t0, LEAF_B
	li	t1, FRAME_B | USER_RW
	sw	t1, 0(t0)
	li	a0, ROOT_A
	li	a1, LEAF_A
	call	fill_root
	li	a0, ROOT_B
	li	a1, LEAF_B
	call	fill_root
	lw	ra, 0(sp)
	addi	sp, sp, 4
	ret

# fill_root(a0 = root, a1 = the process's own leaf)
fill_root:
	li	t1, LEAF_LOW | PTE_V
	sw	t1, 0(a0)		# root[0]: the kernel and the code
	ori	t1, a1, PTE_V
	sw	t1, (DATA_VA >> 22) * 4(a0)	# the process's own data
	li	t1, LEAF_DEV | PTE_V
	sw	t1, (DEV_CONSOLE_BASE >> 22) * 4(a0)	# the devices
	ret

trap_handler:
	save_context
	mfcr	t0, cause
	li	t1, CAUSE_SYSCALL
	beq	t0, t1, syscall
	li	t1, CAUSE_INTERRUPT | IRQ_TIMER
	beq	t0, t1, tick
	say	"kernel: unexpected trap, CAUSE "
	mfcr	a0, cause
	call	print_hex
	say	" at pc "
	mfcr	a0, epc
	call	print_hex
	li	a0, '\n'
	call	putc
	li	t0, DEV_TEST_BASE
	li	t1, 1
	sw	t1, TEST_EXIT(t0)

tick:	li	t0, DEV_TIMER_BASE
	sw	zero, TIMER_ACK(t0)
	call	switch			# the other one's turn
	restore_context

syscall:
	call	do_syscall
	beqz	a0, 1f
	la	t0, current		# the caller exited
	lw	t0, 0(t0)
	sw	zero, PROC_ALIVE(t0)
	call	switch
1:	restore_context

# switch: make the other process current, if it is alive; if neither is,
# there is nothing left to run.
switch:	addi	sp, sp, -4
	sw	ra, 0(sp)
	la	t0, current
	lw	t1, 0(t0)
	la	t2, proc_a
	la	t3, proc_b
	bne	t1, t2, 1f
	mv	t2, t3			# t2: the other process
1:	lw	t3, PROC_ALIVE(t2)
	beqz	t3, 2f
	sw	t2, 0(t0)		# current = the other
	lw	t3, PROC_ROOT(t2)
	mtcr	ptbr, t3		# its address space (flushes the TLB)
	j	3f
2:	lw	t3, PROC_ALIVE(t1)	# the other is gone: go on with this one
	bnez	t3, 3f
	say	"kernel: both processes exited\n"
	halt
3:	lw	ra, 0(sp)
	addi	sp, sp, 4
	ret

# --- the user program, run by both processes -----------------------------
	.align	PAGE_SIZE
user_main:
	li	s1, DATA_VA		# my data page: mine alone
1:	lw	s0, DATA_COUNT(s1)
	addi	s0, s0, 1
	sw	s0, DATA_COUNT(s1)
	li	a0, SYS_PUTS
	addi	a1, s1, DATA_NAME	# "A: " or "B: ", at the same address
	syscall
	sys_putdec s0
	sys_puts "\n"
	li	t0, DELAY		# waste time: the timer will strike
2:	addi	t0, t0, -1
	bnez	t0, 2b
	li	t0, LINES
	bne	s0, t0, 1b
	sys_exit 0
	.align	PAGE_SIZE

	.data
proc_a:	.space	PROC_SIZE
proc_b:	.space	PROC_SIZE
