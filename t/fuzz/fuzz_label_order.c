// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the write order (label_order_plan) from arbitrary bytes to a
 * zeroed area, to a fresh init of it (v1.1 or v1.2), and to the input's
 * second half taken as the new area. Every changed byte must be in exactly
 * one step and inside that step's range; when an order is found, applying
 * its steps one by one must read, at every step, as the old area or the new
 * one (checked again here by label_area_parse, independently of the search).
 * The input is the start of an area of 128 KiB (the rest zero).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "label.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define AREA (128 * 1024)

/* The namespaces' uuids and names and the index's presence: what a guest sees, roughly. */
static uint64_t seen(const uint8_t *buf)
{
	struct label_area a;
	uint64_t h = 1469598103934665603ULL;

	label_area_parse(&a, buf, AREA, 0, false);
	h = (h ^ (uint64_t)(a.current >= 0)) * 1099511628211ULL;
	for (size_t i = 0; i < a.nns; i++)
		for (size_t j = 0; j < sizeof(a.ns[i].uuid); j++)
			h = (h ^ a.ns[i].uuid[j]) * 1099511628211ULL;
	label_area_free(&a);
	return h;
}

static void order_check(const uint8_t *old, const uint8_t *new)
{
	struct label_order o;
	uint8_t *cur;
	uint64_t h_old, h_new;
	int found = label_order_plan(&o, old, new, AREA) == 0;

	if (o.nsteps > LABEL_STEPS_MAX)
		abort();
	for (size_t i = 0; i < AREA; i++) {
		unsigned k = o.step[i];

		if (old[i] == new[i] ? k != LABEL_STEP_NONE
				     : k >= o.nsteps || i < o.from[k] || i >= o.to[k])
			abort();
	}
	if (found) {
		h_old = seen(old);
		h_new = seen(new);
		cur = malloc(AREA);
		memcpy(cur, old, AREA);
		for (unsigned k = 0; k < o.nsteps; k++) {
			uint64_t h;

			for (size_t i = o.from[k]; i < o.to[k]; i++)
				if (o.step[i] == k)
					cur[i] = new[i];
			h = seen(cur);
			if (h != h_old && h != h_new)
				abort();
		}
		if (memcmp(cur, new, AREA))
			abort();
		free(cur);
	}
	label_order_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *old = calloc(1, AREA), *new = calloc(1, AREA);
	size_t half = size / 2;
	struct label_geom g;

	memcpy(old, data, size < AREA ? size : AREA);
	order_check(old, new);
	memcpy(new, old, AREA);
	if (label_init_build(new, AREA, 1, size & 1 ? 2 : 1, &g) == 0)
		order_check(old, new);
	/* The first half of the input is the old area's start, the second the new one's. */
	memset(old, 0, AREA);
	memset(new, 0, AREA);
	memcpy(old, data, half < AREA ? half : AREA);
	memcpy(new, data + half, size - half < AREA ? size - half : AREA);
	order_check(old, new);
	free(old);
	free(new);
	return 0;
}
