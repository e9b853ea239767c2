// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A pasted log message against the finding catalogue. The catalogue's texts
 * hold "..." where QEMU or the kernel fills in a value; a message is tried
 * whole, then from after each ": " or "] " in it (the log's prefixes:
 * timestamp and host, program, option location, the kernel's time), and
 * the first (longest) tail that matches some text decides: every row with a
 * text it matches is listed. "warning: " is optional on both sides.
 */
#include "finding-match.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * "..." matches any text, nothing included; a text QEMU ends with a space matches a paste
 * without it. Greedy with one resumption point (the last "..." seen), as glob matchers do:
 * O(len(p) * len(s)) whatever the paste, never exponential backtracking.
 */
bool finding_text_match(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;

	while (*s) {
		if (!strncmp(p, "...", 3)) {
			p += 3;
			star_p = p;
			star_s = s;
			continue;
		}
		if (*p == *s) {
			p++;
			s++;
			continue;
		}
		if (!star_p)
			return false;
		p = star_p;
		s = ++star_s;
	}
	/* the paste is used up: what is left of the text is "..." and QEMU's trailing spaces */
	for (;;) {
		if (!strncmp(p, "...", 3))
			p += 3;
		else if (*p == ' ')
			p++;
		else
			return !*p;
	}
}

static const char warning[] = "warning: ";

static bool text_match(const char *pat, const char *s)
{
	size_t wl = strlen(warning);

	if (finding_text_match(pat, s))
		return true;
	/* QEMU's "warning: " prefix on either side only. */
	if (!strncmp(pat, warning, wl) && strncmp(s, warning, wl))
		return finding_text_match(pat + wl, s);
	if (!strncmp(s, warning, wl) && strncmp(pat, warning, wl))
		return finding_text_match(pat, s + wl);
	return false;
}

static void hit_add(struct finding_explain *e, const struct finding_def *d, const char *kind,
		    const char *when, const char *text)
{
	/* One row once: its first text that matches. */
	if (e->n && e->v[e->n - 1].def == d)
		return;
	e->v = xrealloc(e->v, (e->n + 1) * sizeof(*e->v));
	e->v[e->n++] = (struct finding_hit){ d, kind, when, text };
}

static void match_all(const char *s, struct finding_explain *e)
{
	for (size_t i = 0; i < finding_catalogue_n; i++) {
		const struct finding_def *d = &finding_catalogue[i];

		for (int k = 0; k < FINDING_QEMU_MAX && d->qemu[k].text; k++)
			if (text_match(d->qemu[k].text, s))
				hit_add(e, d, "qemu", d->qemu[k].when, d->qemu[k].text);
		for (int k = 0; k < FINDING_KERNEL_MAX && d->kernel[k]; k++)
			if (finding_text_match(d->kernel[k], s))
				hit_add(e, d, "kernel", NULL, d->kernel[k]);
		for (int k = 0; k < FINDING_LIBVIRT_MAX && d->libvirt[k]; k++)
			if (finding_text_match(d->libvirt[k], s))
				hit_add(e, d, "libvirt", "9.0", d->libvirt[k]);
	}
}

void finding_explain(const char *msg, struct finding_explain *e)
{
	char *s = xstrdup(msg);
	size_t len = strlen(s);

	memset(e, 0, sizeof(*e));
	/* The line ends of a paste, and its spaces around. */
	while (len && strchr(" \t\r\n", s[len - 1]))
		s[--len] = '\0';
	for (const char *t = s + strspn(s, " \t"); t; ) {
		const char *colon = strstr(t, ": "), *bracket = strstr(t, "] "), *next;

		match_all(t, e);
		if (e->n) {
			e->text = xstrdup(t);
			break;
		}
		next = colon && (!bracket || colon < bracket) ? colon : bracket;
		t = next ? next + 2 + strspn(next + 2, " ") : NULL;
	}
	free(s);
}

void finding_explain_free(struct finding_explain *e)
{
	free(e->text);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static void levels_print(struct out *o, const struct finding_def *d)
{
	static const enum level order[] = { LEVEL_FAIL, LEVEL_WARN, LEVEL_INFO };
	bool first = true;

	out_arr_open(o, "levels");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(d->levels & (1u << order[i])))
			continue;
		out_str(o, NULL, first ? "%s" : ", %s", level_name(order[i]));
		first = false;
	}
	if (d->check) {
		out_str(o, NULL, first ? "%s" : ", %s", "pass");
		first = false;
	}
	out_arr_close(o);
}

void finding_explain_print(struct out *o, const char *msg, const struct finding_explain *e)
{
	out_str(o, "message", NULL, msg);
	if (e->text)
		out_str(o, "text", NULL, e->text);
	else
		out_null(o, "text", NULL);
	out_arr_open(o, "findings");
	for (size_t i = 0; i < e->n; i++) {
		const struct finding_hit *h = &e->v[i];
		const struct finding_def *d = h->def;

		out_obj_open(o, NULL);
		if (i)
			out_text(o, "\n");
		out_str(o, "id", "%s (", d->id);
		levels_print(o, d);
		out_str(o, "summary", "): %s\n", d->summary);
		out_str(o, "meaning", "  %s\n", d->meaning);
		out_str(o, "fix", "  Fix: %s\n", d->fix);
		out_str(o, "source", "  %s", h->kind);
		if (h->when)
			out_str(o, "when", " %s", h->when);
		else
			out_null(o, "when", !strcmp(h->kind, "qemu") ? " (every release modelled)" : NULL);
		out_str(o, "pattern", ": %s\n", h->text);
		out_str(o, "doc", "  See %s and nvd-findings(7).\n", d->doc);
		out_obj_close(o);
	}
	out_arr_close(o);
}
