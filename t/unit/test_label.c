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
		CHECK(label_init_build(buf, 128 * KiB, 1, vec[i].minor, &g) == 0);
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
	/*
	 * CXL: Linux 6.1's region cookie, fletcher64 of (DPA offset, serial): the guest's
	 * ndctl showed iset_id 8589934593 for sn=0x1 at DPA 0 (t/guest/cxl.bats); no serial: 0.
	 */
	CHECK(label_cxl_cookie(0, 1) == 8589934593ULL);
	CHECK(label_cxl_cookie(0, 0) == 0);
	CHECK(label_cxl_cookie(0x10000000, 0) == ((uint64_t)0x40000000 << 32 | 0x10000000));
	/* The layouts by their type UUID (raw bytes), 256-byte labels only. */
	{
		uint8_t lab[256] = { 0x68, 0xbb, 0x2c, 0x0a, 0x5a, 0x77, 0x49, 0x37,
				     0x9f, 0x85, 0x3c, 0xaf, 0x41, 0xa0, 0xf9, 0x3c };

		CHECK(label_layout_of(lab, 256) == LAYOUT_CXL_NS);
		CHECK(label_layout_of(lab, 128) == LAYOUT_NVDIMM);
		memcpy(lab, (const uint8_t[16]){ 0x52, 0x9d, 0x7c, 0x61, 0xda, 0x07, 0x47, 0xc4,
						 0xa9, 0x3f, 0xec, 0xdf, 0x2c, 0x06, 0xf4, 0x44 }, 16);
		CHECK(label_layout_of(lab, 256) == LAYOUT_CXL_REGION);
		lab[15] ^= 1;
		CHECK(label_layout_of(lab, 256) == LAYOUT_NVDIMM);
	}
	/* The CXL 2.0 index (v2.1): 256-byte labels, read by the v1.2 rules, detected as CXL. */
	{
		struct label_area a;

		memset(buf, 0, 128 * KiB);
		CHECK(label_init_build(buf, 128 * KiB, 2, 1, &g) == 0);
		CHECK(g.label_size == 256 && g.nslot == 510);
		CHECK(buf[NSI_MAJOR] == 2 && buf[NSI_MINOR] == 1 && buf[NSI_LABELSIZE] == 1);
		label_area_parse(&a, buf, 128 * KiB, 0, false);
		CHECK(a.current == 0 && a.format == LABEL_FMT_CXL && a.findings.n == 0);
		label_area_free(&a);
		label_area_parse_fmt(&a, buf, 128 * KiB, 0, false, LABEL_FMT_NVDIMM, NULL);
		CHECK(a.current == 0 && a.format == LABEL_FMT_NVDIMM);
		label_area_free(&a);
		/* v1.2 blocks: an NVDIMM area unless told */
		CHECK(label_init_build(buf, 128 * KiB, 1, 2, &g) == 0);
		label_area_parse(&a, buf, 128 * KiB, 0, false);
		CHECK(a.format == LABEL_FMT_NVDIMM);
		label_area_free(&a);
	}
	free(buf);
	UNIT_DONE();
}
