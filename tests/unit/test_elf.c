/*
 * test_elf.c - ELF32 image writer and reader.
 *
 * The reader's tests start from a valid file written by the writer and
 * break one field at a time, checking the exact reason given; then every
 * prefix of the file and a few thousand random corruptions, which must be
 * refused or read without harm (run this under ASan).
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

#include "../../isa/elf.h"

/* ---- a sample image -------------------------------------------------- */

/*
 * .text  0x1000, 16 bytes, r-x
 * .data  0x2000, 8 bytes in the file, 64 in memory, rw-
 * .bss   0x3000, none in the file, 256 in memory, rw-
 * symbols, locals first (so the image reads back in the same order).
 */
struct sample {
	uint8_t text[16];
	uint8_t data[8];
	struct elf_segment segs[3];
	struct elf_symbol syms[5];
	struct elf_image img;
};

static void sample_init(struct sample *s)
{
	memset(s, 0, sizeof *s);
	for (int i = 0; i < 16; i++)
		s->text[i] = (uint8_t)(0x40 + i);
	memcpy(s->data, "hello!!", 8);
	s->segs[0] = (struct elf_segment){".text", 0x1000, 16, 16,
					  ELF_SEG_R | ELF_SEG_X, s->text};
	s->segs[1] = (struct elf_segment){".data", 0x2000, 64, 8,
					  ELF_SEG_R | ELF_SEG_W, s->data};
	s->segs[2] = (struct elf_segment){".bss", 0x3000, 0x100, 0,
					  ELF_SEG_R | ELF_SEG_W, NULL};
	s->syms[0] = (struct elf_symbol){"loop", 0x1004, false, 0};
	s->syms[1] = (struct elf_symbol){"SIZE", 42, false, -1};
	s->syms[2] = (struct elf_symbol){"_start", 0x1000, true, 0};
	s->syms[3] = (struct elf_symbol){"msg", 0x2000, true, 1};
	s->syms[4] = (struct elf_symbol){"buf", 0x3000, true, 2};
	s->img = (struct elf_image){0x1000, s->segs, 3, s->syms, 5};
}

/* Field offsets in the sample file, from the ELF32 layout. */
#define E_ENTRY 24
#define E_PHOFF 28
#define E_SHOFF 32
#define E_EHSIZE 40
#define E_PHENTSIZE 42
#define E_PHNUM 44
#define E_SHENTSIZE 46
#define E_SHNUM 48
#define E_SHSTRNDX 50
#define PH(i) (52 + 32 * (i))
#define P_TYPE 0
#define P_OFFSET 4
#define P_VADDR 8
#define P_PADDR 12
#define P_FILESZ 16
#define P_MEMSZ 20
#define P_FLAGS 24
#define SH_TYPE 4
#define SH_ADDR 12
#define SH_OFFSET 16
#define SH_SIZE 20
#define SH_LINK 24
#define SH_INFO 28
#define SH_ENTSIZE 36
/* sections of the sample */
#define SEC_TEXT 1
#define SEC_BSS 3
#define SEC_SYMTAB 4
#define SEC_STRTAB 5
#define SEC_SHSTRTAB 6

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

/* Offset of section header i's field in buf. */
static size_t sh(const uint8_t *buf, int i, int field)
{
	return get32(buf + E_SHOFF) + 40u * (unsigned)i + (unsigned)field;
}

/* Offset of symbol i's first byte in buf. */
static size_t sym(const uint8_t *buf, int i)
{
	return get32(buf + sh(buf, SEC_SYMTAB, SH_OFFSET)) + 16u * (unsigned)i;
}

static void write_sample(uint8_t **buf, size_t *len)
{
	struct sample s;
	sample_init(&s);
	char err[256] = "";
	if (elf_write_buffer(&s.img, buf, len, err, sizeof err) != 0)
		fail_msg("write: %s", err);
}

static void assert_zeroed(const struct elf_image *img)
{
	assert_int_equal(img->entry, 0);
	assert_null(img->segments);
	assert_int_equal(img->nsegments, 0);
	assert_null(img->symbols);
	assert_int_equal(img->nsymbols, 0);
}

