# labs/lab0-bare/kernel.s - lab 0: a tiny kernel on the bare PG32 machine.
#
# The machine starts here the way ISA.md section 9 says: pc = _start,
# supervisor mode, interrupts off, paging off, every register 0, TVEC 0.
# In a few hundred instructions this kernel does what every operating
# system does first:
#
#   1. points TVEC at its trap handler, so that a trap has somewhere to go
#      (trap_init, and the dispatch in trap_entry: handout section 3.1);
#   2. serves system calls: `syscall` traps, the kernel does the work and
#      returns after the `syscall` with a result in a0 (handle_syscall,
#      3.2);
#   3. programs the timer and counts its interrupts (timer_start,
#      handle_timer, 3.3);
#   4. builds a two-level page table and turns paging on (vm_init,
#      paging_on, 3.4);
#   5. drops to user mode with `rfe` (enter_user, 3.5), where a small user
#      program can only reach the kernel through system calls.
#
# After each step the given code checks what the hardware now does and
# prints one line (a checkpoint); labs/lab0-bare/kernel.expected is the
# whole output.  A check that fails prints "lab0: FAIL: ..." and halts
# the machine with status EXIT_FAILED; the user program's exit status
# becomes the machine's at the end (0: all is well).
#
# Build and run (from the project's top folder):
#
#   bin/trapeze run --max-cycles=2000000 -I build/include labs/lab0-bare/kernel.s
#
# The parts between "BEGIN LAB 0" and "END LAB 0" are what the student
# writes; everything else is given.
#
# Registers follow ISA.md section 2: a function may change a0-a3, t0-t3
# and ra, and keeps s0-s3 and sp.

	.include "pg32.inc"		# the hardware's constants (generated)

# --- constants ---------------------------------------------------------------

# Exit statuses (the test device's EXIT register, ISA.md 8.6).
	.equ	EXIT_FAILED, 1		# a check failed, or an unexpected trap
	.equ	EXIT_NOT_WRITTEN, 2	# a part of the lab is still a stub

# The system calls: the number in a0, the argument in a1, the result in a0.
	.equ	SYS_PUTS, 1		# print the string at a1 and a newline; a0 = its length
	.equ	SYS_TICKS, 2		# a0 = timer interrupts counted so far
	.equ	SYS_EXIT, 3		# the user program is done: halt with status a1
	.equ	SYS_UNKNOWN, 99		# no such call: the kernel returns -1

# Time.  The timer counts machine cycles (ISA.md 12), so the ticks come at
# the same instructions on every run: the output never changes.
	.equ	TICK_CYCLES, 2000	# one timer interrupt every TICK_CYCLES
	.equ	KERNEL_TICKS, 3		# the kernel waits for this many ticks
	.equ	KERNEL_WAKEUPS, 100	# ... and gives up after this many wfi
	.equ	USER_TICKS, 2		# the user program waits for this many more
	.equ	USER_POLLS, 1000	# ... and gives up after this many polls

# Physical memory.  The kernel's image starts at 0x1000 and is far smaller
# than 1 MiB, so the page tables and the user's stack go above it.  All of
# it lies in the first 4 MiB, which the kernel maps to itself (3.4).
	.equ	PT_ROOT, 0x100000	# the root table: 1024 pointers
	.equ	PT_KERNEL, 0x101000	# leaf table for VA 0 .. 4 MiB: the kernel
	.equ	PT_USER_CODE, 0x102000	# leaf table for VA 4 .. 8 MiB: the user's code
	.equ	PT_USER_STACK, 0x103000	# leaf table for the top 4 MiB below 2 GiB
	.equ	PT_DEVICES, 0x104000	# leaf table for VA 0xf0000000 ..: the devices
	.equ	PT_END, 0x105000	# the end of the tables
	.equ	USER_STACK_PA, 0x105000	# the frame behind the user's stack

