# pte_self_access.s - a load or store whose data is its own leaf PTE.
#
# Tries: a leaf PTE that maps the page table holding it (V R W, A and D
# clear), then a load of that very PTE through it, and a store to it.
# This is where the order of "the walker sets A/D" and "the access reads
# or writes memory" shows, and a shadow-paging VMM that sets A/D in the
# guest's PTE before re-running the instruction may show a different
# order than the hardware's.
# The bare machine (machine/mmu.c, mmu_load/mmu_store): a load reads the
# memory first and sets A once it has succeeded, so it returns the PTE
# without A; A is in memory afterwards.  A store sets A and D first and
# then writes, so memory holds exactly the stored value.
# --- attack.inc
# attack.inc - what the adversarial guests share: one page-table layout,
# a macro that turns paging on over it, and small helpers.
#
# Every attack includes test.inc (the guest test library) through this
# file.  Memory layout of an attack (RAM is the default 16 MiB):
#
#   0x001000..      the program's .text and .data (the library included)
#   ROOT            0x100000  the root table
#   L_ID0..L_ID3    0x101000.. identity leaf tables: VA 0..16 MiB = PA,
#                   V R W X U (so user mode can run the library too)
#   L_DEV           0x105000  leaf table of VA 0xF0000000..: the four
#                   devices, identity, V R W U (no X)
#   L_WIN           0x106000  leaf table of the attack window, VA WIN..
#                   (root entry WIN_INDEX), empty: each attack maps there
#                   whatever it wants to try
#   FREE            0x200000  frames the attacks use as data
#
# An entry n of the window maps VA WIN + n * 4 KiB; `win_map N, PTE`
# writes it (through the identity map, so with paging on or off) and runs
# tlbinv for it when paging is on.  The architecture lets a TLB keep a
# stale entry until tlbinv/tlbflush/PTBR write, so every attack flushes
# after a change before it relies on it, and checks only what PG32
# guarantees.

# --- test.inc
# test.inc - the guest test library: checks, output, a default trap handler.
#
# A guest test is a small PG32 program in the style of kvm-unit-tests: it
# runs on the bare machine (and, later, under the VMM), checks what the
# hardware did, prints one line per check and halts through the test
# device with the number of failed checks as its exit status.
#
# A test looks like this:
#
#	.include "test.inc"
#	.text
#	.globl _start
#   _start:
#	test_init			# stack, default trap handler
#	li	s0, 2
#	addi	s0, s0, 3
#	expect_eq s0, 5, "addi adds"	# prints "PASS addi adds"
#	test_done			# prints the summary and halts
#
# What the library gives:
#
#   test_init                 set sp to the library's stack, TVEC to the
#                             default trap handler, clear the trap record
#   expect_eq REG, VALUE, "name"
#                             compare a register with a value; prints
#                             "PASS name" or "FAIL name (got 0x..., want 0x...)"
#   expect_mem LABEL, VALUE, "name"
#                             the same for the word at LABEL (e.g. trap_cause)
#   expect_trap CAUSE, BADVA, "name"
#                             the last trap's CAUSE and BADVA: two checks,
#                             "name: cause" and "name: badva"
#   test_done                 print "SUMMARY: N passed, M failed" and halt
#                             with exit status M (at most 255, so that a
#                             failure can never read as 0)
#   set_tvec LABEL            install a trap handler of the test's own
#   set_recover LABEL         the next trap resumes at LABEL, in supervisor
#                             mode (one shot; see the trap handler below)
#   puts (a0 = string), putc (a0 = byte), print_hex (a0 = value),
#   print_dec (a0 = value)    functions, called with `call`
#
# Registers: the macros and functions may change a0-a3, t0-t3 and ra; they
# keep s0-s3, sp and gp.  So a test keeps the values it wants to check in
# s0-s3 across checks.
#
# Labels: pass named labels to the macros (set_recover back, not 1f).  The
# assembler gives each macro expansion its own numeric labels, so a 1f
# written as a macro argument would be looked for inside the expansion.
# VALUE may be any expression, labels included (li takes them).
#
# The trap record: the default handler (trap_default) writes what the
# hardware told it into these words, so that the test can check them
# afterwards:
#   trap_epc, trap_cause, trap_badva, trap_epsw   the control registers
#   trap_count                                    traps taken so far
# then resumes:
#   - at trap_recover, if that word is not 0: it is cleared (one shot), and
#     the handler returns in supervisor mode (EPSW.MODE = 1, IE and PG as
#     they were) — the way back from a user-mode experiment;
#   - after the trapping instruction (EPC + 4) otherwise, for an exception;
#   - at EPC for an interrupt (EPC already is the next instruction).
# The handler changes no general register.  It runs with whatever paging
# the program had, so a test that turns paging on maps the library's text
# and data (an identity map of low memory is the simple way).

