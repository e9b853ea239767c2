/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A backend path on this host as QEMU would open and map it. Reads only. */
#ifndef NVD_BACKEND_H
#define NVD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/mman.h>

/* Older C libraries lack them; the values are the kernel's (Linux 4.15). */
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

struct backend_host {
	bool exists;
	bool dangling;		/* a symbolic link to nothing (QEMU retries forever) */
	bool is_dir, is_chr, is_devdax, is_hugetlbfs;
	bool parent_exists;
	int open_errno;		/* errno of QEMU's open() (O_RDWR or O_RDONLY), 0 when it works */
	int create_errno;	/* errno QEMU would get creating a missing file */
	bool is_blk;
	uint64_t file_size;	/* backend_fd_size(), or the device-DAX size from sysfs */
	uint64_t page_size;	/* hugetlbfs block size, else the host page size */
	uint64_t devdax_align;	/* device-DAX region alignment, 0 when unknown */
	char *real_path;	/* what /proc/self/fd/N would name */
};

/*
 * The size QEMU's get_file_size() finds for an open backend other than a
 * device-DAX node (whose size is in sysfs): lseek(SEEK_END), that is a
 * regular file's size, a block device's (BLKGETSIZE64), 0 for other
 * character devices, FIFOs and sockets. 0, or -errno. Every tool takes a
 * backend's size from here.
 */
int backend_fd_size(int fd, uint64_t *size);

/*
 * Look at path as QEMU's file_ram_open() and qemu_ram_alloc_from_fd() would,
 * for a backend opened read-only or read-write. sysroot prefixes /sys.
 * Never creates, truncates or writes anything.
 */
void backend_host_probe(const char *sysroot, const char *path, bool readonly,
			struct backend_host *h);
void backend_host_free(struct backend_host *h);

/*
 * Try mmap(MAP_SHARED_VALIDATE | MAP_SYNC) of the first page of path,
 * PROT_READ only. Returns 0 when granted, else -errno (-EOPNOTSUPP: not DAX).
 * For a directory, probes an unnamed O_TMPFILE file there.
 */
int backend_try_map_sync(const char *path);

/*
 * The same trial with a mapping of len bytes (0: one page; device-DAX needs
 * its alignment). *opened tells a refused mmap (true) from a failed open or
 * O_TMPFILE (false), whose errno (EOPNOTSUPP too) says nothing about MAP_SYNC.
 */
int backend_map_sync_trial(const char *path, uint64_t len, bool *opened);

/*
 * Why the file open as fd is no longer the one path named when it was
 * opened (was: its fstat then, size: its backend_fd_size() then): path now
 * names another file or none, or the file's size changed. NULL when it
 * still is; else a text for "PATH: TEXT" (in buf, len bytes). For writers
 * to call before each write step, and for digest after reading (a file cut
 * short under it reads as a short file, not as an I/O error).
 */
struct stat;
const char *backend_changed(int fd, const char *path, const struct stat *was, uint64_t size,
			    char *buf, size_t len);

/*
 * Read len bytes at off from path into buf. Returns 0, or -errno;
 * -ENODATA when the file is shorter.
 */
int backend_read_at(const char *path, uint64_t off, void *buf, uint64_t len);

#endif
