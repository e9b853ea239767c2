// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A crash-safe order for replacing a label area, found by trying it on the
 * kernel model: every state a crash can leave (each step done or not, in
 * order) must read as the old area or the new one. A fixed order cannot do
 * it for every geometry: an area's index blocks are 256, 512 or more bytes
 * depending on its size and label size, the kernel's other trial (128- or
 * 256-byte labels) finds blocks at other offsets, and init or write can
 * change the geometry.
 */
#include <stdlib.h>
#include <string.h>

#include "label.h"
#include "util.h"

/* What the kernel makes of an area: the part a guest would see. */
struct view {
	bool index;
	unsigned l;
	uint32_t nslot;
	uint64_t s;
	uint32_t *slots;	/* in use in the current index, ascending */
	size_t n;
	const uint8_t *buf;
};

static void view_get(struct view *v, const uint8_t *buf, uint64_t size)
{
	struct label_area a;

	memset(v, 0, sizeof(*v));
	v->buf = buf;
	label_area_parse(&a, buf, size, 0, false);
	if (a.current >= 0) {
		v->index = true;
		v->l = a.geom.label_size;
		v->s = a.geom.index_size;
		v->nslot = a.index[a.current].nslot;
		v->slots = xcalloc(a.nlabels + 1, sizeof(*v->slots));
		/* Without all_slots, the labels listed are those in use. */
		for (size_t i = 0; i < a.nlabels; i++)
			v->slots[v->n++] = a.labels[i].slot;
	}
	label_area_free(&a);
}

static bool view_equal(const struct view *a, const struct view *b)
{
	if (a->index != b->index)
		return false;
	if (!a->index)
		return true;
	if (a->l != b->l || a->nslot != b->nslot || a->s != b->s || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		uint64_t off = 2 * a->s + (uint64_t)a->slots[i] * a->l;

		if (a->slots[i] != b->slots[i] || memcmp(a->buf + off, b->buf + off, a->l))
			return false;
	}
	return true;
}

/* Mark the bytes of the slots a view uses. */
static void view_mark(const struct view *v, uint8_t *mark)
{
	for (size_t i = 0; v->index && i < v->n; i++)
		memset(mark + 2 * v->s + (uint64_t)v->slots[i] * v->l, 1, v->l);
}

/* A group of changed bytes: same index blocks, same use in old and new. */
struct group {
	unsigned key;
	uint64_t first, last;	/* first and last byte */
	int rank;		/* the kernel's order: lower first */
};

struct search {
	const uint8_t *old, *new;
	uint8_t *state, *key;
	uint64_t size;
	struct view vold, vnew;
	struct group *g;
	unsigned n, order[LABEL_STEPS_MAX];
	bool used[LABEL_STEPS_MAX];
	unsigned tried, budget;
};

static void group_apply(struct search *se, const struct group *g, const uint8_t *from)
{
	for (uint64_t i = g->first; i <= g->last; i++)
		if (se->key[i] == g->key)
			se->state[i] = from[i];
}

static bool state_ok(struct search *se)
{
	struct view v;
	bool ok;

	se->tried++;
	view_get(&v, se->state, se->size);
	ok = view_equal(&v, &se->vold) || view_equal(&v, &se->vnew);
	free(v.slots);
	return ok;
}

/* Depth-first over the groups in the preferred order, pruned at the first bad state. */
static bool search(struct search *se, unsigned depth)
{
	if (depth == se->n)
		return true;
	for (unsigned i = 0; i < se->n && se->tried < se->budget; i++) {
		if (se->used[i])
			continue;
		group_apply(se, &se->g[i], se->new);
		if (state_ok(se)) {
			se->used[i] = true;
			se->order[depth] = i;
			if (search(se, depth + 1))
				return true;
			se->used[i] = false;
		}
		group_apply(se, &se->g[i], se->old);
	}
	return false;
}

static int group_cmp(const void *x, const void *y)
{
	const struct group *a = x, *b = y;

	if (a->rank != b->rank)
		return a->rank - b->rank;
	/* Index blocks: the later one first (the one not current, mostly). */
	return a->first > b->first ? -1 : a->first < b->first;
}

enum { K_OLD_USED = 1 << 4, K_NEW_USED = 1 << 5, K_INDEX = 0xf };

int label_order_plan(struct label_order *o, const uint8_t *old, const uint8_t *new, uint64_t size)
{
	struct search se = { .old = old, .new = new, .size = size, .budget = 4096 };
	struct label_geom geo[2];
	bool have[2], found;
	uint8_t *oused = xcalloc(1, size), *nused = xcalloc(1, size);
	int slot_of[64];
	uint64_t cur_from = 0, cur_to = 0;

	memset(o, 0, sizeof(*o));
	o->step = xmalloc(size);
	memset(o->step, LABEL_STEP_NONE, size);
	for (int j = 0; j < 2; j++)
		have[j] = label_geometry(size, 128u << j, &geo[j]) == 0;
	view_get(&se.vold, old, size);
	view_get(&se.vnew, new, size);
	view_mark(&se.vold, oused);
	view_mark(&se.vnew, nused);
	if (se.vold.index) {
		struct label_area a;

		label_area_parse(&a, old, size, 0, false);
		cur_from = a.index[a.current].offset;
		cur_to = cur_from + a.geom.index_size;
		label_area_free(&a);
	}
	for (int k = 0; k < 64; k++)
		slot_of[k] = -1;
	se.key = o->step;	/* the keys first, the step numbers at the end */
	se.g = xcalloc(64, sizeof(*se.g));
	for (uint64_t i = 0; i < size; i++) {
		unsigned key = 0;
		struct group *g;

		if (old[i] == new[i])
			continue;
		for (int j = 0; j < 2; j++)
			if (have[j] && i < 2 * geo[j].index_size)
				key |= 1u << (2 * j + (i >= geo[j].index_size));
		key |= oused[i] ? K_OLD_USED : 0;
		key |= nused[i] ? K_NEW_USED : 0;
		se.key[i] = (uint8_t)key;
		if (slot_of[key] < 0) {
			slot_of[key] = (int)se.n;
			g = &se.g[se.n++];
			g->key = key;
			g->first = i;
			/* free label slots, index blocks, slots changed in place, slots freed */
			g->rank = key & K_INDEX ? 1 + (i >= cur_from && i < cur_to) :
				  !(key & K_OLD_USED) ? 0 : key & K_NEW_USED ? 3 : 4;
		}
		se.g[slot_of[key]].last = i;
	}
	qsort(se.g, se.n, sizeof(*se.g), group_cmp);
	se.state = xmalloc(size);
	memcpy(se.state, old, size);
	found = search(&se, 0);
	o->tried = se.tried;
	o->nsteps = se.n;
	for (unsigned k = 0; k < se.n; k++) {
		const struct group *g = &se.g[found ? se.order[k] : k];

		o->from[k] = g->first;
		o->to[k] = g->last + 1;
		slot_of[g->key] = (int)k;
	}
	for (uint64_t i = 0; i < size; i++)
		if (se.key[i] != LABEL_STEP_NONE)
			o->step[i] = (uint8_t)slot_of[se.key[i]];
	free(se.state);
	free(se.g);
	free(se.vold.slots);
	free(se.vnew.slots);
	free(oused);
	free(nused);
	return found ? 0 : -1;
}

void label_order_free(struct label_order *o)
{
	free(o->step);
	memset(o, 0, sizeof(*o));
}
