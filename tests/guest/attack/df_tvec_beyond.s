# df_tvec_beyond.s - a trap vector past the end of RAM.
#
# Tries: TVEC = the first address past RAM, then a break: the trap
# handler cannot even be fetched.  A monitor must stop this VM alone,
# the way the bare machine stops, and keep the neighbour running.
# The bare machine: the fetch at TVEC is a BUS_ERROR on the handler's
# first instruction: a double fault; the machine stops (`trapeze run`
# exits 123) after the line printed before.
	.include "attack.inc"

	.text
	.globl	_start
_start:
	test_init
	li	s0, 1
	expect_eq s0, 1, "about to break with TVEC past RAM"
	li	t0, RAM_SIZE
	mtcr	tvec, t0
	break
	expect_eq s0, 0, "not reached"
	test_done