# --- pg32.inc
# generated by tools/gen_pg32_inc.c from isa/isa.h and machine/devices.h — do not edit
#
# PG32 hardware constants for guest programs: .include "pg32.inc"

# --- trap causes: CAUSE bits 7:0 ---
	.equ	CAUSE_ILLEGAL,           0x00000001	# illegal instruction
	.equ	CAUSE_PRIV,              0x00000002	# privileged instruction in user mode
	.equ	CAUSE_SYSCALL,           0x00000003	# syscall
	.equ	CAUSE_BREAK,             0x00000004	# break
	.equ	CAUSE_DIVZERO,           0x00000005	# division by zero
	.equ	CAUSE_MISALIGNED,        0x00000006	# misaligned address
	.equ	CAUSE_PAGE_FAULT,        0x00000007	# page fault
	.equ	CAUSE_BUS_ERROR,         0x00000008	# bus error
	.equ	CAUSE_HCALL,             0x00000009	# hypercall (an exit to the monitor, never written to CAUSE)
	.equ	CAUSE_CODE_MASK,         0x000000ff	# the code field of CAUSE

# --- page faults: CAUSE bits 9:8 the access, bit 10 present ---
	.equ	CAUSE_ACCESS_SHIFT,      0x00000008	# where the access field starts
	.equ	CAUSE_ACCESS_FETCH,      0x00000000	# access: instruction fetch
	.equ	CAUSE_ACCESS_LOAD,       0x00000001	# access: load
	.equ	CAUSE_ACCESS_STORE,      0x00000002	# access: store
	.equ	CAUSE_PRESENT,           0x00000400	# the page was present (protection fault)

# --- interrupts: CAUSE bit 31 set, the line's number in bits 7:0 ---
	.equ	CAUSE_INTERRUPT,         0x80000000	# bit 31: an interrupt, not an exception
	.equ	IRQ_TIMER,               0x00000000	# timer
	.equ	IRQ_CONSOLE,             0x00000001	# console input
	.equ	IRQ_DISK,                0x00000002	# disk completion

# --- control registers: the numbers mfcr and mtcr name ---
	.equ	CR_PSW,                  0x00000000	# processor status word: MODE, IE, PG
	.equ	CR_EPC,                  0x00000001	# PC of the trapping instruction (interrupts: next PC)
	.equ	CR_EPSW,                 0x00000002	# PSW saved at trap entry, restored by rfe
	.equ	CR_CAUSE,                0x00000003	# why the last trap happened
	.equ	CR_BADVA,                0x00000004	# faulting address (MISALIGNED, PAGE_FAULT, BUS_ERROR)
	.equ	CR_TVEC,                 0x00000005	# address of the trap handler
	.equ	CR_PTBR,                 0x00000006	# physical address of the root page table
	.equ	CR_SCRATCH,              0x00000007	# free for the kernel (e.g. a stack pointer)

