/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by every nvd tool: allocation, strings, errors. */
#ifndef NVD_UTIL_H
#define NVD_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define TiB (1ULL << 40)

#define ALIGN_UP(x, a) ((((x) + (a) - 1) / (a)) * (a))
#define ALIGN_DOWN(x, a) (((x) / (a)) * (a))

/* Exit codes, the same in every tool (DESIGN.md, section 4). */
enum nvd_exit {
	NVD_EXIT_OK = 0,
	NVD_EXIT_FAIL = 1,
	NVD_EXIT_USAGE = 2,
	NVD_EXIT_ENV = 3,
};

extern const char *nvd_progname;

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/*
 * Make room for element n of an array grown one element at a time: the
 * array doubles when n is 0 or a power of two, so n appends cost O(n).
 */
void *xgrow(void *p, size_t n, size_t size);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* A growable string. */
struct strbuf {
	char *buf;
	size_t len, cap;
};
void sb_init(struct strbuf *sb);
void sb_addc(struct strbuf *sb, char c);
void sb_addn(struct strbuf *sb, const char *s, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sb_detach(struct strbuf *sb);
void sb_release(struct strbuf *sb);

/* A growable array of owned strings. */
struct strv {
	char **v;
	size_t n, cap;
};
void strv_push(struct strv *sv, char *owned);
void strv_free(struct strv *sv);

/*
 * A hash map from strings to indexes, for lookups that must stay O(1) on
 * configurations with 100k options. Keys are borrowed: each must outlive
 * the map and not change while it is in it.
 */
struct strmap {
	struct strmap_slot {
		const char *key;
		size_t val;
	} *slot;
	size_t n, cap;
};
/* The value stored for key, or NULL. */
size_t *strmap_get(const struct strmap *m, const char *key);
/* Add key -> val unless key is there; returns the stored value's place. */
size_t *strmap_put(struct strmap *m, const char *key, size_t val, bool *added);
void strmap_free(struct strmap *m);

/*
 * Text that came from a guest or a file (label names, mem-paths, sysfs and
 * mountinfo strings, file names) never reaches a terminal raw. Escaped for
 * text, as ls -b and lsblk do: control characters (C0, DEL, and C1 in
 * UTF-8) and bytes that are not valid UTF-8 become \xNN; valid UTF-8 stays.
 * Appends at most max bytes of s ((size_t)-1: all).
 */
void sb_add_escaped(struct strbuf *sb, const char *s, size_t max);
/*
 * The length of the valid UTF-8 sequence at s (at most max bytes), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF.
 */
size_t utf8_len(const unsigned char *s, size_t max);
/* The length of a control character at s: C0 and DEL 1, C1 (U+0080..U+009F) 2; else 0. */
size_t ctl_len(const char *s);
/* Valid UTF-8 for JSON and XML: each byte that is not becomes U+FFFD. */
void sb_add_utf8(struct strbuf *sb, const char *s);
/* A new string of s made valid UTF-8 (sb_add_utf8). */
char *utf8_valid(const char *s);
/*
 * printf whose %s (and %c) arguments are escaped with sb_add_escaped; the
 * format's own text is ours and is kept. Every message and text report
 * goes through it.
 */
char *esc_vasprintf(const char *fmt, va_list ap);
void esc_fprintf(FILE *fp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void esc_vfprintf(FILE *fp, const char *fmt, va_list ap);

/* "prog: message" on stderr, its %s arguments escaped. */
void nvd_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

bool is_pow2(uint64_t v);
bool streq(const char *a, const char *b);
bool str_startswith(const char *s, const char *prefix);

/*
 * Read a whole file (regular file, pipe, or stdin for "-") into memory, at
 * most max bytes. Returns 0, or -errno; -EFBIG when larger than max.
 */
int read_all(const char *path, size_t max, char **out, size_t *len);

/* A number alone in a small file (sysfs: "0x200000\n", "1073741824"): 0 or -errno. */
int read_u64_file(const char *path, uint64_t *v);

#endif
