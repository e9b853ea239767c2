// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QEMU's JSON reader in three steps, as QEMU has them:
 *   lexer    (json-lexer.c)    bytes to tokens; a byte no token can take is
 *                              a "stray" error at once;
 *   streamer (json-streamer.c) collects tokens until brackets balance, then
 *                              hands the message to the parser;
 *   parser   (json-parser.c)   recursive descent over one message;
 * and qjson.c on top, which wants exactly one value: the first error wins,
 * and anything after the first value is "Expecting at most one JSON value".
 * Because the streamer parses only balanced messages, a lexer error late in
 * an object is reported before a grammar error early in it; this code keeps
 * that order by lexing a whole message before parsing it.
 */
#include "qemu-json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* json-streamer.c's limits per message. */
#define JSON_MAX_TOKENS (2u << 20)
#define JSON_MAX_NESTING 1024

enum tok_type {
	T_EOF, T_ERROR, T_LCURLY, T_RCURLY, T_LSQUARE, T_RSQUARE, T_COLON, T_COMMA,
	T_INTEGER, T_FLOAT, T_KEYWORD, T_STRING,
};

struct tok {
	enum tok_type type;
	size_t off, len;	/* in the text */
};

struct jparser {
	const char *text;
	struct tok *t;		/* one message */
	size_t n, cap, pos;
	char *err;		/* the first error of this message */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The next token at *pos. A bad byte ends the token with that byte in it
 * (the lexer consumed it); the end of the text ends it without (a flush).
 */
static enum tok_type lex(const char *s, size_t *pos, struct tok *t)
{
	size_t p = *pos;
	enum tok_type type;
	unsigned char c;
	bool zero;

	while (s[p] == ' ' || s[p] == '\t' || s[p] == '\r' || s[p] == '\n')
		p++;
	t->off = p;
	c = (unsigned char)s[p];
	switch (c) {
	case '\0':
		type = T_EOF;
		break;
	case '{': case '}': case '[': case ']': case ':': case ',':
		p++;
		type = c == '{' ? T_LCURLY : c == '}' ? T_RCURLY : c == '[' ? T_LSQUARE :
		       c == ']' ? T_RSQUARE : c == ':' ? T_COLON : T_COMMA;
		break;
	case '"': case '\'':
		/* Any byte 0x20-0xFD, after a backslash too; the parser checks escapes. */
		for (p++;; p++) {
			c = (unsigned char)s[p];
			if (c == '\\') {
				c = (unsigned char)s[++p];
			} else if (c == (unsigned char)s[t->off]) {
				p++;
				type = T_STRING;
				break;
			}
			if (c < 0x20 || c > 0xFD)
				goto bad;
		}
		break;
	case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6':
	case '7': case '8': case '9':
		type = T_INTEGER;
		if (c == '-' && !is_digit(s[++p]))
			goto bad;
		zero = s[p] == '0';
		if (zero) {
			if (is_digit(s[++p]))
				goto bad;	/* a leading zero */
		} else {
			while (is_digit(s[p]))
				p++;
		}
		if (s[p] == '.') {
			type = T_FLOAT;
			if (!is_digit(s[++p]))
				goto bad;
			while (is_digit(s[p]))
				p++;
		}
		/* "0e1" is the integer 0, then a keyword: IN_ZERO knows no 'e'. */
		if ((s[p] == 'e' || s[p] == 'E') && (type == T_FLOAT || !zero)) {
			type = T_FLOAT;
			p++;
			if (s[p] == '+' || s[p] == '-')
				p++;
			if (!is_digit(s[p]))
				goto bad;
			while (is_digit(s[p]))
				p++;
		}
		break;
	default:
		if (c >= 'a' && c <= 'z') {
			while (s[p] >= 'a' && s[p] <= 'z')
				p++;
			type = T_KEYWORD;
			break;
		}
		goto bad;
	}
	t->type = type;
	t->len = p - t->off;
	*pos = p;
	return type;
bad:
	t->type = T_ERROR;
	t->len = p - t->off + (s[p] != '\0');
	*pos = p + (s[p] != '\0');
	return T_ERROR;
}

static void parse_error(struct jparser *jp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* json-parser.c's parse_error(): only the first one counts. */
static void parse_error(struct jparser *jp, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (jp->err)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	jp->err = xasprintf("JSON parse error, %s", msg);
	free(msg);
}

static const struct tok *peek(struct jparser *jp)
{
	return jp->pos < jp->n ? &jp->t[jp->pos] : NULL;
}

static const struct tok *pop(struct jparser *jp)
{
	return jp->pos < jp->n ? &jp->t[jp->pos++] : NULL;
}

/* util/unicode.c: no surrogates, no noncharacters, nothing above U+10FFFF. */
static bool valid_codepoint(long cp)
{
	if (cp < 0 || cp > 0x10FFFF)
		return false;
	if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
		return false;
	return !(cp >= 0xD800 && cp <= 0xDFFF);
}

/* Modified UTF-8: U+0000 is two bytes, so a decoded string never holds a NUL. */
static bool utf8_encode(struct strbuf *sb, long cp)
{
	char b[4];
	size_t n;

	if (!valid_codepoint(cp))
		return false;
	if (cp > 0 && cp <= 0x7F) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp <= 0x7FF) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp <= 0xFFFF) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	sb_addn(sb, b, n);
	return true;
}

