# kernel.s - guestos: a small preemptive operating system for PG32.
#
# guestos boots on the bare machine in supervisor mode with paging off,
# builds page tables, loads the user programs listed on the disk into
# address spaces of their own, and runs them round-robin, preempted by the
# timer, until all of them have exited.  It then prints one summary line
# and halts the machine through the test device.
#
# It is written to be read.  One file per subsystem, in the order a reader
# might want them:
#
#   kernel.s   boot (this file)                 param.inc  constants, struct proc
#   trap.s     trap entry/return, faults         priv.inc   privileged operations
#   syscall.s  the system calls                  console.s  printing, panic
#   proc.s     process table, run queue,         vm.s       frames, page tables
#              scheduler, idle, exit             disk.s     disk, program loading
#
# Design decisions a reader (and the VMM) should know:
#
# - ONE KERNEL STACK, NO KERNEL THREADS.  Every trap saves the user
#   registers into the current process's trap frame (struct proc) and
#   starts the kernel on a fresh, empty kernel stack.  The kernel never
#   blocks half-way through a call: a system call that must wait (sleep,
#   yield, exit) records what it waits for in struct proc and jumps to
#   schedule(), which abandons the kernel stack and resumes some process
#   from its trap frame.  All kernel state therefore lives in the process
#   table and a few variables, never on a stack.
# - INTERRUPTS ARE OFF IN THE KERNEL, except in the idle loop.  Trap entry
#   clears IE; user code runs with IE = 1; the idle loop turns IE on and
#   waits with wfi.  The run queue and sleep are still written with
#   IRQ_SAVE_DISABLE / IRQ_RESTORE (rdpsw/wrpsw), the way a kernel that
#   can be interrupted must write them.
# - ALL PRIVILEGED OPERATIONS go through the macros of priv.inc.
# - The kernel is identity-mapped (virtual = physical) over the first
#   4 MiB, supervisor-only, in every address space, so it keeps running
#   when paging is turned on and the trap handler is always reachable.
#   It reads user memory by walking the process's page table in software
#   and using the physical address (see vm_lookup): a user pointer is
#   never dereferenced directly by the kernel.
# - Programs are read from the disk at boot by polling the disk's STATUS
#   register (no disk interrupt is used).
# - Everything is deterministic: the timer counts machine cycles.

	.include "pg32.inc"		# hardware constants (generated)
	.include "param.inc"
	.include "priv.inc"
	.include "user/usys.inc"	# system call numbers

	.text
	.globl	_start
# _start: the machine starts here with MODE = supervisor, IE = 0, PG = 0
# and every register 0.
_start:
	la	sp, kstack_top
	HYPERVISOR_CHECK		# the paravirtualized flavour needs the VMM

	# Are we really the supervisor?  On the bare machine we always are.
	# Under a monitor we may run deprivileged; a correct monitor makes
	# rdpsw show MODE = 1 anyway (it traps and emulates it), a leaky
	# machine does not — and then we would rather stop than misbehave.
	READ_PSW t0
	andi	t1, t0, PSW_MODE
	bnez	t1, 1f
	mv	a0, t0
	j	panic_not_supervisor
1:
	la	t0, trap_entry		# every trap and interrupt enters here
	SET_TVEC t0
	la	a0, msg_boot
	call	kputs

	call	kinit			# the free frame pool
	call	kvm_init		# the kernel's own page table

	# Paging on.  The kernel is identity-mapped, so the instruction after
	# PAGING_ON is found at the same address with translation on.
	la	t0, kernel_root
	lw	a0, 0(t0)
	la	t0, cur_root
	sw	a0, 0(t0)
	SET_PTBR a0
	PAGING_ON t0

	la	a0, msg_paging		# "guestos: paging on, N free frames, ..."
	call	kputs
	la	t0, nfree
	lw	a0, 0(t0)
	call	kputdec
	la	a0, msg_quantum
	call	kputs
	li	a0, QUANTUM
	call	kputdec
	la	a0, msg_cycles
	call	kputs

	call	load_programs		# one process per program on the disk

	# Start the clock: from now on a TIMER interrupt every QUANTUM cycles
	# preempts whatever user code runs.
	li	t0, DEV_TIMER_BASE
	li	t1, QUANTUM
	sw	t1, TIMER_PERIOD(t0)

	j	schedule		# never returns

	.data
msg_boot:	.asciz	"guestos: booting\n"
msg_paging:	.asciz	"guestos: paging on, "
msg_quantum:	.asciz	" free frames, quantum "
msg_cycles:	.asciz	" cycles\n"
	.align	4

# --- the subsystems ------------------------------------------------------
	.include "console.s"
	.include "vm.s"
	.include "disk.s"
	.include "proc.s"
	.include "trap.s"
	.include "syscall.s"

# --- the kernel stack, and the end of the kernel image ---------------------
	.data
	.align	16
kstack:	.space	KSTACK_SIZE
kstack_top:

	.text
etext:			# end of kernel code: pages below are mapped R+X
	.data
	.align	4
kernel_end:		# the frame pool starts at the next page boundary
