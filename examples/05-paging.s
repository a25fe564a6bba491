# 05-paging.s - paging on: a two-level page table, an identity map, and
# one page mapped somewhere else.
#
# With PSW.PG = 1 every address is virtual and the MMU translates it
# through two tables (ISA.md section 7): VA bits 31:22 index the root
# table, whose entry points to a leaf table; VA bits 21:12 index the leaf,
# whose entry gives the physical frame; VA bits 11:0 are the offset.
#
# The program builds, while paging is still off:
#   - an identity map of the first 4 MiB (VA = PA), supervisor only: the
#     code, the data and the tables themselves, so that nothing moves
#     under the program's feet when it turns paging on;
#   - the console's page, also at its own address, so that printing works;
#   - the "window": VA 0x00400000 mapped to the frame at PA 0x00020000.
# Then it turns paging on, walks the tables in software exactly as the
# hardware does and prints every step, reads through the window what it
# wrote at the physical address, and watches the walker set the entry's
# A (accessed) and D (dirty) bits.
#
# Under the VMM the guest's tables are only a description: the MMU really
# walks the VMM's shadow tables, and guest-physical 0x00020000 is some
# other host frame (chapter 5).  The program cannot tell: same bytes.
#
#   bin/trapeze run -I build/include examples/05-paging.s

	.include "print.inc"

	.equ	ROOT,      0x00010000	# physical addresses of the tables, in
	.equ	LEAF_LOW,  0x00011000	# RAM the image does not use (RAM past
	.equ	LEAF_DEV,  0x00012000	# the image is zero at boot)
	.equ	LEAF_WIN,  0x00013000
	.equ	FRAME,     0x00020000	# the frame the window shows
	.equ	WINDOW,    0x00400000	# its virtual address
	.equ	OFFSET,    0x234	# a word inside the page
	.equ	KERNEL_RWX, PTE_V | PTE_R | PTE_W | PTE_X
	.equ	DATA_RW,   PTE_V | PTE_R | PTE_W
	.equ	ENTRIES,   1024		# entries in a table
	.equ	PTE_FLAG_BITS, 7	# V R W X U A D: bits 0..6

	.text
	.globl	_start
_start:
	la	sp, stack_top
	li	t0, FRAME + OFFSET
	li	t1, 0x600dcafe
	sw	t1, 0(t0)		# paging is off: this is physical

	# The identity map: leaf entry i maps page i to frame i.
	li	t0, LEAF_LOW
	li	t1, KERNEL_RWX		# frame 0, flags
	li	t2, ENTRIES
1:	sw	t1, 0(t0)
	addi	t0, t0, 4
	li	t3, PAGE_SIZE
	add	t1, t1, t3		# the next frame
	addi	t2, t2, -1
	bnez	t2, 1b

	# Root entries are pointers: V = 1, R = W = X = 0.
	li	t0, ROOT
	li	t1, LEAF_LOW | PTE_V
	sw	t1, 0(t0)		# root[0]: VA 0 .. 4 MiB
	li	t1, LEAF_WIN | PTE_V
	sw	t1, 4(t0)		# root[1]: VA 4 MiB .. 8 MiB
	li	t1, LEAF_DEV | PTE_V
	li	t2, (DEV_CONSOLE_BASE >> 22) * 4
	add	t2, t0, t2
	sw	t1, 0(t2)		# root[0x3c0]: the devices' 4 MiB

	li	t0, LEAF_DEV		# leaf[0] of it: the console's page
	li	t1, DEV_CONSOLE_BASE | DATA_RW
	sw	t1, 0(t0)
	li	t0, LEAF_WIN		# leaf[0]: the window
	li	t1, FRAME | DATA_RW
	sw	t1, 0(t0)

	li	t0, ROOT
	mtcr	ptbr, t0
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0			# from the next instruction on: virtual
	say	"paging is on, PTBR = "
	mfcr	a0, ptbr
	call	print_hex
	li	a0, '\n'
	call	putc

	li	a0, WINDOW + OFFSET
	call	walk
	say	"leaf entry before any access: "
	call	print_window_pte

	li	t0, WINDOW + OFFSET
	lw	s0, 0(t0)		# a load through the window
	say	"load  from VA 0x00400234: "
	mv	a0, s0
	call	print_hex
	say	", the word stored at PA 0x00020234\n"
	say	"leaf entry after the load:    "
	call	print_window_pte

	li	t0, WINDOW + OFFSET
	li	t1, 0x0badf00d
	sw	t1, 0(t0)		# a store through the window
	say	"leaf entry after a store:     "
	call	print_window_pte

	li	t0, PSW_MODE
	mtcr	psw, t0			# paging off again: addresses are physical
	li	t0, FRAME + OFFSET
	lw	a0, 0(t0)
	mv	s0, a0
	say	"paging off, load from PA 0x00020234: "
	mv	a0, s0
	call	print_hex
	li	a0, '\n'
	call	putc
	halt

