// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The two nvd-map commands that write: create (a new file only, made
 * complete under a temporary name or none, then linked into place, so a
 * crash leaves no file or the whole one) and prealloc (blocks and pages
 * allocated as QEMU's prealloc=on does, no byte of content changed, size
 * untouched). Neither ever truncates, grows or shrinks an existing file.
 */
#include "map.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "backend.h"
#include "label-io.h"
#include "newfile.h"
#include "size.h"
#include "util.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23	/* Linux 5.14 */
#endif
#define HUGETLBFS_MAGIC 0x958458f6
#define PREALLOC_CHUNK (64ULL << 20)

static uint64_t fs_page_size(const char *dir)
{
	struct statfs sfs;

	if (statfs(dir, &sfs) == 0 && sfs.f_type == HUGETLBFS_MAGIC)
		return (uint64_t)sfs.f_bsize;
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

static bool on_dax(int fd)
{
	struct statx stx;

	return statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == 0 &&
	       (stx.stx_attributes_mask & STATX_ATTR_DAX) && (stx.stx_attributes & STATX_ATTR_DAX);
}

int map_create(const struct map_create_opts *co, struct out *o)
{
	char *copy = xstrdup(co->path), *s;
	uint64_t page = fs_page_size(dirname(copy));
	struct newfile nf = { .fd = -1 };
	struct stat st;
	int rc = NVD_EXIT_ENV, err;

	free(copy);
	if (lstat(co->path, &st) == 0) {
		nvd_warnx("%s: exists: create never touches an existing file", co->path);
		return rc;
	}
	if (errno != ENOENT) {
		nvd_warnx("%s: %s", co->path, strerror(errno));
		return rc;
	}
	if (co->size == 0) {
		nvd_warnx("%s: size 0: QEMU refuses it (property 'size' of memory-backend-file doesn't take value '0')",
			  co->path);
		return NVD_EXIT_FAIL;
	}
	if (co->size % page) {
		s = size_to_str(page);
		nvd_warnx("%s: size %llu is not a multiple of the page size %s: QEMU refuses it (backend 'memory-backend-file' memory size must be multiple of %s)",
			  co->path, (unsigned long long)co->size, s, s);
		free(s);
		return NVD_EXIT_FAIL;
	}
	err = newfile_open(&nf, co->path, 0644, false);
	if (err) {
		copy = xstrdup(co->path);
		nvd_warnx("%s: cannot create a file in %s: %s", co->path, dirname(copy),
			  strerror(-err));
		free(copy);
		return rc;
	}
	/*
	 * Locked before it has a name, until it is whole and durable: nvd-label
	 * or prealloc opening the name as soon as it appears find it locked and
	 * never write into a file that create may still have to take back.
	 */
	if (flock(nf.fd, LOCK_EX) < 0) {
		nvd_warnx("%s: cannot lock the new file: %s", co->path, strerror(errno));
		goto out;
	}
	if (on_dax(nf.fd) && co->size % (2 * MiB)) {
		nvd_warnx("%s: size %llu is not a multiple of 2 MiB: on a DAX mount the guest would lose huge-page mappings",
			  co->path, (unsigned long long)co->size);
		rc = NVD_EXIT_FAIL;
		goto out;
	}
	/* Our own new, empty file: setting its size truncates nothing. */
	if (co->sparse ? ftruncate(nf.fd, (off_t)co->size)
		       : fallocate(nf.fd, 0, 0, (off_t)co->size)) {
		int e = errno;

		nvd_warnx("%s: cannot allocate %llu bytes: %s%s", co->path,
			  (unsigned long long)co->size, strerror(e),
			  e == EOPNOTSUPP ? " (use --sparse on this file system)" : "");
		goto out;
	}
	err = newfile_commit(&nf);
	if (err) {
		if (err == -EEXIST)
			nvd_warnx("%s: exists: create never touches an existing file", co->path);
		else
			nvd_warnx("%s: %s: %s", co->path, nf.step, strerror(-err));
		goto out;
	}
	fstat(nf.fd, &st);
	map_out_head(o, "create", co->path);
	out_u64(o, "size", "created: %llu bytes", co->size);
	out_u64(o, "allocated", ", %llu allocated", (uint64_t)st.st_blocks * 512);
	out_bool(o, "sparse", ", sparse %s", co->sparse);
	out_bool(o, "dax", ", DAX %s\n", on_dax(nf.fd));
	rc = 0;
out:
	newfile_close(&nf);
	return rc;
}

struct prealloc_job {
	uint8_t *base;
	uint64_t size, page;
	atomic_uint_fast64_t next, done;
	atomic_int err, printing;
	atomic_bool touch;	/* no MADV_POPULATE_WRITE: touch pages */
	bool progress;
};

static void touch_pages(uint8_t *p, uint64_t len, uint64_t page)
{
	/* Read and write back the same byte: content unchanged, page allocated. */
	for (uint64_t off = 0; off < len; off += page) {
		volatile uint8_t *b = p + off;
		uint8_t v = *b;

		*b = v;
	}
}

static void *prealloc_worker(void *arg)
{
	struct prealloc_job *j = arg;

	for (;;) {
		uint64_t off = atomic_fetch_add(&j->next, PREALLOC_CHUNK), len, d;

		if (off >= j->size || atomic_load(&j->err))
			break;
		len = j->size - off < PREALLOC_CHUNK ? j->size - off : PREALLOC_CHUNK;
		if (!atomic_load(&j->touch) && madvise(j->base + off, len, MADV_POPULATE_WRITE)) {
			if (errno != EINVAL) {
				atomic_store(&j->err, errno);
				break;
			}
			atomic_store(&j->touch, true);
		}
		if (atomic_load(&j->touch))
			touch_pages(j->base + off, len, j->page);
		d = atomic_fetch_add(&j->done, len) + len;
		if (j->progress && !atomic_exchange(&j->printing, 1)) {
			fprintf(stderr, "\rnvd-map: prealloc: %3llu%%",
				(unsigned long long)(d * 100 / j->size));
			atomic_store(&j->printing, 0);
		}
	}
	return NULL;
}

static int populate(int fd, uint64_t size, uint64_t page, unsigned threads, bool progress,
		    bool *touched)
{
	struct prealloc_job j;
	pthread_t *tids = xcalloc(threads, sizeof(*tids));
	unsigned started = 0;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		free(tids);
		return -errno;
	}
	memset(&j, 0, sizeof(j));
	j.base = p;
	j.size = size;
	j.page = page;
	j.progress = progress;
	for (unsigned t = 0; t < threads; t++) {
		if (pthread_create(&tids[t], NULL, prealloc_worker, &j))
			break;
		started++;
	}
	if (!started)
		prealloc_worker(&j);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	if (progress)
		fputc('\n', stderr);
	*touched = atomic_load(&j.touch);
	munmap(p, size);
	free(tids);
	return -atomic_load(&j.err);
}

