// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The table of memory-device types. A new type is a
 * memdev-TYPE.c file defining its struct memdev_type and one row here.
 */
#include "memdev.h"

#include <stdlib.h>
#include <string.h>

#include "rules-int.h"
#include "util.h"

const struct memdev_type *const memdev_types[] = {
	&memdev_pc_dimm,
	&memdev_nvdimm,
	&memdev_virtio_pmem_pci,
	&memdev_virtio_mem_pci,
	&memdev_cxl_type3,
	NULL,
};

const struct memdev_type *memdev_type_by_driver(const char *driver)
{
	for (size_t i = 0; memdev_types[i]; i++)
		if (streq(memdev_types[i]->driver, driver))
			return memdev_types[i];
	return NULL;
}

const struct memdev_type *memdev_type_by_qmp(const char *qmp_type)
{
	for (size_t i = 0; memdev_types[i]; i++)
		if (memdev_types[i]->qmp_type && streq(memdev_types[i]->qmp_type, qmp_type))
			return memdev_types[i];
	return NULL;
}

const struct memdev_type *memdev_type_by_model(const char *model)
{
	for (size_t i = 0; memdev_types[i]; i++)
		if (memdev_types[i]->libvirt_model && streq(memdev_types[i]->libvirt_model, model))
			return memdev_types[i];
	return NULL;
}

const struct mprop *memdev_prop(const struct memdev_type *t, const char *name, qver_t qver)
{
	for (const struct mprop *p = t->props; p->name; p++)
		if (streq(p->name, name) && p->since <= qver)
			return p;
	return NULL;
}

bool memdev_claim_backend(struct memdev *d, struct findings *f)
{
	char *q;

	if (!d->be->used) {
		d->be->used = true;
		return true;
	}
	q = xasprintf("can't use already busy memdev: %s", d->be->id);
	FAIL(f, memdev_fid(d, "memdev-busy"), d->id, q,
	     "%s is already used by another memory device, a NUMA node or the machine's RAM: give each its own backend",
	     d->be->id);
	free(q);
	return false;
}

const char *memdev_fid(const struct memdev *d, const char *what)
{
	static char ring[4][64];
	static unsigned int next;
	char *slot = ring[next++ % 4];

	snprintf(slot, sizeof(ring[0]), "%s-%s", d->type->finding_prefix, what);
	return slot;
}