# --- hypercalls (trapeze's VMM): number in a0, arguments a1, a2 ---
	.equ	HC_VERSION,              0x00000000	# a0 = the ABI version (1)
	.equ	HC_GET_PSW,              0x00000001	# a0 = the virtual PSW
	.equ	HC_SET_PSW,              0x00000002	# virtual PSW = a1 (MODE, IE, PG)
	.equ	HC_IRQ_SAVE_DISABLE,     0x00000003	# a0 = the PSW; then IE = 0
	.equ	HC_SET_TVEC,             0x00000004	# TVEC = a1
	.equ	HC_SET_PTBR,             0x00000005	# PTBR = a1; flushes the TLB
	.equ	HC_TLB_FLUSH,            0x00000006	# flush the TLB
	.equ	HC_TLB_INV,              0x00000007	# drop the TLB entry of the page of VA a1
	.equ	HC_RFE,                  0x00000008	# rfe; a0-a2 reloaded from the 3 words at VA a1
	.equ	HC_MMU_UPDATE,           0x00000009	# write a2 {PTE GPA, value} pairs at GPA a1
	.equ	HC_CONSOLE_WRITE,        0x0000000a	# print a2 bytes (at most 1024) at VA a1
	.equ	HC_IDLE,                 0x0000000b	# wait for an interrupt (wfi)
	.equ	HC_GET_CR,               0x0000000c	# a0 = control register a1
	.equ	HC_SET_CR,               0x0000000d	# control register a1 = a2

# --- PSW bits ---
	.equ	PSW_MODE,                0x00000001	# 1 = supervisor mode
	.equ	PSW_IE,                  0x00000002	# interrupts enabled
	.equ	PSW_PG,                  0x00000004	# paging on

# --- paging: 4 KiB pages, two levels ---
	.equ	PAGE_SHIFT,              0x0000000c	# log2 of the page size
	.equ	PAGE_SIZE,               0x00001000	# bytes in a page
	.equ	PTE_V,                   0x00000001	# valid
	.equ	PTE_R,                   0x00000002	# readable
	.equ	PTE_W,                   0x00000004	# writable
	.equ	PTE_X,                   0x00000008	# executable
	.equ	PTE_U,                   0x00000010	# user mode may access
	.equ	PTE_A,                   0x00000020	# accessed (set by the walker)
	.equ	PTE_D,                   0x00000040	# dirty (set by the walker on a store)
	.equ	PTE_FRAME_MASK,          0xfffff000	# the frame address bits

# --- devices: base addresses ---
	.equ	DEV_CONSOLE_BASE,        0xf0000000	# console
	.equ	DEV_TIMER_BASE,          0xf0001000	# timer
	.equ	DEV_DISK_BASE,           0xf0002000	# disk
	.equ	DEV_TEST_BASE,           0xf000f000	# test/power device
	.equ	DEV_PAGE,                0x00001000	# each device owns one page

# --- console registers (offsets) and STATUS bits ---
	.equ	CONSOLE_TX,              0x00000000	# write: output the low byte
	.equ	CONSOLE_RX,              0x00000004	# read: next input byte, consumed
	.equ	CONSOLE_STATUS,          0x00000008	# read: RXREADY, TXREADY, EOF
	.equ	CONSOLE_RXIE,            0x0000000c	# bit 0: interrupt while RXREADY
	.equ	CONSOLE_STATUS_RXREADY,  0x00000001	# a byte waits in RX
	.equ	CONSOLE_STATUS_TXREADY,  0x00000002	# always 1
	.equ	CONSOLE_STATUS_EOF,      0x00000004	# input ended and RX is empty

# --- timer registers (offsets) ---
	.equ	TIMER_PERIOD,            0x00000000	# write N: TIMER every N cycles; 0: off
	.equ	TIMER_ACK,               0x00000004	# write: clear the pending TIMER

