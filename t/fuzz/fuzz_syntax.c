// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the three syntaxes a configuration is written in, each checked
 * against itself rather than only for crashes:
 *   - sizes: a size that parses reads back the same from its decimal and
 *     hex forms and from its largest exact binary suffix;
 *   - shell quoting: words split from the text, each quoted again and
 *     joined, split into the same words;
 *   - QemuOpts and keyval: the pairs parsed from the text, written back as
 *     key=value with ",," for a comma, parse into the same pairs.
 * The input's first byte picks the part; the rest is the text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-args.h"
#include "size.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_syntax: " __VA_ARGS__);	\
			fputc('\n', stderr);				\
			__builtin_trap();				\
		}							\
	} while (0)

static void sizes(const char *s)
{
	static const char sfx[] = "KMGTPE";
	uint64_t v, w;
	char buf[64];
	int k;

	if (size_parse(s, &v))
		return;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	CHECK(size_parse(buf, &w) == 0 && w == v, "'%s' = %llu, but '%s' gives %llu", s,
	      (unsigned long long)v, buf, (unsigned long long)w);
	snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)v);
	CHECK(size_parse(buf, &w) == 0 && w == v, "'%s' = %llu, but '%s' does not", s,
	      (unsigned long long)v, buf);
	for (k = 6; k > 0; k--)
		if (v && !(v & ((1ULL << (10 * k)) - 1)))
			break;
	if (k) {
		snprintf(buf, sizeof(buf), "%llu%c", (unsigned long long)(v >> (10 * k)),
			 sfx[k - 1]);
		CHECK(size_parse(buf, &w) == 0 && w == v, "'%s' = %llu, but '%s' does not", s,
		      (unsigned long long)v, buf);
	}
	free(size_to_str(v));
	free(size_human(v));
}

/* 'word' with each ' as '\'' */
static void quote(struct strbuf *b, const char *w)
{
	sb_addc(b, '\'');
	for (; *w; w++) {
		if (*w == '\'')
			sb_adds(b, "'\\''");
		else
			sb_addc(b, *w);
	}
	sb_adds(b, "' ");
}

static void shell(const char *text, size_t len)
{
	struct strv a = { 0 }, b = { 0 };
	struct strbuf q = { 0 };
	char *err = NULL;

	if (shell_split(text, len, &a, &err) < 0) {
		free(err);
		strv_free(&a);
		return;
	}
	for (size_t i = 0; i < a.n; i++)
		quote(&q, a.v[i]);
	CHECK(shell_split(q.buf ? q.buf : "", q.len, &b, &err) == 0, "requoted words do not split: %s",
	      err);
	CHECK(a.n == b.n, "%zu words, %zu after quoting them again", a.n, b.n);
	for (size_t i = 0; i < a.n; i++)
		CHECK(streq(a.v[i], b.v[i]), "word %zu: '%s' became '%s'", i, a.v[i], b.v[i]);
	strv_free(&a);
	strv_free(&b);
	sb_release(&q);
}

static void opts(const char *text, enum opts_syntax syntax)
{
	struct kvlist a, b;
	struct strbuf s = { 0 };
	char *err = NULL;

	if (opts_parse(text, NULL, syntax, &a, &err)) {
		free(err);
		return;
	}
	if (a.json) {
		kvlist_free(&a);
		return;
	}
	for (size_t i = 0; i < a.n; i++) {
		if (i)
			sb_addc(&s, ',');
		sb_adds(&s, a.v[i].key);
		sb_addc(&s, '=');
		for (const char *p = a.v[i].val; *p; p++) {
			if (*p == ',')
				sb_addc(&s, ',');
			sb_addc(&s, *p);
		}
	}
	if (s.buf && s.buf[0] != '{') {
		CHECK(opts_parse(s.buf, NULL, syntax, &b, &err) == 0, "'%s' written back as '%s': %s",
		      text, s.buf, err);
		CHECK(a.n == b.n, "'%s': %zu pairs, '%s': %zu", text, a.n, s.buf, b.n);
		for (size_t i = 0; i < a.n; i++)
			CHECK(streq(a.v[i].key, b.v[i].key) && streq(a.v[i].val, b.v[i].val),
			      "'%s': pair %zu %s=%s became %s=%s", text, i, a.v[i].key, a.v[i].val,
			      b.v[i].key, b.v[i].val);
		kvlist_free(&b);
	}
	kvlist_free(&a);
	sb_release(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = xstrndup((const char *)data + 1, size - 1);
	switch (data[0] % 4) {
	case 0:
		if (strlen(s) < 64)
			sizes(s);
		break;
	case 1:
		shell((const char *)data + 1, size - 1);
		break;
	case 2:
		opts(s, SYNTAX_QEMUOPTS);
		break;
	default:
		opts(s, SYNTAX_KEYVAL);
		break;
	}
	free(s);
	return 0;
}
