# vm.s - physical frames and page tables.
#
# PG32 paging in one paragraph (ISA.md section 7): a virtual address is
#
#     31         22 21         12 11          0
#    +-------------+-------------+-------------+
#    |  root index |  leaf index | page offset |
#    +-------------+-------------+-------------+
#
# PTBR points to a 4 KiB root table of 1024 entries; a root entry points
# to a 4 KiB leaf table; a leaf entry maps one 4 KiB page.  A PTE is
#
#     31                12 11   7  6   5   4   3   2   1   0
#    +--------------------+------+---+---+---+---+---+---+---+
#    |   frame number     |  sw  | D | A | U | X | W | R | V |
#    +--------------------+------+---+---+---+---+---+---+---+
#
# A root entry is a pointer (V only); a leaf entry has some of R, W, X.
# User mode needs U = 1; the kernel's pages have U = 0, so user code that
# touches them takes a protection fault.
#
# Every address space shares two leaf tables with the kernel's own root
# table, kernel_root:
#   root[0]     -> kernel_leaf: VA 0..4 MiB = PA 0..4 MiB, kernel-only
#                  (page 0 unmapped; kernel text R+X, the rest R+W)
#   root[0x3c0] -> dev_leaf:    VA 0xF0000000.. = the devices, kernel-only
# The other root entries (1 .. 0x3bf) belong to the process.
#
# Frames come from a free list threaded through the free frames
# themselves: the first word of a free frame holds the address of the
# next one.  The kernel reaches any frame at its physical address because
# the whole pool lies inside the identity-mapped first 4 MiB.

	.equ	DEV_TEST_SLOT, ((DEV_TEST_BASE - DEV_CONSOLE_BASE) >> PAGE_SHIFT) * 4

	.data
free_list:	.word	0	# first free frame, 0 if none
nfree:		.word	0	# how many are free
kernel_root:	.word	0	# the kernel's root table (no user part)
	.text

# kinit(): put every page from the end of the kernel image up to
# KERNEL_LIMIT on the free list, lowest address first.
kinit:
	la	t0, kernel_end		# first frame: kernel_end rounded up
	li	t1, PAGE_SIZE - 1
	add	t0, t0, t1
	li	t1, PTE_FRAME_MASK
	and	t0, t0, t1
	li	t1, KERNEL_LIMIT	# walk down from the top, pushing
	li	t2, 0			# the list so far
	li	t3, 0			# its length
1:	addi	t1, t1, -PAGE_SIZE
	bltu	t1, t0, 2f
	sw	t2, 0(t1)		# frame->next = list
	mv	t2, t1
	addi	t3, t3, 1
	j	1b
2:	la	t0, free_list
	sw	t2, 0(t0)
	la	t0, nfree
	sw	t3, 0(t0)
	ret

# kalloc() -> a0 = the physical address of a zeroed frame, or 0 if none.
kalloc:
	la	t0, free_list
	lw	a0, 0(t0)
	beqz	a0, 2f
	lw	t1, 0(a0)		# unlink it
	sw	t1, 0(t0)
	la	t0, nfree
	lw	t1, 0(t0)
	addi	t1, t1, -1
	sw	t1, 0(t0)
	mv	t1, a0			# zero it: a fresh page must not leak
	addi	t2, a0, PAGE_SIZE	# what an earlier owner left there
1:	sw	zero, 0(t1)
	sw	zero, 4(t1)
	sw	zero, 8(t1)
	sw	zero, 12(t1)
	addi	t1, t1, 16
	bne	t1, t2, 1b
2:	ret

# kfree(a0 = frame): give a frame back.
kfree:
	la	t0, free_list
	lw	t1, 0(t0)
	sw	t1, 0(a0)
	sw	a0, 0(t0)
	la	t0, nfree
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)
	ret

# kvm_init(): build kernel_root, the kernel leaf and the device leaf.
# Runs with paging off, so the tables are written at physical addresses.
kvm_init:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	s0, 8(sp)
	sw	s1, 4(sp)
	call	kalloc			# the boot pool cannot be empty
	mv	s0, a0			# s0 = root
	call	kalloc
	mv	s1, a0			# s1 = kernel leaf
	li	t0, PAGE_SIZE		# t0 = pa = va, from page 1 up
	la	t1, etext
	li	t3, KERNEL_LIMIT
