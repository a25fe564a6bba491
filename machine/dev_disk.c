/*
 * dev_disk.c - the disk: 512-byte sectors, moved by DMA, with a completion
 * interrupt.
 *
 * A DMA device works apart from the CPU: software describes a transfer in
 * registers (SECTOR, ADDR, COUNT), starts it with CMD, and goes on running
 * while the device moves the data into or out of RAM by itself.  The device
 * then signals completion with an interrupt, and software must not touch
 * the RAM involved until it sees DONE.
 *
 * Decisions (the rules ISA.md leaves to the implementation):
 *  - Timing.  Every CMD write that finds the disk idle starts a command:
 *    BUSY = 1, DONE and ERROR are cleared (STATUS describes the command in
 *    flight) and the DISK line drops.  Exactly DISK_LATENCY cycles later
 *    the command completes.  The whole transfer happens at completion, in
 *    one step, in both directions: a write command also reads RAM only
 *    then.  Deterministic: nothing depends on host time.
 *  - Errors are found at completion, like the transfer: a CMD value other
 *    than 1 or 2, COUNT outside 1..DISK_MAX_COUNT, sectors past the end of
 *    the disk (or no disk attached), a DMA range the host refuses (not all
 *    RAM), or a host file error (a short read, a write to a disk image
 *    that could only be opened read-only).  So every command, good or bad,
 *    takes DISK_LATENCY cycles and ends with BUSY = 0 and exactly one of
 *    DONE or ERROR.  A failed command moves nothing, except that a host
 *    write error may leave the file partly written.
 *  - While BUSY, the command in flight owns the registers: writes to
 *    SECTOR, ADDR, COUNT and CMD are ignored (ISA.md: software must wait
 *    for BUSY = 0 before it writes CMD again).  STATUS and IE may be
 *    written at any time.
 *  - The DISK line is up while IE bit 0 = 1 and DONE or ERROR is 1; it is
 *    recomputed after every register write and at completion.
 *  - dev_disk_attach opens the image read-write.  If that is refused
 *    (EACCES, EROFS) it opens the image read-only; then every write command
 *    ends in ERROR.  The image must be a regular file whose size is a
 *    multiple of 512 bytes and at most 2^32 - 1 sectors.  The disk writes
 *    through: each write command ends with fflush, so the file is up to
 *    date whenever STATUS says DONE.
 *  - A private disk (dev_disk_set_private) never writes its file: a write
 *    command copies the sectors into an overlay in host memory, and a read
 *    takes each sector from the overlay if this disk wrote it, else from
 *    the file.  So several machines (the VMs of one run) can share one
 *    image, each seeing only its own writes -- what copy-on-write disk
 *    images do in real monitors -- and a read-only image works too.  If the
 *    host has no memory for the overlay, the write command moves nothing,
 *    ends in ERROR and asks the host to stop (dev_host.stop): a write the
 *    disk said was DONE is never lost.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "../isa/isa.h"
#include "devices.h"

/* The DISK line is a level: up while an enabled completion waits. */
static void disk_update_irq(struct dev_disk *d)
{
	bool level = (d->ie & 1) &&
		     (d->status & (DISK_STATUS_DONE | DISK_STATUS_ERROR));
	d->host.set_irq(d->host.ctx, IRQ_DISK, level);
}

/* Moves count sectors from the file into buffer; returns false on error. */
static bool file_read(struct dev_disk *d, uint32_t sector, uint32_t len)
{
	if (fseeko(d->file, (off_t)sector * DISK_SECTOR_SIZE, SEEK_SET) != 0)
		return false;
	size_t got = fread(d->buffer, 1, len, d->file);
	clearerr(d->file);
	return got == len;
}

/* Moves len bytes from buffer to the file; returns false on error. */
static bool file_write(struct dev_disk *d, uint32_t sector, uint32_t len)
{
	if (fseeko(d->file, (off_t)sector * DISK_SECTOR_SIZE, SEEK_SET) != 0)
		return false;
	bool ok = fwrite(d->buffer, 1, len, d->file) == len;
	/* Write through: the image is current once DONE is set. */
	if (fflush(d->file) != 0)
		ok = false;
	clearerr(d->file);
	return ok;
}

