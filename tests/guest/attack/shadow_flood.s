# shadow_flood.s - hundreds of 4 MiB regions, mapped and touched, again
# and again, to starve the other VMs of shadow tables.
#
# Tries: what shadow_exhaust does, but at once and for long: ROUNDS times
# over NSPACES address spaces (one root whose 1023 usable entries all
# point at the identity leaf table of the low 4 MiB, and copies of it,
# made after the first pass so that the first pass comes early), it
# loads the address space (a PTBR write), stores through a page of every
# region and reads each back, in supervisor mode and then in user mode.
# A monitor that fills its shadows lazily needs a leaf table per region
# and per mode: about 2000 (8 MiB) per address space, and a fresh set
# after each PTBR write.  tests/e2e-guestos/run.sh (vmm-shadow-flood)
# runs several of these next to the guest OS, whose output must not
# change.
# The bare machine: every region is an alias of the same 4 MiB, so a
# store through region i at offset X is at physical X; nothing runs out.
	.include "attack.inc"
	.include "alias.inc"

	.equ	ROOTS,	0x380000	# the other address spaces' roots, a page
					# each, in the low 4 MiB: every region
					# reaches them (the first space is ROOT)
	.equ	NSPACES, 8
	.equ	ROUNDS,	4

	.data
space:	.word	0			# the address space being flooded
round:	.word	0
copied:	.word	0			# the other roots exist

	.text
	.globl	_start
_start:
	test_init
	call	__attack_build_tables
	call	__alias_all_regions	# every root entry -> L_ID0 but the devices'

	li	s2, 0			# wrong answers, over the whole flood
	li	s3, 0x1000		# the tag of this pass's stores
flood:	call	space_root		# PTBR = the root of this address space
	mtcr	ptbr, a0
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0
	call	__alias_store_all		# supervisor: every region
	call	__alias_check_all
	add	s2, s2, s0
	addi	s3, s3, 1
	li	t0, PSW_PG		# user mode: the same again
	mtcr	epsw, t0
	la	t0, user
	mtcr	epc, t0
	rfe
user:	call	__alias_store_all
	call	__alias_check_all
	add	s2, s2, s0
	addi	s3, s3, 1
	set_recover super
	break
super:	call	copy_roots		# (once: the first pass floods at once)
	call	next_space
	bnez	a0, flood
	expect_eq s2, 0, "4 rounds x 8 address spaces x 1023 regions, supervisor and user: every alias right"
	addi	s3, s3, -1		# the last pass's tag
	call	__alias_check_phys
	expect_eq s0, 0, "  ... and the last stores landed at SPOT + 4i"
	test_done

# space_root: a0 = the root of address space `space`: ROOT for the first,
# then ROOTS, ROOTS + 4 KiB, ...
space_root:
	la	t0, space
	lw	t1, 0(t0)
	li	a0, ROOT
	beqz	t1, 1f
	addi	t1, t1, -1
	slli	t1, t1, PAGE_SHIFT
	li	a0, ROOTS
	add	a0, a0, t1
1:	ret

# copy_roots: NSPACES - 1 copies of ROOT at ROOTS, the first time only
# (through region 0, the identity, in supervisor mode).
copy_roots:
	la	t0, copied
	lw	t1, 0(t0)
	bnez	t1, 3f
	li	t1, 1
	sw	t1, 0(t0)
	li	t2, 1
1:	addi	t0, t2, -1
	slli	t0, t0, PAGE_SHIFT
	li	t1, ROOTS
	add	t1, t1, t0
	li	t0, ROOT
	li	t3, ALIAS_REGIONS
2:	lw	a0, 0(t0)
	sw	a0, 0(t1)
	addi	t0, t0, 4
	addi	t1, t1, 4
	addi	t3, t3, -1
	bnez	t3, 2b
	addi	t2, t2, 1
	li	t0, NSPACES
	bne	t2, t0, 1b
3:	ret

# next_space: on to the next address space, and the next round after the
# last one; a0 = 0 once the last round is done.
next_space:
	la	t0, space
	lw	t1, 0(t0)
	addi	t1, t1, 1
	li	t2, NSPACES
	bne	t1, t2, 1f
	li	t1, 0
	la	t2, round
	lw	t3, 0(t2)
	addi	t3, t3, 1
	sw	t3, 0(t2)
	li	a0, ROUNDS
	bne	t3, a0, 1f
	li	a0, 0
	ret
1:	sw	t1, 0(t0)
	li	a0, 1
	ret