1:	li	t2, PTE_KTEXT		# code is readable and executable,
	bltu	t0, t1, 2f
	li	t2, PTE_KDATA		# everything else readable and writable
2:	or	t2, t2, t0
	srli	a0, t0, 10		# (pa >> 12) * 4: the entry's offset
	add	a0, a0, s1
	sw	t2, 0(a0)
	addi	t0, t0, PAGE_SIZE
	bltu	t0, t3, 1b
	ori	t0, s1, PTE_V		# root[0] -> kernel leaf
	sw	t0, 0(s0)

	call	kalloc			# the device leaf: one page per device
	li	t0, DEV_CONSOLE_BASE | PTE_KDATA
	sw	t0, 0(a0)
	li	t0, DEV_TIMER_BASE | PTE_KDATA
	sw	t0, 4(a0)
	li	t0, DEV_DISK_BASE | PTE_KDATA
	sw	t0, 8(a0)
	li	t0, DEV_TEST_BASE | PTE_KDATA
	sw	t0, DEV_TEST_SLOT(a0)
	ori	a0, a0, PTE_V		# root[0x3c0] -> device leaf
	sw	a0, DEV_ROOT_INDEX * 4(s0)

	la	t0, kernel_root
	sw	s0, 0(t0)
	lw	s1, 4(sp)
	lw	s0, 8(sp)
	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

# uvm_create() -> a0 = a new root table with the kernel's entries and an
# empty user part, or 0 if out of memory.
uvm_create:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	call	kalloc
	beqz	a0, 1f
	la	t0, kernel_root
	lw	t0, 0(t0)
	lw	t1, 0(t0)		# the kernel leaf
	sw	t1, 0(a0)
	lw	t1, DEV_ROOT_INDEX * 4(t0)	# the device leaf
	sw	t1, DEV_ROOT_INDEX * 4(a0)
1:	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

# vm_walk(a0 = root, a1 = va, a2 = alloc) -> a0 = the address of the leaf
# PTE for va, or 0 if there is no leaf table (and alloc is 0, or no frame
# is left for a new one).  This is the hardware's walk, in software.
vm_walk:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	s0, 8(sp)
	sw	s1, 4(sp)
	mv	s1, a1
	srli	s0, a1, VPN1_SHIFT	# s0 = &root[va >> 22]
	slli	s0, s0, 2
	add	s0, s0, a0
	lw	t1, 0(s0)
	andi	t0, t1, PTE_V
	bnez	t0, 1f
	li	a0, 0			# no leaf table
	beqz	a2, 2f
	call	kalloc			# make one
	beqz	a0, 2f
	ori	t1, a0, PTE_V
	sw	t1, 0(s0)
1:	li	t0, PTE_FRAME_MASK	# t1 = the leaf table
	and	t1, t1, t0
	srli	t0, s1, PAGE_SHIFT	# its entry: (va >> 12) & 1023
	andi	t0, t0, 1023
	slli	t0, t0, 2
	add	a0, t1, t0
2:	lw	s1, 4(sp)
	lw	s0, 8(sp)
	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

# vm_map(a0 = root, a1 = va, a2 = frame, a3 = PTE flags) -> a0 = 0, or -1
# if no frame is left for a leaf table.  Maps the page holding va.  The
# caller flushes the TLB if it changes an entry that may be cached.
vm_map:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	a2, 8(sp)
	sw	a3, 4(sp)
	li	a2, 1
	call	vm_walk
	lw	t0, 8(sp)
	lw	t1, 4(sp)
	beqz	a0, 1f
	or	t0, t0, t1		# the leaf PTE
	sw	t0, 0(a0)
	li	a0, 0
	j	2f
1:	li	a0, -1
2:	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

