/*
 * virtio_blk.h - private to vmm/: the paravirtual block device's state.
 * (Its guest-visible ABI -- base, registers, ring layout -- is in vmm.h,
 * VBLK_*; how it works is at the top of virtio_blk.c.)
 */
#ifndef TRAPEZE_VMM_VIRTIO_BLK_H
#define TRAPEZE_VMM_VIRTIO_BLK_H

#include "vmm.h"

struct vm;

struct vblk {
	struct vm *vm;         /* whose memory the rings are in */
	struct dev_disk *disk; /* the VM's disk: the same image, same overlay */
	uint8_t *buffer;       /* VBLK_MAX_DATA bytes: one request's data
				  (made when a queue first starts) */

	/* the queue, as the guest set it up */
	uint32_t num, desc, avail, used;
	bool ready;
	/* the device's side of the rings: the next available entry to
	 * take, the next used entry to fill (both free-running, mod 2^16,
	 * as virtio's indices are) */
	uint16_t last_avail, used_idx;

	uint32_t isr;
	bool busy;        /* a batch is in flight (NOTIFY seen) */
	uint64_t done_at; /* ... and ends at this cycle of the VM's clock */
};

extern const struct dev_ops vblk_ops;

/* A device with no queue, serving disk's image. */
void vblk_init(struct vblk *b, struct vm *vm, struct dev_disk *disk);
void vblk_destroy(struct vblk *b);

#endif
