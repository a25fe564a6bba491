/*
 * dev_test.c - the test/power device: one register that stops the machine.
 *
 * Writing EXIT halts the machine with the written word as its exit status;
 * `trapeze run` exits with its low 8 bits.  This is how a test program
 * reports success (0) or failure (anything else) without an OS.
 */
#include <string.h>

#include "devices.h"

static uint32_t test_read(void *dev, uint32_t offset)
{
	(void)dev;
	(void)offset;
	return 0; /* EXIT is write-only; other offsets are no register */
}

static void test_write(void *dev, uint32_t offset, uint32_t value)
{
	struct dev_test *t = dev;
	if (offset == TEST_EXIT)
		t->host.halt(t->host.ctx, value);
}

const struct dev_ops dev_test_ops = {
	.name = "test",
	.read = test_read,
	.write = test_write,
	.tick = NULL,
	.deadline = NULL,
};

/* Sets up the test device. */
void dev_test_init(struct dev_test *t, const struct dev_host *host)
{
	memset(t, 0, sizeof *t);
	t->host = *host;
}
