// SPDX-License-Identifier: GPL-2.0-or-later
#include "layout.h"

#include <stdlib.h>

#include "util.h"

#define FOUR_GIB (4ULL << 30)

static bool aligned_dimm(const struct vm *vm)
{
	/* enforce_aligned_dimm is off on pc-i440fx-2.1 and older. */
	return !(vm->machine.family == MF_PC && vm->machine.type_version <= QVER(2, 1));
}

void layout_ram_split(struct vm *vm)
{
	uint64_t ram = vm->mem.size, lowmem, max_below = vm->machine.max_ram_below_4g;

	if (vm->machine.family == MF_Q35) {
		if (!max_below)
			max_below = FOUR_GIB;
		lowmem = ram >= 0xb0000000ULL ? 0x80000000ULL : 0xb0000000ULL;
		if (lowmem > max_below)
			lowmem = max_below;
	} else {
		if (!max_below)
			max_below = 0xe0000000ULL;
		lowmem = max_below;
		/* gigabyte_align, on every i440fx type since 1.7 */
		if (ram >= max_below && vm->machine.type_version >= QVER(1, 7) &&
		    lowmem > 0xc0000000ULL)
			lowmem = 0xc0000000ULL;
	}
	if (ram >= lowmem) {
		vm->below_4g = lowmem;
		vm->above_4g = ram - lowmem;
	} else {
		vm->below_4g = ram;
		vm->above_4g = 0;
	}
}

void layout_window(const struct vm *vm, uint64_t above_4g_start, uint64_t *base, uint64_t *size)
{
	uint64_t end = above_4g_start + vm->above_4g;

	*base = ALIGN_UP(end, GiB);
	*size = vm->mem.maxmem - vm->mem.size;
	if (aligned_dimm(vm))
		*size += GiB * vm->mem.slots;
}

/* pc_get_cxl_range_start(): after device memory, else after RAM above 4 GiB */
static uint64_t cxl_start(const struct vm *vm, uint64_t above_4g_start)
{
	uint64_t base, size;

	if (vm->mem.maxmem <= vm->mem.size ||
	    (vm->machine.family == MF_PC && vm->machine.type_version <= QVER(2, 0)))
		return above_4g_start + vm->above_4g;
	layout_window(vm, above_4g_start, &base, &size);
	return base + size;
}

void layout_cxl(struct vm *vm, uint64_t above_4g_start)
{
	if (vm->cxl.enabled)
		cxl_place(&vm->cxl, cxl_start(vm, above_4g_start));
}

uint64_t layout_max_used_gpa(const struct vm *vm, uint64_t above_4g_start)
{
	uint64_t hole64_start, hole64_size;

	if (vm->mem.maxmem > vm->mem.size) {
		uint64_t base, size;

		layout_window(vm, above_4g_start, &base, &size);
		hole64_start = base;
		/* broken_reserved_end: machine types up to 2.4 */
		if (vm->machine.type_version > QVER(2, 4))
			hole64_start += size;
	} else {
		hole64_start = above_4g_start + vm->above_4g;
	}
	/* pc_pci_hole64_start(): after the CXL range when cxl=on */
	if (vm->cxl.enabled)
		hole64_start = cxl_range_end(&vm->cxl, cxl_start(vm, above_4g_start));
	hole64_start = ALIGN_UP(hole64_start, GiB);
	hole64_size = vm->machine.family == MF_Q35 ? (1ULL << 35) : (1ULL << 31);
	return hole64_start + hole64_size - 1;
}

static int cmp_addr(const void *a, const void *b)
{
	const struct memdev *x = *(const struct memdev *const *)a, *y = *(const struct memdev *const *)b;

	return x->assigned_addr < y->assigned_addr ? -1 : x->assigned_addr > y->assigned_addr;
}

/* Ranges as [lob, upb], like QEMU's Range, so the window's end cannot overflow. */
enum addr_result layout_find_addr(const struct vm *vm, uint64_t hint, uint64_t align,
				  uint64_t size_align, uint64_t size, uint64_t *addr,
				  const struct memdev **conflict)
{
	const struct memdev **placed;
	uint64_t as_lob = vm->window_base, as_upb = vm->window_base + vm->window_size - 1;
	uint64_t lob, upb;
	bool empty = false;
	size_t n = 0;

	if (hint && hint % align)
		return ADDR_UNALIGNED;
	if (size % size_align)
		return ADDR_SIZE_UNALIGNED;
	if (hint) {
		if (!size || hint + size - 1 < hint || hint < as_lob || hint + size - 1 > as_upb)
			return ADDR_OUTSIDE;
		lob = hint;
	} else {
		lob = ALIGN_UP(as_lob, align);
		if (!size || lob + size - 1 < lob)
			return ADDR_TOO_BIG;
	}
	upb = lob + size - 1;

	placed = xcalloc(vm->nplaced + 1, sizeof(*placed));
	for (size_t i = 0; i < vm->nplaced; i++)
		placed[n++] = &vm->memdevs[vm->placed[i]];
	qsort(placed, n, sizeof(*placed), cmp_addr);
	for (size_t i = 0; i < n; i++) {
		uint64_t t_lob = placed[i]->assigned_addr;
		uint64_t t_upb = t_lob + placed[i]->region_size - 1;

		if (t_lob <= upb && lob <= t_upb) {
			uint64_t next;

			if (hint) {
				*conflict = placed[i];
				free(placed);
				return ADDR_CONFLICT;
			}
			next = ALIGN_UP(t_upb + 1, align);
			if (!next || next < t_upb || next + size - 1 < next) {
				empty = true;
				break;
			}
			lob = next;
			upb = lob + size - 1;
		} else if (t_lob > upb) {
			break;
		}
	}
	free(placed);
	if (empty || lob < as_lob || upb > as_upb)
		return ADDR_FRAGMENTED;
	*addr = lob;
	return ADDR_OK;
}

void layout_place(struct vm *vm, struct memdev *d)
{
	d->placed = true;
	vm->placed = xgrow(vm->placed, vm->nplaced, sizeof(*vm->placed));
	vm->placed[vm->nplaced++] = (size_t)(d - vm->memdevs);
	vm->placed_size += d->region_size;
}

uint64_t layout_used(const struct vm *vm)
{
	return vm->placed_size;
}

const struct memdev *layout_slot_user(const struct vm *vm, int64_t s)
{
	for (size_t i = 0; i < vm->nplaced; i++)
		if (vm->memdevs[vm->placed[i]].assigned_slot == s)
			return &vm->memdevs[vm->placed[i]];
	return NULL;
}

int64_t layout_free_slot(const struct vm *vm)
{
	/* The lowest free slot is at most nplaced: mark the ones below it. */
	bool *used = xcalloc(vm->nplaced + 1, sizeof(*used));
	int64_t s;

	for (size_t i = 0; i < vm->nplaced; i++) {
		int64_t t = vm->memdevs[vm->placed[i]].assigned_slot;

		if (t >= 0 && (uint64_t)t <= vm->nplaced)
			used[t] = true;
	}
	for (s = 0; s < (int64_t)vm->mem.slots && used[s]; s++)
		;
	free(used);
	return s < (int64_t)vm->mem.slots ? s : -1;
}
