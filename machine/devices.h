/*
 * devices.h - the PG32 devices: console, timer, disk, test/power.
 *
 * Every device has the same shape (struct dev_ops): word registers read and
 * written at an offset inside its range, plus an optional clock callback for
 * devices that act on their own (the timer ticks, the disk completes).  A
 * device reaches the rest of the world only through its struct dev_host: to
 * raise or drop its interrupt line, move bytes by DMA, or halt the machine.
 * The bare machine hosts one set of devices; the VMM hosts a set per VM,
 * with the same code behind the same signature.
 *
 * Register layouts (offsets from the device's base; all registers are 32
 * bits, at 4-aligned offsets):
 *
 * console, base 0xF0000000
 *   +0  TX      write: the low byte is output.              read: 0
 *   +4  RX      read: the next input byte (0..255), consumed; 0 if none
 *   +8  STATUS  read: bit 0 RXREADY (a byte waits in RX), bit 1 TXREADY
 *               (always 1), bit 2 EOF (input ended and RX is empty)
 *   +12 RXIE    read/write: bit 0 = raise CONSOLE while RXREADY
 *
 * timer, base 0xF0001000
 *   +0  PERIOD  write N > 0: raise TIMER every N cycles, counting from
 *               this write; 0: off.  Any write clears a pending TIMER.
 *               read: the period
 *   +4  ACK     write: clear the pending TIMER.             read: 0
 *
 * disk, base 0xF0002000: 512-byte sectors, DMA to and from RAM
 *   +0  SECTOR  read/write: first sector of the next command
 *   +4  ADDR    read/write: physical RAM address for the DMA
 *   +8  COUNT   read/write: number of sectors (1..128)
 *   +12 CMD     write 1: read disk -> RAM, 2: write RAM -> disk; the
 *               command completes DISK_LATENCY cycles later.   read: 0
 *   +16 STATUS  read: bit 0 BUSY, bit 1 DONE, bit 2 ERROR; write: any
 *               value clears DONE and ERROR and drops the interrupt
 *   +20 IE      read/write: bit 0 = raise DISK while DONE or ERROR
 *   +24 SECTORS read: the size of the disk in sectors (0: no disk)
 *
 * test/power, base 0xF000F000
 *   +0  EXIT    write: halt with this exit status.          read: 0
 */
#ifndef TRAPEZE_DEVICES_H
#define TRAPEZE_DEVICES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define DEV_CONSOLE_BASE 0xF0000000u
#define DEV_TIMER_BASE 0xF0001000u
#define DEV_DISK_BASE 0xF0002000u
#define DEV_TEST_BASE 0xF000F000u
#define DEV_PAGE 0x1000u /* each device owns one 4 KiB page */

#define CONSOLE_TX 0x0
#define CONSOLE_RX 0x4
#define CONSOLE_STATUS 0x8
#define CONSOLE_RXIE 0xc
#define CONSOLE_STATUS_RXREADY 1u
#define CONSOLE_STATUS_TXREADY 2u
#define CONSOLE_STATUS_EOF 4u

#define TIMER_PERIOD 0x0
#define TIMER_ACK 0x4

#define DISK_SECTOR 0x0
#define DISK_ADDR 0x4
#define DISK_COUNT 0x8
#define DISK_CMD 0xc
#define DISK_STATUS 0x10
#define DISK_IE 0x14
#define DISK_SECTORS 0x18
#define DISK_CMD_READ 1u
#define DISK_CMD_WRITE 2u
#define DISK_STATUS_BUSY 1u
#define DISK_STATUS_DONE 2u
#define DISK_STATUS_ERROR 4u
#define DISK_SECTOR_SIZE 512u
#define DISK_MAX_COUNT 128u
#define DISK_LATENCY 2000u /* cycles from CMD to completion */

#define TEST_EXIT 0x0

#define DEV_NEVER UINT64_MAX /* "no deadline" */

/* What a device may ask of whoever hosts it (the machine, or a VM). */
struct dev_host {
	void *ctx;
	/* Raise (level = true) or drop the device's interrupt line. */
	void (*set_irq)(void *ctx, unsigned irq, bool level);
	/* Copy len bytes between buf and RAM at physical address pa, in the
	 * direction to_ram says.  Returns false, moving nothing, unless the
	 * whole range is RAM that the host lets the device reach. */
	bool (*dma)(void *ctx, uint32_t pa, void *buf, uint32_t len, bool to_ram);
	/* Stop the machine with an exit status (the test device). */
	void (*halt)(void *ctx, uint32_t status);
	/* The current cycle count. */
	uint64_t (*now)(void *ctx);
	/* Stop the machine or VM: the device cannot carry out what the
	 * software asked for want of host resources (a private disk out of
	 * host memory); reason says so in one line.  May be NULL (the bare
	 * machine, which the tools never give a private disk): the command
	 * then only ends in ERROR. */
	void (*stop)(void *ctx, const char *reason);
};

