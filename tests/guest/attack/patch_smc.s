# patch_smc.s - code rewritten after a monitor has scanned and patched it.
#
# mode: leaky
#
# Tries: to run a sensitive instruction that a guest writes into a page
# whose scan is done (or under way), so that it runs raw in real user
# mode, or to make a store over a patched word merge with the patch:
#   - a word of a routine that has run (a nop), rewritten with rdpsw,
#     rdtvec and back, 64 times over, with sw, then the routine called;
#   - its top byte rewritten with sb, turning the nop into rdpsw s0;
#   - the top byte of a patched rdpsw s1 rewritten with sb, turning it
#     into rdtvec s1: the byte must merge with the guest's word, not with
#     whatever the monitor put there (that would give rdtvec s0);
#   - a routine that stores into its own next instruction (the page is
#     being run when its scan is undone), with a nop, rdpsw and rdtvec;
#   - a routine that writes rdpsw into a page its scan has followed its
#     jump into but that has never run, then jumps there;
#   - an unvisited word of a run page written with rdpsw and jumped to;
#   - with paging on, a write-only alias of the code's frame at the
#     window: the stores go through another virtual page, and the code
#     is then run through the identity map (a nop made rdpsw, and a
#     patched rdpsw made rdtvec).
# The bare machine: no instruction cache; every fetch sees the last
# store; rdpsw reads MODE (1) or MODE | PG (5), rdtvec the guest's TVEC.
	.include "patch.inc"

	.equ	RDPSW_S1, 0xd4000000 | (13 << 22)
	.equ	RDTVEC_S1, 0xdc000000 | (13 << 22)
	.equ	NOP_WORD, 0x44000000

	.text
	.globl	_start
_start:
	test_init
	li	s1, 0
	call	r_entry
	expect_eq s1, 0x55, "R runs: li s1, 0x55; nop; ret"

	# --- sw over the nop: rdpsw s1 ---
	poke	r_slot, RDPSW_S1
	li	s1, 0
	call	r_entry
	expect_eq s1, PSW_SUPER, "R's nop made rdpsw s1: reads the supervisor PSW"
	peek	s1, r_slot
	expect_eq s1, RDPSW_S1, "  ... and a load reads rdpsw s1"

	# --- 64 rewrites: rdpsw, rdtvec, nop, rdpsw, ... ---
	li	s2, 0			# mismatches
	li	s3, 0			# round
1:	li	t0, 3
	remu	t0, s3, t0
	la	t1, rewrites
	slli	t0, t0, 3
	add	t1, t1, t0
	lw	t2, 0(t1)		# the word
	lw	a3, 4(t1)		# what s1 must read
	la	t0, r_slot
	sw	t2, 0(t0)
	li	s1, 0
	call	r_entry
	beq	s1, a3, 2f
	addi	s2, s2, 1