/* mod_utf8_codepoint() on at most 6 bytes: the code point, or -1; *end past it. */
static long utf8_decode(const unsigned char *p, const unsigned char **end)
{
	static const long min_cp[5] = { 0x80, 0x800, 0x10000, 0x200000, 0x4000000 };
	unsigned int byte = *p++, mask, len = 0;
	long cp;

	if (byte < 0x80) {
		cp = byte;
	} else if (byte >= 0xFE || !(byte & 0x40)) {
		cp = -1;	/* 0xFE, 0xFF, or a continuation byte first */
	} else {
		for (mask = 0x80; byte & mask; mask >>= 1)
			len++;
		cp = byte & (mask - 1);
		for (unsigned int i = 1; i < len; i++) {
			if ((*p & 0xC0) != 0x80) {
				cp = -1;
				goto out;
			}
			cp = (cp << 6) | (*p++ & 0x3F);
		}
		if (!valid_codepoint(cp) || (cp < min_cp[len - 2] && !(cp == 0 && len == 2)))
			cp = -1;	/* overlong, except the NUL of modified UTF-8 */
	}
out:
	*end = p;
	return cp;
}

static long hex4(const char *s)
{
	long cp = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		cp <<= 4;
		if (c >= '0' && c <= '9')
			cp |= c - '0';
		else if (c >= 'a' && c <= 'f')
			cp |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			cp |= c - 'A' + 10;
		else
			return -1;
	}
	return cp;
}

/* json-parser.c parse_string(); NULL with jp->err on a bad string. */
static char *parse_string(struct jparser *jp, const struct tok *t)
{
	const char *p = jp->text + t->off, *end = p + t->len - 1;
	struct strbuf sb;

	p++;	/* the opening quote, ' or " */
	sb_init(&sb);
	while (p < end) {
		const char *beg = p;
		long cp;

		if (*p != '\\') {
			const unsigned char *next;

			cp = utf8_decode((const unsigned char *)p, &next);
			/* The closing quote is no continuation byte: a cut sequence stops there. */
			if (cp < 0 || (const char *)next > end) {
				parse_error(jp, "invalid UTF-8 sequence in string");
				goto fail;
			}
			utf8_encode(&sb, cp);
			p = (const char *)next;
			continue;
		}
		p++;
		switch (*p++) {
		case '"': sb_addc(&sb, '"'); break;
		case '\'': sb_addc(&sb, '\''); break;
		case '\\': sb_addc(&sb, '\\'); break;
		case '/': sb_addc(&sb, '/'); break;
		case 'b': sb_addc(&sb, '\b'); break;
		case 'f': sb_addc(&sb, '\f'); break;
		case 'n': sb_addc(&sb, '\n'); break;
		case 'r': sb_addc(&sb, '\r'); break;
		case 't': sb_addc(&sb, '\t'); break;
		case 'u':
			cp = end - p >= 4 ? hex4(p) : -1;
			p += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF && p + 6 <= end && p[0] == '\\' && p[1] == 'u') {
				long trail = hex4(p + 2);

				cp = 0x10000 + ((cp & 0x3FF) << 10);
				if (trail >= 0xDC00 && trail <= 0xDFFF) {
					cp |= trail & 0x3FF;
					p += 6;
				} else {
					cp = -1;
				}
			}
			if (!utf8_encode(&sb, cp)) {
				/* QEMU prints from the backslash on, at most to the token's end. */
				int n = (int)(p - beg);

				if (p > end + 1)
					n = (int)(end + 1 - beg);
				parse_error(jp, "%.*s is not a valid Unicode character", n, beg);
				goto fail;
			}
			break;
		default:
			parse_error(jp, "invalid escape sequence in string");
			goto fail;
		}
	}
	return sb_detach(&sb);
