# user_device.s - reach devices from user mode.
#
# Tries: user-mode accesses to devices with paging off (physical, no
# check), and with paging on through window PTEs: a U = 1 mapping of the
# console (output), of the timer (PERIOD read back), of the test device
# (EXIT reads 0); several aliases of one console; a U = 0 mapping; a
# mapping without R, one without W.  Whatever the guest does, the device
# it reaches is its own: its console lines stay in its own output.
# The bare machine: with PG = 0, user mode reaches devices unchecked; with
# PG = 1 a device page is an ordinary page -- U = 1 lets user mode use it
# (PG32 does not forbid it), U = 0, no R or no W give a present
# PAGE_FAULT and the device sees nothing; a successful access sets A (and
# D for a store) in the PTE.
	.include "attack.inc"

	.text
	.globl	_start
_start:
	test_init
	call	__attack_build_tables
	win_map	0, DEV_CONSOLE_BASE | RWU
	win_map	1, DEV_CONSOLE_BASE | RWU
	win_map	2, DEV_CONSOLE_BASE | RW		# no U
	win_map	3, DEV_CONSOLE_BASE | PTE_V | PTE_W | PTE_U	# no R
	win_map	4, DEV_TIMER_BASE | PTE_V | PTE_R | PTE_U	# no W
	win_map	5, DEV_TIMER_BASE | RWU
	win_map	6, DEV_TEST_BASE | RWU
	li	t0, ROOT
	mtcr	ptbr, t0

	# --- user mode, paging off ---
	li	t0, 0
	mtcr	epsw, t0
	la	t0, user_phys
	mtcr	epc, t0
	rfe
user_phys:
	la	a0, str_phys
	call	puts			# the library's puts: TX at 0xf0000000
	li	t0, DEV_TIMER_BASE
	li	t1, 4321
	sw	t1, TIMER_PERIOD(t0)
	lw	s0, TIMER_PERIOD(t0)
	sw	zero, TIMER_PERIOD(t0)
	expect_eq s0, 4321, "user, PG = 0: the timer's PERIOD"
	set_recover super1
	break
super1:
	# --- user mode, paging on ---
	li	t0, PSW_PG
	mtcr	epsw, t0
	la	t0, user_pg
	mtcr	epc, t0
	rfe
user_pg:
	li	s1, WIN
	li	t0, 'w'
	sb	t0, 0(s1)		# alias 0
	li	t0, '1'
	sb	t0, PAGE_SIZE(s1)	# alias 1
	li	t0, '\n'
	sw	t0, 0(s1)
	expect_mem trap_count, 1, "user, PG = 1: console through two U aliases (no trap)"
	li	t0, '!'
	sb	t0, 2 * PAGE_SIZE(s1)
	expect_trap PFP_STORE, WIN + 2 * PAGE_SIZE, "console mapped without U: fault, no output"
	lw	s0, 3 * PAGE_SIZE + CONSOLE_STATUS(s1)
	expect_trap PFP_LOAD, WIN + 3 * PAGE_SIZE + CONSOLE_STATUS, "console mapped without R: the load faults"
	li	t0, '3'
	sb	t0, 3 * PAGE_SIZE(s1)
	li	t0, '\n'
	sb	t0, 3 * PAGE_SIZE(s1)
	li	t0, 777
	sw	t0, 5 * PAGE_SIZE(s1)	# PERIOD through the RW alias
	lw	s0, 4 * PAGE_SIZE(s1)	# read through the read-only one
	expect_eq s0, 777, "timer PERIOD through a U alias, read through another"
	sw	zero, 4 * PAGE_SIZE(s1)
	expect_trap PFP_STORE, WIN + 4 * PAGE_SIZE, "timer mapped without W: the store faults"
	lw	s0, 4 * PAGE_SIZE(s1)
	expect_eq s0, 777, "  ... and did not reach the timer"
	sw	zero, 5 * PAGE_SIZE(s1)	# timer off
	lw	s0, 6 * PAGE_SIZE(s1)
	expect_eq s0, 0, "user reads the test device's EXIT: 0"
	set_recover super2
	break
super2:
	peek	s0, L_WIN + 0 * 4
	expect_eq s0, DEV_CONSOLE_BASE | RWU | PTE_A | PTE_D, "console PTE: A and D"
	peek	s0, L_WIN + 2 * 4
	expect_eq s0, DEV_CONSOLE_BASE | RW, "console PTE without U: no A"
	peek	s0, L_WIN + 4 * 4
	expect_eq s0, DEV_TIMER_BASE | PTE_V | PTE_R | PTE_U | PTE_A, "timer PTE without W: A, no D"
	test_done

	.data
str_phys:	.asciz	"user mode prints with PG = 0\n"