# The user's virtual address space: two pages.  Neither address is backed
# by physical memory at all (0x00400000 is RAM full of zeros, 0x7ffff000
# is beyond the 16 MiB of RAM), so the user program can only run with
# paging on.
	.equ	USER_CODE_VA, 0x00400000
	.equ	USER_STACK_VA, 0x7ffff000
	.equ	USER_STACK_TOP, USER_STACK_VA + PAGE_SIZE

# The two levels of a virtual address (ISA.md 7.1).
	.equ	ROOT_SHIFT, 22		# VA[31:22]: the root index
	.equ	LEAF_INDEX_MASK, 0x3ff	# VA[21:12]: the leaf index
	.equ	PTE_SIZE, 4
	.equ	PTES_PER_TABLE, PAGE_SIZE / PTE_SIZE

# The flags of each kind of page (ISA.md 7.2).
	.equ	PTE_POINTER, PTE_V	# a root entry: V, no R W X
	.equ	PTE_KERNEL, PTE_V | PTE_R | PTE_W | PTE_X	# no U: supervisor only
	.equ	PTE_DEVICE, PTE_V | PTE_R | PTE_W		# no U, no X
	.equ	PTE_USER_CODE, PTE_V | PTE_R | PTE_X | PTE_U	# not W
	.equ	PTE_USER_DATA, PTE_V | PTE_R | PTE_W | PTE_U	# not X
	.equ	PTE_FLAGS, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U	# what the checks compare

# The trap frame: where trap_entry saves the interrupted program's
# registers.  Register rN is at offset 4 * N (r0 needs no slot).
	.equ	TF_RA, 1 * 4
	.equ	TF_SP, 2 * 4
	.equ	TF_GP, 3 * 4
	.equ	TF_A0, 4 * 4
	.equ	TF_A1, 5 * 4
	.equ	TF_A2, 6 * 4
	.equ	TF_A3, 7 * 4
	.equ	TF_T0, 8 * 4
	.equ	TF_T1, 9 * 4
	.equ	TF_T2, 10 * 4
	.equ	TF_T3, 11 * 4
	.equ	TF_S0, 12 * 4
	.equ	TF_S1, 13 * 4
	.equ	TF_S2, 14 * 4
	.equ	TF_S3, 15 * 4
	.equ	TF_SIZE, 16 * 4

	.equ	STACK_SIZE, 1024	# the kernel's stack, and the trap stack
	.equ	SENTINEL, 0x600dcafe	# a value to recognise: s0 across a syscall, a probe through VA

# --- macros ------------------------------------------------------------------

# not_written "MESSAGE": what a stub does.  Prints MESSAGE and a newline
# and halts with EXIT_NOT_WRITTEN.  (The string sits in .text right after
# the jump, which skips it.)
	.macro	not_written message
	la	a0, 98f
	j	stub_reached
98:	.asciz	\message
	.align	4
	.endm

# say "TEXT": print TEXT (give the newline in it).  Changes a0, t0-t3.
	.macro	say text
	la	a0, 98f
	call	kputs
	j	99f
98:	.asciz	\text
	.align	4
99:
	.endm

# check_pte VA, MASK, WANT, "WHAT": the leaf entry that maps VA, masked
# with MASK, must be WANT; else "lab0: FAIL: WHAT" and halt.  (The A and D
# bits are the walker's business: MASK leaves them out.)
	.macro	check_pte va, mask, want, what
	li	a0, \va
	call	pte_lookup
	li	t0, \mask
	and	a0, a0, t0
	li	t0, \want
	beq	a0, t0, 99f
	la	a0, 98f
	j	fail
98:	.asciz	\what
	.align	4
99:
	.endm

# ula RD, LABEL: RD = the address at which the user program sees LABEL.
# The user program is assembled into the kernel's image (at user_code) but
# runs at USER_CODE_VA: a label's address must be moved by the same amount.
	.macro	ula rd, label
	la	\rd, USER_CODE_VA + (\label - user_code)
	.endm

# --- the kernel's main line --------------------------------------------------

	.text
	.globl	_start
