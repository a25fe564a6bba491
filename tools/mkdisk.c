/*
 * mkdisk.c - build guestos's disk image from user programs.
 *
 *   build/mkdisk OUT.disk NAME=FILE.elf [NAME=FILE.elf ...]
 *
 * Each program becomes one process when guestos boots, in the order
 * given (the first gets pid 1).  The image is a sequence of 512-byte
 * sectors (the disk device's unit):
 *
 *   sector 0   the table of contents, all fields little-endian words:
 *                +0   magic 0x534f4750 (the bytes "PGOS")
 *                +4   count, 1..15
 *                +8   count entries of 32 bytes:
 *                       +0  name[16]     NUL-padded, at most 15 bytes
 *                       +16 first sector of the image
 *                       +20 size of the image in bytes
 *                       +24 load address (user virtual, page-aligned)
 *                       +28 entry point
 *   sector 1.. each program's image, starting on a sector boundary and
 *              zero-padded to a whole number of sectors
 *
 * An image is the program's ELF segments flattened into one blob: from
 * the lowest segment address to the end of the highest segment, each
 * segment's bytes at its offset, gaps and bss as zeros.  The kernel
 * loads the blob at the load address and maps all of it user
 * read/write/execute; the heap starts at the next page boundary.
 *
 * The checks below mirror the kernel's (guestos/proc.s, proc_load), so a
 * mistake is reported here, with its reason, rather than at boot.
 * Exit status: 0, or 1 with "mkdisk: REASON" on stderr.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../isa/elf.h"

#define SECTOR_SIZE 512u
#define TOC_MAGIC 0x534f4750u /* "PGOS" read as a little-endian word */
#define TOC_MAX 15u           /* (512 - 8) / 32 entries fit in sector 0 */
#define TOC_ENTRY_SIZE 32u
#define NAME_SIZE 16u         /* including the terminating NUL */
#define PAGE_SIZE 4096u
#define USER_BASE 0x00400000u /* lowest user address (guestos/param.inc) */
#define PROG_MAX 0x00100000u  /* largest image the kernel accepts */

/* One program as it goes on the disk. */
struct program {
	char name[NAME_SIZE];
	uint8_t *blob; /* size bytes, malloc'd */
	uint32_t size, load, entry;
	uint32_t first_sector;
};

/* Stores v little-endian at p: the disk format is fixed, whatever the host. */
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Returns the number of sectors that hold size bytes. */
static uint32_t sectors_for(uint32_t size)
{
	return (size + SECTOR_SIZE - 1) / SECTOR_SIZE;
}

/*
 * Flattens img's segments into p (load, size, entry, blob).  Returns 0,
 * or -1 with the reason in err.
 */
static int flatten(const struct elf_image *img, struct program *p, char *err,
		   size_t errsize)
{
	if (img->nsegments == 0) {
		snprintf(err, errsize, "no loadable segment");
		return -1;
	}
	uint64_t lo = UINT64_MAX, hi = 0;
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segments[i];
		if (s->addr < lo)
			lo = s->addr;
		if ((uint64_t)s->addr + s->size > hi)
			hi = (uint64_t)s->addr + s->size;
	}
	if (lo % PAGE_SIZE != 0 || lo < USER_BASE) {
		snprintf(err, errsize,
			 "lowest address 0x%08llx is not a page-aligned user "
			 "address (link at 0x%08x with .org)",
			 (unsigned long long)lo, USER_BASE);
		return -1;
	}
	if (hi - lo > PROG_MAX) {
		snprintf(err, errsize, "image of %llu bytes is larger than %u",
			 (unsigned long long)(hi - lo), PROG_MAX);
		return -1;
	}
	if (img->entry < lo || img->entry >= hi || img->entry % 4 != 0) {
		snprintf(err, errsize, "entry 0x%08x is not inside the image",
			 img->entry);
		return -1;
	}
	p->load = (uint32_t)lo;
	p->size = (uint32_t)(hi - lo);
	p->entry = img->entry;
	p->blob = calloc(1, p->size);
	if (!p->blob) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segments[i];
		/* filesz <= size is the ELF reader's promise; the rest is zero. */
		memcpy(p->blob + (s->addr - p->load), s->data, s->filesz);
	}
	return 0;
}

