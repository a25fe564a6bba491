/*
 * test_devices.c - the console, timer, disk and test devices, each driven
 * through its dev_ops table by a fake host.
 *
 * The fake host records interrupt levels and halts, owns a small RAM that
 * DMA may reach (and refuses anything outside it), and has a clock the test
 * sets by hand, so every cycle count below is exact.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../isa/isa.h"
#include "../../machine/devices.h"

/* ---- running out of memory on demand --------------------------------- */

/*
 * This test is linked with -Wl,--wrap=malloc,--wrap=calloc (Makefile), so
 * every malloc and calloc of the devices (and of this file) comes here
 * first.  fail_allocations_after(n) lets n more allocations succeed and
 * fails the ones after; -1 never fails.  A counter the wrappers share is
 * the one global state here: the linker leaves no other way in.
 */
void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);

static long allocations_left = -1;

static void fail_allocations_after(long n)
{
	allocations_left = n;
}

static bool allocation_refused(void)
{
	if (allocations_left < 0)
		return false;
	if (allocations_left == 0)
		return true;
	allocations_left--;
	return false;
}

void *__wrap_malloc(size_t size)
{
	return allocation_refused() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return allocation_refused() ? NULL : __real_calloc(n, size);
}

/* ---- the fake host --------------------------------------------------- */

#define RAM_SIZE 0x20000u /* 128 KiB: room for a 64 KiB transfer */

struct fake {
	bool irq[IRQ_COUNT];
	unsigned irq_calls;
	uint8_t ram[RAM_SIZE];
	unsigned dma_calls;
	bool halted;
	uint32_t exit_status;
	unsigned halts;
	unsigned fails;
	char fail_reason[128];
	uint64_t now;
	uint8_t out[64];
	size_t nout;
	struct dev_host host;
	struct dev_console console;
	struct dev_timer timer;
	struct dev_disk disk;
	struct dev_test test;
	char path[64];  /* a disk image made by make_image, or "" */
	char dir[64];   /* a directory made by a test, or "" */
};

static void fake_set_irq(void *ctx, unsigned irq, bool level)
{
	struct fake *f = ctx;
	assert_true(irq < IRQ_COUNT);
	f->irq[irq] = level;
	f->irq_calls++;
}

static bool fake_dma(void *ctx, uint32_t pa, void *buf, uint32_t len,
		     bool to_ram)
{
	struct fake *f = ctx;
	f->dma_calls++;
	if ((uint64_t)pa + len > RAM_SIZE)
		return false;
	if (to_ram)
		memcpy(f->ram + pa, buf, len);
	else
		memcpy(buf, f->ram + pa, len);
	return true;
}

static void fake_halt(void *ctx, uint32_t status)
{
	struct fake *f = ctx;
	f->halted = true;
	f->exit_status = status;
	f->halts++;
}

static void fake_fail(void *ctx, const char *reason)
{
	struct fake *f = ctx;
	f->fails++;
	snprintf(f->fail_reason, sizeof f->fail_reason, "%s", reason);
}

static uint64_t fake_now(void *ctx)
{
	const struct fake *f = ctx;
	return f->now;
}