fail:
	sb_release(&sb);
	return NULL;
}

/* A value's kind and, when asked for, its text (struct kv's conventions). */
struct jval {
	enum kv_type type;
	char *text;
};

static bool parse_value(struct jparser *jp, struct jval *v, bool want);

/* One object: members go to out (the top level) or are only checked. */
static bool parse_object(struct jparser *jp, struct kvlist *out)
{
	struct strmap keys = { 0 };
	struct strv owned = { 0 };
	const struct tok *t;
	bool ok = false;

	pop(jp);	/* '{' */
	t = peek(jp);
	if (!t) {
		parse_error(jp, "premature EOI");
		goto out;
	}
	if (t->type == T_RCURLY) {
		pop(jp);
		ok = true;
		goto out;
	}
	for (;;) {
		struct jval key = { 0 }, val = { 0 };
		bool dup;

		/* parse_pair() */
		if (!peek(jp)) {
			parse_error(jp, "premature EOI");
			goto out;
		}
		if (!parse_value(jp, &key, true) || key.type != KV_STRING) {
			parse_error(jp, "key is not a string in object");
			free(key.text);
			goto out;
		}
		t = pop(jp);
		if (!t || t->type != T_COLON) {
			parse_error(jp, t ? "missing : in object pair" : "premature EOI");
			free(key.text);
			goto out;
		}
		if (!parse_value(jp, &val, out != NULL)) {
			parse_error(jp, "Missing value in dict");
			free(key.text);
			goto out;
		}
		if (out) {
			dup = kv_find(out, key.text) != NULL;
		} else {
			strv_push(&owned, key.text);
			strmap_put(&keys, key.text, 0, &dup);
			dup = !dup;
			key.text = NULL;
		}
		if (dup) {
			parse_error(jp, "duplicate key");
			free(key.text);
			free(val.text);
			goto out;
		}
		if (out)
			kvlist_set(out, key.text, val.text, val.type);
		else
			free(val.text);

		t = pop(jp);
		if (!t) {
			parse_error(jp, "premature EOI");
			goto out;
		}
		if (t->type == T_RCURLY)
			break;
		if (t->type != T_COMMA) {
			parse_error(jp, "expected separator in dict");
			goto out;
		}
	}
	ok = true;
out:
	strmap_free(&keys);
	strv_free(&owned);
	return ok;
}

static bool parse_array(struct jparser *jp)
{
	const struct tok *t;

	pop(jp);	/* '[' */
	t = peek(jp);
	if (!t) {
		parse_error(jp, "premature EOI");
		return false;
	}
	if (t->type == T_RSQUARE) {
		pop(jp);
		return true;
	}
	for (;;) {
		struct jval v = { 0 };

		if (!parse_value(jp, &v, false)) {
			parse_error(jp, "expecting value");
			return false;
		}
		t = pop(jp);
		if (!t) {
			parse_error(jp, "premature EOI");
			return false;
		}
		if (t->type == T_RSQUARE)
			return true;
		if (t->type != T_COMMA) {
			parse_error(jp, "expected separator in list");
			return false;
		}
	}
}

/* A JSON integer as QNum holds it: int64, else uint64, else a double. */
static enum kv_type integer_text(const char *s, size_t len, char **text)
{
	char *d = xstrndup(s, len), *end;
	long long i;
	unsigned long long u;

	errno = 0;
	i = strtoll(d, &end, 10);
	if (!errno) {
		*text = xasprintf("%lld", i);
	} else if (d[0] != '-' && (errno = 0, u = strtoull(d, &end, 10), !errno)) {
		*text = xasprintf("%llu", u);
	} else {
		*text = d;
		return KV_OTHER;
	}
	free(d);
	return KV_INT;
}

