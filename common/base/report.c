// SPDX-License-Identifier: GPL-2.0-or-later
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util.h"

#define OUT_DEPTH 16

struct out {
	FILE *fp;
	bool json, color, compact, terse, quiet;
	json_object *stack[OUT_DEPTH];
	int depth;
};

static const char *const level_names[] = { "info", "warn", "fail" };

const char *level_name(enum level level)
{
	return level_names[level];
}

void finding_add(struct findings *f, enum level level, const char *id, const char *object,
		 const char *qemu, const char *fmt, ...)
{
	const struct finding_def *d = finding_def_find(id);
	struct finding *n;
	va_list ap;

	if (!d || d->check || !(d->levels & (1u << level))) {
		/* a programming error: the catalogue and the code disagree */
		fprintf(stderr, "%s: internal error: finding '%s' at level %s is not in the finding catalogue%s (common/base/finding-catalogue.c)\n",
			nvd_progname, id, level_name(level), d ? " at that level" : "");
		abort();
	}
	f->v = xgrow(f->v, f->n, sizeof(*f->v));
	n = &f->v[f->n++];
	n->id = xstrdup(id);
	n->level = level;
	va_start(ap, fmt);
	n->message = xvasprintf(fmt, ap);
	va_end(ap);
	n->qemu = qemu ? xstrdup(qemu) : NULL;
	n->object = object ? xstrdup(object) : NULL;
}

void check_id_assert(const char *id, bool pass, enum level level)
{
	const struct finding_def *d = finding_def_find(id);

	if (!d || !d->check || (!pass && !(d->levels & (1u << level)))) {
		fprintf(stderr, "%s: internal error: check '%s' (%s) is not in the finding catalogue%s (common/base/finding-catalogue.c)\n",
			nvd_progname, id, pass ? "pass" : level_name(level),
			d ? " as a check with that result" : "");
		abort();
	}
}

void findings_append(struct findings *to, const struct findings *from)
{
	for (size_t i = 0; i < from->n; i++) {
		const struct finding *x = &from->v[i];

		finding_add(to, x->level, x->id, x->object, x->qemu, "%s", x->message); /* finding id: passed on */
	}
}

void findings_free(struct findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].id);
		free(f->v[i].message);
		free(f->v[i].qemu);
		free(f->v[i].object);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

size_t findings_count(const struct findings *f, enum level level)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].level == level;
	return n;
}

struct out *out_new(FILE *fp, bool json, bool color)
{
	struct out *o = xcalloc(1, sizeof(*o));

	o->fp = fp;
	o->json = json;
	o->color = color && !json;
	if (json) {
		o->stack[0] = json_object_new_object();
		o->depth = 1;
	}
	return o;
}

void out_set_compact(struct out *o)
{
	o->compact = true;
}

void out_set_verbose(struct out *o, bool verbose)
{
	o->terse = !verbose;
}

void out_set_quiet(struct out *o, bool quiet)
{
	o->quiet = quiet;
}

bool out_is_quiet(const struct out *o)
{
	return o->quiet;
}

bool out_is_json(const struct out *o)
{
	return o->json;
}

void out_discard(struct out *o)
{
	if (o->json)
		json_object_put(o->stack[0]);
	free(o);
}

int out_finish(struct out *o)
{
	int err = 0;

	if (o->json) {
		int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

		flags |= o->compact ? JSON_C_TO_STRING_PLAIN
				    : JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED;
		fputs(json_object_to_json_string_ext(o->stack[0], flags), o->fp);
		fputc('\n', o->fp);
		json_object_put(o->stack[0]);
	}
	if (fflush(o->fp) != 0 || ferror(o->fp))
		err = errno ? -errno : -EIO;
	free(o);
	return err;
}

static void json_put(struct out *o, const char *key, json_object *v)
{
	json_object *top = o->stack[o->depth - 1];

	if (json_object_is_type(top, json_type_array))
		json_object_array_add(top, v);
	else
		json_object_object_add(top, key, v);
}

static void open_container(struct out *o, const char *key, json_object *c)
{
	if (!o->json)
		return;
	if (o->depth >= OUT_DEPTH)
		abort();
	json_put(o, key, c);
	o->stack[o->depth++] = c;
}