static void fake_output(void *ctx, uint8_t byte)
{
	struct fake *f = ctx;
	assert_true(f->nout < sizeof f->out);
	f->out[f->nout++] = byte;
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	f->host = (struct dev_host){
		.ctx = f,
		.set_irq = fake_set_irq,
		.dma = fake_dma,
		.halt = fake_halt,
		.now = fake_now,
		.stop = fake_fail,
	};
	dev_console_init(&f->console, &f->host);
	dev_timer_init(&f->timer, &f->host);
	dev_test_init(&f->test, &f->host);
	if (dev_disk_init(&f->disk, &f->host) != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;
	dev_disk_destroy(&f->disk);
	if (f->path[0]) {
		chmod(f->path, 0600);
		unlink(f->path);
	}
	if (f->dir[0])
		rmdir(f->dir);
	free(f);
	return 0;
}

/* Register access through the ops tables, as the machine does it. */
static uint32_t con_rd(struct fake *f, uint32_t off)
{
	return dev_console_ops.read(&f->console, off);
}
static void con_wr(struct fake *f, uint32_t off, uint32_t v)
{
	dev_console_ops.write(&f->console, off, v);
}
static uint32_t tim_rd(struct fake *f, uint32_t off)
{
	return dev_timer_ops.read(&f->timer, off);
}
static void tim_wr(struct fake *f, uint32_t off, uint32_t v)
{
	dev_timer_ops.write(&f->timer, off, v);
}
static uint32_t dsk_rd(struct fake *f, uint32_t off)
{
	return dev_disk_ops.read(&f->disk, off);
}
static void dsk_wr(struct fake *f, uint32_t off, uint32_t v)
{
	dev_disk_ops.write(&f->disk, off, v);
}

/* ---- the ops tables -------------------------------------------------- */

static void test_ops_tables(void **state)
{
	(void)state;
	assert_string_equal(dev_console_ops.name, "console");
	assert_string_equal(dev_timer_ops.name, "timer");
	assert_string_equal(dev_disk_ops.name, "disk");
	assert_string_equal(dev_test_ops.name, "test");
	assert_null(dev_console_ops.tick);
	assert_null(dev_console_ops.deadline);
	assert_null(dev_test_ops.tick);
	assert_null(dev_test_ops.deadline);
	assert_non_null(dev_timer_ops.tick);
	assert_non_null(dev_timer_ops.deadline);
	assert_non_null(dev_disk_ops.tick);
	assert_non_null(dev_disk_ops.deadline);
}

/* ---- console --------------------------------------------------------- */

static void test_console_tx(void **state)
{
	struct fake *f = *state;
	con_wr(f, CONSOLE_TX, 'x'); /* no output yet: dropped */
	dev_console_set_output(&f->console, fake_output, f);
	con_wr(f, CONSOLE_TX, 'A');
	con_wr(f, CONSOLE_TX, 'b');
	con_wr(f, CONSOLE_TX, 0x12345634u); /* only the low byte */
	con_wr(f, CONSOLE_TX, 0);
	con_wr(f, CONSOLE_TX, 0xff);
	assert_int_equal(f->nout, 5);
	assert_memory_equal(f->out, "Ab\x34\x00\xff", 5);
	assert_int_equal(con_rd(f, CONSOLE_TX), 0); /* write-only */
	dev_console_set_output(&f->console, NULL, NULL);
	con_wr(f, CONSOLE_TX, 'z');
	assert_int_equal(f->nout, 5);
}

static void test_console_no_input_is_eof(void **state)
{
	struct fake *f = *state;
	assert_int_equal(con_rd(f, CONSOLE_STATUS),
			 CONSOLE_STATUS_TXREADY | CONSOLE_STATUS_EOF);
	assert_int_equal(con_rd(f, CONSOLE_RX), 0);
	assert_int_equal(con_rd(f, CONSOLE_STATUS),
			 CONSOLE_STATUS_TXREADY | CONSOLE_STATUS_EOF);
	assert_false(f->irq[IRQ_CONSOLE]);
}

static void test_console_rx_bytes(void **state)
{
	struct fake *f = *state;
	static const uint8_t in[] = {'h', 0x00, 0xff};
	dev_console_set_input_bytes(&f->console, in, sizeof in);
	assert_int_equal(con_rd(f, CONSOLE_STATUS),
			 CONSOLE_STATUS_RXREADY | CONSOLE_STATUS_TXREADY);
	/* STATUS has no side effect: reading it again changes nothing. */
	assert_int_equal(con_rd(f, CONSOLE_STATUS),
			 CONSOLE_STATUS_RXREADY | CONSOLE_STATUS_TXREADY);
	assert_int_equal(con_rd(f, CONSOLE_RX), 'h');
	/* A zero byte is a byte: RXREADY tells it from "none". */
	assert_int_equal(con_rd(f, CONSOLE_STATUS),
			 CONSOLE_STATUS_RXREADY | CONSOLE_STATUS_TXREADY);
	assert_int_equal(con_rd(f, CONSOLE_RX), 0);
	assert_int_equal(con_rd(f, CONSOLE_RX), 0xff);
	assert_int_equal(con_rd(f, CONSOLE_STATUS),
			 CONSOLE_STATUS_TXREADY | CONSOLE_STATUS_EOF);
	assert_int_equal(con_rd(f, CONSOLE_RX), 0);
	assert_int_equal(con_rd(f, CONSOLE_STATUS),
			 CONSOLE_STATUS_TXREADY | CONSOLE_STATUS_EOF);
}

static void test_console_rx_without_status(void **state)
{
	struct fake *f = *state;
	static const uint8_t in[] = "ab";
	dev_console_set_input_bytes(&f->console, in, 2);
	assert_int_equal(con_rd(f, CONSOLE_RX), 'a');
	assert_int_equal(con_rd(f, CONSOLE_RX), 'b');
	assert_int_equal(con_rd(f, CONSOLE_RX), 0);
}

static void test_console_rx_file_is_lazy(void **state)
{
	struct fake *f = *state;
	FILE *in = tmpfile();
	assert_non_null(in);
	assert_int_equal(fputs("ok", in) >= 0, 1);
	rewind(in);
	dev_console_set_input_file(&f->console, in);
	/* RXIE is off: nobody looked, so nothing was read. */
	assert_int_equal(ftell(in), 0);
	con_wr(f, CONSOLE_TX, 'x');
	assert_int_equal(con_rd(f, CONSOLE_RXIE), 0);
	assert_int_equal(ftell(in), 0);
	/* STATUS looks: one byte is read ahead, no more. */
	assert_int_equal(con_rd(f, CONSOLE_STATUS),
			 CONSOLE_STATUS_RXREADY | CONSOLE_STATUS_TXREADY);
	assert_int_equal(ftell(in), 1);
	assert_int_equal(con_rd(f, CONSOLE_RX), 'o');
	assert_int_equal(ftell(in), 1);
	assert_int_equal(con_rd(f, CONSOLE_RX), 'k');
	assert_int_equal(ftell(in), 2);
	assert_int_equal(con_rd(f, CONSOLE_STATUS),
			 CONSOLE_STATUS_TXREADY | CONSOLE_STATUS_EOF);
	assert_int_equal(con_rd(f, CONSOLE_RX), 0);
	dev_console_set_input_file(&f->console, NULL);
	fclose(in);
	assert_int_equal(con_rd(f, CONSOLE_STATUS),
			 CONSOLE_STATUS_TXREADY | CONSOLE_STATUS_EOF);
}

static void test_console_rxie_reads_file_at_once(void **state)
{
	struct fake *f = *state;
	FILE *in = tmpfile();
	assert_non_null(in);
	fputc('q', in);
	rewind(in);
	dev_console_set_input_file(&f->console, in);
	assert_int_equal(ftell(in), 0);
	con_wr(f, CONSOLE_RXIE, 1);
	/* The level must be known, so the byte was read. */
	assert_int_equal(ftell(in), 1);
	assert_true(f->irq[IRQ_CONSOLE]);
	assert_int_equal(con_rd(f, CONSOLE_RX), 'q');
	assert_false(f->irq[IRQ_CONSOLE]);
	assert_int_equal(con_rd(f, CONSOLE_STATUS),
			 CONSOLE_STATUS_TXREADY | CONSOLE_STATUS_EOF);
	dev_console_set_input_file(&f->console, NULL);
	fclose(in);
}

static void test_console_rxie(void **state)
{
	struct fake *f = *state;
	static const uint8_t in[] = "abc";
	dev_console_set_input_bytes(&f->console, in, 3);
	assert_false(f->irq[IRQ_CONSOLE]); /* RXIE off */
	con_wr(f, CONSOLE_RXIE, 1);
	assert_int_equal(con_rd(f, CONSOLE_RXIE), 1);
	assert_true(f->irq[IRQ_CONSOLE]);
	assert_int_equal(con_rd(f, CONSOLE_RX), 'a');
	assert_true(f->irq[IRQ_CONSOLE]); /* 'b' waits */
	con_wr(f, CONSOLE_RXIE, 0);
	assert_int_equal(con_rd(f, CONSOLE_RXIE), 0);
	assert_false(f->irq[IRQ_CONSOLE]); /* disabled, though 'b' waits */
	con_wr(f, CONSOLE_RXIE, 0xffffffffu); /* only bit 0 is kept */
	assert_int_equal(con_rd(f, CONSOLE_RXIE), 1);
	assert_true(f->irq[IRQ_CONSOLE]);
	assert_int_equal(con_rd(f, CONSOLE_RX), 'b');
	assert_true(f->irq[IRQ_CONSOLE]);
	assert_int_equal(con_rd(f, CONSOLE_RX), 'c');
	assert_false(f->irq[IRQ_CONSOLE]); /* RX drained: line drops */
	con_wr(f, CONSOLE_RXIE, 2);
	assert_int_equal(con_rd(f, CONSOLE_RXIE), 0);
}

static void test_console_input_set_with_rxie_on(void **state)
{
	struct fake *f = *state;
	static const uint8_t in[] = "z";
	con_wr(f, CONSOLE_RXIE, 1);
	assert_false(f->irq[IRQ_CONSOLE]); /* no input: EOF */
	dev_console_set_input_bytes(&f->console, in, 1);
	assert_true(f->irq[IRQ_CONSOLE]); /* raised when input is set */
	dev_console_set_input_bytes(&f->console, NULL, 0);
	assert_false(f->irq[IRQ_CONSOLE]); /* the waiting byte was discarded */
	assert_int_equal(con_rd(f, CONSOLE_STATUS),
			 CONSOLE_STATUS_TXREADY | CONSOLE_STATUS_EOF);
}

static void test_console_other_offsets(void **state)
{
	struct fake *f = *state;
	static const uint8_t in[] = "a";
	dev_console_set_input_bytes(&f->console, in, 1);
	dev_console_set_output(&f->console, fake_output, f);
	/* Writes to read-only registers and to no register do nothing. */
	con_wr(f, CONSOLE_RX, 'r');
	con_wr(f, CONSOLE_STATUS, 0);
	con_wr(f, 0x10, 1);
	con_wr(f, 0xffc, 1);
	assert_int_equal(f->nout, 0);
	assert_int_equal(con_rd(f, CONSOLE_RXIE), 0);
	assert_int_equal(con_rd(f, 0x10), 0);
	assert_int_equal(con_rd(f, 0x14), 0);
	assert_int_equal(con_rd(f, 0xffc), 0);
	/* Nor did they consume the waiting byte. */
	assert_int_equal(con_rd(f, CONSOLE_STATUS),
			 CONSOLE_STATUS_RXREADY | CONSOLE_STATUS_TXREADY);
	assert_int_equal(con_rd(f, CONSOLE_RX), 'a');
}

/* ---- timer ----------------------------------------------------------- */

static void test_timer_off_at_start(void **state)
{
	struct fake *f = *state;
	assert_int_equal(tim_rd(f, TIMER_PERIOD), 0);
	assert_true(dev_timer_ops.deadline(&f->timer) == DEV_NEVER);
	assert_true(dev_timer_ops.tick(&f->timer, 1000000) == DEV_NEVER);
	assert_false(f->irq[IRQ_TIMER]);
}

static void test_timer_periodic(void **state)
{
	struct fake *f = *state;
	f->now = 100;
	tim_wr(f, TIMER_PERIOD, 50);
	assert_int_equal(tim_rd(f, TIMER_PERIOD), 50);
	assert_int_equal(dev_timer_ops.deadline(&f->timer), 150);
	/* Early: nothing happens. */
	assert_int_equal(dev_timer_ops.tick(&f->timer, 149), 150);
	assert_false(f->irq[IRQ_TIMER]);
	assert_int_equal(dev_timer_ops.tick(&f->timer, 150), 200);
	assert_true(f->irq[IRQ_TIMER]);
	assert_int_equal(dev_timer_ops.deadline(&f->timer), 200);
	tim_wr(f, TIMER_ACK, 0);
	assert_false(f->irq[IRQ_TIMER]);
	assert_int_equal(tim_rd(f, TIMER_ACK), 0); /* write-only */
	assert_int_equal(dev_timer_ops.tick(&f->timer, 200), 250);
	assert_true(f->irq[IRQ_TIMER]);
	/* A tick while TIMER is pending keeps it pending, once. */
	assert_int_equal(dev_timer_ops.tick(&f->timer, 250), 300);
	assert_true(f->irq[IRQ_TIMER]);
	tim_wr(f, TIMER_ACK, 12345);
	assert_false(f->irq[IRQ_TIMER]);
	assert_int_equal(tim_rd(f, TIMER_PERIOD), 50);
}

static void test_timer_late_tick_does_not_drift(void **state)
{
	struct fake *f = *state;
	f->now = 0;
	tim_wr(f, TIMER_PERIOD, 100);
	/* The host comes 7 cycles late: the next tick stays on the grid. */
	assert_int_equal(dev_timer_ops.tick(&f->timer, 107), 200);
	assert_true(f->irq[IRQ_TIMER]);
	assert_int_equal(dev_timer_ops.tick(&f->timer, 299), 300);
}

static void test_timer_missed_ticks(void **state)
{
	struct fake *f = *state;
	f->now = 100;
	tim_wr(f, TIMER_PERIOD, 50); /* grid 150, 200, 250, ... */
	/* 1000 is on the grid: the next deadline is the one after it. */
	assert_int_equal(dev_timer_ops.tick(&f->timer, 1000), 1050);
	assert_true(f->irq[IRQ_TIMER]);
	tim_wr(f, TIMER_ACK, 0);
	/* 1051 is just past a grid point. */
	assert_int_equal(dev_timer_ops.tick(&f->timer, 1051), 1100);
	assert_true(f->irq[IRQ_TIMER]);
	tim_wr(f, TIMER_ACK, 0);
	assert_int_equal(dev_timer_ops.tick(&f->timer, 1149), 1150);
	assert_int_equal(dev_timer_ops.deadline(&f->timer), 1150);
}

static void test_timer_rewrite_restarts(void **state)
{
	struct fake *f = *state;
	f->now = 0;
	tim_wr(f, TIMER_PERIOD, 100);
	assert_int_equal(dev_timer_ops.tick(&f->timer, 100), 200);
	assert_true(f->irq[IRQ_TIMER]);
	/* Rewriting PERIOD clears the pending TIMER and counts from now. */
	f->now = 170;
	tim_wr(f, TIMER_PERIOD, 30);
	assert_false(f->irq[IRQ_TIMER]);
	assert_int_equal(tim_rd(f, TIMER_PERIOD), 30);
	assert_int_equal(dev_timer_ops.deadline(&f->timer), 200);
	assert_int_equal(dev_timer_ops.tick(&f->timer, 199), 200);
	assert_false(f->irq[IRQ_TIMER]);
	assert_int_equal(dev_timer_ops.tick(&f->timer, 200), 230);
	assert_true(f->irq[IRQ_TIMER]);
	/* The same period written again restarts too. */
	f->now = 215;
	tim_wr(f, TIMER_PERIOD, 30);
	assert_false(f->irq[IRQ_TIMER]);
	assert_int_equal(dev_timer_ops.deadline(&f->timer), 245);
}

static void test_timer_period_zero_is_off(void **state)
{
	struct fake *f = *state;
	f->now = 10;
	tim_wr(f, TIMER_PERIOD, 5);
	assert_int_equal(dev_timer_ops.tick(&f->timer, 15), 20);
	assert_true(f->irq[IRQ_TIMER]);
	tim_wr(f, TIMER_PERIOD, 0);
	assert_false(f->irq[IRQ_TIMER]);
	assert_int_equal(tim_rd(f, TIMER_PERIOD), 0);
	assert_true(dev_timer_ops.deadline(&f->timer) == DEV_NEVER);
	assert_true(dev_timer_ops.tick(&f->timer, 1000) == DEV_NEVER);
	assert_false(f->irq[IRQ_TIMER]);
}

static void test_timer_extreme_periods(void **state)
{
	struct fake *f = *state;
	f->now = 7;
	tim_wr(f, TIMER_PERIOD, 1); /* a tick every cycle */
	assert_int_equal(dev_timer_ops.deadline(&f->timer), 8);
	assert_int_equal(dev_timer_ops.tick(&f->timer, 8), 9);
	assert_int_equal(dev_timer_ops.tick(&f->timer, 9), 10);
	tim_wr(f, TIMER_PERIOD, 0xffffffffu);
	assert_int_equal(tim_rd(f, TIMER_PERIOD), 0xffffffffu);
	assert_true(dev_timer_ops.deadline(&f->timer) == 7 + 0xffffffffull);
}

static void test_timer_other_offsets(void **state)
{
	struct fake *f = *state;
	f->now = 0;
	tim_wr(f, TIMER_PERIOD, 10);
	dev_timer_ops.tick(&f->timer, 10);
	assert_true(f->irq[IRQ_TIMER]);
	tim_wr(f, 0x8, 0);
	tim_wr(f, 0xffc, 0);
	assert_true(f->irq[IRQ_TIMER]); /* not an ACK */
	assert_int_equal(tim_rd(f, TIMER_PERIOD), 10);
	assert_int_equal(dev_timer_ops.deadline(&f->timer), 20);
	assert_int_equal(tim_rd(f, 0x8), 0);
	assert_int_equal(tim_rd(f, 0xffc), 0);
}

/* ---- disk ------------------------------------------------------------ */

/* The byte at offset i of sector s of a fresh image. */
static uint8_t pattern(uint32_t s, uint32_t i)
{
	return (uint8_t)(s * 31 + i * 7 + (i >> 8));
}

/* Makes f->path an image of nsectors sectors holding the pattern. */
static void make_image(struct fake *f, uint32_t nsectors)
{
	strcpy(f->path, "/tmp/test_devices_XXXXXX");
	int fd = mkstemp(f->path);
	assert_true(fd >= 0);
	uint8_t sec[DISK_SECTOR_SIZE];
	for (uint32_t s = 0; s < nsectors; s++) {
		for (uint32_t i = 0; i < DISK_SECTOR_SIZE; i++)
			sec[i] = pattern(s, i);
		assert_int_equal(write(fd, sec, sizeof sec), sizeof sec);
	}
	close(fd);
}

static void attach_image(struct fake *f, uint32_t nsectors)
{
	char err[256] = "";
	make_image(f, nsectors);
	assert_int_equal(dev_disk_attach(&f->disk, f->path, err, sizeof err), 0);
	assert_string_equal(err, "");
}

/* Reads sector s of the image file behind the device's back. */
static void file_sector(struct fake *f, uint32_t s, uint8_t *out)
{
	FILE *in = fopen(f->path, "rb");
	assert_non_null(in);
	assert_int_equal(fseek(in, (long)s * DISK_SECTOR_SIZE, SEEK_SET), 0);
	assert_int_equal(fread(out, 1, DISK_SECTOR_SIZE, in), DISK_SECTOR_SIZE);
	fclose(in);
}

static void check_file_sector_is_pattern(struct fake *f, uint32_t s)
{
	uint8_t sec[DISK_SECTOR_SIZE];
	file_sector(f, s, sec);
	for (uint32_t i = 0; i < DISK_SECTOR_SIZE; i++)
		assert_int_equal(sec[i], pattern(s, i));
}

/* Starts a command at f->now. */
static void disk_cmd(struct fake *f, uint32_t cmd, uint32_t sector,
		     uint32_t addr, uint32_t count)
{
	dsk_wr(f, DISK_SECTOR, sector);
	dsk_wr(f, DISK_ADDR, addr);
	dsk_wr(f, DISK_COUNT, count);
	dsk_wr(f, DISK_CMD, cmd);
}

/* Runs the disk to the completion of its command; returns STATUS. */
static uint32_t disk_finish(struct fake *f)
{
	uint64_t at = dev_disk_ops.deadline(&f->disk);
	assert_true(at != DEV_NEVER);
	f->now = at;
	assert_true(dev_disk_ops.tick(&f->disk, at) == DEV_NEVER);
	return dsk_rd(f, DISK_STATUS);
}

/* Runs a command that must fail, and checks that it moved nothing. */
static void expect_error(struct fake *f, uint32_t cmd, uint32_t sector,
			 uint32_t addr, uint32_t count)
{
	uint8_t *ram_before = malloc(RAM_SIZE);
	assert_non_null(ram_before);
	memcpy(ram_before, f->ram, RAM_SIZE);
	disk_cmd(f, cmd, sector, addr, count);
	assert_int_equal(dsk_rd(f, DISK_STATUS), DISK_STATUS_BUSY);
	assert_int_equal(dev_disk_ops.deadline(&f->disk),
			 f->now + DISK_LATENCY);
	assert_int_equal(disk_finish(f), DISK_STATUS_ERROR);
	assert_memory_equal(ram_before, f->ram, RAM_SIZE);
	free(ram_before);
	dsk_wr(f, DISK_STATUS, 0);
	assert_int_equal(dsk_rd(f, DISK_STATUS), 0);
}

static void test_disk_registers(void **state)
{
	struct fake *f = *state;
	assert_int_equal(dsk_rd(f, DISK_SECTORS), 0); /* no disk */
	attach_image(f, 10);
	assert_int_equal(dsk_rd(f, DISK_SECTORS), 10);
	assert_int_equal(dsk_rd(f, DISK_STATUS), 0);
	assert_true(dev_disk_ops.deadline(&f->disk) == DEV_NEVER);
	assert_true(dev_disk_ops.tick(&f->disk, 99999) == DEV_NEVER);
	dsk_wr(f, DISK_SECTOR, 0xdeadbeefu);
	dsk_wr(f, DISK_ADDR, 0x12345678u);
	dsk_wr(f, DISK_COUNT, 1000); /* checked only when a command runs */
	assert_int_equal(dsk_rd(f, DISK_SECTOR), 0xdeadbeefu);
	assert_int_equal(dsk_rd(f, DISK_ADDR), 0x12345678u);
	assert_int_equal(dsk_rd(f, DISK_COUNT), 1000);
	dsk_wr(f, DISK_IE, 0xffffffffu);
	assert_int_equal(dsk_rd(f, DISK_IE), 1);
	dsk_wr(f, DISK_IE, 2);
	assert_int_equal(dsk_rd(f, DISK_IE), 0);
	/* Read-only SECTORS, write-only CMD, and no-register offsets. */
	dsk_wr(f, DISK_SECTORS, 77);
	assert_int_equal(dsk_rd(f, DISK_SECTORS), 10);
	dsk_wr(f, 0x1c, 5);
	dsk_wr(f, 0xffc, 5);
	assert_int_equal(dsk_rd(f, 0x1c), 0);
	assert_int_equal(dsk_rd(f, 0x20), 0);
	assert_int_equal(dsk_rd(f, 0xffc), 0);
	assert_int_equal(dsk_rd(f, DISK_STATUS), 0);
	dsk_wr(f, DISK_COUNT, 1);
	dsk_wr(f, DISK_CMD, DISK_CMD_READ);
	assert_int_equal(dsk_rd(f, DISK_CMD), 0);
	assert_int_equal(dsk_rd(f, DISK_STATUS), DISK_STATUS_BUSY);
}

static void test_disk_read(void **state)
{
	struct fake *f = *state;
	attach_image(f, 10);
	f->now = 500;
	disk_cmd(f, DISK_CMD_READ, 2, 0x1000, 3);
	assert_int_equal(dsk_rd(f, DISK_STATUS), DISK_STATUS_BUSY);
	assert_int_equal(dev_disk_ops.deadline(&f->disk), 500 + DISK_LATENCY);
	/* One cycle early: nothing has moved yet. */
	assert_int_equal(dev_disk_ops.tick(&f->disk, 500 + DISK_LATENCY - 1),
			 500 + DISK_LATENCY);
	assert_int_equal(dsk_rd(f, DISK_STATUS), DISK_STATUS_BUSY);
	assert_int_equal(f->dma_calls, 0);
	assert_int_equal(f->ram[0x1000], 0);
	/* Exactly DISK_LATENCY cycles after CMD. */
	assert_true(dev_disk_ops.tick(&f->disk, 500 + DISK_LATENCY) ==
		    DEV_NEVER);
	assert_int_equal(dsk_rd(f, DISK_STATUS), DISK_STATUS_DONE);
	assert_true(dev_disk_ops.deadline(&f->disk) == DEV_NEVER);
	assert_false(f->irq[IRQ_DISK]); /* IE is off */
	for (uint32_t s = 0; s < 3; s++)
		for (uint32_t i = 0; i < DISK_SECTOR_SIZE; i++)
			assert_int_equal(
				f->ram[0x1000 + s * DISK_SECTOR_SIZE + i],
				pattern(2 + s, i));
	assert_int_equal(f->ram[0xfff], 0);
	assert_int_equal(f->ram[0x1000 + 3 * DISK_SECTOR_SIZE], 0);
	/* The registers keep the command's values. */
	assert_int_equal(dsk_rd(f, DISK_SECTOR), 2);
	assert_int_equal(dsk_rd(f, DISK_ADDR), 0x1000);
	assert_int_equal(dsk_rd(f, DISK_COUNT), 3);
	/* Acknowledge. */
	dsk_wr(f, DISK_STATUS, 0x12345);
	assert_int_equal(dsk_rd(f, DISK_STATUS), 0);
}

static void test_disk_write_round_trip(void **state)
{
	struct fake *f = *state;
	attach_image(f, 8);
	for (uint32_t i = 0; i < 2 * DISK_SECTOR_SIZE; i++)
		f->ram[0x400 + i] = (uint8_t)(0xa5 ^ i ^ (i >> 8));
	f->now = 1;
	disk_cmd(f, DISK_CMD_WRITE, 3, 0x400, 2);
	/* Nothing reaches the file before completion. */
	dev_disk_ops.tick(&f->disk, DISK_LATENCY);
	check_file_sector_is_pattern(f, 3);
	assert_int_equal(disk_finish(f), DISK_STATUS_DONE);
	assert_int_equal(f->now, 1 + DISK_LATENCY);
	/* Written through to the file, and only sectors 3 and 4. */
	uint8_t sec[DISK_SECTOR_SIZE];
	for (uint32_t s = 0; s < 2; s++) {
		file_sector(f, 3 + s, sec);
		assert_memory_equal(sec, f->ram + 0x400 + s * DISK_SECTOR_SIZE,
				    DISK_SECTOR_SIZE);
	}
	check_file_sector_is_pattern(f, 2);
	check_file_sector_is_pattern(f, 5);
	/* And back: read sectors 2..5 elsewhere in RAM. */
	dsk_wr(f, DISK_STATUS, 0);
	disk_cmd(f, DISK_CMD_READ, 2, 0x8000, 4);
	assert_int_equal(disk_finish(f), DISK_STATUS_DONE);
	for (uint32_t i = 0; i < DISK_SECTOR_SIZE; i++) {
		assert_int_equal(f->ram[0x8000 + i], pattern(2, i));
		assert_int_equal(f->ram[0x8000 + 3 * DISK_SECTOR_SIZE + i],
				 pattern(5, i));
	}
	assert_memory_equal(f->ram + 0x8000 + DISK_SECTOR_SIZE, f->ram + 0x400,
			    2 * DISK_SECTOR_SIZE);
}

static void test_disk_max_count(void **state)
{
	struct fake *f = *state;
	attach_image(f, DISK_MAX_COUNT + 2);
	disk_cmd(f, DISK_CMD_READ, 2, 0, DISK_MAX_COUNT);
	assert_int_equal(disk_finish(f), DISK_STATUS_DONE);
	for (uint32_t s = 0; s < DISK_MAX_COUNT; s += 17)
		assert_int_equal(f->ram[s * DISK_SECTOR_SIZE + 100],
				 pattern(2 + s, 100));
	assert_int_equal(f->ram[(DISK_MAX_COUNT - 1) * DISK_SECTOR_SIZE + 511],
			 pattern(DISK_MAX_COUNT + 1, 511));
	/* The last sectors of the disk, exactly up to its end. */
	dsk_wr(f, DISK_STATUS, 0);
	disk_cmd(f, DISK_CMD_READ, DISK_MAX_COUNT, 0x10000, 2);
	assert_int_equal(disk_finish(f), DISK_STATUS_DONE);
	assert_int_equal(f->ram[0x10000 + DISK_SECTOR_SIZE + 3],
			 pattern(DISK_MAX_COUNT + 1, 3));
}

static void test_disk_interrupt(void **state)
{
	struct fake *f = *state;
	attach_image(f, 4);
	dsk_wr(f, DISK_IE, 1);
	assert_false(f->irq[IRQ_DISK]);
	disk_cmd(f, DISK_CMD_READ, 0, 0, 1);
	assert_false(f->irq[IRQ_DISK]); /* BUSY alone does not raise it */
	assert_int_equal(disk_finish(f), DISK_STATUS_DONE);
	assert_true(f->irq[IRQ_DISK]);
	/* IE off drops the line, on raises it again: it is a level. */
	dsk_wr(f, DISK_IE, 0);
	assert_false(f->irq[IRQ_DISK]);
	dsk_wr(f, DISK_IE, 1);
	assert_true(f->irq[IRQ_DISK]);
	/* Acknowledging drops it. */
	dsk_wr(f, DISK_STATUS, 0);
	assert_false(f->irq[IRQ_DISK]);
	assert_int_equal(dsk_rd(f, DISK_STATUS), 0);
	/* An error raises it too. */
	disk_cmd(f, DISK_CMD_READ, 4, 0, 1);
	assert_int_equal(disk_finish(f), DISK_STATUS_ERROR);
	assert_true(f->irq[IRQ_DISK]);
	dsk_wr(f, DISK_STATUS, 0xffffffffu);
	assert_false(f->irq[IRQ_DISK]);
}

static void test_disk_new_command_clears_status(void **state)
{
	struct fake *f = *state;
	attach_image(f, 4);
	dsk_wr(f, DISK_IE, 1);
	disk_cmd(f, DISK_CMD_READ, 0, 0, 1);
	assert_int_equal(disk_finish(f), DISK_STATUS_DONE);
	assert_true(f->irq[IRQ_DISK]);
	/* Not acknowledged: the next CMD clears DONE and drops the line. */
	disk_cmd(f, DISK_CMD_READ, 1, 0, 1);
	assert_int_equal(dsk_rd(f, DISK_STATUS), DISK_STATUS_BUSY);
	assert_false(f->irq[IRQ_DISK]);
	assert_int_equal(disk_finish(f), DISK_STATUS_DONE);
	assert_true(f->irq[IRQ_DISK]);
}

static void test_disk_busy(void **state)
{
	struct fake *f = *state;
	attach_image(f, 4);
	f->now = 100;
	disk_cmd(f, DISK_CMD_READ, 1, 0x200, 1);
	/* While BUSY the command's registers and CMD ignore writes. */
	f->now = 150;
	dsk_wr(f, DISK_SECTOR, 3);
	dsk_wr(f, DISK_ADDR, 0x4000);
	dsk_wr(f, DISK_COUNT, 2);
	dsk_wr(f, DISK_CMD, DISK_CMD_WRITE);
	assert_int_equal(dsk_rd(f, DISK_SECTOR), 1);
	assert_int_equal(dsk_rd(f, DISK_ADDR), 0x200);
	assert_int_equal(dsk_rd(f, DISK_COUNT), 1);
	assert_int_equal(dev_disk_ops.deadline(&f->disk), 100 + DISK_LATENCY);
	/* Writing STATUS while BUSY leaves BUSY. */
	dsk_wr(f, DISK_STATUS, 0);
	assert_int_equal(dsk_rd(f, DISK_STATUS), DISK_STATUS_BUSY);
	/* IE may change while BUSY. */
	dsk_wr(f, DISK_IE, 1);
	assert_int_equal(dsk_rd(f, DISK_IE), 1);
	assert_int_equal(disk_finish(f), DISK_STATUS_DONE);
	assert_int_equal(f->now, 100 + DISK_LATENCY);
	assert_true(f->irq[IRQ_DISK]);
	/* The first command ran, as it was given. */
	assert_int_equal(f->ram[0x200 + 9], pattern(1, 9));
	assert_int_equal(f->ram[0x4000], 0);
	check_file_sector_is_pattern(f, 3);
	/* Once idle, the registers take writes again. */
	dsk_wr(f, DISK_SECTOR, 3);
	assert_int_equal(dsk_rd(f, DISK_SECTOR), 3);
}

static void test_disk_errors(void **state)
{
	struct fake *f = *state;
	/* No disk attached. */
	expect_error(f, DISK_CMD_READ, 0, 0, 1);
	expect_error(f, DISK_CMD_WRITE, 0, 0, 1);
	attach_image(f, 8);
	/* COUNT outside 1..128. */
	expect_error(f, DISK_CMD_READ, 0, 0, 0);
	expect_error(f, DISK_CMD_READ, 0, 0, DISK_MAX_COUNT + 1);
	expect_error(f, DISK_CMD_READ, 0, 0, 0xffffffffu);
	/* Past the end of the disk, with and without wrap-around. */
	expect_error(f, DISK_CMD_READ, 8, 0, 1);
	expect_error(f, DISK_CMD_READ, 7, 0, 2);
	expect_error(f, DISK_CMD_READ, 0xffffffffu, 0, 1);
	expect_error(f, DISK_CMD_WRITE, 0xffffff80u, 0, DISK_MAX_COUNT);
	/* A DMA range the host refuses: moves nothing either way. */
	expect_error(f, DISK_CMD_READ, 0, RAM_SIZE - DISK_SECTOR_SIZE + 4, 1);
	expect_error(f, DISK_CMD_READ, 0, 0xfffffe00u, 2);
	memset(f->ram + RAM_SIZE - 1024, 0x77, 1024);
	expect_error(f, DISK_CMD_WRITE, 1, RAM_SIZE - 1024, 3);
	check_file_sector_is_pattern(f, 1);
	check_file_sector_is_pattern(f, 2);
	check_file_sector_is_pattern(f, 3);
	/* Unknown commands. */
	expect_error(f, 0, 0, 0, 1);
	expect_error(f, 3, 0, 0, 1);
	expect_error(f, 0x101, 0, 0, 1);
	/* After all that, a good command still works. */
	disk_cmd(f, DISK_CMD_READ, 7, 0, 1);
	assert_int_equal(disk_finish(f), DISK_STATUS_DONE);
	assert_int_equal(f->ram[5], pattern(7, 5));
}

static void test_disk_file_error(void **state)
{
	struct fake *f = *state;
	attach_image(f, 8);
	/* The image shrinks behind the device's back: a short read. */
	assert_int_equal(truncate(f->path, 4 * DISK_SECTOR_SIZE), 0);
	disk_cmd(f, DISK_CMD_READ, 3, 0, 1);
	assert_int_equal(disk_finish(f), DISK_STATUS_DONE);
	dsk_wr(f, DISK_STATUS, 0);
	expect_error(f, DISK_CMD_READ, 3, 0x800, 2);
}

/* Makes f->path an image of nsectors sectors that nobody may write, and
 * attaches it; skips the test for root, who may write a file whatever its
 * mode. */
static void attach_read_only_image(struct fake *f, uint32_t nsectors)
{
	if (geteuid() == 0)
		skip();
	char err[256] = "";
	make_image(f, nsectors);
	assert_int_equal(chmod(f->path, 0444), 0);
	assert_int_equal(dev_disk_attach(&f->disk, f->path, err, sizeof err), 0);
}

static void test_disk_read_only_image(void **state)
{
	struct fake *f = *state;
	attach_read_only_image(f, 4);
	assert_int_equal(dsk_rd(f, DISK_SECTORS), 4);
	disk_cmd(f, DISK_CMD_READ, 1, 0, 1);
	assert_int_equal(disk_finish(f), DISK_STATUS_DONE);
	assert_int_equal(f->ram[1], pattern(1, 1));
	dsk_wr(f, DISK_STATUS, 0);
	memset(f->ram, 0x55, DISK_SECTOR_SIZE);
	expect_error(f, DISK_CMD_WRITE, 1, 0, 1);
	check_file_sector_is_pattern(f, 1);
}

static void test_disk_attach_errors(void **state)
{
	struct fake *f = *state;
	char err[256] = "";
	char want[512];

	assert_int_equal(dev_disk_attach(&f->disk, "/nonexistent-dir/x.img",
					 err, sizeof err),
			 -1);
	assert_string_equal(err, "cannot open /nonexistent-dir/x.img: "
				 "No such file or directory");
	assert_int_equal(dsk_rd(f, DISK_SECTORS), 0);

	/* A size that is not whole sectors. */
	make_image(f, 2);
	assert_int_equal(truncate(f->path, 1000), 0);
	assert_int_equal(dev_disk_attach(&f->disk, f->path, err, sizeof err),
			 -1);
	snprintf(want, sizeof want,
		 "%s: size 1000 is not a multiple of 512 bytes", f->path);
	assert_string_equal(err, want);

	/* A directory (refused by fopen for writing, as EISDIR). */
	strcpy(f->dir, "/tmp/test_devices_dir_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(dev_disk_attach(&f->disk, f->dir, err, sizeof err),
			 -1);
	snprintf(want, sizeof want, "cannot open %s: Is a directory", f->dir);
	assert_string_equal(err, want);

	/* A good image, then a failed attach: the good one stays. */
	assert_int_equal(truncate(f->path, 3 * DISK_SECTOR_SIZE), 0);
	assert_int_equal(dev_disk_attach(&f->disk, f->path, err, sizeof err), 0);
	assert_int_equal(dsk_rd(f, DISK_SECTORS), 3);
	assert_int_equal(dev_disk_attach(&f->disk, "/nonexistent-dir/x.img",
					 err, sizeof err),
			 -1);
	assert_int_equal(dsk_rd(f, DISK_SECTORS), 3);
	disk_cmd(f, DISK_CMD_READ, 1, 0, 1);
	assert_int_equal(disk_finish(f), DISK_STATUS_DONE);
	assert_int_equal(f->ram[10], pattern(1, 10));

	/* A truncated message still ends in a NUL. */
	char small[8];
	assert_int_equal(dev_disk_attach(&f->disk, "/nonexistent-dir/x.img",
					 small, sizeof small),
			 -1);
	assert_string_equal(small, "cannot ");
}

static void test_disk_attach_too_large(void **state)
{
	struct fake *f = *state;
	char err[256] = "";
	char want[512];
	make_image(f, 0);
	/* 2^32 sectors, as a sparse file; skipped where that is refused. */
	if (truncate(f->path, (off_t)1 << 41) != 0)
		skip();
	assert_int_equal(dev_disk_attach(&f->disk, f->path, err, sizeof err),
			 -1);
	snprintf(want, sizeof want,
		 "%s: size 2199023255552 is more than 4294967295 sectors",
		 f->path);
	assert_string_equal(err, want);
}

/* ---- private disks: a copy-on-write overlay over the file ------------ */

/* Runs one command on disk d to its completion, acknowledges it and
 * returns the STATUS it ended with. */
static uint32_t run_on(struct fake *f, struct dev_disk *d, uint32_t cmd,
		       uint32_t sector, uint32_t addr, uint32_t count)
{
	dev_disk_ops.write(d, DISK_SECTOR, sector);
	dev_disk_ops.write(d, DISK_ADDR, addr);
	dev_disk_ops.write(d, DISK_COUNT, count);
	dev_disk_ops.write(d, DISK_CMD, cmd);
	f->now = dev_disk_ops.deadline(d);
	assert_true(f->now != DEV_NEVER);
	assert_true(dev_disk_ops.tick(d, f->now) == DEV_NEVER);
	uint32_t status = dev_disk_ops.read(d, DISK_STATUS);
	dev_disk_ops.write(d, DISK_STATUS, 0);
	return status;
}

/* Fills count sectors of RAM at addr with byte. */
static void fill_ram(struct fake *f, uint32_t addr, uint8_t byte,
		     uint32_t count)
{
	memset(f->ram + addr, byte, count * DISK_SECTOR_SIZE);
}

/* Checks that the sector in RAM at addr is all byte. */
static void check_ram_sector(struct fake *f, uint32_t addr, uint8_t byte)
{
	for (uint32_t i = 0; i < DISK_SECTOR_SIZE; i++)
		assert_int_equal(f->ram[addr + i], byte);
}

/* Checks that the sector in RAM at addr is sector s of a fresh image. */
static void check_ram_sector_is_pattern(struct fake *f, uint32_t addr,
					uint32_t s)
{
	for (uint32_t i = 0; i < DISK_SECTOR_SIZE; i++)
		assert_int_equal(f->ram[addr + i], pattern(s, i));
}

static void test_disk_private_reads_file_until_written(void **state)
{
	struct fake *f = *state;
	attach_image(f, 8);
	dev_disk_set_private(&f->disk, true);
	fill_ram(f, 0x1000, 'X', 1);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, 3, 0x1000, 1),
			 DISK_STATUS_DONE);
	/* The file never changes... */
	for (uint32_t s = 0; s < 8; s++)
		check_file_sector_is_pattern(f, s);
	/* ...but the disk reads its own write, and the file around it. */
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_READ, 2, 0x2000, 3),
			 DISK_STATUS_DONE);
	check_ram_sector_is_pattern(f, 0x2000, 2);
	check_ram_sector(f, 0x2000 + DISK_SECTOR_SIZE, 'X');
	check_ram_sector_is_pattern(f, 0x2000 + 2 * DISK_SECTOR_SIZE, 4);
	assert_int_equal(f->disk.overlay_sectors, 1);
	assert_int_equal(f->fails, 0);
}

