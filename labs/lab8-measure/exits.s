# exits.s - lab 8's microbenchmark: what each kind of VM exit costs, as a
# guest measures it with rdcycle (labs/lab8-measure/README.md).
#
# For each row of the table below, `measure` times N calls of the row's
# operation (op_ROW) and N calls of its baseline (base_ROW), a function
# that does everything the operation does but the one thing measured,
# and prints (operation - baseline) / N, rounded, in cycles:
#
#   lab 8: cycles per operation, rdcycle around N = 1000 calls, less the baseline
#   priv       mtcr scratch: a privileged instruction        61
#   ...
#
# one row a line: its name, what it does, the figure last.  On the bare
# machine, and under --vmm (whose clock is the bare machine's), a row
# prints the operation's own cost; with `trapeze run --vmm --host-time`
# rdcycle also counts the VMM's work for this VM, so the row grows by what
# the VMM charges for the exits of one operation (vmm/README.md, "Time").
#
# Build and run it (make grade LAB=8 runs it under each technique):
#
#   bin/trapeze run --vmm --host-time -I tests/guest/lib -I build/include \
#       labs/lab8-measure/exits.s
#
# The kernel runs in supervisor mode with paging on (an identity map of
# the first 4 MiB, the console and the test device), interrupts off,
# from start to end.  Registers as in tests/guest/lib/test.inc: a
# function may change a0-a3, t0-t3 and ra, and keeps s0-s3, sp and gp.
	.include "test.inc"

	.equ	N, 1000			# calls of each function, per row
	.equ	ROOT, 0x100000		# root page table
	.equ	L_LOW, 0x101000		# leaf table: VA 0 - 4 MiB, one to one
	.equ	L_DEV, 0x102000		# leaf table: the devices' 4 MiB
	.equ	PROBE, 0x200000		# a page of data the shadow row reads
	.equ	LEAF, PTE_V | PTE_R | PTE_W | PTE_X
	.equ	DEV, PTE_V | PTE_R | PTE_W
	.equ	ROW_BYTES, 12		# a row of `rows`: label, op, baseline
	.equ	MARK_S1, 0x5151		# what s1-s3 hold across measure
	.equ	MARK_S2, 0x5252
	.equ	MARK_S3, 0x5353

	.text
	.globl	_start
_start:	test_init
	set_tvec trap
	call	paging_on
	la	a0, str_header
	call	puts
	la	s0, rows
next_row:
	lw	t0, 0(s0)
	beqz	t0, the_end
	lw	a0, 4(s0)
	lw	a1, 8(s0)
	# measure must keep s0-s3 and sp, as every function here (the
	# calling convention above): marks in s1-s3, checked after the call.
	li	s1, MARK_S1
	li	s2, MARK_S2
	li	s3, MARK_S3
	mv	t0, sp
	la	t1, sp_before
	sw	t0, 0(t1)
	call	measure
	call	check_convention
	mv	s1, a0
	# A stub reached while measuring left its message: print it instead.
	la	t0, unwritten
	lw	a0, 0(t0)
	sw	zero, 0(t0)
	bnez	a0, row_end
	lw	a0, 0(s0)
	call	puts
	mv	a0, s1
	call	print_dec
	j	row_newline
row_end:
	call	puts
row_newline:
	li	a0, '\n'
	call	putc
	addi	s0, s0, ROW_BYTES
	j	next_row
the_end:
	li	t0, DEV_TEST_BASE
	sw	zero, TEST_EXIT(t0)

# check_convention: a0 is kept; stops the program (status 3) with a
# message if s1-s3 or sp are not what they were before measure.
check_convention:
	li	t0, MARK_S1
	bne	s1, t0, 1f
	li	t0, MARK_S2
	bne	s2, t0, 1f
	li	t0, MARK_S3
	bne	s3, t0, 1f
	la	t1, sp_before
	lw	t0, 0(t1)
	bne	sp, t0, 1f
	ret
1:	la	a0, str_convention
	call	puts
	li	a0, 3
	li	t0, DEV_TEST_BASE
	sw	a0, TEST_EXIT(t0)

