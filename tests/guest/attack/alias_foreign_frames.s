# alias_foreign_frames.s - map frames it does not own, thousands of them.
#
# Tries: PTEs to frame numbers all over the 20-bit frame space beyond its
# 16 MiB of RAM: every 16th frame up to 1 GiB (where a VMM's host keeps
# other VMs' memory and its own shadow tables), every 256th up to the
# device space, the eleven empty device slots (slot 3, 0xF0003, is the
# paravirtual block device in a VM: isa/ISA.md 8.7), every 16th frame above the
# device slots, and the last frames of 1 GiB and of the address space;
# a load and a store through each, in the same window page.
# The bare machine: no RAM backs any of them, so each load and each store
# is a BUS_ERROR with BADVA = the virtual address; the register is not
# written.  23052 frames, 46104 bus errors, nothing read or changed.
	.include "attack.inc"

	.equ	VA,	WIN + 0x5000
	.equ	PTE_ADDR, L_WIN + 5 * 4

	.text
	.globl	_start
_start:
	test_init
	paging_on
	li	s2, 0			# probes
	li	s3, 0			# wrong answers
	la	s1, ranges
next_range:
	lw	a0, 0(s1)		# first frame
	lw	a1, 4(s1)		# end (excluded)
	lw	a2, 8(s1)		# step
	beqz	a2, done
1:	sw	a0, -4(sp)		# the probe below clobbers a0-a2
	sw	a1, -8(sp)
	sw	a2, -12(sp)
	call	probe
	lw	a0, -4(sp)
	lw	a1, -8(sp)
	lw	a2, -12(sp)
	addi	s2, s2, 1
	add	a0, a0, a2
	bltu	a0, a1, 1b
	addi	s1, s1, 12
	j	next_range
done:	expect_eq s3, 0, "every foreign frame: BUS_ERROR on load and store"
	expect_eq s2, 23052, "  ... frames probed"
	peek	s0, PTE_ADDR
	andi	s0, s0, PTE_A | PTE_D
	expect_eq s0, 0, "  ... and the PTE never got A or D"
	test_done

# probe(a0 = frame number): map it at VA, load and store; s3 += wrong
# answers.  Keeps s0-s2.
probe:
	slli	t0, a0, PAGE_SHIFT
	ori	t0, t0, RWU
	li	t1, PTE_ADDR
	sw	t0, 0(t1)
	li	t1, VA
	tlbinv	t1
	la	t2, trap_cause
	sw	zero, 0(t2)
	li	a1, 0x5a5a5a5a
	lw	a1, 0x7fc(t1)
	lw	t0, 0(t2)		# trap_cause
	li	t3, BUSERR
	bne	t0, t3, 1f
	lw	t0, 4(t2)		# trap_badva
	addi	t3, t1, 0x7fc
	bne	t0, t3, 1f
	li	t3, 0x5a5a5a5a
	bne	a1, t3, 1f
	sw	zero, 0(t2)
	sb	a1, 0x123(t1)
	lw	t0, 0(t2)
	li	t3, BUSERR
	bne	t0, t3, 1f
	lw	t0, 4(t2)
	addi	t3, t1, 0x123
	bne	t0, t3, 1f
	ret
1:	addi	s3, s3, 1
	ret

	.data
	.align	4
# first frame, end, step; a zero step ends the list
ranges:	.word	0x01000, 0x40000, 0x10	# past RAM up to 1 GiB: 16128
	.word	0x40000, 0xf0000, 0x100	# 1 GiB to the devices: 2816
	.word	0xf0004, 0xf000f, 1	# the empty device slots: 11
	.word	0xf0010, 0x100000, 0x10	# above the slots: 4095
	.word	0x3ffff, 0x40000, 1	# the last frame of 1 GiB
	.word	0xfffff, 0x100000, 1	# the last frame of all
	.word	0, 0, 0
