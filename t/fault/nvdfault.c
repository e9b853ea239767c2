// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nvdfault.so: fault injection for the writing commands, by LD_PRELOAD, so
 * the release binaries carry no hook. Every call that changes a file or
 * makes it durable is a fault point, numbered from 1 in the order the
 * process makes them:
 *
 *   pwrite pwrite64 pwritev write(fd > 2) fsync fdatasync sync_file_range
 *   fallocate fallocate64 ftruncate ftruncate64 link linkat unlink
 *   unlinkat rename renameat renameat2 msync madvise(MADV_POPULATE_WRITE)
 *
 * NVD_FAULT=kill:N[:CALL]  make point N, then SIGKILL the process (a crash
 *                          right after that step);
 * NVD_FAULT=fail:N[:CALL]  point N fails with NVD_FAULT_ERRNO (default EIO)
 *                          and is not made; later points go through.
 * NVD_FAULT=stop:N[:CALL]  make point N, then SIGSTOP the process, for a test
 *                          to change the world under it and SIGCONT it.
 *   With :CALL, only the calls of that name are counted (kill:2:fdatasync).
 * NVD_FAULT_LOG=FILE       append "N CALL" for every point made (counting).
 * NVD_FAULT_NO_POPULATE=1  madvise(MADV_POPULATE_WRITE) fails with EINVAL, as
 *                          on kernels before 5.14 (not a point).
 * NVD_FAULT_NO_TMPFILE=1   open(O_TMPFILE) fails with EOPNOTSUPP, as on file
 *                          systems without it (not a point).
 *
 * Output to the terminal or a pipe (fd 0-2) is never a point: glibc's stdio
 * does not come through here anyway.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

enum mode { COUNT, KILL, FAIL, STOP };

static enum mode mode = COUNT;
static long target;
static char only[32];
static int fail_errno = EIO;
static const char *logpath;
static int no_populate, no_tmpfile;
static long counter;

__attribute__((constructor)) static void nvdfault_init(void)
{
	const char *e = getenv("NVD_FAULT"), *v;
	char m[8];

	if (e && sscanf(e, "%7[a-z]:%ld:%31s", m, &target, only) >= 2) {
		if (!strcmp(m, "kill"))
			mode = KILL;
		else if (!strcmp(m, "fail"))
			mode = FAIL;
		else if (!strcmp(m, "stop"))
			mode = STOP;
	}
	if (e && mode == COUNT) {
		fprintf(stderr, "nvdfault: NVD_FAULT=%s: expected kill|fail|stop:N[:CALL]\n",
			e);
		_exit(125);
	}
	v = getenv("NVD_FAULT_ERRNO");
	if (v && *v) {
		fail_errno = !strcmp(v, "ENOSPC") ? ENOSPC : !strcmp(v, "EDQUOT") ? EDQUOT :
			     !strcmp(v, "EIO") ? EIO : !strcmp(v, "EROFS") ? EROFS : atoi(v);
		if (fail_errno <= 0) {
			fprintf(stderr, "nvdfault: NVD_FAULT_ERRNO=%s: use EIO, ENOSPC, EDQUOT, EROFS or a number\n", v);
			_exit(125);
		}
	}
	logpath = getenv("NVD_FAULT_LOG");
	no_populate = getenv("NVD_FAULT_NO_POPULATE") != NULL;
	no_tmpfile = getenv("NVD_FAULT_NO_TMPFILE") != NULL;
}

static void *next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f) {
		fprintf(stderr, "nvdfault: no %s in the next library\n", name);
		_exit(125);
	}
	return f;
}

static void log_point(long n, const char *call, const char *what)
{
	char line[64];
	int fd, len;

	if (!logpath)
		return;
	len = snprintf(line, sizeof(line), "%ld %s%s\n", n, call, what);
	/* Raw system calls: our own write() and close() must not recurse. */
	fd = (int)syscall(SYS_openat, AT_FDCWD, logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			  0644);
	if (fd >= 0) {
		syscall(SYS_write, fd, line, (size_t)len);
		syscall(SYS_close, fd);
	}
}

/* Before a point: 1 to let it fail (errno set), 0 to make it. */
static int point_fails(const char *call, long *n)
{
	if (only[0] && strcmp(only, call)) {
		*n = 0;
		return 0;
	}
	*n = __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST);
	if (mode == FAIL && *n == target) {
		log_point(*n, call, " failed");
		errno = fail_errno;
		return 1;
	}
	return 0;
}