/* Two machines on one file: each sees its own writes, nobody else's. */
static void test_disk_private_two_disks_one_file(void **state)
{
	struct fake *f = *state;
	struct dev_disk other;
	char err[256] = "";
	attach_image(f, 8);
	assert_int_equal(dev_disk_init(&other, &f->host), 0);
	assert_int_equal(dev_disk_attach(&other, f->path, err, sizeof err), 0);
	dev_disk_set_private(&f->disk, true);
	dev_disk_set_private(&other, true);

	fill_ram(f, 0x1000, 'A', 1);
	fill_ram(f, 0x2000, 'B', 1);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, 5, 0x1000, 1),
			 DISK_STATUS_DONE);
	assert_int_equal(run_on(f, &other, DISK_CMD_WRITE, 5, 0x2000, 1),
			 DISK_STATUS_DONE);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_READ, 5, 0x3000, 1),
			 DISK_STATUS_DONE);
	assert_int_equal(run_on(f, &other, DISK_CMD_READ, 5, 0x4000, 1),
			 DISK_STATUS_DONE);
	check_ram_sector(f, 0x3000, 'A');
	check_ram_sector(f, 0x4000, 'B');
	check_file_sector_is_pattern(f, 5);
	dev_disk_destroy(&other);
}

/* The overlay holds a sector once however often it is written, across
 * the overlay's groups of sectors as well. */
