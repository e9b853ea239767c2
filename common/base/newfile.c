// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * New files that appear whole or not at all (nvd-map create, nvd-label's
 * backups). A crash at any point leaves the name absent or the whole file;
 * where O_TMPFILE is missing it can leave a hidden .NAME.nvd-XXXXXX file,
 * never a half-written NAME.
 */
#include "newfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int newfile_open(struct newfile *nf, const char *path, mode_t mode, bool named)
{
	char *copy = xstrdup(path), *base;
	mode_t um;

	memset(nf, 0, sizeof(*nf));
	nf->path = path;
	nf->dir = xstrdup(dirname(copy));
	free(copy);
	nf->fd = named ? -1 : open(nf->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
	if (nf->fd >= 0)
		return 0;
	if (!named && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		int err = -errno;

		free(nf->dir);
		nf->dir = NULL;
		return err;
	}
	copy = xstrdup(path);
	base = basename(copy);
	/* the name shortened: a long one must not make the temporary one too long */
	nf->tmpname = xasprintf("%s/.%.64s.nvd-XXXXXX", nf->dir, base);
	free(copy);
	nf->fd = mkostemp(nf->tmpname, O_CLOEXEC);
	if (nf->fd < 0) {
		int err = -errno;

		free(nf->tmpname);
		free(nf->dir);
		memset(nf, 0, sizeof(*nf));
		nf->fd = -1;
		return err;
	}
	um = umask(0);
	umask(um);
	fchmod(nf->fd, mode & ~um);
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		err = -errno;
	close(fd);
	return err;
}

int newfile_commit(struct newfile *nf)
{
	char fdpath[64];
	int err;

	if (fsync(nf->fd) < 0) {
		nf->step = "fsync";
		return -errno;
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", nf->fd);
	if ((nf->tmpname ? link(nf->tmpname, nf->path)
			 : linkat(AT_FDCWD, fdpath, AT_FDCWD, nf->path, AT_SYMLINK_FOLLOW)) < 0) {
		nf->step = "link";
		return -errno;
	}
	if (nf->tmpname && unlink(nf->tmpname) < 0) {
		/* Two names for one file: take the new one back, all or nothing. */
		err = -errno;
		nf->step = "unlink of the temporary name";
		unlink(nf->path);
		return err;
	}
	free(nf->tmpname);
	nf->tmpname = NULL;
	err = fsync_dir(nf->dir);
	if (err) {
		/* The name may not survive a crash: take it back, all or nothing. */
		nf->step = "fsync of the directory";
		unlink(nf->path);
		return err;
	}
	free(nf->dir);
	nf->dir = NULL;
	return 0;
}

int newfile_replace(struct newfile *nf)
{
	int err;

	if (fsync(nf->fd) < 0) {
		nf->step = "fsync";
		return -errno;
	}
	if (rename(nf->tmpname, nf->path) < 0) {
		nf->step = "rename";
		return -errno;
	}
	free(nf->tmpname);
	nf->tmpname = NULL;
	err = fsync_dir(nf->dir);
	if (err) {
		/* The new content is in place; only its durability is in doubt. */
		nf->step = "fsync of the directory";
		return err;
	}
	return 0;
}

void newfile_close(struct newfile *nf)
{
	if (nf->tmpname)
		unlink(nf->tmpname);
	free(nf->tmpname);
	free(nf->dir);
	if (nf->fd >= 0)
		close(nf->fd);
	nf->tmpname = nf->dir = NULL;
	nf->fd = -1;
}

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int outfile_open_how(struct outfile *of, const char *path, bool name_only)
{
	bool exists, is_link;
	struct stat st, lst;
	int err;

	memset(of, 0, sizeof(*of));
	of->path = path;
	of->fd = -1;
	of->nf.fd = -1;
	if (streq(path, "-")) {
		of->fd = STDOUT_FILENO;
		of->direct = true;
		return 0;
	}
	if (name_only) {
		/* the name itself: a link is never followed, a device or FIFO never written */
		exists = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
		is_link = false;
		goto replace;
	}
	exists = stat(path, &st) == 0;
	is_link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
	if (exists && !S_ISREG(st.st_mode)) {
		of->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (of->fd < 0) {
			nvd_warnx("%s: cannot open: %s", path, strerror(errno));
			return NVD_EXIT_ENV;
		}
		of->direct = true;
		return 0;
	}
	if (!exists && is_link) {
		nvd_warnx("%s: a symbolic link to nothing: not replaced", path);
		return NVD_EXIT_ENV;
	}
	if (exists && st.st_uid != geteuid() && geteuid() != 0) {
		nvd_warnx("%s: belongs to another user: it cannot be replaced whole keeping its owner; write a new file",
			  path);
		return NVD_EXIT_ENV;
	}
	if (is_link && (of->real = realpath(path, NULL)))
		path = of->real;	/* the file it points to is replaced, not the link */
replace:
	err = newfile_open(&of->nf, path, 0644, true);
	if (err) {
		nvd_warnx(exists ? "%s: cannot replace it whole: no new file beside it: %s"
				 : "%s: cannot create: %s", path, strerror(-err));
		outfile_close(of);
		return NVD_EXIT_ENV;
	}
	if (exists && (fchown(of->nf.fd, st.st_uid, st.st_gid) < 0 ||
		       fchmod(of->nf.fd, st.st_mode & 07777) < 0)) {
		nvd_warnx("%s: cannot keep its owner and mode: %s", path, strerror(errno));
		outfile_close(of);
		return NVD_EXIT_ENV;
	}
	of->fd = of->nf.fd;
	return 0;
}

int outfile_open(struct outfile *of, const char *path)
{
	return outfile_open_how(of, path, false);
}

int outfile_open_name(struct outfile *of, const char *path)
{
	return outfile_open_how(of, path, true);
}

int outfile_write(struct outfile *of, const void *buf, size_t len)
{
	int err = write_full(of->fd, buf, len);

	if (err) {
		nvd_warnx("%s: cannot write: %s", of->path, strerror(-err));
		return NVD_EXIT_ENV;
	}
	return 0;
}

int outfile_commit(struct outfile *of)
{
	int err = 0;

	if (of->direct) {
		if (of->fd != STDOUT_FILENO && close(of->fd) < 0)
			err = -errno;
		of->fd = -1;
		if (err) {
			nvd_warnx("%s: cannot write: %s", of->path, strerror(-err));
			return NVD_EXIT_ENV;
		}
		return 0;
	}
	err = newfile_replace(&of->nf);
	if (err) {
		nvd_warnx("%s: cannot write: %s%s%s", of->real ? of->real : of->path,
			  of->nf.step ? of->nf.step : "", of->nf.step ? ": " : "", strerror(-err));
		outfile_close(of);
		return NVD_EXIT_ENV;
	}
	outfile_close(of);
	return 0;
}

void outfile_close(struct outfile *of)
{
	if (of->direct && of->fd >= 0 && of->fd != STDOUT_FILENO)
		close(of->fd);
	if (!of->direct && of->nf.fd >= 0)
		newfile_close(&of->nf);
	free(of->real);
	of->real = NULL;
	of->fd = -1;
}

const struct run_input *output_is_input(const char *output, const struct run_input *in, size_t n)
{
	struct stat out, st;

	if (!output)
		return NULL;
	if (streq(output, "-")) {
		/* standard output: a file (>>, 1<>), never a terminal or a pipe */
		if (fstat(STDOUT_FILENO, &out) < 0 || !(S_ISREG(out.st_mode) || S_ISBLK(out.st_mode)))
			return NULL;
	} else if (stat(output, &out) < 0) {
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!in[i].path || streq(in[i].path, "-") || stat(in[i].path, &st) < 0)
			continue;
		if (st.st_dev == out.st_dev && st.st_ino == out.st_ino)
			return &in[i];
	}
	return NULL;
}
