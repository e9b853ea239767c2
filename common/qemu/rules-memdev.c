// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QEMU's rules for every memory device, in its order, the type's own steps
 * taken from its row of memdev_types[] (memdev.h): the PCI bus, the
 * properties, the machine's pre-plug, the slot (DIMMs),
 * memory_device_pre_plug() (region, space, address), realize (the type's
 * own checks, busy memdev); then the hot-plug plan and, per type, the
 * warnings for what QEMU accepts but loses data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "memdev.h"
#include "qapi.h"
#include "qemu-caps.h"
#include "rules-int.h"
#include "size.h"
#include "util.h"

/* ---- devices ------------------------------------------------------------- */

/*
 * The property as this QEMU has it: the binary's -device TYPE,help when it was
 * asked (its answer wins; the type's table still says how to read the value),
 * else the release table's.
 */
static const struct mprop *memdev_prop_of_binary(struct vm *vm, const struct memdev_type *t,
						 const char *name)
{
	const struct mprop *p = memdev_prop(t, name, vm->qver);
	int has = vm->caps ? qemu_caps_prop(vm->caps, t->driver, name) : -1;

	if (has < 0 || has == (p != NULL))
		return p;
	if (!has) {
		vm_caps_differs(vm, "its %s has no property %s", t->driver, name);
		return NULL;
	}
	p = memdev_prop(t, name, QVER_NEWEST);
	if (p)
		vm_caps_differs(vm, "its %s has property %s", t->driver, name);
	return p;
}

/*
 * One property, read as the type's table says: from -device (keyval or
 * JSON) or, for a -global (ctx QAPI_GLOBAL), as the string input visitor
 * reads it. False when QEMU refuses it (the finding is added).
 */
static bool memdev_prop_set(struct vm *vm, struct memdev *d, const struct kv *e,
			    enum qapi_ctx ctx, struct findings *f)
{
	const struct memdev_type *t = d->type;
	const struct mprop *p;
	const char *obj = d->id;
	char *err = NULL, *q = NULL, *w = NULL;
	uint64_t u = 0;
	int64_t i = 0;
	bool b = false, got = true;

	p = memdev_prop_of_binary(vm, t, e->key);
	if (!p) {
		q = xasprintf("Property '%s.%s' not found", t->driver, e->key);
		FAIL(f, memdev_fid(d, "property-unknown"), obj, q, "%s has no property '%s'",
		     t->driver, e->key);
		free(q);
		return false;
	}
	switch (p->type) {
	case MP_LINK:
	case MP_STR:
		got = qapi_get_str(e, &err);
		break;
	case MP_INT32:
		got = qapi_get_int(e, ctx, INT32_MIN, INT32_MAX, &i, &err);
		break;
	case MP_UINT32:
		got = qapi_get_uint(e, ctx, UINT32_MAX, &u, &err);
		break;
	case MP_UINT64:
		got = qapi_get_uint(e, ctx, UINT64_MAX, &u, &err);
		break;
	case MP_SIZE:
		got = qapi_get_size(e, ctx, vm->qver, &u, &err, &w);
		if (w)
			warn_hex_suffix(f, obj, w);
		free(w);
		break;
	case MP_BOOL:
		got = qapi_get_bool(e, &b, &err);
		break;
	case MP_READONLY:
		q = xasprintf("Property '%s.%s' is not writable", t->owner, e->key);
		FAIL(f, memdev_fid(d, "property-readonly"), obj, q,
		     "%s's %s comes from its memdev: set size= on the backend", t->driver, e->key);
		free(q);
		return false;
	case MP_ANY:
		break;
	}
	if (!got) {
		FAIL(f, memdev_fid(d, "property-invalid"), obj, err, "bad value for %s", e->key);
		free(err);
		return false;
	}
	/*
	 * A link to a backend (memdev=, and a type's own such as lsa=): the object
	 * must exist and be one. The device's memdev is the name it gave even
	 * when refused: its refusal said, nothing follows from it.
	 */
	if (p->role == MR_MEMDEV) {
		free(d->memdev);
		d->memdev = xstrdup(e->val);
	}
	if (p->type == MP_LINK && (p->role == MR_MEMDEV || p->role == MR_OWN)) {
		if (vm_failed_object(vm, e->val))
			return false;	/* its -object's failure is reported */
		if (!vm_find_backend(vm, e->val) && vm_other_object(vm, e->val)) {
			q = xasprintf("Invalid parameter type for '%s', expected: memory-backend",
				      e->key);
			FAIL(f, memdev_fid(d, "memdev-type"), obj, q, "%s=%s is not a memory backend",
			     e->key, e->val);
			free(q);
			return false;
		}
		if (!vm_find_backend(vm, e->val)) {
			q = xasprintf("Device '%s' not found", e->val);
			FAIL(f, memdev_fid(d, "memdev-unknown"), obj, q,
			     "%s=%s names no memory backend (-object memory-backend-*,id=%s)",
			     e->key, e->val, e->val);
			free(q);
			return false;
		}
	}
	switch (p->role) {
	case MR_MEMDEV:
		break;
	case MR_SLOT:
		d->slot = i;
		break;
	case MR_ADDR:
		d->addr = u;
		break;
	case MR_NODE:
		d->node = u;
		break;
	case MR_OWN:
		return t->set_prop(vm, d, e, u, b, f);
	case MR_NONE:
		break;
	}
	return true;
}