# paging_on: page tables for the first 4 MiB (one to one) and the
# console and test device (one to one, supervisor only), then PG = 1.
# Everything the program touches is in them, PROBE included.
paging_on:
	identity_4m L_LOW, LEAF
	li	t0, L_DEV
	li	t1, DEV_CONSOLE_BASE | DEV
	sw	t1, ((DEV_CONSOLE_BASE >> 12) & 0x3ff) * 4(t0)
	li	t1, DEV_TEST_BASE | DEV
	sw	t1, ((DEV_TEST_BASE >> 12) & 0x3ff) * 4(t0)
	li	t0, ROOT
	li	t1, L_LOW | PTE_V
	sw	t1, 0(t0)
	li	t1, L_DEV | PTE_V
	sw	t1, (DEV_CONSOLE_BASE >> 22) * 4(t0)
	mtcr	ptbr, t0
	li	t0, PSW_MODE | PSW_PG
	mtcr	psw, t0
	ret

# not_written(a0 = message): what a stub calls.  Keeps the message for
# the row being measured, and returns to the stub's caller.
not_written:
	la	t0, unwritten
	sw	a0, 0(t0)
	ret

# --- measuring ----------------------------------------------------------------------------

# measure(a0 = op, a1 = baseline): a0 = (cycles of N calls of op - cycles
# of N calls of baseline) / N, rounded to the nearest cycle.
# BEGIN LAB 8: measure, rdcycle around N calls of each function
measure:	addi	sp, sp, -24
	sw	ra, 0(sp)
	sw	s0, 4(sp)
	sw	s1, 8(sp)
	sw	s2, 12(sp)
	sw	s3, 16(sp)
	mv	s0, a0
	mv	s1, a1
	# One call of each first, outside the timing: the first touch of a
	# page (a shadow fill; with --patch, the scan of a code page) is
	# paid once, not per operation, and must not count.
	jalr	ra, 0(s0)
	jalr	ra, 0(s1)
	rdcycle	s2
	li	s3, N
time_op:
	jalr	ra, 0(s0)
	addi	s3, s3, -1
	bnez	s3, time_op
	rdcycle	t0
	sub	s2, t0, s2		# N operations, with the loop around them
	sw	s2, 20(sp)
	rdcycle	s2
	li	s3, N
time_base:
	jalr	ra, 0(s1)
	addi	s3, s3, -1
	bnez	s3, time_base
	rdcycle	t0
	sub	t0, t0, s2		# N baselines, with the same loop
	lw	s2, 20(sp)
	sub	a0, s2, t0		# 32-bit differences: a wrap of rdcycle cancels
	addi	a0, a0, N / 2		# to the nearest cycle, not down
	li	t0, N
	divu	a0, a0, t0
	lw	ra, 0(sp)
	lw	s0, 4(sp)
	lw	s1, 8(sp)
	lw	s2, 12(sp)
	lw	s3, 16(sp)
	addi	sp, sp, 24
	ret
# END LAB 8
# STUB LAB 8
# measure:
# 	la	a0, unwritten_measure
# 	j	not_written
# END STUB LAB 8

# --- the rows: for each, the operation and its baseline ------------------------------------
#
# Each is a function: it may change a0-a3, t0-t3, and returns with ret.

# priv: a privileged instruction, in supervisor mode.
# BEGIN LAB 8: the privileged-instruction row
op_priv:	mtcr	scratch, zero	# SCRATCH: a write with no side effect
		ret
base_priv:	ret			# everything but the mtcr: the call
# END LAB 8
# STUB LAB 8
# op_priv:
# base_priv:
# 	la	a0, unwritten_priv
# 	j	not_written
# END STUB LAB 8

# sensitive: a sensitive instruction that is not privileged, in
# supervisor mode.
# BEGIN LAB 8: the sensitive-instruction row
op_sensitive:	rdpsw	t0		# the leaky machine runs it with no trap
		ret
base_sensitive:	ret			# the call alone
# END LAB 8
# STUB LAB 8
# op_sensitive:
# base_sensitive:
# 	la	a0, unwritten_sensitive
# 	j	not_written
# END STUB LAB 8

# reflect: a trap that belongs to the guest kernel (a syscall), with a
# way back that costs no exit of its own.
# BEGIN LAB 8: the reflected-trap row, and the trap handler
op_reflect:	syscall			# the handler returns for this function
base_reflect:	ret			# the call and the return, no trap
# The trap handler.  The trap came from supervisor mode with interrupts
# off, so the trap entry left the PSW as it was: what is left of rfe's
# work is the jump, and ra still holds where op_reflect would return.
# (Even reading CAUSE or EPC would be an exit: mfcr is privileged.)
trap:		ret
# END LAB 8
# STUB LAB 8
# op_reflect:
# base_reflect:
# 	la	a0, unwritten_reflect
# 	j	not_written
# trap:
# 	li	a0, 2
# 	li	t0, DEV_TEST_BASE
# 	sw	a0, TEST_EXIT(t0)
# END STUB LAB 8