static void test_disk_private_sector_held_once(void **state)
{
	struct fake *f = *state;
	const uint32_t nsectors = 3000; /* more than one group of sectors */
	attach_image(f, nsectors);
	dev_disk_set_private(&f->disk, true);
	fill_ram(f, 0, 'a', DISK_MAX_COUNT);
	fill_ram(f, 0x10000, 'b', DISK_MAX_COUNT);
	/* Sectors 1000..1127, then 1100..1227 over half of them. */
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, 1000, 0,
				DISK_MAX_COUNT),
			 DISK_STATUS_DONE);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, 1100, 0x10000,
				DISK_MAX_COUNT),
			 DISK_STATUS_DONE);
	assert_int_equal(f->disk.overlay_sectors, 1228 - 1000);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, 1100, 0x10000,
				DISK_MAX_COUNT),
			 DISK_STATUS_DONE);
	assert_int_equal(f->disk.overlay_sectors, 1228 - 1000);
	/* The last sector of the disk, too. */
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, nsectors - 1, 0, 1),
			 DISK_STATUS_DONE);
	assert_int_equal(f->disk.overlay_sectors, 1228 - 1000 + 1);

	memset(f->ram, 0, RAM_SIZE);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_READ, 1099, 0, 2),
			 DISK_STATUS_DONE);
	check_ram_sector(f, 0, 'a');
	check_ram_sector(f, DISK_SECTOR_SIZE, 'b');
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_READ, nsectors - 2, 0, 2),
			 DISK_STATUS_DONE);
	check_ram_sector_is_pattern(f, 0, nsectors - 2);
	check_ram_sector(f, DISK_SECTOR_SIZE, 'a');
	check_file_sector_is_pattern(f, 1000);
	check_file_sector_is_pattern(f, nsectors - 1);
}

