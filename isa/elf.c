/*
 * elf.c - read and write PG32 executable images as ELF32 files.
 *
 * ELF is the file format of nearly every Unix executable.  A file starts
 * with a 52-byte header (for 32-bit ELF) that says where two tables are:
 *
 *   - the program header table: what a loader needs.  Each PT_LOAD entry
 *     says "copy p_filesz bytes from file offset p_offset to address
 *     p_paddr, then zero-fill up to p_memsz bytes".  This is all the machine
 *     reads to boot an image.
 *   - the section header table: what tools need.  Sections name parts of
 *     the file (.text, .data) and hold the symbol table (.symtab), whose
 *     names live in a string table (.strtab).  The debugger and
 *     `trapeze dis` use it; a file without sections still loads.
 *
 * Every multi-byte field is little-endian (ELFDATA2LSB).  We read and write
 * fields byte by byte rather than overlaying C structs on the buffer, so the
 * code works on any host and never reads an unaligned or out-of-bounds
 * field.
 *
 * Decisions others rely on:
 *
 * Writer.  One PT_LOAD per segment, in the image's order, p_align 0x1000,
 * with p_offset % 0x1000 == p_vaddr % 0x1000 (the file is padded so that a
 * loader could mmap each segment).  Sections: null, one per segment (named
 * after it; SHT_NOBITS when the segment has no file bytes but a size,
 * otherwise SHT_PROGBITS of sh_size = filesz, so a partly zero-filled
 * segment's section covers only its file bytes), .symtab, .strtab,
 * .shstrtab.  Symbols: the null symbol, then the local ones, then the
 * global ones, each group in the image's order; STT_FUNC for labels in an
 * executable segment, STT_OBJECT for labels in other segments, STT_NOTYPE
 * with SHN_ABS for constants (.equ).  The writer refuses an image the
 * reader would refuse, so whatever it writes reads back the same: segments,
 * entry and symbols (in the order above: an image that lists its local
 * symbols first reads back exactly).
 *
 * Reader.  It refuses, with a reason, anything it cannot fully check:
 *   - not ELF, not ELFCLASS32, not little-endian, e_version != 1, e_machine
 *     != EM_PG32, e_type != ET_EXEC, e_ehsize != 52;
 *   - no program headers, more than ELF_MAX_PHDRS (64), e_phentsize != 32,
 *     a header table past the end of the file;
 *   - section headers with e_shentsize != 40, extended numbering
 *     (e_shnum == 0 with e_shoff != 0), e_shstrndx out of range, a section
 *     whose bytes run past the end of the file;
 *   - a PT_LOAD with p_filesz > p_memsz, p_vaddr != p_paddr, bytes past the
 *     end of the file, or reaching past 0xffffffff; two PT_LOADs that
 *     overlap (zero-sized ones overlap nothing);
 *   - an entry point that is not a multiple of 4 or not inside a segment
 *     with the X flag (the machine could not fetch its first instruction);
 *   - a malformed symbol table: sh_entsize != 16, size not a multiple of 16,
 *     more than ELF_MAX_SYMBOLS (65536) entries, sh_link not a string
 *     table, a string table whose last byte is not NUL, a name offset out
 *     of range, an undefined symbol, or a symbol in a section that is not a
 *     loaded segment.
 * Only PT_LOAD headers are loaded; the others are ignored, as are p_align
 * and p_flags bits other than R, W, X.  The first SHT_SYMTAB is read;
 * STT_SECTION and STT_FILE symbols and symbols with empty names are
 * skipped.  A symbol is global unless its binding is STB_LOCAL.  A segment
 * is named after the first allocated section that starts at its address
 * and fits in it, else "seg0", "seg1", ...
 *
 * elf_read_file's messages always name the file: "cannot open x.elf: No
 * such file or directory", "x.elf: not an ELF file (bad magic)".  A caller
 * prints them after its own prefix ("trapeze dis: ").
 */
#include "elf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sizes and constants of ELF32, from the System V ABI. */
#define EHDR_SIZE 52u
#define PHDR_SIZE 32u
#define SHDR_SIZE 40u
#define SYM_SIZE 16u

#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define EI_OSABI 7
#define ELFCLASS32 1
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ELFOSABI_SYSV 0
#define ET_EXEC 2
#define PT_LOAD 1
#define SHT_NULL 0
#define SHT_PROGBITS 1
#define SHT_SYMTAB 2
#define SHT_STRTAB 3
#define SHT_NOBITS 8
#define SHF_WRITE 0x1u
#define SHF_ALLOC 0x2u
#define SHF_EXECINSTR 0x4u
#define SHN_UNDEF 0u
#define SHN_LORESERVE 0xff00u
#define SHN_ABS 0xfff1u
#define STB_LOCAL 0
#define STB_GLOBAL 1
#define STT_NOTYPE 0
#define STT_OBJECT 1
#define STT_FUNC 2
#define STT_SECTION 3
#define STT_FILE 4

