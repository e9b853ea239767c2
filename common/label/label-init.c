// SPDX-License-Identifier: GPL-2.0-or-later
/* A fresh label area as `ndctl init-labels` writes it. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "label.h"
#include "util.h"

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/*
 * An index block of the other label size (an earlier init with the other
 * version) outside the new blocks would still pass the kernel's other trial.
 */
static void clear_stale_index(uint8_t *buf, uint64_t size, uint64_t s_new)
{
	for (unsigned l = 128; l <= 256; l *= 2) {
		struct label_geom g;

		if (label_geometry(size, l, &g) < 0)
			continue;
		for (int i = 0; i < 2; i++) {
			uint64_t off = i * g.index_size;

			if (off >= 2 * s_new && !memcmp(buf + off, NSINDEX_SIG, NSINDEX_SIG_LEN))
				memset(buf + off, 0, g.index_size);
		}
	}
}

int label_version_parse(const char *s, unsigned *major, unsigned *minor)
{
	const char *v = s + (s[0] == 'v');

	if (!streq(v, "1.1") && !streq(v, "1.2") && !streq(v, "2.1"))
		return -EINVAL;
	*major = (unsigned)(v[0] - '0');
	*minor = (unsigned)(v[2] - '0');
	return 0;
}

void label_init_default_version(enum label_format f, unsigned *major, unsigned *minor)
{
	*major = 1;
	*minor = f == LABEL_FMT_CXL ? 2 : 1;
}

int label_init_build(uint8_t *buf, uint64_t size, unsigned major, unsigned minor,
		     struct label_geom *g)
{
	bool big = major >= 2 || minor >= 2;	/* 256-byte labels: v1.2, CXL 2.0's v2.1 */
	int err = label_geometry(size, big ? 256 : 128, g);
	uint64_t s = g->index_size, nbits;

	if (err)
		return err;
	/* ndctl sets ALIGN(nslot, 64) bits; it never clears the tail. */
	nbits = ALIGN_UP((uint64_t)g->nslot, 64);
	for (int i = 0; i < 2; i++) {
		uint8_t *p = buf + i * s;

		memset(p, 0, s);
		memcpy(p + NSI_SIG, NSINDEX_SIG, NSINDEX_SIG_LEN);
		p[NSI_LABELSIZE] = big ? 1 : 0;
		put32(p + NSI_SEQ, i == 0 ? 3 : 2);
		put64(p + NSI_MYOFF, i * s);
		put64(p + NSI_MYSIZE, s);
		put64(p + NSI_OTHEROFF, (1 - i) * s);
		put64(p + NSI_LABELOFF, 2 * s);
		put32(p + NSI_NSLOT, g->nslot);
		p[NSI_MAJOR] = (uint8_t)major;
		p[NSI_MINOR] = (uint8_t)minor;
		for (uint64_t b = 0; b < nbits && NSI_FREE + b / 8 < s; b++)
			p[NSI_FREE + b / 8] |= (uint8_t)(1u << (b % 8));
		put64(p + NSI_CHECKSUM, label_fletcher64(p, s));
	}
	clear_stale_index(buf, size, s);
	return 0;
}