_start:
	la	sp, kstack_top
	say	"lab0: booting\n"

	# 1. The trap vector.  (Each check below loads its complaint into
	# a0 first, then branches to fail if the check fails.)
	call	trap_init
	mfcr	t0, tvec
	la	t1, trap_entry
	la	a0, msg_bad_tvec
	bne	t0, t1, fail
	say	"lab0: TVEC points at trap_entry\n"

	# 2. A system call, from the kernel itself: supervisor mode traps on
	# `syscall` just as user mode does.  s0 must survive it.
	li	s0, SENTINEL
	li	a0, SYS_PUTS
	la	a1, msg_kernel_hello
	syscall
	mv	s1, a0			# the result: the string's length
	li	t0, SENTINEL
	la	a0, msg_clobbered
	bne	s0, t0, fail
	say	"lab0: the system call returned "
	mv	a0, s1
	call	kputdec
	li	a0, '\n'
	call	kputc

	# 3. The timer: interrupts on, sleep until KERNEL_TICKS ticks.
	call	timer_start
	li	t0, DEV_TIMER_BASE	# PERIOD reads back what was written
	lw	t0, TIMER_PERIOD(t0)
	li	t2, TICK_CYCLES
	la	a0, msg_bad_period
	bne	t0, t2, fail
	li	t0, PSW_MODE | PSW_IE
	mtcr	psw, t0
	li	s1, KERNEL_WAKEUPS
wait_for_ticks:
	wfi				# sleep until an interrupt has been taken
	la	t0, ticks
	lw	s0, 0(t0)
	li	t0, KERNEL_TICKS
	bge	s0, t0, ticked
	addi	s1, s1, -1
	bnez	s1, wait_for_ticks
	la	a0, msg_no_ticks
	j	fail
ticked:	li	t0, PSW_MODE		# interrupts off again: the timer goes on
	mtcr	psw, t0			# ticking, its line stays pending
	say	"lab0: the timer ticked "
	mv	a0, s0
	call	kputdec
	say	" times\n"

	# 4. The page table, and paging on.
	call	vm_init
	call	paging_on
	mfcr	t0, psw
	andi	t0, t0, PSW_PG
	la	a0, msg_paging_off
	beqz	t0, fail
	li	t0, USER_STACK_VA	# the MMU must take VA to PA
	li	t1, SENTINEL
	sw	t1, 0(t0)
	li	t0, USER_STACK_PA
	lw	t2, 0(t0)
	sw	zero, 0(t0)
	la	a0, msg_bad_stack_map
	bne	t1, t2, fail
	check_pte USER_CODE_VA, PTE_FRAME_MASK, user_code, "VA 0x00400000 is not user_code's page"
	say	"lab0: paging on: the user's code is at VA 0x00400000, its stack at VA 0x7ffff000\n"

	# Who may touch what: only the user's pages have U.
	check_pte _start, PTE_FLAGS, PTE_KERNEL, "the kernel's code is not PTE_KERNEL"
	check_pte kstack, PTE_FLAGS, PTE_KERNEL, "the kernel's data is not PTE_KERNEL"
	check_pte 0, PTE_V, 0, "page 0 is mapped: a null pointer must fault"
	check_pte DEV_CONSOLE_BASE, PTE_FLAGS, PTE_DEVICE, "the console is not PTE_DEVICE"
	check_pte DEV_TIMER_BASE, PTE_FLAGS, PTE_DEVICE, "the timer is not PTE_DEVICE"
	check_pte DEV_TEST_BASE, PTE_FLAGS, PTE_DEVICE, "the test device is not PTE_DEVICE"
	check_pte USER_CODE_VA, PTE_FLAGS, PTE_USER_CODE, "the user's code is not PTE_USER_CODE"
	check_pte USER_STACK_VA, PTE_FLAGS, PTE_USER_DATA, "the user's stack is not PTE_USER_DATA"
	say	"lab0: the kernel's pages and the devices are supervisor-only\n"

	# 5. User mode.  enter_user does not return: from now on the kernel
	# runs only when the user program traps or the timer interrupts it.
	say	"lab0: entering user mode\n"
	j	enter_user

# --- 1. the trap vector ----------------------------------------------------------

