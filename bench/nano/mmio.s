# mmio.s - the console MMIO write: the kernel stores a byte to the
# console's TX register, N times ('.' each time).
#
# One store on the bare machine (a device access costs 8 extra cycles).
# Under the VMM device pages are never mapped, so the store faults, the
# VMM sees a device address and emulates the write on the VM's virtual
# console (mmio.c).  Paravirtualized there is no device access: the byte
# goes through the HC_CONSOLE_WRITE hypercall.
# Check: bench/compare.sh counts the bytes printed (N); the program itself
# checks only that the loop ran to its end.
	.include "nano.inc"

	.macro	BENCH_SETUP
	li	s2, DEV_CONSOLE_BASE
	li	s3, '.'
	.endm
	.macro	KERNEL_OP
	CONSOLE_PUTC s3, s2
	.endm
	.macro	USER_OP
	.endm
	.macro	CHECK
	bnez	s1, fail
	.endm

	NANO_MAIN

trap:	READ_CAUSE t2
	j	other_trap