static void assert_images_equal(const struct elf_image *a,
				const struct elf_image *b)
{
	assert_int_equal(a->entry, b->entry);
	assert_int_equal(a->nsegments, b->nsegments);
	for (int i = 0; i < a->nsegments; i++) {
		const struct elf_segment *x = &a->segments[i], *y = &b->segments[i];
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->addr, y->addr);
		assert_int_equal(x->size, y->size);
		assert_int_equal(x->filesz, y->filesz);
		assert_int_equal(x->flags, y->flags);
		if (x->filesz)
			assert_memory_equal(x->data, y->data, x->filesz);
	}
	assert_int_equal(a->nsymbols, b->nsymbols);
	for (int i = 0; i < a->nsymbols; i++) {
		const struct elf_symbol *x = &a->symbols[i], *y = &b->symbols[i];
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->value, y->value);
		assert_int_equal(x->global, y->global);
		assert_int_equal(x->segment, y->segment);
	}
}

/* ---- round trip ------------------------------------------------------ */

static void test_round_trip(void **state)
{
	(void)state;
	struct sample s;
	sample_init(&s);
	uint8_t *buf;
	size_t len;
	char err[256] = "";
	assert_int_equal(elf_write_buffer(&s.img, &buf, &len, err, sizeof err), 0);

	/* The bytes a loader relies on */
	assert_memory_equal(buf, "\x7f" "ELF\x01\x01\x01", 7);
	assert_int_equal(buf[18] | buf[19] << 8, EM_PG32);
	assert_int_equal(get32(buf + E_ENTRY), 0x1000);
	for (int i = 0; i < 3; i++) {
		/* p_offset and p_vaddr agree modulo the page size */
		assert_int_equal(get32(buf + PH(i) + P_OFFSET) % 0x1000,
				 get32(buf + PH(i) + P_VADDR) % 0x1000);
		assert_int_equal(get32(buf + PH(i) + P_TYPE), 1 /* PT_LOAD */);
	}
	assert_memory_equal(buf + get32(buf + PH(0) + P_OFFSET), s.text, 16);
	assert_int_equal(get32(buf + sh(buf, SEC_BSS, SH_TYPE)), 8 /* NOBITS */);
	/* sh_info: the first global symbol, after null + 2 locals */
	assert_int_equal(get32(buf + sh(buf, SEC_SYMTAB, SH_INFO)), 3);

	struct elf_image back;
	assert_int_equal(elf_read_buffer(buf, len, &back, err, sizeof err), 0);
	assert_images_equal(&s.img, &back);

	/* Writing what was read gives the same bytes. */
	uint8_t *buf2;
	size_t len2;
	assert_int_equal(elf_write_buffer(&back, &buf2, &len2, err, sizeof err), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(buf2, buf, len);

	elf_image_free(&back);
	assert_zeroed(&back);
	elf_image_free(&back); /* safe on a zeroed image */
	free(buf);
	free(buf2);
}

/* Symbols given globals-first come back locals-first (ELF's order). */
static void test_round_trip_reorders_locals_first(void **state)
{
	(void)state;
	struct sample s;
	sample_init(&s);
	struct elf_symbol syms[3] = {
		{"_start", 0x1000, true, 0},
		{"loop", 0x1004, false, 0},
		{"msg", 0x2000, true, 1},
	};
	s.img.symbols = syms;
	s.img.nsymbols = 3;
	uint8_t *buf;
	size_t len;
	char err[256] = "";
	assert_int_equal(elf_write_buffer(&s.img, &buf, &len, err, sizeof err), 0);
	struct elf_image back;
	assert_int_equal(elf_read_buffer(buf, len, &back, err, sizeof err), 0);
	assert_int_equal(back.nsymbols, 3);
	assert_string_equal(back.symbols[0].name, "loop");
	assert_false(back.symbols[0].global);
	assert_string_equal(back.symbols[1].name, "_start");
	assert_string_equal(back.symbols[2].name, "msg");
	assert_int_equal(back.symbols[2].segment, 1);
	elf_image_free(&back);
	free(buf);
}

/* Odd but legal: an unaligned, empty segment and no symbols. */
static void test_round_trip_edge_cases(void **state)
{
	(void)state;
	struct sample s;
	sample_init(&s);
	s.segs[2] = (struct elf_segment){"empty", 0x3003, 0, 0, ELF_SEG_R, NULL};
	s.img.symbols = NULL;
	s.img.nsymbols = 0;
	uint8_t *buf;
	size_t len;
	char err[256] = "";
	assert_int_equal(elf_write_buffer(&s.img, &buf, &len, err, sizeof err), 0);
	assert_int_equal(get32(buf + PH(2) + P_OFFSET) % 0x1000, 0x003);
	struct elf_image back;
	assert_int_equal(elf_read_buffer(buf, len, &back, err, sizeof err), 0);
	assert_images_equal(&s.img, &back);
	elf_image_free(&back);
	free(buf);
}

static void test_file_round_trip_and_errors(void **state)
{
	(void)state;
	char path[] = "/tmp/test_elf_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);

	struct sample s;
	sample_init(&s);
	char err[512] = "";
	assert_int_equal(elf_write_file(&s.img, path, err, sizeof err), 0);
	struct elf_image back;
	assert_int_equal(elf_read_file(path, &back, err, sizeof err), 0);
	assert_images_equal(&s.img, &back);
	elf_image_free(&back);

	/* Parse errors name the file */
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs("#!/bin/sh\n", f);
	fclose(f);
	assert_int_equal(elf_read_file(path, &back, err, sizeof err), -1);
	char expect[600];
	snprintf(expect, sizeof expect, "%s: not an ELF file (bad magic)", path);
	assert_string_equal(err, expect);
	assert_zeroed(&back);
	unlink(path);

	assert_int_equal(elf_read_file("/nonexistent/x.elf", &back, err,
				       sizeof err),
			 -1);
	assert_string_equal(err,
			    "cannot open /nonexistent/x.elf: No such file or directory");
	assert_int_equal(elf_write_file(&s.img, "/nonexistent/x.elf", err,
					sizeof err),
			 -1);
	assert_string_equal(err,
			    "cannot create /nonexistent/x.elf: No such file or directory");
}

/* ---- the writer refuses what the reader would refuse ---------------- */

static void expect_write_error(const struct elf_image *img, const char *reason)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[256] = "";
	assert_int_equal(elf_write_buffer(img, &buf, &len, err, sizeof err), -1);
	assert_string_equal(err, reason);
	assert_null(buf);
}