/* Limits that keep a hostile file from making us allocate or loop much. */
#define ELF_MAX_PHDRS 64u
#define ELF_MAX_SYMBOLS 65536u
#define ELF_MAX_FILE (256u * 1024 * 1024)
#define ELF_SEG_ALIGN 0x1000u

/* The space of 32-bit addresses: a segment must end at or below this. */
#define ADDR_SPACE ((uint64_t)1 << 32)

static const uint8_t elf_magic[4] = {0x7f, 'E', 'L', 'F'};

/* ---- little-endian fields ------------------------------------------- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

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
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Formats a reason into err (if there is room) and returns -1. */
__attribute__((format(printf, 3, 4))) static int fail(char *err,
						     size_t errsize,
						     const char *fmt, ...)
{
	if (err && errsize > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errsize, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- checks shared by the writer and the reader ---------------------- */

/*
 * The rules every image obeys, whether it comes from the assembler or from
 * a file: segments inside the 32-bit address space and disjoint, and an
 * entry point the CPU can fetch.  Returns 0, or -1 with the reason.
 */
static int check_layout(const struct elf_image *img, char *err,
			size_t errsize)
{
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segments[i];
		if (s->filesz > s->size)
			return fail(err, errsize,
				    "segment %d: file size 0x%x > memory size 0x%x",
				    i, s->filesz, s->size);
		if ((uint64_t)s->addr + s->size > ADDR_SPACE)
			return fail(err, errsize,
				    "segment %d overflows the address space", i);
	}
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *a = &img->segments[i];
		for (int j = i + 1; j < img->nsegments; j++) {
			const struct elf_segment *b = &img->segments[j];
			/* Half-open ranges [addr, addr+size) overlap iff
			 * each starts before the other ends. */
			if (a->size > 0 && b->size > 0 &&
			    (uint64_t)a->addr < (uint64_t)b->addr + b->size &&
			    (uint64_t)b->addr < (uint64_t)a->addr + a->size)
				return fail(err, errsize,
					    "segments %d and %d overlap", i, j);
		}
	}
	if (img->entry % 4 != 0)
		return fail(err, errsize,
			    "entry point 0x%x is not a multiple of 4",
			    img->entry);
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segments[i];
		if ((s->flags & ELF_SEG_X) && img->entry >= s->addr &&
		    (uint64_t)img->entry < (uint64_t)s->addr + s->size)
			return 0;
	}
	return fail(err, errsize,
		    "entry point 0x%x is not inside an executable segment",
		    img->entry);
}

/* ---- writer ---------------------------------------------------------- */

/* Rounds off up to the next offset that is congruent to addr modulo
 * ELF_SEG_ALIGN, as the ELF ABI asks of a loadable segment. */
static uint64_t congruent_offset(uint64_t off, uint32_t addr)
{
	uint64_t want = addr % ELF_SEG_ALIGN;
	uint64_t have = off % ELF_SEG_ALIGN;
	return off + (want + ELF_SEG_ALIGN - have) % ELF_SEG_ALIGN;
}

static uint64_t align4(uint64_t off)
{
	return (off + 3) & ~(uint64_t)3;
}

/* Checks what only the writer can get wrong: the in-memory struct. */
static int check_for_writing(const struct elf_image *img, char *err,
			     size_t errsize)
{
	if (img->nsegments < 0 || (unsigned)img->nsegments > ELF_MAX_PHDRS)
		return fail(err, errsize, "too many segments (%d, at most %u)",
			    img->nsegments, ELF_MAX_PHDRS);
	if (img->nsegments > 0 && !img->segments)
		return fail(err, errsize, "segments missing");
	if (img->nsymbols < 0 ||
	    (unsigned)img->nsymbols > ELF_MAX_SYMBOLS - 1) /* + the null one */
		return fail(err, errsize, "too many symbols (%d, at most %u)",
			    img->nsymbols, ELF_MAX_SYMBOLS - 1);
	if (img->nsymbols > 0 && !img->symbols)
		return fail(err, errsize, "symbols missing");
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segments[i];
		size_t len = strnlen(s->name, sizeof s->name);
		if (len == 0 || len == sizeof s->name)
			return fail(err, errsize,
				    "segment %d: name empty or longer than %zu characters",
				    i, sizeof s->name - 1);
		if (s->flags & ~(ELF_SEG_R | ELF_SEG_W | ELF_SEG_X))
			return fail(err, errsize,
				    "segment %d: unknown flags 0x%x", i,
				    s->flags);
		if (s->filesz > 0 && !s->data)
			return fail(err, errsize, "segment %d: data missing",
				    i);
	}
	for (int i = 0; i < img->nsymbols; i++) {
		const struct elf_symbol *sym = &img->symbols[i];
		if (!sym->name || sym->name[0] == '\0')
			return fail(err, errsize, "symbol %d has no name", i);
		if (sym->segment < -1 || sym->segment >= img->nsegments)
			return fail(err, errsize,
				    "symbol %s: segment %d out of range",
				    sym->name, sym->segment);
	}
	return check_layout(img, err, errsize);
}

