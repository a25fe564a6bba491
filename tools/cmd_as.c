/*
 * cmd_as.c - `trapeze as FILE.s [-o OUT.elf] [-I DIR]... [-l LISTING]`:
 * assemble one source file into an ELF image.
 *
 * - The output defaults to FILE with its ".s" replaced by ".elf" (or
 *   ".elf" appended when FILE does not end in ".s").
 * - -I DIR (repeatable) adds a folder searched for .include files after
 *   the including file's own folder; -l LISTING writes the listing.
 *   Options take their value as the next argument or glued on (-oOUT).
 * - Errors are printed by the assembler as FILE:LINE:COL: error: MESSAGE;
 *   an output file that cannot be written as "trapeze as: cannot create
 *   OUT: REASON" (the source is not to blame).
 *   Exit status 0 on success; 1 on any assembly or output error, and then
 *   neither the output nor the listing file is left behind (a stale
 *   output of an earlier run is removed too, so a build never picks it
 *   up); EXIT_USAGE (2) for a bad command line ("trapeze as: REASON" then
 *   "see 'trapeze help as'").  -h/--help prints `trapeze help as`.
 */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../isa/asm.h"
#include "../isa/elf.h"

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "trapeze as: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nsee 'trapeze help as'\n");
	return EXIT_USAGE;
}

/* FILE.s -> FILE.elf; anything else gets ".elf" appended.  malloc'd. */
static char *default_output(const char *in)
{
	size_t n = strlen(in);
	if (n > 2 && strcmp(in + n - 2, ".s") == 0)
		n -= 2;
	char *out = malloc(n + 5);
	if (out) {
		memcpy(out, in, n);
		memcpy(out + n, ".elf", 5);
	}
	return out;
}

int cmd_as(int argc, char **argv)
{
	const char *input = NULL, *output = NULL, *listing = NULL;
	const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
	int ndirs = 0;
	if (!dirs) {
		fprintf(stderr, "trapeze as: out of memory\n");
		return 1;
	}
	int status = EXIT_USAGE;
	bool options = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (options && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
			trapeze_help(stdout, "as");
			status = 0;
			goto out;
		}
		if (options && strcmp(a, "--") == 0) {
			options = false;
			continue;
		}
		if (options && a[0] == '-' && a[1] != '\0') {
			char opt = a[1];
			if (opt != 'o' && opt != 'I' && opt != 'l') {
				usage_error("unknown option '%s'", a);
				goto out;
			}
			const char *value = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
			if (!value) {
				usage_error("option '%s' needs a value", a);
				goto out;
			}
			if (opt == 'o')
				output = value;
			else if (opt == 'l')
				listing = value;
			else
				dirs[ndirs++] = value;
			continue;
		}
		if (input) {
			usage_error("more than one input file ('%s')", a);
			goto out;
		}
		input = a;
	}
	if (!input) {
		usage_error("%s", "no input file");
		goto out;
	}

	char *def = output ? NULL : default_output(input);
	if (!output)
		output = def;
	if (!output) {
		fprintf(stderr, "trapeze as: out of memory\n");
		status = 1;
		goto out;
	}
	if (strcmp(output, input) == 0 || (listing && strcmp(listing, input) == 0)) {
		usage_error("refusing to overwrite the input file '%s'", input);
		free(def);
		goto out;
	}

	FILE *lst = NULL;
	if (listing && !(lst = fopen(listing, "w"))) {
		fprintf(stderr, "trapeze as: cannot write %s: %s\n", listing,
			strerror(errno));
		free(def);
		status = 1;
		goto out;
	}
	struct asm_options opt = {.include_dirs = dirs, .ninclude_dirs = ndirs,
				   .diag = stderr, .listing = lst};
	struct elf_image img;
	int nerrors = asm_assemble_file(input, &opt, &img);
	status = 0;
	if (lst && fclose(lst) != 0) {
		fprintf(stderr, "trapeze as: cannot write %s: %s\n", listing,
			strerror(errno));
		status = 1;
	}
	char err[256];
	uint8_t *bytes = NULL;
	size_t nbytes;
	if (nerrors) {
		status = 1;
	} else if (status == 0 &&
		   elf_write_buffer(&img, &bytes, &nbytes, err, sizeof err) != 0) {
		/* The source assembled but makes no valid image (an empty
		 * .text: nothing to run): say so about the file, as the
		 * assembler's file-level diagnostics do. */
		fprintf(stderr, "%s: error: %s\n", input, err);
		status = 1;
	} else if (status == 0 &&
		   elf_write_file(&img, output, err, sizeof err) != 0) {
		/* The image is good but the output path is not: blame it. */
		fprintf(stderr, "trapeze as: %s\n", err);
		status = 1;
	}
	free(bytes);
	elf_image_free(&img);
	if (status != 0) {
		remove(output);
		if (listing)
			remove(listing);
	}
	free(def);
out:
	free(dirs);
	return status;
}
