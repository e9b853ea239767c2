// SPDX-License-Identifier: GPL-2.0-or-later
#include "qemu-probe.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "newfile.h"

#define CACHE_MAGIC "nvd-toolkit qemu-caps 2\n"
#define MAX_ANSWER (8 * MiB)

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * The binary to ask: p->binary (a name without '/' looked up on PATH, as a
 * shell does), or qemu-system-<target> found on PATH; NULL: none.
 */
static char *find_binary(const struct qemu_probe *p)
{
	const char *name = p->target == TARGET_AARCH64 ? "qemu-system-aarch64"
						       : "qemu-system-x86_64";
	const char *path = getenv("PATH");
	char *copy, *save = NULL;

	if (p->binary && strchr(p->binary, '/'))
		return xstrdup(p->binary);
	if (p->binary)
		name = p->binary;
	if (!path || !*path)
		return NULL;
	copy = xstrdup(path);
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *f = xasprintf("%s/%s", *d ? d : ".", name);
		struct stat st;

		if (!stat(f, &st) && S_ISREG(st.st_mode) && !access(f, X_OK)) {
			free(copy);
			return f;
		}
		free(f);
	}
	free(copy);
	return NULL;
}

/*
 * What is written to the program: input at once; then, once the output has
 * answers lines (QMP answers: not the greeting, not an event), last. QEMU
 * must not be told "quit" before its answers are out: it buffers what the
 * pipe does not take, and a quit drops that buffer.
 */
struct talk {
	const char *input, *last;
	size_t answers;
};

/* The lines of out from *pos that are QMP answers; *pos moves past each complete line. */
static size_t count_answers(const struct strbuf *out, size_t *pos)
{
	size_t n = 0;

	for (;;) {
		const char *l = out->buf + *pos, *eol = memchr(l, '\n', out->len - *pos);

		if (!eol)
			return n;
		if (strncmp(l, "{\"QMP\"", 6) && strncmp(l, "{\"event\"", 8) &&
		    strncmp(l, "{\"timestamp\"", 12))
			n++;
		*pos += (size_t)(eol - l) + 1;
	}
}

/*
 * Run argv[0] talking to it as t says (NULL: stdin empty), its stdout into
 * *out; stderr to /dev/null; its own process group, killed whole at the
 * deadline. The environment is a clean one: a user's QEMU_* or LD_*
 * variables must not change the answer that is then cached.
 */