static void test_write_refusals(void **state)
{
	(void)state;
	struct sample s;

	sample_init(&s);
	s.segs[1].addr = 0x100c;
	expect_write_error(&s.img, "segments 0 and 1 overlap");

	sample_init(&s);
	s.segs[2].addr = 0xffffff00;
	s.segs[2].size = 0x101;
	expect_write_error(&s.img, "segment 2 overflows the address space");

	sample_init(&s);
	s.segs[1].filesz = 0x41;
	expect_write_error(&s.img, "segment 1: file size 0x41 > memory size 0x40");

	sample_init(&s);
	s.img.entry = 0x2000;
	expect_write_error(&s.img,
			   "entry point 0x2000 is not inside an executable segment");

	sample_init(&s);
	s.img.entry = 0x1010; /* one past .text */
	expect_write_error(&s.img,
			   "entry point 0x1010 is not inside an executable segment");

	sample_init(&s);
	s.img.entry = 0x1002;
	expect_write_error(&s.img, "entry point 0x1002 is not a multiple of 4");

	sample_init(&s);
	s.img.nsegments = 0;
	s.img.nsymbols = 0;
	expect_write_error(&s.img,
			   "entry point 0x1000 is not inside an executable segment");

	sample_init(&s);
	s.segs[0].name[0] = '\0';
	expect_write_error(&s.img,
			   "segment 0: name empty or longer than 15 characters");

	sample_init(&s);
	memset(s.segs[1].name, 'x', sizeof s.segs[1].name);
	expect_write_error(&s.img,
			   "segment 1: name empty or longer than 15 characters");

	sample_init(&s);
	s.segs[0].flags |= 8;
	expect_write_error(&s.img, "segment 0: unknown flags 0xd");

	sample_init(&s);
	s.segs[0].data = NULL;
	expect_write_error(&s.img, "segment 0: data missing");

	sample_init(&s);
	s.syms[3].name = "";
	expect_write_error(&s.img, "symbol 3 has no name");

	sample_init(&s);
	s.syms[0].segment = 3;
	expect_write_error(&s.img, "symbol loop: segment 3 out of range");

	sample_init(&s);
	s.img.nsegments = 65;
	expect_write_error(&s.img, "too many segments (65, at most 64)");

	sample_init(&s);
	s.img.nsymbols = 65536;
	expect_write_error(&s.img, "too many symbols (65536, at most 65535)");
}

