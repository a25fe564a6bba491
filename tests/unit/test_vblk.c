/*
 * test_vblk.c - the paravirtual block device's ring processing
 * (vmm/virtio_blk.c), on a real VM: its guest memory is scrambled host
 * frames, so every ring and buffer access goes through gpa_to_hpa.
 *
 * Each test makes one VM of 1 MiB with a disk of IMAGE_SECTORS sectors
 * (every byte of sector s is SECTOR_BYTE(s)), writes a queue into guest
 * memory as a driver would, sets the device's registers, writes NOTIFY,
 * moves the VM's clock to the device's deadline and runs its devices'
 * clocks (vm_service_devices), then reads what the device left: the used
 * ring, status bytes, data, ISR and the VM's interrupt lines.
 *
 * The guest memory map of the tests:
 *
 *   0x00010000  DESC    the descriptor table (QNUM entries)
 *   0x00010400  AVAIL   the available ring
 *   0x00010800  USED    the used ring
 *   0x00011000  HDR     request headers, 16 bytes each
 *   0x00011800  STAT    status bytes, one each
 *   0x00020000  DATA    data buffers
 *   0x00100000  GMEM    end of guest RAM
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../vmm/internal.h"

#define GMEM 0x00100000u
#define DESC 0x00010000u
#define AVAIL 0x00010400u
#define USED 0x00010800u
#define HDR 0x00011000u
#define STAT 0x00011800u
#define DATA 0x00020000u
#define QNUM 16u
#define IMAGE_SECTORS 16
#define SECTOR_BYTE(s) ((uint8_t)(0xa0 + (s)))
#define UNTOUCHED 0x5a /* what a status byte holds before the device writes */

struct t {
	struct vmm *v;
	struct vm *vm;
	char path[64];
	uint16_t avail_idx; /* the driver's next available entry */
};

/* ---- the fixture ---------------------------------------------------------- */

static void make_disk_file(char *path)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	uint8_t sector[DISK_SECTOR_SIZE];
	for (int s = 0; s < IMAGE_SECTORS; s++) {
		memset(sector, SECTOR_BYTE(s), sizeof sector);
		assert_int_equal(write(fd, sector, sizeof sector), sizeof sector);
	}
	close(fd);
}

static struct t *make(bool disk_private)
{
	struct t *t = calloc(1, sizeof *t);
	assert_non_null(t);
	strcpy(t->path, "/tmp/test_vblk_disk_XXXXXX");
	make_disk_file(t->path);
	uint32_t mem = GMEM;
	struct vmm_config cfg = {.host_ram = vmm_host_ram_for(&mem, 1)};
	t->v = vmm_new(&cfg);
	assert_non_null(t->v);
	static uint8_t code[8]; /* never runs: the tests drive the device */
	struct elf_segment seg = {.name = ".text", .addr = 0x1000, .size = 8,
				  .filesz = 8, .flags = ELF_SEG_R | ELF_SEG_X,
				  .data = code};
	struct elf_image img = {.entry = 0x1000, .segments = &seg, .nsegments = 1};
	struct vm_config vc = {.image = &img, .mem = GMEM, .disk = t->path,
			       .disk_private = disk_private};
	char err[200];
	assert_int_equal(vmm_add_vm(t->v, &vc, err, sizeof err), 0);
	t->vm = t->v->vms[0];
	return t;
}

static int setup(void **state)
{
	*state = make(false);
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	vmm_free(t->v);
	unlink(t->path);
	free(t);
	return 0;
}

/* ---- guest memory, as the driver writes it -------------------------------- */

static void gput(struct t *t, uint32_t gpa, const void *bytes, uint32_t len)
{
	assert_true(gpa_copy(t->vm, gpa, (void *)bytes, len, true));
}

static void gget(struct t *t, uint32_t gpa, void *bytes, uint32_t len)
{
	assert_true(gpa_copy(t->vm, gpa, bytes, len, false));
}

static uint32_t gget16(struct t *t, uint32_t gpa)
{
	uint8_t b[2];
	gget(t, gpa, b, 2);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8;
}

static uint32_t gget32(struct t *t, uint32_t gpa)
{
	return gget16(t, gpa) | gget16(t, gpa + 2) << 16;
}

