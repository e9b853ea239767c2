/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nvd-map's core: one memory-backend-file as QEMU would check and map it
 * (validate), and the tools that write a backend without ever changing its
 * size or content (create, prealloc) or only read it (digest). Functions
 * that fail print "nvd-map: what: why" and return an exit code (enum
 * nvd_exit); 0 is success.
 */
#ifndef NVD_MAP_H
#define NVD_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"
#include "vmconfig.h"

/* validate: the backend as options or as one -object text. */
struct map_validate_opts {
	const char *path;	/* BACKEND, NULL when --object names mem-path */
	const char *object;	/* --object 'memory-backend-file,...' */
	const char *size, *align, *offset;	/* QEMU size syntax, as given */
	const char *share, *pmem, *readonly;	/* on/off as given, NULL unset */
	const char *sysroot;	/* prefix for /sys */
	qver_t qver;
	const struct qemu_caps *caps;	/* the QEMU binary's answers, or NULL */
	bool quiet, strict;	/* the report: failures only; warnings fail (exit 1) */
};

/* Build "memory-backend-file,id=mem0,mem-path=...,..." (commas escaped). */
char *map_object_text(const struct map_validate_opts *mo, uint64_t default_size);

/* QEMU's steps on the backend, then its mmap; exit 0 accept, 1 refuse. */
int map_validate(const struct map_validate_opts *mo, struct out *o);

/* What qemu_ram_mmap() was granted, tried for real (PROT_READ only). */
struct map_trial {
	bool tried;
	bool want_sync;		/* share=on and pmem=on: MAP_SHARED_VALIDATE|MAP_SYNC */
	bool sync_granted;
	int sync_errno;		/* of the MAP_SYNC attempt, 0 when granted or not tried */
	int map_errno;		/* of the final mmap, 0 when it worked */
	uint64_t length, align, file_offset;
	bool aligned;		/* the mapping starts at a multiple of align */
};

int map_trial_run(const char *path, uint64_t length, uint64_t align, uint64_t file_offset,
		  bool share, bool pmem, bool readonly, bool rom, struct map_trial *t);

/* create: a new file of size bytes, O_EXCL, allocated unless sparse. */
struct map_create_opts {
	const char *path;
	uint64_t size;
	bool sparse;
};
int map_create(const struct map_create_opts *co, struct out *o);

/* prealloc: every page of an existing backend populated, no byte changed. */
struct map_prealloc_opts {
	const char *path;
	unsigned threads;
	bool force;		/* even if a running process maps it */
	bool progress;		/* on stderr (a terminal) */
};
int map_prealloc(const struct map_prealloc_opts *po, struct out *o);

/* digest of [offset, offset + size) (has_size false: to the end of the file). */
struct map_digest_opts {
	const char *path;
	uint64_t offset, size;
	bool has_size;
	unsigned threads;
	const char *expect;	/* compare with this digest: mismatch exits 1 */
	bool verbose;		/* text: also the data and hole bytes */
};

struct map_digest {
	uint64_t digest;
	uint64_t data_bytes, hole_bytes;
};

#define MAP_DIGEST_ALGO "xxh64-4m-v1"
#define MAP_DIGEST_CHUNK (4ULL << 20)

int map_digest(const struct map_digest_opts *dopts, struct out *o);
/* The digest of an open file's window, for the tests and the benchmark. */
int map_digest_fd(int fd, uint64_t offset, uint64_t size, unsigned threads,
		  struct map_digest *d);

/* XXH64 (xxHash's 64-bit hash, as libxxhash's XXH64()). */
uint64_t xxh64(const void *data, size_t len, uint64_t seed);

/* Default thread count: the online CPUs, at most 16. */
unsigned map_default_threads(void);

/* The common head of the JSON object and the text. */
void map_out_head(struct out *o, const char *command, const char *path);

#endif
