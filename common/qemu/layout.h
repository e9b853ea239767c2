/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest-physical layout of an x86 pc/q35 machine: the RAM split around the
 * PCI hole, the device-memory window after RAM above 4 GiB, and the
 * placement of DIMMs in it (QEMU's first fit).
 */
#ifndef NVD_LAYOUT_H
#define NVD_LAYOUT_H

#include <stdint.h>

#include "vmconfig.h"

/* Below/above 4 GiB RAM sizes (pc_init1 / pc_q35_init). */
void layout_ram_split(struct vm *vm);

/* Window base and size for the current RAM, maxmem and slots. */
void layout_window(const struct vm *vm, uint64_t above_4g_start, uint64_t *base, uint64_t *size);

/*
 * With cxl=on: the CXL host register block and fixed memory windows after
 * device memory (or RAM above 4 GiB), as pc_memory_init() maps them.
 */
void layout_cxl(struct vm *vm, uint64_t above_4g_start);

/* The highest guest-physical address the machine uses (pc_max_used_gpa). */
uint64_t layout_max_used_gpa(const struct vm *vm, uint64_t above_4g_start);

enum addr_result {
	ADDR_OK,
	ADDR_UNALIGNED,		/* explicit address not aligned */
	ADDR_SIZE_UNALIGNED,	/* region size not a multiple of align */
	ADDR_OUTSIDE,		/* explicit range not inside the window */
	ADDR_TOO_BIG,		/* no room even at the window start */
	ADDR_CONFLICT,		/* explicit range overlaps *conflict */
	ADDR_FRAGMENTED,	/* no gap fits */
};

/*
 * QEMU's memory_device_get_free_addr() over the devices already placed.
 * hint is the explicit address or 0; the address is aligned to align, the
 * size must be a multiple of size_align (the same but for virtio-mem from
 * QEMU 8.1 on, whose block size aligns the address only).
 */
enum addr_result layout_find_addr(const struct vm *vm, uint64_t hint, uint64_t align,
				  uint64_t size_align, uint64_t size, uint64_t *addr,
				  const struct memdev **conflict);

/*
 * Mark d placed. The queries below look at placed DIMMs only (at most the
 * slots, 256), never at every DIMM: 100k -device options stay linear.
 */
void layout_place(struct vm *vm, struct memdev *d);

/* Sum of the region sizes of placed DIMMs. */
uint64_t layout_used(const struct vm *vm);

/* The lowest free slot, or -1. */
int64_t layout_free_slot(const struct vm *vm);
/* The placed DIMM in slot s, or NULL. */
const struct memdev *layout_slot_user(const struct vm *vm, int64_t s);

#endif
