# smc.s - self-modifying code, with paging off and through aliases.
#
# Tries: to make the machine (or a monitor running the guest directly)
# execute a stale copy of code the guest has just rewritten: a routine
# rewritten between calls; the very next instruction rewritten by the
# one before it; a loop that rewrites its own body every iteration; with
# paging on, code written through a write-only alias and run through an
# execute-only alias of the same frame, and rewritten while it is mapped.
# The bare machine: PG32 has no instruction cache to flush; a fetch
# always sees the last store to that physical address.
	.include "attack.inc"

	.equ	CODE,	FREE + 0x100	# a routine built at run time

# build_addi REG_OUT, IMM: REG_OUT = the word "addi s0, s0, IMM" (t0).
	.macro	build_addi out, imm
	la	t0, tmpl_addi
	lw	\out, 0(t0)
	ori	\out, \out, \imm
	.endm

	.text
	.globl	_start
_start:
	test_init

	# --- a routine rewritten between calls (paging off) ---
	la	t0, ret_word
	lw	t1, 0(t0)
	li	t0, CODE + 4
	sw	t1, 0(t0)		# CODE: addi s0, s0, N ; ret
	build_addi t1, 5
	li	t2, CODE
	sw	t1, 0(t2)
	li	s0, 100
	li	t0, CODE
	jalr	ra, 0(t0)
	expect_eq s0, 105, "a routine built at run time runs"
	build_addi t1, 7
	li	t2, CODE
	sw	t1, 0(t2)
	li	t0, CODE
	jalr	ra, 0(t0)
	expect_eq s0, 112, "rewritten: the new instruction runs"

	# --- the next instruction, rewritten by the one before it ---
	li	s0, 0
	build_addi t1, 2
	la	t2, next
	sw	t1, 0(t2)
next:	addi	s0, s0, 1		# becomes addi s0, s0, 2
	expect_eq s0, 2, "the next instruction rewritten just before it runs"

	# --- a loop that rewrites its own body: adds 1, 2, ..., 100 ---
	li	s0, 0
	li	s1, 1
loop:	build_addi t1, 0
	or	t1, t1, s1
	la	t2, body
	sw	t1, 0(t2)
body:	addi	s0, s0, 0		# rewritten every time
	addi	s1, s1, 1
	li	t0, 101
	bne	s1, t0, loop
	expect_eq s0, 5050, "a loop rewriting its body 100 times"

	# --- paging on: write through one alias, run through another ---
	paging_on
	win_map	0, FREE | PTE_V | PTE_W		# write-only
	win_map	1, FREE | PTE_V | PTE_X		# execute-only
	build_addi t1, 0x40
	li	t2, WIN + 0x100
	sw	t1, 0(t2)
	li	s0, 0
	li	t0, WIN + PAGE_SIZE + 0x100
	jalr	ra, 0(t0)
	expect_eq s0, 0x40, "written via a W alias, run via an X alias"
	build_addi t1, 0x41
	li	t2, WIN + 0x100
	sw	t1, 0(t2)
	li	t0, WIN + PAGE_SIZE + 0x100
	jalr	ra, 0(t0)
	expect_eq s0, 0x81, "  ... rewritten via the W alias: the new code runs"
	build_addi t1, 0x100
	li	t2, CODE
	sw	t1, 0(t2)		# and through the identity map
	li	t0, WIN + PAGE_SIZE + 0x100
	jalr	ra, 0(t0)
	expect_eq s0, 0x181, "  ... rewritten via the identity map: the new code runs"

	# --- rewritten in the page it runs from (paging on, R W X) ---
	li	s0, 0
	build_addi t1, 3
	la	t2, next2
	sw	t1, 0(t2)
next2:	addi	s0, s0, 1
	expect_eq s0, 3, "paging on: the next instruction rewritten"
	test_done

tmpl_addi:
	addi	s0, s0, 0
ret_word:
	ret
