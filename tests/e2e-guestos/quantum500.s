# quantum500.s - guestos with a tiny timer quantum: 500 cycles, ten times
# less than the real build (guestos/guestos.s).  A timer interrupt now
# lands every few dozen user instructions, often right after the kernel
# returns, so the scheduler, the run queue and the save/restore of every
# register are exercised thousands of times.  Every process must still
# print exactly the lines it prints with the normal quantum.
#
#   trapeze as -I guestos -I build/include tests/e2e-guestos/quantum500.s

	.equ	QUANTUM, 500
	.include "kernel.s"