/* Writes one symbol table entry for sym at p, its name at name_off. */
static void put_symbol(uint8_t *p, const struct elf_image *img,
		       const struct elf_symbol *sym, uint32_t name_off)
{
	unsigned type = STT_NOTYPE;
	uint32_t shndx = SHN_ABS;
	if (sym->segment >= 0) {
		/* Section 0 is the null section; segment i is section i+1. */
		shndx = (uint32_t)sym->segment + 1;
		type = (img->segments[sym->segment].flags & ELF_SEG_X)
			       ? STT_FUNC
			       : STT_OBJECT;
	}
	unsigned bind = sym->global ? STB_GLOBAL : STB_LOCAL;
	put32(p + 0, name_off);         /* st_name */
	put32(p + 4, sym->value);       /* st_value */
	put32(p + 8, 0);                /* st_size: labels have none */
	p[12] = (uint8_t)(bind << 4 | type); /* st_info */
	p[13] = 0;                      /* st_other: STV_DEFAULT */
	put16(p + 14, shndx);           /* st_shndx */
}

/* Writes one section header. */
static void put_section(uint8_t *p, uint32_t name, uint32_t type,
			uint32_t flags, uint32_t addr, uint32_t offset,
			uint32_t size, uint32_t link, uint32_t info,
			uint32_t addralign, uint32_t entsize)
{
	put32(p + 0, name);
	put32(p + 4, type);
	put32(p + 8, flags);
	put32(p + 12, addr);
	put32(p + 16, offset);
	put32(p + 20, size);
	put32(p + 24, link);
	put32(p + 28, info);
	put32(p + 32, addralign);
	put32(p + 36, entsize);
}

