// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cxl-type3 (hw/mem/cxl_type3.c): a CXL memory device on a cxl-rp root
 * port or a switch's cxl-downstream port. Its persistent backend
 * (persistent-memdev=, or memdev= as in 7.2, deprecated since) and its
 * volatile one (volatile-memdev=, 8.0 on) are not in the device-memory
 * region: the guest reaches them through a CXL fixed memory window of the
 * machine (cxl-fmw.N, cxl.c) once it programs the decoders, so the device
 * takes no slot and no maxmem. Its label storage area is a whole backend
 * of its own (lsa=). Checked against QEMU 7.2, 10.0 and 11.1; the
 * properties and messages new in 10.0 are assumed from 8.0.
 */
#include <stdlib.h>
#include <string.h>

#include "memdev.h"
#include "plan.h"
#include "report.h"
#include "rules-int.h"
#include "size.h"
#include "util.h"

static bool cxl_set_prop(struct vm *vm, struct memdev *d, const struct kv *e, uint64_t u, bool b,
			 struct findings *f)
{
	(void)vm, (void)u, (void)b, (void)f;
	if (!strcmp(e->key, "memdev")) {
		d->legacy_memdev = true;
		if (!d->both_memdevs) {
			free(d->memdev);
			d->memdev = xstrdup(e->val);
		}
	} else if (!strcmp(e->key, "persistent-memdev")) {
		d->both_memdevs = true;	/* persistent-memdev given; with memdev=, both */
		free(d->memdev);
		d->memdev = xstrdup(e->val);
	} else if (!strcmp(e->key, "volatile-memdev")) {
		free(d->vmemdev);
		d->vmemdev = xstrdup(e->val);
	} else if (!strcmp(e->key, "lsa")) {
		free(d->lsa);
		d->lsa = xstrdup(e->val);
	} else if (!strcmp(e->key, "sn")) {
		d->serial = u;
		d->has_serial = true;
	}
	return true;
}

/* host_memory_backend_is_mapped(), checked from 8.0 (7.2 only marks it) */
static bool cxl_claim(struct vm *vm, struct memdev *d, struct backend *b, struct findings *f)
{
	char *q;

	if (b->used && vm->qver >= MEMDEV_NEWER_THAN_7_2) {
		q = xasprintf("memory backend %s can't be used multiple times.", b->id);
		FAIL(f, "cxl-memdev-busy", d->id, q,
		     "%s is already used by another device, a NUMA node or the machine's RAM: give each its own backend",
		     b->id);
		free(q);
		return false;
	}
	b->used = true;
	return true;
}

/* cxl_setup_memory(), in its order */
static bool cxl_realize(struct vm *vm, struct memdev *d, struct findings *f)
{
	bool persistent = d->memdev != NULL;
	struct backend *vb = d->vmemdev ? vm_find_backend(vm, d->vmemdev) : NULL;
	struct backend *lb = d->lsa ? vm_find_backend(vm, d->lsa) : NULL;

	/* a link that names no usable backend is reported with the properties */
	if ((d->vmemdev && (!vb || !vb->created)) || (d->lsa && (!lb || !lb->created)))
		return false;
	if (vm->qver < MEMDEV_NEWER_THAN_7_2) {
		if (!persistent) {
			FAIL(f, "cxl-memdev-missing", d->id, "memdev property must be set",
			     "add memdev=ID of a memory-backend-file");
			return false;
		}
		d->be = vm_find_backend(vm, d->memdev);
		d->be->used = true;	/* 7.2 marks it mapped without looking */
		if (!d->lsa) {
			FAIL(f, "cxl-lsa-missing", d->id, "lsa property must be set",
			     "add lsa=ID of a second memory-backend-file (the label storage area)");
			return false;
		}
	} else {
		if (!persistent && !d->vmemdev) {
			FAIL(f, "cxl-memdev-missing", d->id, "at least one memdev property must be set",
			     "add persistent-memdev=ID (or volatile-memdev=ID)");
			return false;
		}
		if (d->legacy_memdev && d->both_memdevs) {
			FAIL(f, "cxl-memdev-conflict", d->id,
			     "[memdev] cannot be used with new [persistent-memdev] property",
			     "give persistent-memdev= only (memdev= is its deprecated name)");
			return false;
		}
		if (persistent && !d->lsa) {
			FAIL(f, "cxl-lsa-missing", d->id,
			     "lsa property must be set for persistent devices",
			     "add lsa=ID of a second memory-backend-file (the label storage area)");
			return false;
		}
		if (d->vmemdev) {
			d->vbe = vm_find_backend(vm, d->vmemdev);
			if (!cxl_claim(vm, d, d->vbe, f))
				return false;
		}
		if (persistent) {
			d->be = vm_find_backend(vm, d->memdev);
			if (!cxl_claim(vm, d, d->be, f))
				return false;
		}
	}
	if (d->lsa)
		d->lsa_be = vm_find_backend(vm, d->lsa);
	if (!d->be)
		d->be = d->vbe;
	d->region_size = (persistent ? vm_find_backend(vm, d->memdev)->size : 0) +
			 (d->vbe ? d->vbe->size : 0);
	return true;
}

