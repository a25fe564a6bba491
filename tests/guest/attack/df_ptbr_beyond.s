# df_ptbr_beyond.s - PTBR pointing past the end of RAM, paging on.
#
# Tries: with paging on in supervisor mode, mtcr PTBR = 32 MiB.  The next
# fetch needs a walk that reads the root from past RAM; so does the trap
# handler's (PG is unchanged by trap entry).
# The bare machine: the next fetch is a BUS_ERROR (BADVA = its address);
# the handler's first fetch is one too: a double fault (exit 123).  (With
# paging off, PTBR holds any value harmlessly: checked first.)
	.include "attack.inc"

	.text
	.globl	_start
_start:
	test_init
	li	t0, 0x02000000
	mtcr	ptbr, t0
	mfcr	s0, ptbr
	expect_eq s0, 0x02000000, "paging off: PTBR past RAM reads back"
	paging_on
	expect_eq s0, 0x02000000, "paging on with valid tables"
	li	t0, 0x02000000
	mtcr	ptbr, t0
	expect_eq s0, 0, "not reached"
	test_done
