/*
 * fuzz_common.c - the checks the harnesses share (see fuzz.h).
 */
#include "fuzz.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "fuzz: broken invariant: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

const char *fuzz_disk(int which)
{
	static int fds[2] = {-1, -1};
	static char paths[2][32];
	static uint8_t image[FUZZ_DISK_SECTORS * 512];
	if (which < 0 || which > 1)
		fuzz_fail("fuzz_disk(%d): only disks 0 and 1", which);
	if (fds[which] < 0) {
		char name[] = "/tmp/trapeze-fuzz-disk-XXXXXX";
		fds[which] = mkstemp(name);
		if (fds[which] < 0)
			fuzz_fail("fuzz_disk: no temporary file: %s", strerror(errno));
		unlink(name);
		snprintf(paths[which], sizeof paths[which], "/proc/self/fd/%d",
			 fds[which]);
		for (size_t i = 0; i < sizeof image; i++)
			image[i] = (uint8_t)(i / 512 + i % 512);
	}
	/* Written over, not truncated first: no run can change the file's
	 * size, and on ext4 truncating costs a discard and a flush on
	 * every close (a tenth of the vmm harness's time). */
	if (pwrite(fds[which], image, sizeof image, 0) != (ssize_t)sizeof image)
		fuzz_fail("fuzz_disk: cannot write the image: %s", strerror(errno));
	return paths[which];
}

uint32_t fuzz_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

void fuzz_check_image(const struct elf_image *img, const char *what)
{
	if (img->nsegments < 0 || img->nsymbols < 0)
		fuzz_fail("%s: negative counts (%d segments, %d symbols)", what,
			  img->nsegments, img->nsymbols);
	if (img->nsegments > 0 && !img->segments)
		fuzz_fail("%s: %d segments but no array", what, img->nsegments);
	if (img->nsymbols > 0 && !img->symbols)
		fuzz_fail("%s: %d symbols but no array", what, img->nsymbols);
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segments[i];
		if (!memchr(s->name, '\0', sizeof s->name))
			fuzz_fail("%s: segment %d: name not terminated", what, i);
		if (s->filesz > s->size)
			fuzz_fail("%s: segment %d: filesz %u > size %u", what, i,
				  s->filesz, s->size);
		if (s->filesz > 0 && !s->data)
			fuzz_fail("%s: segment %d: no data", what, i);
		if ((uint64_t)s->addr + s->size > (1ull << 32))
			fuzz_fail("%s: segment %d: 0x%x + 0x%x passes 4 GiB", what,
				  i, s->addr, s->size);
		if (s->flags & ~(ELF_SEG_R | ELF_SEG_W | ELF_SEG_X))
			fuzz_fail("%s: segment %d: flags 0x%x", what, i, s->flags);
		/* touch every byte, so that a short buffer shows under ASan */
		volatile uint8_t sum = 0;
		for (uint32_t k = 0; k < s->filesz; k++)
			sum ^= s->data[k];
		(void)sum;
		for (int j = 0; j < i; j++) {
			const struct elf_segment *o = &img->segments[j];
			if (s->size && o->size && s->addr < o->addr + (uint64_t)o->size &&
			    o->addr < s->addr + (uint64_t)s->size)
				fuzz_fail("%s: segments %d and %d overlap", what, j, i);
		}
	}
	for (int i = 0; i < img->nsymbols; i++) {
		const struct elf_symbol *y = &img->symbols[i];
		if (!y->name)
			fuzz_fail("%s: symbol %d has no name", what, i);
		if (y->segment < -1 || y->segment >= img->nsegments)
			fuzz_fail("%s: symbol '%s' in segment %d of %d", what,
				  y->name, y->segment, img->nsegments);
	}
}

static int symbol_order(const void *pa, const void *pb)
{
	const struct elf_symbol *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	if (a->segment != b->segment)
		return a->segment < b->segment ? -1 : 1;
	return (int)a->global - (int)b->global;
}

/* A sorted copy of the symbol array (the structs only; names shared). */
static struct elf_symbol *sorted_symbols(const struct elf_image *img)
{
	size_t n = (size_t)img->nsymbols;
	struct elf_symbol *s = malloc((n ? n : 1) * sizeof *s);
	if (!s)
		fuzz_fail("out of memory");
	if (n)
		memcpy(s, img->symbols, n * sizeof *s);
	qsort(s, n, sizeof *s, symbol_order);
	return s;
}

void fuzz_check_images_equal(const struct elf_image *a,
			     const struct elf_image *b, const char *what_a,
			     const char *what_b)
{
	if (a->entry != b->entry)
		fuzz_fail("entry 0x%x in %s, 0x%x in %s", a->entry, what_a,
			  b->entry, what_b);
	if (a->nsegments != b->nsegments)
		fuzz_fail("%d segments in %s, %d in %s", a->nsegments, what_a,
			  b->nsegments, what_b);
	for (int i = 0; i < a->nsegments; i++) {
		const struct elf_segment *x = &a->segments[i], *y = &b->segments[i];
		if (strcmp(x->name, y->name) || x->addr != y->addr ||
		    x->size != y->size || x->filesz != y->filesz ||
		    x->flags != y->flags ||
		    (x->filesz && memcmp(x->data, y->data, x->filesz)))
			fuzz_fail("segment %d: %s 0x%x+0x%x/0x%x f%u in %s, "
				  "%s 0x%x+0x%x/0x%x f%u in %s",
				  i, x->name, x->addr, x->size, x->filesz, x->flags,
				  what_a, y->name, y->addr, y->size, y->filesz,
				  y->flags, what_b);
	}
	if (a->nsymbols != b->nsymbols)
		fuzz_fail("%d symbols in %s, %d in %s", a->nsymbols, what_a,
			  b->nsymbols, what_b);
	struct elf_symbol *sa = sorted_symbols(a), *sb = sorted_symbols(b);
	for (int i = 0; i < a->nsymbols; i++)
		if (symbol_order(&sa[i], &sb[i]))
			fuzz_fail("symbol '%s'=0x%x (segment %d%s) in %s, "
				  "'%s'=0x%x (segment %d%s) in %s",
				  sa[i].name, sa[i].value, sa[i].segment,
				  sa[i].global ? ", global" : "", what_a,
				  sb[i].name, sb[i].value, sb[i].segment,
				  sb[i].global ? ", global" : "", what_b);
	free(sa);
	free(sb);
}
