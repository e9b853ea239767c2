// SPDX-License-Identifier: GPL-2.0-or-later
#include "qemu-args.h"
#include "libvirt.h"
#include "qemu-json.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest command-line file we read: far above any real VM's. */
#define CMDLINE_MAX (4u << 20)

int shell_split(const char *t, size_t len, struct strv *out, char **err)
{
	struct strbuf w;
	bool in_word = false;
	size_t i = 0, line = 1;

	sb_init(&w);
	while (i < len) {
		char c = t[i];

		if (c == '\0') {
			*err = xasprintf("line %zu: NUL byte in command line text", line);
			goto fail;
		}
		if (c == '\\') {
			if (i + 1 >= len) {
				i++;
				continue;
			}
			if (t[i + 1] == '\n') {
				/* Continuation: the line goes on. */
				line++;
				i += 2;
				continue;
			}
			sb_addc(&w, t[i + 1]);
			in_word = true;
			i += 2;
			continue;
		}
		if (c == '\'') {
			size_t start = ++i;

			while (i < len && t[i] != '\'')
				i++;
			if (i >= len) {
				*err = xasprintf("line %zu: unterminated single quote", line);
				goto fail;
			}
			for (size_t k = start; k < i; k++)
				line += t[k] == '\n';
			sb_addn(&w, t + start, i - start);
			in_word = true;
			i++;
			continue;
		}
		if (c == '"') {
			size_t open_line = line;

			i++;
			while (i < len && t[i] != '"') {
				if (t[i] == '\\' && i + 1 < len &&
				    strchr("\"\\$`\n", t[i + 1])) {
					if (t[i + 1] != '\n')
						sb_addc(&w, t[i + 1]);
					else
						line++;
					i += 2;
					continue;
				}
				line += t[i] == '\n';
				sb_addc(&w, t[i++]);
			}
			if (i >= len) {
				*err = xasprintf("line %zu: unterminated double quote", open_line);
				goto fail;
			}
			in_word = true;
			i++;
			continue;
		}
		if (c == '#' && !in_word) {
			while (i < len && t[i] != '\n')
				i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (in_word) {
				strv_push(out, sb_detach(&w));
				in_word = false;
			}
			line += c == '\n';
			i++;
			continue;
		}
		sb_addc(&w, c);
		in_word = true;
		i++;
	}
	if (in_word)
		strv_push(out, sb_detach(&w));
	sb_release(&w);
	return 0;
fail:
	sb_release(&w);
	return -1;
}

/* QEMU options that take no argument (qemu-options.hx, HAS_ARG unset). */
static const char *const noarg_opts[] = {
	"S", "nodefaults", "no-user-config", "nographic", "no-reboot",
	"no-shutdown", "snapshot", "enable-kvm", "daemonize", "no-hpet",
	"no-acpi", "full-screen", "no-fd-bootchk", "s", "singlestep",
	"one-insn-per-tb", "win2k-hack", "no-quit", "alt-grab", "ctrl-grab",
	"curses", "sdl", "old-param", "only-migratable", "enable-fips",
	"preconfig", "no-frame", "semihosting", "xen-attach",
	"xen-domid-restrict", "enable-sync-profile", "usb", "mem-prealloc",
	"perfmap", "jitdump", "async-teardown", "h", "help", "version",
	"portrait", "no-kvm", "no-kvm-irqchip", "no-kvm-pit", "rtc-td-hack",
	"no-kvm-pit-reinjection", "nouserconfig", "show-cursor",
};

static bool opt_takes_arg(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(noarg_opts); i++)
		if (!strcmp(name, noarg_opts[i]))
			return false;
	return true;
}

bool is_program_name(const char *w)
{
	const char *base = strrchr(w, '/');

	base = base ? base + 1 : w;
	return str_startswith(base, "qemu-system-") || !strcmp(base, "qemu-kvm") ||
	       !strcmp(base, "kvm");
}

int qcmdline_from_words(char **words, size_t n, const char *source,
			struct qcmdline *cl, char **err)
{
	size_t i = 0;

