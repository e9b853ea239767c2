// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A small, strict XML reader (see xml.h). It never reads past len bytes,
 * refuses what it does not understand with the line number, and limits
 * nesting so that hostile input cannot exhaust the stack.
 */
#include "xml.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define XML_MAX_DEPTH 64
#define XML_MAX_ATTRS 64	/* per element: libvirt's have a handful */

struct parser {
	const char *p, *end;
	unsigned line;
	char *err;
};

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (ps->err)
		return -1;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	ps->err = xasprintf("line %u: %s", ps->line, msg);
	free(msg);
	return -1;
}

static bool at(const struct parser *ps, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, s, n);
}

static void advance(struct parser *ps, size_t n)
{
	for (size_t i = 0; i < n && ps->p < ps->end; i++, ps->p++)
		if (*ps->p == '\n')
			ps->line++;
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end && isspace((unsigned char)*ps->p))
		advance(ps, 1);
}

/* Skip past the next occurrence of s; -1 if there is none. */
static int skip_past(struct parser *ps, const char *s, const char *what)
{
	size_t n = strlen(s);

	while (ps->p < ps->end) {
		if (at(ps, s)) {
			advance(ps, n);
			return 0;
		}
		advance(ps, 1);
	}
	return fail(ps, "unterminated %s", what);
}

static bool name_char(char c, bool first)
{
	return isalpha((unsigned char)c) || c == '_' || c == ':' || (unsigned char)c >= 0x80 ||
	       (!first && (isdigit((unsigned char)c) || c == '-' || c == '.'));
}

static char *read_name(struct parser *ps)
{
	const char *s = ps->p;

	if (ps->p >= ps->end || !name_char(*ps->p, true)) {
		fail(ps, "a name was expected");
		return NULL;
	}
	while (ps->p < ps->end && name_char(*ps->p, false))
		ps->p++;
	return xstrndup(s, (size_t)(ps->p - s));
}

static void put_utf8(struct strbuf *sb, uint32_t c)
{
	if (c < 0x80) {
		sb_addc(sb, (char)c);
	} else if (c < 0x800) {
		sb_addc(sb, (char)(0xc0 | c >> 6));
		sb_addc(sb, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		sb_addc(sb, (char)(0xe0 | c >> 12));
		sb_addc(sb, (char)(0x80 | ((c >> 6) & 0x3f)));
		sb_addc(sb, (char)(0x80 | (c & 0x3f)));
	} else {
		sb_addc(sb, (char)(0xf0 | c >> 18));
		sb_addc(sb, (char)(0x80 | ((c >> 12) & 0x3f)));
		sb_addc(sb, (char)(0x80 | ((c >> 6) & 0x3f)));
		sb_addc(sb, (char)(0x80 | (c & 0x3f)));
	}
}

/* XML 1.0's Char: no control character but tab, newline and carriage return. */
static bool xml_char(uint32_t c)
{
	return c >= 0x20 ? c != 0xfffe && c != 0xffff : c == '\t' || c == '\n' || c == '\r';
}

/*
 * The whole document is UTF-8 and XML 1.0 characters, as libxml2 (libvirt's
 * reader) insists: a control character or a byte that is not UTF-8 never
 * gets into a path or a name.
 */
static int check_chars(struct parser *ps)
{
	const unsigned char *s = (const unsigned char *)ps->p, *end = (const unsigned char *)ps->end;

	while (s < end) {
		size_t n = utf8_len(s, (size_t)(end - s));
		uint32_t c = 0;

		if (!n)
			return fail(ps, "not UTF-8 (byte 0x%02X): XML is read as UTF-8, as libvirt reads it", *s);
		c = n == 1 ? s[0] : n == 2 ? (s[0] & 0x1fu) : n == 3 ? (s[0] & 0x0fu) : (s[0] & 0x07u);
		for (size_t i = 1; i < n; i++)
			c = c << 6 | (s[i] & 0x3fu);
		if (!xml_char(c))
			return fail(ps, "invalid Char value %u: XML 1.0 allows no control character but tab, newline and carriage return", c);
		if (*s == '\n')
			ps->line++;
		s += n;
	}
	ps->line = 1;
	return 0;
}

/* An entity or character reference at ps->p ('&'), appended decoded. */
static int reference(struct parser *ps, struct strbuf *sb)
{
	static const struct { const char *name; char c; } ents[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' }, { "&apos;", '\'' },
	};
	uint32_t c = 0;
	bool hex;
	int digits = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ents); i++) {
		if (at(ps, ents[i].name)) {
			sb_addc(sb, ents[i].c);
			advance(ps, strlen(ents[i].name));
			return 0;
		}
	}
	if (!at(ps, "&#"))
		return fail(ps, "unknown entity (only &lt; &gt; &amp; &quot; &apos; and &#N;)");
	advance(ps, 2);
	hex = ps->p < ps->end && *ps->p == 'x';
	if (hex)
		advance(ps, 1);
	while (ps->p < ps->end && (hex ? isxdigit((unsigned char)*ps->p) : isdigit((unsigned char)*ps->p))) {
		int d = isdigit((unsigned char)*ps->p) ? *ps->p - '0' : tolower((unsigned char)*ps->p) - 'a' + 10;

		c = c * (hex ? 16 : 10) + (uint32_t)d;
		if (c > 0x10ffff)
			return fail(ps, "character reference beyond U+10FFFF");
		digits++;
		advance(ps, 1);
	}
	if (!digits || ps->p >= ps->end || *ps->p != ';' || c == 0 || (c >= 0xd800 && c < 0xe000))
		return fail(ps, "bad character reference");
	if (!xml_char(c))
		return fail(ps, "character reference to U+%04X, which XML 1.0 does not allow", c);
	advance(ps, 1);
	put_utf8(sb, c);
	return 0;
}

