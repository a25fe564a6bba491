# patch_data_dma.s - code pages read as data, by loads and by the disk.
#
# mode: leaky
# disk: yes
#
# Tries: to see a monitor's patches, or to run a sensitive instruction
# the disk put back.  Page D holds a routine whose scan visits words
# that run only when a0 != 0 (rdpsw s1; rdtvec s2; a wrpsw t0 behind a
# branch that is never taken) and, after its ret, data words that encode
# rdpsw, rdtvec, wrpsw and hcall; REF, in .data, is the same 512 bytes
# (one macro assembles both).  D runs with a0 = 0, then:
#   - every word (lw) and every byte (lbu) of D reads as REF; lh and lb
#     of the rdpsw word sign-extend it; a misaligned lw traps;
#   - D is written to the disk by DMA and read back into a buffer: REF;
#   - the sector is read back by DMA over D itself, and D is run with
#     a0 = 1: the instructions the disk wrote must act as on the machine;
#   - a changed copy (rdtvec s1 where rdpsw s1 was) is read over D by DMA
#     and run;
#   - page E (rdpsw s1; ret, run) gets a sector DMA'd into its second
#     half, then is run with a CONSOLE_WRITE hypercall of "PWNED\n" armed
#     in a0-a2 (the rest of the page must stay patched or be scanned
#     again, never left as an hcall nobody knows);
#   - 4096 bytes from the middle of E to the middle of page F (rdtvec s1;
#     ret, run) are written to the disk in one command and read back.
# The bare machine: DMA moves RAM as it is; D, E and F read as
# assembled (lh, lb sign-extend; the misaligned lw traps MISALIGNED); rdpsw reads MODE (1), rdtvec the guest's TVEC, a0 is never
# touched.
	.include "patch.inc"

	.equ	BUF,	FREE		# two pages of buffer
	.equ	D_SIZE,	512
	.equ	RDPSW_S1, 0xd4000000 | (13 << 22)
	.equ	RDTVEC_S1, 0xdc000000 | (13 << 22)
	.equ	WRPSW_T0, 0xd8000000 | (8 << 18)
	.equ	HCALL_WORD, 0xb4000000

# d_body: D's 512 bytes: the routine (a0 = 0: li s1, 0x77 and return;
# else also rdpsw s1, rdtvec s2) and data words after it.
	.macro	d_body
	li	s1, 0x77
	beqz	a0, 2f
	rdpsw	s1			# offset 8
	rdtvec	s2
	beqz	a1, 1f			# a1 = 0 always: wrpsw never runs
	wrpsw	t0
1:	ret
2:	ret
	.word	RDPSW_S1, RDTVEC_S1, WRPSW_T0, HCALL_WORD
	.space	D_SIZE - 48, 0x5a
	.endm

# compare A, B, N: s3 = how many of the N words at A and B differ.
	.macro	compare a, b, n
	li	a0, \a
	li	a1, \b
	li	a2, \n
	call	count_diff
	mv	s3, a0
	.endm

	.text
	.globl	_start
