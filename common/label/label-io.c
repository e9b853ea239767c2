// SPDX-License-Identifier: GPL-2.0-or-later
#include "label-io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "backend.h"
#include "label.h"
#include "memdev.h"
#include "newfile.h"
#include "size.h"
#include "util.h"

/* Without --label-size, a file at most this long is taken as a bare area. */
#define BARE_AREA_MAX LABEL_BARE_AREA_MAX

static int fail_size(int rc, const char *fmt, uint64_t v)
{
	char *s = xasprintf("%llu bytes", (unsigned long long)v);

	nvd_warnx(fmt, s);
	free(s);
	return rc;
}

static int place_area(struct label_target *t, const struct label_spec *spec)
{
	uint64_t off = spec->has_offset ? spec->offset : 0, win;
	/*
	 * The area is the whole window: a CXL label storage area, a backend of its
	 * own (lsa=: the file with --lsa, the backend's offset= and size= of it with
	 * --dimm), or a bare area without --label-size.
	 */
	bool whole = spec->lsa || !spec->has_label_size;

	if (!whole && spec->label_size < LABEL_AREA_MIN)
		return fail_size(NVD_EXIT_USAGE,
				 "invalid --label-size (%s): below QEMU's minimum of 128 KiB", spec->label_size);
	if (!spec->lsa && spec->has_size && (spec->size == 0 || spec->size % 4096))
		return fail_size(NVD_EXIT_USAGE,
				 "invalid --size (%s): not a multiple of 4 KiB (QEMU refuses it)", spec->size);
	if (off > t->file_size || (spec->has_size && spec->size > t->file_size - off)) {
		nvd_warnx("%s: %llu bytes, smaller than %s offset + size (%llu + %llu): %s", t->path,
			  (unsigned long long)t->file_size,
			  spec->lsa ? "its lsa= backend's" : "the backend's", (unsigned long long)off,
			  (unsigned long long)(spec->has_size ? spec->size : 0),
			  spec->lsa ? "nvd-label never grows a backend (QEMU sizes it at the VM's start)"
				    : "QEMU refuses it");
		return NVD_EXIT_ENV;
	}
	win = spec->has_size ? spec->size : t->file_size - off;
	if (whole && !spec->lsa && spec->writing) {
		nvd_warnx("%s: give --label-size (or --dimm): a command that writes never guesses where the area is",
			  t->path);
		return NVD_EXIT_USAGE;
	}
	if (whole && win > BARE_AREA_MAX) {
		nvd_warnx(spec->lsa ? "%s: %llu bytes: larger than the 16 MiB nvd-label takes as a label storage area (--lsa): is it the memory backend?"
				    : "%s: %llu bytes: give --label-size (a file of at most 16 MiB without it is taken as a label area on its own)",
			  t->path, (unsigned long long)win);
		return NVD_EXIT_USAGE;
	}
	if (whole) {
		if (!spec->lsa && win < LABEL_AREA_MIN) {
			nvd_warnx("%s: %llu bytes, smaller than the smallest label area (128 KiB)",
				  t->path, (unsigned long long)win);
			return NVD_EXIT_ENV;
		}
		t->area_off = off;
		t->area_size = win;
		return 0;
	}
	if (spec->label_size > win) {
		nvd_warnx("%s: the label area (%llu bytes) does not fit in the backend's %llu bytes",
			  t->path, (unsigned long long)spec->label_size, (unsigned long long)win);
		return NVD_EXIT_ENV;
	}
	t->area_off = off + win - spec->label_size;
	t->area_size = spec->label_size;
	t->pmem_limit = win - spec->label_size;
	return 0;
}

static const char *lock_error(int err)
{
	return err == EWOULDBLOCK ? "another process holds a lock on it" : strerror(err);
}

