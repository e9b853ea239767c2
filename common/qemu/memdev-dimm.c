// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pc-dimm and nvdimm (hw/mem/pc-dimm.c, hw/mem/nvdimm.c): a slot each, ACPI
 * memory hotplug, a SRAT entry; the nvdimm also has an NFIT entry, a label
 * area at the end of its backend and the machine's nvdimm=on.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "memdev.h"
#include "report.h"
#include "rules-int.h"
#include "size.h"
#include "util.h"

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

static bool nvdimm_set_prop(struct vm *vm, struct memdev *d, const struct kv *e, uint64_t u,
			    bool b, struct findings *f)
{
	char *q;

	(void)vm;
	if (!strcmp(e->key, "label-size")) {
		if (u < MIN_LABEL_SIZE) {
			q = xasprintf("Property 'nvdimm.label-size' (0x%llx) is required at least 0x20000",
				      (unsigned long long)u);
			FAIL(f, "nvdimm-label-size-min", d->id, q,
			     "label-size must be at least 128 KiB (label-size=0 is refused too: leave it out for no labels)");
			free(q);
			return false;
		}
		d->label_size = u;
		d->has_label_size = true;
	} else if (!strcmp(e->key, "unarmed")) {
		d->unarmed = b;
	} else if (!strcmp(e->key, "uuid") && !uuid_wellformed(e->val)) {
		FAIL(f, "dimm-property-invalid", d->id, "Property 'nvdimm.uuid' has invalid value",
		     "uuid must look like 123e4567-e89b-12d3-a456-426614174000");
		return false;
	}
	return true;
}

/* pc_memory_pre_plug() / virt_memory_pre_plug(): ACPI, GED, nvdimm=on. */
static bool dimm_machine(struct vm *vm, struct memdev *d, struct findings *f, bool nvdimm)
{
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
		if (why && (vm->qver < QVER(10, 2) || !nvdimm)) {
			if (!vm->said_acpi_off)
				FAIL(f, vm->machine.acpi == TRI_OFF ? "machine-acpi-off" : "machine-no-ged",
				     d->id,
				     "memory hotplug is not enabled: missing acpi-ged device", "%s", why);
			vm->said_acpi_off = true;
			return false;
		}
		if (nvdimm && !vm->machine.nvdimm) {
			if (!vm->said_nvdimm_off)
				FAIL(f, "machine-nvdimm-off", d->id,
				     "nvdimm is not enabled: add 'nvdimm=on' to '-M'",
				     "add nvdimm=on to -machine");
			vm->said_nvdimm_off = true;
			return false;
		}
		return true;
	}
	if (vm->machine.acpi == TRI_OFF) {
		if (!vm->said_acpi_off)
			FAIL(f, "machine-acpi-off", d->id,
			     "memory hotplug is not enabled: missing acpi device or acpi disabled",
			     "%s", vm->libvirt ?
			     "DIMMs and NVDIMMs need ACPI: add <features><acpi/></features> to the domain" :
			     "DIMMs and NVDIMMs need ACPI: remove acpi=off / -no-acpi");
		vm->said_acpi_off = true;
		return false;
	}
	if (nvdimm && !vm->machine.nvdimm) {
		if (!vm->said_nvdimm_off)
			FAIL(f, "machine-nvdimm-off", d->id,
			     "nvdimm is not enabled: missing 'nvdimm' in '-M'",
			     "add nvdimm=on to -machine");
		vm->said_nvdimm_off = true;
		return false;
	}
	return true;
}

static bool pc_dimm_machine(struct vm *vm, struct memdev *d, struct findings *f)
{
	return dimm_machine(vm, d, f, false);
}

static bool nvdimm_machine(struct vm *vm, struct memdev *d, struct findings *f)
{
	return dimm_machine(vm, d, f, true);
}

