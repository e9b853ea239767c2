// SPDX-License-Identifier: GPL-2.0-or-later
/* Sizes with QEMU's qemu_strtosz() semantics, and size_to_str(). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "size.h"
#include "unit.h"
#include "util.h"

static uint64_t sz(const char *s, int *err)
{
	uint64_t v = 0;

	*err = size_parse(s, &v);
	return v;
}

static int str_is(char *got, const char *want)
{
	int ok = !strcmp(got, want);

	if (!ok)
		fprintf(stderr, "got '%s', want '%s'\n", got, want);
	free(got);
	return ok;
}

int main(void)
{
	int err;
	uint64_t v;

	CHECK(sz("0", &err) == 0 && !err);
	CHECK(sz("4096", &err) == 4096 && !err);
	CHECK(sz("128K", &err) == 131072 && !err);
	CHECK(sz("128k", &err) == 131072 && !err);
	CHECK(sz("1G", &err) == 1ULL << 30 && !err);
	CHECK(sz("1g", &err) == 1ULL << 30 && !err);
	CHECK(sz("2T", &err) == 2ULL << 40 && !err);
	CHECK(sz("1P", &err) == 1ULL << 50 && !err);
	CHECK(sz("15E", &err) == 15ULL << 60 && !err);
	CHECK(sz("12B", &err) == 12 && !err);
	CHECK(sz("1.5G", &err) == 3ULL << 29 && !err);
	CHECK(sz("0.5K", &err) == 512 && !err);
	CHECK(sz("1048577K", &err) == 1048577ULL * 1024 && !err);
	CHECK(sz("0x1000", &err) == 4096 && !err);
	/* A fraction needs a scaling suffix; hex takes none. */
	sz("1.5", &err);
	CHECK(err == -EINVAL);
	sz("1.5B", &err);
	CHECK(err == -EINVAL);
	sz("0x10M", &err);
	CHECK(err == -EINVAL);
	sz("", &err);
	CHECK(err == -EINVAL);
	/* Negative: malformed for our own options (QEMU 8.0 on: out of range, below). */
	sz("-1", &err);
	CHECK(err == -EINVAL);
	sz("-1G", &err);
	CHECK(err == -EINVAL);
	sz("1X", &err);
	CHECK(err == -EINVAL);
	sz("1GG", &err);
	CHECK(err == -EINVAL);
	sz("16E", &err);
	CHECK(err == -ERANGE);
	sz("18446744073709551616", &err);
	CHECK(err == -ERANGE);
	CHECK(sz("18446744073709551615", &err) == UINT64_MAX && !err);
	/* Fractions at the edges (QEMU 8.1 on): one that rounds to 1.0 carries, found by fuzzing. */
	CHECK(sz("0.99999999999999999999K", &err) == 1024 && !err);
	CHECK(sz("1.99999999999999999999G", &err) == 2 * GiB && !err);
	sz("15.99999999999999999999E", &err);
	CHECK(err == -ERANGE);
	CHECK(sz("1.00K", &err) == 1024 && !err);
	CHECK(sz("1.000B", &err) == 1 && !err);
	/* a fraction too small for 64 bits still is one: no suffix, refused */
	sz("1.00000000000000000000000000000000000001", &err);
	CHECK(err == -EINVAL);
	CHECK(sz("1.00000000000000000000000000000000000001K", &err) == 1024 && !err);
	/* -m: a bare number is MiB. */
	CHECK(size_parse_unit("512", MiB, &v) == 0 && v == 512 * MiB);
	CHECK(size_parse_unit("1.5", MiB, &v) == 0 && v == 3 * MiB / 2);
	CHECK(size_parse_unit("2G", MiB, &v) == 0 && v == 2 * GiB);

	/* Per release: the forms checked against real QEMU 7.2 and 10.0 (t/qemu/cases/num-*). */
	{
		static const struct {
			const char *text;
			int r72;
			uint64_t v72;
			bool hex72;
			int r100;
			uint64_t v100;
		} forms[] = {
			{ "0x400M", 0, 1ULL << 30, true, -EINVAL, 0 },
			{ "0X10k", 0, 16 * KiB, true, -EINVAL, 0 },
			{ "0x400", 0, 0x400, false, 0, 0x400 },
			{ " +0x10", 0, 16, false, 0, 16 },
			{ "00x10", -EINVAL, 0, false, -EINVAL, 0 },
			{ "0x", -EINVAL, 0, false, -EINVAL, 0 },
			{ "0x1.8G", -EINVAL, 0, false, -EINVAL, 0 },
			{ "0x10000000000000000", -ERANGE, 0, false, -ERANGE, 0 },
			{ "0x100000000000000M", -ERANGE, 0, true, -EINVAL, 0 },
			{ "1.", 0, 1, false, 0, 1 },
			{ "1.G", 0, GiB, false, 0, GiB },
			{ "1..G", -EINVAL, 0, false, -EINVAL, 0 },
			{ ".5G", -EINVAL, 0, false, 0, GiB / 2 },
			{ " .5G", -EINVAL, 0, false, 0, GiB / 2 },
			{ ".", -EINVAL, 0, false, -EINVAL, 0 },
			{ ".G", -EINVAL, 0, false, -EINVAL, 0 },
			{ ".5", -EINVAL, 0, false, -EINVAL, 0 },
			{ "-.5", -EINVAL, 0, false, -ERANGE, 0 },
			{ "-1", -EINVAL, 0, false, -ERANGE, 0 },
			{ "-0", -EINVAL, 0, false, -ERANGE, 0 },
			{ "-1G", -EINVAL, 0, false, -EINVAL, 0 },
			{ "1e3", -EINVAL, 0, false, -EINVAL, 0 },
			{ "1.5e3M", -EINVAL, 0, false, -EINVAL, 0 },
			{ "1.5e", 0, 3ULL << 59, false, 0, 3ULL << 59 },
			{ "0100", 0, 100, false, 0, 100 },
			{ "99999999999999999999K", -EINVAL, 0, false, -EINVAL, 0 },
			{ "0.0005K", 0, 1, false, 0, 1 },
			{ "1.0000000000000000000001", 0, 1, false, -EINVAL, 0 },
			{ "0.99999999999999999999M", 0, 0, false, 0, MiB },
		};

		for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
			uint64_t v72 = 0, v100 = 0;
			bool hex = false;
			int r72 = size_parse_qemu(forms[i].text, 702, 1, &v72, &hex);
			int r100 = size_parse_qemu(forms[i].text, 1000, 1, &v100, NULL);
			int ok = r72 == forms[i].r72 && hex == forms[i].hex72 && r100 == forms[i].r100 &&
				 (r72 || v72 == forms[i].v72) && (r100 || v100 == forms[i].v100);

			if (!ok)
				fprintf(stderr, "'%s': 7.2 %d %llu hex %d, 10.0 %d %llu\n", forms[i].text,
					r72, (unsigned long long)v72, hex, r100, (unsigned long long)v100);
			CHECK(ok);
		}
	}

	CHECK(str_is(size_to_str(4096), "4 KiB"));
	CHECK(str_is(size_to_str(2 * MiB), "2 MiB"));
	CHECK(str_is(size_to_str(GiB), "1 GiB"));
	CHECK(str_is(size_to_str(1000 * KiB), "0.977 MiB"));
	CHECK(str_is(size_to_str(512), "512 B"));
	/* QEMU's unit changes where the value reaches 1000 of the smaller one */
	CHECK(str_is(size_to_str(0), "0 B"));
	CHECK(str_is(size_to_str(999), "999 B"));
	CHECK(str_is(size_to_str(1000), "0.977 KiB"));
	CHECK(str_is(size_to_str(999 * MiB), "999 MiB"));
	CHECK(str_is(size_to_str(UINT64_MAX), "16 EiB"));
	CHECK(str_is(size_human(GiB - 128 * KiB), "1048448 KiB"));
	CHECK(str_is(size_human(4 * GiB - 128 * KiB), "4194176 KiB"));
	CHECK(str_is(size_human(GiB + 2), "1073741826 B"));
	CHECK(str_is(size_human(63995699ULL * KiB + 512), "65531596288 B"));
	CHECK(str_is(size_human(0), "0 B"));
	CHECK(str_is(size_human(128 * KiB), "128 KiB"));
	CHECK(str_is(size_human(3 * GiB / 2), "1536 MiB"));
	UNIT_DONE();
}