/*
 * -global DRIVER.PROPERTY=VALUE reaches a device whose type is DRIVER or
 * derives from it (object_dynamic_cast(): the parent type, the
 * memory-device interface).
 */
static bool global_applies(const struct memdev_type *t, const char *driver)
{
	return !strcmp(driver, t->driver) || (t->parent && !strcmp(driver, t->parent)) ||
	       !strcmp(driver, "memory-device");
}

/*
 * The property's failure (the fail finding added since from) as QEMU reports
 * it for a global: global-invalid, QEMU's text prefixed "can't apply global
 * D.P=V: ", the explanation keeping the property's own finding id.
 */
static void global_fail(struct findings *f, size_t from, const struct vglobal *g)
{
	char *qemu = NULL, *msg = NULL, *obj = NULL;

	for (size_t i = from; i < f->n; i++) {
		struct finding *x = &f->v[i];

		if (x->level != LEVEL_FAIL)
			continue;
		qemu = xasprintf("can't apply global %s.%s=%s: %s", g->driver, g->prop, g->value,
				 x->qemu ? x->qemu : "");
		msg = xasprintf("-global %s.%s=%s: %s (as for %s)", g->driver, g->prop, g->value,
				x->message, x->id);
		obj = x->object;
		free(x->id);
		free(x->message);
		free(x->qemu);
		memmove(x, x + 1, (f->n - i - 1) * sizeof(*x));
		f->n--;
		break;
	}
	if (!qemu)
		return;
	finding_add(f, LEVEL_FAIL, "global-invalid", obj, qemu, "%s", msg);
	free(qemu);
	free(msg);
	free(obj);
}

/*
 * The globals, in command-line order, when the device object is created
 * (device_post_init()), so before its own properties, which override them.
 * A global QEMU refuses ends QEMU (error_fatal) even when the device sets
 * the property itself: "can't apply global D.P=V: " and the setter's error.
 */
static bool memdev_globals(struct vm *vm, struct memdev *d, struct findings *f)
{
	for (size_t k = 0; k < vm->nglobals; k++) {
		const struct vglobal *g = &vm->globals[k];
		struct kv e = { .key = g->prop, .val = g->value, .type = KV_STRING };
		size_t from = f->n;

		if (!global_applies(d->type, g->driver))
			continue;
		if (memdev_prop_set(vm, d, &e, QAPI_GLOBAL, f))
			continue;
		global_fail(f, from, g);
		return false;
	}
	return true;
}