_start:
	test_init
	li	a0, 0
	li	a1, 0
	call	d_page
	expect_eq s1, 0x77, "D runs with a0 = 0"

	# --- loads ---
	compare	d_page, ref_d, D_SIZE / 4
	expect_eq s3, 0, "every word of D loads as assembled"
	la	a0, d_page
	la	a1, ref_d
	li	a2, D_SIZE
	call	count_diff_bytes
	mv	s3, a0
	expect_eq s3, 0, "every byte of D loads as assembled"
	peek	s1, d_page + 8
	expect_eq s1, RDPSW_S1, "  ... the word at D + 8 is rdpsw s1"
	la	t0, d_page
	lh	s1, 10(t0)
	expect_eq s1, RDPSW_S1 >> 16 | 0xffff0000, "  ... lh of its high half sign-extends it"
	la	t0, d_page
	lb	s1, 11(t0)
	expect_eq s1, RDPSW_S1 >> 24 | 0xffffff00, "  ... lb of its top byte sign-extends it"
	clear_trap
	la	t0, d_page
	li	s1, 0x1234
	lw	s1, 10(t0)		# misaligned: skipped
	expect_trap CAUSE_MISALIGNED, d_page + 10, "  ... lw at D + 10"
	expect_eq s1, 0x1234, "  ... loads nothing"

	# --- D to the disk and back into a buffer ---
	li	a0, 1
	la	a1, d_page
	li	a2, 1
	li	a3, DISK_CMD_WRITE
	call	disk_cmd
	expect_eq s0, DISK_STATUS_DONE, "D written to sector 1"
	li	a0, 1
	li	a1, BUF
	li	a2, 1
	li	a3, DISK_CMD_READ
	call	disk_cmd
	compare	BUF, ref_d, D_SIZE / 4
	expect_eq s3, 0, "sector 1 read back holds D as assembled"

	# --- the sector read over D itself, and D run through its data ---
	li	a0, 1
	la	a1, d_page
	li	a2, 1
	li	a3, DISK_CMD_READ
	call	disk_cmd
	expect_eq s0, DISK_STATUS_DONE, "sector 1 read over D"
	li	a0, 1
	li	a1, 0
	li	s1, 0
	li	s2, 0
	call	d_page
	expect_eq s1, PSW_SUPER, "D run with a0 = 1: rdpsw s1 reads the supervisor PSW"
	expect_eq s2, trap_default, "  ... rdtvec s2 reads the guest's TVEC"
	compare	d_page, ref_d, D_SIZE / 4
	expect_eq s3, 0, "  ... and D loads as assembled"

	# --- a changed D, by DMA ---
	poke	BUF + 8, RDTVEC_S1
	li	a0, 2
	li	a1, BUF
	li	a2, 1
	li	a3, DISK_CMD_WRITE
	call	disk_cmd
	li	a0, 2
	la	a1, d_page
	li	a2, 1
	li	a3, DISK_CMD_READ
	call	disk_cmd
	li	a0, 1
	li	a1, 0
	li	s1, 0
	call	d_page
	expect_eq s1, trap_default, "rdtvec s1 DMA'd over D's rdpsw s1: reads the guest's TVEC"
	peek	s1, d_page + 8
	expect_eq s1, RDTVEC_S1, "  ... and D + 8 loads as rdtvec s1"

	# --- E: a sector DMA'd into its second half ---
	call	arm
	call	e_page
	expect_eq s1, PSW_SUPER, "E runs: rdpsw s1"
	call	f_page
	expect_eq s1, trap_default, "F runs: rdtvec s1"
	li	a0, 3
	la	a1, e_page + PAGE_SIZE / 2
	li	a2, 1
	li	a3, DISK_CMD_READ
	call	disk_cmd
	expect_eq s0, DISK_STATUS_DONE, "sector 3 read into E's second half"
	peek	s1, e_page + PAGE_SIZE / 2
	expect_eq s1, 0x54434553, "  ... E's second half reads \"SECT\""
	call	arm
	call	e_page
	mv	s2, a0
	expect_eq s1, PSW_SUPER, "E run again: rdpsw s1 reads the supervisor PSW"
	expect_eq s2, HC_CONSOLE_WRITE, "  ... a0 untouched (no hypercall served)"
	peek	s1, e_page
	expect_eq s1, RDPSW_S1, "  ... E's first word loads as rdpsw s1"

	# --- 4096 bytes across E and F, to the disk and back ---
	li	a0, 0
	la	a1, e_page + PAGE_SIZE / 2
	li	a2, 8
	li	a3, DISK_CMD_WRITE
	call	disk_cmd
	expect_eq s0, DISK_STATUS_DONE, "E's second half and F's first half written to sectors 0-7"
	li	a0, 0
	li	a1, BUF
	li	a2, 8
	li	a3, DISK_CMD_READ
	call	disk_cmd
	peek	s1, BUF
	expect_eq s1, 0x54434553, "  ... read back: E's second half starts with \"SECT\""
	peek	s1, BUF + PAGE_SIZE / 2
	expect_eq s1, RDTVEC_S1, "  ... and F's first word is rdtvec s1"
	la	t0, ret_word
	lw	t0, 0(t0)
	peek	s1, BUF + PAGE_SIZE / 2 + 4
	sub	s1, s1, t0
	expect_eq s1, 0, "  ... and F's second word is its ret"
	test_done

# arm: a0-a2 = a CONSOLE_WRITE hypercall of "PWNED\n" (see call_win).
arm:	li	a0, HC_CONSOLE_WRITE
	la	a1, __pwned
	li	a2, 6
	ret

	.include "disk.inc"

	.align	PAGE_SIZE
d_page:	d_body

	.align	PAGE_SIZE
e_page:	rdpsw	s1
	ret

	.align	PAGE_SIZE
f_page:	rdtvec	s1
ret_word:
	ret

	.data
ref_d:	d_body
