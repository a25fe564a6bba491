/*
 * cmd_dis.c - `trapeze dis FILE.elf`: list every loadable segment of an
 * image, disassembled, with its symbols.
 *
 * The output format is stable (end-to-end tests compare it byte for byte):
 *
 *   Disassembly of .text (0x00001000..0x00001016, r-x):
 *   00001000 <_start>:
 *       1000:  45000005  addi     a0, zero, 5
 *   00001004 <loop>:
 *       1004:  4510ffff  addi     a0, a0, -1
 *       1008:  9100ffff  bne      a0, zero, 0x1004 <loop>
 *       100c:  a44003fd  jal      ra, 0x2000 <main>
 *       1010:  ffffffff  .word 0xffffffff
 *       1014:  ab        .byte 0xab
 *       1015:  cd        .byte 0xcd
 *   00001016 <etext>:
 *
 *   Disassembly of .data (0x00002000..0x00002020, rw-):
 *   00002000 <main>:
 *       2000:  740a6968  .word 0x740a6968
 *       2004:  65726568  .word 0x65726568  # "here"
 *   0000200c <buf>:
 *       2008:  ... 24 zero bytes
 *
 * - One block per PT_LOAD segment, in file order, separated by one empty
 *   line.  The header gives the name, [start..end) of the segment in
 *   memory and its permissions (r, w, x or '-').
 * - A label line "%08x <name>:" for every symbol of the segment (not
 *   constants), in address order (ties: symbol-table order), printed just
 *   before the first line whose address range reaches it; labels at or past
 *   the segment's end come last.
 * - A word line: the address as "%8x:", two spaces, the little-endian word
 *   as "%08x", two spaces, then isa_disassemble()'s text (branch and jal
 *   targets named with their label) in an executable segment, or
 *   ".word 0x%08x" in a data segment, followed by `  # "xxxx"` when all four
 *   bytes are printable ASCII.
 * - Bytes of the file past the last whole word: one ".byte 0x%02x" line
 *   each, the byte padded to 8 columns where the word would be.
 * - Bytes in memory past the file bytes (zero-filled at load):
 *   "%8x:  ... N zero bytes", once.
 *
 * Exit status: 0; 1 if the image cannot be read (message "trapeze dis:
 * REASON", where elf_read_file's REASON names the file) or stdout fails;
 * EXIT_USAGE (2) for a bad command line ("trapeze dis: REASON" then
 * "see 'trapeze help dis'").  -h/--help prints `trapeze help dis`.
 */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../isa/elf.h"
#include "../isa/isa.h"

/* A bad command line: the reason, then where to read more. */
static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "trapeze dis: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nsee 'trapeze help dis'\n");
	return EXIT_USAGE;
}

/* The symbolizer isa_disassemble calls for branch and jump targets. */
static const char *symbolize(void *ctx, uint32_t addr)
{
	return elf_symbol_at(ctx, addr);
}

/* Labels of one segment, sorted by address, and how many are printed. */
struct labels {
	const struct elf_image *img;
	int *index; /* into img->symbols */
	int count, next;
};

/* qsort has no context argument, so the comparison sorts pairs that carry
 * the value with the index. */
struct label_key {
	uint32_t value;
	int index;
};

static int compare_labels(const void *pa, const void *pb)
{
	const struct label_key *a = pa, *b = pb;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	return (a->index > b->index) - (a->index < b->index);
}

static int collect_labels(const struct elf_image *img, int segment,
			  struct labels *l)
{
	memset(l, 0, sizeof *l);
	l->img = img;
	int n = 0;
	for (int i = 0; i < img->nsymbols; i++)
		n += img->symbols[i].segment == segment;
	if (n == 0)
		return 0;
	struct label_key *keys = malloc((size_t)n * sizeof *keys);
	l->index = malloc((size_t)n * sizeof *l->index);
	if (!keys || !l->index) {
		free(keys);
		free(l->index);
		l->index = NULL;
		return -1;
	}
	for (int i = 0, k = 0; i < img->nsymbols; i++)
		if (img->symbols[i].segment == segment)
			keys[k++] = (struct label_key){img->symbols[i].value, i};
	qsort(keys, (size_t)n, sizeof *keys, compare_labels);
	for (int k = 0; k < n; k++)
		l->index[k] = keys[k].index;
	free(keys);
	l->count = n;
	return 0;
}