int label_target_open(struct label_target *t, const char *path, const struct label_spec *spec)
{
	struct stat st;
	int flags = (spec->writing ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	int err;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->path = xstrdup(path);
	/* O_NONBLOCK: a FIFO without writer must not hang open(). */
	t->fd = open(path, flags);
	if (t->fd < 0) {
		nvd_warnx("%s: cannot open%s: %s", path, spec->writing ? " for writing" : "",
			  strerror(errno));
		return NVD_EXIT_ENV;
	}
	if (fstat(t->fd, &st) < 0) {
		nvd_warnx("%s: %s", path, strerror(errno));
		return NVD_EXIT_ENV;
	}
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	if (S_ISDIR(st.st_mode)) {
		nvd_warnx("%s: is a directory, not a backend file", path);
		return NVD_EXIT_ENV;
	}
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode)) {
		nvd_warnx("%s: not a regular file or block device", path);
		return NVD_EXIT_ENV;
	}
	fcntl(t->fd, F_SETFL, fcntl(t->fd, F_GETFL) & ~O_NONBLOCK);
	{
		struct statfs sfs;

		/* hugetlbfs has no write(): QEMU too writes labels through its mapping. */
		if (S_ISREG(st.st_mode) && fstatfs(t->fd, &sfs) == 0 &&
		    sfs.f_type == HUGETLBFS_MAGIC)
			t->map_page = (uint64_t)sfs.f_bsize;
	}
	/*
	 * The lock before anything is looked at: another writer may have
	 * changed the area, the size or the file itself until we hold it.
	 */
	if (spec->lock) {
		if (flock(t->fd, spec->lock | LOCK_NB) < 0) {
			nvd_warnx("%s: cannot lock: %s", path, lock_error(errno));
			return NVD_EXIT_ENV;
		}
		t->lock = spec->lock;
		if (fstat(t->fd, &st) < 0) {
			nvd_warnx("%s: %s", path, strerror(errno));
			return NVD_EXIT_ENV;
		}
	}
	err = backend_fd_size(t->fd, &t->file_size);
	if (err) {
		nvd_warnx("%s: cannot get the device size: %s", path, strerror(-err));
		return NVD_EXIT_ENV;
	}
	t->is_blk = S_ISBLK(st.st_mode);
	if (!t->file_size) {
		nvd_warnx("%s: empty file: no label area", path);
		return NVD_EXIT_ENV;
	}
	/* Replaced or removed between open and lock: not the file to judge. */
	if (spec->lock && (err = label_target_verify(t, "not written")))
		return err;
	err = place_area(t, spec);
	if (!err && spec->pmem_limit)
		t->pmem_limit = spec->pmem_limit;
	return err;
}

int label_target_verify(const struct label_target *t, const char *what)
{
	struct stat was = { .st_dev = t->dev, .st_ino = t->ino };
	char buf[128];
	const char *why = backend_changed(t->fd, t->path, &was, t->file_size, buf, sizeof(buf));

	if (!why)
		return 0;
	nvd_warnx("%s: %s: %s", t->path, why, what);
	return NVD_EXIT_ENV;
}

void label_target_close(struct label_target *t)
{
	if (t->fd >= 0)
		close(t->fd);	/* and its lock */
	free(t->path);
	t->fd = -1;
	t->path = NULL;
}

static int pread_all(int fd, uint8_t *buf, uint64_t len, uint64_t off)
{
	uint64_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		done += (uint64_t)n;
	}
	return 0;
}

static int pwrite_all(int fd, const uint8_t *buf, uint64_t len, uint64_t off)
{
	uint64_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (uint64_t)n;
	}
	return 0;
}

int label_target_read(const struct label_target *t, uint8_t **buf)
{
	int err;

	*buf = xmalloc(t->area_size);
	err = pread_all(t->fd, *buf, t->area_size, t->area_off);
	if (err) {
		nvd_warnx("%s: cannot read the label area at %#llx: %s", t->path,
			  (unsigned long long)t->area_off,
			  err == -ENODATA ? "the file is shorter" : strerror(-err));
		free(*buf);
		*buf = NULL;
		return NVD_EXIT_ENV;
	}
	return 0;
}