/* The largest share of a window this device's host bridge gets (0: none). */
static uint64_t window_share(const struct vm *vm, const char *hb)
{
	uint64_t best = 0;

	for (size_t w = 0; vm->cxl.has_fmw && w < vm->cxl.nwindows; w++) {
		const struct cxl_window *cw = &vm->cxl.windows[w];

		for (size_t t = 0; t < cw->ntargets; t++)
			if (streq(cw->targets[t], hb) && cw->size / cw->ntargets > best)
				best = cw->size / cw->ntargets;
	}
	return best;
}

/* What QEMU starts but what loses the guest's data or cannot work. */
static void cxl_regrets(struct vm *vm, struct memdev *d, const struct plan_opts *po,
			struct findings *f)
{
	struct backend *b = d->memdev ? vm_find_backend(vm, d->memdev) : NULL;
	const char *hb = cxl_host_bridge_of(vm, d->dev_index);

	(void)po;
	if (b && b->kind != BK_FILE)
		WARN(f, "cxl-volatile-backend", d->id, NULL,
		     "%s is a %s: what the guest writes to the CXL persistent memory is lost when QEMU exits; use memory-backend-file,share=on",
		     b->id, b->qom_type);
	else if (b && !b->share)
		WARN(f, "cxl-share-off", d->id, NULL,
		     "%s has share=off: guest writes to the CXL persistent memory go to a private copy and never reach %s; set share=on",
		     b->id, b->mem_path);
	if (d->lsa_be && b && d->lsa_be == b)
		WARN(f, "cxl-lsa-same-backend", d->id, NULL,
		     "lsa=%s is the persistent memory's own backend: the labels overwrite the start of the data (and the data the labels); give the label area a backend of its own",
		     b->id);
	else if (d->lsa_be && (d->lsa_be->kind != BK_FILE || !d->lsa_be->share))
		WARN(f, "cxl-lsa-not-shared", d->id, NULL,
		     "the label area %s is %s: the labels the guest writes (namespaces, regions) are lost when QEMU exits; use memory-backend-file,share=on",
		     d->lsa_be->id,
		     d->lsa_be->kind != BK_FILE ? d->lsa_be->qom_type : "a file with share=off");
	if (d->legacy_memdev && vm->qver >= MEMDEV_NEWER_THAN_7_2)
		WARN(f, "cxl-memdev-deprecated", d->id, NULL,
		     "memdev= is deprecated for cxl-type3 (QEMU 8.0 on): write persistent-memdev=%s",
		     d->memdev);
	if (!hb)
		return;
	if (!window_share(vm, hb))
		WARN(f, "cxl-no-window", d->id, NULL,
		     "no CXL fixed memory window targets host bridge %s: the guest sees the device but cannot map its memory; add -M cxl-fmw.N.targets.0=%s,cxl-fmw.N.size=SIZE (256 MiB multiple, at least %s)",
		     hb, hb, hsz(ALIGN_UP(d->region_size, 256ULL << 20)));
	else if (window_share(vm, hb) < d->region_size)
		WARN(f, "cxl-window-small", d->id, NULL,
		     "the largest window share host bridge %s gets is %s, less than the device's %s: the guest can map only part of it; make cxl-fmw.N.size at least %s times the targets",
		     hb, hsz(window_share(vm, hb)), hsz(d->region_size),
		     hsz(ALIGN_UP(d->region_size, 256ULL << 20)));
}

