# run: --console-in=@SRC@/console.in
#
# console.s - the console: TX output with stores of every width, STATUS
# bits, RX from the input file (console.in holds "PG32\n"), the receive
# interrupt, EOF, and the bytes of the device page that are no register.
	.include "test.inc"

	.text
	.globl	_start
_start:
	test_init

	# --- output: this text is part of the expected output ---
	la	a0, hello
	call	puts
	li	s1, DEV_CONSOLE_BASE
	li	t0, 'A'
	sb	t0, CONSOLE_TX(s1)
	li	t0, 0x142		# only the low byte is output: 'B'
	sw	t0, CONSOLE_TX(s1)
	li	t0, 0x0a43		# 'C'
	sh	t0, CONSOLE_TX(s1)
	li	t0, '\n'
	sw	t0, CONSOLE_TX(s1)

	# --- input, polled ---
	li	s1, DEV_CONSOLE_BASE
	lw	s0, CONSOLE_STATUS(s1)
	expect_eq s0, CONSOLE_STATUS_RXREADY | CONSOLE_STATUS_TXREADY, "STATUS: a byte waits, TX ready"
	li	s1, DEV_CONSOLE_BASE
	lw	s0, CONSOLE_RX(s1)
	expect_eq s0, 'P', "RX: first byte"
	li	s1, DEV_CONSOLE_BASE
	lbu	s0, CONSOLE_STATUS(s1)	# any width reads the register
	expect_eq s0, CONSOLE_STATUS_RXREADY | CONSOLE_STATUS_TXREADY, "STATUS with lbu"
	li	s1, DEV_CONSOLE_BASE
	lbu	s0, CONSOLE_RX(s1)
	expect_eq s0, 'G', "RX: second byte"

	# --- input by interrupt: one CONSOLE interrupt per byte ---
	set_tvec rx_irq
	li	s1, DEV_CONSOLE_BASE
	li	t0, 1
	sw	t0, CONSOLE_RXIE(s1)
	lw	s0, CONSOLE_RXIE(s1)
	expect_eq s0, 1, "RXIE reads back"
	li	t0, PSW_MODE | PSW_IE
	mtcr	psw, t0
	li	s2, 100			# the interrupts come at once; wait a bit
1:	addi	s2, s2, -1
	bnez	s2, 1b
	li	t0, PSW_MODE
	mtcr	psw, t0
	expect_mem trap_count, 3, "three receive interrupts"
	expect_mem trap_cause, CAUSE_INTERRUPT | IRQ_CONSOLE, "CAUSE = interrupt | CONSOLE"
	la	s1, rx_buf
	lw	s0, 0(s1)
	expect_eq s0, '3' | '2' << 8 | '\n' << 16, "the bytes came in order"
	set_tvec trap_default
	li	s1, DEV_CONSOLE_BASE
	sw	zero, CONSOLE_RXIE(s1)

	# --- end of input ---
	li	s1, DEV_CONSOLE_BASE
	lw	s0, CONSOLE_STATUS(s1)
	expect_eq s0, CONSOLE_STATUS_TXREADY | CONSOLE_STATUS_EOF, "STATUS: EOF, nothing waits"
	li	s1, DEV_CONSOLE_BASE
	li	s0, 0x99
	lw	s0, CONSOLE_RX(s1)
	expect_eq s0, 0, "RX at EOF reads 0"

	# --- bytes that are no register ---
	li	s1, DEV_CONSOLE_BASE
	lw	s0, CONSOLE_TX(s1)
	expect_eq s0, 0, "TX reads 0"
	li	s1, DEV_CONSOLE_BASE
	lw	s0, 0x10(s1)
	expect_eq s0, 0, "unassigned offset 0x10 reads 0"
	li	s1, DEV_CONSOLE_BASE
	lb	s0, CONSOLE_STATUS + 1(s1)
	expect_eq s0, 0, "a byte inside STATUS that is not its address reads 0"
	li	s1, DEV_CONSOLE_BASE
	sw	zero, CONSOLE_STATUS(s1)	# read-only: ignored
	lw	s0, CONSOLE_STATUS(s1)
	expect_eq s0, CONSOLE_STATUS_TXREADY | CONSOLE_STATUS_EOF, "STATUS ignores writes"
	li	s1, DEV_CONSOLE_BASE
	li	t0, 'X'
	sb	t0, CONSOLE_TX + 1(s1)	# not TX's address: nothing is output
	expect_mem trap_count, 3, "no trap from any of this"

	test_done

# The receive interrupt: store one byte from RX into rx_buf.
rx_irq:	mtcr	scratch, t0
	mfcr	t0, cause
	blt	t0, zero, 1f
	mfcr	t0, scratch
	j	trap_default
1:	la	t0, trap_epc
	sw	t1, TR_SAVE_T1(t0)
	mfcr	t1, cause
	sw	t1, TR_CAUSE(t0)
	lw	t1, TR_COUNT(t0)
	addi	t1, t1, 1
	sw	t1, TR_COUNT(t0)
	la	t0, rx_buf - 1
	add	t0, t0, t1		# rx_buf + count - 1
	li	t1, DEV_CONSOLE_BASE
	lw	t1, CONSOLE_RX(t1)
	sb	t1, 0(t0)
	la	t0, trap_epc
	lw	t1, TR_SAVE_T1(t0)
	mfcr	t0, scratch
	rfe

	.data
hello:	.asciz	"hello, console\n"
	.align	4
rx_buf:	.space	8
