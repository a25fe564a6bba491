/*
 * mkseed.c - makes a seed for fuzz_machine and fuzz_vmm from an ELF image:
 *
 *     mkseed FLAGS IMAGE.elf > SEED
 *
 * The seed is the harnesses' 4-byte header (byte 0 = FLAGS, the rest 0)
 * followed by the image's memory from 0x1000 up to the end of its last
 * segment's file bytes, at most 60 KiB: every segment laid out flat at its
 * address, gaps zero.  (objcopy does not know e_machine EM_PG32, so this
 * small tool reads the image with isa/elf.h instead.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../isa/elf.h"

#define LOAD_AT 0x1000u
#define MAX_BYTES 0xf000u /* 64 KiB of RAM less the first page */

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mkseed FLAGS IMAGE.elf > SEED\n");
		return 2;
	}
	struct elf_image img;
	char err[256];
	if (elf_read_file(argv[2], &img, err, sizeof err) != 0) {
		fprintf(stderr, "mkseed: %s\n", err);
		return 1;
	}
	static uint8_t flat[MAX_BYTES];
	uint32_t end = 0;
	for (int i = 0; i < img.nsegments; i++) {
		const struct elf_segment *s = &img.segments[i];
		for (uint32_t k = 0; k < s->filesz; k++) {
			uint64_t at = (uint64_t)s->addr + k;
			if (at < LOAD_AT || at - LOAD_AT >= MAX_BYTES)
				continue;
			flat[at - LOAD_AT] = s->data[k];
			if (at - LOAD_AT + 1 > end)
				end = (uint32_t)(at - LOAD_AT + 1);
		}
	}
	uint8_t header[4] = {(uint8_t)strtoul(argv[1], NULL, 0), 0, 0, 0};
	fwrite(header, 1, sizeof header, stdout);
	fwrite(flat, 1, end, stdout);
	elf_image_free(&img);
	return ferror(stdout) ? 1 : 0;
}