static bool parse_value(struct jparser *jp, struct jval *v, bool want)
{
	const struct tok *t = peek(jp);
	size_t first = jp->pos;
	bool ok;

	v->type = KV_OTHER;
	v->text = NULL;
	if (!t) {
		parse_error(jp, "premature EOI");
		return false;
	}
	switch (t->type) {
	case T_LCURLY:
		ok = parse_object(jp, NULL);
		break;
	case T_LSQUARE:
		ok = parse_array(jp);
		break;
	case T_STRING:
		pop(jp);
		v->type = KV_STRING;
		v->text = parse_string(jp, t);
		if (!v->text)
			return false;
		if (!want) {
			free(v->text);
			v->text = NULL;
		}
		return true;
	case T_INTEGER:
		pop(jp);
		v->type = integer_text(jp->text + t->off, t->len, &v->text);
		if (!want) {
			free(v->text);
			v->text = NULL;
		}
		return true;
	case T_FLOAT:
		pop(jp);
		ok = true;
		break;
	case T_KEYWORD:
		pop(jp);
		if (t->len == 4 && !strncmp(jp->text + t->off, "true", 4)) {
			v->type = KV_BOOL;
			v->text = want ? xstrdup("on") : NULL;
			return true;
		}
		if (t->len == 5 && !strncmp(jp->text + t->off, "false", 5)) {
			v->type = KV_BOOL;
			v->text = want ? xstrdup("off") : NULL;
			return true;
		}
		if (t->len == 4 && !strncmp(jp->text + t->off, "null", 4)) {
			ok = true;
			break;
		}
		parse_error(jp, "invalid keyword '%.*s'", (int)t->len, jp->text + t->off);
		return false;
	default:
		parse_error(jp, "expecting value");
		return false;
	}
	if (ok && want) {
		const struct tok *last = &jp->t[jp->pos - 1];

		v->text = xstrndup(jp->text + jp->t[first].off,
				   last->off + last->len - jp->t[first].off);
	}
	return ok;
}

int qemu_json_parse_object(const char *text, struct kvlist *out, char **err)
{
	struct jparser jp = { .text = text };
	bool have_value = false;
	int brace = 0, bracket = 0;
	size_t pos = 0;
	struct tok t;

	memset(out, 0, sizeof(*out));
	out->json = true;
	for (;;) {
		char *e = NULL;
		enum tok_type type = lex(text, &pos, &t);

		if (type == T_ERROR) {
			e = xasprintf("JSON parse error, stray '%.*s'", (int)t.len, text + t.off);
			goto emit;
		}
		if (type == T_EOF) {
			if (!jp.n)
				break;
			goto parse;
		}
		brace += type == T_LCURLY ? 1 : type == T_RCURLY ? -1 : 0;
		bracket += type == T_LSQUARE ? 1 : type == T_RSQUARE ? -1 : 0;
		if (jp.n + 1 > JSON_MAX_TOKENS) {
			e = xstrdup("JSON token count limit exceeded");
			goto emit;
		}
		if (brace + bracket > JSON_MAX_NESTING) {
			e = xstrdup("JSON nesting depth limit exceeded");
			goto emit;
		}
		if (jp.n == jp.cap) {
			jp.cap = jp.cap ? 2 * jp.cap : 64;
			jp.t = xrealloc(jp.t, jp.cap * sizeof(*jp.t));
		}
		jp.t[jp.n++] = t;
		if ((brace > 0 || bracket > 0) && brace >= 0 && bracket >= 0)
			continue;
parse:
		/* A message: the first one starts with '{', so it is the object. */
		jp.pos = 0;
		if (!have_value) {
			if (jp.t[0].type == T_LCURLY)
				parse_object(&jp, out);
			else
				parse_error(&jp, "expecting value");
			e = jp.err;
			jp.err = NULL;
		}
emit:
		/* qjson.c consume_json(): one value, then nothing. */
		if (have_value) {
			free(e);
			e = xstrdup("Expecting at most one JSON value");
		}
		if (e) {
			free(jp.t);
			kvlist_free(out);
			*err = e;
			return -1;
		}
		have_value = true;
		jp.n = 0;
		brace = bracket = 0;
		if (type == T_EOF)
			break;
	}
	free(jp.t);
	if (!have_value) {
		kvlist_free(out);
		*err = xstrdup("Expecting a JSON value");
		return -1;
	}
	return 0;
}

/*
 * QEMU 11.0 on: json-parser.c is a push parser fed token by token as the
 * lexer makes them, so the first error in the text wins, whether the lexer
 * or the grammar finds it, and every error says where: "LINE:COLUMN: " (1-based,
 * in bytes) of the token it is about. The grammar's messages are new
 * ("expecting key", "expecting ':'", "expected ',' or '}'", "premature end
 * of input"); a duplicate key is found when its value is complete, so it is
 * reported at the value's last token. A token right after a number or a
 * keyword, and the end of the text right after one, is placed one column to
 * the right (see struct push). A text without an error is read as before.
 */