int elf_write_buffer(const struct elf_image *img, uint8_t **buf, size_t *len,
		     char *err, size_t errsize)
{
	if (check_for_writing(img, err, errsize) != 0)
		return -1;
	int nseg = img->nsegments;
	uint32_t nsyms = (uint32_t)img->nsymbols + 1;

	/* Lay the file out: headers, segment bytes, symbols, strings,
	 * section headers.  Offsets are uint64_t until checked. */
	uint64_t off = EHDR_SIZE + (uint64_t)nseg * PHDR_SIZE;
	uint64_t seg_off[ELF_MAX_PHDRS];
	for (int i = 0; i < nseg; i++) {
		seg_off[i] = congruent_offset(off, img->segments[i].addr);
		off = seg_off[i] + img->segments[i].filesz;
	}
	uint64_t strtab_size = 1;
	for (int i = 0; i < img->nsymbols; i++)
		strtab_size += strlen(img->symbols[i].name) + 1;
	static const char fixed_names[] = "\0.symtab\0.strtab\0.shstrtab";
	enum { NAME_SYMTAB = 1, NAME_STRTAB = 9, NAME_SHSTRTAB = 17 };
	uint64_t shstrtab_size = sizeof fixed_names;
	for (int i = 0; i < nseg; i++)
		shstrtab_size += strlen(img->segments[i].name) + 1;

	uint64_t symtab_off = align4(off);
	uint64_t strtab_off = symtab_off + (uint64_t)nsyms * SYM_SIZE;
	uint64_t shstrtab_off = strtab_off + strtab_size;
	uint64_t shoff = align4(shstrtab_off + shstrtab_size);
	uint32_t nsections = (uint32_t)nseg + 4;
	uint64_t total = shoff + (uint64_t)nsections * SHDR_SIZE;
	if (total > UINT32_MAX || total > SIZE_MAX)
		return fail(err, errsize, "image too large for ELF32");

	uint8_t *out = calloc(1, (size_t)total);
	if (!out)
		return fail(err, errsize, "out of memory");

	/* ELF header */
	memcpy(out, elf_magic, sizeof elf_magic);
	out[EI_CLASS] = ELFCLASS32;
	out[EI_DATA] = ELFDATA2LSB;
	out[EI_VERSION] = EV_CURRENT;
	out[EI_OSABI] = ELFOSABI_SYSV;
	put16(out + 16, ET_EXEC);               /* e_type */
	put16(out + 18, EM_PG32);               /* e_machine */
	put32(out + 20, EV_CURRENT);            /* e_version */
	put32(out + 24, img->entry);            /* e_entry */
	put32(out + 28, nseg ? EHDR_SIZE : 0);  /* e_phoff */
	put32(out + 32, (uint32_t)shoff);       /* e_shoff */
	put32(out + 36, 0);                     /* e_flags */
	put16(out + 40, EHDR_SIZE);             /* e_ehsize */
	put16(out + 42, PHDR_SIZE);             /* e_phentsize */
	put16(out + 44, (uint32_t)nseg);        /* e_phnum */
	put16(out + 46, SHDR_SIZE);             /* e_shentsize */
	put16(out + 48, nsections);             /* e_shnum */
	put16(out + 50, nsections - 1);         /* e_shstrndx: .shstrtab */

	/* Program headers and the segments' bytes */
	for (int i = 0; i < nseg; i++) {
		const struct elf_segment *s = &img->segments[i];
		uint8_t *ph = out + EHDR_SIZE + (size_t)i * PHDR_SIZE;
		put32(ph + 0, PT_LOAD);
		put32(ph + 4, (uint32_t)seg_off[i]); /* p_offset */
		put32(ph + 8, s->addr);              /* p_vaddr */
		put32(ph + 12, s->addr);             /* p_paddr */
		put32(ph + 16, s->filesz);
		put32(ph + 20, s->size);             /* p_memsz */
		put32(ph + 24, s->flags);
		put32(ph + 28, ELF_SEG_ALIGN);
		if (s->filesz > 0)
			memcpy(out + seg_off[i], s->data, s->filesz);
	}

	/* Symbols, local ones first as the ELF ABI requires; their names go
	 * to .strtab in the same order. */
	uint32_t name_off = 1, sym_index = 1, first_global = 0;
	for (int pass = 0; pass < 2; pass++) {
		bool want_global = pass == 1;
		if (want_global)
			first_global = sym_index;
		for (int i = 0; i < img->nsymbols; i++) {
			const struct elf_symbol *sym = &img->symbols[i];
			if (sym->global != want_global)
				continue;
			put_symbol(out + symtab_off + (size_t)sym_index * SYM_SIZE,
				   img, sym, name_off);
			size_t n = strlen(sym->name) + 1;
			memcpy(out + strtab_off + name_off, sym->name, n);
			name_off += (uint32_t)n;
			sym_index++;
		}
	}

	/* Section names, then section headers */
	memcpy(out + shstrtab_off, fixed_names, sizeof fixed_names);
	uint32_t sh_name = sizeof fixed_names;
	uint8_t *sh = out + shoff;
	/* sh[0] is the null section: all zeros, already. */
	for (int i = 0; i < nseg; i++) {
		const struct elf_segment *s = &img->segments[i];
		size_t n = strlen(s->name) + 1;
		memcpy(out + shstrtab_off + sh_name, s->name, n);
		uint32_t flags = SHF_ALLOC;
		if (s->flags & ELF_SEG_W)
			flags |= SHF_WRITE;
		if (s->flags & ELF_SEG_X)
			flags |= SHF_EXECINSTR;
		/* A segment of zero-fill only (.bss-like) has no bytes in the
		 * file: SHT_NOBITS.  Otherwise the section covers the bytes
		 * that are in the file. */
		bool nobits = s->filesz == 0 && s->size > 0;
		put_section(sh + (size_t)(i + 1) * SHDR_SIZE, sh_name,
			    nobits ? SHT_NOBITS : SHT_PROGBITS, flags, s->addr,
			    (uint32_t)seg_off[i], nobits ? s->size : s->filesz,
			    0, 0, s->addr % 4 == 0 ? 4 : 1, 0);
		sh_name += (uint32_t)n;
	}
	uint32_t symtab_index = (uint32_t)nseg + 1;
	put_section(sh + (size_t)symtab_index * SHDR_SIZE, NAME_SYMTAB,
		    SHT_SYMTAB, 0, 0, (uint32_t)symtab_off, nsyms * SYM_SIZE,
		    symtab_index + 1, first_global, 4, SYM_SIZE);
	put_section(sh + (size_t)(symtab_index + 1) * SHDR_SIZE, NAME_STRTAB,
		    SHT_STRTAB, 0, 0, (uint32_t)strtab_off,
		    (uint32_t)strtab_size, 0, 0, 1, 0);
	put_section(sh + (size_t)(symtab_index + 2) * SHDR_SIZE, NAME_SHSTRTAB,
		    SHT_STRTAB, 0, 0, (uint32_t)shstrtab_off,
		    (uint32_t)shstrtab_size, 0, 0, 1, 0);

	*buf = out;
	*len = (size_t)total;
	return 0;
}

