// SPDX-License-Identifier: GPL-2.0-or-later
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *nvd_progname = "nvd";

static void oom(void)
{
	fprintf(stderr, "%s: out of memory\n", nvd_progname);
	exit(NVD_EXIT_ENV);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xgrow(void *p, size_t n, size_t size)
{
	if (n && (n & (n - 1)))
		return p;	/* room left since the last doubling */
	return xrealloc(p, (n < 4 ? 4 : 2 * n) * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *p;

	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

static void sb_grow(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	sb->cap = (sb->len + extra + 1) * 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

void sb_addn(struct strbuf *sb, const char *s, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_addc(struct strbuf *sb, char c)
{
	sb_addn(sb, &c, 1);
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_addn(sb, s, strlen(s));
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	sb_adds(sb, p);
	free(p);
}

char *sb_detach(struct strbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");

	sb_init(sb);
	return p;
}

void sb_release(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

void strv_push(struct strv *sv, char *owned)
{
	if (sv->n + 1 >= sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 16;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = owned;
	sv->v[sv->n] = NULL;
}

void strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

/*
 * The length of the valid UTF-8 sequence at s (at most max bytes), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF.
 */
size_t utf8_len(const unsigned char *s, size_t max)
{
	size_t n;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n > max)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff)))
		return 0;	/* overlong, or a surrogate */
	if (n == 4 && (c < 0x10000 || c > 0x10ffff))
		return 0;
	return n;
}

size_t ctl_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	if (s[0] < 0x20 || s[0] == 0x7f)
		return 1;
	return s[0] == 0xc2 && s[1] >= 0x80 && s[1] < 0xa0 ? 2 : 0;
}

void sb_add_escaped(struct strbuf *sb, const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = strnlen(str, max);

	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(s + i, len - i);

		if (n && !ctl_len(str + i)) {
			sb_addn(sb, str + i, n);
		} else {
			/* a control character (C1 too: 0xc2 0x80..0x9f) or an invalid byte */
			n = n ? n : 1;
			for (size_t k = 0; k < n; k++)
				sb_addf(sb, "\\x%02x", s[i + k]);
		}
		i += n;
	}
}

void sb_add_utf8(struct strbuf *sb, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = strlen(str);

	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(s + i, len - i);

		if (n)
			sb_addn(sb, str + i, n);
		else
			sb_adds(sb, "\xef\xbf\xbd");	/* U+FFFD */
		i += n ? n : 1;
	}
}

char *utf8_valid(const char *s)
{
	struct strbuf sb;

	sb_init(&sb);
	sb_add_utf8(&sb, s);
	return sb_detach(&sb);
}

