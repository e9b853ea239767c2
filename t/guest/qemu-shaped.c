/*
 * qemu-shaped: a process that maps memory backends exactly as QEMU 7.2 does,
 * under a QEMU command line, for nvd-check --pid inside the test guest (QEMU
 * itself under TCG in a TCG guest would take minutes to start).
 *
 * Installed as .../qemu-system-x86_64 and run with QEMU's arguments; for each
 * "-object memory-backend-file,...": open mem-path O_RDWR (O_CREAT for a
 * file), grow a file to size=, and mmap size bytes read-write: MAP_PRIVATE
 * for share=off; MAP_SHARED for share=on; with pmem=on and share=on first
 * MAP_SHARED_VALIDATE|MAP_SYNC, and on EOPNOTSUPP MAP_SHARED again (QEMU's
 * qemu_ram_mmap() and its warning). The descriptor stays open, as QEMU's.
 * Then "ready" on stdout, and it waits for a signal. Sizes: bytes, or K/M/G.
 * Exit 1 when a backend cannot be mapped, with the reason on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

/* The value of key in "type,k=v,k=v" (no ",," escapes: test input), or NULL. */
static char *opt(const char *s, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = strchr(s, ','); p; p = strchr(p + 1, ',')) {
		if (!strncmp(p + 1, key, kl) && p[1 + kl] == '=')
			return strndup(p + 2 + kl, strcspn(p + 2 + kl, ","));
	}
	return NULL;
}

static unsigned long long size_of(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10;
	}
	return v;
}

static int on(const char *v)
{
	return v && (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true"));
}

int main(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i++) {
		const char *a = argv[i + 1];
		char *path, *size, *share, *pmem;
		unsigned long long len;
		struct stat st;
		void *m;
		int fd, shared;

		if (strcmp(argv[i], "-object") || strncmp(a, "memory-backend-file,", 20))
			continue;
		path = opt(a, "mem-path");
		size = opt(a, "size");
		share = opt(a, "share");
		pmem = opt(a, "pmem");
		if (!path || !size) {
			fprintf(stderr, "qemu-shaped: %s: no mem-path or size\n", a);
			return 1;
		}
		len = size_of(size);
		shared = on(share);
		fd = open(path, O_RDWR | O_CREAT, 0644);
		if (fd < 0 || fstat(fd, &st) < 0) {
			fprintf(stderr, "qemu-shaped: %s: %s\n", path, strerror(errno));
			return 1;
		}
		if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size < len && ftruncate(fd, (off_t)len) < 0) {
			fprintf(stderr, "qemu-shaped: %s: %s\n", path, strerror(errno));
			return 1;
		}
		m = MAP_FAILED;
		if (shared && on(pmem)) {
			m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
			if (m == MAP_FAILED && errno != EOPNOTSUPP) {
				fprintf(stderr, "qemu-shaped: %s: MAP_SYNC: %s\n", path, strerror(errno));
				return 1;
			}
			if (m == MAP_FAILED)
				fprintf(stderr, "qemu-shaped: Warning: requesting persistence across crashes for backend file %s failed. Proceeding without persistence, data might become corrupted in case of host crash.\n",
					path);
		}
		if (m == MAP_FAILED)
			m = mmap(NULL, len, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			fprintf(stderr, "qemu-shaped: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