# trap_init(): make every trap enter the kernel at trap_entry.
trap_init:
	# BEGIN LAB 0: point TVEC at trap_entry
	la	t0, trap_entry
	mtcr	tvec, t0
	# END LAB 0
	# STUB LAB 0
	# 	not_written "lab 0: trap_init (labs/lab0-bare/kernel.s) is not written yet: see labs/lab0-bare/README.md, section 3.1"
	# END STUB LAB 0
	ret

# trap_entry: every trap and interrupt comes here (TVEC), with the
# interrupted program's state in EPC and EPSW and the reason in CAUSE
# (ISA.md 6.2), in supervisor mode with interrupts off.  Paging is as the
# interrupted program had it, so this code must be mapped in every address
# space: the kernel maps itself (VA = PA) in the only one there is.
#
# The interrupted program may be user code in the middle of anything, so
# every register it uses must come back as it was.  The handler saves all
# fifteen into trap_frame first.  It cannot trust the interrupted sp (a
# user program may point it anywhere), so it parks sp in SCRATCH, the one
# place the hardware leaves free for this, and takes a stack of its own.
# Traps do not nest (IE stays 0 in here and the kernel makes no syscall
# from a handler), so one frame and one trap stack are enough.
	.align	4
trap_entry:
	mtcr	scratch, sp		# park the interrupted sp: sp is free now
	la	sp, trap_frame
	sw	ra, TF_RA(sp)
	sw	gp, TF_GP(sp)
	sw	a0, TF_A0(sp)
	sw	a1, TF_A1(sp)
	sw	a2, TF_A2(sp)
	sw	a3, TF_A3(sp)
	sw	t0, TF_T0(sp)
	sw	t1, TF_T1(sp)
	sw	t2, TF_T2(sp)
	sw	t3, TF_T3(sp)
	sw	s0, TF_S0(sp)
	sw	s1, TF_S1(sp)
	sw	s2, TF_S2(sp)
	sw	s3, TF_S3(sp)
	mfcr	t0, scratch
	sw	t0, TF_SP(sp)
	mv	a0, sp			# the handlers' argument: the trap frame
	la	sp, trap_stack_top
	# Now decide what happened: CAUSE (ISA.md 6.1).  A handler is called
	# with a0 = the trap frame and returns to trap_return below.
	# BEGIN LAB 0: dispatch on CAUSE: the timer, a syscall, or neither
	mfcr	t0, cause
	li	t1, CAUSE_INTERRUPT | IRQ_TIMER
	beq	t0, t1, trap_timer
	li	t1, CAUSE_SYSCALL
	beq	t0, t1, trap_syscall
	j	trap_unexpected		# a fault, or an interrupt we never enabled
trap_timer:
	call	handle_timer
	j	trap_return
trap_syscall:
	call	handle_syscall
	# END LAB 0
	# STUB LAB 0
	# 	not_written "lab 0: trap_entry's dispatch (labs/lab0-bare/kernel.s) is not written yet: see labs/lab0-bare/README.md, section 3.1"
	# END STUB LAB 0

# trap_return: back to the interrupted program with every register as it
# was saved (a handler changes the frame to change them: a syscall's
# result goes into the frame's a0).  rfe then restores PSW from EPSW and
# jumps to EPC.  t0 is loaded last: it holds the frame's address.
trap_return:
	la	t0, trap_frame
	lw	ra, TF_RA(t0)
	lw	sp, TF_SP(t0)
	lw	gp, TF_GP(t0)
	lw	a0, TF_A0(t0)
	lw	a1, TF_A1(t0)
	lw	a2, TF_A2(t0)
	lw	a3, TF_A3(t0)
	lw	t1, TF_T1(t0)
	lw	t2, TF_T2(t0)
	lw	t3, TF_T3(t0)
	lw	s0, TF_S0(t0)
	lw	s1, TF_S1(t0)
	lw	s2, TF_S2(t0)
	lw	s3, TF_S3(t0)
	lw	t0, TF_T0(t0)
	rfe