/* ---- the overlay of a private disk ---------------------------------------- */

/*
 * The overlay is a two-level table, like a page table: the directory has
 * one entry per group of OVERLAY_GROUP_SECTORS sectors, and a group has
 * one pointer per sector to the disk's own copy of it (NULL: not written,
 * the file holds it).  The directory is allocated at the first write; a
 * group when a write first touches it; a sector copy when that sector is
 * first written, and later writes of it overwrite that copy.  So the
 * overlay holds each sector at most once and never grows past the disk's
 * size (plus one pointer per sector written, and a directory of
 * nsectors / OVERLAY_GROUP_SECTORS pointers), yet a small write to a
 * large disk costs little.
 */
#define OVERLAY_GROUP_SECTORS 1024u

struct disk_overlay_group {
	uint8_t *sector[OVERLAY_GROUP_SECTORS];
};

static uint32_t overlay_groups(const struct dev_disk *d)
{
	/* In 64 bits: nsectors may be as large as 2^32 - 1. */
	return (uint32_t)(((uint64_t)d->nsectors + OVERLAY_GROUP_SECTORS - 1) /
			  OVERLAY_GROUP_SECTORS);
}

/* The disk's own copy of sector s, or NULL if it never wrote s. */
static uint8_t *overlay_sector(const struct dev_disk *d, uint32_t s)
{
	if (!d->overlay)
		return NULL;
	const struct disk_overlay_group *g = d->overlay[s / OVERLAY_GROUP_SECTORS];
	return g ? g->sector[s % OVERLAY_GROUP_SECTORS] : NULL;
}

/* The overlay's slot for sector s, making the directory and the group if
 * need be; NULL if there is no memory for them. */
static uint8_t **overlay_slot(struct dev_disk *d, uint32_t s)
{
	if (!d->overlay) {
		d->overlay = calloc(overlay_groups(d), sizeof *d->overlay);
		if (!d->overlay)
			return NULL;
	}
	struct disk_overlay_group **g = &d->overlay[s / OVERLAY_GROUP_SECTORS];
	if (!*g) {
		*g = calloc(1, sizeof **g);
		if (!*g)
			return NULL;
	}
	return &(*g)->sector[s % OVERLAY_GROUP_SECTORS];
}

static void overlay_free(struct dev_disk *d)
{
	if (d->overlay) {
		for (uint32_t i = 0; i < overlay_groups(d); i++) {
			struct disk_overlay_group *g = d->overlay[i];
			for (uint32_t k = 0; g && k < OVERLAY_GROUP_SECTORS; k++)
				free(g->sector[k]);
			free(g);
		}
	}
	free(d->overlay);
	d->overlay = NULL;
	d->overlay_sectors = 0;
}

/* Throws away the sector copies the write in progress had made: those of
 * its first n slots marked fresh. */
static void overlay_undo(struct dev_disk *d, uint8_t **const *slot,
			 const bool *fresh, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (fresh[i]) {
			free(*slot[i]);
			*slot[i] = NULL;
			d->overlay_sectors--;
		}
	}
}

/*
 * Copies count sectors from the buffer into the overlay.  Room for every
 * sector is made before any is copied, so that running out of memory part
 * way leaves the overlay as it was.  Returns false if out of memory.
 */
static bool overlay_write(struct dev_disk *d, uint32_t first, uint32_t count)
{
	uint8_t **slot[DISK_MAX_COUNT];
	bool fresh[DISK_MAX_COUNT] = {false};
	for (uint32_t i = 0; i < count; i++) {
		slot[i] = overlay_slot(d, first + i);
		if (slot[i] && !*slot[i]) { /* first write of this sector */
			*slot[i] = malloc(DISK_SECTOR_SIZE);
			fresh[i] = *slot[i] != NULL;
			d->overlay_sectors += fresh[i];
		}
		if (!slot[i] || !*slot[i]) {
			overlay_undo(d, slot, fresh, i);
			return false;
		}
	}
	for (uint32_t i = 0; i < count; i++)
		memcpy(*slot[i], d->buffer + (size_t)i * DISK_SECTOR_SIZE,
		       DISK_SECTOR_SIZE);
	return true;
}

