# irq.s - the interrupt: the kernel arms the timer to fire PERIOD cycles
# later, waits for it with wfi (interrupts on), takes it, acknowledges it
# at the timer and returns with rfe to the instruction after the wfi.
#
# So one operation is two device writes (arm, acknowledge), one wait, one
# interrupt entry and one rfe: what every interrupt-driven driver pays.
# On the bare machine the wait is the clock jumping to the tick.  Under
# trap-and-emulate each device write, the wfi, the handler's control-
# register accesses and the rfe exit, and the VMM injects the interrupt;
# with hardware assist only the device writes and the wfi exit, and the
# interrupt is injected at the VM entry after the wait.
# Check: the handler ran N times.
	.include "nano.inc"

	.equ	PERIOD, 100		# cycles from the arming write to the tick

	.macro	BENCH_SETUP
	li	a3, DEV_TIMER_BASE
	IRQ_ON	t0
	.endm
	.macro	KERNEL_OP
	li	t0, PERIOD
	sw	t0, TIMER_PERIOD(a3)
	WAIT
	.endm
	.macro	USER_OP
	.endm
	.macro	CHECK
	li	t0, N
	bne	s1, t0, fail
	.endm

	NANO_MAIN

trap:	READ_CAUSE t2
	li	t3, CAUSE_INTERRUPT | IRQ_TIMER
	bne	t2, t3, other_trap
	sw	zero, TIMER_PERIOD(a3)	# off: the next arming starts it again
	addi	s1, s1, 1
	RETURN_TO_USER
