# guestos.s - the guestos build: choose the timer quantum, then the kernel.
#
# QUANTUM is the only build parameter.  tests/e2e-guestos/quantum500.s is
# another such two-line file: the same kernel with a tiny quantum, to
# stress the scheduler.
#
#   bin/trapeze as -I build/include guestos/guestos.s -o build/guestos.elf

	.equ	QUANTUM, 5000		# cycles between timer interrupts
	.include "kernel.s"