static void gput16(struct t *t, uint32_t gpa, uint32_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	gput(t, gpa, b, 2);
}

static void gput32(struct t *t, uint32_t gpa, uint32_t v)
{
	gput16(t, gpa, v & 0xffff);
	gput16(t, gpa + 2, v >> 16);
}

static void put_desc(struct t *t, uint32_t i, uint32_t addr, uint32_t len,
		     uint32_t flags, uint32_t next)
{
	uint32_t at = DESC + i * VBLK_DESC_SIZE;
	gput32(t, at, addr);
	gput32(t, at + 4, 0);
	gput32(t, at + 8, len);
	gput16(t, at + 12, flags);
	gput16(t, at + 14, next);
}

/* Request n's header at HDR + 16n and its status byte at STAT + n. */
static uint32_t put_header(struct t *t, uint32_t n, uint32_t type,
			   uint32_t sector)
{
	uint32_t at = HDR + n * VBLK_REQ_HEADER_SIZE;
	gput32(t, at, type);
	gput32(t, at + 4, 0);
	gput32(t, at + 8, sector);
	gput32(t, at + 12, 0);
	uint8_t untouched = UNTOUCHED;
	gput(t, STAT + n, &untouched, 1);
	return at;
}

/* The simplest request n: descriptors 3n (header), 3n+1 (len bytes of
 * data at data), 3n+2 (status). */
static void put_request(struct t *t, uint32_t n, uint32_t type,
			uint32_t sector, uint32_t data, uint32_t len)
{
	uint32_t d = 3 * n;
	put_desc(t, d, put_header(t, n, type, sector), VBLK_REQ_HEADER_SIZE,
		 VBLK_DESC_F_NEXT, d + 1);
	put_desc(t, d + 1, data, len, VBLK_DESC_F_NEXT |
		 (type == VBLK_T_IN ? VBLK_DESC_F_WRITE : 0), d + 2);
	put_desc(t, d + 2, STAT + n, 1, VBLK_DESC_F_WRITE, 0);
}

/* The driver makes a chain available (not yet notified). */
static void publish(struct t *t, uint32_t head)
{
	gput16(t, AVAIL + VBLK_RING_HEADER + (t->avail_idx % QNUM) * 2, head);
	t->avail_idx++;
	gput16(t, AVAIL + 2, t->avail_idx);
}

static void reg(struct t *t, uint32_t offset, uint32_t value)
{
	vblk_ops.write(&t->vm->vblk, offset, value);
}

static uint32_t reg_read(struct t *t, uint32_t offset)
{
	return vblk_ops.read(&t->vm->vblk, offset);
}

/* Sets the queue up at DESC, AVAIL, USED with QNUM entries. */
static void start_queue(struct t *t)
{
	reg(t, VBLK_QUEUE_NUM, QNUM);
	reg(t, VBLK_QUEUE_DESC, DESC);
	reg(t, VBLK_QUEUE_AVAIL, AVAIL);
	reg(t, VBLK_QUEUE_USED, USED);
	reg(t, VBLK_QUEUE_READY, 1);
	assert_int_equal(reg_read(t, VBLK_QUEUE_READY), 1);
}

/* NOTIFY, then the VM's clock to the device's deadline, and its clocks run. */
static void notify_and_finish(struct t *t)
{
	uint64_t at = t->vm->cycles;
	reg(t, VBLK_NOTIFY, 0);
	vm_devices_touched(t->vm);
	assert_int_equal(vm_next_deadline(t->vm), at + VBLK_LATENCY);
	t->vm->cycles = at + VBLK_LATENCY;
	vm_service_devices(t->vm);
}

static uint8_t status_of(struct t *t, uint32_t n)
{
	uint8_t s;
	gget(t, STAT + n, &s, 1);
	return s;
}

static uint32_t used_idx(struct t *t)
{
	return gget16(t, USED + 2);
}

static void expect_used(struct t *t, uint32_t slot, uint32_t id, uint32_t len)
{
	uint32_t at = USED + VBLK_RING_HEADER + slot * VBLK_USED_ELEM_SIZE;
	assert_int_equal(gget32(t, at), id);
	assert_int_equal(gget32(t, at + 4), len);
}