# trap_unexpected: any other trap is a bug (the kernel's, or the user
# program's: this kernel kills nobody, it stops).  Prints what the
# hardware said and halts with EXIT_FAILED.
trap_unexpected:
	call	paging_off
	say	"lab0: FAIL: unexpected trap: cause "
	mfcr	a0, cause
	call	kputhex
	say	", epc "
	mfcr	a0, epc
	call	kputhex
	say	", badva "
	mfcr	a0, badva
	call	kputhex
	la	a0, msg_from_user
	mfcr	t0, epsw
	andi	t0, t0, PSW_MODE
	beqz	t0, 1f
	la	a0, msg_from_kernel
1:	call	kputs
	li	a0, EXIT_FAILED
	j	halt

# --- 2. system calls -------------------------------------------------------------

# handle_syscall(a0 = trap frame): the system call whose number is in the
# frame's a0 and whose argument is in its a1 (ISA.md 2, "System calls").
# EPC is the `syscall` instruction itself (ISA.md 4.5).
handle_syscall:
	addi	sp, sp, -8
	sw	ra, 0(sp)
	sw	s0, 4(sp)
	# BEGIN LAB 0: the system call: resume after it, run it, return its result
	mv	s0, a0			# s0 = the trap frame
	mfcr	t0, epc			# EPC is the syscall itself: resume at
	addi	t0, t0, 4		# the instruction after it, or the
	mtcr	epc, t0			# program would call again forever
	lw	t0, TF_A0(s0)		# the call's number
	lw	a0, TF_A1(s0)		# its argument, for the sys_ function
	li	t1, SYS_PUTS
	beq	t0, t1, 1f
	li	t1, SYS_TICKS
	beq	t0, t1, 2f
	li	t1, SYS_EXIT
	beq	t0, t1, 3f
	li	a0, -1			# no such call
	j	4f
1:	call	sys_puts
	j	4f
2:	call	sys_ticks
	j	4f
3:	call	sys_exit		# does not return
4:	sw	a0, TF_A0(s0)		# the caller finds the result in its a0
	# END LAB 0
	# STUB LAB 0
	# 	not_written "lab 0: handle_syscall (labs/lab0-bare/kernel.s) is not written yet: see labs/lab0-bare/README.md, section 3.2"
	# END STUB LAB 0
	lw	ra, 0(sp)
	lw	s0, 4(sp)
	addi	sp, sp, 8
	ret

# sys_puts(a0 = string): prints "kernel: " or "user: " (the mode the
# syscall came from, EPSW.MODE), the string and a newline; returns the
# string's length.  The kernel may read a user page (supervisor mode may
# access U pages, ISA.md 7.3), so it reads the user's string in place.
sys_puts:
	addi	sp, sp, -8
	sw	ra, 0(sp)
	sw	s0, 4(sp)
	mv	s0, a0
	la	a0, msg_prefix_user
	mfcr	t0, epsw
	andi	t0, t0, PSW_MODE
	beqz	t0, 1f
	la	a0, msg_prefix_kernel
1:	call	kputs
	mv	a0, s0
	call	kputs
	li	a0, '\n'
	call	kputc
	mv	a0, s0			# the length: count up to the NUL
2:	lbu	t0, 0(a0)
	beqz	t0, 3f
	addi	a0, a0, 1
	j	2b
3:	sub	a0, a0, s0
	lw	ra, 0(sp)
	lw	s0, 4(sp)
	addi	sp, sp, 8
	ret

# sys_ticks(): a0 = the timer interrupts counted so far.
sys_ticks:
	la	t0, ticks
	lw	a0, 0(t0)
	ret

# sys_exit(a0 = status): the user program is done.  Says so and halts the
# machine with that status.  (It never returns, so s0 need not be kept.)
sys_exit:
	mv	s0, a0
	say	"lab0: the user program exited with status "
	mv	a0, s0
	call	kputdec
	li	a0, '\n'
	call	kputc
	mv	a0, s0
	j	halt

# --- 3. the timer ----------------------------------------------------------------