	memset(cl, 0, sizeof(*cl));
	cl->source = xstrdup(source);
	cl->opts = xcalloc(n + 1, sizeof(*cl->opts));
	if (n && is_program_name(words[0]))
		i = 1;
	for (; i < n; i++) {
		const char *w = words[i];
		struct qopt *o = &cl->opts[cl->nopts];

		if (w[0] != '-' || w[1] == '\0') {
			/* A bare word is the disk image (-hda); not ours. */
			o->name = xstrdup("hda");
			o->arg = xstrdup(w);
			o->pos = (int)i;
			cl->nopts++;
			continue;
		}
		w += (w[1] == '-') ? 2 : 1;
		o->name = xstrdup(w);
		o->pos = (int)i;
		if (opt_takes_arg(w)) {
			if (i + 1 >= n) {
				*err = xasprintf("-%s: requires an argument", w);
				free(o->name);
				o->name = NULL;
				qcmdline_free(cl);
				return -1;
			}
			o->arg = xstrdup(words[++i]);
		}
		cl->nopts++;
	}
	return 0;
}

void qcmdline_free(struct qcmdline *cl)
{
	for (size_t i = 0; i < cl->nopts; i++) {
		free(cl->opts[i].name);
		free(cl->opts[i].arg);
	}
	free(cl->opts);
	free(cl->source);
	strv_free(&cl->refusals);
	memset(cl, 0, sizeof(*cl));
}

int qcmdline_from_file(const char *path, struct qcmdline *cl, char **err)
{
	struct strv words = { 0 };
	char *text, *e = NULL;
	size_t len;
	int ret;

	ret = read_all(path, CMDLINE_MAX, &text, &len);
	if (ret < 0)
		return ret;
	if (libvirt_is_xml(text, len)) {
		struct strv refusals = { 0 };

		if (libvirt_domain_words(text, len, &words, &refusals, &e) < 0) {
			*err = e;
			ret = -EINVAL;
		} else if (qcmdline_from_words(words.v, words.n, streq(path, "-") ? "<stdin>" : path,
					       cl, err) < 0) {
			ret = -EINVAL;
		} else {
			cl->libvirt = true;
			cl->refusals = refusals;
			refusals.v = NULL;
			refusals.n = 0;
		}
		strv_free(&refusals);
	} else if (shell_split(text, len, &words, &e) < 0) {
		*err = e;
		ret = -EINVAL;
	} else if (qcmdline_from_words(words.v, words.n,
				       streq(path, "-") ? "<stdin>" : path, cl, err) < 0) {
		ret = -EINVAL;
	}
	free(text);
	strv_free(&words);
	return ret;
}

int qcmdline_from_pid(const char *procroot, long pid, struct qcmdline *cl, char **err)
{
	struct strv words = { 0 };
	char *path, *text, *src;
	size_t len, start = 0;
	int ret;

	path = xasprintf("%s/proc/%ld/cmdline", procroot ? procroot : "", pid);
	ret = read_all(path, CMDLINE_MAX, &text, &len);
	free(path);
	if (ret < 0)
		return ret;
	if (len == 0) {
		free(text);
		return -ENODATA;	/* a kernel thread or a zombie */
	}
	if (!is_program_name(text)) {
		*err = xasprintf("process %ld is not QEMU: it runs %s", pid, text);
		free(text);
		return -EINVAL;
	}
	for (size_t i = 0; i <= len; i++) {
		if (i == len || text[i] == '\0') {
			if (i > start || i < len)
				strv_push(&words, xstrndup(text + start, i - start));
			start = i + 1;
		}
	}
	src = xasprintf("pid %ld", pid);
	ret = qcmdline_from_words(words.v, words.n, src, cl, err) < 0 ? -EINVAL : 0;
	free(src);
	free(text);
	strv_free(&words);
	return ret;
}