pid_t label_mapped_by(dev_t dev, ino_t ino, char *comm, size_t commlen)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = 0, self = getpid();

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		char path[64], line[4096];
		unsigned maj, min;
		unsigned long long inode;
		FILE *fp;
		pid_t pid = (pid_t)strtol(de->d_name, NULL, 10);

		if (pid <= 0 || pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
		fp = fopen(path, "re");
		if (!fp)
			continue;	/* gone, or another user's: not readable */
		while (fgets(line, sizeof(line), fp)) {
			if (sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min, &inode) == 3 &&
			    inode == (unsigned long long)ino && makedev(maj, min) == dev) {
				found = pid;
				break;
			}
		}
		fclose(fp);
	}
	closedir(d);
	if (found && comm) {
		char path[64];
		FILE *fp;

		snprintf(path, sizeof(path), "/proc/%d/comm", found);
		comm[0] = '\0';
		fp = fopen(path, "re");
		if (fp) {
			if (fgets(comm, (int)commlen, fp))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(fp);
		}
	}
	return found;
}

/* The old area in a new file, whole or not at all, durable before the backend is touched. */
static int write_backup(const struct label_target *t, const uint8_t *old, const char *path)
{
	struct newfile nf;
	struct stat st;
	int err;

	err = lstat(path, &st) == 0 ? EEXIST : errno;
	if (err != ENOENT) {
		nvd_warnx("%s: cannot create the backup: %s", path, strerror(err));
		return NVD_EXIT_ENV;
	}
	err = newfile_open(&nf, path, 0600, false);
	if (err) {
		nvd_warnx("%s: cannot create the backup: %s", path, strerror(-err));
		return NVD_EXIT_ENV;
	}
	err = pwrite_all(nf.fd, old, t->area_size, 0);
	if (!err)
		err = newfile_commit(&nf);
	newfile_close(&nf);
	if (err) {
		nvd_warnx("%s: cannot %s the backup: %s", path,
			  err == -EEXIST ? "create" : "write", strerror(-err));
		return NVD_EXIT_ENV;
	}
	return 0;
}

/* The pages around the area, mapped shared, for a file system without write(). */
struct area_map {
	uint8_t *base, *area;
	size_t len;
};

static int area_map(const struct label_target *t, struct area_map *m)
{
	uint64_t from = ALIGN_DOWN(t->area_off, t->map_page);
	uint64_t to = ALIGN_UP(t->area_off + t->area_size, t->map_page);
	void *p;

	if (to > t->file_size) {
		nvd_warnx("%s: %llu bytes, not a whole number of %llu-byte pages: it cannot be mapped to write the label area",
			  t->path, (unsigned long long)t->file_size, (unsigned long long)t->map_page);
		return NVD_EXIT_ENV;
	}
	/* MAP_SHARED on hugetlbfs reserves the pages here: no SIGBUS when touched. */
	p = mmap(NULL, to - from, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, (off_t)from);
	if (p == MAP_FAILED) {
		nvd_warnx("%s: cannot map the label area to write it (hugetlbfs has no write(); the area is written through a shared mapping, as QEMU does): %s%s",
			  t->path, strerror(errno),
			  errno == ENOMEM ? " (no free huge page: raise /proc/sys/vm/nr_hugepages)" : "");
		return NVD_EXIT_ENV;
	}
	m->base = p;
	m->len = to - from;
	m->area = m->base + (t->area_off - from);
	return 0;
}

