# phys_beyond_ram.s - with paging off, reach past the end of RAM.
#
# Tries: loads and stores of every width just past RAM (16 MiB), far past
# it (the 1 GiB the host machine may have, where a VMM keeps other VMs'
# frames and its own shadow tables), in the hole below the devices and
# above them, from supervisor and from user mode (PG = 0 lets user mode
# reach physical memory unchecked).  (The hole is slot 4: slot 3 is the
# paravirtual block device in a VM, isa/ISA.md 8.7.)
# The bare machine: the last word of RAM works; every access past it is a
# BUS_ERROR with BADVA = the address, the load's rd is not written, and
# nothing else changes.
	.include "attack.inc"

# probe_load OP, ADDR, "name": OP from ADDR must raise BUS_ERROR there and
# leave its destination register alone.
	.macro	probe_load op, addr, name
	li	s1, \addr
	li	s0, 0x5a5a5a5a
	\op	s0, 0(s1)
	expect_trap BUSERR, \addr, \name
	expect_eq s0, 0x5a5a5a5a, "  ... rd not written"
	.endm

	.macro	probe_store op, addr, name
	li	s1, \addr
	li	s0, 0x12345678
	\op	s0, 0(s1)
	expect_trap BUSERR, \addr, \name
	.endm

	.text
	.globl	_start
_start:
	test_init

	# --- the last word of RAM is RAM ---
	li	s1, RAM_SIZE - 4
	li	s2, 0xc0ffee11
	sw	s2, 0(s1)
	lw	s0, 0(s1)
	expect_eq s0, 0xc0ffee11, "the last word of RAM holds a store"
	lbu	s0, 3(s1)
	expect_eq s0, 0xc0, "the last byte of RAM"
	expect_mem trap_count, 0, "no trap so far"

	# --- just past RAM, each width ---
	probe_load lw, RAM_SIZE, "lw just past RAM"
	probe_load lh, RAM_SIZE + 2, "lh just past RAM"
	probe_load lhu, RAM_SIZE + 6, "lhu just past RAM"
	probe_load lb, RAM_SIZE + 1, "lb just past RAM"
	probe_load lbu, RAM_SIZE + 3, "lbu just past RAM"
	probe_store sw, RAM_SIZE, "sw just past RAM"
	probe_store sh, RAM_SIZE + 2, "sh just past RAM"
	probe_store sb, RAM_SIZE + 1, "sb just past RAM"

	# --- where a VMM's host memory might be, and the holes ---
	probe_load lw, 0x01001000, "lw one page past RAM"
	probe_store sw, 0x02000000, "sw at 32 MiB"
	probe_load lw, 0x10000000, "lw at 256 MiB"
	probe_store sw, 0x3ffff000, "sw in the last page of 1 GiB"
	probe_load lw, 0x3ffffffc, "lw at the last word of 1 GiB"
	probe_store sw, 0x40000000, "sw at 1 GiB"
	probe_load lw, 0x80000000, "lw at 2 GiB"
	probe_store sb, 0xefffffff, "sb just below the devices"
	probe_load lw, 0xf0010000, "lw just above the device slots"
	probe_store sw, 0xfffffffc, "sw at the top of the address space"

	# --- a misaligned access past RAM is MISALIGNED first ---
	li	s1, RAM_SIZE + 2
	lw	s0, 0(s1)
	expect_trap CAUSE_MISALIGNED, RAM_SIZE + 2, "misaligned beats the bus"

	# --- an offset that carries the address past RAM ---
	li	s1, RAM_SIZE - 4
	lw	s0, 4(s1)
	expect_trap BUSERR, RAM_SIZE, "base in RAM, offset past it"
	li	s1, 4
	lw	s0, -8(s1)
	expect_trap BUSERR, 0xfffffffc, "address wraps below 0"

	# --- the RAM word next to the end did not change ---
	peek	s0, RAM_SIZE - 4
	expect_eq s0, 0xc0ffee11, "the last word of RAM is unchanged"

	# --- user mode, paging off: the same answers ---
	li	t0, 0			# MODE = 0, PG = 0
	mtcr	epsw, t0
	la	t0, user
	mtcr	epc, t0
	rfe
user:	probe_load lw, RAM_SIZE, "user lw just past RAM"
	expect_mem trap_epsw, 0, "  ... EPSW: user mode, paging off"
	probe_store sw, 0x20000000, "user sw at 512 MiB"
	probe_load lbu, 0xf0004000, "user lbu in a device hole"
	li	s1, RAM_SIZE - 4
	lw	s0, 0(s1)
	expect_eq s0, 0xc0ffee11, "user reads the last word of RAM"
	test_done