/* Prints the labels whose value is below limit (a uint64_t so that the
 * end of the address space, 2^32, is a limit too). */
static void print_labels_below(struct labels *l, uint64_t limit)
{
	while (l->next < l->count) {
		const struct elf_symbol *sym = &l->img->symbols[l->index[l->next]];
		if (sym->value >= limit)
			break;
		printf("%08x <%s>:\n", sym->value, sym->name);
		l->next++;
	}
}

/* The bytes of a data word as a comment, when they are all text. */
static void print_ascii(const uint8_t *p)
{
	for (int i = 0; i < 4; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return;
	printf("  # \"%c%c%c%c\"", p[0], p[1], p[2], p[3]);
}

static int print_segment(struct elf_image *img, int index)
{
	const struct elf_segment *s = &img->segments[index];
	printf("Disassembly of %s (0x%08x..0x%08llx, %c%c%c):\n", s->name,
	       s->addr, (unsigned long long)s->addr + s->size,
	       s->flags & ELF_SEG_R ? 'r' : '-',
	       s->flags & ELF_SEG_W ? 'w' : '-',
	       s->flags & ELF_SEG_X ? 'x' : '-');
	struct labels labels;
	if (collect_labels(img, index, &labels) != 0)
		return -1;

	bool code = s->flags & ELF_SEG_X;
	uint32_t off = 0;
	/* Whole words: the file bytes, four at a time. */
	for (; s->filesz - off >= 4; off += 4) {
		uint32_t addr = s->addr + off;
		const uint8_t *p = s->data + off;
		uint32_t word = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
				(uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		print_labels_below(&labels, (uint64_t)addr + 4);
		printf("%8x:  %08x  ", addr, word);
		if (code) {
			char text[128];
			isa_disassemble(word, addr, text, sizeof text,
					symbolize, img);
			printf("%s", text);
		} else {
			printf(".word 0x%08x", word);
			print_ascii(p);
		}
		putchar('\n');
	}
	/* A tail shorter than a word, byte by byte. */
	for (; off < s->filesz; off++) {
		uint32_t addr = s->addr + off;
		print_labels_below(&labels, (uint64_t)addr + 1);
		printf("%8x:  %02x        .byte 0x%02x\n", addr, s->data[off],
		       s->data[off]);
	}
	/* Zero fill: too dull to list, but its labels matter (.bss). */
	if (s->size > s->filesz) {
		uint64_t end = (uint64_t)s->addr + s->size;
		print_labels_below(&labels, end);
		printf("%8x:  ... %u zero bytes\n", s->addr + s->filesz,
		       s->size - s->filesz);
	}
	print_labels_below(&labels, UINT64_MAX);
	free(labels.index);
	return 0;
}

int cmd_dis(int argc, char **argv)
{
	const char *path = NULL;
	bool options_done = false;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = true;
		} else if (!options_done &&
			   (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)) {
			trapeze_help(stdout, "dis");
			return 0;
		} else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
			return usage_error("unknown option '%s'", arg);
		} else if (path) {
			return usage_error("one image only (and '%s')", arg);
		} else {
			path = arg;
		}
	}
	if (!path)
		return usage_error("%s", "no image given");

	struct elf_image img;
	char err[512];
	if (elf_read_file(path, &img, err, sizeof err) != 0) {
		fprintf(stderr, "trapeze dis: %s\n", err);
		return 1;
	}
	int status = 0;
	for (int i = 0; i < img.nsegments && status == 0; i++) {
		if (i > 0)
			putchar('\n');
		if (print_segment(&img, i) != 0) {
			fprintf(stderr, "trapeze dis: out of memory\n");
			status = 1;
		}
	}
	elf_image_free(&img);
	/* A full disk or a closed pipe shows up only here. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "trapeze dis: cannot write output: %s\n",
			strerror(errno));
		status = 1;
	}
	return status;
}