/* Display columns of escaped text: code points (no wide characters expected). */
static size_t columns(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

char *esc_vasprintf(const char *fmt, va_list ap)
{
	struct strbuf sb;
	const char *p = fmt;

	sb_init(&sb);
	while (*p) {
		char spec[32], lenmod[3] = "", conv;
		const char *start, *flags;
		size_t nflags;
		int width = -1, prec = -1;
		bool left;

		if (*p != '%') {
			size_t n = strcspn(p, "%");

			sb_addn(&sb, p, n);
			p += n;
			continue;
		}
		start = p++;
		if (*p == '%') {
			sb_addc(&sb, '%');
			p++;
			continue;
		}
		flags = p;
		while (*p && strchr("-+ #0'", *p))
			p++;
		nflags = (size_t)(p - flags);
		left = memchr(flags, '-', nflags) != NULL;
		if (*p == '*') {
			width = va_arg(ap, int);
			p++;
		} else if (*p >= '0' && *p <= '9') {
			width = (int)strtol(p, (char **)&p, 10);
		}
		if (*p == '.') {
			p++;
			if (*p == '*') {
				prec = va_arg(ap, int);
				p++;
			} else {
				prec = (int)strtol(p, (char **)&p, 10);
			}
		}
		if ((p[0] == 'h' && p[1] == 'h') || (p[0] == 'l' && p[1] == 'l')) {
			memcpy(lenmod, p, 2);
			p += 2;
		} else if (*p && strchr("hlzjtL", *p)) {
			lenmod[0] = *p++;
		}
		conv = *p ? *p++ : '\0';
		if (conv == 's' || conv == 'c') {
			struct strbuf e;
			char c[2] = { 0, 0 };
			const char *v;
			size_t cols;

			if (conv == 'c') {
				c[0] = (char)va_arg(ap, int);
				v = c;
			} else {
				v = va_arg(ap, const char *);
			}
			sb_init(&e);
			if (conv == 'c' && !c[0])
				sb_adds(&e, "\\x00");
			else
				sb_add_escaped(&e, v ? v : "(null)", prec >= 0 ? (size_t)prec : (size_t)-1);
			cols = columns(e.buf ? e.buf : "", e.len);
			for (size_t k = cols; !left && width > 0 && k < (size_t)width; k++)
				sb_addc(&sb, ' ');
			sb_addn(&sb, e.buf ? e.buf : "", e.len);
			for (size_t k = cols; left && width > 0 && k < (size_t)width; k++)
				sb_addc(&sb, ' ');
			sb_release(&e);
			continue;
		}
		/* A number: the same conversion, with * resolved, through snprintf. */
		{
			int n = snprintf(spec, sizeof(spec), "%%%.*s", (int)nflags, flags);

			if (width >= 0)
				n += snprintf(spec + n, sizeof(spec) - n, "%d", width);
			if (prec >= 0)
				n += snprintf(spec + n, sizeof(spec) - n, ".%d", prec);
			snprintf(spec + n, sizeof(spec) - n, "%s%c", lenmod, conv);
		}
		switch (conv) {
		case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
			if (!strcmp(lenmod, "ll") || lenmod[0] == 'j')
				sb_addf(&sb, spec, va_arg(ap, long long));
			else if (lenmod[0] == 'l' || lenmod[0] == 'z' || lenmod[0] == 't')
				sb_addf(&sb, spec, va_arg(ap, long));
			else
				sb_addf(&sb, spec, va_arg(ap, int));
			break;
		case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
			if (lenmod[0] == 'L')
				sb_addf(&sb, spec, va_arg(ap, long double));
			else
				sb_addf(&sb, spec, va_arg(ap, double));
			break;
		case 'p':
			sb_addf(&sb, spec, va_arg(ap, void *));
			break;
		default:
			/* not a conversion we use: shown as written */
			sb_addn(&sb, start, (size_t)(p - start));
		}
	}
	return sb_detach(&sb);
}

void esc_vfprintf(FILE *fp, const char *fmt, va_list ap)
{
	char *s = esc_vasprintf(fmt, ap);

	fputs(s, fp);
	free(s);
}

void esc_fprintf(FILE *fp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	esc_vfprintf(fp, fmt, ap);
	va_end(ap);
}

/* FNV-1a: short keys, no adversary that matters (the input is the user's own). */
static size_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 32));
}

static struct strmap_slot *strmap_find(const struct strmap *m, const char *key)
{
	size_t i = str_hash(key) & (m->cap - 1);

	while (m->slot[i].key && strcmp(m->slot[i].key, key))
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

size_t *strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_slot *s;

	if (!m->cap)
		return NULL;
	s = strmap_find(m, key);
	return s->key ? &s->val : NULL;
}

size_t *strmap_put(struct strmap *m, const char *key, size_t val, bool *added)
{
	struct strmap_slot *s;

	/* Keep the load under a half: probes stay short. */
	if (2 * (m->n + 1) > m->cap) {
		struct strmap old = *m;

		m->cap = old.cap ? old.cap * 2 : 16;
		m->slot = xcalloc(m->cap, sizeof(*m->slot));
		for (size_t i = 0; i < old.cap; i++)
			if (old.slot[i].key)
				*strmap_find(m, old.slot[i].key) = old.slot[i];
		free(old.slot);
	}
	s = strmap_find(m, key);
	if (added)
		*added = !s->key;
	if (!s->key) {
		s->key = key;
		s->val = val;
		m->n++;
	}
	return &s->val;
}

void strmap_free(struct strmap *m)
{
	free(m->slot);
	memset(m, 0, sizeof(*m));
}

void nvd_warnx(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", nvd_progname);
	va_start(ap, fmt);
	esc_vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

bool streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

bool str_startswith(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

int read_u64_file(const char *path, uint64_t *v)
{
	char *s, *end;
	size_t len;
	int r = read_all(path, 4096, &s, &len);

	if (r < 0)
		return r;
	errno = 0;
	*v = strtoull(s, &end, 0);
	r = (end == s || errno) ? -EINVAL : 0;
	free(s);
	return r;
}

int read_all(const char *path, size_t max, char **out, size_t *len)
{
	struct strbuf sb;
	char chunk[65536];
	struct stat st;
	int fd, err = 0;

	if (streq(path, "-"))
		fd = STDIN_FILENO;
	else
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto out;
	}
	/* O_NONBLOCK only kept a FIFO without writer from hanging open(). */
	if (fd != STDIN_FILENO)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	sb_init(&sb);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		if (sb.len + (size_t)n > max) {
			err = -EFBIG;
			break;
		}
		sb_addn(&sb, chunk, n);
	}
	if (err) {
		sb_release(&sb);
	} else {
		*len = sb.len;
		*out = sb_detach(&sb);
	}
out:
	if (fd != STDIN_FILENO)
		close(fd);
	return err;
}
