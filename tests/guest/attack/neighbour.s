# neighbour.s - the well-behaved VM next to every attack (not an attack).
#
# It runs for several scheduling quanta (about 3 million cycles): it fills
# a 64 KiB buffer with a pattern, then, twelve times, mixes a 16 KiB part
# of it with an LCG and prints a checksum line; at the end it checks that
# the rest of the buffer still holds its pattern (no one wrote into its
# memory).  Its output must be the same alone and next to any attack.
	.include "test.inc"

	.equ	BUF,	0x300000	# 64 KiB: words 0..16383
	.equ	MIXED,	4096		# words 0..4095 are mixed, the rest kept
	.equ	WORDS,	16384

	.text
	.globl	_start
_start:
	test_init
	# The pattern: word i = i * 0x9e3779b9.
	li	t0, BUF
	li	t1, 0
	li	t2, 0x9e3779b9
	li	t3, WORDS
1:	mul	a0, t1, t2
	sw	a0, 0(t0)
	addi	t0, t0, 4
	addi	t1, t1, 1
	bne	t1, t3, 1b

	li	s0, 0			# step
	li	s1, 12345		# the LCG's state
step:	li	s2, 0			# the checksum of this step
	li	s3, 10			# ten passes over the mixed part
pass:	li	t0, BUF
	li	t1, MIXED
2:	lw	a0, 0(t0)
	li	a1, 1103515245
	mul	s1, s1, a1
	addi	s1, s1, 12345
	xor	a0, a0, s1
	sw	a0, 0(t0)
	add	s2, s2, a0
	addi	t0, t0, 4
	addi	t1, t1, -1
	bnez	t1, 2b
	addi	s3, s3, -1
	bnez	s3, pass
	la	a0, str_step
	call	puts
	mv	a0, s0
	call	print_dec
	la	a0, str_colon
	call	puts
	mv	a0, s2
	call	print_hex
	li	a0, '\n'
	call	putc
	addi	s0, s0, 1
	li	t0, 12
	bne	s0, t0, step

	# The kept part: word i must still be i * 0x9e3779b9.
	li	s0, 0			# mismatches
	li	t0, BUF + MIXED * 4
	li	t1, MIXED
	li	t2, 0x9e3779b9
	li	t3, WORDS
3:	mul	a0, t1, t2
	lw	a1, 0(t0)
	beq	a0, a1, 4f
	addi	s0, s0, 1
4:	addi	t0, t0, 4
	addi	t1, t1, 1
	bne	t1, t3, 3b
	expect_eq s0, 0, "neighbour: my memory is as I left it"
	test_done

	.data
str_step:	.asciz	"neighbour step "
str_colon:	.asciz	": "
