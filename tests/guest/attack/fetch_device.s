# fetch_device.s - execute from device pages and from past RAM.
#
# Tries: jumps to the console, to the test device's EXIT register (a fetch
# must not be taken for a store), to an empty device slot, to the end of
# RAM and past it, to the top of the address space; with paging off, then
# through PTEs with X (device, empty slot, past RAM) and without X, and
# from user mode through a U = 1, X mapping of the console.
# The bare machine: only RAM holds code; a fetch elsewhere is a BUS_ERROR
# with EPC = BADVA = the target (after a successful walk when paging is
# on: a PTE without X is a present fetch PAGE_FAULT first); the device is
# not touched and the PTE gets no A.
	.include "attack.inc"

# jump_to ADDR, CAUSE, "name": a call to ADDR must trap with CAUSE and
# EPC = BADVA = ADDR.
	.macro	jump_to addr, cause, name
	set_recover __jt\@
	li	t0, \addr
	jalr	ra, 0(t0)
__jt\@:	expect_trap \cause, \addr, \name
	expect_mem trap_epc, \addr, "  ... EPC"
	.endm

	.text
	.globl	_start
_start:
	test_init
	la	t0, ret_word		# the last word of RAM holds "ret"
	lw	t0, 0(t0)
	li	t1, RAM_SIZE - 4
	sw	t0, 0(t1)
	clear_trap
	li	t0, RAM_SIZE - 4
	jalr	ra, 0(t0)
	expect_mem trap_cause, 0, "the last word of RAM runs"
	jump_to	DEV_CONSOLE_BASE, BUSERR, "fetch from the console"
	jump_to	DEV_TEST_BASE, BUSERR, "fetch from EXIT (no halt)"
	jump_to	DEV_TIMER_BASE + 0x40, BUSERR, "fetch inside the timer's page"
	jump_to	0xf0004000, BUSERR, "fetch from an empty device slot"
	jump_to	RAM_SIZE, BUSERR, "fetch just past RAM"
	jump_to	0xfffffffc, BUSERR, "fetch at the top of the address space"

	paging_on
	win_map	0, DEV_CONSOLE_BASE | RWU | PTE_X
	win_map	1, DEV_CONSOLE_BASE | RWU
	win_map	2, 0xf0004000 | RWU | PTE_X
	win_map	3, RAM_SIZE | RWU | PTE_X
	win_map	4, DEV_TEST_BASE | RWU | PTE_X
	jump_to	WIN, BUSERR, "paging: fetch from the console, X set"
	jump_to	WIN + PAGE_SIZE + 8, PFP_FETCH, "paging: console without X: page fault"
	jump_to	WIN + 2 * PAGE_SIZE, BUSERR, "paging: an empty slot, X set"
	jump_to	WIN + 3 * PAGE_SIZE + 0xffc, BUSERR, "paging: past RAM, X set"
	jump_to	WIN + 4 * PAGE_SIZE, BUSERR, "paging: EXIT, X set (no halt)"
	peek	s0, L_WIN
	expect_eq s0, DEV_CONSOLE_BASE | RWU | PTE_X, "  ... no A in the console's PTE"

	li	t0, PSW_PG
	mtcr	epsw, t0
	la	t0, user
	mtcr	epc, t0
	rfe
user:	jump_to	WIN, BUSERR, "user: fetch from the console, U and X set"
	expect_mem trap_epsw, PSW_PG, "  ... from user mode"
	test_done

ret_word:
	ret