/* A private disk needs no write permission: the file is only read. */
static void test_disk_private_read_only_image(void **state)
{
	struct fake *f = *state;
	attach_read_only_image(f, 4);
	dev_disk_set_private(&f->disk, true);
	fill_ram(f, 0, 'R', 1);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, 2, 0, 1),
			 DISK_STATUS_DONE);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_READ, 2, 0x1000, 1),
			 DISK_STATUS_DONE);
	check_ram_sector(f, 0x1000, 'R');
	check_file_sector_is_pattern(f, 2);
}

/* Switching private off, or attaching again, throws the overlay away;
 * from then on writes reach the file. */
static void test_disk_private_off_and_reattach(void **state)
{
	struct fake *f = *state;
	char err[256] = "";
	attach_image(f, 4);
	dev_disk_set_private(&f->disk, true);
	fill_ram(f, 0, 'P', 1);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, 1, 0, 1),
			 DISK_STATUS_DONE);
	dev_disk_set_private(&f->disk, false);
	assert_null(f->disk.overlay);
	assert_int_equal(f->disk.overlay_sectors, 0);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_READ, 1, 0x1000, 1),
			 DISK_STATUS_DONE);
	check_ram_sector_is_pattern(f, 0x1000, 1);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, 2, 0, 1),
			 DISK_STATUS_DONE);
	uint8_t sec[DISK_SECTOR_SIZE];
	file_sector(f, 2, sec);
	assert_memory_equal(sec, f->ram, DISK_SECTOR_SIZE);

	dev_disk_set_private(&f->disk, true);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, 3, 0, 1),
			 DISK_STATUS_DONE);
	assert_int_equal(dev_disk_attach(&f->disk, f->path, err, sizeof err), 0);
	assert_null(f->disk.overlay);
	assert_true(f->disk.private_writes); /* the flag belongs to the disk */
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_READ, 3, 0x1000, 1),
			 DISK_STATUS_DONE);
	check_ram_sector_is_pattern(f, 0x1000, 3);
}