int elf_write_file(const struct elf_image *img, const char *path, char *err,
		   size_t errsize)
{
	uint8_t *buf;
	size_t len;
	if (elf_write_buffer(img, &buf, &len, err, errsize) != 0)
		return -1;
	FILE *f = fopen(path, "wb");
	if (!f) {
		int e = errno;
		free(buf);
		return fail(err, errsize, "cannot create %s: %s", path,
			    strerror(e));
	}
	size_t n = fwrite(buf, 1, len, f);
	int e = errno;
	free(buf);
	if (n != len) {
		fclose(f);
		return fail(err, errsize, "cannot write %s: %s", path,
			    strerror(e));
	}
	if (fclose(f) != 0)
		return fail(err, errsize, "cannot write %s: %s", path,
			    strerror(errno));
	return 0;
}

/* ---- reader ---------------------------------------------------------- */

/* The fields of a section header we use. */
struct shdr {
	uint32_t name, type, flags, addr, offset, size, link, info, entsize;
};

/* Everything the reader works with, so helpers take one argument. */
struct reader {
	const uint8_t *buf;
	size_t len;
	char *err;
	size_t errsize;
	struct shdr *sh;   /* e_shnum entries, or NULL */
	uint32_t shnum;
	uint32_t shstrndx; /* SHN_UNDEF: sections have no names */
	int *seg_of_section; /* section index -> segment index, or -1 */
};

/* Is [off, off+size) inside the file?  In uint64_t, so it cannot wrap. */
static bool in_file(const struct reader *r, uint64_t off, uint64_t size)
{
	return off <= r->len && size <= r->len - off;
}

/* Returns the NUL-terminated name of section i, or NULL if it has none. */
static const char *section_name(const struct reader *r, uint32_t i)
{
	if (r->shstrndx == SHN_UNDEF)
		return NULL;
	const struct shdr *strs = &r->sh[r->shstrndx];
	if (r->sh[i].name >= strs->size)
		return NULL;
	/* check_sections() made sure the string table ends in NUL. */
	return (const char *)r->buf + strs->offset + r->sh[i].name;
}

static int read_header_tables(struct reader *r, uint32_t *phoff,
			      uint32_t *phnum)
{
	const uint8_t *b = r->buf;
	if (r->len == 0 ||
	    memcmp(b, elf_magic, r->len < 4 ? r->len : 4) != 0)
		return fail(r->err, r->errsize, "not an ELF file (bad magic)");
	if (r->len < EHDR_SIZE)
		return fail(r->err, r->errsize,
			    "truncated file: header says %u bytes, file has %zu",
			    EHDR_SIZE, r->len);
	if (b[EI_CLASS] != ELFCLASS32)
		return fail(r->err, r->errsize, "not a 32-bit ELF file");
	if (b[EI_DATA] != ELFDATA2LSB)
		return fail(r->err, r->errsize, "not little-endian");
	if (b[EI_VERSION] != EV_CURRENT || get32(b + 20) != EV_CURRENT)
		return fail(r->err, r->errsize, "unsupported ELF version %u",
			    b[EI_VERSION] != EV_CURRENT ? b[EI_VERSION]
						       : get32(b + 20));
	if (get16(b + 18) != EM_PG32)
		return fail(r->err, r->errsize,
			    "not a PG32 image (e_machine 0x%x, expected 0x%x)",
			    get16(b + 18), EM_PG32);
	if (get16(b + 16) != ET_EXEC)
		return fail(r->err, r->errsize, "not an executable (e_type %u)",
			    get16(b + 16));
	if (get16(b + 40) != EHDR_SIZE)
		return fail(r->err, r->errsize,
			    "bad e_ehsize %u (expected %u)", get16(b + 40),
			    EHDR_SIZE);

	/* Program header table */
	*phoff = get32(b + 28);
	*phnum = get16(b + 44);
	if (*phnum == 0)
		return fail(r->err, r->errsize, "no program headers");
	if (*phnum > ELF_MAX_PHDRS)
		return fail(r->err, r->errsize,
			    "too many program headers (%u, at most %u)", *phnum,
			    ELF_MAX_PHDRS);
	if (get16(b + 42) != PHDR_SIZE)
		return fail(r->err, r->errsize,
			    "bad e_phentsize %u (expected %u)", get16(b + 42),
			    PHDR_SIZE);
	if (*phoff >= r->len)
		return fail(r->err, r->errsize,
			    "e_phoff 0x%x is past the end of the file (%zu bytes)",
			    *phoff, r->len);
	uint64_t ph_end = (uint64_t)*phoff + (uint64_t)*phnum * PHDR_SIZE;
	if (ph_end > r->len)
		return fail(r->err, r->errsize,
			    "truncated file: header says %llu bytes, file has %zu",
			    (unsigned long long)ph_end, r->len);

	/* Section header table: optional, but if there, whole. */
	uint32_t shoff = get32(b + 32);
	uint32_t shnum = get16(b + 48);
	uint32_t shstrndx = get16(b + 50);
	if (shoff == 0) {
		if (shnum != 0)
			return fail(r->err, r->errsize,
				    "e_shnum is %u but there is no section header table",
				    shnum);
		return 0;
	}
	if (shnum == 0)
		return fail(r->err, r->errsize,
			    "extended section numbering is not supported (e_shnum 0)");
	if (get16(b + 46) != SHDR_SIZE)
		return fail(r->err, r->errsize,
			    "bad e_shentsize %u (expected %u)", get16(b + 46),
			    SHDR_SIZE);
	if (shoff >= r->len)
		return fail(r->err, r->errsize,
			    "e_shoff 0x%x is past the end of the file (%zu bytes)",
			    shoff, r->len);
	uint64_t sh_end = (uint64_t)shoff + (uint64_t)shnum * SHDR_SIZE;
	if (sh_end > r->len)
		return fail(r->err, r->errsize,
			    "truncated file: header says %llu bytes, file has %zu",
			    (unsigned long long)sh_end, r->len);
	if (shstrndx != SHN_UNDEF && shstrndx >= shnum)
		return fail(r->err, r->errsize,
			    "e_shstrndx %u out of range (%u sections)",
			    shstrndx, shnum);

	r->sh = calloc(shnum, sizeof *r->sh);
	r->seg_of_section = malloc(shnum * sizeof *r->seg_of_section);
	if (!r->sh || !r->seg_of_section)
		return fail(r->err, r->errsize, "out of memory");
	r->shnum = shnum;
	r->shstrndx = shstrndx;
	for (uint32_t i = 0; i < shnum; i++) {
		const uint8_t *p = b + shoff + (size_t)i * SHDR_SIZE;
		struct shdr *s = &r->sh[i];
		s->name = get32(p + 0);
		s->type = get32(p + 4);
		s->flags = get32(p + 8);
		s->addr = get32(p + 12);
		s->offset = get32(p + 16);
		s->size = get32(p + 20);
		s->link = get32(p + 24);
		s->info = get32(p + 28);
		s->entsize = get32(p + 36);
		r->seg_of_section[i] = -1;
	}
	return 0;
}