void kvlist_set(struct kvlist *kv, char *key, char *val, enum kv_type type)
{
	size_t *at;
	bool added;
	struct kv *e;

	at = strmap_put(&kv->index, key, kv->n, &added);
	if (!added) {
		e = &kv->v[*at];
		free(e->val);
		free(key);
	} else {
		if (kv->n == kv->cap) {
			kv->cap = kv->cap ? 2 * kv->cap : 8;
			kv->v = xrealloc(kv->v, kv->cap * sizeof(*kv->v));
		}
		e = &kv->v[kv->n++];
		e->key = key;
	}
	e->val = val;
	e->type = type;
	e->json = kv->json;
}

static void kv_add_flag(struct kvlist *kv, const char *key)
{
	/* room for element nflags and the NULL after it: xgrow() of index nflags + 1 */
	kv->flags = xgrow(kv->flags, kv->nflags + 1, sizeof(*kv->flags));
	kv->flags[kv->nflags++] = xstrdup(key);
	kv->flags[kv->nflags] = NULL;
}

/* A value up to the next single ',', with ",," meaning ','. */
static const char *get_value(const char *p, char **val)
{
	struct strbuf sb;

	sb_init(&sb);
	while (*p) {
		if (*p == ',') {
			if (p[1] != ',')
				break;
			p++;
		}
		sb_addc(&sb, *p++);
	}
	*val = sb_detach(&sb);
	return p;
}

int opts_parse(const char *text, const char *implied, enum opts_syntax syntax,
	       struct kvlist *out, char **err)
{
	return opts_parse_v(text, implied, syntax, false, out, err);
}

int opts_parse_v(const char *text, const char *implied, enum opts_syntax syntax,
		 bool json_located, struct kvlist *out, char **err)
{
	const char *p = text;
	bool first = true;

	memset(out, 0, sizeof(*out));
	if (text[0] == '{')
		return json_located ? qemu_json_parse_object_located(text, out, err)
				    : qemu_json_parse_object(text, out, err);
	while (*p) {
		size_t klen = strcspn(p, "=,");
		char *key, *val;

		if (first && implied && p[klen] != '=') {
			p = get_value(p, &val);
			kvlist_set(out, xstrdup(implied), val, KV_STRING);
		} else if (p[klen] == '=') {
			key = xstrndup(p, klen);
			p = get_value(p + klen + 1, &val);
			if (syntax == SYNTAX_KEYVAL && klen == 0) {
				*err = xstrdup("Invalid parameter ''");
				free(key);
				free(val);
				goto fail;
			}
			kvlist_set(out, key, val, KV_STRING);
		} else {
			key = xstrndup(p, klen);
			if (syntax == SYNTAX_KEYVAL) {
				*err = xasprintf("Expected '=' after parameter '%s'", key);
				free(key);
				goto fail;
			}
			p += klen;
			if (klen == 0) {
				free(key);
				goto next;
			}
			/* Remember the deprecated short form: QEMU warns about it. */
			kv_add_flag(out, key);
			if (str_startswith(key, "no") && klen > 2) {
				kvlist_set(out, xstrdup(key + 2), xstrdup("off"), KV_STRING);
				free(key);
			} else {
				kvlist_set(out, key, xstrdup("on"), KV_STRING);
			}
		}
next:
		first = false;
		if (*p == ',')
			p++;
	}
	return 0;
fail:
	kvlist_free(out);
	return -1;
}

void kvlist_free(struct kvlist *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->v[i].key);
		free(kv->v[i].val);
	}
	free(kv->v);
	for (size_t i = 0; kv->flags && kv->flags[i]; i++)
		free(kv->flags[i]);
	free(kv->flags);
	strmap_free(&kv->index);
	memset(kv, 0, sizeof(*kv));
}

const struct kv *kv_find(const struct kvlist *kv, const char *key)
{
	if (kv->index.n == kv->n && kv->n) {
		size_t *at = strmap_get(&kv->index, key);

		return at ? &kv->v[*at] : NULL;
	}
	for (size_t i = 0; i < kv->n; i++)
		if (!strcmp(kv->v[i].key, key))
			return &kv->v[i];
	return NULL;
}

const char *kv_get(const struct kvlist *kv, const char *key)
{
	const struct kv *e = kv_find(kv, key);

	return e ? e->val : NULL;
}
