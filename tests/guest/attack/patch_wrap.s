# patch_wrap.s - branches and jumps that wrap around the address space.
#
# mode: leaky
#
# Tries: to make a scan compute a branch target wrongly.  Addresses wrap
# modulo 2^32 (isa/ISA.md, notation), so with paging on code at the top
# page, VA 0xFFFFF000 (H), can branch forward into page 0, and code in
# page 0 can jump backward into H.  Page 0 (identity: frame 0) runs first
# from its stub at 0 (so it has X); then H, entered at H + 0, branches
# with "beq zero, zero" to 0x8, where rdpsw s1 lies; then page 0,
# entered at 0x18, jumps with "j" to 0xFFFFFFF0, where rdtvec s1 lies.
# Neither target has run before, and each is reached only by the
# wrapping branch.
# The bare machine: the branch lands on 0x8, the jump on 0xFFFFFFF0;
# rdpsw reads MODE | PG (5), rdtvec the guest's TVEC.
	.include "patch.inc"

	.equ	H,	0xfffff000
	.equ	H_FRAME, FREE + 0x1000
	.equ	L_TOP,	FREE + 0x2000	# the leaf table of root entry 0x3ff

	.text
	.globl	_start
_start:
	test_init
	paging_on
	poke	ROOT + 0x3ff * 4, L_TOP | PTE_V
	poke	L_TOP + 0x3ff * 4, H_FRAME | LEAF
	tlbflush
	copy_code code_low, 0, 8	# page 0: frame 0, RAM the image leaves free
	copy_code code_h0, H_FRAME, 2
	copy_code code_hend, H_FRAME + 0xff0, 2

	li	s1, 0
	call	0			# page 0 runs from its stub
	expect_eq s1, 0x99, "page 0 runs from its stub at 0"
	li	s1, 0
	li	t0, H
	jalr	ra, 0(t0)
	expect_eq s1, PSW_SUPER_PG, "H + 4 branches forward around 2^32 to 0x8: rdpsw reads the supervisor PSW"
	li	s1, 0
	li	t0, 0x18
	jalr	ra, 0(t0)
	expect_eq s1, trap_default, "0x1c jumps backward around 0 to 0xFFFFFFF0: rdtvec reads the guest's TVEC"
	test_done

# The templates: page 0 from 0, H + 0, H + 0xff0.
code_low:
	li	s1, 0x99		# 0x0: the stub
	ret
	rdpsw	s1			# 0x8: reached only from H + 4
	jr	s3
	nop
	nop
	mv	s3, ra			# 0x18
	j	. - 0x2c		# 0x1c: to 0xFFFFFFF0
code_h0:
	mv	s3, ra			# H + 0
	beq	zero, zero, . + 0x1004	# H + 4: to 0x8
code_hend:
	rdtvec	s1			# H + 0xff0: reached only from 0x1c
	jr	s3