/* Puts the disk's own copies over what was read from the file. */
static void overlay_read(const struct dev_disk *d, uint32_t first,
			 uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *own = overlay_sector(d, first + i);
		if (own)
			memcpy(d->buffer + (size_t)i * DISK_SECTOR_SIZE, own,
			       DISK_SECTOR_SIZE);
	}
}

/* No memory for the overlay: says why, and asks the host to stop. */
static void overlay_out_of_memory(struct dev_disk *d, uint32_t first,
				  uint32_t count)
{
	char reason[128];
	snprintf(reason, sizeof reason, "disk: no host memory for the private "
		 "copy of sectors %" PRIu32 "..%" PRIu32, first,
		 first + count - 1);
	if (d->host.stop)
		d->host.stop(d->host.ctx, reason);
}

/* ---- commands -------------------------------------------------------------- */

/* disk -> buffer: the file, and a private disk's own sectors over it. */
static bool disk_to_buffer(struct dev_disk *d, uint32_t first, uint32_t count)
{
	if (!file_read(d, first, count * DISK_SECTOR_SIZE))
		return false;
	if (d->private_writes)
		overlay_read(d, first, count);
	return true;
}

/* buffer -> disk: the file, or a private disk's overlay. */
static bool buffer_to_disk(struct dev_disk *d, uint32_t first, uint32_t count)
{
	if (!d->private_writes)
		return file_write(d, first, count * DISK_SECTOR_SIZE);
	if (overlay_write(d, first, count))
		return true;
	overlay_out_of_memory(d, first, count);
	return false;
}

/* Can count sectors from first be moved at all?  (In 64 bits, so that a
 * sector near 2^32 cannot wrap around.) */
static bool sectors_exist(const struct dev_disk *d, uint32_t first,
			  uint32_t count)
{
	return d->file && count > 0 && count <= DISK_MAX_COUNT &&
	       (uint64_t)first + count <= d->nsectors;
}

bool dev_disk_read_sectors(struct dev_disk *d, uint32_t first, uint32_t count,
			   uint8_t *buf)
{
	if (!sectors_exist(d, first, count) || !disk_to_buffer(d, first, count))
		return false;
	memcpy(buf, d->buffer, (size_t)count * DISK_SECTOR_SIZE);
	return true;
}

bool dev_disk_write_sectors(struct dev_disk *d, uint32_t first,
			    uint32_t count, const uint8_t *buf)
{
	if (!sectors_exist(d, first, count))
		return false;
	memcpy(d->buffer, buf, (size_t)count * DISK_SECTOR_SIZE);
	return buffer_to_disk(d, first, count);
}

/*
 * Carries out the command in flight, all of it, at its completion time.
 * Returns true if it succeeded (the data moved), false for ERROR.
 */
static bool disk_transfer(struct dev_disk *d)
{
	uint32_t cmd = d->pending_cmd;
	if (cmd != DISK_CMD_READ && cmd != DISK_CMD_WRITE)
		return false;
	if (!sectors_exist(d, d->sector, d->count))
		return false;

	uint32_t len = d->count * DISK_SECTOR_SIZE;
	if (cmd == DISK_CMD_READ) /* disk -> buffer -> RAM */
		return disk_to_buffer(d, d->sector, d->count) &&
		       d->host.dma(d->host.ctx, d->addr, d->buffer, len, true);
	/* RAM -> buffer -> disk: the disk is touched only if the DMA works. */
	return d->host.dma(d->host.ctx, d->addr, d->buffer, len, false) &&
	       buffer_to_disk(d, d->sector, d->count);
}

static uint32_t disk_read(void *dev, uint32_t offset)
{
	const struct dev_disk *d = dev;

	switch (offset) {
	case DISK_SECTOR:
		return d->sector;
	case DISK_ADDR:
		return d->addr;
	case DISK_COUNT:
		return d->count;
	case DISK_STATUS:
		return d->status;
	case DISK_IE:
		return d->ie;
	case DISK_SECTORS:
		return d->nsectors;
	default: /* CMD is write-only; other offsets are no register */
		return 0;
	}
}

