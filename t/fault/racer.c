// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * racer FILE: a writer that takes no lock, as a running guest is. It maps FILE
 * shared and, until SIGTERM, keeps writing a counter into the first byte of
 * every page, checking before each write that the byte still holds the last
 * value it wrote there. On SIGTERM it prints "LOST WRITES": how many times the
 * byte held something else, that is how many of its writes another process
 * (prealloc touching pages) put an old value over. "ready" once it runs.
 * Built by the test that uses it (t/fault.bats).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	volatile uint8_t *m;
	uint8_t *last;
	long lost = 0, writes = 0;
	struct stat st;
	size_t n;
	int fd;

	if (argc != 2 || (fd = open(argv[1], O_RDWR)) < 0 || fstat(fd, &st) < 0 ||
	    st.st_size < 4096) {
		fprintf(stderr, "usage: racer FILE (a file of at least one page)\n");
		return 2;
	}
	n = (size_t)st.st_size / 4096;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	last = calloc(n, 1);
	if (m == MAP_FAILED || !last)
		return 3;
	signal(SIGTERM, on_term);
	for (size_t i = 0; i < n; i++)
		last[i] = m[i * 4096];
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		for (size_t i = 0; i < n; i++) {
			if (m[i * 4096] != last[i])
				lost++;
			m[i * 4096] = ++last[i];
			writes++;
		}
	}
	printf("%ld %ld\n", lost, writes);
	return 0;
}
