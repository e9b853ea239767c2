// SPDX-License-Identifier: GPL-2.0-or-later
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util.h"

#define HUGETLBFS_MAGIC 0x958458f6

/* /sys/dev/char/M:m/subsystem ends in "/dax" for a device-DAX node. */
static void probe_devdax(const char *sysroot, dev_t rdev, struct backend_host *h)
{
	char *dir, *p, link[PATH_MAX];
	ssize_t n;

	dir = xasprintf("%s/sys/dev/char/%u:%u", sysroot ? sysroot : "", major(rdev), minor(rdev));
	p = xasprintf("%s/subsystem", dir);
	n = readlink(p, link, sizeof(link) - 1);
	free(p);
	if (n > 0) {
		link[n] = '\0';
		if (n >= 4 && !strcmp(link + n - 4, "/dax")) {
			h->is_devdax = true;
			p = xasprintf("%s/size", dir);
			read_u64_file(p, &h->file_size);
			free(p);
			p = xasprintf("%s/align", dir);
			if (read_u64_file(p, &h->devdax_align) < 0) {
				free(p);
				p = xasprintf("%s/device/align", dir);
				read_u64_file(p, &h->devdax_align);
			}
			free(p);
		}
	}
	free(dir);
}

int backend_fd_size(int fd, uint64_t *size)
{
	struct stat st;

	*size = 0;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, size) < 0 ? -errno : 0;
	if (S_ISREG(st.st_mode))
		*size = (uint64_t)st.st_size;
	return 0;
}

void backend_host_probe(const char *sysroot, const char *path, bool readonly,
			struct backend_host *h)
{
	struct statfs sfs;
	struct stat st;
	char *copy, *parent;
	int fd;

	memset(h, 0, sizeof(*h));
	h->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	copy = xstrdup(path);
	parent = dirname(copy);
	h->parent_exists = stat(parent, &st) == 0 && S_ISDIR(st.st_mode);
	if (h->parent_exists && access(parent, W_OK) < 0)
		h->create_errno = errno;
	else if (!h->parent_exists)
		h->create_errno = ENOENT;
	if (h->parent_exists && statfs(parent, &sfs) == 0 && sfs.f_type == HUGETLBFS_MAGIC) {
		h->is_hugetlbfs = true;
		h->page_size = sfs.f_bsize;
	}
	free(copy);

	if (stat(path, &st) < 0) {
		h->open_errno = errno;
		h->dangling = errno == ENOENT && lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
		return;
	}
	h->exists = true;
	h->real_path = realpath(path, NULL);
	if (S_ISDIR(st.st_mode)) {
		h->is_dir = true;
		if (access(path, W_OK) < 0)
			h->create_errno = errno;
		if (statfs(path, &sfs) == 0 && sfs.f_type == HUGETLBFS_MAGIC) {
			h->is_hugetlbfs = true;
			h->page_size = sfs.f_bsize;
		}
		return;
	}
	/* O_NONBLOCK: a FIFO without writer must not hang us; QEMU would hang there. */
	fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		h->open_errno = errno;
		return;
	}
	if (fstatfs(fd, &sfs) == 0 && sfs.f_type == HUGETLBFS_MAGIC) {
		h->is_hugetlbfs = true;
		h->page_size = sfs.f_bsize;
	}
	if (S_ISCHR(st.st_mode)) {
		h->is_chr = true;
		probe_devdax(sysroot, st.st_rdev, h);
	} else {
		/* QEMU's lseek can fail on a FIFO: it takes that as 0, so do we. */
		h->is_blk = S_ISBLK(st.st_mode);
		if (backend_fd_size(fd, &h->file_size) < 0)
			h->file_size = 0;
	}
	close(fd);
}

void backend_host_free(struct backend_host *h)
{
	free(h->real_path);
	h->real_path = NULL;
}

int backend_map_sync_trial(const char *path, uint64_t len, bool *opened)
{
	struct stat st;
	void *p;
	int fd, err = 0;
	long pg = sysconf(_SC_PAGESIZE);

	*opened = false;
	if (!len)
		len = (uint64_t)pg;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fd = open(path, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		if (ftruncate(fd, (off_t)len) < 0) {
			err = -errno;
			close(fd);
			return err;
		}
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd < 0)
			return -errno;
	}
	*opened = true;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
	if (p == MAP_FAILED)
		err = -errno;
	else
		munmap(p, len);
	close(fd);
	return err;
}

int backend_try_map_sync(const char *path)
{
	bool opened;

	return backend_map_sync_trial(path, 0, &opened);
}

const char *backend_changed(int fd, const char *path, const struct stat *was, uint64_t size,
			    char *buf, size_t len)
{
	struct stat named;
	uint64_t now;
	int err;

	if (stat(path, &named) < 0) {
		if (errno == ENOENT)
			return "removed since it was opened";
		snprintf(buf, len, "cannot look at it again: %s", strerror(errno));
		return buf;
	}
	if (named.st_dev != was->st_dev || named.st_ino != was->st_ino)
		return "replaced by another file since it was opened";
	err = backend_fd_size(fd, &now);
	if (err) {
		snprintf(buf, len, "cannot look at it again: %s", strerror(-err));
		return buf;
	}
	if (now != size) {
		snprintf(buf, len, "its size changed from %llu to %llu bytes since it was opened",
			 (unsigned long long)size, (unsigned long long)now);
		return buf;
	}
	return NULL;
}

int backend_read_at(const char *path, uint64_t off, void *buf, uint64_t len)
{
	uint64_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int err = 0;

	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0) {
			err = -ENODATA;
			break;
		}
		done += (uint64_t)n;
	}
	close(fd);
	return err;
}
