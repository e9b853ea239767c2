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
#include <stdint.h>

#include "report.h"
#include "vmconfig.h"

#define QEMU_HOST_PAGE 4096ULL

/*
 * A backend's settings as its -object gives them, copied out of the VM model
 * for what outlives it: nvd-check's options (--object) and a running VM's
 * device. mem_path is memory-backend-file's, else NULL.
 */
struct backend_opts {
	char *id, *qom_type, *mem_path;
	uint64_t size, align, offset;
	bool has_size, has_align, has_offset;
	bool share, pmem, readonly, prealloc;
	bool has_share, has_pmem, has_readonly;	/* given, not QEMU's default */
};

void backend_opts_get(struct backend_opts *o, const struct backend *b);
void backend_opts_free(struct backend_opts *o);

/* The region is ROM for the guest (rom=on, or rom=auto with readonly=on). */
bool backend_is_rom(qver_t qver, const struct backend *b);

/* Property setters, run when the object is created, before its memory. */
void backend_setters(qver_t qver, struct backend *b, struct findings *f);

/*
 * memory-backend-file's property checks that need no host (rom against
 * readonly and share, from 8.2): false with the finding added.
 */
bool backend_file_props(qver_t qver, const struct backend *b, struct findings *f);
/* backend_setters(), then for a file backend backend_file_props(): false when refused. */
bool backend_check_props(qver_t qver, struct backend *b, struct findings *f);
/*
 * prealloc=on on a mapping QEMU makes read-only (readonly=on; from 8.2 not
 * with rom=off): QEMU dies of SIGSEGV writing the pages (7.2, 10.0, 11.1).
 */
bool backend_prealloc_crashes(qver_t qver, const struct backend *b);
/* The same as the fail finding backend-prealloc-readonly (QEMU prints nothing). */
void backend_prealloc_check(qver_t qver, const struct backend *b, struct findings *f);

/*
 * memory-backend-file's allocation checks. With offline, the host is not
 * looked at (no file, no MAP_SYNC trial); sysroot prefixes /sys. Sets
 * b->created when QEMU gets past them, and page_size, region_align,
 * file_size, file_exists, is_dir, is_devdax.
 */
void backend_file_alloc(qver_t qver, struct backend *b, const char *sysroot, bool offline,
			struct findings *f);

/*
 * The rules of backend_file_alloc() that nvd-check's verdict applies to a
 * probed path too: each returns QEMU's message for the release (to free),
 * or NULL when QEMU goes on. One place for each, so the tools agree.
 */
/* An existing file smaller than size (rounded up to the page) plus offset. */
char *qemu_file_size_refusal(qver_t qver, const char *id, const char *mem_path,
			     uint64_t file_size, uint64_t offset, uint64_t size);
/* A device-DAX node aligned above the align option. */
char *qemu_devdax_align_refusal(uint64_t devdax_align, uint64_t align);
/* align: a multiple of the page, then a power of two. */
char *qemu_align_refusal(uint64_t align, uint64_t page);

#endif