/* Properties, set in QDict order before realize, read as the type's table says. */
static bool memdev_props(struct vm *vm, struct memdev *d, struct findings *f)
{
	/* After a global QEMU refuses, the device's own are read still: no follow-on noise. */
	bool ok = memdev_globals(vm, d, f);
	size_t *idx;

	idx = xcalloc(d->props.n + 1, sizeof(*idx));
	qdict_order(&d->props, idx);
	for (size_t k = 0; k < d->props.n; k++) {
		const struct kv *e = &d->props.v[idx[k]];

		if (!strcmp(e->key, "driver") || !strcmp(e->key, "id"))
			continue;
		if (!memdev_prop_set(vm, d, e, QAPI_DEVICE, f))
			ok = false;
	}
	free(idx);
	return ok;
}

static void no_window(struct vm *vm, struct memdev *d, struct findings *f)
{
	const char *fix = d->type->slot
				  ? "DIMMs need -m ...,slots=N,maxmem=M with maxmem above the RAM size"
				  : "memory devices need -m ...,maxmem=M with maxmem above the RAM size by their sizes";

	if (vm->qver >= QVER(8, 1))
		FAIL(f, "mem-no-window", d->id,
		     "the configuration is not prepared for memory devices (e.g., for memory hotplug), consider specifying the maxmem option",
		     "%s", fix);
	else if (d->type->slot)
		FAIL(f, "mem-no-window", d->id,
		     "memory devices (e.g. for memory hotplug) are not supported by the machine", "%s",
		     fix);
	else
		FAIL(f, "mem-no-window", d->id,
		     "memory devices (e.g. for memory hotplug) are not enabled, please specify the maxmem option",
		     "%s", fix);
}

/* memory_device_pre_plug(): space, then memory_device_get_free_addr(). */
static bool memdev_address(struct vm *vm, struct memdev *d, struct findings *f)
{
	const struct memdev *conflict = NULL;
	uint64_t used, avail, align = d->align;
	enum addr_result r;
	char *q;

	if (!vm->has_window) {
		no_window(vm, d, f);
		return false;
	}
	if (vm->window_base % align) {
		q = xasprintf("the alignment (0x%llx) exceeds the expected maximum alignment, memory will get fragmented and not all 'maxmem' might be usable for memory devices.",
			      (unsigned long long)align);
		WARN(f, memdev_fid(d, "align-fragments"), d->id, q,
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
	r = layout_find_addr(vm, d->addr, align, d->size_align ? d->size_align : align,
			     d->region_size, &d->assigned_addr, &conflict);
	switch (r) {
	case ADDR_OK:
		d->has_addr = true;
		return true;
	case ADDR_UNALIGNED:
		q = xasprintf("address must be aligned to 0x%llx bytes", (unsigned long long)align);
		FAIL(f, memdev_fid(d, "addr-unaligned"), d->id, q, "%s must be a multiple of %s",
		     d->type->slot ? "addr" : "memaddr", hsz(align));
		break;
	case ADDR_SIZE_UNALIGNED:
		align = d->size_align ? d->size_align : align;
		q = xasprintf("backend memory size must be multiple of 0x%llx", (unsigned long long)align);
		FAIL(f, memdev_fid(d, "size-unaligned"), d->id, q,
		     "the backend size must be a multiple of %s", hsz(align));
		break;
	case ADDR_OUTSIDE:
		q = xasprintf("can't add memory device [0x%llx:0x%llx], usable range for memory devices [0x%llx:0x%llx]",
			      (unsigned long long)d->addr, (unsigned long long)d->region_size,
			      (unsigned long long)vm->window_base, (unsigned long long)vm->window_size);
		FAIL(f, memdev_fid(d, "addr-outside"), d->id, q,
		     "%s must lie inside the device-memory window", d->type->slot ? "addr" : "memaddr");
		break;
	case ADDR_TOO_BIG:
		q = xstrdup("can't add memory device, device too big");
		FAIL(f, memdev_fid(d, "too-big"), d->id, q, "the device does not fit the window");
		break;
	case ADDR_CONFLICT:
		q = xasprintf("address range conflicts with memory device id='%s'", memdev_name(conflict));
		FAIL(f, memdev_fid(d, "addr-conflict"), d->id, q, "%s overlaps %s",
		     d->type->slot ? "addr" : "memaddr", memdev_name(conflict));
		break;
	default:
		q = xstrdup("could not find position in guest address space for memory device - memory fragmented due to alignments");
		FAIL(f, memdev_fid(d, "fragmented"), d->id, q,
		     "no gap of the window fits: alignment holes; raise maxmem or reorder");
		break;
	}
	free(q);
	return false;
}

/* The slot of a DIMM (pc_dimm_pre_plug()). */
static bool memdev_slot(struct vm *vm, struct memdev *d, struct findings *f)
{
	char *q;

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
			     memdev_name(layout_slot_user(vm, d->slot)));
			free(q);
			return false;
		}
		d->assigned_slot = d->slot;
		return true;
	}
	d->assigned_slot = layout_free_slot(vm);
	if (d->assigned_slot < 0) {
		FAIL(f, "mem-no-free-slot", d->id, "no free slots available",
		     "all %llu slots are used: raise slots", (unsigned long long)vm->mem.slots);
		return false;
	}
	return true;
}

