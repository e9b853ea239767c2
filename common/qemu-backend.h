/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One memory backend as QEMU creates it: the property setters, then for
 * memory-backend-file the open, size, alignment and MAP_SYNC steps of
 * file_ram_open(), qemu_ram_alloc_from_fd() and file_ram_alloc(), in
 * QEMU's order, with QEMU's exact message for the release. nvd-plan's rules
 * and nvd-map validate both call these, so they cannot disagree.
 */
#ifndef NVD_QEMU_BACKEND_H
#define NVD_QEMU_BACKEND_H

#include <stdbool.h>

#include "report.h"
#include "vmconfig.h"

#define QEMU_HOST_PAGE 4096ULL

/* The region is ROM for the guest (rom=on, or rom=auto with readonly=on). */
bool backend_is_rom(qver_t qver, const struct backend *b);

/* Property setters, run when the object is created, before its memory. */
void backend_setters(qver_t qver, struct backend *b, struct findings *f);

/*
 * memory-backend-file's allocation checks. With offline, the host is not
 * looked at (no file, no MAP_SYNC trial); sysroot prefixes /sys. Sets
 * b->created when QEMU gets past them, and page_size, region_align,
 * file_size, file_exists, is_dir, is_devdax.
 */
void backend_file_alloc(qver_t qver, struct backend *b, const char *sysroot, bool offline,
			struct findings *f);

#endif