/* Is every byte of len at gpa equal to byte? */
static bool all_bytes(struct t *t, uint32_t gpa, uint32_t len, uint8_t byte)
{
	for (uint32_t i = 0; i < len; i++) {
		uint8_t b;
		gget(t, gpa + i, &b, 1);
		if (b != byte)
			return false;
	}
	return true;
}

static bool irq_up(struct t *t)
{
	return t->vm->irq_lines & (1u << VBLK_IRQ);
}

/* ---- the tests --------------------------------------------------------------- */

/* A good chain: header, one data buffer, status.  The sector arrives, the
 * status byte is OK, the used ring holds {head, data + 1}, and VBLK_IRQ
 * is up with ISR = USED until ACK. */
static void test_good_chain_reads_a_sector(void **state)
{
	struct t *t = *state;
	start_queue(t);
	assert_int_equal(reg_read(t, VBLK_MAGIC), VBLK_MAGIC_VALUE);
	assert_int_equal(reg_read(t, VBLK_CAPACITY), IMAGE_SECTORS);
	put_request(t, 0, VBLK_T_IN, 5, DATA, DISK_SECTOR_SIZE);
	publish(t, 0);
	notify_and_finish(t);
	assert_true(all_bytes(t, DATA, DISK_SECTOR_SIZE, SECTOR_BYTE(5)));
	assert_int_equal(status_of(t, 0), VBLK_S_OK);
	assert_int_equal(used_idx(t), 1);
	expect_used(t, 0, 0, DISK_SECTOR_SIZE + 1);
	assert_true(irq_up(t));
	assert_int_equal(reg_read(t, VBLK_ISR), VBLK_ISR_USED);
	reg(t, VBLK_ACK, VBLK_ISR_USED);
	assert_false(irq_up(t));
	assert_int_equal(reg_read(t, VBLK_ISR), 0);
}

/* Nothing happens before the batch's time: the device serves it at
 * NOTIFY + VBLK_LATENCY, the emulated disk's latency. */
static void test_nothing_before_the_latency(void **state)
{
	struct t *t = *state;
	start_queue(t);
	put_request(t, 0, VBLK_T_IN, 1, DATA, DISK_SECTOR_SIZE);
	publish(t, 0);
	reg(t, VBLK_NOTIFY, 0);
	t->vm->cycles += VBLK_LATENCY - 1;
	vm_service_devices(t->vm);
	assert_int_equal(used_idx(t), 0);
	assert_int_equal(status_of(t, 0), UNTOUCHED);
	assert_false(irq_up(t));
	t->vm->cycles += 1;
	vm_service_devices(t->vm);
	assert_int_equal(used_idx(t), 1);
}

/* One request's data in three chained buffers, scattered: 4 sectors
 * land in order across them. */
static void test_chained_descriptors_scatter(void **state)
{
	struct t *t = *state;
	start_queue(t);
	const uint32_t a = DATA + 0x3000, b = DATA, c = DATA + 0x8000;
	put_desc(t, 2, put_header(t, 0, VBLK_T_IN, 3), VBLK_REQ_HEADER_SIZE,
		 VBLK_DESC_F_NEXT, 6);
	put_desc(t, 6, a, 512, VBLK_DESC_F_NEXT | VBLK_DESC_F_WRITE, 1);
	put_desc(t, 1, b, 1024, VBLK_DESC_F_NEXT | VBLK_DESC_F_WRITE, 7);
	put_desc(t, 7, c, 512, VBLK_DESC_F_NEXT | VBLK_DESC_F_WRITE, 4);
	put_desc(t, 4, STAT, 1, VBLK_DESC_F_WRITE, 0);
	publish(t, 2);
	notify_and_finish(t);
	assert_int_equal(status_of(t, 0), VBLK_S_OK);
	assert_true(all_bytes(t, a, 512, SECTOR_BYTE(3)));
	assert_true(all_bytes(t, b, 512, SECTOR_BYTE(4)));
	assert_true(all_bytes(t, b + 512, 512, SECTOR_BYTE(5)));
	assert_true(all_bytes(t, c, 512, SECTOR_BYTE(6)));
	expect_used(t, 0, 2, 4 * 512 + 1);
}

/* Two requests, one NOTIFY: both served in the one batch, in ring
 * order, and counted. */
