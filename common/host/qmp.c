// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QMP over a UNIX socket: the greeting, qmp_capabilities, then one command
 * at a time, each answer a JSON object on its own line; asynchronous events
 * (objects with "event") in between are skipped.
 */
#include "qmp.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define QMP_TIMEOUT_MS 5000
#define QMP_LINE_MAX (16u << 20)

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on the socket until the deadline: 1, or 0 with *err. */
static int wait_fd(struct qmp *q, short events, char **err)
{
	for (;;) {
		struct pollfd p = { .fd = q->fd, .events = events };
		long long left = q->deadline - now_ms();
		int r;

		if (left <= 0) {
			*err = xasprintf("no answer in %d s (another client holds the monitor?)",
					 QMP_TIMEOUT_MS / 1000);
			return 0;
		}
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR) {
			*err = xasprintf("cannot wait for the monitor: %s", strerror(errno));
			return 0;
		}
	}
}

/* A transport failure: said once, and every later command fails with it. */
static void *broken(struct qmp *q, char **err)
{
	free(q->broken);
	q->broken = xstrdup(*err);
	return NULL;
}

/* The next JSON object QEMU sent (on one line or, with pretty=on, several); NULL with *err. */
static json_object *read_obj(struct qmp *q, char **err)
{
	for (;;) {
		ssize_t r;

		if (q->len) {
			enum json_tokener_error e;
			json_object *o = json_tokener_parse_ex(q->tok, q->buf, (int)q->len);
			size_t used = json_tokener_get_parse_end(q->tok);

			e = json_tokener_get_error(q->tok);
			memmove(q->buf, q->buf + used, q->len - used);
			q->len -= used;
			if (o) {
				json_tokener_reset(q->tok);
				if (!json_object_is_type(o, json_type_object)) {
					json_object_put(o);
					*err = xstrdup("QEMU's answer is not a JSON object");
					return broken(q, err);
				}
				return o;
			}
			if (e != json_tokener_continue) {
				*err = xstrdup("QEMU's answer is not JSON");
				return broken(q, err);
			}
			/* the whole buffer is inside the tokener: read more */
		}
		if (q->pending >= QMP_LINE_MAX) {
			*err = xstrdup("an answer over 16 MiB");
			return broken(q, err);
		}
		if (!wait_fd(q, POLLIN, err))
			return broken(q, err);
		if (q->cap - q->len < 4096) {
			q->cap = q->cap ? 2 * q->cap : 65536;
			q->buf = xrealloc(q->buf, q->cap);
		}
		r = read(q->fd, q->buf + q->len, q->cap - q->len - 1);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {
			*err = r ? xasprintf("cannot read: %s", strerror(errno))
				 : xstrdup("the monitor closed the connection");
			return broken(q, err);
		}
		q->len += (size_t)r;
		q->pending += (size_t)r;
	}
}