static int read_attrs(struct parser *ps, struct xml_node *n)
{
	for (;;) {
		struct strbuf v;
		char *name, q;

		skip_space(ps);
		if (ps->p >= ps->end)
			return fail(ps, "unterminated start tag <%s>", n->name);
		if (*ps->p == '>' || at(ps, "/>"))
			return 0;
		if (n->nattrs == XML_MAX_ATTRS)
			return fail(ps, "more than %d attributes in <%s>", XML_MAX_ATTRS, n->name);
		name = read_name(ps);
		if (!name)
			return -1;
		for (size_t i = 0; i < n->nattrs; i++)
			if (streq(n->attrs[i].name, name)) {
				free(name);
				return fail(ps, "attribute repeated in <%s>", n->name);
			}
		skip_space(ps);
		if (ps->p >= ps->end || *ps->p != '=') {
			fail(ps, "'=' expected after attribute %s", name);
			free(name);
			return -1;
		}
		advance(ps, 1);
		skip_space(ps);
		if (ps->p >= ps->end || (*ps->p != '"' && *ps->p != '\'')) {
			fail(ps, "quoted value expected for attribute %s", name);
			free(name);
			return -1;
		}
		q = *ps->p;
		advance(ps, 1);
		sb_init(&v);
		while (ps->p < ps->end && *ps->p != q) {
			if (*ps->p == '<' || *ps->p == '\0') {
				fail(ps, "%s in the value of attribute %s", *ps->p ? "'<'" : "a NUL byte", name);
				break;
			}
			if (*ps->p == '&') {
				if (reference(ps, &v))
					break;
				continue;
			}
			sb_addc(&v, *ps->p);
			advance(ps, 1);
		}
		if (ps->err || ps->p >= ps->end) {
			if (!ps->err)
				fail(ps, "unterminated value of attribute %s", name);
			free(name);
			sb_release(&v);
			return -1;
		}
		advance(ps, 1);
		n->attrs = xgrow(n->attrs, n->nattrs, sizeof(*n->attrs));
		n->attrs[n->nattrs].name = name;
		n->attrs[n->nattrs].value = sb_detach(&v);
		n->nattrs++;
	}
}

/* Comments, processing instructions, DOCTYPE: skipped. 1 if one was, 0 if none, -1. */
static int misc(struct parser *ps, bool prolog)
{
	if (at(ps, "<!--"))
		return skip_past(ps, "-->", "comment") ? -1 : 1;
	if (at(ps, "<?"))
		return skip_past(ps, "?>", "processing instruction") ? -1 : 1;
	if (at(ps, "<!DOCTYPE")) {
		const char *s = ps->p;

		if (!prolog)
			return fail(ps, "a DOCTYPE inside an element");
		if (skip_past(ps, ">", "DOCTYPE"))
			return -1;
		if (memchr(s, '[', (size_t)(ps->p - s)))
			return fail(ps, "a DOCTYPE with an internal subset is not read");
		return 1;
	}
	return 0;
}