/* ---- the reader refuses what is malformed ---------------------------- */

/* Reads buf[0..len) and checks that it is refused for reason. */
static void expect_read_error(const uint8_t *buf, size_t len,
			      const char *reason)
{
	struct elf_image img;
	memset(&img, 0x5a, sizeof img);
	char err[256] = "";
	int rc = elf_read_buffer(buf, len, &img, err, sizeof err);
	if (rc != -1)
		fail_msg("accepted; expected \"%s\"", reason);
	assert_string_equal(err, reason);
	assert_zeroed(&img);
}

/* A copy of the sample file, to corrupt. */
struct file {
	uint8_t *b;
	size_t len;
};

static struct file fresh(void)
{
	struct file f;
	write_sample(&f.b, &f.len);
	return f;
}

/* Replaces f with a fresh copy of the sample, applies stmt to it and
 * checks that the result is refused for reason. */
#define CORRUPT(stmt, reason)                          \
	do {                                           \
		free(f.b);                             \
		f = fresh();                           \
		stmt;                                  \
		expect_read_error(f.b, f.len, reason); \
	} while (0)

static void test_read_refusals_header(void **state)
{
	(void)state;
	struct file f = fresh();
	const size_t full = f.len; /* the length of an intact file */
	char expect[256];

	expect_read_error(f.b, 0, "not an ELF file (bad magic)");
	expect_read_error((const uint8_t *)"\x7f" "EL", 3,
			  "truncated file: header says 52 bytes, file has 3");
	expect_read_error(f.b, 51,
			  "truncated file: header says 52 bytes, file has 51");
	expect_read_error((const uint8_t *)"MZ", 2, "not an ELF file (bad magic)");

	CORRUPT(f.b[0] = 0, "not an ELF file (bad magic)");
	CORRUPT(f.b[3] = 'f', "not an ELF file (bad magic)");
	CORRUPT(f.b[4] = 2, "not a 32-bit ELF file");
	CORRUPT(f.b[5] = 2, "not little-endian");
	CORRUPT(f.b[6] = 0, "unsupported ELF version 0");
	CORRUPT(put32(f.b + 20, 2), "unsupported ELF version 2");
	CORRUPT(put16(f.b + 18, 0x3e),
		"not a PG32 image (e_machine 0x3e, expected 0x5047)");
	CORRUPT(put16(f.b + 16, 1), "not an executable (e_type 1)");
	CORRUPT(put16(f.b + E_EHSIZE, 64), "bad e_ehsize 64 (expected 52)");
	CORRUPT(put16(f.b + E_PHNUM, 0), "no program headers");
	CORRUPT(put16(f.b + E_PHNUM, 65),
		"too many program headers (65, at most 64)");
	CORRUPT(put16(f.b + E_PHNUM, 0xffff),
		"too many program headers (65535, at most 64)");
	CORRUPT(put16(f.b + E_PHENTSIZE, 56), "bad e_phentsize 56 (expected 32)");

	snprintf(expect, sizeof expect,
		 "e_phoff 0x%zx is past the end of the file (%zu bytes)", full,
		 full);
	CORRUPT(put32(f.b + E_PHOFF, (uint32_t)full), expect);
	snprintf(expect, sizeof expect,
		 "truncated file: header says %zu bytes, file has %zu",
		 full - 40 + 96, full);
	CORRUPT(put32(f.b + E_PHOFF, (uint32_t)f.len - 40), expect);
	snprintf(expect, sizeof expect,
		 "e_phoff 0xffffffff is past the end of the file (%zu bytes)",
		 full);
	CORRUPT(put32(f.b + E_PHOFF, 0xffffffff), expect);

	/* Section header table */
	CORRUPT(put16(f.b + E_SHNUM, 0),
		"extended section numbering is not supported (e_shnum 0)");
	CORRUPT(put16(f.b + E_SHENTSIZE, 32), "bad e_shentsize 32 (expected 40)");
	snprintf(expect, sizeof expect,
		 "e_shoff 0x%zx is past the end of the file (%zu bytes)", full,
		 full);
	CORRUPT(put32(f.b + E_SHOFF, (uint32_t)f.len), expect);
	CORRUPT(put32(f.b + E_SHOFF, 0),
		"e_shnum is 7 but there is no section header table");
	snprintf(expect, sizeof expect,
		 "truncated file: header says %zu bytes, file has %zu", full,
		 full - 1);
	CORRUPT(f.len--, expect);
	snprintf(expect, sizeof expect,
		 "truncated file: header says %zu bytes, file has %zu",
		 (size_t)get32(f.b + E_SHOFF) + 65535 * 40, full);
	CORRUPT(put16(f.b + E_SHNUM, 0xffff), expect);
	CORRUPT(put16(f.b + E_SHSTRNDX, 7), "e_shstrndx 7 out of range (7 sections)");
	CORRUPT(put16(f.b + E_SHSTRNDX, 0xffff),
		"e_shstrndx 65535 out of range (7 sections)");
	CORRUPT(put16(f.b + E_SHSTRNDX, SEC_TEXT),
		"section 1 (e_shstrndx) is not a string table");
	CORRUPT(f.b[get32(f.b + sh(f.b, SEC_SHSTRTAB, SH_OFFSET)) +
		    get32(f.b + sh(f.b, SEC_SHSTRTAB, SH_SIZE)) - 1] = 'x',
		"section 6 (e_shstrndx) is not a string table");
	CORRUPT(put32(f.b + sh(f.b, 2, SH_OFFSET), 0xfffffff0),
		"section 2 runs past the end of the file");
	CORRUPT(put32(f.b + sh(f.b, 2, SH_SIZE), (uint32_t)f.len),
		"section 2 runs past the end of the file");
	free(f.b);
}