enum pstate { P_AFTER_LCURLY, P_AFTER_LSQUARE, P_BEFORE_KEY, P_BEFORE_VALUE, P_END_OF_KEY,
	      P_END_OF_VALUE };

struct pframe {
	char kind;		/* 'd' dict, 'l' list, 'k' key waiting for its value */
	enum pstate st;
	struct strmap keys;	/* a dict's keys so far */
	struct strv owned;
	char *key;		/* a key frame's key */
};

struct push {
	struct jparser jp;	/* its text, for parse_string() */
	struct pframe *st;
	size_t n, cap;
	char *err;		/* the first error, located */
	/*
	 * The token being fed follows a number or keyword with nothing between:
	 * QEMU's lexer ends those on the next byte, which it has already
	 * counted, so it places this token one column to the right.
	 */
	bool late;
};

/* msg at byte off of the text, plus extra columns. */
static void push_error_at(struct push *p, size_t off, size_t extra, const char *msg)
{
	size_t line = 1, col = 1;

	if (p->err)
		return;
	for (size_t i = 0; i < off; i++) {
		if (p->jp.text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	p->err = xasprintf("%zu:%zu: %s", line, col + extra, msg);
}

static void push_fail(struct push *p, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void push_fail(struct push *p, size_t off, const char *fmt, ...)
{
	va_list ap;
	char *msg, *full;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	full = xasprintf("JSON parse error, %s", msg);
	push_error_at(p, off, p->late, full);
	free(full);
	free(msg);
}

static struct pframe *push_frame(struct push *p, char kind, enum pstate st)
{
	struct pframe *f;

	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->st = xrealloc(p->st, p->cap * sizeof(*p->st));
	}
	f = &p->st[p->n++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->st = st;
	return f;
}

static void pop_frame(struct push *p)
{
	struct pframe *f = &p->st[--p->n];

	strmap_free(&f->keys);
	strv_free(&f->owned);
	free(f->key);
}

static void push_reset(struct push *p)
{
	while (p->n)
		pop_frame(p);
}

/* A string token's text, or NULL with the error (parse_string()'s) located. */
static char *push_string(struct push *p, const struct tok *t)
{
	char *s = parse_string(&p->jp, t);

	if (!s) {
		push_error_at(p, t->off, 0, p->jp.err);
		free(p->jp.err);
		p->jp.err = NULL;
	}
	return s;
}

/*
 * One value is complete at token t (a scalar, or the bracket that closes
 * an object or array): it goes to the frame below.
 */
static void push_value_done(struct push *p, const struct tok *t)
{
	struct pframe *top;
	bool added;

	if (!p->n)
		return;		/* a whole message */
	top = &p->st[p->n - 1];
	if (top->kind == 'l') {
		top->st = P_END_OF_VALUE;
		return;
	}
	/* a key frame: the dict under it takes the pair */
	{
		char *key = top->key;
		struct pframe *d;

		top->key = NULL;
		pop_frame(p);
		d = &p->st[p->n - 1];
		strv_push(&d->owned, key);
		strmap_put(&d->keys, key, 0, &added);
		if (!added) {
			push_fail(p, t->off, "duplicate key");
			return;
		}
		d->st = P_END_OF_VALUE;
	}
}

/* json_parser_feed() for one grammar token. */
static void push_token(struct push *p, const struct tok *t)
{
	enum pstate st = p->n ? p->st[p->n - 1].st : P_BEFORE_VALUE;
	struct pframe *top = p->n ? &p->st[p->n - 1] : NULL;
	char *s;

	switch (st) {
	case P_AFTER_LCURLY:
	case P_BEFORE_KEY:
		if (st == P_AFTER_LCURLY && t->type == T_RCURLY) {
			pop_frame(p);
			push_value_done(p, t);
			return;
		}
		top->st = P_BEFORE_KEY;
		if (t->type != T_STRING) {
			push_fail(p, t->off, "expecting key");
			return;
		}
		s = push_string(p, t);
		if (s)
			push_frame(p, 'k', P_END_OF_KEY)->key = s;
		return;
	case P_END_OF_KEY:
		if (t->type != T_COLON)
			push_fail(p, t->off, "expecting ':'");
		else
			top->st = P_BEFORE_VALUE;
		return;
	case P_AFTER_LSQUARE:
	case P_BEFORE_VALUE:
		if (st == P_AFTER_LSQUARE && t->type == T_RSQUARE) {
			pop_frame(p);
			push_value_done(p, t);
			return;
		}
		if (st == P_AFTER_LSQUARE)
			top->st = P_BEFORE_VALUE;
		switch (t->type) {
		case T_LCURLY:
			push_frame(p, 'd', P_AFTER_LCURLY);
			return;
		case T_LSQUARE:
			push_frame(p, 'l', P_AFTER_LSQUARE);
			return;
		case T_STRING:
			s = push_string(p, t);
			if (!s)
				return;
			free(s);
			break;
		case T_INTEGER:
		case T_FLOAT:
			break;
		case T_KEYWORD:
			if ((t->len == 4 && !strncmp(p->jp.text + t->off, "true", 4)) ||
			    (t->len == 5 && !strncmp(p->jp.text + t->off, "false", 5)) ||
			    (t->len == 4 && !strncmp(p->jp.text + t->off, "null", 4)))
				break;
			push_fail(p, t->off, "invalid keyword '%.*s'", (int)t->len,
				  p->jp.text + t->off);
			return;
		default:
			push_fail(p, t->off, "expecting value");
			return;
		}
		push_value_done(p, t);
		return;
	case P_END_OF_VALUE:
		if (t->type == (top->kind == 'l' ? T_RSQUARE : T_RCURLY)) {
			pop_frame(p);
			push_value_done(p, t);
		} else if (t->type == T_COMMA) {
			top->st = top->kind == 'l' ? P_BEFORE_VALUE : P_BEFORE_KEY;
		} else {
			push_fail(p, t->off, top->kind == 'l' ? "expected ',' or ']'"
							       : "expected ',' or '}'");
		}
		return;
	}
}

/* The first error of the text in QEMU 11's order, or NULL when it has none. */
static char *push_first_error(const char *text)
{
	struct push p = { .jp = { .text = text } };
	size_t pos = 0, ntok = 0, len = strlen(text);
	int brace = 0, bracket = 0;
	enum tok_type last = T_EOF;
	size_t last_end = 0;
	bool have_value = false;
	struct tok t;

	while (!p.err) {
		enum tok_type type = lex(text, &pos, &t);

		/* qobject_from_json(): after one value, anything at all is too much. */
		if (have_value && type != T_EOF) {
			p.err = xstrdup("Expecting at most one JSON value");
			break;
		}
		p.late = t.off == last_end &&
			 (last == T_INTEGER || last == T_FLOAT || last == T_KEYWORD);
		if (type == T_ERROR) {
			push_fail(&p, t.off, "stray '%.*s'", (int)t.len, text + t.off);
			break;
		}
		if (type == T_EOF) {
			if (p.n) {
				/* The flush, too, ends a number or keyword one column late. */
				push_error_at(&p, len, p.late && len == t.off,
					      "JSON parse error, premature end of input");
			}
			break;
		}
		last = type;
		last_end = t.off + t.len;
		if (type == T_LCURLY)
			brace++;
		else if (type == T_LSQUARE)
			bracket++;
		else if (type == T_RCURLY && brace > 0)
			brace--;
		else if (type == T_RSQUARE && bracket > 0)
			bracket--;
		else if (type == T_RCURLY || type == T_RSQUARE)
			brace = bracket = 0;
		if (++ntok > JSON_MAX_TOKENS) {
			p.err = xstrdup("JSON token count limit exceeded");
			break;
		}
		if (brace + bracket > JSON_MAX_NESTING) {
			p.err = xstrdup("JSON nesting depth limit exceeded");
			break;
		}
		push_token(&p, &t);
		if (!brace && !bracket) {
			/* a message ends: the parser starts over */
			have_value = !p.err;
			push_reset(&p);
			ntok = 0;
		}
	}
	push_reset(&p);
	free(p.st);
	return p.err;
}

int qemu_json_parse_object_located(const char *text, struct kvlist *out, char **err)
{
	char *e = push_first_error(text);

	if (e) {
		memset(out, 0, sizeof(*out));
		out->json = true;
		*err = e;
		return -1;
	}
	return qemu_json_parse_object(text, out, err);
}
