// SPDX-License-Identifier: GPL-2.0-or-later
/* RAM split, device-memory window and first-fit placement (QEMU's numbers). */
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "unit.h"
#include "util.h"

static void vm_init(struct vm *vm, enum machine_family fam, uint64_t ram, uint64_t maxmem,
		    uint64_t slots)
{
	free(vm->placed);
	memset(vm, 0, sizeof(*vm));
	vm->machine.family = fam;
	vm->machine.type_version = QVER(7, 2);
	vm->mem.size = ram;
	vm->mem.maxmem = maxmem;
	vm->mem.slots = slots;
	vm->phys_bits = 40;
	layout_ram_split(vm);
	layout_window(vm, 4 * GiB, &vm->window_base, &vm->window_size);
}

static struct memdev *add(struct vm *vm, struct memdev *d, uint64_t size, uint64_t align)
{
	const struct memdev *c = NULL;

	memset(d, 0, sizeof(*d));
	d->region_size = size;
	d->assigned_slot = -1;
	vm->nmemdevs++;
	if (layout_find_addr(vm, 0, align, align, size, &d->assigned_addr, &c) == ADDR_OK)
		layout_place(vm, d);
	return d;
}

int main(void)
{
	struct memdev memdevs[4];
	const struct memdev *c = NULL;
	struct vm vm = { 0 };
	uint64_t a;

	/* qtest dimmpxm: 128M RAM, 3 slots, maxmem 1G -> 0x100000000 + 0xf8000000 */
	vm_init(&vm, MF_PC, 128 * MiB, GiB, 3);
	CHECK(vm.window_base == 0x100000000ULL && vm.window_size == 0xf8000000ULL);
	vm.memdevs = memdevs;
	add(&vm, &memdevs[0], 128 * MiB, 2 * MiB);
	add(&vm, &memdevs[1], 128 * MiB, 2 * MiB);
	CHECK(memdevs[0].assigned_addr == 0x100000000ULL);
	CHECK(memdevs[1].assigned_addr == 0x108000000ULL);

	/* guest-harness a: the second NVDIMM follows 1G-128K, 4K aligned */
	vm_init(&vm, MF_PC, 512 * MiB, 8 * GiB, 4);
	vm.memdevs = memdevs;
	add(&vm, &memdevs[0], GiB - 128 * KiB, 4096);
	add(&vm, &memdevs[1], GiB, 4096);
	CHECK(memdevs[1].assigned_addr == 0x13ffe0000ULL);
	/* ... and a 2M-aligned one after it skips to the next 2M boundary */
	add(&vm, &memdevs[2], 2 * MiB, 2 * MiB);
	CHECK(memdevs[2].assigned_addr == 0x180000000ULL);

	/* explicit addresses */
	CHECK(layout_find_addr(&vm, 0x100001000ULL, 2 * MiB, 2 * MiB, 2 * MiB, &a, &c) == ADDR_UNALIGNED);
	CHECK(layout_find_addr(&vm, 0x100000000ULL, 4096, 4096, 4096, &a, &c) == ADDR_CONFLICT &&
	      c == &memdevs[0]);
	CHECK(layout_find_addr(&vm, 0x80000000ULL, 4096, 4096, 4096, &a, &c) == ADDR_OUTSIDE);
	/* virtio-mem from 10.0: the address at the block size, the size at the backend's */
	CHECK(layout_find_addr(&vm, 0, 2 * GiB, 2 * MiB, GiB, &a, &c) == ADDR_OK &&
	      a == 0x200000000ULL);
	CHECK(layout_find_addr(&vm, 0, 2 * GiB, 2 * GiB, GiB, &a, &c) == ADDR_SIZE_UNALIGNED);

	/* RAM split: pc 3.5G -> 3G low; q35 >= 2.75G -> 2G low */
	vm_init(&vm, MF_PC, 4 * GiB, 4 * GiB, 0);
	CHECK(vm.below_4g == 3 * GiB && vm.above_4g == GiB);
	vm_init(&vm, MF_Q35, 4 * GiB, 8 * GiB, 2);
	CHECK(vm.below_4g == 2 * GiB && vm.above_4g == 2 * GiB);
	CHECK(vm.window_base == 6 * GiB && vm.window_size == 6 * GiB);
	vm_init(&vm, MF_Q35, 2 * GiB, 2 * GiB, 0);
	CHECK(vm.below_4g == 2 * GiB && vm.above_4g == 0);
	/* phys-bits: q35's 32 GiB PCI hole above the window */
	CHECK(layout_max_used_gpa(&vm, 4 * GiB) == 4 * GiB + 32 * GiB - 1);

	/* Placed DIMMs are what the queries see: used size, slots. */
	vm_init(&vm, MF_PC, 512 * MiB, 8 * GiB, 3);
	vm.memdevs = memdevs;
	add(&vm, &memdevs[0], GiB, 2 * MiB);
	memdevs[0].assigned_slot = 1;
	CHECK(layout_used(&vm) == GiB && layout_free_slot(&vm) == 0);
	add(&vm, &memdevs[1], GiB, 2 * MiB);
	memdevs[1].assigned_slot = 0;
	CHECK(layout_used(&vm) == 2 * GiB && layout_free_slot(&vm) == 2);
	CHECK(layout_slot_user(&vm, 1) == &memdevs[0] && !layout_slot_user(&vm, 2));
	add(&vm, &memdevs[2], GiB, 2 * MiB);
	memdevs[2].assigned_slot = 2;
	CHECK(layout_free_slot(&vm) == -1);
	free(vm.placed);
	UNIT_DONE();
}
