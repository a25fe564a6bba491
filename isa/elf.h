/*
 * elf.h - PG32 executable images: ELF32 little-endian ET_EXEC files.
 *
 * An image is what the assembler produces and the machine loads: loadable
 * segments at physical addresses, an entry point and a symbol table.  The
 * reader trusts nothing in the file; every offset, size and count is
 * checked, and a malformed file is refused with the reason.
 */
#ifndef TRAPEZE_ELF_H
#define TRAPEZE_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* e_machine of PG32 images: not assigned by the ELF registry; "PG" in ASCII. */
#define EM_PG32 0x5047

/* Segment permissions, as ELF's p_flags. */
#define ELF_SEG_X 1u
#define ELF_SEG_W 2u
#define ELF_SEG_R 4u

struct elf_segment {
	char name[16];   /* section name: ".text", ".data" */
	uint32_t addr;   /* physical (and virtual) load address */
	uint32_t size;   /* bytes in memory; bytes past filesz read as zero */
	uint32_t filesz; /* bytes of data[] that come from the file */
	uint32_t flags;  /* ELF_SEG_R | ELF_SEG_W | ELF_SEG_X */
	uint8_t *data;   /* filesz bytes, owned by the image */
};

struct elf_symbol {
	char *name;      /* owned by the image */
	uint32_t value;  /* an address, or the value of an .equ constant */
	bool global;     /* named by .globl */
	int segment;     /* index into segments[], or -1 for a constant */
};

struct elf_image {
	uint32_t entry;
	struct elf_segment *segments;
	int nsegments;
	struct elf_symbol *symbols;
	int nsymbols;
};

/* Frees what an image owns and zeroes it; safe on a zeroed image. */
void elf_image_free(struct elf_image *img);

/*
 * Serializes img as an ELF32 executable into a new malloc'd buffer.
 * Returns 0 and sets *buf and *len, or -1 with a reason in err.
 */
int elf_write_buffer(const struct elf_image *img, uint8_t **buf, size_t *len,
		     char *err, size_t errsize);

/* Writes img to path (replacing it).  Returns 0, or -1 with a reason. */
int elf_write_file(const struct elf_image *img, const char *path, char *err,
		   size_t errsize);

/*
 * Parses an ELF32 PG32 executable from len bytes at buf into *img.
 * Returns 0, or -1 with the reason in err (e.g. "bad magic", "segment 1
 * runs past the end of the file") and *img zeroed.
 */
int elf_read_buffer(const uint8_t *buf, size_t len, struct elf_image *img,
		    char *err, size_t errsize);

/* Reads and parses the file at path.  Returns 0, or -1 with a reason. */
int elf_read_file(const char *path, struct elf_image *img, char *err,
		  size_t errsize);

/* Returns the name of the symbol whose value is addr and that labels a
 * segment (not a constant), preferring global ones; NULL if none. */
const char *elf_symbol_at(const struct elf_image *img, uint32_t addr);

/*
 * Names addr as "SYMBOL" or "SYMBOL+0xOFFSET" by the nearest symbol at or
 * below it that labels a segment (a global one at a tie), into buf.
 * Returns buf, or NULL if no symbol is within ELF_SYMBOLIZE_REACH bytes
 * below addr (further away, the name would mislead more than help).
 */
#define ELF_SYMBOLIZE_REACH 0x10000u
const char *elf_symbolize(const struct elf_image *img, uint32_t addr,
			  char *buf, size_t size);

/* Looks a symbol up by name.  Returns true and sets *value if found. */
bool elf_symbol_value(const struct elf_image *img, const char *name,
		      uint32_t *value);

#endif