# timer_start(): a TIMER interrupt every TICK_CYCLES cycles (ISA.md 8.4).
timer_start:
	# BEGIN LAB 0: program the timer's period
	li	t0, DEV_TIMER_BASE
	li	t1, TICK_CYCLES
	sw	t1, TIMER_PERIOD(t0)
	# END LAB 0
	# STUB LAB 0
	# 	not_written "lab 0: timer_start (labs/lab0-bare/kernel.s) is not written yet: see labs/lab0-bare/README.md, section 3.3"
	# END STUB LAB 0
	ret

# handle_timer(a0 = trap frame): one tick.  EPC is the instruction the
# interrupt came before (ISA.md 6.2): the program resumes there.
handle_timer:
	# BEGIN LAB 0: acknowledge the timer, count the tick
	li	t0, DEV_TIMER_BASE
	sw	zero, TIMER_ACK(t0)	# drop the line: it is a level (ISA.md 6.4)
	la	t0, ticks
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	# END LAB 0
	# STUB LAB 0
	# 	not_written "lab 0: handle_timer (labs/lab0-bare/kernel.s) is not written yet: see labs/lab0-bare/README.md, section 3.3"
	# END STUB LAB 0
	ret

# --- 4. the page table -----------------------------------------------------------

# vm_init(): builds, with paging off, the one page table of this kernel
# (ISA.md 7.1-7.2), in the five pages from PT_ROOT to PT_END:
#
#   VA                        PA                   flags
#   0x00001000 .. 0x003fffff  the same (identity)  PTE_KERNEL   leaf PT_KERNEL
#   0x00400000 (one page)     user_code            PTE_USER_CODE  PT_USER_CODE
#   0x7ffff000 (one page)     USER_STACK_PA        PTE_USER_DATA  PT_USER_STACK
#   0xf0000000, 0xf0001000,   the same             PTE_DEVICE   leaf PT_DEVICES
#   0xf000f000 (the console, the timer, the test device)
#
# Page 0 stays unmapped: a null pointer faults.  Nothing else is mapped.
vm_init:
	# BEGIN LAB 0: build the two-level page table
	li	t0, PT_ROOT		# memory is zero at boot, but a table
	li	t1, PT_END		# must not rely on it: clear all five
1:	sw	zero, 0(t0)
	addi	t0, t0, 4
	bne	t0, t1, 1b

	li	t0, PT_KERNEL + PTE_SIZE	# entry 1: page 0 stays out
	li	t1, PAGE_SIZE | PTE_KERNEL	# frame 1, VA = PA
	li	t2, PT_KERNEL + PAGE_SIZE	# the end of the leaf table
	li	t3, PAGE_SIZE
2:	sw	t1, 0(t0)
	addi	t0, t0, PTE_SIZE
	add	t1, t1, t3			# the next frame
	bne	t0, t2, 2b

	li	t0, PT_USER_CODE + ((USER_CODE_VA >> PAGE_SHIFT) & LEAF_INDEX_MASK) * PTE_SIZE
	li	t1, user_code | PTE_USER_CODE
	sw	t1, 0(t0)
	li	t0, PT_USER_STACK + ((USER_STACK_VA >> PAGE_SHIFT) & LEAF_INDEX_MASK) * PTE_SIZE
	li	t1, USER_STACK_PA | PTE_USER_DATA
	sw	t1, 0(t0)
	li	t0, PT_DEVICES
	li	t1, DEV_CONSOLE_BASE | PTE_DEVICE
	sw	t1, ((DEV_CONSOLE_BASE >> PAGE_SHIFT) & LEAF_INDEX_MASK) * PTE_SIZE(t0)
	li	t1, DEV_TIMER_BASE | PTE_DEVICE
	sw	t1, ((DEV_TIMER_BASE >> PAGE_SHIFT) & LEAF_INDEX_MASK) * PTE_SIZE(t0)
	li	t1, DEV_TEST_BASE | PTE_DEVICE
	sw	t1, ((DEV_TEST_BASE >> PAGE_SHIFT) & LEAF_INDEX_MASK) * PTE_SIZE(t0)

	li	t0, PT_ROOT		# the root: one pointer per leaf table
	li	t1, PT_KERNEL | PTE_POINTER
	sw	t1, 0(t0)		# root entry 0: VA 0 .. 4 MiB
	li	t1, PT_USER_CODE | PTE_POINTER
	sw	t1, (USER_CODE_VA >> ROOT_SHIFT) * PTE_SIZE(t0)
	li	t1, PT_USER_STACK | PTE_POINTER
	sw	t1, (USER_STACK_VA >> ROOT_SHIFT) * PTE_SIZE(t0)
	li	t1, PT_DEVICES | PTE_POINTER
	sw	t1, (DEV_CONSOLE_BASE >> ROOT_SHIFT) * PTE_SIZE(t0)
	# END LAB 0
	# STUB LAB 0
	# 	not_written "lab 0: vm_init (labs/lab0-bare/kernel.s) is not written yet: see labs/lab0-bare/README.md, section 3.4"
	# END STUB LAB 0
	ret

