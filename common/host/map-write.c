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
#include <setjmp.h>
#include <signal.h>
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

/*
 * Touching a page the file system cannot back (no space, or a file cut
 * short under us) raises SIGBUS in the touching thread. The handler jumps
 * back into that thread's touch_pages() when the fault is in the mapping
 * being touched; any other SIGBUS gets the default action, as before.
 */
static __thread sigjmp_buf *volatile touch_jmp;	/* volatile: stored before the touching */
static uint8_t *touch_lo, *touch_hi;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uint8_t *a = si->si_addr;

	(void)uc;
	if (touch_jmp && a >= touch_lo && a < touch_hi)
		siglongjmp(*touch_jmp, 1);
	signal(sig, SIG_DFL);	/* the faulting access repeats and gets it */
}

/*
 * Write back the same byte of each page: content unchanged, page allocated.
 * The write is a compare-and-swap of the value just read with itself: a
 * plain read then write would put back an old value over a write another
 * process (a guest with --force, a writer that takes no lock) made in
 * between, and the write fault in between makes that window microseconds
 * long. The swap only writes while the byte still holds what was read.
 */
static int touch_pages(uint8_t *p, uint64_t len, uint64_t page)
{
	sigjmp_buf jb;

	if (sigsetjmp(jb, 1)) {
		touch_jmp = NULL;
		return EFAULT;	/* as MADV_POPULATE_WRITE reports the same fault */
	}
	touch_jmp = &jb;
	for (uint64_t off = 0; off < len; off += page) {
		uint8_t *b = p + off;
		uint8_t v = __atomic_load_n(b, __ATOMIC_RELAXED);

		while (!__atomic_compare_exchange_n(b, &v, v, false, __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED))
			;	/* v now holds the newer value: swap that one */
	}
	touch_jmp = NULL;
	return 0;
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
		if (atomic_load(&j->touch)) {
			int e = touch_pages(j->base + off, len, j->page);

			if (e) {
				atomic_store(&j->err, e);
				break;
			}
		}
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
	struct sigaction sa, old;
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
	touch_lo = p;
	touch_hi = (uint8_t *)p + size;
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old);
	for (unsigned t = 0; t < threads; t++) {
		if (pthread_create(&tids[t], NULL, prealloc_worker, &j))
			break;
		started++;
	}
	if (!started)
		prealloc_worker(&j);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	sigaction(SIGBUS, &old, NULL);
	if (progress)
		fputc('\n', stderr);
	*touched = atomic_load(&j.touch);
	munmap(p, size);
	free(tids);
	return -atomic_load(&j.err);
}

/* Ranges of the file that were holes before prealloc, to give back after a failure. */
struct holes {
	uint64_t (*r)[2];
	size_t n, cap;
};

static void holes_add(struct holes *h, uint64_t a, uint64_t b)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 16;
		h->r = xrealloc(h->r, h->cap * sizeof(*h->r));
	}
	h->r[h->n][0] = a;
	h->r[h->n][1] = b;
	h->n++;
}

/* The holes of [0, size), by SEEK_DATA/SEEK_HOLE; none where they are not supported. */
static void holes_find(int fd, uint64_t size, struct holes *h)
{
	uint64_t pos = 0;

	while (pos < size) {
		off_t d = lseek(fd, (off_t)pos, SEEK_DATA), e;

		if (d < 0) {
			if (errno == ENXIO)
				holes_add(h, pos, size);	/* a hole to the end */
			return;
		}
		if ((uint64_t)d > pos)
			holes_add(h, pos, (uint64_t)d < size ? (uint64_t)d : size);
		e = lseek(fd, d, SEEK_HOLE);
		if (e <= d)
			return;
		pos = (uint64_t)e;
	}
}

static bool all_zero(const uint8_t *b, size_t n)
{
	return !n || (!b[0] && !memcmp(b, b + 1, n - 1));
}

/*
 * After a failed prealloc: punch the ranges that were holes before and
 * still read as zeros, so the blocks prealloc allocated are free again and
 * the content is the same (zeros either way). -EOPNOTSUPP when the file
 * system cannot punch holes.
 */
static int holes_give_back(int fd, const struct holes *h)
{
	const uint64_t step = MiB;
	uint8_t *buf = xmalloc(step);
	int err = 0;

	for (size_t i = 0; i < h->n && !err; i++) {
		for (uint64_t off = h->r[i][0]; off < h->r[i][1] && !err; off += step) {
			uint64_t n = h->r[i][1] - off < step ? h->r[i][1] - off : step;
			ssize_t got = pread(fd, buf, n, (off_t)off);

			if (got != (ssize_t)n || !all_zero(buf, n))
				continue;	/* data now, or unreadable: leave it */
			if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
				      (off_t)n) < 0)
				err = -errno;
		}
	}
	free(buf);
	return err;
}

/*
 * Say why a step failed, with its real cause: a file changed under us (cut
 * short, replaced: left alone), else no space (a page the file system could
 * not back is EFAULT from MADV_POPULATE_WRITE, SIGBUS when touched), with
 * the blocks allocated meanwhile given back where the file system can.
 */
