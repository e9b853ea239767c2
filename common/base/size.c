// SPDX-License-Identifier: GPL-2.0-or-later
#include "size.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>		/* isfinite, signbit: macros; no libm function is called */
#include <stdlib.h>
#include <string.h>

#include "util.h"

static uint64_t suffix_mul(char c)
{
	switch (toupper((unsigned char)c)) {
	case 'B':
		return 1;
	case 'K':
		return 1ULL << 10;
	case 'M':
		return 1ULL << 20;
	case 'G':
		return 1ULL << 30;
	case 'T':
		return 1ULL << 40;
	case 'P':
		return 1ULL << 50;
	case 'E':
		return 1ULL << 60;
	}
	return 0;
}

/* vmconfig.h's QVER(), which this file does not include. */
#define V(maj, min) ((maj) * 100 + (min))
#define NEWEST V(99, 99)

/*
 * Digits in base 10 or 16 with overflow detection, as strtoull() takes them:
 * on overflow every digit is still consumed. -EINVAL without a digit.
 */
static int parse_u64(const char *s, int base, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	bool over = false;

	for (;; p++) {
		unsigned int d;

		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			over = true;
		v = v * base + d;
	}
	*end = p;
	if (p == s)
		return -EINVAL;
	*out = v;
	return over ? -ERANGE : 0;
}

/*
 * The fraction at f: QEMU 8.1 reads it with strtod() on the text cut at
 * the first 'e' or 'E' (so "1.5e" is 1.5 EiB); 7.2 reads it whole and
 * refuses an exponent, which comes to the same verdicts. Returns false
 * when there is no number at f.
 */
static bool parse_fraction(const char *f, const char **end, double *d)
{
	char *cut = xstrndup(f, strcspn(f, "eE")), *tail;

	errno = 0;
	*d = strtod(cut, &tail);
	*end = f + (tail - cut);
	free(cut);
	return tail != cut && isfinite(*d);
}

int size_parse_qemu(const char *s, int qver, uint64_t unit, uint64_t *out, bool *hex_suffix)
{
	const char *p = s, *end;
	uint64_t val = 0, frac = 0, mul;
	bool neg = false;
	double d;
	int err;

	if (hex_suffix)
		*hex_suffix = false;
	/* strtoull(): white space and one sign first. */
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	err = parse_u64(p, 10, &end, &val);
	if (err == -EINVAL) {
		/* 8.1 on: no integer part, but a '.' somewhere: strtod() on it all. */
		if (qver < V(8, 1) || !strchr(s, '.') || !parse_fraction(s, &end, &d))
			return -EINVAL;
		if (signbit(d))
			return *end ? -EINVAL : -ERANGE;
		val = 0;
		goto fraction;
	}
	if (neg) {
		if (qver < V(8, 0))
			return -EINVAL;
		return *end ? -EINVAL : -ERANGE;
	}
	if (err)
		return *end ? -EINVAL : err;
	if (val == 0 && (*end == 'x' || *end == 'X')) {
		/* Hex: "0x" right after the sign, then digits; no fraction. */
		if (end - p != 1)
			return -EINVAL;
		err = parse_u64(end + 1, 16, &end, &val);
		if (err == -EINVAL || *end == '.')
			return -EINVAL;
		if (err)
			return *end ? -EINVAL : err;
		mul = *end ? suffix_mul(*end) : 0;
		if (!mul) {
			mul = unit;
		} else {
			if (qver >= V(8, 0))
				return -EINVAL;
			if (hex_suffix)
				*hex_suffix = true;
			end++;
		}
		goto scale;
	}
	if (*end == '.') {
		const char *f = end;

		if (!isdigit((unsigned char)f[1])) {
			end = f + 1;	/* "1." and "1.G": an empty fraction */
		} else {
			parse_fraction(f, &end, &d);
fraction:
			if (d >= 1.0 && qver >= V(8, 1)) {
				/* ".99999999999999999999" rounds to 1.0: it carries. */
				if (val == UINT64_MAX)
					return *end ? -EINVAL : -ERANGE;
				val++;
			} else if (d < 1.0) {
				/* 0.64 fixed point; 8.1 on, never 0 for a non-zero fraction. */
				frac = (uint64_t)(d * 0x1p64);	/* exact: a power of two */
				if (!frac && d > 0 && qver >= V(8, 1))
					frac = 1;
			}
			/* 7.2 converts 1.0 to 0.64 fixed point as 0 (x86-64). */
		}
	}
	mul = *end ? suffix_mul(*end) : 0;
	if (mul)
		end++;
	else
		mul = unit;
	if (mul == 1 && frac)
		return -EINVAL;	/* a fraction of a byte */
scale:
	if (*end)
		return -EINVAL;
	{
		/* val * mul + frac * mul, rounding half up, as QEMU's 128-bit sums. */
		unsigned __int128 total = (unsigned __int128)val * mul;
		unsigned __int128 f = (unsigned __int128)frac * mul;

		total += f >> 64;
		total += (f >> 63) & 1;
		if (total > UINT64_MAX)
			return -ERANGE;
		*out = (uint64_t)total;
	}
	return 0;
}

int size_parse_unit(const char *s, uint64_t default_unit, uint64_t *out)
{
	int r = size_parse_qemu(s, NEWEST, default_unit, out, NULL);

	/* The tools' own options: a negative size is malformed, not "too large". */
	return r == -ERANGE && strchr(s, '-') ? -EINVAL : r;
}

int size_parse(const char *s, uint64_t *out)
{
	return size_parse_unit(s, 1, out);
}

/*
 * frexp()'s exponent of x >= 0: x = m * 2^e with m in [0.5, 1), 0 for 0. Halving
 * and doubling a double are exact, so this is frexp's answer without libm, which
 * the tools do not link (it is one more library to load at every start).
 */
static int binary_exponent(double x)
{
	int e = 0;

	if (x == 0)
		return 0;
	for (; x >= 1.0; e++)
		x /= 2;
	for (; x < 0.5; e--)
		x *= 2;
	return e;
}

char *size_to_str(uint64_t v)
{
	static const char *const sfx[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
	int i;

	i = binary_exponent(v / (1000.0 / 1024.0));
	i = (i - 1) / 10;
	if (i < 0)
		i = 0;
	return xasprintf("%0.3g %sB", (double)v / (double)(1ULL << (i * 10)), sfx[i]);
}

char *size_human(uint64_t v)
{
	static const char *const sfx[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

	/*
	 * Exact, always: the largest binary unit that divides it, else bytes.
	 * "4194176 KiB", never "4095.88 MiB"; "1073741826 B", never "1024.00 MiB".
	 */
	for (int k = 6; k > 0; k--)
		if (v && v % (1ULL << (k * 10)) == 0)
			return xasprintf("%llu %s", (unsigned long long)(v >> (k * 10)), sfx[k]);
	return xasprintf("%llu B", (unsigned long long)v);
}

const char *hsz(uint64_t v)
{
	static char ring[8][32];
	static unsigned int next;
	char *s = size_human(v), *slot = ring[next++ % 8];

	snprintf(slot, sizeof(ring[0]), "%s", s);
	free(s);
	return slot;
}