# paging_on(): the table is ready: turn translation on.  The kernel is
# mapped at its own addresses, so the next instruction is found where it
# was (ISA.md 5: a PSW write takes effect at the next instruction).
paging_on:
	# BEGIN LAB 0: PTBR, then PSW.PG
	li	t0, PT_ROOT
	mtcr	ptbr, t0
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0
	# END LAB 0
	# STUB LAB 0
	# 	not_written "lab 0: paging_on (labs/lab0-bare/kernel.s) is not written yet: see labs/lab0-bare/README.md, section 3.4"
	# END STUB LAB 0
	ret

# pte_lookup(a0 = va): a0 = the leaf entry that maps va in the table at
# PTBR, or 0 if its root entry is not valid.  The walk of ISA.md 7.3 in
# software (without the checks), reading the tables through the identity
# map: the given code uses it to check what vm_init built.
pte_lookup:
	mfcr	t0, ptbr
	li	t1, PTE_FRAME_MASK
	and	t0, t0, t1		# the root table
	srli	t2, a0, ROOT_SHIFT
	slli	t2, t2, 2
	add	t0, t0, t2
	lw	t0, 0(t0)		# the root entry
	andi	t2, t0, PTE_V
	beqz	t2, 1f
	and	t0, t0, t1		# the leaf table
	srli	t2, a0, PAGE_SHIFT
	andi	t2, t2, LEAF_INDEX_MASK
	slli	t2, t2, 2
	add	t0, t0, t2
	lw	a0, 0(t0)		# the leaf entry
	ret
1:	li	a0, 0
	ret

# --- 5. user mode ----------------------------------------------------------------

# enter_user(): start the user program at USER_CODE_VA, in user mode,
# with paging and interrupts on and sp at the top of its stack page.
# Does not return.
enter_user:
	# BEGIN LAB 0: rfe into the user program
	li	sp, USER_STACK_TOP
	li	t0, PSW_IE | PSW_PG	# MODE = 0: user
	mtcr	epsw, t0
	li	t0, USER_CODE_VA
	mtcr	epc, t0
	rfe
	# END LAB 0
	# STUB LAB 0
	# 	not_written "lab 0: enter_user (labs/lab0-bare/kernel.s) is not written yet: see labs/lab0-bare/README.md, section 3.5"
	# END STUB LAB 0

# --- failures, and the stubs -------------------------------------------------

# paging_off(): back to physical addresses, interrupts off, before a
# report: if the page table is what went wrong, the console and the test
# device may not be mapped.  The kernel's VA is its PA, so it runs on.
paging_off:
	li	t0, PSW_MODE
	mtcr	psw, t0
	ret

# fail(a0 = message): "lab0: FAIL: MESSAGE", halt with EXIT_FAILED.
# Like stub_reached, it never returns: it uses s0 freely.
fail:
	mv	s0, a0
	call	paging_off
	say	"lab0: FAIL: "
	mv	a0, s0
	call	kputs
	li	a0, '\n'
	call	kputc
	li	a0, EXIT_FAILED
	j	halt

