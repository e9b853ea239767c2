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
#include <unistd.h>

#include "util.h"

#define QMP_TIMEOUT_MS 5000
#define QMP_LINE_MAX (16u << 20)

/* The next line QEMU sent, parsed; NULL with *err. */
static json_object *read_obj(struct qmp *q, char **err)
{
	for (;;) {
		char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		ssize_t r;

		if (nl) {
			size_t n = (size_t)(nl - q->buf) + 1;
			json_object *o;

			*nl = '\0';
			o = json_tokener_parse(q->buf);
			memmove(q->buf, q->buf + n, q->len - n);
			q->len -= n;
			if (!o || !json_object_is_type(o, json_type_object)) {
				json_object_put(o);
				*err = xstrdup("QEMU's answer is not a JSON object");
				return NULL;
			}
			return o;
		}
		if (q->len >= QMP_LINE_MAX) {
			*err = xstrdup("an answer over 16 MiB");
			return NULL;
		}
		r = poll(&p, 1, QMP_TIMEOUT_MS);
		if (r == 0) {
			*err = xstrdup("no answer in 5 s (another client holds the monitor?)");
			return NULL;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (q->cap - q->len < 4096) {
			q->cap = q->cap ? 2 * q->cap : 65536;
			q->buf = xrealloc(q->buf, q->cap);
		}
		r = r < 0 ? -1 : read(q->fd, q->buf + q->len, q->cap - q->len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*err = r ? xasprintf("cannot read: %s", strerror(errno))
				 : xstrdup("the monitor closed the connection");
			return NULL;
		}
		q->len += (size_t)r;
	}
}

static int send_all(struct qmp *q, const char *s, char **err)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = send(q->fd, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			*err = xasprintf("cannot write: %s", strerror(errno));
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
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		*err = xasprintf("cannot connect: %s", strerror(errno));
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