/* Out of host memory: the write fails whole (ERROR, the overlay as it
 * was), and the host is told to stop -- never a write silently lost. */
static void test_disk_private_out_of_memory(void **state)
{
	struct fake *f = *state;
	attach_image(f, 8);
	dev_disk_set_private(&f->disk, true);
	fill_ram(f, 0, 'o', 1);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, 3, 0, 1),
			 DISK_STATUS_DONE);
	size_t held = f->disk.overlay_sectors;

	/* Sectors 2..4: the first allocation fails. */
	fill_ram(f, 0, 'n', 3);
	fail_allocations_after(0);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, 2, 0, 3),
			 DISK_STATUS_ERROR);
	fail_allocations_after(-1);
	assert_int_equal(f->fails, 1);
	assert_string_equal(f->fail_reason, "disk: no host memory for the "
			    "private copy of sectors 2..4");
	/* Sectors 1..3: the second allocation fails, after the first. */
	fail_allocations_after(1);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, 1, 0, 3),
			 DISK_STATUS_ERROR);
	fail_allocations_after(-1);
	assert_int_equal(f->fails, 2);
	assert_int_equal(f->disk.overlay_sectors, held);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_READ, 1, 0x1000, 4),
			 DISK_STATUS_DONE);
	check_ram_sector_is_pattern(f, 0x1000, 1);
	check_ram_sector_is_pattern(f, 0x1000 + DISK_SECTOR_SIZE, 2);
	check_ram_sector(f, 0x1000 + 2 * DISK_SECTOR_SIZE, 'o');
	check_ram_sector_is_pattern(f, 0x1000 + 3 * DISK_SECTOR_SIZE, 4);

	/* A host with no fail callback: the command still ends in ERROR. */
	f->disk.host.stop = NULL;
	fail_allocations_after(0);
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, 6, 0, 1),
			 DISK_STATUS_ERROR);
	fail_allocations_after(-1);
	assert_int_equal(f->fails, 2);
	/* With memory again, the same write works. */
	assert_int_equal(run_on(f, &f->disk, DISK_CMD_WRITE, 6, 0, 1),
			 DISK_STATUS_DONE);
	for (uint32_t s = 0; s < 8; s++)
		check_file_sector_is_pattern(f, s);
}

