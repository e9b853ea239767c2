// SPDX-License-Identifier: GPL-2.0-or-later
/* Text from guests and files, escaped for a terminal and made valid UTF-8 for JSON. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "unit.h"
#include "util.h"

static int str_is(char *got, const char *want)
{
	int ok = !strcmp(got, want);

	if (!ok)
		fprintf(stderr, "got '%s', want '%s'\n", got, want);
	free(got);
	return ok;
}

static char *esc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *esc(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = esc_vasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int main(void)
{
	/* ESC, BEL, newline, DEL, an invalid byte, C1 CSI: escaped; UTF-8 kept */
	CHECK(str_is(esc("%s", "a\033[31m\a\n\x7f\xff\xc2\x9b\xc3\xa9"),
		     "a\\x1b[31m\\x07\\x0a\\x7f\\xff\\xc2\\x9b\xc3\xa9"));
	/* overlong, surrogate, truncated and out-of-range sequences are bytes */
	CHECK(str_is(esc("%s", "\xc0\xaf|\xed\xa0\x80|\xe2\x82|\xf4\x90\x80\x80"),
		     "\\xc0\\xaf|\\xed\\xa0\\x80|\\xe2\\x82|\\xf4\\x90\\x80\\x80"));
	/* the format's own text is ours: kept, numbers as printf has them */
	CHECK(str_is(esc("x\ty %d %u %llx %zu %#llx %5.2f%%", -3, 7u, 255ULL, (size_t)9, 16ULL, 1.5),
		     "x\ty -3 7 ff 9 0x10  1.50%"));
	/* width, precision, star */
	CHECK(str_is(esc("[%-6s][%4s][%.2s][%*s][%.*s]", "ab", "c", "\033xyz", 3, "d", 1, "ef"),
		     "[ab    ][   c][\\x1bx][  d][e]"));
	CHECK(str_is(esc("%c%c", 'A', 7), "A\\x07"));
	/* JSON: invalid bytes become U+FFFD, the rest is kept */
	CHECK(str_is(utf8_valid("a\xff\033\xc3\xa9\xe2\x82"),
		     "a\xef\xbf\xbd\033\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd"));
	/* Prometheus: quote, backslash, newline escaped; other controls replaced */
	CHECK(str_is(prom_label_value("a\"b\\c\nd\033e\xff\xc2\x9b"),
		     "a\\\"b\\\\c\\nd\xef\xbf\xbd" "e\xef\xbf\xbd\xef\xbf\xbd"));
	UNIT_DONE();
}
