# patch_dma_unaligned.s - DMA that starts or ends inside a patched word.
#
# mode: leaky
# disk: yes
#
# Tries: the disk's ADDR need not be a multiple of 4, so a transfer can
# begin or end in the middle of an instruction a monitor has patched.
# Page E holds "rdpsw s1; rdtvec s2; ret" (run: patched), then its data.
#   - a sector is written from E + 2 and read back into a buffer: its
#     first bytes are the top half of rdpsw s1, then rdtvec s2 ...;
#   - a sector whose first two bytes are 0x40 0xdf (the top half of
#     rdtvec s1) is read into E + 2 by DMA: rdpsw s1 becomes rdtvec s1
#     (the low half, 0x0000, is the same), the rest of the sector lands
#     over rdtvec s2 and ret, so it is first given E's own words there;
#     then E runs.
# The bare machine: DMA moves bytes; the buffer holds E's bytes from
# E + 2; after the read E starts with rdtvec s1, which reads the guest's
# TVEC, and rdtvec s2 and ret as before.
	.include "patch.inc"

	.equ	BUF,	FREE
	.equ	BUF2,	FREE + 0x1000
	.equ	RDPSW_S1, 0xd4000000 | (13 << 22)
	.equ	RDTVEC_S1, 0xdc000000 | (13 << 22)

	.text
	.globl	_start
_start:
	test_init
	li	s1, 0
	call	e_page
	expect_eq s1, PSW_SUPER, "E runs: rdpsw s1 reads the supervisor PSW"

	# --- a sector from E + 2 ---
	li	a0, 1
	la	a1, e_page + 2
	li	a2, 1
	li	a3, DISK_CMD_WRITE
	call	disk_cmd
	expect_eq s0, DISK_STATUS_DONE, "a sector written from E + 2"
	li	a0, 1
	li	a1, BUF
	li	a2, 1
	li	a3, DISK_CMD_READ
	call	disk_cmd
	la	a0, e_page + 2		# bytes that differ from E's, from E + 2
	li	a1, BUF
	li	a2, DISK_SECTOR_SIZE
	call	count_diff_bytes
	mv	s2, a0
	expect_eq s2, 0, "  ... read back, it holds E's bytes from E + 2"
	li	t0, BUF
	lhu	s1, 0(t0)
	expect_eq s1, RDPSW_S1 >> 16, "  ... starting with rdpsw s1's top half"

	# --- rdpsw s1 made rdtvec s1 by a DMA read into E + 2 ---
	li	a0, BUF2		# BUF2 = the sector: 0xdf40, then E's
	la	a1, e_page + 4		# words from E + 4 on, two bytes on
	li	t0, RDTVEC_S1 >> 16
	sh	t0, 0(a0)
	addi	a0, a0, 2
	li	a2, (DISK_SECTOR_SIZE - 2) / 2
1:	lhu	t0, 0(a1)
	sh	t0, 0(a0)
	addi	a0, a0, 2
	addi	a1, a1, 2
	addi	a2, a2, -1
	bnez	a2, 1b
	li	a0, 2
	li	a1, BUF2
	li	a2, 1
	li	a3, DISK_CMD_WRITE
	call	disk_cmd
	li	a0, 2
	la	a1, e_page + 2
	li	a2, 1
	li	a3, DISK_CMD_READ
	call	disk_cmd
	expect_eq s0, DISK_STATUS_DONE, "a sector read into E + 2"
	peek	s1, e_page
	expect_eq s1, RDTVEC_S1, "  ... E's first word loads as rdtvec s1"
	li	s1, 0
	li	s2, 0
	call	e_page
	expect_eq s1, trap_default, "  ... and E runs it: rdtvec s1 reads the guest's TVEC"
	expect_eq s2, trap_default, "  ... then rdtvec s2 as before"
	test_done

	.include "disk.inc"

	.align	PAGE_SIZE
e_page:	rdpsw	s1
	rdtvec	s2
	ret
	.word	0x11223344, 0x55667788