static void test_one_notify_serves_the_batch(void **state)
{
	struct t *t = *state;
	start_queue(t);
	put_request(t, 0, VBLK_T_IN, 7, DATA, DISK_SECTOR_SIZE);
	put_request(t, 1, VBLK_T_IN, 8, DATA + 0x1000, 2 * DISK_SECTOR_SIZE);
	publish(t, 3);
	publish(t, 0);
	notify_and_finish(t);
	assert_int_equal(used_idx(t), 2);
	expect_used(t, 0, 3, 2 * DISK_SECTOR_SIZE + 1);
	expect_used(t, 1, 0, DISK_SECTOR_SIZE + 1);
	assert_true(all_bytes(t, DATA, 512, SECTOR_BYTE(7)));
	assert_true(all_bytes(t, DATA + 0x1000 + 512, 512, SECTOR_BYTE(9)));
	assert_int_equal(t->vm->stats.vblk_requests, 2);
}

/* The used index wraps past 2^16 like virtio's: the ring slot is idx
 * mod QNUM, the index free-running. */
static void test_used_ring_index_wraps(void **state)
{
	struct t *t = *state;
	start_queue(t);
	t->vm->vblk.last_avail = t->vm->vblk.used_idx = 0xffff;
	t->avail_idx = 0xffff;
	put_request(t, 0, VBLK_T_IN, 2, DATA, DISK_SECTOR_SIZE);
	put_request(t, 1, VBLK_T_IN, 3, DATA + 0x1000, DISK_SECTOR_SIZE);
	publish(t, 0);
	publish(t, 3);
	notify_and_finish(t);
	assert_int_equal(used_idx(t), 1);
	expect_used(t, 0xffff % QNUM, 0, DISK_SECTOR_SIZE + 1);
	expect_used(t, 0, 3, DISK_SECTOR_SIZE + 1);
	assert_int_equal(status_of(t, 1), VBLK_S_OK);
}

/* OUT writes the sectors to the image; the next IN reads them back. */
static void test_write_request_reaches_the_disk(void **state)
{
	struct t *t = *state;
	start_queue(t);
	uint8_t data[DISK_SECTOR_SIZE];
	memset(data, 0x3c, sizeof data);
	gput(t, DATA, data, sizeof data);
	put_request(t, 0, VBLK_T_OUT, 9, DATA, DISK_SECTOR_SIZE);
	publish(t, 0);
	notify_and_finish(t);
	assert_int_equal(status_of(t, 0), VBLK_S_OK);
	expect_used(t, 0, 0, 1);
	uint8_t back[DISK_SECTOR_SIZE];
	assert_true(dev_disk_read_sectors(&t->vm->disk, 9, 1, back));
	assert_memory_equal(back, data, sizeof data);
	FILE *f = fopen(t->path, "rb"); /* written through, as the disk does */
	assert_non_null(f);
	assert_int_equal(fseek(f, 9 * DISK_SECTOR_SIZE, SEEK_SET), 0);
	assert_int_equal(fread(back, 1, sizeof back, f), sizeof back);
	fclose(f);
	assert_memory_equal(back, data, sizeof data);
}

/* A private disk: the write stays in the VM's overlay; the file keeps its
 * bytes, and the VM reads its own write back (as dev_disk does). */
static void test_private_disk_keeps_the_file(void **state)
{
	teardown(state);
	struct t *t = make(true);
	*state = t;
	start_queue(t);
	uint8_t data[DISK_SECTOR_SIZE];
	memset(data, 0x77, sizeof data);
	gput(t, DATA, data, sizeof data);
	put_request(t, 0, VBLK_T_OUT, 4, DATA, DISK_SECTOR_SIZE);
	put_request(t, 1, VBLK_T_IN, 4, DATA + 0x1000, DISK_SECTOR_SIZE);
	publish(t, 0);
	publish(t, 3);
	notify_and_finish(t);
	assert_int_equal(status_of(t, 0), VBLK_S_OK);
	assert_int_equal(status_of(t, 1), VBLK_S_OK);
	assert_true(all_bytes(t, DATA + 0x1000, 512, 0x77));
	FILE *f = fopen(t->path, "rb");
	assert_non_null(f);
	uint8_t back[DISK_SECTOR_SIZE];
	assert_int_equal(fseek(f, 4 * DISK_SECTOR_SIZE, SEEK_SET), 0);
	assert_int_equal(fread(back, 1, sizeof back, f), sizeof back);
	fclose(f);
	for (unsigned i = 0; i < sizeof back; i++)
		assert_int_equal(back[i], SECTOR_BYTE(4));
}