static void test_read_refusals_segments(void **state)
{
	(void)state;
	struct file f = fresh();

	CORRUPT(put32(f.b + PH(1) + P_FILESZ, 0x41),
		"program header 1: p_filesz 0x41 > p_memsz 0x40");
	CORRUPT(put32(f.b + PH(0) + P_PADDR, 0x1004),
		"program header 0: p_vaddr 0x1000 != p_paddr 0x1004");
	CORRUPT(put32(f.b + PH(1) + P_OFFSET, (uint32_t)f.len - 4),
		"program header 1 runs past the end of the file");
	CORRUPT(put32(f.b + PH(1) + P_OFFSET, 0xfffffffc),
		"program header 1 runs past the end of the file");
	CORRUPT(put32(f.b + PH(2) + P_OFFSET, (uint32_t)f.len + 1),
		"program header 2 runs past the end of the file");
	CORRUPT((put32(f.b + PH(2) + P_VADDR, 0xffffff00),
		 put32(f.b + PH(2) + P_PADDR, 0xffffff00),
		 put32(f.b + PH(2) + P_MEMSZ, 0x101)),
		"segment 2 overflows the address space");
	CORRUPT((put32(f.b + PH(2) + P_VADDR, 0x1ffc),
		 put32(f.b + PH(2) + P_PADDR, 0x1ffc),
		 put32(f.b + PH(2) + P_MEMSZ, 0xffffffff)),
		"segment 2 overflows the address space");
	CORRUPT((put32(f.b + PH(1) + P_VADDR, 0x100c),
		 put32(f.b + PH(1) + P_PADDR, 0x100c)),
		"segments 0 and 1 overlap");
	CORRUPT((put32(f.b + PH(2) + P_VADDR, 0x203c),
		 put32(f.b + PH(2) + P_PADDR, 0x203c)),
		"segments 1 and 2 overlap");
	CORRUPT(put32(f.b + E_ENTRY, 0x2000),
		"entry point 0x2000 is not inside an executable segment");
	CORRUPT(put32(f.b + E_ENTRY, 0x1010),
		"entry point 0x1010 is not inside an executable segment");
	CORRUPT(put32(f.b + E_ENTRY, 0x1006),
		"entry point 0x1006 is not a multiple of 4");
	CORRUPT(put32(f.b + PH(0) + P_FLAGS, ELF_SEG_R),
		"entry point 0x1000 is not inside an executable segment");
	/* A segment that is not PT_LOAD is not loaded, so .bss's symbol
	 * now points nowhere. */
	CORRUPT(put32(f.b + PH(2) + P_TYPE, 4 /* PT_NOTE */),
		"symbol 5 (buf) is in section 3, which is not a loaded segment");
	free(f.b);
}