/* The one signature every device has. */
struct dev_ops {
	const char *name;
	/* offset is 4-aligned and inside the device's page. */
	uint32_t (*read)(void *dev, uint32_t offset);
	void (*write)(void *dev, uint32_t offset, uint32_t value);
	/* Called once the clock reaches the deadline the device last gave;
	 * returns its next deadline (DEV_NEVER if none).  NULL: no clock. */
	uint64_t (*tick)(void *dev, uint64_t now);
	/* The device's current deadline (DEV_NEVER if none); NULL: none. */
	uint64_t (*deadline)(void *dev);
};

/* Where console output goes, one byte at a time. */
typedef void dev_output_fn(void *ctx, uint8_t byte);

/*
 * The device set of one machine or one VM.  Devices are plain structs so
 * that a host can embed them; dev_set_init wires them to their host.
 */
struct dev_console {
	struct dev_host host;
	dev_output_fn *output;
	void *output_ctx;
	FILE *input;          /* read lazily, one byte when RX is polled; may be NULL */
	const uint8_t *inbuf; /* or bytes given by a test */
	uint32_t inlen, inpos;
	int peeked;           /* next input byte, -1 if not read yet, -2 at EOF */
	uint32_t rxie;
};

struct dev_timer {
	struct dev_host host;
	uint32_t period;
	uint64_t next; /* cycle of the next tick, DEV_NEVER when off */
};

struct disk_overlay_group; /* dev_disk.c */

struct dev_disk {
	struct dev_host host;
	FILE *file;     /* backing file, NULL if none */
	uint32_t nsectors;
	uint32_t sector, addr, count, status, ie;
	uint32_t pending_cmd;
	uint64_t done_at; /* completion cycle of the command in flight */
	uint8_t *buffer;  /* DISK_MAX_COUNT sectors */
	/* A private disk (dev_disk_set_private) keeps its writes in a
	 * copy-on-write overlay in host memory and never writes the file. */
	bool private_writes;
	struct disk_overlay_group **overlay; /* NULL until the first write */
	uint32_t overlay_sectors; /* sectors the overlay holds */
};

struct dev_test {
	struct dev_host host;
};

/* Operation tables, one per device kind. */
extern const struct dev_ops dev_console_ops, dev_timer_ops, dev_disk_ops,
	dev_test_ops;

/* Initialize each device with its host.  Returns 0, or -1 on no memory. */
void dev_console_init(struct dev_console *c, const struct dev_host *host);
void dev_timer_init(struct dev_timer *t, const struct dev_host *host);
int dev_disk_init(struct dev_disk *d, const struct dev_host *host);
void dev_test_init(struct dev_test *t, const struct dev_host *host);
void dev_disk_destroy(struct dev_disk *d);

/*
 * A CPU's access of size bytes (1, 2 or 4) at offset in a device's page,
 * with the rules every device obeys: registers are words at aligned
 * offsets; a narrower store writes the value zero-extended, a narrower
 * load reads the register's low bits; any other byte of the page reads 0
 * and ignores writes.  dev_bus_load returns the low size bytes (the
 * caller sign-extends for lb/lh).  The machine's MMU and the VMM's MMIO
 * emulation both go through these, so both give devices the same view.
 */
uint32_t dev_bus_load(const struct dev_ops *ops, void *dev, uint32_t offset,
		      unsigned size);
void dev_bus_store(const struct dev_ops *ops, void *dev, uint32_t offset,
		   unsigned size, uint32_t value);

/* Console plumbing. */
void dev_console_set_output(struct dev_console *c, dev_output_fn *fn, void *ctx);
void dev_console_set_input_file(struct dev_console *c, FILE *f);
void dev_console_set_input_bytes(struct dev_console *c, const uint8_t *bytes,
				 uint32_t len);

/*
 * Attaches the disk image at path (opened read-write; its size must be a
 * multiple of 512).  Returns 0, or -1 with the reason in err.
 */
int dev_disk_attach(struct dev_disk *d, const char *path, char *err,
		    size_t errsize);

/*
 * Makes the disk private (on) or shared with its file (off, the default).
 * A private disk reads a sector from its own overlay if it wrote that
 * sector, else from the file, and writes only to the overlay: several
 * machines can use one file, each seeing its own writes and nobody
 * else's, and the file never changes.  The overlay holds each sector at
 * most once, so it never grows past the disk's size.  Switching private
 * off, or attaching another image, throws the overlay away.
 */
void dev_disk_set_private(struct dev_disk *d, bool on);

/*
 * The disk's backing store, for another device that serves the same
 * image (the VMM's paravirtual block device, vmm/virtio_blk.c): count
 * sectors (1..DISK_MAX_COUNT) from first, between the image -- its file,
 * and a private disk's overlay -- and buf, at once, with no DMA, no
 * registers and no interrupt.  Return false, moving nothing, if the
 * sectors are not all on the disk, on a host file error, or (a write to
 * a private disk) when there is no host memory for the overlay, which
 * also asks the host to stop, as a write command does.
 */
bool dev_disk_read_sectors(struct dev_disk *d, uint32_t first, uint32_t count,
			   uint8_t *buf);
bool dev_disk_write_sectors(struct dev_disk *d, uint32_t first,
			    uint32_t count, const uint8_t *buf);

#endif