/* A data buffer outside RAM: IOERR, and nothing moves -- not even into
 * the request's other, good buffer. */
static void test_bad_gpa_data_is_ioerr(void **state)
{
	struct t *t = *state;
	start_queue(t);
	put_desc(t, 0, put_header(t, 0, VBLK_T_IN, 1), VBLK_REQ_HEADER_SIZE,
		 VBLK_DESC_F_NEXT, 1);
	put_desc(t, 1, DATA, 512, VBLK_DESC_F_NEXT | VBLK_DESC_F_WRITE, 2);
	put_desc(t, 2, GMEM - 256, 512, VBLK_DESC_F_NEXT | VBLK_DESC_F_WRITE, 3);
	put_desc(t, 3, STAT, 1, VBLK_DESC_F_WRITE, 0);
	publish(t, 0);
	notify_and_finish(t);
	assert_int_equal(status_of(t, 0), VBLK_S_IOERR);
	assert_true(all_bytes(t, DATA, 512, 0));
	assert_true(all_bytes(t, GMEM - 256, 256, 0));
	expect_used(t, 0, 0, 1);
}

/* The header or the status byte outside RAM, or a descriptor address
 * above 4 GiB: no status can be had or given; the used entry says len 0,
 * and the next request in the batch is served all the same. */
static void test_bad_gpa_status_or_header(void **state)
{
	struct t *t = *state;
	start_queue(t);
	put_request(t, 0, VBLK_T_IN, 1, DATA, DISK_SECTOR_SIZE);
	put_desc(t, 2, 0xfffffff0u, 1, VBLK_DESC_F_WRITE, 0); /* status */
	put_request(t, 1, VBLK_T_IN, 2, DATA + 0x1000, DISK_SECTOR_SIZE);
	put_desc(t, 3, GMEM, VBLK_REQ_HEADER_SIZE, VBLK_DESC_F_NEXT, 4);
	put_request(t, 2, VBLK_T_IN, 2, DATA + 0x2000, DISK_SECTOR_SIZE);
	gput32(t, DESC + 6 * VBLK_DESC_SIZE + 4, 1); /* addr's high word */
	publish(t, 0);
	publish(t, 3);
	publish(t, 6);
	notify_and_finish(t);
	assert_int_equal(used_idx(t), 3);
	expect_used(t, 0, 0, 0);
	expect_used(t, 1, 3, 1);
	assert_int_equal(status_of(t, 1), VBLK_S_IOERR);
	expect_used(t, 2, 6, 0);
	assert_true(all_bytes(t, DATA, 512, 0));
	assert_true(all_bytes(t, DATA + 0x1000, 512, 0));
	assert_true(all_bytes(t, DATA + 0x2000, 512, 0));
}

/* A chain that loops (0 -> 1 -> 0), a next past the table, a head past
 * the table: each completes with len 0, nothing read or written, and the
 * device goes on with the next request. */
static void test_loop_and_indices_past_the_table(void **state)
{
	struct t *t = *state;
	start_queue(t);
	put_desc(t, 0, put_header(t, 0, VBLK_T_IN, 1), VBLK_REQ_HEADER_SIZE,
		 VBLK_DESC_F_NEXT, 1);
	put_desc(t, 1, DATA, 512, VBLK_DESC_F_NEXT | VBLK_DESC_F_WRITE, 0);
	put_desc(t, 2, put_header(t, 1, VBLK_T_IN, 1), VBLK_REQ_HEADER_SIZE,
		 VBLK_DESC_F_NEXT, QNUM);
	/* just past the table, a status descriptor the device must not use */
	put_desc(t, QNUM, STAT + 1, 1, VBLK_DESC_F_WRITE, 0);
	put_request(t, 2, VBLK_T_IN, 11, DATA + 0x1000, DISK_SECTOR_SIZE);
	publish(t, 0);
	publish(t, 2);
	publish(t, QNUM + 5);
	publish(t, 6);
	notify_and_finish(t);
	assert_int_equal(used_idx(t), 4);
	expect_used(t, 0, 0, 0);
	expect_used(t, 1, 2, 0);
	expect_used(t, 2, QNUM + 5, 0);
	expect_used(t, 3, 6, DISK_SECTOR_SIZE + 1);
	assert_true(all_bytes(t, DATA, 512, 0));
	assert_int_equal(status_of(t, 0), UNTOUCHED);
	assert_int_equal(status_of(t, 1), UNTOUCHED);
	assert_int_equal(status_of(t, 2), VBLK_S_OK);
}

