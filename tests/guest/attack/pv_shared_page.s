# pv_shared_page.s - make the VMM write a trap frame outside the guest's
# RAM through hypercall ABI 2's shared page (vmm/README.md, "The shared
# page").
#
# Tries: registering as the shared page an address just past RAM, one
# that straddles RAM's end, a device page and the top of the address
# space; then the last page of RAM (a frame there ends right at RAM's
# end), taking traps that write frames into it; registering past RAM
# again on top of it; turning paging on with that page unmapped, so
# that a VMM that went through the guest's page table would find nothing
# (or, remapped, someone else's frame); and trapping again.
# The bare machine: hcall is ILLEGAL, so each registration "fails" and
# every trap goes to TVEC.  Under the VMM each bad registration is
# refused (a0 = VMM_HC_ERROR), the good one makes traps arrive with their
# frame in the last page (the library's handler reads the vCPU's copy),
# and nothing past RAM or outside the frame's 32 bytes changes: the same
# PASS lines either way.
	.include "attack.inc"

	.equ	LAST_PAGE, RAM_SIZE - PAGE_SIZE
	.equ	SENTINEL_A, 0x600dcafe	# the last word of RAM
	.equ	SENTINEL_B, 0x5eed5eed	# the first word after the frame

# try_register GPA, "name": HC_REGISTER_SHARED GPA (the entry: the
# library's handler) must be refused: a0 = VMM_HC_ERROR under the VMM,
# an ILLEGAL trap on the bare machine (counted in trap_count; a0 then
# still holds the hypercall's number).  s0 = 0xffffffff if refused.
	.macro	try_register gpa, name
	la	t0, trap_count
	lw	s1, 0(t0)
	li	a1, \gpa
	la	a2, trap_default
	li	a0, HC_REGISTER_SHARED
	hcall
	mv	s0, a0
	la	t0, trap_count
	lw	t0, 0(t0)
	beq	t0, s1, 1f		# no trap: s0 is the VMM's answer
	li	s0, 0xffffffff		# ILLEGAL: the bare machine refuses
1:	expect_eq s0, 0xffffffff, \name
	.endm

# break_trap "name": a break, delivered with the right frame.
	.macro	break_trap name
	la	s2, break_here\@
break_here\@:
	break
	expect_trap CAUSE_BREAK, 0, \name
	expect_mem trap_epc, break_here\@, "  ... EPC"
	.endm

# sentinels "name": the words around the shared page's frame are intact.
	.macro	sentinels name
	peek	s0, RAM_SIZE - 4
	expect_eq s0, SENTINEL_A, \name
	peek	s0, LAST_PAGE + SH_SIZE
	expect_eq s0, SENTINEL_B, "  ... and the word after the frame"
	.endm

	.text
	.globl	_start
_start:
	test_init
	poke	RAM_SIZE - 4, SENTINEL_A
	poke	LAST_PAGE + SH_SIZE, SENTINEL_B

	# --- bad pages, each refused ---
	try_register RAM_SIZE, "a shared page just past RAM is refused"
	try_register RAM_SIZE - PAGE_SIZE / 2, "one straddling RAM's end is refused"
	try_register LAST_PAGE + 4, "one not page aligned is refused"
	try_register RAM_SIZE - 24, "one whose frame would end at RAM's last word is refused"
	try_register DEV_CONSOLE_BASE, "a device page is refused"
	try_register 0xfffff000, "the top page of the address space is refused"
	break_trap "after the refusals, a break"
	sentinels "RAM's last word is intact"

	# --- the last page of RAM: the frame fits, right up to RAM's end ---
	li	a1, LAST_PAGE
	la	a2, trap_default
	li	a0, HC_REGISTER_SHARED
	hcall
	break_trap "with the last page registered, a break"
	break_trap "and another"
	li	s1, RAM_SIZE		# a load past RAM: BADVA in the frame
	lw	s0, 0(s1)
	expect_trap BUSERR, RAM_SIZE, "a load past RAM"
	sentinels "frames in the last page: RAM's last word is intact"

	# --- on top of it, past RAM again: refused, the page stays ---
	try_register RAM_SIZE, "then past RAM again: refused"
	break_trap "traps still arrive"
	sentinels "  ... RAM's last word is intact"

	# --- paging on, the shared page unmapped: frames go by GPA ---
	paging_on
	poke	L_ID0 + 3 * PAGE_SIZE + 1023 * 4, 0	# unmap VA LAST_PAGE
	li	t0, LAST_PAGE
	tlbinv	t0
	break_trap "paging on, the page unmapped: a break"
	li	s1, LAST_PAGE		# the guest itself cannot reach it
	lw	s0, 0(s1)
	expect_trap PF_LOAD, LAST_PAGE, "the unmapped page faults"
	paging_off
	sentinels "paging off again: RAM's last word is intact"
	test_done
