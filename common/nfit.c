// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NFIT QEMU builds (hw/acpi/nvdimm.c): per NVDIMM a System Physical
 * Address range, a memory-device-to-SPA map and a control region, then the
 * platform capabilities when nvdimm-persistence is set.
 */
#include "nfit.h"

#include <stdlib.h>
#include <string.h>

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
 * The iteration order of a GLib hash table (2.74: open addressing with
 * quadratic probing, index (hash * 11) % prime, 8 buckets until 8 entries)
 * holding names[0..n) inserted in that order. QEMU keeps an object's
 * children in such a table, and walks it to list the NVDIMMs.
 */
static void ghash_order(const char *const *names, size_t n, size_t *order)
{
	static const uint32_t prime_mod[] = { 1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021,
					      2039, 4093, 8191, 16381, 32749, 65521 };
	unsigned int shift = 3;
	size_t size, *slot;
	uint32_t *hash;

	/* The table grows so that entries fill at most ~15/16 of it. */
	while ((1u << shift) <= n + n / 16 && shift < ARRAY_SIZE(prime_mod) - 1)
		shift++;
	size = (size_t)1 << shift;
	slot = xcalloc(size, sizeof(*slot));
	hash = xcalloc(size, sizeof(*hash));
	for (size_t i = 0; i < n; i++) {
		uint32_t h = g_str_hash(names[i]);
		size_t idx, step = 0;

		if (h < 2)
			h = 2;	/* 0 and 1 mark free and deleted slots */
		idx = (size_t)((h * 11u) % prime_mod[shift]);
		while (hash[idx]) {
			step++;
			idx = (idx + step) & (size - 1);
		}
		hash[idx] = h;
		slot[idx] = i + 1;
	}
	for (size_t i = 0, k = 0; i < size; i++)
		if (slot[i])
			order[k++] = slot[i] - 1;
	free(slot);
	free(hash);
}

/*
 * Devices with an id live in /machine/peripheral, the others in
 * /machine/peripheral-anon as "device[N]". Which container QEMU walks first
 * depends on the machine's own property table; the guest tests show
 * peripheral first for pc and q35 (QEMU 7.2, GLib 2.74).
 */
const struct dimm **nfit_dimm_order(const struct vm *vm)
{
	const struct dimm **out = xcalloc(vm->ndimms + 1, sizeof(*out));
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

			for (size_t i = 0; i < vm->ndimms; i++) {
				const struct dimm *d = &vm->dimms[i];
				bool match = anon ? (!d->id && d->anon_index == (int)order[k])
						  : streq(d->id, name);

				if (match && d->kind == DK_NVDIMM && d->placed && !d->hotplug)
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
	const struct dimm **list;
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
		const struct dimm *d = list[i];
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