2:	addi	s3, s3, 1
	li	t0, 64
	bne	s3, t0, 1b
	expect_eq s2, 0, "64 rewrites of R's word, each run: every one reads what it should"

	# --- sb over the nop's top byte: rdpsw s0 ---
	poke	r_slot, NOP_WORD
	call	r_entry
	la	t0, r_slot
	li	t1, 0xd7
	sb	t1, 3(t0)		# 0x44000000 -> 0xd7000000 = rdpsw s0
	li	s0, 0
	call	r_entry
	expect_eq s0, PSW_SUPER, "sb makes R's nop rdpsw s0: reads the supervisor PSW"
	expect_eq s1, 0x55, "  ... and s1 = 0x55 as before"

	# --- sb over a patched rdpsw s1's top byte: rdtvec s1 ---
	li	s1, 0
	call	r2
	expect_eq s1, PSW_SUPER, "R2 runs: rdpsw s1 reads the supervisor PSW"
	la	t0, r2
	lbu	s1, 3(t0)
	expect_eq s1, 0xd7, "  ... a load of its top byte reads rdpsw's"
	la	t0, r2
	li	t1, 0xdf
	sb	t1, 3(t0)		# 0xd7400000 -> 0xdf400000 = rdtvec s1
	li	s0, 0x99
	li	s1, 0
	call	r2
	expect_eq s1, trap_default, "sb makes R2's rdpsw s1 rdtvec s1: reads the guest's TVEC"
	expect_eq s0, 0x99, "  ... and s0 is untouched"
	peek	s1, r2
	expect_eq s1, RDTVEC_S1, "  ... and a load reads rdtvec s1"

	# --- a routine that stores into its own next instruction ---
	li	a0, NOP_WORD
	li	s1, 0x66
	call	r3
	expect_eq s1, 0x66, "R3 writes a nop into its next word and runs it"
	li	a0, RDPSW_S1
	call	r3
	expect_eq s1, PSW_SUPER, "R3 writes rdpsw s1 into its next word: reads the supervisor PSW"
	li	a0, RDTVEC_S1
	call	r3
	expect_eq s1, trap_default, "R3 writes rdtvec s1 into its next word: reads the guest's TVEC"

	# --- a page written after the scan reached it, before it ever ran ---
	li	a0, RDPSW_S1
	li	s1, 0
	call	r4
	expect_eq s1, PSW_SUPER, "R4 writes rdpsw into the page it jumps to, first run: supervisor PSW"

	# --- an unvisited word written, then jumped to ---
	poke	r_hidden, RDPSW_S1
	li	s1, 0
	call	case_hidden
	expect_eq s1, PSW_SUPER, "a word behind R's ret written with rdpsw, jumped to: supervisor PSW"

	# --- paging on: stores through a write-only alias of R's frame ---
	poke	r_slot, NOP_WORD
	poke	r2, RDPSW_S1
	paging_on
	li	s1, 0
	call	r_entry
	expect_eq s1, 0x55, "paging on, R runs with its nop"
	li	s1, 0
	call	r2
	expect_eq s1, PSW_SUPER_PG, "paging on, R2 runs: rdpsw s1"
	la	t0, r_entry		# window 0 = R's frame, W only
	srli	t0, t0, PAGE_SHIFT
	slli	t0, t0, PAGE_SHIFT
	ori	t1, t0, PTE_V | PTE_W
	li	t2, L_WIN
	sw	t1, 0(t2)
	li	t2, WIN
	tlbinv	t2
	la	t1, r_slot
	sub	t1, t1, t0
	li	t2, WIN
	add	t1, t1, t2
	li	t2, RDPSW_S1
	sw	t2, 0(t1)		# R's nop = rdpsw s1, through the alias
	la	t1, r2
	sub	t1, t1, t0
	li	t2, WIN
	add	t1, t1, t2
	li	t2, RDTVEC_S1
	sw	t2, 0(t1)		# R2's rdpsw = rdtvec, through the alias
	li	s1, 0
	call	r_entry
	expect_eq s1, PSW_SUPER_PG, "R's nop made rdpsw through a W alias: reads the supervisor PSW"
	li	s1, 0
	call	r2
	expect_eq s1, trap_default, "R2's rdpsw made rdtvec through a W alias: reads the guest's TVEC"
	test_done

case_hidden:
	mv	s3, ra
	la	t0, r_hidden
	jr	t0

	.data
rewrites:
	.word	RDPSW_S1, PSW_SUPER
	.word	RDTVEC_S1, trap_default
	.word	NOP_WORD, 0x55
	.text

# --- the code under attack, in a page of its own ---
	.align	PAGE_SIZE
r_entry:
	li	s1, 0x55
r_slot:	nop
	ret
r_hidden:
	nop				# becomes rdpsw s1; nothing reaches it
	jr	s3
r2:	rdpsw	s1
	ret
# r3(a0 = a word): store it as the next instruction, run it, return.
r3:	la	t0, r3_slot
	sw	a0, 0(t0)
r3_slot:
	nop
	ret
# r4(a0 = a word): store it into S2, a page that has not run, then jump
# there (a scan of R4 follows the jump into S2 before the store).
r4:	la	t0, s2_slot
	sw	a0, 0(t0)
	j	s2_entry

	.align	PAGE_SIZE
s2_entry:
	nop
s2_slot:
	nop
	ret
