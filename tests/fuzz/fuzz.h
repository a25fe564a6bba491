/*
 * fuzz.h - what the fuzz harnesses in tests/fuzz/ share: the failure
 * report and the checks of an image's invariants.
 *
 * Each harness is one LLVMFuzzerTestOneInput; it is linked either with
 * libFuzzer (make fuzz, clang) or with replay.c (make fuzz-replay, any
 * compiler), which feeds it the files of a corpus.
 */
#ifndef TRAPEZE_FUZZ_H
#define TRAPEZE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "../../isa/elf.h"

/* Prints "fuzz: broken invariant: MESSAGE" and aborts: libFuzzer and the
 * replay driver both report an abort as a crash, with the input saved. */
__attribute__((noreturn, format(printf, 1, 2))) void fuzz_fail(const char *fmt,
								...);

/* Checks what elf.h promises of any image the toolchain hands out:
 * segments inside the 32-bit space, not overlapping, filesz <= size, data
 * present, names terminated, symbols naming a real segment.  what names
 * the image in a failure message. */
void fuzz_check_image(const struct elf_image *img, const char *what);

/* Checks that b holds what a does: entry, segments (every byte), and the
 * same symbols in any order. */
void fuzz_check_images_equal(const struct elf_image *a,
			     const struct elf_image *b, const char *what_a,
			     const char *what_b);

/*
 * A disk image for one run (machine and vmm harnesses): FUZZ_DISK_SECTORS
 * sectors, byte k of sector n holding n + k, in an unlinked temporary
 * file named by its /proc/self/fd path (dev_disk_attach takes a path).
 * The disk writes through to its file, so each call writes the image
 * afresh (over the old one: a run cannot change the file's size): every
 * run starts from the same disk.  which = 0 or 1, one file
 * each, for two machines or two VMs at once.
 */
#define FUZZ_DISK_SECTORS 8u
const char *fuzz_disk(int which);

/* Reads a little-endian 32-bit word (inputs are byte strings). */
uint32_t fuzz_le32(const uint8_t *p);

#endif