/*
 * The machine's pre-plug (pc_memory_pre_plug(), virt_memory_pre_plug(),
 * pc_virtio_md_pci_pre_plug()), then memory_device_pre_plug(). QEMU 8.1
 * moved the window check of memory_device_pre_plug() before the memdev is
 * looked at (7.2: memdev first, 10.0: window first; releases in between
 * not checked).
 */
static bool memdev_pre_plug(struct vm *vm, struct memdev *d, struct findings *f)
{
	const struct memdev_type *t = d->type;
	struct backend *b;
	bool ok = true;

	if (t->machine_check && !t->machine_check(vm, d, f))
		ok = false;	/* machine-wide: said once, the device's own checks go on */
	if (t->own_window)
		return ok;
	if (t->slot && !memdev_slot(vm, d, f))
		return false;
	if (!t->slot)
		d->assigned_slot = -1;
	if (!t->slot && vm->qver >= QVER(8, 1) && !vm->has_window) {
		no_window(vm, d, f);
		return false;
	}
	if (!d->memdev) {
		FAIL(f, memdev_fid(d, "memdev-missing"), d->id, "'memdev' property must be set",
		     "add memdev=ID of a memory backend");
		return false;
	}
	b = vm_find_backend(vm, d->memdev);
	d->be = b;
	d->align = b->region_align;
	d->region_size = b->size;
	if (t->region && !t->region(vm, d, f))
		return false;
	return memdev_address(vm, d, f) && ok;
}

/* realize: the type's own checks, the node, the busy memdev; then plugged. */
static bool memdev_realize(struct vm *vm, struct memdev *d, struct findings *f)
{
	if (d->type->realize && !d->type->realize(vm, d, f))
		return false;
	if (d->type->own_window) {
		d->placed = true;	/* plugged, outside the device-memory region */
		return true;
	}
	if (!memdev_claim_backend(d, f))
		return false;
	layout_place(vm, d);
	return true;
}

/* A machine without a PCI bus refuses a PCI device as it creates it. */
static bool machine_has_pci(const struct vm *vm)
{
	switch (vm->machine.family) {
	case MF_PC:
	case MF_Q35:
	case MF_VIRT:
		return true;
	case MF_MICROVM:
		/* pcie=on gives microvm a PCIe host bridge; its default has none */
		return streq(kv_get(&vm->machine.props, "pcie"), "on");
	default:
		return false;
	}
}

/*
 * QEMU stops at the first device it refuses; we go on with the others, as
 * if the refused one were not there, to report every problem at once.
 */
