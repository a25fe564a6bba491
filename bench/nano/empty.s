# empty.s - the baseline: the skeleton with nothing in its loops.
#
# Every benchmark's figures are taken minus this program's (run with the
# same N, flavour and mode): what remains is N operations.  Its handler
# only ever sees the final syscall.
	.include "nano.inc"

	.macro	BENCH_SETUP
	.endm
	.macro	KERNEL_OP
	.endm
	.macro	USER_OP
	.endm
	.macro	CHECK
	bnez	s1, fail		# nothing counted
	.endm

	NANO_MAIN

trap:	READ_CAUSE t2
	j	other_trap
