/*
 * replay.c - runs a fuzz harness without libFuzzer: each file named on the
 * command line is read and handed to LLVMFuzzerTestOneInput once.  This is
 * the regression half of fuzzing (make fuzz-replay): every input a fuzzer
 * ever kept, and every reproducer of a finding, goes through the harness
 * again, built with the project's own compiler and sanitizers.
 *
 * A crash or sanitizer report ends the process, as it would under
 * libFuzzer; "replay: FILE" before each input says which one it was.
 * Exit status 0 when every file was read and replayed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads a whole file into a new buffer.  Returns NULL on failure. */
static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	bool bad = false;
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			uint8_t *nb = realloc(buf, cap);
			if (!nb) {
				bad = true;
				break;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	bad = bad || ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	int status = 0;
	for (int i = 1; i < argc; i++) {
		size_t len = 0;
		uint8_t *buf = read_file(argv[i], &len);
		if (!buf) {
			fprintf(stderr, "replay: cannot read %s\n", argv[i]);
			status = 1;
			continue;
		}
		fprintf(stderr, "replay: %s\n", argv[i]);
		/* A copy of exactly len bytes, so that a harness reading past
		 * its input shows under ASan as it would under libFuzzer. */
		uint8_t *exact = malloc(len ? len : 1);
		if (!exact) {
			free(buf);
			return 1;
		}
		for (size_t k = 0; k < len; k++)
			exact[k] = buf[k];
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return status;
}
