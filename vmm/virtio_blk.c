/*
 * virtio_blk.c - the paravirtual block device: the I/O half of
 * paravirtualization, in the manner of virtio-blk.
 *
 * The emulated disk (machine/dev_disk.c) costs a VM one exit per register
 * access: SECTOR, ADDR, COUNT, CMD, then a poll of STATUS until DONE --
 * and the guest OS polls a 2000-cycle command about 160 times.  A guest
 * that knows it runs in a VM can do better, as virtio's guests do: it
 * writes its requests into rings in its own memory, which the VMM reads
 * directly, and tells the device once per batch.  Per batch: one exit for
 * NOTIFY, then an interrupt, however many requests the batch holds.
 *
 * The queue is virtio 1.0's split virtqueue (vmm.h has the layout):
 *
 *   descriptor table   num entries {addr, len, flags NEXT|WRITE, next}:
 *                      guest buffers, chained into requests
 *   available ring     {flags, idx, ring[num]}: the guest puts the head
 *                      of each new request in ring[idx % num], then idx++
 *   used ring          {flags, idx, ring[num] of {id, len}}: the device
 *                      puts back each request's head and the bytes it
 *                      wrote, then idx++
 *
 * A request is a chain of descriptors: a 16-byte header {type IN or OUT,
 * reserved, sector} the device reads; data buffers (written by the
 * device for IN, read for OUT), a multiple of 512 bytes in all; a status
 * byte the device writes (OK, IOERR, UNSUPP).
 *
 * Kept from virtio: the three areas and their layout, free-running 16-bit
 * indices, descriptor chaining, the WRITE flag, avail's NO_INTERRUPT
 * flag, the request format and status codes, an ISR that says why the
 * line is up.  Dropped: feature negotiation and the device-status
 * handshake (QUEUE_READY is the whole of it), more than one queue,
 * indirect descriptors, event indices (used_event, avail_event), the
 * FLUSH and GET_ID requests (writes go through to the image, as the
 * emulated disk's do), configuration space beyond CAPACITY, MSI-X.
 *
 * Time.  NOTIFY starts a batch; VBLK_LATENCY cycles of the VM's clock
 * later (the emulated disk's latency: the same disk) the device serves
 * every request the available ring holds then, in one go, as the
 * emulated disk moves its data at completion.  A NOTIFY while a batch is
 * in flight adds nothing: the batch takes what the ring holds when it
 * ends.  The host's work is charged per request (VMM_COST_VBLK_REQUEST).
 *
 * Isolation.  Every guest address the device uses -- the rings, each
 * descriptor's buffer -- goes through gpa_copy, which checks the whole
 * range against the VM's RAM and translates it page by page with
 * gpa_to_hpa.  The guest controls everything in the rings, so the device
 * trusts nothing there: a head or next index past the table, a chain
 * longer than the table (a loop, since the table has only num entries),
 * a buffer outside RAM or with the wrong direction, more data than one
 * request may carry -- each completes that request with IOERR (or, with
 * no status byte to write, with used len 0), and the work per batch is
 * bounded by num requests of at most num descriptors.  An available
 * index that runs more than num ahead of the device (no honest driver
 * does that) breaks the queue: ISR BROKEN, the queue stops until reset.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- little-endian fields in guest memory ----------------------------- */

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | le16(p + 2) << 16;
}

static void put_le16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, v);
	put_le16(p + 2, v >> 16);
}

static bool read_u16(struct vblk *b, uint32_t gpa, uint32_t *v)
{
	uint8_t raw[2];
	if (!gpa_copy(b->vm, gpa, raw, sizeof raw, false))
		return false;
	*v = le16(raw);
	return true;
}

/* ---- the interrupt ----------------------------------------------------- */

/* VBLK_IRQ is a level, like the bare machine's lines: up while ISR has a
 * reason in it. */
static void update_irq(struct vblk *b)
{
	if (b->isr)
		b->vm->irq_lines |= 1u << VBLK_IRQ;
	else
		b->vm->irq_lines &= ~(1u << VBLK_IRQ);
}