# stub_reached(a0 = message): a part of the lab that is not written yet.
stub_reached:
	mv	s0, a0
	call	paging_off
	mv	a0, s0
	call	kputs
	li	a0, '\n'
	call	kputc
	li	a0, EXIT_NOT_WRITTEN
	j	halt

# --- the user program --------------------------------------------------------

# It has a page of its own: it is mapped at USER_CODE_VA, with U, and can
# reach nothing else but its stack.  It talks to the kernel only through
# `syscall`.  Its addresses are USER_CODE_VA-based (ula), and its jumps
# and branches are relative, so it runs where it is mapped.
	.align	PAGE_SIZE
user_code:
	# Greet, from a copy of the greeting on the stack: the kernel then
	# reads both user pages.
	addi	sp, sp, -64
	ula	t0, msg_user_hello
	mv	t1, sp
1:	lbu	t2, 0(t0)
	sb	t2, 0(t1)
	addi	t0, t0, 1
	addi	t1, t1, 1
	bnez	t2, 1b
	li	a0, SYS_PUTS
	mv	a1, sp
	syscall
	addi	sp, sp, 64

	# A call the kernel does not know must fail, not crash.
	li	a0, SYS_UNKNOWN
	syscall
	li	t0, -1
	bne	a0, t0, user_fail
	ula	a1, msg_user_unknown
	li	a0, SYS_PUTS
	syscall

	# The timer interrupts user code too: wait for USER_TICKS more ticks.
	li	a0, SYS_TICKS
	syscall
	addi	s0, a0, USER_TICKS
	li	s1, USER_POLLS
2:	li	a0, SYS_TICKS
	syscall
	bge	a0, s0, 3f
	addi	s1, s1, -1
	bnez	s1, 2b
	j	user_fail
3:	ula	a1, msg_user_ticks
	li	a0, SYS_PUTS
	syscall

	li	a0, SYS_EXIT
	li	a1, 0
	syscall
	break				# not reached: SYS_EXIT does not return

user_fail:
	ula	a1, msg_user_failed
	li	a0, SYS_PUTS
	syscall
	li	a0, SYS_EXIT
	li	a1, EXIT_FAILED
	syscall
	break

msg_user_hello:		.asciz	"hello from user mode"
msg_user_unknown:	.asciz	"an unknown system call returns -1"
msg_user_ticks:		.asciz	"the timer ticks in user mode too"
msg_user_failed:	.asciz	"FAIL: a system call went wrong, or the timer never ticked"
	.align	4
user_code_end:
	.org	user_code + PAGE_SIZE	# (an error if the program outgrew its page)

# --- the kernel's data -------------------------------------------------------

	.data
ticks:			.word	0	# timer interrupts so far
trap_frame:		.space	TF_SIZE
msg_kernel_hello:	.asciz	"hello, through a system call from supervisor mode"
msg_prefix_kernel:	.asciz	"kernel: "
msg_prefix_user:	.asciz	"user: "
msg_from_kernel:	.asciz	", from supervisor mode\n"
msg_from_user:		.asciz	", from user mode\n"
msg_bad_tvec:		.asciz	"TVEC does not point at trap_entry"
msg_clobbered:		.asciz	"the system call changed s0"
msg_no_ticks:		.asciz	"the kernel woke up 100 times, but the tick count did not reach 3"
msg_bad_period:		.asciz	"the timer's PERIOD is not TICK_CYCLES"
msg_paging_off:		.asciz	"PSW.PG is 0 after paging_on"
msg_bad_stack_map:	.asciz	"a word stored at VA 0x7ffff000 is not at PA USER_STACK_PA"
	.align	16
kstack:			.space	STACK_SIZE
kstack_top:
trap_stack:		.space	STACK_SIZE
trap_stack_top:

# kputs, kputc, kputdec, kputhex, halt: the guest OS's console routines.
# They print a buffer with the macro CONSOLE_WRITE of the guest OS's
# native flavour (one store to TX a byte), so that comes first.
	.include "../../guestos/native/priv.inc"
	.include "../../guestos/console.s"