static void test_read_refusals_symbols(void **state)
{
	(void)state;
	struct file f = fresh();

	CORRUPT(put32(f.b + sh(f.b, SEC_SYMTAB, SH_ENTSIZE), 24),
		"symbol table: bad sh_entsize 24 (expected 16)");
	CORRUPT(put32(f.b + sh(f.b, SEC_SYMTAB, SH_SIZE), 95),
		"symbol table: size 95 is not a multiple of 16");
	CORRUPT(put32(f.b + sh(f.b, SEC_SYMTAB, SH_LINK), 0),
		"symbol table: sh_link 0 is not a string table");
	CORRUPT(put32(f.b + sh(f.b, SEC_SYMTAB, SH_LINK), 99),
		"symbol table: sh_link 99 is not a string table");
	CORRUPT(put32(f.b + sh(f.b, SEC_SYMTAB, SH_LINK), SEC_TEXT),
		"symbol table: sh_link 1 is not a string table");
	CORRUPT(f.b[get32(f.b + sh(f.b, SEC_STRTAB, SH_OFFSET)) +
		    get32(f.b + sh(f.b, SEC_STRTAB, SH_SIZE)) - 1] = 'x',
		"string table 5 does not end with a NUL");
	CORRUPT(put32(f.b + sh(f.b, SEC_STRTAB, SH_SIZE), 0),
		"string table 5 does not end with a NUL");
	CORRUPT(put32(f.b + sh(f.b, SEC_SYMTAB, SH_INFO), 7),
		"symbol table: sh_info 7 out of range (6 symbols)");
	CORRUPT(put32(f.b + sym(f.b, 1), 0x1000),
		"symbol 1: name offset 0x1000 out of range");
	CORRUPT(put16(f.b + sym(f.b, 1) + 14, 0), "symbol 1 (loop) is undefined");
	CORRUPT(put16(f.b + sym(f.b, 1) + 14, SEC_SYMTAB),
		"symbol 1 (loop) is in section 4, which is not a loaded segment");
	CORRUPT(put16(f.b + sym(f.b, 4) + 14, 7),
		"symbol 4 (msg) is in section 7, which is not a loaded segment");
	CORRUPT(put16(f.b + sym(f.b, 4) + 14, 0xff00),
		"symbol 4 (msg) is in section 65280, which is not a loaded segment");
	free(f.b);

	/* More entries than the cap: a symbol table of 65537 null symbols
	 * appended to the file. */
	struct file big = fresh();
	size_t n = 65537, extra = n * 16;
	uint8_t *b = calloc(1, big.len + extra);
	assert_non_null(b);
	memcpy(b, big.b, big.len);
	put32(b + sh(b, SEC_SYMTAB, SH_OFFSET), (uint32_t)big.len);
	put32(b + sh(b, SEC_SYMTAB, SH_SIZE), (uint32_t)extra);
	expect_read_error(b, big.len + extra, "too many symbols (65537, at most 65536)");
	/* ...and exactly the cap is fine (all null: no symbols) */
	put32(b + sh(b, SEC_SYMTAB, SH_SIZE), 65536 * 16);
	put32(b + sh(b, SEC_SYMTAB, SH_INFO), 1);
	struct elf_image img;
	char err[256] = "";
	assert_int_equal(elf_read_buffer(b, big.len + extra, &img, err, sizeof err), 0);
	assert_int_equal(img.nsymbols, 0);
	elf_image_free(&img);
	free(b);
	free(big.b);
}