/* Before each write step: fd must still be the file path names, at its size. */
static bool still_same(int fd, const char *path, const struct stat *st)
{
	char buf[128];
	const char *why = backend_changed(fd, path, st, buf, sizeof(buf));

	if (why)
		nvd_warnx("%s: changed under prealloc: %s", path, why);
	return !why;
}

int map_prealloc(const struct map_prealloc_opts *po, struct out *o)
{
	struct stat st, after;
	char comm[64];
	pid_t pid;
	uint64_t size, before_blocks;
	bool touched = false;
	int fd, err, rc = NVD_EXIT_ENV;

	fd = open(po->path, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		nvd_warnx("%s: cannot open: %s", po->path, strerror(errno));
		return NVD_EXIT_ENV;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		nvd_warnx("%s: not a regular file: prealloc works on file backends only", po->path);
		goto out;
	}
	/*
	 * The lock first, held to the end: nvd-label takes the same one, so its
	 * writes never interleave with ours (touching pages writes bytes back).
	 * Everything decided below is decided on what the file is under it.
	 */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		nvd_warnx("%s: cannot lock: %s", po->path,
			  errno == EWOULDBLOCK ? "another process holds a lock on it" : strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		nvd_warnx("%s: %s", po->path, strerror(errno));
		goto out;
	}
	size = (uint64_t)st.st_size;
	before_blocks = (uint64_t)st.st_blocks * 512;
	if (!po->force && (pid = label_mapped_by(st.st_dev, st.st_ino, comm, sizeof(comm)))) {
		nvd_warnx("%s: mapped by running process %d (%s): stop it first, or use --force",
			  po->path, (int)pid, comm);
		goto out;
	}
	if (size) {
		char *dir = xstrdup(po->path);
		uint64_t page = fs_page_size(dirname(dir));

		free(dir);
		if (!still_same(fd, po->path, &st))
			goto out;
		/* Blocks for the holes first, so touching a page never hits ENOSPC (SIGBUS). */
		if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size) < 0 && errno != EOPNOTSUPP) {
			nvd_warnx("%s: cannot allocate: %s", po->path, strerror(errno));
			goto out;
		}
		if (!still_same(fd, po->path, &st))
			goto out;
		err = populate(fd, size, page, po->threads ? po->threads : 1, po->progress, &touched);
		if (err) {
			nvd_warnx("%s: cannot populate: %s", po->path, strerror(-err));
			goto out;
		}
		if (!still_same(fd, po->path, &st))
			goto out;
		if (fsync(fd) < 0) {
			nvd_warnx("%s: fsync: %s", po->path, strerror(errno));
			goto out;
		}
	}
	if (fstat(fd, &after) < 0 || after.st_size != st.st_size) {
		/* Someone else changed it: we never do. */
		nvd_warnx("%s: the size changed while preallocating", po->path);
		goto out;
	}
	map_out_head(o, "prealloc", po->path);
	out_u64(o, "size", "preallocated: %llu bytes", size);
	out_u64(o, "allocated_before", ", allocated %llu", before_blocks);
	out_u64(o, "allocated", " -> %llu", (uint64_t)after.st_blocks * 512);
	out_str(o, "method", ", %s", !size ? "none" : touched ? "touch" : "madv_populate_write");
	out_u64(o, "threads", ", %llu threads\n", po->threads);
	rc = 0;
out:
	close(fd);	/* drops the lock */
	return rc;
}