/* Too long: more data than one request may carry (VBLK_MAX_DATA), and a
 * chain with as many descriptors as the table (the longest there can
 * be) that is fine.  The first is IOERR with nothing moved. */
static void test_too_long(void **state)
{
	struct t *t = *state;
	start_queue(t);
	put_request(t, 0, VBLK_T_IN, 0, DATA, VBLK_MAX_DATA + DISK_SECTOR_SIZE);
	publish(t, 0);
	notify_and_finish(t);
	assert_int_equal(status_of(t, 0), VBLK_S_IOERR);
	expect_used(t, 0, 0, 1);
	assert_true(all_bytes(t, DATA, 1024, 0));

	/* QNUM descriptors: header, QNUM - 2 sectors, status. */
	put_desc(t, 0, put_header(t, 1, VBLK_T_IN, 0), VBLK_REQ_HEADER_SIZE,
		 VBLK_DESC_F_NEXT, 1);
	for (uint32_t k = 1; k + 1 < QNUM; k++)
		put_desc(t, k, DATA + k * 512, 512,
			 VBLK_DESC_F_NEXT | VBLK_DESC_F_WRITE, k + 1);
	put_desc(t, QNUM - 1, STAT + 1, 1, VBLK_DESC_F_WRITE, 0);
	publish(t, 0);
	notify_and_finish(t);
	assert_int_equal(status_of(t, 1), VBLK_S_OK);
	expect_used(t, 1, 0, (QNUM - 2) * 512 + 1);
	assert_true(all_bytes(t, DATA + (QNUM - 2) * 512, 512,
			      SECTOR_BYTE(QNUM - 3)));
}

/* The status byte for each way a well-formed chain can still be wrong. */
static void test_status_byte(void **state)
{
	struct t *t = *state;
	start_queue(t);
	put_request(t, 0, 7, 0, DATA, DISK_SECTOR_SIZE); /* unknown type */
	put_request(t, 1, VBLK_T_IN, IMAGE_SECTORS - 1, DATA + 0x1000,
		    2 * DISK_SECTOR_SIZE); /* past the end of the disk */
	put_request(t, 2, VBLK_T_IN, 0, DATA + 0x2000, 100); /* not whole */
	publish(t, 0);
	publish(t, 3);
	publish(t, 6);
	notify_and_finish(t);
	assert_int_equal(status_of(t, 0), VBLK_S_UNSUPP);
	assert_int_equal(status_of(t, 1), VBLK_S_IOERR);
	assert_int_equal(status_of(t, 2), VBLK_S_IOERR);
	assert_true(all_bytes(t, DATA + 0x1000, 1024, 0));

	/* the data buffer in the wrong direction: the device would write a
	 * buffer the driver gave it to read */
	put_request(t, 0, VBLK_T_IN, 0, DATA, DISK_SECTOR_SIZE);
	put_desc(t, 1, DATA, DISK_SECTOR_SIZE, VBLK_DESC_F_NEXT, 2);
	publish(t, 0);
	notify_and_finish(t);
	assert_int_equal(status_of(t, 0), VBLK_S_IOERR);
	assert_true(all_bytes(t, DATA, 512, 0));
}

/* avail's NO_INTERRUPT: the used ring is updated, the line stays down. */
static void test_no_interrupt_flag(void **state)
{
	struct t *t = *state;
	start_queue(t);
	gput16(t, AVAIL, VBLK_AVAIL_F_NO_INTERRUPT);
	put_request(t, 0, VBLK_T_IN, 1, DATA, DISK_SECTOR_SIZE);
	publish(t, 0);
	notify_and_finish(t);
	assert_int_equal(used_idx(t), 1);
	assert_false(irq_up(t));
}