# --- disk registers (offsets), commands and STATUS bits ---
	.equ	DISK_SECTOR,             0x00000000	# first sector of the next command
	.equ	DISK_ADDR,               0x00000004	# physical RAM address for the DMA
	.equ	DISK_COUNT,              0x00000008	# number of sectors
	.equ	DISK_CMD,                0x0000000c	# write: start a command
	.equ	DISK_STATUS,             0x00000010	# read: BUSY, DONE, ERROR; write: clear
	.equ	DISK_IE,                 0x00000014	# bit 0: interrupt while DONE or ERROR
	.equ	DISK_SECTORS,            0x00000018	# read: disk size in sectors
	.equ	DISK_CMD_READ,           0x00000001	# disk -> RAM
	.equ	DISK_CMD_WRITE,          0x00000002	# RAM -> disk
	.equ	DISK_STATUS_BUSY,        0x00000001	# a command is in flight
	.equ	DISK_STATUS_DONE,        0x00000002	# the last command succeeded
	.equ	DISK_STATUS_ERROR,       0x00000004	# the last command failed
	.equ	DISK_SECTOR_SIZE,        0x00000200	# bytes in a sector
	.equ	DISK_MAX_COUNT,          0x00000080	# most sectors per command
	.equ	DISK_LATENCY,            0x000007d0	# cycles from CMD to completion

# --- test/power device registers (offsets) ---
	.equ	TEST_EXIT,               0x00000000	# write: halt with this exit status

# Offsets in the trap record, for code that holds its address in a register.
	.equ	TR_EPC,		0
	.equ	TR_CAUSE,	4
	.equ	TR_BADVA,	8
	.equ	TR_EPSW,	12
	.equ	TR_COUNT,	16
	.equ	TR_RECOVER,	20
	.equ	TR_SAVE_T1,	24

	.equ	STACK_SIZE,	4096

# --- macros ---------------------------------------------------------------

	.macro	test_init
	la	sp, __stack_top
	call	__test_init
	.endm

	.macro	set_tvec handler
	la	t0, \handler
	mtcr	tvec, t0
	.endm

	.macro	set_recover where
	la	t0, \where
	la	t1, trap_recover
	sw	t0, 0(t1)
	.endm

# The name is placed in .text right after the call and jumped over, so the
# macro needs no label of its own besides the numeric ones 98 and 99.
	.macro	expect_eq reg, value, name
	mv	a0, \reg
	li	a1, \value
	la	a2, 98f
	call	__check_eq
	j	99f
98:	.asciz	\name
	.align	4
99:
	.endm

	.macro	expect_mem label, value, name
	la	a0, \label
	lw	a0, 0(a0)
	li	a1, \value
	la	a2, 98f
	call	__check_eq
	j	99f
98:	.asciz	\name
	.align	4
99:
	.endm

# expect_trap CAUSE, BADVA, "name": the last trap's CAUSE and BADVA, as two
# checks named "name: cause" and "name: badva".
	.macro	expect_trap cause, badva, name
	la	a0, trap_cause
	lw	a0, 0(a0)
	li	a1, \cause
	la	a2, 96f
	call	__check_eq
	la	a0, trap_badva
	lw	a0, 0(a0)
	li	a1, \badva
	la	a2, 97f
	call	__check_eq
	j	99f
96:	.ascii	\name
	.asciz	": cause"
97:	.ascii	\name
	.asciz	": badva"
	.align	4
99:
	.endm

	.macro	test_done
	j	__test_done
	.endm

# --- the library's code ------------------------------------------------------

	.text

__test_init:
	la	t0, trap_default
	mtcr	tvec, t0
	la	t0, trap_epc
	sw	zero, TR_EPC(t0)
	sw	zero, TR_CAUSE(t0)
	sw	zero, TR_BADVA(t0)
	sw	zero, TR_EPSW(t0)
	sw	zero, TR_COUNT(t0)
	sw	zero, TR_RECOVER(t0)
	ret