/* nvdimm_prepare_memory_region(): pmem size, label location, ROM rule. */
static bool nvdimm_region(struct vm *vm, struct memdev *d, struct findings *f)
{
	struct backend *b = d->be;
	char *q;

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

/* pc_dimm_realize(): the node. */
static bool dimm_realize(struct vm *vm, struct memdev *d, struct findings *f)
{
	char *q;

	if ((vm->nnodes > 0 && d->node >= vm->nnodes) || (!vm->nnodes && d->node)) {
		q = xasprintf("'DIMM property node has value %llu' which exceeds the number of numa nodes: %d",
			      (unsigned long long)d->node, vm->nnodes ? (int)vm->nnodes : 1);
		FAIL(f, "dimm-node-range", d->id, q, "node must be below the number of -numa nodes");
		free(q);
		return false;
	}
	return true;
}

static void pc_dimm_regrets(struct vm *vm, struct memdev *d, const struct plan_opts *po,
			    struct findings *f)
{
	(void)vm;
	(void)po;
	if (d->assigned_addr % HOTPLUG_BLOCK || d->region_size % HOTPLUG_BLOCK)
		WARN(f, "dimm-block-align", d->id, NULL,
		     "pc-dimm at 0x%llx, %s: not on 128 MiB memory-block boundaries, so a Linux guest cannot online all of it (sizes and preceding NVDIMMs should be multiples of 128 MiB)",
		     (unsigned long long)d->assigned_addr, hsz(d->region_size));
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void nvdimm_regrets(struct vm *vm, struct memdev *d, const struct plan_opts *po,
			   struct findings *f)
{
	struct backend *b = d->be;

	if (b->kind != BK_FILE) {
		WARN(f, "nvdimm-volatile-backend", d->id, NULL,
		     "%s is a %s: the NVDIMM's contents, labels included, are lost when QEMU exits; use memory-backend-file for persistent memory",
		     b->id, b->qom_type);
		return;
	}
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
			     b->mem_path, hsz(d->label_size), (unsigned long long)d->label_offset);
		free(buf);
	}
}

static void nvdimm_print(struct out *o, const struct memdev *d)
{
	out_u64(o, "pmem_size", NULL, d->region_size);
	out_u64(o, "label_size", NULL, d->label_size);
	if (d->label_size) {
		char *s = size_human(d->label_size);

		out_u64(o, "label_offset", NULL, d->label_offset);
		out_text(o, "  %-9s 0x%-10llx", s, (unsigned long long)d->label_offset);
		free(s);
	} else {
		out_null(o, "label_offset", "  -         -           ");
	}
	out_bool(o, "unarmed", NULL, d->unarmed);
}

#define DIMM_PROPS                                                  \
	{ "addr", MP_UINT64, MR_ADDR, "0", 0 },                     \
	{ "memdev", MP_LINK, MR_MEMDEV, NULL, 0 },                  \
	{ "node", MP_UINT32, MR_NODE, "0", 0 },                     \
	{ "size", MP_READONLY, MR_NONE, NULL, 0 },                  \
	{ "slot", MP_INT32, MR_SLOT, "-1", 0 }

static const struct mprop pc_dimm_props[] = { DIMM_PROPS, { 0 } };

static const struct mprop nvdimm_props[] = {
	DIMM_PROPS,
	{ "label-size", MP_SIZE, MR_OWN, "0", 0 },
	{ "uuid", MP_STR, MR_OWN, NULL, 0 },
	{ "unarmed", MP_BOOL, MR_OWN, "off", 0 },
	{ 0 },
};

const struct memdev_type memdev_pc_dimm = {
	.driver = "pc-dimm",
	.qmp_type = "dimm",
	.owner = "pc-dimm",
	.libvirt_model = "dimm",
	.libvirt_alias = "dimm",
	.finding_prefix = "dimm",
	.props = pc_dimm_props,
	.targets = MEMDEV_ALL_TARGETS,
	.slot = true,
	.persistence = PM_VOLATILE,
	.machine_check = pc_dimm_machine,
	.realize = dimm_realize,
	.regrets = pc_dimm_regrets,
};

const struct memdev_type memdev_nvdimm = {
	.driver = "nvdimm",
	.qmp_type = "nvdimm",
	.owner = "nvdimm",
	.parent = "pc-dimm",
	.libvirt_model = "nvdimm",
	.libvirt_alias = "nvdimm",
	.finding_prefix = "dimm",
	.props = nvdimm_props,
	.targets = MEMDEV_ALL_TARGETS,
	.slot = true,
	.nfit = true,
	.srat = true,
	.persistence = PM_MAP_SYNC,
	.set_prop = nvdimm_set_prop,
	.machine_check = nvdimm_machine,
	.region = nvdimm_region,
	.realize = dimm_realize,
	.regrets = nvdimm_regrets,
	.print = nvdimm_print,
};
