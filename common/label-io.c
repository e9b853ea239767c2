// SPDX-License-Identifier: GPL-2.0-or-later
#include "label-io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "label.h"
#include "newfile.h"
#include "plan.h"
#include "size.h"
#include "util.h"

/* Without --label-size, a file at most this long is taken as a bare area. */
#define BARE_AREA_MAX (16 * MiB)

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

	if (spec->has_label_size && spec->label_size < LABEL_AREA_MIN)
		return fail_size(NVD_EXIT_USAGE,
				 "invalid --label-size (%s): below QEMU's minimum of 128 KiB", spec->label_size);
	if (spec->has_size && (spec->size == 0 || spec->size % 4096))
		return fail_size(NVD_EXIT_USAGE,
				 "invalid --size (%s): not a multiple of 4 KiB (QEMU refuses it)", spec->size);
	if (off > t->file_size || (spec->has_size && spec->size > t->file_size - off)) {
		nvd_warnx("%s: %llu bytes, smaller than the backend's offset + size (%llu + %llu): QEMU refuses it",
			  t->path, (unsigned long long)t->file_size, (unsigned long long)off,
			  (unsigned long long)(spec->has_size ? spec->size : 0));
		return NVD_EXIT_ENV;
	}
	win = spec->has_size ? spec->size : t->file_size - off;
	if (!spec->has_label_size) {
		if (spec->writing) {
			nvd_warnx("%s: give --label-size (or --dimm): a command that writes never guesses where the area is",
				  t->path);
			return NVD_EXIT_USAGE;
		}
		if (win > BARE_AREA_MAX) {
			nvd_warnx("%s: %llu bytes: give --label-size (a file of at most 16 MiB without it is taken as a label area on its own)",
				  t->path, (unsigned long long)win);
			return NVD_EXIT_USAGE;
		}
		if (win < LABEL_AREA_MIN) {
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

int label_target_open(struct label_target *t, const char *path, const struct label_spec *spec)
{
	struct stat st;
	int flags = (spec->writing ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;

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
	if (S_ISBLK(st.st_mode)) {
		uint64_t n = 0;

		if (ioctl(t->fd, BLKGETSIZE64, &n) < 0) {
			nvd_warnx("%s: cannot get the device size: %s", path, strerror(errno));
			return NVD_EXIT_ENV;
		}
		t->is_blk = true;
		t->file_size = n;
	} else if (S_ISREG(st.st_mode)) {
		t->file_size = (uint64_t)st.st_size;
	} else {
		nvd_warnx("%s: not a regular file or block device", path);
		return NVD_EXIT_ENV;
	}
	fcntl(t->fd, F_SETFL, fcntl(t->fd, F_GETFL) & ~O_NONBLOCK);
	if (!t->file_size) {
		nvd_warnx("%s: empty file: no label area", path);
		return NVD_EXIT_ENV;
	}
	return place_area(t, spec);
}

int label_target_open_vm(struct label_target *t, const char *file, char **words, size_t nwords,
			 const struct label_spec *spec)
{
	struct plan_opts po = { .offline = true };
	struct plan_result r;
	struct qcmdline cl;
	struct label_spec s = *spec;
	const char *src = file ? file : "--";
	char *err = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	rc = file ? qcmdline_from_file(file, &cl, &err)
		  : qcmdline_from_words(words, nwords, "command line", &cl, &err) < 0 ? -EINVAL : 0;
	if (rc == -EINVAL) {
		nvd_warnx("%s: %s", src, err);
		free(err);
		return NVD_EXIT_USAGE;
	}
	if (rc < 0) {
		nvd_warnx("%s: %s", src, strerror(-rc));
		return NVD_EXIT_ENV;
	}
	plan_evaluate(&cl, QVER_NEWEST, &po, &r);
	qcmdline_free(&cl);
	rc = NVD_EXIT_USAGE;
	for (size_t i = 0; i < r.vm.ndimms; i++) {
		const struct dimm *d = &r.vm.dimms[i];

		if (!d->id || !streq(d->id, spec->dimm))
			continue;
		if (d->kind != DK_NVDIMM || !d->label_size || !d->be || !d->be->mem_path) {
			nvd_warnx("%s: device %s is not an NVDIMM with label-size on a memory-backend-file",
				  src, spec->dimm);
			goto out;
		}
		s.label_size = d->label_size;
		s.has_label_size = true;
		s.size = d->be->size;
		s.has_size = d->be->has_size;
		s.offset = d->be->offset;
		s.has_offset = d->be->has_offset;
		rc = label_target_open(t, d->be->mem_path, &s);
		if (!rc && d->region_size)
			t->pmem_limit = d->region_size;
		goto out;
	}
	nvd_warnx("%s: no device with id=%s", src, spec->dimm);
out:
	plan_result_free(&r);
	return rc;
}

void label_target_close(struct label_target *t)
{
	if (t->fd >= 0)
		close(t->fd);
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

/* Write the bytes of [from, to) of the area that differ, then make them durable. */
static int write_step(struct label_target *t, const struct label_write *w, uint64_t from,
		      uint64_t to)
{
	uint64_t i = from;
	int err;

	while (i < to) {
		uint64_t j;

		while (i < to && w->old[i] == w->new[i])
			i++;
		if (i == to)
			break;
		for (j = i; j < to && w->old[j] != w->new[j]; j++)
			;
		/* Only inside the area: offsets are area_off + [0, area_size). */
		if (j > t->area_size)
			abort();
		err = pwrite_all(t->fd, w->new + i, j - i, t->area_off + i);
		if (err)
			goto fail;
		i = j;
	}
	if (fdatasync(t->fd) < 0) {
		nvd_warnx("%s: fdatasync: %s", t->path, strerror(errno));
		return NVD_EXIT_ENV;
	}
	return 0;
fail:
	nvd_warnx("%s: write at %#llx failed: %s", t->path, (unsigned long long)(t->area_off + i),
		  strerror(-err));
	return NVD_EXIT_ENV;
}

int label_target_write(struct label_target *t, const struct label_write *w)
{
	uint64_t s = w->index_size ? w->index_size : 256;
	int first = w->old_current == 0 ? 1 : 0, rc = 0;
	char comm[64];
	pid_t pid;
	uint8_t *check;

	if (!w->force && (pid = label_mapped_by(t->dev, t->ino, comm, sizeof(comm)))) {
		nvd_warnx("%s: mapped by running process %d (%s): stop it first, or use --force",
			  t->path, (int)pid, comm);
		return NVD_EXIT_ENV;
	}
	if (flock(t->fd, LOCK_EX | LOCK_NB) < 0) {
		nvd_warnx("%s: cannot lock: %s", t->path,
			  errno == EWOULDBLOCK ? "another process holds a lock on it" : strerror(errno));
		return NVD_EXIT_ENV;
	}
	if (w->backup && (rc = write_backup(t, w->old, w->backup)))
		return rc;
	if (2 * s > t->area_size)
		s = t->area_size / 2;
	/*
	 * The kernel's order: labels first, then the index block that is not
	 * current, then the other; each step durable before the next, so a
	 * crash leaves at least one valid index block.
	 */
	{
		const uint64_t from[3] = { 2 * s, first * s, (1 - first) * s };
		const uint64_t to[3] = { t->area_size, (first + 1) * s, (2 - first) * s };
		/* zero: both index blocks, then the labels they pointed to */
		static const int order_new[3] = { 0, 1, 2 }, order_none[3] = { 1, 2, 0 };
		const int *order = w->new_has_index ? order_new : order_none;

		for (int k = 0; k < 3 && !rc; k++)
			rc = write_step(t, w, from[order[k]], to[order[k]]);
	}
	if (rc)
		return rc;
	check = xmalloc(t->area_size);
	if (pread_all(t->fd, check, t->area_size, t->area_off) ||
	    memcmp(check, w->new, t->area_size)) {
		nvd_warnx("%s: the label area reads back different from what was written", t->path);
		rc = NVD_EXIT_ENV;
	}
	free(check);
	flock(t->fd, LOCK_UN);
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