# mmio: a read of a device register.
# BEGIN LAB 8: the device-access row
op_mmio:	li	t0, DEV_CONSOLE_BASE
		lw	t0, CONSOLE_STATUS(t0)	# a read with no side effect
		ret
base_mmio:	li	t0, DEV_CONSOLE_BASE	# the address, not the access
		ret
# END LAB 8
# STUB LAB 8
# op_mmio:
# base_mmio:
# 	la	a0, unwritten_mmio
# 	j	not_written
# END STUB LAB 8

# hcall: a hypercall (paravirtualization); on the bare machine hcall is
# illegal, and the trap handler makes it a trap's round trip.
# BEGIN LAB 8: the hypercall row
op_hcall:	li	a0, HC_GET_CR
		li	a1, CR_SCRATCH
		hcall			# a0 = SCRATCH, from the VMM
		ret
base_hcall:	li	a0, HC_GET_CR	# the arguments, not the call
		li	a1, CR_SCRATCH
		ret
# END LAB 8
# STUB LAB 8
# op_hcall:
# base_hcall:
# 	la	a0, unwritten_hcall
# 	j	not_written
# END STUB LAB 8

# shadow: a load from a page whose translation the kernel just dropped:
# under the VMM, a shadow page fault and a fill.
# BEGIN LAB 8: the shadow-fill row
op_shadow:	li	t0, PROBE
		tlbinv	t0
		lw	t1, 0(t0)	# misses: the VMM walks and fills
		ret
base_shadow:	li	t0, PROBE
		tlbinv	t0		# the invalidation, not the load
		ret
# END LAB 8
# STUB LAB 8
# op_shadow:
# base_shadow:
# 	la	a0, unwritten_shadow
# 	j	not_written
# END STUB LAB 8

	.data
	.align	4
# The rows, in the order printed: the label (padded so that the
# figures line up), the operation, the baseline; a 0 ends the table.
rows:	.word	str_priv, op_priv, base_priv
	.word	str_sensitive, op_sensitive, base_sensitive
	.word	str_reflect, op_reflect, base_reflect
	.word	str_mmio, op_mmio, base_mmio
	.word	str_hcall, op_hcall, base_hcall
	.word	str_shadow, op_shadow, base_shadow
	.word	0
unwritten:	.word	0	# set by not_written, cleared per row
sp_before:	.word	0	# sp before measure (check_convention)
str_convention:	.asciz	"lab 8: measure changed s1, s2, s3 or sp: a function keeps them (the calling convention at the top of labs/lab8-measure/exits.s)\n"

str_header:	.asciz	"lab 8: cycles per operation, rdcycle around N = 1000 calls, less the baseline\n"
str_priv:	.asciz	"priv       mtcr scratch: a privileged instruction      "
str_sensitive:	.asciz	"sensitive  rdpsw: sensitive, not privileged            "
str_reflect:	.asciz	"reflect    syscall, reflected to the guest kernel      "
str_mmio:	.asciz	"mmio       lw from the console's STATUS register       "
str_hcall:	.asciz	"hcall      hcall HC_GET_CR: a hypercall                "
str_shadow:	.asciz	"shadow     lw after tlbinv: a shadow page fault        "
unwritten_measure:
	.asciz	"lab 8: measure (labs/lab8-measure/exits.s) is not written yet: see labs/lab8-measure/README.md, section 3.1"
unwritten_priv:
	.asciz	"lab 8: op_priv, base_priv (labs/lab8-measure/exits.s) are not written yet: see labs/lab8-measure/README.md, section 3.2"
unwritten_sensitive:
	.asciz	"lab 8: op_sensitive, base_sensitive (labs/lab8-measure/exits.s) are not written yet: see labs/lab8-measure/README.md, section 3.2"
unwritten_reflect:
	.asciz	"lab 8: op_reflect, base_reflect, trap (labs/lab8-measure/exits.s) are not written yet: see labs/lab8-measure/README.md, section 3.3"
unwritten_mmio:
	.asciz	"lab 8: op_mmio, base_mmio (labs/lab8-measure/exits.s) are not written yet: see labs/lab8-measure/README.md, section 3.4"
unwritten_hcall:
	.asciz	"lab 8: op_hcall, base_hcall (labs/lab8-measure/exits.s) are not written yet: see labs/lab8-measure/README.md, section 3.4"
unwritten_shadow:
	.asciz	"lab 8: op_shadow, base_shadow (labs/lab8-measure/exits.s) are not written yet: see labs/lab8-measure/README.md, section 3.5"
