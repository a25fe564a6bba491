# 06-usermode.s - user mode with paging: the kernel's pages are its own.
#
# Paging protects memory: a page whose leaf entry has U = 0 can be used
# only in supervisor mode (ISA.md 7.3).  The kernel maps the first 4 MiB
# one to one, all of it supervisor-only, except the user program's code
# page and stack page, which get U.  It drops to user mode (rfe, as in
# 03-syscall.s), and the user program
#   1. asks the kernel to print (a system call: allowed);
#   2. reads a word of the kernel's data (its page has U = 0: a page fault);
#   3. stores to the console's register itself (U = 0 too: a page fault);
#   4. tries to give itself supervisor mode with mtcr (privileged: PRIV).
# The kernel reports each trap.  Where a real kernel would kill the
# program (Unix sends SIGSEGV), this one steps over the instruction so
# that the program can make its next attempt.
#
# Under the VMM the guest kernel itself runs in real user mode; what
# keeps the guest's user program out of its kernel's pages is the VMM's
# *user view* shadow table, which maps only the guest's U pages (ring
# compression: chapter 3).  Same bytes.
#
#   bin/trapeze run -I build/include examples/06-usermode.s

	.include "kernel.inc"

	.equ	ROOT,      0x00010000
	.equ	LEAF_LOW,  0x00011000
	.equ	LEAF_DEV,  0x00012000
	.equ	KERNEL_RWX, PTE_V | PTE_R | PTE_W | PTE_X	# no U
	.equ	USER_RX,   PTE_V | PTE_R | PTE_X | PTE_U
	.equ	USER_RW,   PTE_V | PTE_R | PTE_W | PTE_U
	.equ	DEVICE_RW, PTE_V | PTE_R | PTE_W		# no U
	.equ	CAUSE_PF_PRESENT_BIT, 10

	.text
	.globl	_start
_start:
	kernel_init trap_handler, user_frame	# the one program's frame
	call	build_page_table
	li	t0, ROOT
	mtcr	ptbr, t0
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0
	say	"kernel: paging on; dropping to user mode\n"
	la	t0, user_main
	mtcr	epc, t0
	li	t0, PSW_PG		# user mode, paging on
	mtcr	epsw, t0
	la	sp, user_stack_top	# the user's own stack (the frame will
	rfe				# save it at the first trap)

# build_page_table: the identity map, then U on the user's two pages,
# and the pages of the console and the test device (supervisor only).
build_page_table:
	identity_map LEAF_LOW, KERNEL_RWX
	map_own_page LEAF_LOW, user_main, USER_RX
	map_own_page LEAF_LOW, user_stack, USER_RW
	li	t0, ROOT
	li	t1, LEAF_LOW | PTE_V
	sw	t1, 0(t0)
	li	t1, LEAF_DEV | PTE_V
	li	t2, (DEV_CONSOLE_BASE >> 22) * 4
	add	t2, t0, t2
	sw	t1, 0(t2)
	li	t0, LEAF_DEV		# the devices' leaf table: the console
	li	t1, DEV_CONSOLE_BASE | DEVICE_RW	# and the test device
	sw	t1, 0(t0)
	li	t1, DEV_TEST_BASE | DEVICE_RW
	li	t2, ((DEV_TEST_BASE >> PAGE_SHIFT) & (ENTRIES - 1)) * 4
	add	t2, t0, t2
	sw	t1, 0(t2)
	ret

trap_handler:
	save_context
	mfcr	t0, cause
	li	t1, CAUSE_SYSCALL
	bne	t0, t1, user_fault
	call	do_syscall
	bnez	a0, user_exited
	restore_context

# Any other trap is the user program's fault: report it, step over it.
# A trap from supervisor mode would be the kernel's own bug: stop.
user_fault:
	mfcr	t0, epsw
	andi	t0, t0, PSW_MODE
	bnez	t0, kernel_bug
	say	"kernel: user trap, CAUSE "
	mfcr	a0, cause
	call	print_hex
	mfcr	t0, cause
	andi	t0, t0, CAUSE_CODE_MASK
	li	t1, CAUSE_PAGE_FAULT
	bne	t0, t1, 1f
	say	" = PAGE_FAULT, access "
	mfcr	t0, cause
	srli	t0, t0, CAUSE_ACCESS_SHIFT
	andi	t0, t0, 3		# 0 fetch, 1 load, 2 store
	slli	t0, t0, 2
	la	t1, access_names
	add	t1, t1, t0
	lw	a0, 0(t1)
	call	puts
	mfcr	t0, cause
	srli	t0, t0, CAUSE_PF_PRESENT_BIT
	andi	t0, t0, 1
	beqz	t0, 2f
	say	", page present (a protection fault)"
2:	say	", BADVA "
	mfcr	a0, badva
	call	print_hex
	j	3f
1:	li	t1, CAUSE_PRIV
	bne	t0, t1, 3f
	say	" = PRIV"
3:	say	", pc "
	mfcr	a0, epc
	call	print_hex
	li	a0, '\n'
	call	putc
	la	t0, current
	lw	t0, 0(t0)
	lw	t1, FRAME_EPC(t0)
	addi	t1, t1, 4		# step over it
	sw	t1, FRAME_EPC(t0)
	restore_context

kernel_bug:
	say	"kernel: a trap in the kernel itself; stopping\n"
	li	t0, DEV_TEST_BASE
	li	t1, 1
	sw	t1, TEST_EXIT(t0)	# exit status 1

user_exited:
	mv	s0, a1
	say	"kernel: the user program exited with status "
	mv	a0, s0
	call	print_dec
	li	a0, '\n'
	call	putc
	halt

# --- the user program, alone on its page --------------------------------
	.align	PAGE_SIZE
user_main:
	sys_puts "user: 1. a system call prints this\n"
	sys_puts "user: 2. reading the kernel's secret word\n"
	la	t0, secret
	li	s0, 0
	lw	s0, 0(t0)		# U = 0 there: PAGE_FAULT 0x507
	sys_puts "user:    ... I got "
	sys_putdec s0			# 0: the load wrote nothing
	sys_puts "\nuser: 3. storing to the console myself\n"
	li	t0, DEV_CONSOLE_BASE
	li	t1, '!'
	sb	t1, CONSOLE_TX(t0)	# U = 0: PAGE_FAULT 0x607
	sys_puts "user: 4. making myself supervisor\n"
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0			# PRIV
	sys_exit 0
	.align	PAGE_SIZE		# the kernel's code goes on elsewhere

	.data
secret:	.word	12345
user_frame:
	.space	FRAME_SIZE
access_names:
	.word	a_fetch, a_load, a_store
a_fetch: .asciz	"fetch"
a_load:	.asciz	"load"
a_store: .asciz	"store"
	.align	PAGE_SIZE
user_stack:
	.space	PAGE_SIZE
user_stack_top:
