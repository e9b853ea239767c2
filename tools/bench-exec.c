// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tools/bench-exec: run a command N times (posix_spawn, output to /dev/null, wait) and print
 * the mean wall time of one run in microseconds, from spawn to reaped exit; the best mean of
 * R rounds. For tools/bench-start.sh: the start time of a tool against an exec floor.
 *
 *   bench-exec N R COMMAND [ARG...] [';' [NAME=VALUE...] COMMAND [ARG...]]...
 *
 * Several commands (each may start with NAME=VALUE words for its environment): one line
 * each, in order, and their rounds taken in turn (round 1 of each, then round 2...), so a
 * burst of other work on a shared machine lands on every figure alike instead of on the
 * one that happened to be timed then.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct cmd {
	char **argv;
	char **envp;
	double best;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* NAME=VALUE, NAME a shell variable's name, as env(1) and the shell take it */
static int is_assignment(const char *w)
{
	size_t n = strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789");

	return n > 0 && w[n] == '=' && !(w[0] >= '0' && w[0] <= '9');
}

/* environ with the NAME=VALUE words at w[0..n) put over it. */
static char **env_with(char **w, int n)
{
	size_t ne = 0, k = 0;
	char **e;

	while (environ[ne])
		ne++;
	e = calloc(ne + n + 1, sizeof(*e));
	if (!e)
		exit(3);
	for (size_t i = 0; i < ne; i++) {
		int j;

		for (j = 0; j < n; j++)
			if (!strncmp(environ[i], w[j], strcspn(w[j], "=") + 1))
				break;
		if (j == n)
			e[k++] = environ[i];
	}
	for (int j = 0; j < n; j++)
		e[k++] = w[j];
	return e;
}

static int run(struct cmd *c, long n, posix_spawn_file_actions_t *fa)
{
	double s = now(), t;

	for (long i = 0; i < n; i++) {
		pid_t pid;
		int st;

		if (posix_spawnp(&pid, c->argv[0], fa, NULL, c->argv, c->envp)) {
			perror(c->argv[0]);
			return 3;
		}
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) > 1) {
			fprintf(stderr, "bench-exec: %s failed\n", c->argv[0]);
			return 3;
		}
	}
	t = (now() - s) / n;
	if (c->best < 0 || t < c->best)
		c->best = t;
	return 0;
}

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	struct cmd *cmds;
	int ncmds = 0;
	long n, r;

	if (argc < 4 || (n = atol(argv[1])) <= 0 || (r = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: bench-exec N ROUNDS COMMAND [ARG...] [';' [NAME=VALUE...] COMMAND...]...\n");
		return 2;
	}
	cmds = calloc(argc, sizeof(*cmds));
	if (!cmds)
		return 3;
	for (int i = 3; i < argc;) {
		int nv = 0, end;

		while (i + nv < argc && is_assignment(argv[i + nv]))
			nv++;
		for (end = i + nv; end < argc && strcmp(argv[end], ";"); end++)
			;
		if (end == i + nv) {
			fprintf(stderr, "bench-exec: an empty command\n");
			return 2;
		}
		cmds[ncmds].envp = nv ? env_with(argv + i, nv) : environ;
		cmds[ncmds].argv = argv + i + nv;
		cmds[ncmds].best = -1;
		ncmds++;
		if (end < argc)
			argv[end] = NULL;
		i = end + 1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	for (long j = 0; j < r; j++)
		for (int c = 0; c < ncmds; c++)
			if (run(&cmds[c], n, &fa))
				return 3;
	for (int c = 0; c < ncmds; c++)
		printf("%.1f\n", cmds[c].best * 1e6);
	return 0;
}