# walk(a0 = va): the hardware's walk (ISA.md 7.3), in software, printed.
# The tables lie in the identity-mapped 4 MiB, so their physical
# addresses work as virtual ones.
walk:	addi	sp, sp, -16
	sw	ra, 0(sp)
	sw	s0, 4(sp)
	sw	s1, 8(sp)
	sw	s2, 12(sp)
	mv	s0, a0			# s0: the virtual address
	say	"walk of "
	mv	a0, s0
	call	print_hex
	say	":\n  root index VA[31:22] = "
	srli	a0, s0, 22
	call	print_dec
	say	", root entry at "
	mfcr	s1, ptbr
	srli	t0, s0, 22
	slli	t0, t0, 2
	add	s1, s1, t0		# s1: the root entry's address
	mv	a0, s1
	call	print_hex
	say	" = "
	lw	s2, 0(s1)		# s2: the root entry: the leaf table
	mv	a0, s2
	call	print_hex
	say	"\n  leaf index VA[21:12] = "
	srli	a0, s0, 12
	andi	a0, a0, ENTRIES - 1
	call	print_dec
	say	", leaf entry at "
	srli	t0, s0, 12
	andi	t0, t0, ENTRIES - 1
	slli	t0, t0, 2
	li	t1, PTE_FRAME_MASK
	and	s1, s2, t1
	add	s1, s1, t0		# s1: the leaf entry's address
	mv	a0, s1
	call	print_hex
	say	" = "
	lw	s2, 0(s1)		# s2: the leaf entry: the frame
	mv	a0, s2
	call	print_hex
	say	"\n  physical address = frame | VA[11:0] = "
	li	t1, PTE_FRAME_MASK
	and	a0, s2, t1
	andi	t0, s0, PAGE_SIZE - 1
	or	a0, a0, t0
	call	print_hex
	li	a0, '\n'
	call	putc
	lw	ra, 0(sp)
	lw	s0, 4(sp)
	lw	s1, 8(sp)
	lw	s2, 12(sp)
	addi	sp, sp, 16
	ret

# print_window_pte: the window's leaf entry, and its flags by name.
print_window_pte:
	addi	sp, sp, -16
	sw	ra, 0(sp)
	sw	s0, 4(sp)
	sw	s1, 8(sp)
	sw	s2, 12(sp)
	li	t0, LEAF_WIN
	lw	s0, 0(t0)		# s0: the entry
	mv	a0, s0
	call	print_hex
	la	s1, flag_names		# s1: the names of bits 0..6
	li	s2, 0			# s2: the bit
1:	srl	t0, s0, s2
	andi	t0, t0, 1
	beqz	t0, 2f
	li	a0, ' '
	call	putc
	add	t0, s1, s2
	lbu	a0, 0(t0)
	call	putc
2:	addi	s2, s2, 1
	li	t0, PTE_FLAG_BITS
	bne	s2, t0, 1b
	li	a0, '\n'
	call	putc
	lw	ra, 0(sp)
	lw	s0, 4(sp)
	lw	s1, 8(sp)
	lw	s2, 12(sp)
	addi	sp, sp, 16
	ret

	.data
flag_names:
	.ascii	"VRWXUAD"		# bits 0..6 of a PTE
	.align	4
	.space	1024
stack_top:
