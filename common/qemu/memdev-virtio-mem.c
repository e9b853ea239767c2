// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * virtio-mem-pci (hw/virtio/virtio-mem.c, virtio-mem-pci.c): a PCI device
 * whose whole backend is reserved in the device-memory window at memaddr,
 * aligned to its block size; the guest plugs blocks up to requested-size.
 * No slot, no NFIT; its node is the device's own property.
 */
#include <stdlib.h>
#include <string.h>

#include "memdev.h"
#include "rules-int.h"
#include "size.h"
#include "util.h"

#define VIRTIO_MEM_MIN_BLOCK_SIZE (1ULL << 20)
#define THP_SIZE (2ULL << 20)	/* x86-64 hosts */

/* The setters of block-size and requested-size check as they store. */
static bool virtio_mem_set_prop(struct vm *vm, struct memdev *d, const struct kv *e, uint64_t u,
				bool b, struct findings *f)
{
	(void)vm;
	if (!strcmp(e->key, "block-size")) {
		char *q;

		if (u < VIRTIO_MEM_MIN_BLOCK_SIZE) {
			q = xasprintf("'block-size' property has to be at least 0x%llx",
				      VIRTIO_MEM_MIN_BLOCK_SIZE);
			FAIL(f, "virtio-mem-block-size", d->id, q, "block-size must be at least 1 MiB");
			free(q);
			return false;
		}
		if (u & (u - 1)) {
			FAIL(f, "virtio-mem-block-size", d->id,
			     "'block-size' property has to be a power of two",
			     "block-size must be a power of two (2M, 4M, ... 1G)");
			return false;
		}
		d->block_size = u;
	} else if (!strcmp(e->key, "requested-size")) {
		d->requested_size = u;
	} else if (!strcmp(e->key, "prealloc")) {
		d->prealloc = b;
	}
	return true;
}

/* virtio_mem_default_block_size(): the THP size, or the backend's larger pages. */
static uint64_t default_block_size(const struct backend *b)
{
	return b->page_size > THP_SIZE ? b->page_size : THP_SIZE;
}

/*
 * The region is the whole backend; its address is aligned to the block
 * size. QEMU 7.2 passes the block size to memory_device_pre_plug() as the
 * alignment of address and size alike; 10.0 aligns the address only and
 * checks the size against the block size in realize (8.1 assumed, as for
 * the other memory-device changes; the releases between are not checked).
 */
static bool virtio_mem_region(struct vm *vm, struct memdev *d, struct findings *f)
{
	uint64_t bs = d->block_size ? d->block_size : default_block_size(d->be);

	(void)f;
	if (vm->qver >= QVER(8, 1))
		d->size_align = d->align;
	if (bs > d->align)
		d->align = bs;
	return true;
}