/* Things the reader accepts that the writer never produces. */
static void test_read_tolerated(void **state)
{
	(void)state;
	struct file f = fresh();
	struct elf_image img;
	char err[256] = "";

	/* No section headers at all: loadable, names made up, no symbols */
	put32(f.b + E_SHOFF, 0);
	put16(f.b + E_SHNUM, 0);
	put16(f.b + E_SHSTRNDX, 0);
	assert_int_equal(elf_read_buffer(f.b, f.len, &img, err, sizeof err), 0);
	assert_int_equal(img.nsegments, 3);
	assert_string_equal(img.segments[0].name, "seg0");
	assert_string_equal(img.segments[2].name, "seg2");
	assert_int_equal(img.segments[1].filesz, 8);
	assert_memory_equal(img.segments[1].data, "hello!!", 8);
	assert_int_equal(img.nsymbols, 0);
	elf_image_free(&img);
	free(f.b);

	/* Sections without names: segments "segN", symbols still there */
	f = fresh();
	put16(f.b + E_SHSTRNDX, 0);
	assert_int_equal(elf_read_buffer(f.b, f.len, &img, err, sizeof err), 0);
	assert_string_equal(img.segments[0].name, "seg0");
	assert_int_equal(img.nsymbols, 5);
	elf_image_free(&img);
	free(f.b);

	/* A PT_NULL header is skipped; the .bss symbol made a constant */
	f = fresh();
	put32(f.b + PH(2) + P_TYPE, 0);
	put16(f.b + sym(f.b, 5) + 14, 0xfff1 /* SHN_ABS */);
	assert_int_equal(elf_read_buffer(f.b, f.len, &img, err, sizeof err), 0);
	assert_int_equal(img.nsegments, 2);
	assert_string_equal(img.symbols[4].name, "buf");
	assert_int_equal(img.symbols[4].segment, -1);
	elf_image_free(&img);
	free(f.b);

	/* Section and file symbols are not labels */
	f = fresh();
	f.b[sym(f.b, 1) + 12] = 3; /* STB_LOCAL, STT_SECTION */
	assert_int_equal(elf_read_buffer(f.b, f.len, &img, err, sizeof err), 0);
	assert_int_equal(img.nsymbols, 4);
	assert_string_equal(img.symbols[0].name, "SIZE");
	elf_image_free(&img);
	free(f.b);

	/* Flag bits beyond R, W, X (e.g. PF_MASKOS) are dropped */
	f = fresh();
	put32(f.b + PH(0) + P_FLAGS, 0x0ff00005);
	assert_int_equal(elf_read_buffer(f.b, f.len, &img, err, sizeof err), 0);
	assert_int_equal(img.segments[0].flags, ELF_SEG_R | ELF_SEG_X);
	elf_image_free(&img);
	free(f.b);
}

/* ---- robustness ------------------------------------------------------ */

static void test_every_prefix_refused(void **state)
{
	(void)state;
	uint8_t *buf;
	size_t len;
	write_sample(&buf, &len);
	for (size_t n = 0; n < len; n++) {
		/* A copy of exactly n bytes, so ASan sees any read past it. */
		uint8_t *copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, buf, n);
		struct elf_image img;
		char err[256] = "";
		int rc = elf_read_buffer(copy, n, &img, err, sizeof err);
		if (rc != -1)
			fail_msg("a prefix of %zu of %zu bytes was accepted", n, len);
		assert_true(err[0] != '\0');
		assert_zeroed(&img);
		free(copy);
	}
	free(buf);
}

/* A small deterministic generator (xorshift32): the seed is fixed so that
 * a failure can be reproduced. */
static uint32_t next_random(uint32_t *state)
{
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* What every accepted image must satisfy. */
static void check_invariants(const struct elf_image *img)
{
	assert_true(img->nsegments >= 1 && img->nsegments <= 64);
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segments[i];
		assert_true(s->filesz <= s->size);
		assert_true((uint64_t)s->addr + s->size <= (uint64_t)1 << 32);
		assert_true(strlen(s->name) < sizeof s->name);
		if (s->filesz)
			assert_non_null(s->data);
	}
	for (int i = 0; i < img->nsymbols; i++) {
		assert_true(img->symbols[i].segment >= -1 &&
			    img->symbols[i].segment < img->nsegments);
		assert_true(img->symbols[i].name[0] != '\0');
	}
}

