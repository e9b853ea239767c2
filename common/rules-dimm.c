// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QEMU's rules for memory devices (pc-dimm, nvdimm), in its order: the
 * properties, pc_memory_pre_plug()/pc_dimm_pre_plug()/memory_device_pre_plug()
 * (slot, region, space, address), realize (node, busy memdev); then the
 * hot-plug plan and the warnings for what QEMU accepts but loses data.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "layout.h"
#include "qapi.h"
#include "rules-int.h"
#include "size.h"
#include "util.h"

/* ---- devices ------------------------------------------------------------- */

static bool uuid_wellformed(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static const char *driver_name(const struct dimm *d)
{
	return d->kind == DK_NVDIMM ? "nvdimm" : "pc-dimm";
}

/* Device properties, set in QDict order before realize. */
static bool dimm_props(struct vm *vm, struct dimm *d, struct findings *f)
{
	size_t *idx = xcalloc(d->props.n + 1, sizeof(*idx));
	const char *obj = d->id;
	bool ok = true;

	qdict_order(&d->props, idx);
	for (size_t k = 0; k < d->props.n; k++) {
		const struct kv *e = &d->props.v[idx[k]];
		char *err = NULL, *q = NULL;
		uint64_t u;
		int64_t i;
		bool b;

		if (!strcmp(e->key, "driver") || !strcmp(e->key, "id"))
			continue;
		if (!strcmp(e->key, "memdev")) {
			if (!qapi_get_str(e, &err))
				goto bad;
			if (vm_failed_object(vm, e->val)) {
				ok = false;	/* its -object's failure is reported */
			} else if (!vm_find_backend(vm, e->val) && vm_other_object(vm, e->val)) {
				q = xstrdup("Invalid parameter type for 'memdev', expected: memory-backend");
				FAIL(f, "dimm-memdev-type", obj, q, "memdev=%s is not a memory backend",
				     e->val);
				ok = false;
			} else if (!vm_find_backend(vm, e->val)) {
				q = xasprintf("Device '%s' not found", e->val);
				FAIL(f, "dimm-memdev-unknown", obj, q,
				     "memdev=%s names no memory backend (-object memory-backend-*,id=%s)",
				     e->val, e->val);
				ok = false;
			}
			free(d->memdev);
			d->memdev = xstrdup(e->val);
		} else if (!strcmp(e->key, "slot")) {
			if (!qapi_get_int(e, INT32_MIN, INT32_MAX, &i, &err))
				goto bad;
			d->slot = i;
		} else if (!strcmp(e->key, "addr")) {
			if (!qapi_get_uint(e, QAPI_DEVICE, UINT64_MAX, &u, &err))
				goto bad;
			d->addr = u;
		} else if (!strcmp(e->key, "node")) {
			if (!qapi_get_uint(e, QAPI_DEVICE, UINT32_MAX, &u, &err))
				goto bad;
			d->node = u;
		} else if (d->kind == DK_NVDIMM && !strcmp(e->key, "label-size")) {
			char *w = NULL;
			bool got = qapi_get_size(e, QAPI_DEVICE, vm->qver, &u, &err, &w);

			if (w)
				warn_hex_suffix(f, obj, w);
			free(w);
			if (!got)
				goto bad;
			if (u < MIN_LABEL_SIZE) {
				q = xasprintf("Property 'nvdimm.label-size' (0x%llx) is required at least 0x20000",
					      (unsigned long long)u);
				FAIL(f, "nvdimm-label-size-min", obj, q,
				     "label-size must be at least 128 KiB (label-size=0 is refused too: leave it out for no labels)");
				ok = false;
			}
			if (u >= MIN_LABEL_SIZE) {
				d->label_size = u;
				d->has_label_size = true;
			}
		} else if (d->kind == DK_NVDIMM && !strcmp(e->key, "unarmed")) {
			if (!qapi_get_bool(e, &b, &err))
				goto bad;
			d->unarmed = b;
		} else if (d->kind == DK_NVDIMM && !strcmp(e->key, "uuid")) {
			if (!uuid_wellformed(e->val)) {
				q = xstrdup("Property 'nvdimm.uuid' has invalid value");
				FAIL(f, "dimm-property-invalid", obj, q,
				     "uuid must look like 123e4567-e89b-12d3-a456-426614174000");
				ok = false;
			}
		} else if (!strcmp(e->key, "size")) {
			q = xasprintf("Property '%s.size' is not writable", driver_name(d));
			FAIL(f, "dimm-property-readonly", obj, q,
			     "a DIMM's size comes from its memdev: set size= on the backend");
			ok = false;
		} else {
			q = xasprintf("Property '%s.%s' not found", driver_name(d), e->key);
			FAIL(f, "dimm-property-unknown", obj, q, "%s has no property '%s'",
			     driver_name(d), e->key);
			ok = false;
		}
		free(q);
		continue;
bad:
		FAIL(f, "dimm-property-invalid", obj, err, "bad value for %s", e->key);
		free(err);
		ok = false;
	}
	free(idx);
	return ok;
}

/* nvdimm_prepare_memory_region(): pmem size, label location, ROM rule. */
static bool dimm_region(struct vm *vm, struct dimm *d, struct findings *f)
{
	struct backend *b;
	char *q;

	(void)vm;
	if (!d->memdev) {
		FAIL(f, "dimm-memdev-missing", d->id, "'memdev' property must be set",
		     "add memdev=ID of a memory backend");
		return false;
	}
	b = vm_find_backend(vm, d->memdev);
	d->be = b;
	d->align = b->region_align;
	if (d->kind == DK_PC_DIMM) {
		d->region_size = b->size;
		return true;
	}
	if (b->size <= d->label_size ||
	    ALIGN_DOWN(b->size - d->label_size, b->region_align) == 0) {
		q = xasprintf("the size of memdev %s (0x%llx) is too small to contain nvdimm label (0x%llx) and aligned PMEM (0x%llx)",
			      b->id, (unsigned long long)b->size, (unsigned long long)d->label_size,
			      (unsigned long long)b->region_align);
		FAIL(f, "nvdimm-too-small", d->id, q,
		     "%s must hold the label area and at least one aligned block (%s) of pmem",
		     b->id, hsz(b->region_align));
		free(q);
		return false;
	}
	d->region_size = ALIGN_DOWN(b->size - d->label_size, b->region_align);
	d->label_offset = (b->has_offset ? b->offset : 0) + b->size - d->label_size;
	if (!d->unarmed && b->is_rom) {
		q = xasprintf(vm->qver >= QVER(7, 2)
				      ? "'unarmed' property must be 'on' since memdev %s is read-only"
				      : "'unarmed' property must be off since memdev %s is read-only",
			      b->id);
		FAIL(f, "nvdimm-readonly-armed", d->id, q,
		     "a read-only backend needs unarmed=on, so the guest knows it cannot write");
		free(q);
		d->refused = true;	/* refused, but sized: it goes on to placement */
	}
	return true;
}

static bool dimm_address(struct vm *vm, struct dimm *d, struct findings *f)
{
	const struct dimm *conflict = NULL;
	uint64_t used, avail, align = d->align;
	enum addr_result r;
	char *q;

	if (!vm->has_window) {
		if (vm->qver >= QVER(8, 1))
			FAIL(f, "mem-no-window", d->id,
			     "the configuration is not prepared for memory devices (e.g., for memory hotplug), consider specifying the maxmem option",
			     "DIMMs need -m ...,slots=N,maxmem=M with maxmem above the RAM size");
		else
			FAIL(f, "mem-no-window", d->id,
			     "memory devices (e.g. for memory hotplug) are not supported by the machine",
			     "DIMMs need -m ...,slots=N,maxmem=M with maxmem above the RAM size");
		return false;
	}
	if (vm->window_base % align) {
		q = xasprintf("the alignment (0x%llx) exceeds the expected maximum alignment, memory will get fragmented and not all 'maxmem' might be usable for memory devices.",
			      (unsigned long long)align);
		WARN(f, "dimm-align-fragments", d->id, q,
		     "alignment %s is above 1 GiB: the window will fragment", hsz(align));
		free(q);
	}
	used = layout_used(vm);
	avail = vm->mem.maxmem - vm->mem.size;
	if (used + d->region_size < used || used + d->region_size > avail) {
		q = xasprintf("not enough space, currently 0x%llx in use of total space for memory devices 0x%llx",
			      (unsigned long long)used, (unsigned long long)avail);
		FAIL(f, "mem-no-space", d->id, q,
		     "maxmem minus RAM (%s) cannot hold %s more after %s in use: raise maxmem to at least %s",
		     hsz(avail), hsz(d->region_size), hsz(used),
		     hsz(vm->mem.size + used + d->region_size));
		free(q);
		return false;
	}
	r = layout_find_addr(vm, d->addr, align, d->region_size, &d->assigned_addr, &conflict);
	switch (r) {
	case ADDR_OK:
		d->has_addr = true;
		return true;
	case ADDR_UNALIGNED:
		q = xasprintf("address must be aligned to 0x%llx bytes", (unsigned long long)align);
		FAIL(f, "dimm-addr-unaligned", d->id, q, "addr must be a multiple of %s",
		     hsz(align));
		break;
	case ADDR_SIZE_UNALIGNED:
		q = xasprintf("backend memory size must be multiple of 0x%llx", (unsigned long long)align);
		FAIL(f, "dimm-size-unaligned", d->id, q, "the backend size must be a multiple of %s",
		     hsz(align));
		break;
	case ADDR_OUTSIDE:
		q = xasprintf("can't add memory device [0x%llx:0x%llx], usable range for memory devices [0x%llx:0x%llx]",
			      (unsigned long long)d->addr, (unsigned long long)d->region_size,
			      (unsigned long long)vm->window_base, (unsigned long long)vm->window_size);
		FAIL(f, "dimm-addr-outside", d->id, q, "addr must lie inside the device-memory window");
		break;
	case ADDR_TOO_BIG:
		q = xstrdup("can't add memory device, device too big");
		FAIL(f, "dimm-too-big", d->id, q, "the device does not fit the window");
		break;
	case ADDR_CONFLICT:
		q = xasprintf("address range conflicts with memory device id='%s'", dimm_name(conflict));
		FAIL(f, "dimm-addr-conflict", d->id, q, "addr overlaps %s", dimm_name(conflict));
		break;
	default:
		q = xstrdup("could not find position in guest address space for memory device - memory fragmented due to alignments");
		FAIL(f, "dimm-fragmented", d->id, q,
		     "no gap of the window fits: alignment holes; raise maxmem or reorder");
		break;
	}
	free(q);
	return false;
}

/* pc_memory_pre_plug(), pc_dimm_pre_plug(), memory_device_pre_plug(). */
static bool dimm_pre_plug(struct vm *vm, struct dimm *d, struct findings *f)
{
	char *q;

	bool ok = true;

	/* Machine-wide: said once, then the device's own checks go on. */
	if (vm->machine.family == MF_VIRT) {
		/*
		 * virt_memory_pre_plug(): DIMMs need the GED device, which virt
		 * creates only with an AArch64 CPU, firmware and ACPI, and not at all
		 * for types up to 4.1 (no_ged) (cold-plugged NVDIMMs without it
		 * since 10.2).
		 */
		const char *why = vm->machine.type_version <= QVER(4, 1) ?
			"virt machine types up to 4.1 have no GED device, which DIMMs need: use virt-4.2 or later (or plain virt)" :
			vm->machine.acpi == TRI_OFF ?
			"pc-dimms on virt (and NVDIMMs before QEMU 10.2) need ACPI (its GED device)" :
			!vm->cpu_aarch64 ?
			"virt has no GED device, which pc-dimms (and NVDIMMs before QEMU 10.2) need, with a 32-bit CPU (the default cortex-a15): add -cpu max or another 64-bit model" :
			!vm->firmware ?
			"virt has no GED device, which pc-dimms (and NVDIMMs before QEMU 10.2) need, without firmware: add -bios (UEFI, e.g. /usr/share/qemu-efi-aarch64/QEMU_EFI.fd) or a pflash drive" :
			NULL;

		/* 10.2 lets cold-plugged NVDIMMs do without it; a pc-dimm still needs it. */
		if (why && (vm->qver < QVER(10, 2) || d->kind != DK_NVDIMM)) {
			if (!vm->said_acpi_off)
				FAIL(f, vm->machine.acpi == TRI_OFF ? "machine-acpi-off" : "machine-no-ged",
				     d->id,
				     "memory hotplug is not enabled: missing acpi-ged device", "%s", why);
			vm->said_acpi_off = true;
			ok = false;
		} else if (d->kind == DK_NVDIMM && !vm->machine.nvdimm) {
			if (!vm->said_nvdimm_off)
				FAIL(f, "machine-nvdimm-off", d->id,
				     "nvdimm is not enabled: add 'nvdimm=on' to '-M'",
				     "add nvdimm=on to -machine");
			vm->said_nvdimm_off = true;
			ok = false;
		}
	} else if (vm->machine.acpi == TRI_OFF) {
		if (!vm->said_acpi_off)
			FAIL(f, "machine-acpi-off", d->id,
			     "memory hotplug is not enabled: missing acpi device or acpi disabled",
			     "%s", vm->libvirt ?
			     "DIMMs and NVDIMMs need ACPI: add <features><acpi/></features> to the domain" :
			     "DIMMs and NVDIMMs need ACPI: remove acpi=off / -no-acpi");
		vm->said_acpi_off = true;
		ok = false;
	} else if (d->kind == DK_NVDIMM && !vm->machine.nvdimm) {
		if (!vm->said_nvdimm_off)
			FAIL(f, "machine-nvdimm-off", d->id,
			     "nvdimm is not enabled: missing 'nvdimm' in '-M'",
			     "add nvdimm=on to -machine");
		vm->said_nvdimm_off = true;
		ok = false;
	}
	if (d->slot != -1 && (d->slot < 0 || (uint64_t)d->slot >= vm->mem.slots)) {
		q = xasprintf("invalid slot number %d, valid range is [0-%llu]", (int)d->slot,
			      (unsigned long long)(vm->mem.slots - 1));
		FAIL(f, "dimm-slot-range", d->id, q, "slot must be below slots=%llu",
		     (unsigned long long)vm->mem.slots);
		free(q);
		return false;
	}
	if (!vm->mem.slots) {
		FAIL(f, "mem-no-slots", d->id,
		     "no slots where allocated, please specify the 'slots' option",
		     "add slots=N to -m (one per DIMM, NVDIMM and hot-plug DIMM)");
		return false;
	}
	if (d->slot != -1) {
		if (layout_slot_user(vm, d->slot)) {
			q = xasprintf("slot %d is busy", (int)d->slot);
			FAIL(f, "dimm-slot-busy", d->id, q, "slot %d is taken by %s", (int)d->slot,
			     dimm_name(layout_slot_user(vm, d->slot)));
			free(q);
			return false;
		}
		d->assigned_slot = d->slot;
	} else {
		d->assigned_slot = layout_free_slot(vm);
		if (d->assigned_slot < 0) {
			FAIL(f, "mem-no-free-slot", d->id, "no free slots available",
			     "all %llu slots are used: raise slots", (unsigned long long)vm->mem.slots);
			return false;
		}
	}
	if (!dimm_region(vm, d, f))
		return false;
	return dimm_address(vm, d, f) && ok;
}

static bool dimm_realize(struct vm *vm, struct dimm *d, struct findings *f)
{
	char *q;

	if ((vm->nnodes > 0 && d->node >= vm->nnodes) || (!vm->nnodes && d->node)) {
		q = xasprintf("'DIMM property node has value %llu' which exceeds the number of numa nodes: %d",
			      (unsigned long long)d->node, vm->nnodes ? (int)vm->nnodes : 1);
		FAIL(f, "dimm-node-range", d->id, q, "node must be below the number of -numa nodes");
		free(q);
		return false;
	}
	if (d->be->used) {
		q = xasprintf("can't use already busy memdev: %s", d->be->id);
		FAIL(f, "dimm-memdev-busy", d->id, q,
		     "%s is already used by another DIMM or NUMA node: give each its own backend",
		     d->be->id);
		free(q);
		return false;
	}
	d->be->used = true;
	layout_place(vm, d);
	return true;
}

/*
 * QEMU stops at the first device it refuses; we go on with the others, as
 * if the refused one were not there, to report every problem at once.
 */
void rules_devices(struct vm *vm, struct findings *f)
{
	for (size_t i = 0; i < vm->ndimms; i++) {
		struct dimm *d = &vm->dimms[i];
		struct backend *b;

		size_t before = f->n;

		dimm_props(vm, d, f);
		b = d->memdev ? vm_find_backend(vm, d->memdev) : NULL;
		if (d->memdev && (!b || !b->created)) {
			d->refused = true;
			continue;	/* reported already */
		}
		/* A refused device is still placed, to find what comes after it. */
		dimm_pre_plug(vm, d, f);
		if (d->has_addr)
			dimm_realize(vm, d, f);
		if (findings_failed_since(f, before))
			d->refused = true;
	}
}

/* ---- after the start: hot-plug plan and what users regret ----------------- */

void rules_hotplug_plan(struct vm *vm, const struct plan_opts *po, struct findings *f)
{
	for (size_t i = 0; i < po->nhotplug; i++) {
		struct findings tmp = { 0 };
		struct backend *b;
		struct dimm *d;

		/* grown as vmconfig.c grows them: xgrow() is the only allocator of both */
		vm->dimms = xgrow(vm->dimms, vm->ndimms, sizeof(*vm->dimms));
		d = &vm->dimms[vm->ndimms];
		memset(d, 0, sizeof(*d));
		vm->ndimms++;
		d->kind = DK_PC_DIMM;
		d->hotplug = true;
		d->id = xasprintf("hotplug%zu", i);
		d->slot = -1;
		/* A hot-plugged DIMM on a memory-backend-ram: 2 MiB aligned. */
		vm->backends = xgrow(vm->backends, vm->nbackends, sizeof(*vm->backends));
		b = &vm->backends[vm->nbackends++];
		memset(b, 0, sizeof(*b));
		b->id = xasprintf("hotplug-mem%zu", i);
		b->qom_type = xstrdup("memory-backend-ram");
		b->kind = BK_RAM;
		b->size = po->hotplug[i];
		b->region_align = VMALLOC_ALIGN;
		b->created = true;
		/* vm->backends moved: re-point the placed DIMMs. */
		for (size_t k = 0; k < vm->ndimms; k++)
			if (vm->dimms[k].memdev)
				vm->dimms[k].be = vm_find_backend(vm, vm->dimms[k].memdev);
		d->memdev = xstrdup(b->id);
		if (dimm_pre_plug(vm, d, &tmp))
			dimm_realize(vm, d, &tmp);
		for (size_t k = 0; k < tmp.n; k++)
			WARN(f, "hotplug-fails", d->id, tmp.v[k].qemu,
			     "hot-plugging a %s DIMM would fail: %s", hsz(b->size),
			     tmp.v[k].message);
		findings_free(&tmp);
	}
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

void rules_regrets(struct vm *vm, const struct plan_opts *po, struct findings *f)
{
	for (size_t i = 0; i < vm->ndimms; i++) {
		struct dimm *d = &vm->dimms[i];
		struct backend *b = d->be;

		if (!d->placed || d->hotplug)
			continue;
		if (d->kind == DK_PC_DIMM &&
		    (d->assigned_addr % HOTPLUG_BLOCK || d->region_size % HOTPLUG_BLOCK))
			WARN(f, "dimm-block-align", d->id, NULL,
			     "pc-dimm at 0x%llx, %s: not on 128 MiB memory-block boundaries, so a Linux guest cannot online all of it (sizes and preceding NVDIMMs should be multiples of 128 MiB)",
			     (unsigned long long)d->assigned_addr, hsz(d->region_size));
		if (d->kind == DK_NVDIMM && b->kind != BK_FILE)
			WARN(f, "nvdimm-volatile-backend", d->id, NULL,
			     "%s is a %s: the NVDIMM's contents, labels included, are lost when QEMU exits; use memory-backend-file for persistent memory",
			     b->id, b->qom_type);
		if (d->kind != DK_NVDIMM || b->kind != BK_FILE)
			continue;
		if (!b->share && !b->is_rom)
			WARN(f, "nvdimm-share-off", d->id, NULL,
			     "%s has share=off: guest writes go to a private copy and never reach %s; %s",
			     b->id, b->mem_path,
			     vm->libvirt ? "set access='shared' on the <memory model='nvdimm'> device"
					 : "set share=on");
		if (b->discard_data)
			WARN(f, "nvdimm-discard-data", d->id, NULL,
			     "%s has discard-data=on: QEMU punches out the file's contents at exit, label area included",
			     b->id);
		if (b->readonly && !b->is_rom)
			WARN(f, "nvdimm-readonly-private", d->id, NULL,
			     "%s is readonly=on,rom=off: the guest writes to a private copy that is lost at exit",
			     b->id);
		if (d->has_label_size && !po->offline && b->file_exists && !b->is_dir &&
		    b->file_size >= d->label_offset + d->label_size) {
			unsigned char *buf = xmalloc(d->label_size);

			if (backend_read_at(backend_open_path(b), d->label_offset, buf, d->label_size) == 0 &&
			    !all_zero(buf, d->label_size) &&
			    memcmp(buf, "NAMESPACE_INDEX", 16) && memcmp(buf + 256, "NAMESPACE_INDEX", 16) &&
			    (d->label_size < 2 * 4096 || memcmp(buf + 4096, "NAMESPACE_INDEX", 16)))
				WARN(f, "nvdimm-label-area-data", d->id, NULL,
				     "the label area of %s (the last %s of its size, at file offset 0x%llx) holds data but no namespace index: a backend used before without labels loses its tail to the label area",
				     b->mem_path, hsz(d->label_size),
				     (unsigned long long)d->label_offset);
			free(buf);
		}
	}
}
