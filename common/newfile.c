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
