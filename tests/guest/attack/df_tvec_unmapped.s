# df_tvec_unmapped.s - with paging on, a trap vector in unmapped memory.
#
# Tries: paging on, TVEC = an address in the empty attack window, then a
# syscall.  The handler's page is not mapped (PG stays on at trap entry).
# The bare machine: the fetch at TVEC is a not-present fetch PAGE_FAULT
# on the handler's first instruction: a double fault (exit 123).
	.include "attack.inc"

	.text
	.globl	_start
_start:
	test_init
	paging_on
	li	s0, 1
	expect_eq s0, 1, "about to syscall with TVEC unmapped"
	li	t0, WIN + 0x100
	mtcr	tvec, t0
	syscall
	expect_eq s0, 0, "not reached"
	test_done