/* ---- one request --------------------------------------------------------- */

struct desc {
	uint32_t addr, len, flags, next;
};

/* A request's chain, as read from the descriptor table. */
struct chain {
	struct desc d[VBLK_QUEUE_MAX];
	uint32_t n;
};

/* Descriptor i of the table; false if it is not in RAM or its address
 * does not fit in 32 bits (PG32's physical addresses do not). */
static bool read_desc(struct vblk *b, uint32_t i, struct desc *d)
{
	uint8_t raw[VBLK_DESC_SIZE];
	if (!gpa_copy(b->vm, b->desc + i * VBLK_DESC_SIZE, raw, sizeof raw,
		      false) || le32(raw + 4) != 0)
		return false;
	d->addr = le32(raw);
	d->len = le32(raw + 8);
	d->flags = le16(raw + 12);
	d->next = le16(raw + 14);
	return true;
}

/* Follows the chain from head.  At most num descriptors: the table has
 * only num, so a longer chain visits one twice -- a loop. */
static bool read_chain(struct vblk *b, uint32_t head, struct chain *c)
{
	uint32_t i = head;
	for (c->n = 0; c->n < b->num; c->n++) {
		struct desc *d = &c->d[c->n];
		if (i >= b->num || !read_desc(b, i, d))
			return false;
		if (!(d->flags & VBLK_DESC_F_NEXT)) {
			c->n++;
			return true;
		}
		i = d->next;
	}
	return false; /* a loop, or longer than the table */
}

/* The data descriptors, d[1] .. d[n-2], all in the direction the request
 * needs, together at most VBLK_MAX_DATA bytes, whole sectors.  Returns
 * their total length, 0 if they are not so. */
static uint32_t data_length(const struct chain *c, bool device_writes)
{
	uint64_t total = 0;
	for (uint32_t k = 1; k + 1 < c->n; k++) {
		bool writes = c->d[k].flags & VBLK_DESC_F_WRITE;
		if (writes != device_writes)
			return 0;
		total += c->d[k].len;
	}
	if (total == 0 || total > VBLK_MAX_DATA || total % DISK_SECTOR_SIZE)
		return 0;
	return (uint32_t)total;
}

/* Moves the data buffers to (to_guest) or from the request's buffer. */
static bool move_data(struct vblk *b, const struct chain *c, bool to_guest)
{
	uint32_t at = 0;
	for (uint32_t k = 1; k + 1 < c->n; k++) {
		if (!gpa_copy(b->vm, c->d[k].addr, b->buffer + at, c->d[k].len,
			      to_guest))
			return false;
		at += c->d[k].len;
	}
	return true;
}

/* Carries out a request whose chain is well formed.  Returns the status
 * byte; *written is what the device wrote into the data buffers. */
static uint32_t serve(struct vblk *b, const struct chain *c, uint32_t *written)
{
	uint8_t hdr[VBLK_REQ_HEADER_SIZE];
	const struct desc *h = &c->d[0];
	*written = 0;
	if ((h->flags & VBLK_DESC_F_WRITE) || h->len < sizeof hdr ||
	    !gpa_copy(b->vm, h->addr, hdr, sizeof hdr, false))
		return VBLK_S_IOERR;
	uint32_t type = le32(hdr), sector = le32(hdr + 8);
	if (type != VBLK_T_IN && type != VBLK_T_OUT)
		return VBLK_S_UNSUPP;
	bool in = type == VBLK_T_IN;
	uint32_t len = data_length(c, in);
	if (len == 0 || le32(hdr + 12) != 0) /* a sector past 2^32: none */
		return VBLK_S_IOERR;
	uint32_t count = len / DISK_SECTOR_SIZE;
	if (in) {
		/* Every buffer is checked (read) before the disk is: a failed
		 * request moves nothing into guest memory. */
		if (!move_data(b, c, false) ||
		    !dev_disk_read_sectors(b->disk, sector, count, b->buffer) ||
		    !move_data(b, c, true))
			return VBLK_S_IOERR;
		*written = len;
		return VBLK_S_OK;
	}
	if (!move_data(b, c, false) ||
	    !dev_disk_write_sectors(b->disk, sector, count, b->buffer))
		return VBLK_S_IOERR;
	return VBLK_S_OK;
}