static void test_random_corruption(void **state)
{
	(void)state;
	uint8_t *buf;
	size_t len;
	write_sample(&buf, &len);
	uint32_t shoff = get32(buf + E_SHOFF);
	uint32_t symoff = get32(buf + sh(buf, SEC_SYMTAB, SH_OFFSET));
	uint32_t rng = 0x2545f491;
	int accepted = 0, refused = 0;
	uint8_t *copy = malloc(len);
	assert_non_null(copy);
	for (int iter = 0; iter < 5000; iter++) {
		memcpy(copy, buf, len);
		int flips = 1 + (int)(next_random(&rng) % 4);
		for (int k = 0; k < flips; k++) {
			/* Aim mostly at the headers and tables, where a
			 * flipped byte changes what the reader does. */
			uint32_t r = next_random(&rng), pos;
			switch (r % 4) {
			case 0:
			case 1:
				pos = (r >> 8) % 148; /* ELF + program headers */
				break;
			case 2:
				pos = shoff + (r >> 8) % (uint32_t)(len - shoff);
				break;
			default:
				pos = symoff + (r >> 8) % (shoff - symoff);
				break;
			}
			copy[pos] = (uint8_t)next_random(&rng);
		}
		struct elf_image img;
		char err[256] = "";
		if (elf_read_buffer(copy, len, &img, err, sizeof err) == 0) {
			check_invariants(&img);
			/* The writer takes whatever the reader accepts, and
			 * its output reads back the same image. */
			uint8_t *out;
			size_t outlen;
			struct elf_image again;
			if (elf_write_buffer(&img, &out, &outlen, err, sizeof err))
				fail_msg("iteration %d: read, but write refused: %s",
					 iter, err);
			assert_int_equal(elf_read_buffer(out, outlen, &again, err,
							 sizeof err),
					 0);
			assert_int_equal(again.entry, img.entry);
			assert_int_equal(again.nsegments, img.nsegments);
			assert_int_equal(again.nsymbols, img.nsymbols);
			elf_image_free(&again);
			free(out);
			elf_image_free(&img);
			accepted++;
		} else {
			assert_true(err[0] != '\0');
			assert_zeroed(&img);
			refused++;
		}
	}
	/* Both outcomes happen, or the test tests little. */
	assert_true(accepted > 100);
	assert_true(refused > 100);
	free(copy);
	free(buf);
}

/* ---- symbols --------------------------------------------------------- */

static void test_symbol_lookup(void **state)
{
	(void)state;
	struct elf_segment seg = {".text", 0x1000, 0x20, 0, ELF_SEG_R | ELF_SEG_X,
				  NULL};
	struct elf_symbol syms[] = {
		{"here", 0x1000, false, 0},
		{"_start", 0x1000, true, 0},
		{"loop", 0x1004, false, 0},
		{"again", 0x1004, false, 0},
		{"TEN", 0x1008, false, -1},
		{"dup", 1, false, -1},
		{"dup", 2, true, -1},
		{"dup", 3, true, -1},
	};
	struct elf_image img = {0x1000, &seg, 1, syms, 8};

	assert_string_equal(elf_symbol_at(&img, 0x1000), "_start"); /* global wins */
	assert_string_equal(elf_symbol_at(&img, 0x1004), "loop"); /* first local */
	assert_null(elf_symbol_at(&img, 0x1008)); /* a constant is no label */
	assert_null(elf_symbol_at(&img, 0x100c));

	uint32_t v = 0x77;
	assert_true(elf_symbol_value(&img, "TEN", &v));
	assert_int_equal(v, 0x1008);
	assert_true(elf_symbol_value(&img, "loop", &v));
	assert_int_equal(v, 0x1004);
	assert_true(elf_symbol_value(&img, "dup", &v));
	assert_int_equal(v, 2); /* the first global one */
	v = 0x77;
	assert_false(elf_symbol_value(&img, "nope", &v));
	assert_false(elf_symbol_value(&img, "", &v));
	assert_false(elf_symbol_value(&img, "Loop", &v));
	assert_int_equal(v, 0x77);

	struct elf_image empty = {0};
	assert_null(elf_symbol_at(&empty, 0));
	assert_false(elf_symbol_value(&empty, "x", &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_reorders_locals_first),
		cmocka_unit_test(test_round_trip_edge_cases),
		cmocka_unit_test(test_file_round_trip_and_errors),
		cmocka_unit_test(test_write_refusals),
		cmocka_unit_test(test_read_refusals_header),
		cmocka_unit_test(test_read_refusals_segments),
		cmocka_unit_test(test_read_refusals_symbols),
		cmocka_unit_test(test_read_tolerated),
		cmocka_unit_test(test_every_prefix_refused),
		cmocka_unit_test(test_random_corruption),
		cmocka_unit_test(test_symbol_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
