// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NFIT QEMU builds (hw/acpi/nvdimm.c): per NVDIMM a System Physical
 * Address range, a memory-device-to-SPA map and a control region, then the
 * platform capabilities when nvdimm-persistence is set.
 */
#include "nfit.h"

#include <stdlib.h>
#include <string.h>

#include "memdev.h"
#include "util.h"

/* Persistent memory: 66F0D379-B4F3-4074-AC43-0D3318B78CDB, as stored. */
static const uint8_t pm_guid[16] = { 0x79, 0xd3, 0xf0, 0x66, 0xf3, 0xb4, 0x74, 0x40,
				     0xac, 0x43, 0x0d, 0x33, 0x18, 0xb7, 0x8c, 0xdb };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

/* GLib's g_str_hash (djb2 over signed chars). */
static uint32_t g_str_hash(const char *s)
{
	uint32_t h = 5381;

	for (const signed char *p = (const signed char *)s; *p; p++)
		h = (h << 5) + h + (uint32_t)*p;
	return h;
}

/*
 * A GLib hash table as QEMU's object property tables use it (GLib 2.74 to
 * 2.84: open addressing, quadratic probing, bucket (hash * 11) % prime;
 * after each insert of a new key into an unused bucket the table grows when
 * size <= occupied + occupied / 16, to the power of two above nnodes * 1.333,
 * and its entries move in place: old buckets in index order, each entry put
 * at its new bucket, evicting whatever was there not yet moved).
 */
struct ghash {
	unsigned int shift;
	size_t size, nnodes, noccupied;
	uint32_t *hash;		/* 0 unused (no deletions here) */
	size_t *val;		/* 1 + the index of the name */
};

static const uint32_t ghash_prime_mod[] = { 1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021,
					    2039, 4093, 8191, 16381, 32749, 65521, 131071,
					    262139, 524287, 1048573, 2097143, 4194301,
					    8388593, 16777213, 33554393, 67108859,
					    134217689, 268435399, 536870909, 1073741789,
					    2147483647 };

static size_t ghash_index(const struct ghash *t, uint32_t h)
{
	return (size_t)((h * 11u) % ghash_prime_mod[t->shift]);
}

static void ghash_set_shift_from_size(struct ghash *t, size_t n)
{
	unsigned int shift = 0;

	while (n) {
		n >>= 1;
		shift++;
	}
	t->shift = shift < 3 ? 3 : shift;
	t->size = (size_t)1 << t->shift;
}

static void ghash_resize(struct ghash *t)
{
	size_t old_size = t->size, big;
	uint8_t *moved;

	ghash_set_shift_from_size(t, (size_t)((double)t->nnodes * 1.333));
	big = t->size > old_size ? t->size : old_size;
	t->hash = xrealloc(t->hash, big * sizeof(*t->hash));
	t->val = xrealloc(t->val, big * sizeof(*t->val));
	for (size_t i = old_size; i < big; i++) {
		t->hash[i] = 0;
		t->val[i] = 0;
	}
	moved = xcalloc(big, 1);
	for (size_t i = 0; i < old_size; i++) {
		uint32_t h = t->hash[i];
		size_t v = t->val[i];

		if (!h || moved[i])
			continue;
		t->hash[i] = 0;
		t->val[i] = 0;
		for (;;) {
			size_t idx = ghash_index(t, h), step = 0;
			uint32_t rh;
			size_t rv;

			while (moved[idx]) {
				step++;
				idx = (idx + step) & (t->size - 1);
			}
			moved[idx] = 1;
			rh = t->hash[idx];
			rv = t->val[idx];
			t->hash[idx] = h;
			t->val[idx] = v;
			if (!rh)
				break;
			h = rh;
			v = rv;
		}
	}
	free(moved);
	t->noccupied = t->nnodes;
}

static void ghash_insert(struct ghash *t, const char *const *names, size_t i)
{
	uint32_t h = g_str_hash(names[i]);
	size_t idx, step = 0;

	if (h < 2)
		h = 2;	/* 0 and 1 mark unused and deleted buckets */
	idx = ghash_index(t, h);
	while (t->hash[idx]) {
		if (t->hash[idx] == h && streq(names[t->val[idx] - 1], names[i]))
			return;	/* QEMU refuses a duplicate id before this */
		step++;
		idx = (idx + step) & (t->size - 1);
	}
	t->hash[idx] = h;
	t->val[idx] = i + 1;
	t->nnodes++;
	t->noccupied++;
	if (t->size <= t->noccupied + t->noccupied / 16)
		ghash_resize(t);
}

/* The iteration order of such a table holding names[0..n) inserted in that order. */
static void ghash_order(const char *const *names, size_t n, size_t *order)
{
	struct ghash t = { 0 };

	ghash_set_shift_from_size(&t, 0);
	t.hash = xcalloc(t.size, sizeof(*t.hash));
	t.val = xcalloc(t.size, sizeof(*t.val));
	for (size_t i = 0; i < n; i++)
		ghash_insert(&t, names, i);
	for (size_t i = 0, k = 0; i < t.size; i++)
		if (t.hash[i])
			order[k++] = t.val[i] - 1;
	free(t.hash);
	free(t.val);
}