/* An available index more than QNUM ahead: the queue is broken, stopped,
 * ISR says so and the line is up; nothing is served; a reset (READY 0)
 * and a new start make it work again. */
static void test_avail_index_run_away_breaks_the_queue(void **state)
{
	struct t *t = *state;
	start_queue(t);
	put_request(t, 0, VBLK_T_IN, 1, DATA, DISK_SECTOR_SIZE);
	gput16(t, AVAIL + 2, QNUM + 1);
	notify_and_finish(t);
	assert_int_equal(used_idx(t), 0);
	assert_int_equal(reg_read(t, VBLK_ISR), VBLK_ISR_BROKEN);
	assert_int_equal(reg_read(t, VBLK_QUEUE_READY), 0);
	assert_true(irq_up(t));
	reg(t, VBLK_QUEUE_READY, 0);
	assert_false(irq_up(t));
	gput16(t, AVAIL + 2, 0);
	start_queue(t);
	publish(t, 0);
	notify_and_finish(t);
	assert_int_equal(status_of(t, 0), VBLK_S_OK);
}

/* QUEUE_READY checks the rings: a size that is no power of two or too
 * large, a ring past RAM or misaligned leave the queue stopped, and
 * NOTIFY then does nothing. */
static void test_ready_checks_the_rings(void **state)
{
	struct t *t = *state;
	const struct {
		uint32_t num, desc, avail, used;
	} bad[] = {
		{0, DESC, AVAIL, USED},
		{6, DESC, AVAIL, USED},
		{VBLK_QUEUE_MAX * 2, DESC, AVAIL, USED},
		{QNUM, GMEM - 64, AVAIL, USED},
		{QNUM, DESC, GMEM - 4, USED},
		{QNUM, DESC, AVAIL, GMEM - 8},
		{QNUM, DESC + 8, AVAIL, USED},
		{QNUM, DESC, AVAIL + 1, USED},
		{QNUM, DESC, AVAIL, USED + 2},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		reg(t, VBLK_QUEUE_NUM, bad[i].num);
		reg(t, VBLK_QUEUE_DESC, bad[i].desc);
		reg(t, VBLK_QUEUE_AVAIL, bad[i].avail);
		reg(t, VBLK_QUEUE_USED, bad[i].used);
		reg(t, VBLK_QUEUE_READY, 1);
		assert_int_equal(reg_read(t, VBLK_QUEUE_READY), 0);
	}
	reg(t, VBLK_NOTIFY, 0);
	vm_devices_touched(t->vm);
	assert_true(vm_next_deadline(t->vm) == DEV_NEVER);
	/* and a running queue's registers stay as they were */
	start_queue(t);
	reg(t, VBLK_QUEUE_DESC, GMEM + 0x1000);
	assert_int_equal(reg_read(t, VBLK_QUEUE_DESC), DESC);
}

/* The device is in every VM, at VBLK_BASE, and a guest store to NOTIFY
 * is an ordinary emulated device access (one exit). */
static void test_attached_at_its_base(void **state)
{
	struct t *t = *state;
	assert_true(vm_is_device(t->vm, VBLK_BASE + VBLK_NOTIFY));
	assert_true(vmm_vm_is_device(t->v, 0, VBLK_BASE));
	assert_false(vmm_vm_is_device(t->v, 0, VBLK_BASE + PAGE_SIZE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_good_chain_reads_a_sector),
		T(test_nothing_before_the_latency),
		T(test_chained_descriptors_scatter),
		T(test_one_notify_serves_the_batch),
		T(test_used_ring_index_wraps),
		T(test_write_request_reaches_the_disk),
		T(test_private_disk_keeps_the_file),
		T(test_bad_gpa_data_is_ioerr),
		T(test_bad_gpa_status_or_header),
		T(test_loop_and_indices_past_the_table),
		T(test_too_long),
		T(test_status_byte),
		T(test_no_interrupt_flag),
		T(test_avail_index_run_away_breaks_the_queue),
		T(test_ready_checks_the_rings),
		T(test_attached_at_its_base),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
