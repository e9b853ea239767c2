/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding a label area in a backend, reading it, and writing it without
 * risk to the rest of the file: only inside the area, never while a running
 * process maps the backend, under an exclusive flock taken before the area
 * is read, with an optional backup, stopped when the file is replaced or
 * resized meanwhile, in an order that leaves the kernel seeing the old area
 * or the new one after a crash at any step.
 * Functions that fail print "nvd-label: what: why" and return an exit code
 * (enum nvd_exit); 0 is success.
 */
#ifndef NVD_LABEL_IO_H
#define NVD_LABEL_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The largest file taken as a label area on its own (without --label-size, or --lsa). */
#define LABEL_BARE_AREA_MAX (16 * 1024 * 1024)

/* Where the area is, as the user gave it or a VM configuration says. */
struct label_spec {
	uint64_t label_size, size, offset;
	bool has_label_size, has_size, has_offset;
	bool writing;		/* a command that writes: stricter defaults */
	bool lsa;		/* the whole file is the area: a cxl-type3 device's lsa= backend */
	int lock;		/* 0, LOCK_SH or LOCK_EX: taken before anything is read */
	uint64_t pmem_limit;	/* the DIMM's pmem before the area, when known (--dimm) */
	/* --dimm of a cxl-type3: its sn= (all ones, QEMU's unset value, without one) */
	uint64_t serial;
	bool has_serial;
};

struct label_target {
	char *path;		/* the backend */
	int fd;
	dev_t dev;
	ino_t ino;
	bool is_blk;
	uint64_t file_size;
	uint64_t area_off, area_size;	/* file offset and size of the label area */
	uint64_t pmem_limit;	/* DIMM capacity before the area, 0 unknown */
	int lock;		/* the flock held (LOCK_SH, LOCK_EX) or 0 */
	uint64_t map_page;	/* hugetlbfs (no write()): written through a mapping of such pages */
};

/*
 * Open path (O_RDWR when writing), take spec->lock (never waiting: a held
 * lock is refused), then look at the file and place the area by spec, so
 * that what is read and decided afterwards is what the lock protects.
 * Refuses directories, character devices, FIFOs, empty files and areas that
 * do not fit in the file.
 */
int label_target_open(struct label_target *t, const char *path, const struct label_spec *spec);

/*
 * nvd-label --dimm (label-dimm.c): the backend of NVDIMM dimm in a QEMU
 * command line (words, or a FILE when words is NULL): its mem-path (*path,
 * malloc'd) and its label area into spec, for label_target_open. A device
 * without a label area in a file is refused with the reason (exit 2).
 */
int label_dimm_resolve(const char *dimm, const char *file, char **words, size_t nwords,
		       struct label_spec *spec, char **path);
void label_target_close(struct label_target *t);

/* The area's bytes (malloc'd). */
int label_target_read(const struct label_target *t, uint8_t **buf);

/*
 * Whether the file is still the one opened: its path names the same device
 * and inode, and its size is the one the area was placed by. Prints why not
 * (what, e.g. "not written") and returns NVD_EXIT_ENV.
 */
int label_target_verify(const struct label_target *t, const char *what);

/* A process other than us mapping the backend: its pid (and name), or 0. */
pid_t label_mapped_by(dev_t dev, ino_t ino, char *comm, size_t commlen);

struct label_write {
	const uint8_t *old, *new;	/* both area_size bytes */
	const char *backup;		/* save old here first (must not exist) */
	bool force;			/* even if a running process maps it, or no order is safe */
};

/*
 * Replace the area (opened with LOCK_EX, old read under that lock): refuse
 * if mapped (unless force), backup, then the steps label_order_plan finds,
 * each one pwrite and an fdatasync (on hugetlbfs, which has no write(): a
 * copy into a shared mapping and an msync), the file verified before each;
 * read back and compare. When no order keeps the kernel's view old or new at
 * every step: refused, unless force (then the kernel's order: labels, the
 * index block not current, the other).
 */
int label_target_write(struct label_target *t, const struct label_write *w);

/* Save the area to path ("-" for stdout), never over the backend itself. */
int label_save(const struct label_target *t, const uint8_t *buf, const char *path);

#endif
