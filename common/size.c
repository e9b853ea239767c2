// SPDX-License-Identifier: GPL-2.0-or-later
#include "size.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
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

/* Digits in base 10 or 16 with overflow detection; no sign, no spaces. */
static int parse_u64(const char *s, int base, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	for (;; p++) {
		int d;

		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (p == s)
		return -EINVAL;
	*end = p;
	*out = v;
	return 0;
}

int size_parse_unit(const char *s, uint64_t default_unit, uint64_t *out)
{
	const char *p = s, *end;
	uint64_t val, frac = 0, mul;
	unsigned __int128 total;
	int err;

	/* strtoull() would skip leading white space; QEMU inherits that. */
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-')
		return -EINVAL;
	if (*p == '+')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		err = parse_u64(p + 2, 16, &end, &val);
		if (err)
			return err;
		if (*end)
			return -EINVAL;
		*out = val;
		return 0;
	}
	err = parse_u64(p, 10, &end, &val);
	if (err)
		return err;
	p = end;
	if (*p == '.') {
		/* The fraction, as a 0.64 fixed-point number, like QEMU. */
		const char *f = p;
		double d;
		char *dend;

		p++;
		while (isdigit((unsigned char)*p))
			p++;
		if (p == f + 1)
			return -EINVAL;
		d = strtod(f, &dend);
		if (dend != p)
			return -EINVAL;
		/*
		 * QEMU 8.1 on: a fraction that rounds to 1.0 (".99999999999999999999")
		 * carries into the integer part; one too small for a 0.64 fraction
		 * (or that strtod() underflows) counts as the smallest one, so "1.000...1"
		 * without a suffix is still refused. (7.2's conversion of 1.0 to the
		 * fraction is undefined behaviour in C.)
		 */
		if (d >= 1.0) {
			if (val == UINT64_MAX)
				return -ERANGE;
			val++;
		} else if (strspn(f + 1, "0") < (size_t)(p - f - 1)) {
			frac = (uint64_t)ldexp(d, 64);
			if (!frac)
				frac = 1;
		}
	}
	mul = *p ? suffix_mul(*p) : 0;
	if (mul)
		p++;
	else
		mul = default_unit;
	if (*p)
		return -EINVAL;
	if (mul == 1) {
		if (frac)
			return -EINVAL;
		*out = val;
		return 0;
	}
	total = (unsigned __int128)val * mul;
	/* Add the fraction times mul, rounding half up. */
	{
		unsigned __int128 f = (unsigned __int128)frac * mul;

		total += f >> 64;
		total += (f >> 63) & 1;
	}
	if (total > UINT64_MAX)
		return -ERANGE;
	*out = (uint64_t)total;
	return 0;
}

int size_parse(const char *s, uint64_t *out)
{
	return size_parse_unit(s, 1, out);
}

char *size_to_str(uint64_t v)
{
	static const char *const sfx[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
	int i;

	frexp(v / (1000.0 / 1024.0), &i);
	i = (i - 1) / 10;
	if (i < 0)
		i = 0;
	return xasprintf("%0.3g %sB", (double)v / (double)(1ULL << (i * 10)), sfx[i]);
}

char *size_human(uint64_t v)
{
	static const char *const sfx[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	int i = 0;

	while (i < 6 && v >= (1ULL << ((i + 1) * 10)))
		i++;
	if (i == 0)
		return xasprintf("%llu B", (unsigned long long)v);
	/* Exact when it can be: 1023.88 MiB must not read as "1 GiB". */
	for (int k = i; k > 0; k--)
		if (v % (1ULL << (k * 10)) == 0 && (v >> (k * 10)) < 100000)
			return xasprintf("%llu %s", (unsigned long long)(v >> (k * 10)), sfx[k]);
	if (i > 2)
		i = 2;
	return xasprintf("%.2f %s", (double)v / (double)(1ULL << (i * 10)), sfx[i]);
}
