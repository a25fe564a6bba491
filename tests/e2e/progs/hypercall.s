# hypercall.s - asks for the hypercall ABI version: a hypercall under the
# VMM, an illegal instruction on the bare machine (which then double
# faults: TVEC is 0).  Lockstep stops at it, as designed.
	.equ	TEST_EXIT, 0xF000F000
	.text
_start:	li	a0, 0			# HC_VERSION
	hcall
	li	t0, TEST_EXIT
	sw	a0, 0(t0)		# halts with the version, 2