static void prealloc_failed(const char *path, int fd, const struct stat *st, const char *step,
			    int err, const struct holes *h)
{
	char buf[128];
	const char *why = backend_changed(fd, path, st, (uint64_t)st->st_size, buf, sizeof(buf));
	struct stat now;
	uint64_t left = 0;
	pid_t pid;
	int r;

	if (why) {
		nvd_warnx("%s: changed under prealloc: %s", path, why);
		return;
	}
	if (err == EFAULT)
		err = ENOSPC;
	if (err != ENOSPC && err != EDQUOT) {
		nvd_warnx("%s: %s: %s", path, step, strerror(err));
		return;
	}
	/*
	 * A process mapping the file (--force) writes without our lock: a range
	 * read as zeros could take its data before the punch. Keep the blocks.
	 */
	pid = label_mapped_by(st->st_dev, st->st_ino, NULL, 0);
	r = pid ? -EBUSY : holes_give_back(fd, h);
	if (fstat(fd, &now) == 0 && now.st_blocks > st->st_blocks)
		left = (uint64_t)(now.st_blocks - st->st_blocks) * 512;
	if (!left)
		nvd_warnx("%s: %s: %s (nothing left allocated)", path, step, strerror(err));
	else
		nvd_warnx("%s: %s: %s (%llu bytes it allocated stay allocated%s)", path, step,
			  strerror(err), (unsigned long long)left,
			  r == -EOPNOTSUPP ? ": this file system cannot punch holes" :
			  r == -EBUSY ? ": a running process maps the file" : "");
}

/*
 * Refuse before writing anything when the file system has less room than
 * the file's unallocated bytes (st_blocks counts blocks already allocated,
 * unwritten ones too). Root may use the blocks reserved for root, as its
 * writes would. Not for hugetlbfs (fallocate counts its pages itself).
 */
static bool room_short(int fd, const struct stat *st, uint64_t *need, uint64_t *avail)
{
	struct statfs sfs;
	uint64_t have = (uint64_t)st->st_blocks * 512;

	*need = (uint64_t)st->st_size > have ? (uint64_t)st->st_size - have : 0;
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type == HUGETLBFS_MAGIC || !sfs.f_blocks)
		return false;
	*avail = (uint64_t)(geteuid() == 0 ? sfs.f_bfree : sfs.f_bavail) * (uint64_t)sfs.f_frsize;
	return *need > *avail;
}

/* Before each write step: fd must still be the file path names, at its size. */
static bool still_same(int fd, const char *path, const struct stat *st)
{
	char buf[128];
	const char *why = backend_changed(fd, path, st, (uint64_t)st->st_size, buf, sizeof(buf));

	if (why)
		nvd_warnx("%s: changed under prealloc: %s", path, why);
	return !why;
}

int map_prealloc(const struct map_prealloc_opts *po, struct out *o)
{
	struct stat st, after;
	struct holes holes = { 0 };
	char comm[64];
	pid_t pid;
	uint64_t size, before_blocks, need, avail;
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
		if (room_short(fd, &st, &need, &avail)) {
			nvd_warnx("%s: cannot preallocate: %s (%llu bytes to allocate, %llu free)",
				  po->path, strerror(ENOSPC), (unsigned long long)need,
				  (unsigned long long)avail);
			goto out;
		}
		holes_find(fd, size, &holes);
		if (!still_same(fd, po->path, &st))
			goto out;
		/* Blocks for the holes first, so touching a page never hits ENOSPC (SIGBUS). */
		if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size) < 0 && errno != EOPNOTSUPP) {
			prealloc_failed(po->path, fd, &st, "cannot allocate", errno, &holes);
			goto out;
		}
		if (!still_same(fd, po->path, &st))
			goto out;
		err = populate(fd, size, page, po->threads ? po->threads : 1, po->progress, &touched);
		if (err) {
			prealloc_failed(po->path, fd, &st, "cannot populate", -err, &holes);
			goto out;
		}
		if (!still_same(fd, po->path, &st))
			goto out;
		if (fsync(fd) < 0) {
			prealloc_failed(po->path, fd, &st, "fsync", errno, &holes);
			goto out;
		}
	}
	/* Someone else changed it meanwhile (we never do): not a success. */
	if (!still_same(fd, po->path, &st) || fstat(fd, &after) < 0)
		goto out;
	map_out_head(o, "prealloc", po->path);
	out_u64(o, "size", "preallocated: %llu bytes", size);
	out_u64(o, "allocated_before", ", allocated %llu", before_blocks);
	out_u64(o, "allocated", " -> %llu", (uint64_t)after.st_blocks * 512);
	out_str(o, "method", ", %s", !size ? "none" : touched ? "touch" : "madv_populate_write");
	out_u64(o, "threads", ", %llu threads\n", po->threads);
	rc = 0;
out:
	free(holes.r);
	close(fd);	/* drops the lock */
	return rc;
}