/* Every section's bytes are in the file; the name table is usable. */
static int check_sections(struct reader *r)
{
	for (uint32_t i = 0; i < r->shnum; i++) {
		const struct shdr *s = &r->sh[i];
		if (s->type == SHT_NULL || s->type == SHT_NOBITS)
			continue;
		if (!in_file(r, s->offset, s->size))
			return fail(r->err, r->errsize,
				    "section %u runs past the end of the file",
				    i);
	}
	if (r->shstrndx != SHN_UNDEF) {
		const struct shdr *s = &r->sh[r->shstrndx];
		if (s->type != SHT_STRTAB || s->size == 0 ||
		    r->buf[s->offset + s->size - 1] != '\0')
			return fail(r->err, r->errsize,
				    "section %u (e_shstrndx) is not a string table",
				    r->shstrndx);
	}
	return 0;
}

static int read_segments(struct reader *r, uint32_t phoff, uint32_t phnum,
			 struct elf_image *img)
{
	img->segments = calloc(phnum, sizeof *img->segments);
	if (!img->segments)
		return fail(r->err, r->errsize, "out of memory");
	for (uint32_t i = 0; i < phnum; i++) {
		const uint8_t *p = r->buf + phoff + (size_t)i * PHDR_SIZE;
		if (get32(p) != PT_LOAD)
			continue; /* PT_NOTE, PT_GNU_STACK...: nothing to load */
		uint32_t offset = get32(p + 4), vaddr = get32(p + 8);
		uint32_t paddr = get32(p + 12), filesz = get32(p + 16);
		uint32_t memsz = get32(p + 20), flags = get32(p + 24);
		int index = img->nsegments;
		if (filesz > memsz)
			return fail(r->err, r->errsize,
				    "program header %u: p_filesz 0x%x > p_memsz 0x%x",
				    i, filesz, memsz);
		if (vaddr != paddr)
			return fail(r->err, r->errsize,
				    "program header %u: p_vaddr 0x%x != p_paddr 0x%x",
				    i, vaddr, paddr);
		if (!in_file(r, offset, filesz))
			return fail(r->err, r->errsize,
				    "program header %u runs past the end of the file",
				    i);
		if ((uint64_t)vaddr + memsz > ADDR_SPACE)
			return fail(r->err, r->errsize,
				    "segment %d overflows the address space",
				    index);
		struct elf_segment *s = &img->segments[index];
		snprintf(s->name, sizeof s->name, "seg%d", index);
		s->addr = vaddr;
		s->size = memsz;
		s->filesz = filesz;
		s->flags = flags & (ELF_SEG_R | ELF_SEG_W | ELF_SEG_X);
		if (filesz > 0) {
			s->data = malloc(filesz);
			if (!s->data)
				return fail(r->err, r->errsize,
					    "out of memory");
			memcpy(s->data, r->buf + offset, filesz);
		}
		img->nsegments++;
	}
	return 0;
}

