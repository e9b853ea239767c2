// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * virtio-pmem-pci (hw/virtio/virtio-pmem.c, virtio-pmem-pci.c): a PCI
 * device whose whole backend is mapped into the device-memory window at
 * memaddr (no slot, no NFIT, no SRAT entry). The guest's virtio_pmem
 * driver makes it an nd region that is not synchronous: data is persistent
 * when the guest flushes, which makes QEMU fsync() the backend.
 */
#include <stdlib.h>
#include <string.h>

#include "memdev.h"
#include "rules-int.h"

/* What QEMU starts but what loses the guest's data. */
static void virtio_pmem_regrets(struct vm *vm, struct memdev *d, const struct plan_opts *po,
				struct findings *f)
{
	struct backend *b = d->be;

	(void)po;
	if (b->kind != BK_FILE) {
		WARN(f, "virtio-pmem-volatile-backend", d->id, NULL,
		     "%s is a %s: what the guest writes to the virtio-pmem device is lost when QEMU exits; use memory-backend-file,share=on",
		     b->id, b->qom_type);
		return;
	}
	if (!b->share && !b->is_rom)
		WARN(f, "virtio-pmem-share-off", d->id, NULL,
		     "%s has share=off: guest writes go to a private copy, and the guest's flush (QEMU's fsync) never writes them to %s; %s",
		     b->id, b->mem_path,
		     vm->libvirt ? "virtio-pmem in libvirt is always shared" : "set share=on");
	if (b->readonly)
		WARN(f, "virtio-pmem-readonly", d->id, NULL,
		     "%s is readonly=on: %s",
		     b->id, b->is_rom ? "the guest cannot write the device (its writes fault or are dropped)"
				      : "the guest writes to a private copy that is lost at exit");
	if (b->discard_data)
		WARN(f, "virtio-pmem-discard-data", d->id, NULL,
		     "%s has discard-data=on: QEMU punches out the file's contents at exit", b->id);
}

/*
 * Debian's qemu-system-aarch64 (7.2, 10.0) has no virtio-pmem-pci: QEMU
 * builds it only where the machine can plug it (x86 then).
 */
static const struct mprop virtio_pmem_props[] = {
	{ "memaddr", MP_UINT64, MR_ADDR, "0", 0 },
	{ "memdev", MP_LINK, MR_MEMDEV, NULL, 0 },
	MEMDEV_PCI_PROPS,
	{ 0 },
};

const struct memdev_type memdev_virtio_pmem_pci = {
	.driver = "virtio-pmem-pci",
	.qmp_type = "virtio-pmem",
	.owner = "virtio-pmem",
	.libvirt_model = "virtio-pmem",
	.libvirt_alias = "virtiopmem",
	.finding_prefix = "memdev",
	.props = virtio_pmem_props,
	.targets = 1u << TARGET_X86_64,
	.pci = true,
	.persistence = PM_GUEST_FLUSH,
	.regrets = virtio_pmem_regrets,
};