# putc(a0 = byte): the console's TX register prints the low byte.
putc:
	li	t0, DEV_CONSOLE_BASE
	sb	a0, CONSOLE_TX(t0)
	ret

# puts(a0 = address of a NUL-terminated string)
puts:
	li	t0, DEV_CONSOLE_BASE
1:	lbu	t1, 0(a0)
	beqz	t1, 2f
	sb	t1, CONSOLE_TX(t0)
	addi	a0, a0, 1
	j	1b
2:	ret

# print_hex(a0 = value): "0x" and eight hex digits, most significant first.
print_hex:
	li	t0, DEV_CONSOLE_BASE
	li	t1, '0'
	sb	t1, CONSOLE_TX(t0)
	li	t1, 'x'
	sb	t1, CONSOLE_TX(t0)
	li	t2, 28			# shift of the next digit
1:	srl	t1, a0, t2
	andi	t1, t1, 0xf
	slti	t3, t1, 10
	bnez	t3, 2f
	addi	t1, t1, 'a' - '0' - 10	# 10..15 -> 'a'..'f'
2:	addi	t1, t1, '0'
	sb	t1, CONSOLE_TX(t0)
	addi	t2, t2, -4
	bge	t2, zero, 1b
	ret

# print_dec(a0 = value): unsigned decimal, no leading zeros.
print_dec:
	la	t0, __dec_buf + 10	# digits are made from the right
	sb	zero, 0(t0)
	li	t1, 10
1:	remu	t2, a0, t1
	divu	a0, a0, t1
	addi	t2, t2, '0'
	addi	t0, t0, -1
	sb	t2, 0(t0)
	bnez	a0, 1b
	mv	a0, t0
	j	puts			# tail call: puts returns to our caller

# __check_eq(a0 = got, a1 = want, a2 = name): one PASS or FAIL line.
__check_eq:
	addi	sp, sp, -16
	sw	ra, 0(sp)
	sw	a0, 4(sp)
	sw	a1, 8(sp)
	sw	a2, 12(sp)
	bne	a0, a1, 1f
	la	t0, __passed
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	la	a0, __str_pass
	call	puts
	lw	a0, 12(sp)
	call	puts
	j	2f
1:	la	t0, __failed
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	la	a0, __str_fail
	call	puts
	lw	a0, 12(sp)
	call	puts
	la	a0, __str_got
	call	puts
	lw	a0, 4(sp)
	call	print_hex
	la	a0, __str_want
	call	puts
	lw	a0, 8(sp)
	call	print_hex
	li	a0, ')'
	call	putc
2:	li	a0, '\n'
	call	putc
	lw	ra, 0(sp)
	addi	sp, sp, 16
	ret

# The end of every test: the summary line, then EXIT = failures (capped).
__test_done:
	la	sp, __stack_top		# the test may end in any state of its stack
	la	a0, __str_summary
	call	puts
	la	a0, __passed
	lw	a0, 0(a0)
	call	print_dec
	la	a0, __str_passed
	call	puts
	la	a0, __failed
	lw	a0, 0(a0)
	call	print_dec
	la	a0, __str_failed
	call	puts
	la	a0, __failed
	lw	a0, 0(a0)
	sltiu	t0, a0, 256
	bnez	t0, 1f
	li	a0, 255
1:	li	t0, DEV_TEST_BASE
	sw	a0, TEST_EXIT(t0)
2:	j	2b			# not reached: EXIT halts the machine