static int run(char *const argv[], const struct talk *t, char **out, size_t *len, int timeout_ms)
{
	size_t seen = 0, pos = 0;
	bool last_sent = !t || !t->last;
	static char *const envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", NULL };
	int in[2], outp[2], status, rc = 0;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	long long deadline = now_ms() + timeout_ms;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	struct strbuf sb;
	sigset_t def;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(outp, O_CLOEXEC) < 0) {
		rc = -errno;
		close(in[0]);
		close(in[1]);
		return rc;
	}
	/* its own process group (killed whole), SIGPIPE as it expects, fds 0 1 2 only */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&sa);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigdefault(&sa, &def);
	posix_spawnattr_setpgroup(&sa, 0);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
	rc = -posix_spawn(&pid, argv[0], &fa, &sa, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&sa);
	if (rc) {
		close(in[0]);
		close(in[1]);
		close(outp[0]);
		close(outp[1]);
		return rc == -ENOEXEC || rc == -EACCES ? -ENOEXEC : rc;
	}
	close(in[0]);
	close(outp[1]);
	sigaction(SIGPIPE, &ign, &old);
	/* a few KiB: the pipe takes them whole, whatever QEMU does */
	if (t && write(in[1], t->input, strlen(t->input)) < 0)
		rc = -errno;
	if (last_sent) {
		close(in[1]);
		in[1] = -1;
	}

	sb_init(&sb);
	while (!rc) {
		struct pollfd pfd = { .fd = outp[0], .events = POLLIN };
		long long left = deadline - now_ms();
		char buf[16384];
		ssize_t n;

		if (left <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (!pfd.revents)
			continue;
		n = read(outp[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (sb.len + (size_t)n > MAX_ANSWER) {
			rc = -EFBIG;
			break;
		}
		sb_addn(&sb, buf, (size_t)n);
		if (!last_sent && (seen += count_answers(&sb, &pos)) >= t->answers) {
			if (write(in[1], t->last, strlen(t->last)) < 0)
				rc = -errno;
			close(in[1]);
			in[1] = -1;
			last_sent = true;
		}
	}
	if (in[1] >= 0)
		close(in[1]);
	sigaction(SIGPIPE, &old, NULL);
	close(outp[0]);
	/*
	 * Its output ended: it exits, by the same deadline. A wrapper that sends
	 * QEMU's output elsewhere ends it at once while QEMU runs on: killed.
	 */
	while (!rc) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (now_ms() >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		poll(NULL, 0, 10);
	}
	if (rc) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (rc) {
		sb_release(&sb);
		return rc;
	}
	*len = sb.len;
	*out = sb_detach(&sb);
	return 0;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int(v);
}

/* Each element's "name" (a word) into sv; "alias" too for machines. */
static void names(struct json_object *arr, struct strv *sv, struct strv *aliases,
		  const char *prefix)
{
	size_t n = json_object_array_length(arr);

	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		const char *name = jstr(e, "name"), *alias = jstr(e, "alias");

		if (!name || !qemu_caps_word(name))
			continue;
		strv_push(sv, prefix ? xasprintf("%s.%s", prefix, name) : xstrdup(name));
		if (aliases && alias && qemu_caps_word(alias))
			strv_push(aliases, xasprintf("%s %s", alias, name));
	}
}

int qemu_probe_read_qmp(const char *text, struct qemu_caps *c)
{
	bool greeted = false, machines = false, cpus = false;
	size_t types = 0, ntypes = 0;
	const char *line = text;

	while (qemu_caps_types[ntypes])
		ntypes++;
	while (*line) {
		const char *eol = strchrnul(line, '\n');
		struct json_tokener *tok = json_tokener_new();
		struct json_object *o = json_tokener_parse_ex(tok, line, (int)(eol - line)), *v, *r;
		const char *id;

		json_tokener_free(tok);
		line = *eol ? eol + 1 : eol;
		if (!o || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			continue;
		}
		if (json_object_object_get_ex(o, "QMP", &v) &&
		    json_object_object_get_ex(v, "version", &v)) {
			const char *pkg = jstr(v, "package");

			if (json_object_object_get_ex(v, "qemu", &r) && jint(r, "major") > 0 &&
			    jint(r, "minor") >= 0 && jint(r, "micro") >= 0) {
				free(c->version);
				free(c->package);
				c->version = xasprintf("%d.%d.%d", jint(r, "major"), jint(r, "minor"),
						       jint(r, "micro"));
				c->package = xstrdup(pkg ? pkg : "");
				for (char *s = c->package; *s; s++)
					if ((unsigned char)*s < ' ' || *s == 0x7f)
						*s = '?';
				/* a release that does not read back (99999.0.0) is no greeting */
				greeted = qver_parse(c->version) > 0;
			}
		}
		id = jstr(o, "id");
		r = NULL;
		if (id && json_object_object_get_ex(o, "return", &r) &&
		    !json_object_is_type(r, json_type_array))
			r = NULL;
		if (id && !strcmp(id, "machines") && r) {
			names(r, &c->machines, &c->aliases, NULL);
			machines = true;
		} else if (id && !strcmp(id, "cpus") && r) {
			names(r, &c->cpus, NULL, NULL);
			cpus = true;
		} else if (id && str_startswith(id, "type:")) {
			/* an error: the binary has no such type (it was left out of the build) */
			if (r) {
				names(r, &c->props, NULL, id + 5);
				/* -device takes bus= of any device: qdev_device_add()'s, in no list */
				if (strcmp(id + 5, qemu_caps_types[0]))
					strv_push(&c->props, xasprintf("%s.bus", id + 5));
				strv_push(&c->devices, xstrdup(id + 5));
			}
			types++;
		}
		json_object_put(o);
	}
	if (!greeted)
		return -EIO;
	c->asked = machines && cpus && types == ntypes;
	return 0;
}

static char *qmp_input(void)
{
	struct strbuf sb;

	sb_init(&sb);
	sb_adds(&sb, "{\"execute\":\"qmp_capabilities\"}\n"
		     "{\"execute\":\"query-machines\",\"id\":\"machines\"}\n"
		     "{\"execute\":\"query-cpu-definitions\",\"id\":\"cpus\"}\n");
	for (size_t i = 0; qemu_caps_types[i]; i++)
		sb_addf(&sb,
			"{\"execute\":\"%s\",\"arguments\":{\"typename\":\"%s\"},\"id\":\"type:%s\"}\n",
			i ? "device-list-properties" : "qom-list-properties", qemu_caps_types[i],
			qemu_caps_types[i]);
	return sb_detach(&sb);
}

/* "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7)": only the release. */
static int read_version(const char *text, struct qemu_caps *c)
{
	const char *s = strstr(text, "version ");
	char ver[32];
	const char *open, *close;

	if (!s || sscanf(s + 8, "%31[0-9.]", ver) != 1 || qver_parse(ver) < 0)
		return -EIO;
	c->version = xstrdup(ver);
	open = strchr(s, '(');
	close = open ? strchr(open, ')') : NULL;
	c->package = open && close && !memchr(s, '\n', (size_t)(close - s))
			     ? xstrndup(open + 1, (size_t)(close - open - 1))
			     : xstrdup("");
	for (char *p = c->package; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = '?';
	return 0;
}

/*
 * *cacheable: false when QMP did not answer in time or whole (a loaded host, a
 * cold disk): the --version answer is used this once, not kept for good.
 */
static int ask(const char *path, struct qemu_caps *c, int timeout_ms, bool *cacheable,
	       char **err)
{
	char *const qmp[] = { (char *)path, "-nodefaults", "-no-user-config", "-machine", "none",
			      "-display", "none", "-qmp", "stdio", NULL };
	char *const version[] = { (char *)path, "--version", NULL };
	char *in = qmp_input(), *out = NULL;
	/* qmp_capabilities, query-machines, query-cpu-definitions, one per type */
	struct talk t = { .input = in, .last = "{\"execute\":\"quit\"}\n", .answers = 3 };
	size_t len;
	int r;

	while (qemu_caps_types[t.answers - 3])
		t.answers++;
	r = run(qmp, &t, &out, &len, timeout_ms);
	*cacheable = r != -ETIMEDOUT && r != -EFBIG;
	free(in);
	if (!r && strlen(out) == len && !qemu_probe_read_qmp(out, c)) {
		free(out);
		return 0;
	}
	free(out);
	out = NULL;
	qemu_caps_free(c);
	/*
	 * not QMP (a script, an old wrapper), or answers that never came whole (a
	 * wrapper that holds QEMU's output until it exits): its version at least
	 */
	r = run(version, NULL, &out, &len, timeout_ms);
	if (!r && strlen(out) == len && !read_version(out, c)) {
		free(out);
		return 0;
	}
	free(out);
	qemu_caps_free(c);
	*err = r == -ETIMEDOUT ? xasprintf("no answer in %d s", timeout_ms / 1000)
	       : r == -ENOEXEC ? xstrdup("cannot run it")
	       : r		? xstrdup(strerror(-r))
				: xstrdup("it does not say which QEMU it is (QMP, --version)");
	return r ? r : -EIO;
}

/* FNV-1a: the real path's file name in the cache directory. */
static unsigned long long fnv1a(const char *s)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static char *cache_dir(const struct qemu_probe *p)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (p->cache_dir)
		return xstrdup(p->cache_dir);
	/* the XDG base directory specification: a relative path is ignored */
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/nvd-toolkit", xdg);
	if (home && home[0] == '/')
		return xasprintf("%s/.cache/nvd-toolkit", home);
	return NULL;
}

char *qemu_probe_cache_file(const struct qemu_probe *p, const char *real)
{
	char *dir = cache_dir(p), *f;

	if (!dir)
		return NULL;
	f = xasprintf("%s/qemu-%016llx.caps", dir, fnv1a(real));
	free(dir);
	return f;
}

/* What a cache file must begin with to be this binary's, as it is now. */
static char *cache_key(const char *real, const struct stat *st)
{
	return xasprintf(CACHE_MAGIC "binary %s\nstat %llu %llu %lld %lld.%09ld\n", real,
			 (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
			 (long long)st->st_size, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
}

/* 0 with c filled from the cache; <0: no usable cache (absent, stale, foreign, corrupt). */
static int cache_read(const char *file, const char *key, struct qemu_caps *c)
{
	int fd = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	size_t klen = strlen(key), len = 0;
	struct stat st;
	char *buf, *end;
	ssize_t n;
	int r = -EINVAL;

	if (fd < 0)
		return -errno;
	/* ours only: another user's file in our cache is not trusted */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_size > (off_t)MAX_ANSWER || st.st_size < (off_t)klen) {
		close(fd);
		return -EINVAL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size &&
	       (n = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	end = len >= 4 ? buf + len - 4 : buf;
	if (len == strlen(buf) && !strncmp(buf, key, klen) && !strcmp(end, "end\n")) {
		*end = '\0';
		r = qemu_caps_parse(buf + klen, c);
	}
	free(buf);
	return r;
}

/* Best effort: a cache that cannot be written costs a QEMU run at the next start, no more. */
static void cache_write(const char *file, const char *key, const struct qemu_caps *c)
{
	char *dir = xstrdup(file), *slash = strrchr(dir, '/'), *parent;
	struct newfile nf;
	struct strbuf sb;
	struct stat st;

	*slash = '\0';
	parent = xstrdup(dir);
	*strrchr(parent, '/') = '\0';
	/* ~/.cache and its nvd-toolkit: private, as the XDG specification asks */
	if (*parent)
		mkdir(parent, 0700);
	mkdir(dir, 0700);
	free(parent);
	/*
	 * Only into a directory of our own, not a link to one: root with another
	 * user's HOME (sudo) must not make files where that user points it.
	 */
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		free(dir);
		return;
	}
	free(dir);
	sb_init(&sb);
	sb_adds(&sb, key);
	qemu_caps_format(c, &sb);
	sb_adds(&sb, "end\n");
	if (!newfile_open(&nf, file, 0600, true)) {
		if (write(nf.fd, sb.buf, sb.len) == (ssize_t)sb.len)
			newfile_replace(&nf);
		newfile_close(&nf);
	}
	sb_release(&sb);
}

int qemu_probe(const struct qemu_probe *p, struct qemu_caps *c, char **err)
{
	char *bin = find_binary(p), real[PATH_MAX], *file = NULL, *key;
	int timeout = p->timeout_ms > 0 ? p->timeout_ms : 10000, r;
	bool cacheable = true;
	struct stat st;

	memset(c, 0, sizeof(*c));
	*err = NULL;
	if (!bin)
		return -ENOENT;
	if (!realpath(bin, real) || stat(real, &st) < 0) {
		r = -errno;
		*err = xstrdup(strerror(errno));
		free(bin);
		return r;
	}
	free(bin);
	if (!S_ISREG(st.st_mode) || access(real, X_OK) < 0) {
		*err = xstrdup(S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not an executable file");
		return -EACCES;
	}
	key = cache_key(real, &st);
	file = qemu_probe_cache_file(p, real);
	c->path = xstrdup(real);
	if (file && !cache_read(file, key, c))
		goto out;
	free(c->path);
	c->path = NULL;
	r = ask(real, c, timeout, &cacheable, err);
	if (r) {
		free(key);
		free(file);
		return r;
	}
	c->path = xstrdup(real);
	if (file && cacheable)
		cache_write(file, key, c);
out:
	free(key);
	free(file);
	return 0;
}