static int element(struct parser *ps, struct xml_node *n, int depth)
{
	struct strbuf text;
	char *close;

	if (depth > XML_MAX_DEPTH)
		return fail(ps, "elements nested deeper than %d", XML_MAX_DEPTH);
	n->line = ps->line;
	advance(ps, 1);	/* '<' */
	n->name = read_name(ps);
	if (!n->name || read_attrs(ps, n))
		return -1;
	if (at(ps, "/>")) {
		advance(ps, 2);
		n->text = xstrdup("");
		return 0;
	}
	advance(ps, 1);	/* '>' */
	sb_init(&text);
	for (;;) {
		int m;

		if (ps->p >= ps->end) {
			sb_release(&text);
			return fail(ps, "<%s> (line %u) is not closed", n->name, n->line);
		}
		if (at(ps, "</"))
			break;
		if (at(ps, "<![CDATA[")) {
			const char *s;

			advance(ps, 9);
			s = ps->p;
			if (skip_past(ps, "]]>", "CDATA section")) {
				sb_release(&text);
				return -1;
			}
			sb_addn(&text, s, (size_t)(ps->p - s - 3));
			continue;
		}
		m = misc(ps, false);
		if (m < 0) {
			sb_release(&text);
			return -1;
		}
		if (m)
			continue;
		if (*ps->p == '<') {
			struct xml_node *c;

			n->children = xgrow(n->children, n->nchildren, sizeof(*n->children));
			c = &n->children[n->nchildren++];
			memset(c, 0, sizeof(*c));
			if (element(ps, c, depth + 1)) {
				sb_release(&text);
				return -1;
			}
			continue;
		}
		if (*ps->p == '&') {
			if (reference(ps, &text)) {
				sb_release(&text);
				return -1;
			}
			continue;
		}
		if (*ps->p == '\0' || at(ps, "]]>")) {
			sb_release(&text);
			return fail(ps, *ps->p ? "']]>' in the text" : "a NUL byte in the text");
		}
		sb_addc(&text, *ps->p);
		advance(ps, 1);
	}
	n->text = text.buf ? sb_detach(&text) : xstrdup("");
	advance(ps, 2);	/* "</" */
	close = read_name(ps);
	if (!close)
		return -1;
	if (!streq(close, n->name)) {
		free(close);
		return fail(ps, "</%s> expected (for line %u)", n->name, n->line);
	}
	free(close);
	skip_space(ps);
	if (ps->p >= ps->end || *ps->p != '>')
		return fail(ps, "'>' expected after </%s", n->name);
	advance(ps, 1);
	return 0;
}

int xml_parse(const char *text, size_t len, struct xml_node *root, char **err)
{
	struct parser ps = { .p = text, .end = text + len, .line = 1 };
	bool have_root = false;

	memset(root, 0, sizeof(*root));
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		ps.p += 3;	/* a UTF-8 byte order mark */
	if (check_chars(&ps))
		goto out;
	for (;;) {
		int m;

		skip_space(&ps);
		if (ps.p >= ps.end)
			break;
		m = misc(&ps, true);
		if (m < 0)
			goto out;
		if (m)
			continue;
		if (*ps.p != '<' || have_root) {
			fail(&ps, have_root ? "content after the root element" :
			     "not XML: a document starts with '<'");
			goto out;
		}
		if (element(&ps, root, 0))
			goto out;
		have_root = true;
	}
	if (!have_root)
		fail(&ps, "no element in the document");
out:
	if (ps.err) {
		xml_free(root);
		*err = ps.err;
		return -1;
	}
	return 0;
}

void xml_free(struct xml_node *n)
{
	for (size_t i = 0; i < n->nattrs; i++) {
		free(n->attrs[i].name);
		free(n->attrs[i].value);
	}
	free(n->attrs);
	for (size_t i = 0; i < n->nchildren; i++)
		xml_free(&n->children[i]);
	free(n->children);
	free(n->name);
	free(n->text);
	memset(n, 0, sizeof(*n));
}

const struct xml_node *xml_child(const struct xml_node *n, const char *path)
{
	while (n && *path) {
		size_t len = strcspn(path, "/");
		const struct xml_node *found = NULL;

		for (size_t i = 0; i < n->nchildren && !found; i++)
			if (strlen(n->children[i].name) == len &&
			    !strncmp(n->children[i].name, path, len))
				found = &n->children[i];
		n = found;
		path += len;
		if (*path == '/')
			path++;
	}
	return n;
}

const char *xml_attr(const struct xml_node *n, const char *name)
{
	for (size_t i = 0; n && i < n->nattrs; i++)
		if (streq(n->attrs[i].name, name))
			return n->attrs[i].value;
	return NULL;
}

const char *xml_text(const struct xml_node *n, const char *path)
{
	const struct xml_node *c = xml_child(n, path);
	char *t, *e;

	if (!c)
		return NULL;
	/* Trim in place: the text is the node's own. */
	t = c->text;
	while (isspace((unsigned char)*t))
		t++;
	e = t + strlen(t);
	while (e > t && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	return t;
}
