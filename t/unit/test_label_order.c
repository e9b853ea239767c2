// SPDX-License-Identifier: GPL-2.0-or-later
/* label_order_plan: the write order found for init, zero and an in-place change. */
#include <stdlib.h>
#include <string.h>

#include "label.h"
#include "unit.h"
#include "util.h"

/* Mark slot k in use in the index block at p (size s) and fix its checksum. */
static void busy(uint8_t *p, uint64_t s, unsigned k)
{
	uint64_t sum;

	p[NSI_FREE + k / 8] &= (uint8_t)~(1u << (k % 8));
	memset(p + NSI_CHECKSUM, 0, 8);
	sum = label_fletcher64(p, s);
	for (int i = 0; i < 8; i++)
		p[NSI_CHECKSUM + i] = (uint8_t)(sum >> (8 * i));
}

/* Which step writes byte i, or -1. */
static int step_of(const struct label_order *o, uint64_t i)
{
	return o->step[i] == LABEL_STEP_NONE ? -1 : o->step[i];
}

int main(void)
{
	const uint64_t size = 256 * KiB;
	uint8_t *old = xcalloc(1, size), *new = xcalloc(1, size);
	struct label_order o;
	struct label_geom g;

	/* init of a zeroed 128K area: two steps, index block 1 first, the labels untouched */
	CHECK(label_init_build(new, 128 * KiB, 1, 1, &g) == 0);
	CHECK(label_order_plan(&o, old, new, 128 * KiB) == 0);
	CHECK(o.nsteps == 2 && o.from[0] == 256 && o.to[0] <= 512 && o.from[1] == 0);
	CHECK(step_of(&o, 600) == -1);
	label_order_free(&o);

	/*
	 * zero of a 256K v1.1 area (512-byte index blocks), index 0 current with a
	 * label in slot 0: block 1 at 512 first (not the 256-byte geometry's block at
	 * 256, which is the tail of the current block), the label last.
	 */
	memset(new, 0, size);
	CHECK(label_init_build(old, size, 1, 1, &g) == 0 && g.index_size == 512);
	memset(old + 1024, 0x5a, 128);
	old[1024 + NSL_SLOT] = 0;
	old[1024 + NSL_SLOT + 1] = old[1024 + NSL_SLOT + 2] = old[1024 + NSL_SLOT + 3] = 0;
	busy(old, 512, 0);
	CHECK(label_order_plan(&o, old, new, size) == 0);
	CHECK(o.nsteps >= 3);
	CHECK(o.from[0] >= 512 && o.to[0] <= 1024);
	CHECK(step_of(&o, 1024) == (int)o.nsteps - 1);
	CHECK(step_of(&o, 0) > 0 && step_of(&o, 300) > 0);
	label_order_free(&o);

	/* one label in use changed in place: a single write, old then new */
	memcpy(new, old, size);
	new[1024 + NSL_NAME] = 'x';
	CHECK(label_order_plan(&o, old, new, size) == 0 && o.nsteps == 1);
	label_order_free(&o);
	/*
	 * and a new label in slot 1 that the new index uses: the changed label is
	 * seen through the old index, or the new index with the old label: no order
	 */
	memcpy(new + 1024 + 128, new + 1024, 128);
	new[1024 + 128 + NSL_SLOT] = 1;
	busy(new, 512, 1);
	CHECK(label_order_plan(&o, old, new, size) < 0);
	CHECK(o.nsteps == 3 && o.tried >= 3);
	label_order_free(&o);

	/* nothing to change: no step */
	CHECK(label_order_plan(&o, old, old, size) == 0 && o.nsteps == 0);
	label_order_free(&o);
	free(old);
	free(new);
	UNIT_DONE();
}