void rules_devices(struct vm *vm, struct findings *f)
{
	for (size_t i = 0; i < vm->nmemdevs; i++) {
		struct memdev *d = &vm->memdevs[i];
		struct backend *b;
		size_t before = f->n;

		/* the CXL bridges and ports given before it are created first */
		cxl_devices_until(vm, d->dev_index, f);
		if (!(d->type->targets & (1u << vm->target))) {
			char *q = xasprintf("'%s' is not a valid device model name", d->type->driver);

			FAIL(f, memdev_fid(d, "driver-unknown"), d->id, q,
			     "qemu-system-%s has no %s", vm->target == TARGET_AARCH64 ? "aarch64" : "x86_64",
			     d->type->driver);
			free(q);
			d->refused = true;
			continue;
		}
		if (d->type->pci && !machine_has_pci(vm)) {
			char *q = xasprintf("No 'PCI' bus found for device '%s'", d->type->driver);

			FAIL(f, memdev_fid(d, "no-pci-bus"), d->id, q,
			     "machine %s has no PCI bus for %s: use pc or q35%s", vm->machine.type,
			     d->type->driver,
			     vm->machine.family == MF_MICROVM ? " (or microvm,pcie=on)" : "");
			free(q);
			d->refused = true;
			continue;
		}
		/* qdev_device_add(): the bus first; the bus takes it once its properties are set */
		if (d->type->pci && !cxl_bus_lookup(vm, d->dev_index, d, f)) {
			d->refused = vm->devices[d->dev_index].refused = true;
			continue;
		}
		memdev_props(vm, d, f);
		b = d->memdev ? vm_find_backend(vm, d->memdev) : NULL;
		if (d->memdev && (!b || !b->created)) {
			d->refused = true;
			continue;	/* reported already */
		}
		if (d->type->pci &&
		    !cxl_bus_accepts(vm, d->dev_index, d, f)) {
			d->refused = vm->devices[d->dev_index].refused = true;
			continue;
		}
		/* A refused device is still placed, to find what comes after it. */
		memdev_pre_plug(vm, d, f);
		/* pci_qdev_realize(): the devfn, before the device's own realize */
		if (d->type->pci && !findings_failed_since(f, before) &&
		    !cxl_bus_devfn_check(vm, d->dev_index, d, f))
			d->refused = vm->devices[d->dev_index].refused = true;
		else if (d->has_addr || d->type->own_window)
			memdev_realize(vm, d, f);
		if (findings_failed_since(f, before))
			d->refused = vm->devices[d->dev_index].refused = true;
		else
			cxl_port_slot_check(vm, d->dev_index, d, f);
	}
	cxl_devices_until(vm, vm->ndevices, f);
}

/* ---- after the start: hot-plug plan and what users regret ----------------- */

void rules_hotplug_plan(struct vm *vm, const struct plan_opts *po, struct findings *f)
{
	for (size_t i = 0; i < po->nhotplug; i++) {
		struct findings tmp = { 0 };
		struct backend *b;
		struct memdev *d;

		/* grown as vmconfig.c grows them: xgrow() is the only allocator of both */
		vm->memdevs = xgrow(vm->memdevs, vm->nmemdevs, sizeof(*vm->memdevs));
		d = &vm->memdevs[vm->nmemdevs];
		memset(d, 0, sizeof(*d));
		vm->nmemdevs++;
		d->type = &memdev_pc_dimm;
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
		for (size_t k = 0; k < vm->nmemdevs; k++)
			if (vm->memdevs[k].memdev)
				vm->memdevs[k].be = vm_find_backend(vm, vm->memdevs[k].memdev);
		d->memdev = xstrdup(b->id);
		if (memdev_pre_plug(vm, d, &tmp))
			memdev_realize(vm, d, &tmp);
		for (size_t k = 0; k < tmp.n; k++)
			WARN(f, "hotplug-fails", d->id, tmp.v[k].qemu,
			     "hot-plugging a %s DIMM would fail: %s", hsz(b->size),
			     tmp.v[k].message);
		findings_free(&tmp);
	}
}

void rules_regrets(struct vm *vm, const struct plan_opts *po, struct findings *f)
{
	for (size_t i = 0; i < vm->nmemdevs; i++) {
		struct memdev *d = &vm->memdevs[i];

		if (d->placed && !d->hotplug && d->type->regrets)
			d->type->regrets(vm, d, po, f);
	}
}