/* One request, from its head to its status byte.  Returns the used
 * ring's len: the bytes the device wrote into the chain (0 when it could
 * not even write the status byte). */
static uint32_t process_request(struct vblk *b, uint32_t head)
{
	struct chain c;
	if (!read_chain(b, head, &c) || c.n < 2)
		return 0;
	const struct desc *st = &c.d[c.n - 1];
	uint8_t status = VBLK_S_IOERR;
	if (!(st->flags & VBLK_DESC_F_WRITE) || st->len < 1 ||
	    !gpa_copy(b->vm, st->addr, &status, 1, false))
		return 0; /* nowhere to say how it went */
	uint32_t written;
	status = (uint8_t)serve(b, &c, &written);
	gpa_copy(b->vm, st->addr, &status, 1, true); /* in RAM: checked above */
	return written + 1;
}

/* ---- a batch: every request the available ring holds -------------------- */

static void post_used(struct vblk *b, uint32_t head, uint32_t len)
{
	uint8_t elem[VBLK_USED_ELEM_SIZE];
	put_le32(elem, head);
	put_le32(elem + 4, len);
	uint32_t slot = b->used_idx % b->num;
	gpa_copy(b->vm, b->used + VBLK_RING_HEADER + slot * VBLK_USED_ELEM_SIZE,
		 elem, sizeof elem, true); /* in RAM: checked at QUEUE_READY */
	b->used_idx++;
}

static void run_batch(struct vblk *b)
{
	uint32_t avail_flags, avail_idx;
	if (!read_u16(b, b->avail, &avail_flags) ||
	    !read_u16(b, b->avail + 2, &avail_idx))
		return; /* cannot happen: checked at QUEUE_READY */
	uint32_t pending = (uint16_t)(avail_idx - b->last_avail);
	if (pending > b->num) {
		/* More new entries than the ring has: the driver is broken,
		 * and nothing in the ring can be trusted. */
		b->ready = false;
		b->isr |= VBLK_ISR_BROKEN;
		update_irq(b);
		return;
	}
	for (uint32_t k = 0; k < pending; k++) {
		uint32_t slot = b->last_avail % b->num, head = UINT32_MAX;
		read_u16(b, b->avail + VBLK_RING_HEADER + slot * 2, &head);
		b->last_avail++;
		post_used(b, head, process_request(b, head));
		b->vm->stats.vblk_requests++;
		vm_charge_cycles(b->vm, vmm_cost(VMM_COST_VBLK_REQUEST));
	}
	uint8_t idx[2];
	put_le16(idx, b->used_idx);
	gpa_copy(b->vm, b->used + 2, idx, sizeof idx, true);
	if (pending > 0)
		b->isr |= VBLK_ISR_USED;
	/* The guest may ask for no interrupt (it polls the used index);
	 * ISR still says what happened. */
	if (!(avail_flags & VBLK_AVAIL_F_NO_INTERRUPT))
		update_irq(b);
}

/* ---- registers ------------------------------------------------------------- */

static bool power_of_two(uint32_t n)
{
	return n && !(n & (n - 1));
}

/* The rings the guest named, each whole in its RAM and aligned as virtio
 * asks; the device then touches no other address but the buffers. */
static bool queue_usable(struct vblk *b)
{
	uint32_t desc_bytes = b->num * VBLK_DESC_SIZE;
	uint32_t avail_bytes = VBLK_RING_HEADER + b->num * 2;
	uint32_t used_bytes = VBLK_RING_HEADER + b->num * VBLK_USED_ELEM_SIZE;
	return power_of_two(b->num) && b->num <= VBLK_QUEUE_MAX &&
	       b->desc % VBLK_DESC_SIZE == 0 && b->avail % 2 == 0 &&
	       b->used % 4 == 0 &&
	       (uint64_t)b->desc + desc_bytes <= b->vm->mem &&
	       (uint64_t)b->avail + avail_bytes <= b->vm->mem &&
	       (uint64_t)b->used + used_bytes <= b->vm->mem;
}

