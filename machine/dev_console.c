/*
 * dev_console.c - the console: a byte-wide serial port.
 *
 * Output is never blocked: a byte written to TX goes straight to the
 * output function.  Input behaves like a UART's receive register holding
 * one byte: RXREADY says a byte waits, reading RX takes it, and the next
 * byte arrives behind it.
 *
 * Input comes from a FILE (the host's stdin, a file) or from a byte buffer
 * (a test).  The device reads ahead at most one byte, and only when the
 * guest looks: a read of STATUS or RX, or when the CONSOLE line must be
 * computed because RXIE is on.  A program that never touches the console
 * therefore never consumes the host's input, and the run is deterministic:
 * what the guest sees depends only on the input bytes, never on when they
 * arrived.  Once the source has ended the console stays at EOF; setting a
 * new source discards a byte read ahead from the old one.
 *
 * Because the level is recomputed on every register access with RXIE on
 * (reading a FILE if needed), the CONSOLE line is always up to date: a
 * host never needs to poll the console for input, and with RXIE on and
 * the line low, the input has ended.
 */
#include <string.h>

#include "../isa/isa.h"
#include "devices.h"

/* Values of c->peeked besides a byte 0..255. */
#define PEEK_NONE (-1) /* nothing read ahead yet */
#define PEEK_EOF (-2)  /* the source has ended (or there is none) */

/*
 * Returns the byte waiting in RX (0..255) without consuming it, or
 * PEEK_EOF; reads one byte from the source if none is read ahead yet.
 */
static int console_peek(struct dev_console *c)
{
	if (c->peeked != PEEK_NONE)
		return c->peeked;
	if (c->input) {
		int ch = fgetc(c->input);
		c->peeked = ch == EOF ? PEEK_EOF : ch;
	} else if (c->inbuf && c->inpos < c->inlen) {
		c->peeked = c->inbuf[c->inpos++];
	} else {
		c->peeked = PEEK_EOF;
	}
	return c->peeked;
}

/*
 * The CONSOLE line is up while RXIE bit 0 = 1 and a byte waits.  With
 * RXIE off the line is low and the input is left alone.
 */
static void console_update_irq(struct dev_console *c)
{
	bool level = (c->rxie & 1) && console_peek(c) >= 0;
	c->host.set_irq(c->host.ctx, IRQ_CONSOLE, level);
}

static uint32_t console_read(void *dev, uint32_t offset)
{
	struct dev_console *c = dev;
	uint32_t value = 0;
	int ch;

	switch (offset) {
	case CONSOLE_RX: /* reading RX consumes the byte */
		ch = console_peek(c);
		if (ch >= 0) {
			value = (uint32_t)ch;
			c->peeked = PEEK_NONE;
		}
		break;
	case CONSOLE_STATUS:
		ch = console_peek(c);
		value = CONSOLE_STATUS_TXREADY;
		if (ch >= 0)
			value |= CONSOLE_STATUS_RXREADY;
		else
			value |= CONSOLE_STATUS_EOF;
		break;
	case CONSOLE_RXIE:
		value = c->rxie;
		break;
	default: /* TX is write-only; other offsets are no register */
		break;
	}
	console_update_irq(c);
	return value;
}

static void console_write(void *dev, uint32_t offset, uint32_t value)
{
	struct dev_console *c = dev;

	switch (offset) {
	case CONSOLE_TX:
		if (c->output)
			c->output(c->output_ctx, (uint8_t)value);
		break;
	case CONSOLE_RXIE:
		c->rxie = value & 1;
		break;
	default: /* RX and STATUS are read-only; other offsets ignore writes */
		break;
	}
	console_update_irq(c);
}

const struct dev_ops dev_console_ops = {
	.name = "console",
	.read = console_read,
	.write = console_write,
	.tick = NULL,     /* the console has no clock: input is polled */
	.deadline = NULL,
};

/* Sets up a console with no output and no input (so it reads EOF). */
void dev_console_init(struct dev_console *c, const struct dev_host *host)
{
	memset(c, 0, sizeof *c);
	c->host = *host;
	c->peeked = PEEK_NONE;
}

/* Sends TX bytes to fn(ctx, byte); fn NULL drops them. */
void dev_console_set_output(struct dev_console *c, dev_output_fn *fn, void *ctx)
{
	c->output = fn;
	c->output_ctx = ctx;
}

/* Takes input from f (read lazily; NULL: no input, so EOF). */
void dev_console_set_input_file(struct dev_console *c, FILE *f)
{
	c->input = f;
	c->inbuf = NULL;
	c->inlen = c->inpos = 0;
	c->peeked = PEEK_NONE;
	console_update_irq(c);
}

/* Takes input from len bytes at bytes, which the caller keeps alive. */
void dev_console_set_input_bytes(struct dev_console *c, const uint8_t *bytes,
				 uint32_t len)
{
	c->input = NULL;
	c->inbuf = bytes;
	c->inlen = len;
	c->inpos = 0;
	c->peeked = PEEK_NONE;
	console_update_irq(c);
}