/* After a point was made. */
static void point_made(const char *call, long n)
{
	int saved = errno;

	if (!n)
		return;
	log_point(n, call, "");
	if (mode == KILL && n == target)
		kill(getpid(), SIGKILL);
	if (mode == STOP && n == target)
		kill(getpid(), SIGSTOP);
	errno = saved;
}

#define POINT(ret_t, call, args, cargs, ...)					\
	ret_t call args								\
	{									\
		static ret_t (*real) args;					\
		long n;								\
		ret_t r;							\
		if (!real)							\
			real = (ret_t (*) args)next(#call);			\
		if (__VA_ARGS__ 1) {						\
			if (point_fails(#call, &n))				\
				return (ret_t)-1;				\
			r = real cargs;						\
			point_made(#call, n);					\
			return r;						\
		}								\
		return real cargs;						\
	}

POINT(ssize_t, pwrite, (int fd, const void *b, size_t c, off_t o), (fd, b, c, o), fd > 2 &&)
POINT(ssize_t, pwrite64, (int fd, const void *b, size_t c, off_t o), (fd, b, c, o), fd > 2 &&)
POINT(ssize_t, pwritev, (int fd, const struct iovec *v, int c, off_t o), (fd, v, c, o), fd > 2 &&)
POINT(ssize_t, write, (int fd, const void *b, size_t c), (fd, b, c), fd > 2 &&)
POINT(int, fsync, (int fd), (fd))
POINT(int, fdatasync, (int fd), (fd))
POINT(int, sync_file_range, (int fd, off_t o, off_t c, unsigned f), (fd, o, c, f))
POINT(int, fallocate, (int fd, int m, off_t o, off_t l), (fd, m, o, l))
POINT(int, fallocate64, (int fd, int m, off_t o, off_t l), (fd, m, o, l))
POINT(int, ftruncate, (int fd, off_t l), (fd, l))
POINT(int, ftruncate64, (int fd, off_t l), (fd, l))
POINT(int, link, (const char *a, const char *b), (a, b))
POINT(int, linkat, (int d1, const char *a, int d2, const char *b, int f), (d1, a, d2, b, f))
POINT(int, unlink, (const char *a), (a))
POINT(int, unlinkat, (int d, const char *a, int f), (d, a, f))
POINT(int, rename, (const char *a, const char *b), (a, b))
POINT(int, renameat, (int d1, const char *a, int d2, const char *b), (d1, a, d2, b))
POINT(int, renameat2, (int d1, const char *a, int d2, const char *b, unsigned f),
      (d1, a, d2, b, f))
POINT(int, msync, (void *a, size_t l, int f), (a, l, f))

int madvise(void *addr, size_t len, int advice)
{
	static int (*real)(void *, size_t, int);
	long n;
	int r;

	if (!real)
		real = (int (*)(void *, size_t, int))next("madvise");
	if (advice != MADV_POPULATE_WRITE)
		return real(addr, len, advice);
	if (no_populate) {
		errno = EINVAL;
		return -1;
	}
	if (point_fails("madvise", &n))
		return -1;
	r = real(addr, len, advice);
	point_made("madvise", n);
	return r;
}

static int tmpfile_refused(int flags)
{
	if (no_tmpfile && (flags & O_TMPFILE) == O_TMPFILE) {
		errno = EOPNOTSUPP;
		return 1;
	}
	return 0;
}

static mode_t open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

/* open and open64 (one function in glibc on 64-bit, two symbols) */
#define OPEN(name)								\
	int name(const char *path, int flags, ...)				\
	{									\
		static int (*real)(const char *, int, ...);			\
		va_list ap;							\
		mode_t m;							\
		va_start(ap, flags);						\
		m = open_mode(flags, ap);					\
		va_end(ap);							\
		if (!real)							\
			real = (int (*)(const char *, int, ...))next(#name);	\
		return tmpfile_refused(flags) ? -1 : real(path, flags, m);	\
	}

OPEN(open)
OPEN(open64)

int openat(int dirfd, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = open_mode(flags, ap);
	va_end(ap);
	if (!real)
		real = (int (*)(int, const char *, int, ...))next("openat");
	return tmpfile_refused(flags) ? -1 : real(dirfd, path, flags, m);
}