/* Names each segment after the first unused allocated section that starts
 * at its address and fits inside it, and records which section is which
 * segment (the symbol table refers to sections). */
static void name_segments(struct reader *r, struct elf_image *img)
{
	for (int i = 0; i < img->nsegments; i++) {
		struct elf_segment *seg = &img->segments[i];
		for (uint32_t j = 1; j < r->shnum; j++) {
			const struct shdr *s = &r->sh[j];
			if (r->seg_of_section[j] >= 0 || !(s->flags & SHF_ALLOC) ||
			    (s->type != SHT_PROGBITS && s->type != SHT_NOBITS) ||
			    s->addr != seg->addr || s->size > seg->size)
				continue;
			r->seg_of_section[j] = i;
			const char *name = section_name(r, j);
			if (name && name[0] && strlen(name) < sizeof seg->name)
				strcpy(seg->name, name);
			break;
		}
	}
}

static int read_symbols(struct reader *r, struct elf_image *img)
{
	uint32_t symndx = 0;
	for (uint32_t i = 1; i < r->shnum && !symndx; i++)
		if (r->sh[i].type == SHT_SYMTAB)
			symndx = i;
	if (!symndx)
		return 0; /* stripped: fine, just no names */

	const struct shdr *st = &r->sh[symndx];
	if (st->entsize != SYM_SIZE)
		return fail(r->err, r->errsize,
			    "symbol table: bad sh_entsize %u (expected %u)",
			    st->entsize, SYM_SIZE);
	if (st->size % SYM_SIZE != 0)
		return fail(r->err, r->errsize,
			    "symbol table: size %u is not a multiple of %u",
			    st->size, SYM_SIZE);
	uint32_t count = st->size / SYM_SIZE;
	if (count > ELF_MAX_SYMBOLS)
		return fail(r->err, r->errsize,
			    "too many symbols (%u, at most %u)", count,
			    ELF_MAX_SYMBOLS);
	if (st->link == SHN_UNDEF || st->link >= r->shnum ||
	    r->sh[st->link].type != SHT_STRTAB)
		return fail(r->err, r->errsize,
			    "symbol table: sh_link %u is not a string table",
			    st->link);
	const struct shdr *strs = &r->sh[st->link];
	if (strs->size == 0 || r->buf[strs->offset + strs->size - 1] != '\0')
		return fail(r->err, r->errsize,
			    "string table %u does not end with a NUL", st->link);
	if (st->info > count)
		return fail(r->err, r->errsize,
			    "symbol table: sh_info %u out of range (%u symbols)",
			    st->info, count);
	if (count == 0)
		return 0;

	img->symbols = calloc(count, sizeof *img->symbols);
	if (!img->symbols)
		return fail(r->err, r->errsize, "out of memory");
	/* Entry 0 is the null symbol, by definition of ELF. */
	for (uint32_t i = 1; i < count; i++) {
		const uint8_t *p = r->buf + st->offset + (size_t)i * SYM_SIZE;
		uint32_t name_off = get32(p), value = get32(p + 4);
		unsigned bind = p[12] >> 4, type = p[12] & 0xf;
		uint32_t shndx = get16(p + 14);
		if (name_off >= strs->size)
			return fail(r->err, r->errsize,
				    "symbol %u: name offset 0x%x out of range",
				    i, name_off);
		const char *name = (const char *)r->buf + strs->offset + name_off;
		if (type == STT_SECTION || type == STT_FILE || name[0] == '\0')
			continue;
		int segment = -1;
		if (shndx == SHN_UNDEF)
			return fail(r->err, r->errsize,
				    "symbol %u (%s) is undefined", i, name);
		if (shndx != SHN_ABS) {
			if (shndx >= SHN_LORESERVE || shndx >= r->shnum ||
			    r->seg_of_section[shndx] < 0)
				return fail(r->err, r->errsize,
					    "symbol %u (%s) is in section %u, which is not a loaded segment",
					    i, name, shndx);
			segment = r->seg_of_section[shndx];
		}
		struct elf_symbol *sym = &img->symbols[img->nsymbols];
		sym->name = strdup(name);
		if (!sym->name)
			return fail(r->err, r->errsize, "out of memory");
		sym->value = value;
		sym->global = bind != STB_LOCAL;
		sym->segment = segment;
		img->nsymbols++;
	}
	return 0;
}

