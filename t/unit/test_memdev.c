// SPDX-License-Identifier: GPL-2.0-or-later
/* The memory-device table: one row per driver, lookups, each row complete. */
#include <string.h>

#include "memdev.h"
#include "unit.h"

int main(void)
{
	size_t n = 0;

	for (size_t i = 0; memdev_types[i]; i++, n++) {
		const struct memdev_type *t = memdev_types[i];

		/* every row names itself and is found by its driver and its libvirt model */
		/* query-memory-devices lists every type but those outside device memory */
		CHECK(t->driver && t->owner && t->finding_prefix && t->props);
		CHECK(!t->qmp_type == t->own_window);
		CHECK(memdev_type_by_driver(t->driver) == t);
		CHECK(!t->libvirt_model || memdev_type_by_model(t->libvirt_model) == t);
		CHECK(!t->libvirt_model || t->libvirt_alias);
		/* every type has a memdev link; one in device memory an address property */
		CHECK(memdev_prop(t, "memdev", QVER(7, 2)) &&
		      memdev_prop(t, "memdev", QVER(7, 2))->type == MP_LINK);
		CHECK(t->own_window ||
		      memdev_prop(t, t->slot ? "addr" : "memaddr", QVER(7, 2))->role == MR_ADDR);
		/* outside device memory: no slot, and its own realize claims the backends */
		CHECK(!t->own_window || (!t->slot && t->realize));
		/* a type's own properties need its setter */
		for (const struct mprop *p = t->props; p->name; p++)
			CHECK(p->role != MR_OWN || t->set_prop);
		/* a slot is a DIMM's; a PCI device has none */
		CHECK(!(t->slot && t->pci));
		CHECK(t->targets & (1u << TARGET_X86_64));
		/* an NFIT device persists through MAP_SYNC; so does CXL memory, outside the NFIT */
		CHECK(!t->nfit || t->persistence == PM_MAP_SYNC);
		CHECK(t->persistence != PM_MAP_SYNC || t->nfit || t->own_window);
		for (size_t k = 0; k < i; k++)
			CHECK(strcmp(memdev_types[k]->driver, t->driver));
	}
	CHECK(n == 5);
	CHECK(memdev_type_by_driver("e1000") == NULL && memdev_type_by_model("sgx-epc") == NULL);
	/* properties by release: busnr is not in 7.2's virtio-pmem-pci */
	CHECK(!memdev_prop(&memdev_virtio_pmem_pci, "busnr", QVER(7, 2)));
	CHECK(memdev_prop(&memdev_virtio_pmem_pci, "busnr", QVER(10, 0)));
	CHECK(memdev_prop(&memdev_virtio_mem_pci, "size", QVER(10, 0))->type == MP_READONLY);
	CHECK(!memdev_prop(&memdev_virtio_pmem_pci, "node", QVER(10, 0)));
	/* cxl-type3: persistent-memdev and volatile-memdev from 8.0, lsa always */
	CHECK(!memdev_prop(&memdev_cxl_type3, "persistent-memdev", QVER(7, 2)));
	CHECK(memdev_prop(&memdev_cxl_type3, "persistent-memdev", QVER(10, 0))->role == MR_OWN);
	CHECK(!memdev_prop(&memdev_cxl_type3, "volatile-memdev", QVER(7, 2)));
	CHECK(memdev_prop(&memdev_cxl_type3, "lsa", QVER(7, 2))->type == MP_LINK);
	CHECK(memdev_type_by_driver("cxl-type3") == &memdev_cxl_type3 && memdev_cxl_type3.own_window);
	UNIT_DONE();
}
