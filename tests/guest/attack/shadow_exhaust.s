# shadow_exhaust.s - as many mappings and address spaces as PG32 allows.
#
# Tries: to run a shadow-paging monitor out of shadow tables: all 1023
# usable root entries point at the same leaf table (the identity map of
# the low 4 MiB), and the guest touches a page in every 4 MiB region, in
# supervisor mode and in user mode (a monitor needs a shadow leaf table
# per region and per mode), then does it again in 16 address spaces
# (copies of the root at 16 places, switched by PTBR writes), and checks
# every value through every alias.
# The bare machine: every region is an alias of the same 4 MiB, so a
# store through region i at offset X is at physical X; nothing runs out.
	.include "attack.inc"
	.include "alias.inc"

	.equ	ROOTS,	0x400000	# 16 more roots, a page each (past the
					# 4 MiB that every region aliases)
	.equ	NROOTS,	16

	.text
	.globl	_start
_start:
	test_init
	call	__attack_build_tables
	call	__alias_all_regions	# every root entry -> L_ID0 but the devices'
	li	t0, ROOT
	mtcr	ptbr, t0
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0

	li	s3, 0x1000		# supervisor: store i + 0x1000 via region i
	call	__alias_store_all
	call	__alias_check_all
	expect_eq s0, 0, "supervisor: 1023 regions, each store through its own alias"
	call	__alias_check_phys
	expect_eq s0, 0, "  ... and each landed at SPOT + 4i"

	li	t0, PSW_PG		# user mode: the same again
	mtcr	epsw, t0
	la	t0, user
	mtcr	epc, t0
	rfe
user:	li	s3, 0x2000
	call	__alias_store_all
	call	__alias_check_all
	expect_eq s0, 0, "user: 1023 regions, each store through its own alias"
	set_recover super
	break
super:	call	__alias_check_phys
	expect_eq s0, 0, "  ... and each landed at SPOT + 4i"

	# --- 16 address spaces: copies of ROOT ---
	li	t0, PSW_MODE		# copy with paging off
	mtcr	psw, t0
	li	t2, 0
1:	slli	t0, t2, PAGE_SHIFT
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
	li	t0, NROOTS
	bne	t2, t0, 1b
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0
	li	s2, 0			# wrong answers over all spaces
	li	s3, 0x3000
	li	s1, 0			# the address space
3:	slli	t0, s1, PAGE_SHIFT
	li	t1, ROOTS
	add	t0, t0, t1
	mtcr	ptbr, t0
	call	__alias_store_all
	call	__alias_check_all
	add	s2, s2, s0
	addi	s3, s3, 1
	addi	s1, s1, 1
	li	t0, NROOTS
	bne	s1, t0, 3b
	expect_eq s2, 0, "16 address spaces x 1023 regions: every alias right"
	test_done