/* Step k of o: its bytes into cur, then [from, to) of cur written whole and made durable. */
static int write_step(struct label_target *t, const struct label_order *o, unsigned k,
		      uint8_t *cur, const uint8_t *new, const struct area_map *m)
{
	uint64_t from = o->from[k], to = o->to[k];
	int err;

	for (uint64_t i = from; i < to; i++)
		if (o->step[i] == k)
			cur[i] = new[i];
	/* Only inside the area: offsets are area_off + [0, area_size). */
	if (to > t->area_size)
		abort();
	if (m->base) {
		memcpy(m->area + from, cur + from, to - from);
		if (msync(m->base, m->len, MS_SYNC) < 0) {
			nvd_warnx("%s: msync: %s", t->path, strerror(errno));
			return NVD_EXIT_ENV;
		}
		return 0;
	}
	err = pwrite_all(t->fd, cur + from, to - from, t->area_off + from);
	if (err) {
		nvd_warnx("%s: write at %#llx failed: %s", t->path,
			  (unsigned long long)(t->area_off + from), strerror(-err));
		return NVD_EXIT_ENV;
	}
	if (fdatasync(t->fd) < 0) {
		nvd_warnx("%s: fdatasync: %s", t->path, strerror(errno));
		return NVD_EXIT_ENV;
	}
	return 0;
}

int label_target_write(struct label_target *t, const struct label_write *w)
{
	struct label_order o;
	struct area_map m = { 0 };
	uint8_t *cur = NULL;
	char comm[64], *what;
	pid_t pid;
	bool safe;
	int rc = 0;

	if (t->lock != LOCK_EX)
		abort();	/* what was read must be what the lock protects */
	if (!w->force && (pid = label_mapped_by(t->dev, t->ino, comm, sizeof(comm)))) {
		nvd_warnx("%s: mapped by running process %d (%s): stop it first, or use --force",
			  t->path, (int)pid, comm);
		return NVD_EXIT_ENV;
	}
	safe = label_order_plan(&o, w->old, w->new, t->area_size) == 0;
	if (!safe && !w->force) {
		nvd_warnx("%s: no order of writes keeps the old area or the new one valid at every step (%u states tried): not written (--force writes it anyway)",
			  t->path, o.tried);
		rc = NVD_EXIT_ENV;
		goto out;
	}
	if ((rc = label_target_verify(t, "not written")))
		goto out;
	if (t->map_page && (rc = area_map(t, &m)))
		goto out;
	if (w->backup && (rc = write_backup(t, w->old, w->backup)))
		goto out;
	cur = xmalloc(t->area_size);
	memcpy(cur, w->old, t->area_size);
	for (unsigned k = 0; k < o.nsteps && !rc; k++) {
		what = !k ? xstrdup("not written")
			  : xasprintf("stopped after %u of %u steps%s", k, o.nsteps,
				      safe ? ", the kernel sees the old area or the new one" : "");
		rc = label_target_verify(t, what);
		free(what);
		if (!rc)
			rc = write_step(t, &o, k, cur, w->new, &m);
	}
	if (!rc && (pread_all(t->fd, cur, t->area_size, t->area_off) ||
		    memcmp(cur, w->new, t->area_size))) {
		nvd_warnx("%s: the label area reads back different from what was written", t->path);
		rc = NVD_EXIT_ENV;
	}
out:
	if (m.base)
		munmap(m.base, m.len);
	free(cur);
	label_order_free(&o);
	return rc;
}

/*
 * read -o: standard output, a device or FIFO written directly, or a regular
 * file replaced whole: written under a temporary name in its directory and
 * renamed over it, so an existing file keeps its old content until the new
 * one is complete (with its mode and owner); a symbolic link is followed.
 */
int label_save(const struct label_target *t, const uint8_t *buf, const char *path)
{
	struct outfile of;
	struct stat st;
	int rc;

	if (!streq(path, "-") && stat(path, &st) == 0 && st.st_dev == t->dev &&
	    st.st_ino == t->ino) {
		nvd_warnx("%s: is the backend itself", path);
		return NVD_EXIT_USAGE;
	}
	rc = outfile_open(&of, path);
	if (rc)
		return rc;
	if (of.fd == STDOUT_FILENO && fstat(of.fd, &st) == 0 && st.st_dev == t->dev &&
	    st.st_ino == t->ino) {
		nvd_warnx("%s: is the backend itself", path);
		return NVD_EXIT_USAGE;
	}
	rc = outfile_write(&of, buf, t->area_size);
	if (!rc)
		rc = outfile_commit(&of);
	outfile_close(&of);
	return rc;
}