int elf_read_buffer(const uint8_t *buf, size_t len, struct elf_image *img,
		    char *err, size_t errsize)
{
	memset(img, 0, sizeof *img);
	struct reader r = {.buf = buf, .len = len, .err = err,
			   .errsize = errsize};
	uint32_t phoff = 0, phnum = 0;
	int rc = read_header_tables(&r, &phoff, &phnum);
	if (rc == 0)
		rc = check_sections(&r);
	if (rc == 0)
		rc = read_segments(&r, phoff, phnum, img);
	if (rc == 0) {
		img->entry = get32(buf + 24);
		rc = check_layout(img, err, errsize);
	}
	if (rc == 0) {
		name_segments(&r, img);
		rc = read_symbols(&r, img);
	}
	free(r.sh);
	free(r.seg_of_section);
	if (rc != 0)
		elf_image_free(img);
	return rc;
}

int elf_read_file(const char *path, struct elf_image *img, char *err,
		  size_t errsize)
{
	memset(img, 0, sizeof *img);
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, errsize, "cannot open %s: %s", path,
			    strerror(errno));
	/* Read in chunks rather than trusting a size from stat(): the file
	 * may be a pipe, or change under us. */
	size_t cap = 0, len = 0;
	uint8_t *buf = NULL;
	for (;;) {
		if (len == cap) {
			/* Room for one byte past the limit tells "exactly
			 * the limit" from "more". */
			if (cap > ELF_MAX_FILE) {
				free(buf);
				fclose(f);
				return fail(err, errsize,
					    "%s: file too large (more than %u MiB)",
					    path, ELF_MAX_FILE >> 20);
			}
			size_t ncap = cap ? cap * 2 : 64 * 1024;
			if (ncap > (size_t)ELF_MAX_FILE + 1)
				ncap = (size_t)ELF_MAX_FILE + 1;
			uint8_t *nbuf = realloc(buf, ncap);
			if (!nbuf) {
				free(buf);
				fclose(f);
				return fail(err, errsize, "%s: out of memory",
					    path);
			}
			buf = nbuf;
			cap = ncap;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;
		free(buf);
		fclose(f);
		return fail(err, errsize, "cannot read %s: %s", path,
			    strerror(e));
	}
	fclose(f);
	char reason[256];
	int rc = elf_read_buffer(buf, len, img, reason, sizeof reason);
	free(buf);
	if (rc != 0)
		return fail(err, errsize, "%s: %s", path, reason);
	return 0;
}

/* ---- image --------------------------------------------------------- */

void elf_image_free(struct elf_image *img)
{
	for (int i = 0; i < img->nsegments; i++)
		free(img->segments[i].data);
	free(img->segments);
	for (int i = 0; i < img->nsymbols; i++)
		free(img->symbols[i].name);
	free(img->symbols);
	memset(img, 0, sizeof *img);
}

const char *elf_symbol_at(const struct elf_image *img, uint32_t addr)
{
	const char *local = NULL;
	for (int i = 0; i < img->nsymbols; i++) {
		const struct elf_symbol *sym = &img->symbols[i];
		if (sym->segment < 0 || sym->value != addr)
			continue;
		if (sym->global)
			return sym->name;
		if (!local)
			local = sym->name;
	}
	return local;
}

const char *elf_symbolize(const struct elf_image *img, uint32_t addr,
			  char *buf, size_t size)
{
	const struct elf_symbol *best = NULL;
	for (int i = 0; i < img->nsymbols; i++) {
		const struct elf_symbol *s = &img->symbols[i];
		if (s->segment < 0 || s->value > addr)
			continue;
		/* the nearest below; at a tie a global name beats a local */
		if (!best || s->value > best->value ||
		    (s->value == best->value && s->global && !best->global))
			best = s;
	}
	if (!best || addr - best->value >= ELF_SYMBOLIZE_REACH)
		return NULL;
	if (addr == best->value)
		snprintf(buf, size, "%s", best->name);
	else
		snprintf(buf, size, "%s+0x%x", best->name, addr - best->value);
	return buf;
}

bool elf_symbol_value(const struct elf_image *img, const char *name,
		      uint32_t *value)
{
	const struct elf_symbol *found = NULL;
	for (int i = 0; i < img->nsymbols; i++) {
		const struct elf_symbol *sym = &img->symbols[i];
		if (strcmp(sym->name, name) != 0)
			continue;
		/* Two symbols can share a name only if at most one is global;
		 * the global one is the one other code means. */
		if (sym->global) {
			found = sym;
			break;
		}
		if (!found)
			found = sym;
	}
	if (!found)
		return false;
	*value = found->value;
	return true;
}
