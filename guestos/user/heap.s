# heap.s - grow the heap with sbrk and use it.  sbrk only moves the break;
# each new page is mapped, zeroed, by the kernel's page-fault handler the
# first time it is touched.  The program checks that every fresh page
# reads as zero, fills them with a pattern, lets the others run, and
# checks the pattern is still there.

	.include "usys.inc"
	.equ	PAGES, 4
	.equ	PAGE, 4096

	.text
	.org	USER_BASE
	.globl	_start
_start:
	li	a0, 0			# sbrk(0): where the heap starts
	call	sbrk
	mv	s0, a0			# s0 = the heap
	PRINT	"[heap] the break starts at "
	mv	a0, s0
	call	print_hex
	PRINT	"\n"

	li	a0, PAGES * PAGE	# grow by PAGES pages
	call	sbrk
	bne	a0, s0, fail

	# Fresh pages read as zero (every word of them).
	mv	t0, s0
	li	t1, PAGES * PAGE
	add	t1, t0, t1
1:	lw	t2, 0(t0)
	bnez	t2, fail
	addi	t0, t0, 4
	bltu	t0, t1, 1b
	PRINT	"[heap] 4 new pages read as zero\n"

	# Fill them: word i holds i * 0x9e3779b1 (a different value everywhere).
	li	s1, 0x9e3779b1
	mv	t0, s0
	li	t1, PAGES * PAGE	# (t registers do not survive calls)
	add	t1, t0, t1
	li	t3, 0			# t3 = i * 0x9e3779b1
2:	sw	t3, 0(t0)
	add	t3, t3, s1
	addi	t0, t0, 4
	bltu	t0, t1, 2b
	PRINT	"[heap] wrote a pattern, yielding\n"
	call	yield

	# Still there?
	li	t1, PAGES * PAGE
	add	t1, s0, t1
	mv	t0, s0
	li	t3, 0
3:	lw	t2, 0(t0)
	bne	t2, t3, fail
	add	t3, t3, s1
	addi	t0, t0, 4
	bltu	t0, t1, 3b
	PRINT	"[heap] pattern intact in 4 pages\n"

	li	a0, -PAGE		# shrinking is not supported
	call	sbrk
	li	t0, -1
	bne	a0, t0, fail
	li	a0, 0x7ff00000		# nor growing into the stack region
	call	sbrk
	li	t0, -1
	bne	a0, t0, fail
	PRINT	"[heap] sbrk(-4096) and sbrk(0x7ff00000) refused\n"
	li	a0, 0
	call	exit

fail:	PRINT	"[heap] FAILED\n"
	li	a0, 1
	call	exit

	.include "ulib.inc"