/* virtio_mem_device_realize(), in its order. */
static bool virtio_mem_realize(struct vm *vm, struct memdev *d, struct findings *f)
{
	struct backend *b = d->be;
	uint64_t bs;
	char *q;

	if (b->used) {
		q = xasprintf("'memdev' property specifies a busy memdev: %s", b->id);
		FAIL(f, "memdev-memdev-busy", d->id, q,
		     "%s is already used by another memory device, a NUMA node or the machine's RAM: give each its own backend",
		     b->id);
		free(q);
		return false;
	}
	if (b->is_rom) {
		FAIL(f, "virtio-mem-memdev-unsupported", d->id,
		     "'memdev' property specifies an unsupported memdev",
		     "%s is read-only: virtio-mem needs a writable RAM backend", b->id);
		return false;
	}
	if (b->prealloc && vm->qver >= QVER(8, 1)) {
		q = xasprintf("'memdev' property specifies a memdev with preallocation enabled: %s. Instead, specify 'prealloc=on' for the virtio-mem device. ",
			      b->id);
		FAIL(f, "virtio-mem-memdev-prealloc", d->id, q,
		     "remove prealloc=on from %s and set prealloc=on on the virtio-mem device",
		     b->id);
		free(q);
		return false;
	}
	if ((vm->nnodes && d->node >= vm->nnodes) || (!vm->nnodes && d->node)) {
		q = xasprintf("'node' property has value '%llu', which exceedsthe number of numa nodes: %d",
			      (unsigned long long)d->node, vm->nnodes ? (int)vm->nnodes : 1);
		FAIL(f, "memdev-node-range", d->id, q, "node must be below the number of -numa nodes");
		free(q);
		return false;
	}
	bs = d->block_size ? d->block_size : default_block_size(b);
	if (bs < b->page_size) {
		q = xasprintf("'block-size' property has to be at least the page size (0x%llx)",
			      (unsigned long long)b->page_size);
		FAIL(f, "virtio-mem-block-size", d->id, q,
		     "block-size must be at least the backend's page size");
		free(q);
		return false;
	}
	if (bs < default_block_size(b)) {
		q = xasprintf("'block-size' property is smaller than the default block size (%llu MiB)",
			      (unsigned long long)(default_block_size(b) >> 20));
		WARN(f, "virtio-mem-block-size-small", d->id, q,
		     "block-size below %s: the guest may not be able to use every block",
		     hsz(default_block_size(b)));
		free(q);
	}
	if (d->requested_size % bs) {
		q = xasprintf("'requested-size' property has to be multiples of 'block-size' (0x%llx)",
			      (unsigned long long)bs);
		FAIL(f, "virtio-mem-requested-size", d->id, q,
		     "requested-size must be a multiple of the block size (%s)", hsz(bs));
		free(q);
		return false;
	}
	if (d->region_size % bs) {
		q = xasprintf("'memdev' property memdev size has to be multiples of'block-size' (0x%llx)",
			      (unsigned long long)bs);
		FAIL(f, "virtio-mem-size-block", d->id, q,
		     "the backend's size must be a multiple of the block size (%s)", hsz(bs));
		free(q);
		return false;
	}
	d->block_size = bs;
	return true;
}

static void virtio_mem_print(struct out *o, const struct memdev *d)
{
	out_u64(o, "block_size", NULL, d->block_size);
	out_u64(o, "requested_size", NULL, d->requested_size);
	out_text(o, "  %-9s %-12s", "", "");
}

static const struct mprop virtio_mem_props[] = {
	{ "block-size", MP_SIZE, MR_OWN, "0", 0 },
	{ "dynamic-memslots", MP_BOOL, MR_NONE, "off", MEMDEV_NEWER_THAN_7_2 },
	{ "ioeventfd", MP_BOOL, MR_NONE, "on", MEMDEV_NEWER_THAN_7_2 },
	{ "memaddr", MP_UINT64, MR_ADDR, "0", 0 },
	{ "memdev", MP_LINK, MR_MEMDEV, NULL, 0 },
	{ "node", MP_UINT32, MR_NODE, "0", 0 },
	{ "prealloc", MP_BOOL, MR_OWN, "off", 0 },
	{ "requested-size", MP_SIZE, MR_OWN, "0", 0 },
	{ "size", MP_READONLY, MR_NONE, NULL, 0 },
	{ "unplugged-inaccessible", MP_ANY, MR_NONE, "auto", 0 },
	{ "vectors", MP_UINT32, MR_NONE, NULL, MEMDEV_NEWER_THAN_7_2 },
	{ "x-early-migration", MP_BOOL, MR_NONE, "on", MEMDEV_NEWER_THAN_7_2 },
	MEMDEV_PCI_PROPS,
	{ 0 },
};

const struct memdev_type memdev_virtio_mem_pci = {
	.driver = "virtio-mem-pci",
	.qmp_type = "virtio-mem",
	.owner = "virtio-mem",
	.libvirt_model = "virtio-mem",
	.libvirt_alias = "virtiomem",
	.finding_prefix = "memdev",
	.props = virtio_mem_props,
	.targets = MEMDEV_ALL_TARGETS,
	.pci = true,
	.persistence = PM_VOLATILE,
	.srat = false,
	.set_prop = virtio_mem_set_prop,
	.region = virtio_mem_region,
	.realize = virtio_mem_realize,
	.print = virtio_mem_print,
};