# The default trap handler (see the top of this file).  It runs with
# interrupts off (trap entry cleared IE) and uses SCRATCH to free one
# register before it has anywhere to save the others.
trap_default:
	mtcr	scratch, t0
	la	t0, trap_epc
	sw	t1, TR_SAVE_T1(t0)
	mfcr	t1, epc
	sw	t1, TR_EPC(t0)
	mfcr	t1, cause
	sw	t1, TR_CAUSE(t0)
	mfcr	t1, badva
	sw	t1, TR_BADVA(t0)
	mfcr	t1, epsw
	sw	t1, TR_EPSW(t0)
	lw	t1, TR_COUNT(t0)
	addi	t1, t1, 1
	sw	t1, TR_COUNT(t0)
	lw	t1, TR_RECOVER(t0)
	beqz	t1, 1f
	# Recovery: resume at trap_recover in supervisor mode.
	sw	zero, TR_RECOVER(t0)
	mtcr	epc, t1
	mfcr	t1, epsw
	ori	t1, t1, PSW_MODE
	mtcr	epsw, t1
	j	3f
1:	mfcr	t1, cause
	blt	t1, zero, 3f		# bit 31: an interrupt, EPC is already next
	mfcr	t1, epc
	addi	t1, t1, 4		# an exception: skip the instruction
	mtcr	epc, t1
3:	lw	t1, TR_SAVE_T1(t0)
	mfcr	t0, scratch
	rfe

# --- the library's data ------------------------------------------------------

	.data
	.align	4
trap_epc:	.word	0	# the trap record; keep the TR_* offsets in step
trap_cause:	.word	0
trap_badva:	.word	0
trap_epsw:	.word	0
trap_count:	.word	0
trap_recover:	.word	0
		.word	0	# t1, saved by the handler
__passed:	.word	0
__failed:	.word	0
__dec_buf:	.space	12
__str_pass:	.asciz	"PASS "
__str_fail:	.asciz	"FAIL "
__str_got:	.asciz	" (got "
__str_want:	.asciz	", want "
__str_summary:	.asciz	"SUMMARY: "
__str_passed:	.asciz	" passed, "
__str_failed:	.asciz	" failed\n"
	.align	4
__stack:	.space	STACK_SIZE
__stack_top:
	.text

	.equ	ROOT,	0x100000
	.equ	L_ID0,	0x101000
	.equ	L_DEV,	0x105000
	.equ	L_WIN,	0x106000
	.equ	TABLES_END, 0x107000
	.equ	FREE,	0x200000

	.equ	RAM_SIZE, 0x01000000	# the default, 16 MiB
	.equ	WIN,	0x40000000	# the attack window: root entry 0x100
	.equ	WIN_INDEX, WIN >> 22
	.equ	DEV_INDEX, 0xf0000000 >> 22

	.equ	LEAF,	PTE_V | PTE_R | PTE_W | PTE_X | PTE_U
	.equ	RWU,	PTE_V | PTE_R | PTE_W | PTE_U
	.equ	RW,	PTE_V | PTE_R | PTE_W

# CAUSE values.
	.equ	PF,	CAUSE_PAGE_FAULT
	.equ	PF_FETCH, PF | (CAUSE_ACCESS_FETCH << CAUSE_ACCESS_SHIFT)
	.equ	PF_LOAD, PF | (CAUSE_ACCESS_LOAD << CAUSE_ACCESS_SHIFT)
	.equ	PF_STORE, PF | (CAUSE_ACCESS_STORE << CAUSE_ACCESS_SHIFT)
	.equ	PFP_FETCH, PF_FETCH | CAUSE_PRESENT
	.equ	PFP_LOAD, PF_LOAD | CAUSE_PRESENT
	.equ	PFP_STORE, PF_STORE | CAUSE_PRESENT
	.equ	BUSERR,	CAUSE_BUS_ERROR

# poke ADDR, VALUE: the word at ADDR = VALUE (t0, t1).
	.macro	poke addr, value
	li	t0, \addr
	li	t1, \value
	sw	t1, 0(t0)
	.endm

# peek REG, ADDR: REG = the word at ADDR.
	.macro	peek reg, addr
	li	\reg, \addr
	lw	\reg, 0(\reg)
	.endm