static void test_disk_destroy(void **state)
{
	struct fake *f = *state;
	attach_image(f, 2);
	dev_disk_destroy(&f->disk);
	assert_null(f->disk.file);
	assert_null(f->disk.buffer);
	assert_int_equal(dsk_rd(f, DISK_SECTORS), 0);
	dev_disk_destroy(&f->disk); /* twice is harmless (teardown does it) */
}

/* ---- test device ----------------------------------------------------- */

static void test_test_device(void **state)
{
	struct fake *f = *state;
	assert_int_equal(dev_test_ops.read(&f->test, TEST_EXIT), 0);
	dev_test_ops.write(&f->test, 0x4, 1); /* no register */
	dev_test_ops.write(&f->test, 0xffc, 1);
	assert_int_equal(dev_test_ops.read(&f->test, 0x4), 0);
	assert_false(f->halted);
	dev_test_ops.write(&f->test, TEST_EXIT, 42);
	assert_true(f->halted);
	assert_int_equal(f->exit_status, 42);
	assert_int_equal(f->halts, 1);
	dev_test_ops.write(&f->test, TEST_EXIT, 0xdeadbeefu);
	assert_int_equal(f->exit_status, 0xdeadbeefu);
	assert_int_equal(f->halts, 2);
	assert_int_equal(dev_test_ops.read(&f->test, TEST_EXIT), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ops_tables),
		T(test_console_tx),
		T(test_console_no_input_is_eof),
		T(test_console_rx_bytes),
		T(test_console_rx_without_status),
		T(test_console_rx_file_is_lazy),
		T(test_console_rxie_reads_file_at_once),
		T(test_console_rxie),
		T(test_console_input_set_with_rxie_on),
		T(test_console_other_offsets),
		T(test_timer_off_at_start),
		T(test_timer_periodic),
		T(test_timer_late_tick_does_not_drift),
		T(test_timer_missed_ticks),
		T(test_timer_rewrite_restarts),
		T(test_timer_period_zero_is_off),
		T(test_timer_extreme_periods),
		T(test_timer_other_offsets),
		T(test_disk_registers),
		T(test_disk_read),
		T(test_disk_write_round_trip),
		T(test_disk_max_count),
		T(test_disk_interrupt),
		T(test_disk_new_command_clears_status),
		T(test_disk_busy),
		T(test_disk_errors),
		T(test_disk_file_error),
		T(test_disk_read_only_image),
		T(test_disk_attach_errors),
		T(test_disk_attach_too_large),
		T(test_disk_destroy),
		T(test_disk_private_reads_file_until_written),
		T(test_disk_private_two_disks_one_file),
		T(test_disk_private_sector_held_once),
		T(test_disk_private_read_only_image),
		T(test_disk_private_off_and_reattach),
		T(test_disk_private_out_of_memory),
		T(test_test_device),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