void out_obj_open(struct out *o, const char *key)
{
	if (o->json)
		open_container(o, key, json_object_new_object());
}

void out_arr_open(struct out *o, const char *key)
{
	if (o->json)
		open_container(o, key, json_object_new_array());
}

void out_obj_close(struct out *o)
{
	if (o->json)
		o->depth--;
}

void out_arr_close(struct out *o)
{
	out_obj_close(o);
}

void out_str(struct out *o, const char *key, const char *textfmt, const char *val)
{
	if (o->json) {
		/* JSON is UTF-8: a byte that is not becomes U+FFFD (json-c escapes controls) */
		char *v = val ? utf8_valid(val) : NULL;

		json_put(o, key, v ? json_object_new_string(v) : NULL);
		free(v);
	} else if (textfmt) {
		esc_fprintf(o->fp, textfmt, val ? val : "-");
	}
}

void out_u64(struct out *o, const char *key, const char *textfmt, uint64_t val)
{
	if (o->json)
		json_put(o, key, json_object_new_uint64(val));
	else if (textfmt)
		fprintf(o->fp, textfmt, (unsigned long long)val);
}

void out_i64(struct out *o, const char *key, const char *textfmt, int64_t val)
{
	if (o->json)
		json_put(o, key, json_object_new_int64(val));
	else if (textfmt)
		fprintf(o->fp, textfmt, (long long)val);
}

void out_bool(struct out *o, const char *key, const char *textfmt, bool val)
{
	if (o->json)
		json_put(o, key, json_object_new_boolean(val));
	else if (textfmt)
		fprintf(o->fp, textfmt, val ? "on" : "off");
}

void out_null(struct out *o, const char *key, const char *text)
{
	if (o->json)
		json_put(o, key, NULL);
	else if (text)
		fputs(text, o->fp);
}

void out_text(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	esc_vfprintf(o->fp, fmt, ap);
	va_end(ap);
}

void out_color(struct out *o, const char *sgr)
{
	if (!o->json && o->color && sgr)
		fputs(sgr, o->fp);
}

char *prom_label_value(const char *s)
{
	struct strbuf sb;
	char *u = utf8_valid(s ? s : "");
	size_t n;

	sb_init(&sb);
	for (const char *p = u; *p; p++) {
		if (*p == '\\' || *p == '"')
			sb_addf(&sb, "\\%c", *p);
		else if (*p == '\n')
			sb_adds(&sb, "\\n");
		else if ((n = ctl_len(p)))
			sb_adds(&sb, "\xef\xbf\xbd"), p += n - 1;	/* C0, DEL, C1 */
		else
			sb_addc(&sb, *p);
	}
	free(u);
	return sb_detach(&sb);
}

static const char *level_color(enum level l)
{
	switch (l) {
	case LEVEL_FAIL:
		return "\033[1;31m";
	case LEVEL_WARN:
		return "\033[1;33m";
	default:
		return "\033[1;36m";
	}
}

void out_findings(struct out *o, const struct findings *f, bool quiet, bool strict)
{
	out_arr_open(o, "findings");
	for (size_t i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];

		if (o->json) {
			out_obj_open(o, NULL);
			out_str(o, "id", NULL, x->id);
			out_str(o, "level", NULL, level_name(x->level));
			out_str(o, "message", NULL, x->message);
			out_str(o, "qemu", NULL, x->qemu);
			out_str(o, "object", NULL, x->object);
			out_obj_close(o);
			continue;
		}
		if (quiet && x->level != LEVEL_FAIL && !(strict && x->level == LEVEL_WARN))
			continue;
		if (o->terse && x->level == LEVEL_INFO)
			continue;
		fprintf(o->fp, "%s%s%s", o->color ? level_color(x->level) : "",
			level_name(x->level), o->color ? "\033[0m" : "");
		esc_fprintf(o->fp, ": %s%s%s [%s]\n", x->object ? x->object : "",
			    x->object ? ": " : "", x->message, x->id);
		if (x->qemu)
			esc_fprintf(o->fp, "      QEMU: %s\n", x->qemu);
	}
	out_arr_close(o);
}
