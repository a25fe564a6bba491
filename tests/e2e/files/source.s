# source.s - run as assembly source: `trapeze run -I inc source.s`
# assembles it in memory; without -I inc, .include fails as in `as`.
	.include "greet.inc"
	.text
_start:	li	t0, 0xF0000000	# the console
	li	t1, 'o'
	sw	t1, 0(t0)
	li	t1, 'k'
	sw	t1, 0(t0)
	li	t1, '\n'
	sw	t1, 0(t0)
	li	t0, 0xF000F000	# the test device: exit with EXIT_CODE
	li	t1, EXIT_CODE
	sw	t1, 0(t0)
