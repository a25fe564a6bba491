# patch_entry_points.s - many ways into one page that has already run.
#
# mode: leaky
#
# Tries: to land on a sensitive instruction that the execution-driven
# scan of an already-executed page never reached.  Page P runs first
# from its entry (two instructions and a ret); behind that ret lie
# snippets that nothing in P's control flow reaches, each a sensitive
# instruction followed by "jr s3" back to the case that entered it (each
# case is a function the main line calls, so that the main line itself
# is reached only by calls and their return points).  The ways in:
#   - ret (jalr zero, 0(ra)) with ra = a snippet: a return that returns
#     where no call was made (longjmp, a forged return address);
#   - ret with ra loaded from memory, from a page other than P;
#   - jalr zero, 8(ra): a return-like jump with an offset;
#   - jr t0 and jalr ra, 0(t0): plain computed jumps and calls;
#   - rfe with EPC = a snippet (a hand-made "return from trap");
#   - a trap, with TVEC = a snippet (a break);
#   - falling through from the last word of the page before P' into the
#     first word of P', a page that had run from its middle;
#   - ret onto a word that sits in P as data (skipped by a jump) but
#     encodes rdpsw;
#   - the first forged ret again (a second entry to the same place);
#   - jalr ra, 0(ra), a coroutine switch (a jump to ra that is no ret);
#   - a function that returns past an inline data word after its call
#     (addi ra, ra, 4; ret), to code after the word (that one is not in
#     P but in the main line: the scan of the call's return point meets
#     the data word first).
# A scan that trusts "a return goes back to a return point", or that
# marks a page done when one entry has been scanned, lets the snippet's
# rdpsw run raw in real user mode, where it reads MODE = 0.
# The bare machine: every snippet reads PSW = MODE (1); rdtvec reads the
# guest's TVEC; a wrpsw that sets IE reads back MODE | IE (3).
# Under --patch today: the five returns to where no call returns (ret,
# ret from memory, ret onto the data word, the same ret again, the ret
# past inline data) land on raw code, in KNOWN_FAILING.
	.include "patch.inc"

	.text
	.globl	_start
_start:
	test_init
	call	p_entry			# P runs: its entry and its ret
	expect_eq s1, 0x11, "page P runs from its entry"
	call	q_middle		# P' runs from its middle
	expect_eq s1, 0x22, "page P' runs from its middle"

	# Each way in is a function called from here, so that the code
	# below is reached by calls and their return points only; each
	# snippet goes back with "jr s3" to where its case was called.
	li	s1, 0
	call	case_ret
	expect_eq s1, PSW_SUPER, "ret to a forged ra: rdpsw reads the supervisor PSW"
	li	s1, 0
	call	case_jmpbuf
	expect_eq s1, trap_default, "ret to an ra from memory: rdtvec reads the guest's TVEC"
	li	s1, 0
	call	case_off
	expect_eq s1, PSW_SUPER | PSW_IE, "jalr zero, 8(ra): wrpsw then rdpsw read MODE | IE"
	li	s1, 0
	call	case_jr
	expect_eq s1, PSW_SUPER, "jr t0 into P: rdpsw reads the supervisor PSW"
	li	s1, 0
	call	case_call
	expect_eq s1, PSW_SUPER, "a call through a register into P: rdpsw"
	li	s1, 0
	call	case_rfe
	expect_eq s1, PSW_SUPER, "rfe to EPC in P: rdpsw reads the supervisor PSW"
	li	s1, 0
	call	case_trap
	expect_eq s1, PSW_SUPER, "a trap to TVEC in P: rdpsw reads the supervisor PSW"
	li	s1, 0
	call	o_tail
	expect_eq s1, PSW_SUPER, "falling through into P': rdpsw reads the supervisor PSW"
	li	s1, 0
	call	case_data
	expect_eq s1, PSW_SUPER, "ret onto a data word in P: rdpsw reads the supervisor PSW"
	li	s1, 0
	call	case_ret
	expect_eq s1, PSW_SUPER, "ret to the same forged ra again: rdpsw"
	li	s1, 0
	call	case_coroutine
	expect_eq s1, PSW_SUPER, "jalr ra, 0(ra) (a coroutine switch) into P: rdpsw"
	li	s1, 0
	call	case_inline
	expect_eq s1, PSW_SUPER, "a ret past inline data after a call: rdpsw"
	test_done

case_ret:
	mv	s3, ra
	la	ra, snip_ret
	ret
case_jmpbuf:
	mv	s3, ra
	la	t0, jmpbuf
	lw	ra, 0(t0)
	ret
case_off:
	mv	s3, ra
	la	ra, snip_off - 8
	jalr	zero, 8(ra)
case_jr:
	mv	s3, ra
	la	t0, snip_jr
	jr	t0
case_call:
	mv	s3, ra
	la	t0, snip_call
	jalr	ra, 0(t0)
	jr	s3
case_rfe:
	mv	s3, ra
	la	t0, snip_rfe
	mtcr	epc, t0
	li	t0, PSW_MODE
	mtcr	epsw, t0
	rfe
case_trap:
	mv	s3, ra
	set_tvec snip_trap
	break
	set_tvec trap_default
	jr	s3
case_data:
	mv	s3, ra
	la	ra, data_rdpsw
	ret
case_coroutine:
	mv	s3, ra
	la	ra, snip_co
	jalr	ra, 0(ra)		# to the old ra; ra = the next word
case_inline:
	mv	s3, ra
	call	skip_word		# returns past the word after the call
	.word	0			# inline data (an illegal word to a scan)
	rdpsw	s1
	jr	s3
skip_word:
	addi	ra, ra, 4
	ret

	.data
jmpbuf:	.word	snip_jmpbuf
	.text

# --- page P ---
	.align	PAGE_SIZE
p_entry:
	li	s1, 0x11
	ret
snip_ret:
	rdpsw	s1
	jr	s3
snip_jmpbuf:
	rdtvec	s1
	jr	s3
snip_off:
	li	t0, PSW_MODE | PSW_IE
	wrpsw	t0			# interrupts on: nothing is pending
	rdpsw	s1
	li	t0, PSW_MODE
	wrpsw	t0
	jr	s3
snip_jr:
	rdpsw	s1
	jr	s3
snip_call:
	rdpsw	s1
	ret
snip_co:
	rdpsw	s1
	jr	s3
snip_rfe:
	rdpsw	s1
	jr	s3
snip_trap:
	rdpsw	s1
	mfcr	t0, epc
	addi	t0, t0, 4
	mtcr	epc, t0
	rfe
	j	1f			# the next word is data to a scan
data_rdpsw:
	.word	0xd4000000 | (13 << 22)	# rdpsw s1, as a number
	jr	s3
1:	j	1b

# --- page O ends with code that falls through into page P' ---
	.align	PAGE_SIZE
	.space	PAGE_SIZE - 8
o_tail:
	nop
	nop
# --- page P' (q): its first word is reached only by falling through ---
	rdpsw	s1
	ret
	.space	0x100 - 8
q_middle:
	li	s1, 0x22
	ret
