// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tools/bench-exec: run a command N times (posix_spawn, output to /dev/null, wait) and print
 * the mean wall time of one run in microseconds, from spawn to reaped exit; the best mean of
 * R rounds. For tools/bench-start.sh: the start time of a tool against an exec floor.
 *
 *   bench-exec N R COMMAND [ARG...]
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	double best = -1;
	long n, r, i, j;

	if (argc < 4 || (n = atol(argv[1])) <= 0 || (r = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: bench-exec N ROUNDS COMMAND [ARG...]\n");
		return 2;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	for (j = 0; j < r; j++) {
		double s = now(), t;

		for (i = 0; i < n; i++) {
			pid_t pid;
			int st;

			if (posix_spawnp(&pid, argv[3], &fa, NULL, argv + 3, environ)) {
				perror(argv[3]);
				return 3;
			}
			if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) > 1) {
				fprintf(stderr, "bench-exec: %s failed\n", argv[3]);
				return 3;
			}
		}
		t = (now() - s) / n;
		if (best < 0 || t < best)
			best = t;
	}
	printf("%.1f\n", best * 1e6);
	return 0;
}