/*
 * Devices with an id live in /machine/peripheral, the others in
 * /machine/peripheral-anon as "device[N]". Which container QEMU walks first
 * depends on the machine's own property table; the guest tests show
 * peripheral first for pc and q35 (QEMU 7.2, GLib 2.74).
 */
const struct memdev **nfit_dimm_order(const struct vm *vm)
{
	const struct memdev **out = xcalloc(vm->nmemdevs + 1, sizeof(*out));
	const char **names = xcalloc(vm->device_ids.n + vm->anon_devices + 1, sizeof(*names));
	size_t *order = xcalloc(vm->device_ids.n + vm->anon_devices + 1, sizeof(*order));
	size_t n = 0;

	for (int pass = 0; pass < 2; pass++) {
		bool anon = pass == 1;
		size_t count = anon ? vm->anon_devices : vm->device_ids.n;
		char **anon_names = xcalloc(count + 1, sizeof(*anon_names));

		for (size_t i = 0; i < count; i++) {
			if (anon)
				names[i] = anon_names[i] = xasprintf("device[%zu]", i);
			else
				names[i] = vm->device_ids.v[i];
		}
		ghash_order(names, count, order);
		for (size_t k = 0; k < count; k++) {
			const char *name = names[order[k]];

			for (size_t i = 0; i < vm->nmemdevs; i++) {
				const struct memdev *d = &vm->memdevs[i];
				bool match = anon ? (!d->id && d->anon_index == (int)order[k])
						  : streq(d->id, name);

				if (match && d->type->nfit && d->placed && !d->hotplug)
					out[n++] = d;
			}
		}
		for (size_t i = 0; i < count; i++)
			free(anon_names[i]);
		free(anon_names);
	}
	free(names);
	free(order);
	return out;
}

static void oem_field(uint8_t *dst, size_t width, const char *user, const char *dflt, qver_t v)
{
	const char *s = user ? user : dflt;
	size_t n = strlen(s);

	/* Short user values: space-padded in 6.0 and 6.1, NUL-padded since 6.2. */
	memset(dst, v >= QVER(6, 2) ? 0 : ' ', width);
	memcpy(dst, s, n < width ? n : width);
}

int nfit_build(const struct vm *vm, uint8_t **table, size_t *len, const char **why)
{
	const struct memdev **list;
	size_t n = 0, size;
	uint8_t *t, *p, sum = 0;
	bool caps = vm->machine.persistence != NULL;

	if (!vm->machine.nvdimm) {
		*why = "the machine has nvdimm=off";
		return -1;
	}
	if (!vm->mem.slots) {
		*why = "-m has no slots: QEMU builds neither SSDT nor NFIT";
		return -1;
	}
	list = nfit_dimm_order(vm);
	while (list[n])
		n++;
	if (!n) {
		free(list);
		*why = "there is no NVDIMM at boot";
		return -1;
	}
	size = NFIT_HEADER_LEN + n * (56 + 48 + 80) + (caps ? 16 : 0);
	t = p = xcalloc(1, size);
	memcpy(p, "NFIT", 4);
	put32(p + 4, (uint32_t)size);
	p[8] = 1;
	oem_field(p + 10, 6, vm->machine.oem_id, "BOCHS ", vm->qver);
	oem_field(p + 16, 8, vm->machine.oem_table_id, "BXPC    ", vm->qver);
	put32(p + 24, 1);
	memcpy(p + 28, "BXPC", 4);
	put32(p + 32, 1);
	p += NFIT_HEADER_LEN;
	for (size_t i = 0; i < n; i++) {
		const struct memdev *d = list[i];
		uint32_t slot = (uint32_t)d->assigned_slot;
		uint16_t spa_index = (slot + 1) * 2, dcr_index = spa_index + 1;

		put16(p, 0);
		put16(p + 2, 56);
		put16(p + 4, spa_index);
		put16(p + 6, 3);	/* proximity domain valid, add/online only */
		put32(p + 12, (uint32_t)d->node);
		memcpy(p + 16, pm_guid, 16);
		put64(p + 32, d->assigned_addr);
		put64(p + 40, d->region_size);
		put64(p + 48, 0x8008);	/* EFI_MEMORY_WB | EFI_MEMORY_NV */
		p += 56;

		put16(p, 1);
		put16(p + 2, 48);
		put32(p + 4, slot + 1);	/* handle 0 is the root device */
		put16(p + 12, spa_index);
		put16(p + 14, dcr_index);
		put64(p + 16, d->region_size);
		put16(p + 42, 1);	/* interleave ways */
		put16(p + 44, d->unarmed ? 0x8 : 0);	/* not armed */
		p += 48;

		put16(p, 4);
		put16(p + 2, 80);
		put16(p + 4, dcr_index);
		put16(p + 6, 0x8086);
		put16(p + 8, 0x0001);
		put16(p + 10, 0x0001);
		put32(p + 24, 0x123456 + slot);
		put16(p + 28, 0x0301);	/* byte-addressable, no energy backed */
		p += 80;
	}
	if (caps) {
		bool cpu = streq(vm->machine.persistence, "cpu");

		put16(p, 7);
		put16(p + 2, 16);
		p[4] = 1;	/* highest valid capability */
		put32(p + 8, cpu ? 3 : 2);
	}
	for (size_t i = 0; i < size; i++)
		sum += t[i];
	t[9] = (uint8_t)(0 - sum);
	free(list);
	*table = t;
	*len = size;
	return 0;
}