/* The request buffer, made when a queue first starts: a VM that never
 * uses the device costs no host memory for it.  No memory: the queue
 * does not start (QUEUE_READY reads 0), and the VM goes on. */
static bool have_buffer(struct vblk *b)
{
	if (!b->buffer)
		b->buffer = malloc(VBLK_MAX_DATA);
	return b->buffer != NULL;
}

/* QUEUE_READY = 0: the queue is forgotten, as after a virtio reset. */
static void reset_queue(struct vblk *b)
{
	b->ready = false;
	b->busy = false;
	b->last_avail = b->used_idx = 0;
	b->isr = 0;
	update_irq(b);
}

static uint32_t vblk_read(void *dev, uint32_t offset)
{
	struct vblk *b = dev;
	b->vm->stats.vblk_accesses++;
	switch (offset) {
	case VBLK_MAGIC: return VBLK_MAGIC_VALUE;
	case VBLK_CAPACITY: return b->disk->nsectors;
	case VBLK_QUEUE_NUM_MAX: return VBLK_QUEUE_MAX;
	case VBLK_QUEUE_NUM: return b->num;
	case VBLK_QUEUE_DESC: return b->desc;
	case VBLK_QUEUE_AVAIL: return b->avail;
	case VBLK_QUEUE_USED: return b->used;
	case VBLK_QUEUE_READY: return b->ready;
	case VBLK_ISR: return b->isr;
	default: return 0; /* NOTIFY, ACK: write-only; no register */
	}
}

/* The queue's registers can change only while it is stopped. */
static void set_queue_field(struct vblk *b, uint32_t *field, uint32_t value)
{
	if (!b->ready)
		*field = value;
}

static void vblk_write(void *dev, uint32_t offset, uint32_t value)
{
	struct vblk *b = dev;
	b->vm->stats.vblk_accesses++;
	switch (offset) {
	case VBLK_QUEUE_NUM: set_queue_field(b, &b->num, value); break;
	case VBLK_QUEUE_DESC: set_queue_field(b, &b->desc, value); break;
	case VBLK_QUEUE_AVAIL: set_queue_field(b, &b->avail, value); break;
	case VBLK_QUEUE_USED: set_queue_field(b, &b->used, value); break;
	case VBLK_QUEUE_READY:
		if (!value)
			reset_queue(b);
		else if (!b->ready)
			b->ready = queue_usable(b) && have_buffer(b);
		break;
	case VBLK_NOTIFY:
		if (b->ready && !b->busy) {
			b->busy = true;
			b->done_at = b->vm->cycles + VBLK_LATENCY;
		}
		break;
	case VBLK_ACK:
		b->isr &= ~value;
		update_irq(b);
		break;
	default: /* read-only registers; other offsets */
		break;
	}
}

/* The batch in flight ends when its time comes. */
static uint64_t vblk_tick(void *dev, uint64_t now)
{
	struct vblk *b = dev;
	if (!b->busy)
		return DEV_NEVER;
	if (now < b->done_at)
		return b->done_at;
	b->busy = false;
	if (b->ready)
		run_batch(b);
	return DEV_NEVER;
}

static uint64_t vblk_deadline(void *dev)
{
	const struct vblk *b = dev;
	return b->busy ? b->done_at : DEV_NEVER;
}

const struct dev_ops vblk_ops = {
	.name = "vblk",
	.read = vblk_read,
	.write = vblk_write,
	.tick = vblk_tick,
	.deadline = vblk_deadline,
};

void vblk_init(struct vblk *b, struct vm *vm, struct dev_disk *disk)
{
	memset(b, 0, sizeof *b);
	b->vm = vm;
	b->disk = disk;
}

void vblk_destroy(struct vblk *b)
{
	free(b->buffer);
	b->buffer = NULL;
}