# vm_lookup(a0 = root, a1 = va) -> a0 = the physical address that user
# code reaching va would reach, or 0 if va is not mapped for user mode.
# The kernel uses it to read user memory without trusting user pointers.
vm_lookup:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	a1, 8(sp)
	li	a2, 0
	call	vm_walk
	beqz	a0, 1f
	lw	t0, 0(a0)		# the PTE: valid, and a user page?
	andi	t1, t0, PTE_V | PTE_U
	li	a0, 0
	li	t2, PTE_V | PTE_U
	bne	t1, t2, 1f
	li	t1, PTE_FRAME_MASK
	and	t0, t0, t1
	lw	t1, 8(sp)
	andi	t1, t1, PAGE_SIZE - 1
	or	a0, t0, t1
1:	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

# vm_free(a0 = root): free every user page, every leaf table of the user
# part and the root itself.  The root must not be in PTBR.
vm_free:
	addi	sp, sp, -32
	sw	ra, 28(sp)
	sw	s0, 24(sp)
	sw	s1, 20(sp)
	sw	s2, 16(sp)
	sw	s3, 12(sp)
	mv	s0, a0			# s0 = root
	addi	s1, a0, 4		# s1 walks root entries 1 .. 0x3bf
	addi	s3, a0, DEV_ROOT_INDEX * 4
1:	lw	t0, 0(s1)
	andi	t1, t0, PTE_V
	beqz	t1, 4f
	li	t1, PTE_FRAME_MASK
	and	s2, t0, t1		# s2 = this leaf table
	mv	t3, s2			# free the pages it maps
2:	lw	a0, 0(t3)
	andi	t1, a0, PTE_V
	beqz	t1, 3f
	li	t1, PTE_FRAME_MASK
	and	a0, a0, t1
	sw	t3, 8(sp)
	call	kfree
	lw	t3, 8(sp)
3:	addi	t3, t3, 4
	addi	t0, s2, PAGE_SIZE
	bne	t3, t0, 2b
	mv	a0, s2			# then the leaf table itself
	call	kfree
4:	addi	s1, s1, 4
	bne	s1, s3, 1b
	mv	a0, s0			# and the root
	call	kfree
	lw	s3, 12(sp)
	lw	s2, 16(sp)
	lw	s1, 20(sp)
	lw	s0, 24(sp)
	lw	ra, 28(sp)
	addi	sp, sp, 32
	ret

# demand_zero(a0 = proc, a1 = va) -> a0 = 0 if the page holding va is now
# mapped, 1 if va is neither in the heap nor in the stack region (a bad
# address), 2 if no memory is left.
#
# This is the whole of "demand paging" in guestos: heap pages (below the
# break, rounded up to a page) and stack pages (STACK_LIMIT .. STACK_TOP)
# are not allocated by sbrk or at process creation but the first time
# they are touched: a fresh zeroed frame, mapped read/write for the user.
demand_zero:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	s0, 8(sp)
	sw	s1, 4(sp)
	sw	s2, 0(sp)
	mv	s0, a0
	li	t0, PTE_FRAME_MASK
	and	s1, a1, t0		# s1 = the page
	lw	t0, P_HEAPBASE(s0)	# the heap: HEAPBASE <= va < roundup(BRK)
	bltu	s1, t0, 1f
	lw	t0, P_BRK(s0)
	bltu	s1, t0, 2f
1:	li	t0, STACK_LIMIT		# the stack: STACK_LIMIT <= va < STACK_TOP
	bltu	s1, t0, 8f
	li	t0, STACK_TOP
	bgeu	s1, t0, 8f
2:	call	kalloc
	beqz	a0, 9f
	mv	s2, a0
	lw	a0, P_ROOT(s0)
	mv	a1, s1
	mv	a2, s2
	li	a3, PTE_UDATA
	call	vm_map
	beqz	a0, 3f
	mv	a0, s2			# no frame left for a leaf table
	call	kfree
	j	9f
3:	TLB_INV	s1			# we changed a PTE: no stale entry
	li	a0, 0
	j	10f
8:	li	a0, 1			# not a demand-zero address
	j	10f
9:	li	a0, 2			# out of memory
10:	lw	s2, 0(sp)
	lw	s1, 4(sp)
	lw	s0, 8(sp)
	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret
