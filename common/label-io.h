/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding a label area in a backend, reading it, and writing it without
 * risk to the rest of the file: only inside the area, never while a running
 * process maps the backend, under an exclusive flock, with an optional
 * backup, in an order that leaves a valid index after a crash at any step.
 * Functions that fail print "nvd-label: what: why" and return an exit code
 * (enum nvd_exit); 0 is success.
 */
#ifndef NVD_LABEL_IO_H
#define NVD_LABEL_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Where the area is, as the user gave it or a VM configuration says. */
struct label_spec {
	uint64_t label_size, size, offset;
	bool has_label_size, has_size, has_offset;
	const char *dimm;	/* --dimm ID: the backend comes from a configuration */
	bool writing;		/* a command that writes: stricter defaults */
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
};

/*
 * Open path (O_RDWR when writing) and place the area by spec. Refuses
 * directories, character devices, FIFOs, empty files and areas that do not
 * fit in the file.
 */
int label_target_open(struct label_target *t, const char *path, const struct label_spec *spec);

/*
 * The backend of NVDIMM spec->dimm in a QEMU command line (words, or a FILE
 * when words is NULL): its mem-path and label area, then as above.
 */
int label_target_open_vm(struct label_target *t, const char *file, char **words, size_t nwords,
			 const struct label_spec *spec);
void label_target_close(struct label_target *t);

/* The area's bytes (malloc'd). */
int label_target_read(const struct label_target *t, uint8_t **buf);

/* A process other than us mapping the backend: its pid (and name), or 0. */
pid_t label_mapped_by(dev_t dev, ino_t ino, char *comm, size_t commlen);

struct label_write {
	const uint8_t *old, *new;	/* both area_size bytes */
	uint64_t index_size;		/* S of the index blocks to order, 0: 256 */
	int old_current;		/* the old state's current index, or -1 */
	bool new_has_index;		/* the new area has a valid index block */
	const char *backup;		/* save old here first (must not exist) */
	bool force;			/* even if a running process maps it */
};

/*
 * Replace the area: refuse if mapped (unless force), flock, backup, then
 * the label slots and other bytes, then the index block that is not current
 * in the old state, then the other, with fdatasync after each step; read
 * back and compare. When the new area has no index (zero), the index
 * blocks go first: the labels stay behind a valid index until none is left.
 */
int label_target_write(struct label_target *t, const struct label_write *w);

/* Save the area to path ("-" for stdout), never over the backend itself. */
int label_save(const struct label_target *t, const uint8_t *buf, const char *path);

#endif