static void disk_write(void *dev, uint32_t offset, uint32_t value)
{
	struct dev_disk *d = dev;
	bool busy = d->status & DISK_STATUS_BUSY;

	switch (offset) {
	case DISK_SECTOR:
		if (!busy)
			d->sector = value;
		break;
	case DISK_ADDR:
		if (!busy)
			d->addr = value;
		break;
	case DISK_COUNT:
		if (!busy)
			d->count = value;
		break;
	case DISK_CMD:
		if (busy)
			break; /* one command at a time */
		d->pending_cmd = value;
		d->done_at = d->host.now(d->host.ctx) + DISK_LATENCY;
		d->status = DISK_STATUS_BUSY;
		break;
	case DISK_STATUS: /* acknowledge: any value clears DONE and ERROR */
		d->status &= DISK_STATUS_BUSY;
		break;
	case DISK_IE:
		d->ie = value & 1;
		break;
	default: /* SECTORS is read-only; other offsets ignore writes */
		break;
	}
	disk_update_irq(d);
}

/* Completes the command in flight if its time has come. */
static uint64_t disk_tick(void *dev, uint64_t now)
{
	struct dev_disk *d = dev;

	if (!(d->status & DISK_STATUS_BUSY))
		return DEV_NEVER;
	if (now < d->done_at)
		return d->done_at;
	d->status = disk_transfer(d) ? DISK_STATUS_DONE : DISK_STATUS_ERROR;
	disk_update_irq(d);
	return DEV_NEVER;
}

static uint64_t disk_deadline(void *dev)
{
	const struct dev_disk *d = dev;
	return d->status & DISK_STATUS_BUSY ? d->done_at : DEV_NEVER;
}

const struct dev_ops dev_disk_ops = {
	.name = "disk",
	.read = disk_read,
	.write = disk_write,
	.tick = disk_tick,
	.deadline = disk_deadline,
};

/* Sets up a disk with no image.  Returns 0, or -1 if out of memory. */
int dev_disk_init(struct dev_disk *d, const struct dev_host *host)
{
	memset(d, 0, sizeof *d);
	d->host = *host;
	d->buffer = malloc((size_t)DISK_MAX_COUNT * DISK_SECTOR_SIZE);
	return d->buffer ? 0 : -1;
}

/* Closes the image and frees the buffer; the disk is left with no image. */
void dev_disk_destroy(struct dev_disk *d)
{
	overlay_free(d);
	if (d->file)
		fclose(d->file);
	d->file = NULL;
	d->nsectors = 0;
	free(d->buffer);
	d->buffer = NULL;
}

/*
 * Attaches the image at path in place of any previous one (which stays if
 * this fails).  Returns 0, or -1 with the reason in err.
 */
int dev_disk_attach(struct dev_disk *d, const char *path, char *err,
		    size_t errsize)
{
	FILE *f = fopen(path, "r+b");
	if (!f && (errno == EACCES || errno == EROFS))
		f = fopen(path, "rb"); /* a read-only disk: writes fail */
	if (!f) {
		snprintf(err, errsize, "cannot open %s: %s", path,
			 strerror(errno));
		return -1;
	}

	struct stat st;
	if (fstat(fileno(f), &st) != 0) {
		snprintf(err, errsize, "cannot stat %s: %s", path,
			 strerror(errno));
		fclose(f);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsize, "%s: not a regular file", path);
		fclose(f);
		return -1;
	}
	uint64_t size = (uint64_t)st.st_size;
	if (size % DISK_SECTOR_SIZE != 0) {
		snprintf(err, errsize,
			 "%s: size %llu is not a multiple of %u bytes", path,
			 (unsigned long long)size, DISK_SECTOR_SIZE);
		fclose(f);
		return -1;
	}
	if (size / DISK_SECTOR_SIZE > UINT32_MAX) {
		snprintf(err, errsize,
			 "%s: size %llu is more than %lu sectors", path,
			 (unsigned long long)size, (unsigned long)UINT32_MAX);
		fclose(f);
		return -1;
	}

	overlay_free(d); /* it was the previous image's */
	if (d->file)
		fclose(d->file);
	d->file = f;
	d->nsectors = (uint32_t)(size / DISK_SECTOR_SIZE);
	return 0;
}

void dev_disk_set_private(struct dev_disk *d, bool on)
{
	if (!on)
		overlay_free(d);
	d->private_writes = on;
}
