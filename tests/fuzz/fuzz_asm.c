/*
 * fuzz_asm.c - libFuzzer harness for the assembler (isa/asm.c).
 *
 * The input is assembler source text.  It is assembled from memory with
 * asm_assemble_string; diagnostics go to a memory stream.  Besides "no
 * crash, no sanitizer report", the harness checks what the assembler
 * promises (isa/asm.h, isa/elf.h):
 *   - errors > 0: the image is zeroed and at least one "error:" line was
 *     written;
 *   - errors == 0: every segment is well formed, and the image survives an
 *     ELF round trip (elf_write_buffer, elf_read_buffer) unchanged in entry,
 *     segments and symbol count.
 * A broken promise aborts, which libFuzzer reports as a crash.
 *
 * The assembler's limits are lowered (asm_options.max_statements):
 * libFuzzer breeds macro bombs, and at the default limits each one reads
 * 500 000 statements before it is refused.  At 2500 (5000 statements
 * read) a bomb reaches the same refusal sooner, the harness runs 3 to 10
 * times as many inputs per second, and the corpus loses no edge (at 1000
 * it lost 5).
 *
 * .include still reads files on disk: the harness names the source
 * "fuzz.s" and gives no -I folders, so only a file name relative to the
 * current folder or an absolute path can be found (tests/fuzz/run.sh runs
 * the fuzzer in an empty folder).  Seeds in corpus/asm/ have their
 * includes inlined (tests/fuzz/gather.sh).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../isa/asm.h"
#include "../../isa/elf.h"
#include "fuzz.h"

#define FUZZ_MAX_STATEMENTS 2500u

/* Is the entry an aligned address inside an executable segment?  The
 * assembler accepts a program without code (an empty file, only .data);
 * `trapeze as` then refuses to write it, as elf_write_buffer does. */
static bool entry_in_code(const struct elf_image *img)
{
	if (img->entry % 4)
		return false;
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segments[i];
		if ((s->flags & ELF_SEG_X) && img->entry >= s->addr &&
		    img->entry - s->addr < s->size)
			return true;
	}
	return false;
}

/* An image is equal to its ELF round trip in what the file can hold. */
static void check_round_trip(const struct elf_image *img)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[256];
	if (elf_write_buffer(img, &buf, &len, err, sizeof err) != 0) {
		if (!entry_in_code(img))
			return;
		fuzz_fail("assembled image refused by elf_write_buffer: %s", err);
	}
	struct elf_image back;
	if (elf_read_buffer(buf, len, &back, err, sizeof err) != 0)
		fuzz_fail("assembled image's ELF refused by elf_read_buffer: %s",
			  err);
	fuzz_check_images_equal(img, &back, "assembled", "read back");
	elf_image_free(&back);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src = malloc(size + 1);
	if (!src)
		return 0;
	memcpy(src, data, size);
	src[size] = '\0';

	char *diag_text = NULL;
	size_t diag_len = 0;
	FILE *diag = open_memstream(&diag_text, &diag_len);
	if (!diag) {
		free(src);
		return 0;
	}
	struct asm_options opt = {.diag = diag,
				   .max_statements = FUZZ_MAX_STATEMENTS};
	struct elf_image img;
	int errors = asm_assemble_string("fuzz.s", src, &opt, &img);
	fclose(diag);

	if (errors < 0)
		fuzz_fail("asm_assemble_string returned %d", errors);
	if (errors > 0) {
		if (img.segments || img.nsegments || img.symbols || img.nsymbols ||
		    img.entry)
			fuzz_fail("%d errors but the image is not zeroed", errors);
		if (!diag_text || !strstr(diag_text, "error:"))
			fuzz_fail("%d errors but no 'error:' diagnostic", errors);
	} else {
		fuzz_check_image(&img, "assembled");
		check_round_trip(&img);
	}
	elf_image_free(&img);
	free(diag_text);
	free(src);
	return 0;
}