# win_map N, PTE: window entry N = PTE, then tlbinv its page (t0, t1).
	.macro	win_map n, pte
	poke	L_WIN + (\n) * 4, \pte
	li	t0, WIN + (\n) * PAGE_SIZE
	tlbinv	t0
	.endm

# clear_trap: forget the last trap, so that a check of trap_cause after
# an access that must not trap reads 0.
	.macro	clear_trap
	la	t0, trap_cause
	sw	zero, 0(t0)
	sw	zero, 4(t0)		# trap_badva follows trap_cause
	.endm

# paging_on: build the tables above (paging off) and turn PG on in
# supervisor mode.  Changes t0-t3.
	.macro	paging_on
	call	__attack_build_tables
	li	t0, ROOT
	mtcr	ptbr, t0
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0
	.endm

# paging_off: PG off (supervisor), and a flush: changing PG does not
# flush the TLB, and the next paging_on must not rely on it.
	.macro	paging_off
	li	t0, PSW_MODE
	mtcr	psw, t0
	tlbflush
	.endm

	.text
__attack_build_tables:
	li	t0, ROOT		# clear every table
	li	t1, TABLES_END
1:	sw	zero, 0(t0)
	addi	t0, t0, 4
	bne	t0, t1, 1b
	li	t0, L_ID0		# identity of 16 MiB: 4096 entries
	li	t1, LEAF		# frame 0
	li	t2, 4096
	li	t3, PAGE_SIZE
1:	sw	t1, 0(t0)
	addi	t0, t0, 4
	add	t1, t1, t3
	addi	t2, t2, -1
	bnez	t2, 1b
	li	t0, ROOT		# root entries 0..3 -> L_ID0..L_ID3
	li	t1, L_ID0 | PTE_V
	li	t2, 4
1:	sw	t1, 0(t0)
	addi	t0, t0, 4
	add	t1, t1, t3
	addi	t2, t2, -1
	bnez	t2, 1b
	li	t0, ROOT + DEV_INDEX * 4
	li	t1, L_DEV | PTE_V
	sw	t1, 0(t0)
	li	t0, ROOT + WIN_INDEX * 4
	li	t1, L_WIN | PTE_V
	sw	t1, 0(t0)
	li	t0, L_DEV
	li	t1, DEV_CONSOLE_BASE | RWU
	sw	t1, 0(t0)
	li	t1, DEV_TIMER_BASE | RWU
	sw	t1, 4(t0)
	li	t1, DEV_DISK_BASE | RWU
	sw	t1, 8(t0)
	li	t1, DEV_TEST_BASE | RWU
	sw	t1, 15 * 4(t0)
	ret

	.text
	.globl	_start
_start:
	test_init
	paging_on

	# --- a load of its own PTE, A clear ---
	win_map	3, L_WIN | RW
	li	s1, WIN + 3 * PAGE_SIZE
	lw	s0, 3 * 4(s1)
	expect_eq s0, L_WIN | RW, "a load of its own PTE reads it without A"
	peek	s0, L_WIN + 3 * 4
	expect_eq s0, L_WIN | RW | PTE_A, "  ... then A is in memory"

	# --- a store to its own PTE, A and D clear ---
	win_map	4, L_WIN | RW
	li	s1, WIN + 4 * PAGE_SIZE
	li	t0, FREE | RWU
	sw	t0, 4 * 4(s1)
	peek	s0, L_WIN + 4 * 4
	expect_eq s0, FREE | RWU, "a store to its own PTE: memory holds the value stored"

	# --- a load of a neighbouring entry of the same table ---
	win_map	5, L_WIN | RW
	li	s1, WIN + 5 * PAGE_SIZE
	lw	s0, 3 * 4(s1)
	expect_eq s0, L_WIN | RW | PTE_A, "a load of another entry of its table"
	peek	s0, L_WIN + 5 * 4
	expect_eq s0, L_WIN | RW | PTE_A, "  ... A set in its own entry"
	test_done