static void cxl_print(struct out *o, const struct memdev *d)
{
	out_str(o, "lsa", NULL, d->lsa);
	out_u64(o, "lsa_size", NULL, d->lsa_be ? d->lsa_be->size : 0);
	out_str(o, "persistent_memdev", NULL, d->memdev);
	out_str(o, "volatile_memdev", NULL, d->vmemdev);
	out_text(o, "  %-9s %-12s", "lsa", d->lsa ? d->lsa : "-");
}

static const struct mprop cxl_type3_props[] = {
	{ "acpi-index", MP_UINT32, MR_NONE, "0", 0 },
	{ "addr", MP_ANY, MR_NONE, NULL, 0 },
	{ "bus", MP_ANY, MR_NONE, NULL, 0 },
	{ "busnr", MP_ANY, MR_NONE, NULL, MEMDEV_NEWER_THAN_7_2 },
	{ "cdat", MP_STR, MR_NONE, NULL, 0 },
	{ "failover_pair_id", MP_STR, MR_NONE, NULL, 0 },
	{ "hdm-db", MP_BOOL, MR_NONE, "off", QVER(11, 0) },
	{ "lsa", MP_LINK, MR_OWN, NULL, 0 },
	{ "memdev", MP_LINK, MR_OWN, NULL, 0 },
	{ "multifunction", MP_BOOL, MR_NONE, "off", 0 },
	{ "num-dc-regions", MP_ANY, MR_NONE, "0", MEMDEV_NEWER_THAN_7_2 },
	{ "persistent-memdev", MP_LINK, MR_OWN, NULL, MEMDEV_NEWER_THAN_7_2 },
	{ "rombar", MP_ANY, MR_NONE, "1", 0 },
	{ "romfile", MP_STR, MR_NONE, NULL, 0 },
	{ "romsize", MP_UINT32, MR_NONE, NULL, 0 },
	{ "sn", MP_UINT64, MR_OWN, NULL, 0 },
	{ "sriov-pf", MP_STR, MR_NONE, NULL, QVER(11, 0) },
	{ "volatile-dc-memdev", MP_LINK, MR_NONE, NULL, MEMDEV_NEWER_THAN_7_2 },
	{ "volatile-memdev", MP_LINK, MR_OWN, NULL, MEMDEV_NEWER_THAN_7_2 },
	{ "x-256b-flit", MP_BOOL, MR_NONE, "off", QVER(11, 0) },
	{ "x-max-bounce-buffer-size", MP_ANY, MR_NONE, NULL, MEMDEV_NEWER_THAN_7_2 },
	{ "x-pcie-ari-nextfn-1", MP_BOOL, MR_NONE, "off", MEMDEV_NEWER_THAN_7_2 },
	{ "x-pcie-err-unc-mask", MP_BOOL, MR_NONE, "on", MEMDEV_NEWER_THAN_7_2 },
	{ "x-pcie-ext-tag", MP_BOOL, MR_NONE, "on", MEMDEV_NEWER_THAN_7_2 },
	{ "x-pcie-extcap-init", MP_BOOL, MR_NONE, "on", 0 },
	{ "x-pcie-lnksta-dllla", MP_BOOL, MR_NONE, "on", 0 },
	{ "x-speed", MP_ANY, MR_NONE, "32", MEMDEV_NEWER_THAN_7_2 },
	{ "x-width", MP_ANY, MR_NONE, "16", MEMDEV_NEWER_THAN_7_2 },
	{ 0 },
};

const struct memdev_type memdev_cxl_type3 = {
	.driver = "cxl-type3",
	.owner = "cxl-type3",
	.finding_prefix = "cxl",
	.props = cxl_type3_props,
	.targets = MEMDEV_ALL_TARGETS,	/* qemu-system-aarch64 has it too (7.2, 11.1 seen) */
	.pci = true,
	.own_window = true,
	.persistence = PM_MAP_SYNC,
	.set_prop = cxl_set_prop,
	.realize = cxl_realize,
	.regrets = cxl_regrets,
	.print = cxl_print,
};