static int send_all(struct qmp *q, const char *s, char **err)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = send(q->fd, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			if (!wait_fd(q, POLLOUT, err)) {
				broken(q, err);
				return -1;
			}
			continue;
		}
		if (w < 0) {
			*err = xasprintf("cannot write: %s", strerror(errno));
			broken(q, err);
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Run cmd (JSON text); the "return" value (a new reference), or NULL with *err. */
static json_object *qmp_run(struct qmp *q, const char *cmd, char **err)
{
	if (q->broken) {
		*err = xstrdup(q->broken);
		return NULL;
	}
	/* one deadline for the whole command: events or a trickle of bytes never extend it */
	q->deadline = now_ms() + QMP_TIMEOUT_MS;
	q->pending = 0;
	if (send_all(q, cmd, err) < 0)
		return NULL;
	for (;;) {
		json_object *o = read_obj(q, err), *v;

		if (!o)
			return NULL;
		if (json_object_object_get_ex(o, "event", NULL)) {
			json_object_put(o);
			continue;
		}
		if (json_object_object_get_ex(o, "return", &v)) {
			json_object_get(v);
			json_object_put(o);
			return v;
		}
		if (json_object_object_get_ex(o, "error", &v)) {
			json_object *d;

			*err = xstrdup(json_object_object_get_ex(v, "desc", &d) ? json_object_get_string(d)
										: "an error");
		} else {
			*err = xstrdup("an answer with neither return nor error");
		}
		json_object_put(o);
		return NULL;
	}
}

int qmp_open(struct qmp *q, const char *socket_path, char **err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	json_object *o, *r;

	memset(q, 0, sizeof(*q));
	if (strlen(socket_path) >= sizeof(a.sun_path)) {
		*err = xstrdup("the socket's name is too long");
		q->fd = -1;
		return -1;
	}
	strcpy(a.sun_path, socket_path);
	q->tok = json_tokener_new();
	q->deadline = now_ms() + QMP_TIMEOUT_MS;
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (q->fd < 0) {
		*err = xasprintf("cannot connect: %s", strerror(errno));
		qmp_close(q);
		return -1;
	}
	/* a listener whose backlog is full (QEMU's is 1) says EAGAIN: retry until the deadline */
	while (connect(q->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if ((errno == EAGAIN || errno == EINTR) && now_ms() < q->deadline) {
			usleep(20000);
			continue;
		}
		*err = errno == EAGAIN ? xasprintf("cannot connect: the monitor accepts no client in %d s (another client holds it?)",
						   QMP_TIMEOUT_MS / 1000)
				       : xasprintf("cannot connect: %s", strerror(errno));
		qmp_close(q);
		return -1;
	}
	if (getsockopt(q->fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
		q->peer = cred.pid;
	o = read_obj(q, err);
	if (!o)
		goto fail;
	if (!json_object_object_get_ex(o, "QMP", NULL)) {
		json_object_put(o);
		*err = xstrdup("not a QMP monitor (no greeting)");
		goto fail;
	}
	json_object_put(o);
	r = qmp_run(q, "{\"execute\":\"qmp_capabilities\"}\n", err);
	if (!r)
		goto fail;
	json_object_put(r);
	return 0;
fail:
	qmp_close(q);
	return -1;
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	if (q->tok)
		json_tokener_free(q->tok);
	free(q->broken);
	free(q->buf);
	memset(q, 0, sizeof(*q));
	q->fd = -1;
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

/* qom-get PATH PROP: the value (new reference), NULL when QEMU has no such property. */
static json_object *qom_get(struct qmp *q, const char *path, const char *prop)
{
	json_object *cmd = json_object_new_object(), *args = json_object_new_object(), *r;
	char *text, *err = NULL;

	json_object_object_add(cmd, "execute", json_object_new_string("qom-get"));
	json_object_object_add(args, "path", json_object_new_string(path));
	json_object_object_add(args, "property", json_object_new_string(prop));
	json_object_object_add(cmd, "arguments", args);
	text = xasprintf("%s\n", json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN));
	r = qmp_run(q, text, &err);
	free(text);
	free(err);
	json_object_put(cmd);
	return r;
}

static void backend_props(struct qmp *q, const char *path, struct qmp_memdev *m)
{
	json_object *v;

	if (q->broken)
		return;

	if ((v = qom_get(q, path, "type"))) {
		if (json_object_is_type(v, json_type_string))
			m->backend_type = xstrdup(json_object_get_string(v));
		json_object_put(v);
	}
	if ((v = qom_get(q, path, "mem-path"))) {
		if (json_object_is_type(v, json_type_string))
			m->mem_path = xstrdup(json_object_get_string(v));
		json_object_put(v);
	}
	if ((v = qom_get(q, path, "share"))) {
		m->has_share = json_object_is_type(v, json_type_boolean);
		m->share = m->has_share && json_object_get_boolean(v);
		json_object_put(v);
	}
	if ((v = qom_get(q, path, "pmem"))) {
		m->has_pmem = json_object_is_type(v, json_type_boolean);
		m->pmem = m->has_pmem && json_object_get_boolean(v);
		json_object_put(v);
	}
	if ((v = qom_get(q, path, "align"))) {
		m->has_align = json_object_is_type(v, json_type_int);
		m->align = m->has_align ? (uint64_t)json_object_get_int64(v) : 0;
		json_object_put(v);
	}
}

int qmp_memory_devices(struct qmp *q, struct qmp_memdev **out, size_t *n, char **err)
{
	json_object *list = qmp_run(q, "{\"execute\":\"query-memory-devices\"}\n", err);
	size_t len;

	*out = NULL;
	*n = 0;
	if (!list)
		return -1;
	if (!json_object_is_type(list, json_type_array)) {
		json_object_put(list);
		*err = xstrdup("query-memory-devices did not return a list");
		return -1;
	}
	len = json_object_array_length(list);
	*out = xcalloc(len + 1, sizeof(**out));
	for (size_t i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(list, i), *data = NULL, *h;
		struct qmp_memdev *m = &(*out)[(*n)++];
		const char *s;

		s = str_of(e, "type");
		m->type = xstrdup(s ? s : "");
		json_object_object_get_ex(e, "data", &data);
		if ((s = str_of(data, "id")))
			m->id = xstrdup(s);
		if (data && json_object_object_get_ex(data, "hotplugged", &h))
			m->hotplugged = json_object_get_boolean(h);
		if ((s = str_of(data, "memdev"))) {
			m->memdev = xstrdup(str_startswith(s, "/objects/") ? s + 9 : s);
			backend_props(q, s, m);
		}
	}
	json_object_put(list);
	if (q->broken) {
		/* a late answer is never taken for the next question's */
		*err = xstrdup(q->broken);
		qmp_memdevs_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

void qmp_memdevs_free(struct qmp_memdev *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].type);
		free(v[i].id);
		free(v[i].memdev);
		free(v[i].backend_type);
		free(v[i].mem_path);
	}
	free(v);
}
