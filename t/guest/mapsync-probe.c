/*
 * mapsync-probe: does the kernel grant mmap(MAP_SHARED_VALIDATE | MAP_SYNC) on PATH?
 * Ground truth for the guest tests (nvd-check must agree with it).
 *
 * Usage: mapsync-probe [-c SIZE] [-l LENGTH] [-o OFFSET] [-w] PATH
 *   -c SIZE     create PATH (or extend it) to SIZE bytes first
 *   -l LENGTH   length of the mapping (default 4096)
 *   -o OFFSET   file offset of the mapping (default 0)
 *   -w          write one byte through the mapping and msync it
 * Prints one line: "mapsync=ok" or "mapsync=fail errno=N name=ENAME", plus "dax=0|1" from
 * statx (STATX_ATTR_DAX).
 * Exit status: 0 granted, 1 refused, 2 usage, 3 cannot open or stat PATH.
 * Sizes accept a K, M or G suffix.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

static const char *errno_name(int e)
{
	switch (e) {
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EINVAL: return "EINVAL";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENODEV: return "ENODEV";
	case ENOMEM: return "ENOMEM";
	case ENXIO: return "ENXIO";
	default: return "E?";
	}
}

static unsigned long long parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10; end++; break;
	}
	if (*end || end == s) {
		fprintf(stderr, "mapsync-probe: bad size: %s\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long long create = 0, length = 4096, offset = 0;
	int write_byte = 0, opt, fd, flags = O_RDWR;
	struct statx stx;
	void *p;

	while ((opt = getopt(argc, argv, "c:l:o:w")) != -1) {
		switch (opt) {
		case 'c': create = parse_size(optarg); flags |= O_CREAT; break;
		case 'l': length = parse_size(optarg); break;
		case 'o': offset = parse_size(optarg); break;
		case 'w': write_byte = 1; break;
		default:
			fprintf(stderr, "Usage: mapsync-probe [-c SIZE] [-l LENGTH] [-o OFFSET] [-w] PATH\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "Usage: mapsync-probe [-c SIZE] [-l LENGTH] [-o OFFSET] [-w] PATH\n");
		return 2;
	}
	fd = open(argv[optind], flags, 0644);
	if (fd < 0) {
		fprintf(stderr, "mapsync-probe: %s: %s\n", argv[optind], strerror(errno));
		return 3;
	}
	if (create && ftruncate(fd, create) != 0) {
		fprintf(stderr, "mapsync-probe: %s: ftruncate: %s\n", argv[optind], strerror(errno));
		return 3;
	}
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == 0)
		printf("dax=%d\n", !!(stx.stx_attributes & STATX_ATTR_DAX));
	p = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC, fd, offset);
	if (p == MAP_FAILED) {
		int e = errno;
		printf("mapsync=fail errno=%d name=%s\n", e, errno_name(e));
		return 1;
	}
	printf("mapsync=ok\n");
	if (write_byte) {
		*(volatile char *)p = 1;
		printf("msync=%s\n", msync(p, length, MS_SYNC) == 0 ? "ok" : strerror(errno));
	}
	munmap(p, length);
	close(fd);
	return 0;
}
