/*
 * fuzz_elf.c - libFuzzer harness for the ELF reader (isa/elf.c).
 *
 * The input is a file.  elf_read_buffer must either refuse it with a
 * reason (and leave the image zeroed) or hand out an image that keeps
 * every promise of elf.h (fuzz_check_image).  An accepted image must
 * also survive the writer: elf_write_buffer accepts it (the reader never
 * hands out what the writer refuses), reading that back gives the same
 * entry, segments and symbols, and writing and reading once more changes
 * nothing at all.  The symbol look-ups run over every symbol.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../isa/elf.h"
#include "fuzz.h"

/* Writes img and reads it back into *back. */
static void rewrite(const struct elf_image *img, struct elf_image *back,
		    const char *what)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[256];
	if (elf_write_buffer(img, &buf, &len, err, sizeof err) != 0)
		fuzz_fail("%s: elf_write_buffer refused it: %s", what, err);
	if (elf_read_buffer(buf, len, back, err, sizeof err) != 0)
		fuzz_fail("%s: elf_read_buffer refused what the writer wrote: %s",
			  what, err);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image img;
	char err[256] = "";
	if (elf_read_buffer(data, size, &img, err, sizeof err) != 0) {
		if (err[0] == '\0')
			fuzz_fail("refused without a reason");
		if (img.segments || img.nsegments || img.symbols || img.nsymbols ||
		    img.entry)
			fuzz_fail("refused (%s) but the image is not zeroed", err);
		return 0;
	}
	fuzz_check_image(&img, "read");
	for (int i = 0; i < img.nsymbols; i++) {
		uint32_t value;
		if (!elf_symbol_value(&img, img.symbols[i].name, &value))
			fuzz_fail("symbol '%s' not found by name",
				  img.symbols[i].name);
		if (img.symbols[i].segment >= 0 &&
		    !elf_symbol_at(&img, img.symbols[i].value))
			fuzz_fail("no symbol found at 0x%x, where '%s' is",
				  img.symbols[i].value, img.symbols[i].name);
	}
	(void)elf_symbol_at(&img, img.entry);

	struct elf_image once, twice;
	rewrite(&img, &once, "read image");
	fuzz_check_image(&once, "read back");
	fuzz_check_images_equal(&img, &once, "read", "written and read back");
	rewrite(&once, &twice, "read-back image");
	fuzz_check_images_equal(&once, &twice, "read back once", "read back twice");
	elf_image_free(&twice);
	elf_image_free(&once);
	elf_image_free(&img);
	return 0;
}
