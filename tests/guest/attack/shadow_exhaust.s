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

	.equ	SPOT,	0x300000	# region i uses SPOT + 4 * i
	.equ	ROOTS,	0x400000	# 16 more roots, a page each (past the
					# 4 MiB that every region aliases)
	.equ	NROOTS,	16

	.text
	.globl	_start
_start:
	test_init
	call	__attack_build_tables
	li	t0, ROOT		# every root entry -> L_ID0 but the devices'
	li	t1, L_ID0 | PTE_V
	li	t2, 0
1:	li	t3, DEV_INDEX
	beq	t2, t3, 2f
	sw	t1, 0(t0)
2:	addi	t0, t0, 4
	addi	t2, t2, 1
	li	t3, 1024
	bne	t2, t3, 1b
	li	t0, ROOT
	mtcr	ptbr, t0
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0

	li	s3, 0x1000		# supervisor: store i + 0x1000 via region i
	call	store_all
	call	check_all
	expect_eq s0, 0, "supervisor: 1023 regions, each store through its own alias"
	call	check_phys
	expect_eq s0, 0, "  ... and each landed at SPOT + 4i"

	li	t0, PSW_PG		# user mode: the same again
	mtcr	epsw, t0
	la	t0, user
	mtcr	epc, t0
	rfe
user:	li	s3, 0x2000
	call	store_all
	call	check_all
	expect_eq s0, 0, "user: 1023 regions, each store through its own alias"
	set_recover super
	break
super:	call	check_phys
	expect_eq s0, 0, "  ... and each landed at SPOT + 4i"

	# --- 16 address spaces: copies of ROOT ---
	li	t0, PSW_MODE		# copy with paging off
	mtcr	psw, t0
	li	t2, 0
1:	slli	t0, t2, PAGE_SHIFT
	li	t1, ROOTS
	add	t1, t1, t0
	li	t0, ROOT
	li	t3, 1024
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
	call	store_all
	call	check_all
	add	s2, s2, s0
	addi	s3, s3, 1
	addi	s1, s1, 1
	li	t0, NROOTS
	bne	s1, t0, 3b
	expect_eq s2, 0, "16 address spaces x 1023 regions: every alias right"
	test_done

# store_all(s3 = tag): for each region i but the devices', the word at
# VA (i << 22) + SPOT + 4i = s3 + i.  Keeps s0-s3.
store_all:
	li	t2, 0
1:	li	t3, DEV_INDEX
	beq	t2, t3, 2f
	slli	t0, t2, 22
	li	t1, SPOT
	add	t0, t0, t1
	slli	t1, t2, 2
	add	t0, t0, t1
	add	t1, s3, t2
	sw	t1, 0(t0)
2:	addi	t2, t2, 1
	li	t3, 1024
	bne	t2, t3, 1b
	ret

# check_all: s0 = how many regions do not read back s3 + i.
check_all:
	li	s0, 0
	li	t2, 0
1:	li	t3, DEV_INDEX
	beq	t2, t3, 2f
	slli	t0, t2, 22
	li	t1, SPOT
	add	t0, t0, t1
	slli	t1, t2, 2
	add	t0, t0, t1
	lw	t1, 0(t0)
	add	t3, s3, t2
	beq	t1, t3, 2f
	addi	s0, s0, 1
2:	addi	t2, t2, 1
	li	t3, 1024
	bne	t2, t3, 1b
	ret

# check_phys: the same through region 0 (the identity).
check_phys:
	li	s0, 0
	li	t2, 0
1:	li	t3, DEV_INDEX
	beq	t2, t3, 2f
	slli	t1, t2, 2
	li	t0, SPOT
	add	t0, t0, t1
	lw	t1, 0(t0)
	add	t3, s3, t2
	beq	t1, t3, 2f
	addi	s0, s0, 1
2:	addi	t2, t2, 1
	li	t3, 1024
	bne	t2, t3, 1b
	ret
