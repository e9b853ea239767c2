/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A message pasted from a QEMU, libvirt or kernel log against the finding
 * catalogue's texts ("..." stands for any text): which rows it is.
 */
#ifndef NVD_FINDING_MATCH_H
#define NVD_FINDING_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

/* Whether msg is pattern whole, each "..." in pattern standing for any text. */
bool finding_text_match(const char *pattern, const char *msg);

struct finding_hit {
	const struct finding_def *def;
	const char *kind;	/* "qemu", "libvirt" or "kernel" */
	const char *when;	/* the releases the text belongs to; NULL: all */
	const char *text;	/* the catalogue's text it matched */
};

struct finding_explain {
	char *text;		/* the message without its log prefixes (what matched) */
	struct finding_hit *v;	/* every row it matches, catalogue order */
	size_t n;
};

/*
 * Strip what logs put before a message (a syslog or journal timestamp and
 * host, a kernel "[  1.234] ", QEMU's program and option-location prefixes,
 * "warning: ") and find the catalogue rows whose texts match it: the longest
 * tail of msg that matches anything decides. n is 0 when nothing does.
 */
void finding_explain(const char *msg, struct finding_explain *e);
void finding_explain_free(struct finding_explain *e);

struct out;
/* The explanation: every row matched (id, levels, summary, meaning, fix, text, releases). */
void finding_explain_print(struct out *o, const char *msg, const struct finding_explain *e);

#endif
