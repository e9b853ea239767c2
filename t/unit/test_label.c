// SPDX-License-Identifier: GPL-2.0-or-later
/* The label area core: fletcher64 vectors, the kernel's sizing, sequence choice, init. */
#include <stdlib.h>
#include <string.h>

#include "label.h"
#include "unit.h"
#include "util.h"

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int main(void)
{
	static const struct {
		uint64_t size;
		unsigned l;
		uint32_t nslot;
		uint64_t s;
	} geo[] = {
		{ 1024, 128, 4, 256 },		{ 1024, 256, 2, 256 },
		{ 128 * KiB, 128, 1020, 256 },	{ 128 * KiB, 256, 510, 256 },
		{ 256 * KiB, 128, 2040, 512 },	{ 256 * KiB, 256, 1022, 256 },
		{ 512 * KiB, 128, 4084, 768 },	{ 512 * KiB, 256, 2044, 512 },
		{ 1 * MiB, 128, 8172, 1280 },	{ 1 * MiB, 256, 4090, 768 },
		{ 2 * MiB, 128, 16348, 2304 },	{ 2 * MiB, 256, 8182, 1280 },
	};
	static const struct {
		unsigned minor;
		uint64_t sum0, sum1;
	} vec[] = {
		{ 1, 0xeb634621d7313e0aULL, 0xeb6349e6d7313e09ULL },
		{ 2, 0x2793e3edd8323c1cULL, 0x2793e7b2d8323c1bULL },
	};
	struct label_geom g;
	uint8_t *buf;

	for (size_t i = 0; i < ARRAY_SIZE(geo); i++) {
		CHECK(label_geometry(geo[i].size, geo[i].l, &g) == 0);
		CHECK(g.nslot == geo[i].nslot && g.index_size == geo[i].s);
	}
	/* 130 KiB: odd sizes work; 512 bytes hold no labels. */
	CHECK(label_geometry(130 * KiB, 128, &g) == 0 && g.nslot == 1036 && g.index_size == 256);
	CHECK(label_geometry(130 * KiB, 256, &g) == 0 && g.nslot == 518);
	CHECK(label_geometry(512, 128, &g) < 0);
	CHECK(label_geometry(128 * KiB, 512, &g) < 0);

	CHECK(label_inc_seq(1) == 2 && label_inc_seq(2) == 3 && label_inc_seq(3) == 1 &&
	      label_inc_seq(0) == 0);
	CHECK(label_best_seq(3, 2) == 3 && label_best_seq(3, 1) == 1 && label_best_seq(2, 2) == 2);
	CHECK(label_best_seq(0, 2) == 2 && label_best_seq(2, 0) == 2 && label_best_seq(1, 3) == 1);
	CHECK(label_best_seq(7, 1) == 1);	/* 7 & 3 == 3 */

	buf = xcalloc(1, 128 * KiB);
	for (size_t i = 0; i < ARRAY_SIZE(vec); i++) {
		struct label_area a;

		memset(buf, 0, 128 * KiB);
		CHECK(label_init_build(buf, 128 * KiB, vec[i].minor, &g) == 0);
		CHECK(get64(buf + NSI_CHECKSUM) == vec[i].sum0);
		CHECK(get64(buf + 256 + NSI_CHECKSUM) == vec[i].sum1);
		label_area_parse(&a, buf, 128 * KiB, 0, false);
		CHECK(a.current == 0 && a.index[0].valid && a.index[1].valid);
		CHECK(a.findings.n == 0);
		label_area_free(&a);
	}
	/* The fletcher64 variant itself: words, sum of sums. */
	{
		const uint8_t w[8] = { 1, 0, 0, 0, 2, 0, 0, 0 };

		CHECK(label_fletcher64(w, 8) == ((uint64_t)(1 + 3) << 32 | 3));
	}
	free(buf);
	UNIT_DONE();
}