/*
 * Parses "NAME=FILE.elf" into p.  Returns 0, or -1 with the reason in err.
 */
static int load_program(const char *arg, struct program *p, char *err,
			size_t errsize)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || eq[1] == '\0') {
		snprintf(err, errsize, "'%s': expected NAME=FILE.elf", arg);
		return -1;
	}
	size_t len = (size_t)(eq - arg);
	if (len >= NAME_SIZE) {
		snprintf(err, errsize, "'%.*s': a name has at most %u bytes",
			 (int)len, arg, NAME_SIZE - 1);
		return -1;
	}
	memset(p->name, 0, sizeof p->name);
	memcpy(p->name, arg, len);

	struct elf_image img;
	char why[256];
	if (elf_read_file(eq + 1, &img, why, sizeof why) != 0) {
		snprintf(err, errsize, "%s: %s", eq + 1, why);
		return -1;
	}
	int rc = flatten(&img, p, why, sizeof why);
	elf_image_free(&img);
	if (rc != 0)
		snprintf(err, errsize, "%s: %s", eq + 1, why);
	return rc;
}

/*
 * Writes the table of contents and the images to path.  Returns 0, or
 * -1 with the reason in err.
 */
static int write_disk(const char *path, const struct program *progs,
		      uint32_t n, char *err, size_t errsize)
{
	uint8_t toc[SECTOR_SIZE] = {0};
	put32(toc + 0, TOC_MAGIC);
	put32(toc + 4, n);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *e = toc + 8 + i * TOC_ENTRY_SIZE;
		memcpy(e, progs[i].name, NAME_SIZE);
		put32(e + 16, progs[i].first_sector);
		put32(e + 20, progs[i].size);
		put32(e + 24, progs[i].load);
		put32(e + 28, progs[i].entry);
	}
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	static const uint8_t zeros[SECTOR_SIZE];
	int ok = fwrite(toc, 1, sizeof toc, f) == sizeof toc;
	for (uint32_t i = 0; ok && i < n; i++) {
		uint32_t pad = sectors_for(progs[i].size) * SECTOR_SIZE -
			       progs[i].size;
		ok = fwrite(progs[i].blob, 1, progs[i].size, f) ==
			     progs[i].size &&
		     fwrite(zeros, 1, pad, f) == pad;
	}
	if (fclose(f) != 0)
		ok = 0;
	if (!ok) {
		snprintf(err, errsize, "%s: write error", path);
		remove(path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: mkdisk OUT.disk NAME=FILE.elf ...\n");
		return 1;
	}
	uint32_t n = (uint32_t)(argc - 2);
	if (n > TOC_MAX) {
		fprintf(stderr, "mkdisk: %u programs; at most %u fit\n", n,
			TOC_MAX);
		return 1;
	}
	struct program *progs = calloc(n, sizeof *progs);
	if (!progs) {
		fprintf(stderr, "mkdisk: out of memory\n");
		return 1;
	}
	char err[512];
	int status = 0;
	uint32_t next_sector = 1; /* sector 0 is the table of contents */
	for (uint32_t i = 0; i < n; i++) {
		if (load_program(argv[i + 2], &progs[i], err, sizeof err) != 0) {
			fprintf(stderr, "mkdisk: %s\n", err);
			status = 1;
			break;
		}
		progs[i].first_sector = next_sector;
		next_sector += sectors_for(progs[i].size);
	}
	if (status == 0 &&
	    write_disk(argv[1], progs, n, err, sizeof err) != 0) {
		fprintf(stderr, "mkdisk: %s\n", err);
		status = 1;
	}
	for (uint32_t i = 0; i < n; i++)
		free(progs[i].blob);
	free(progs);
	return status;
}
