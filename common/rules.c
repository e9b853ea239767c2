// SPDX-License-Identifier: GPL-2.0-or-later
#include "rules.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "layout.h"
#include "qapi.h"
#include "qemu-backend.h"
#include "size.h"
#include "util.h"

#define MIN_LABEL_SIZE 0x20000ULL	/* MIN_NAMESPACE_LABEL_SIZE */
#define MAX_RAM_SLOTS 256		/* ACPI_MAX_RAM_SLOTS */
#define HOST_PAGE 4096ULL
#define VMALLOC_ALIGN (2ULL << 20)	/* QEMU_VMALLOC_ALIGN on x86-64 hosts */
#define AMD_HT_START 0xfd00000000ULL
#define AMD_ABOVE_1TB_START 0x10000000000ULL
#define HOTPLUG_BLOCK (128ULL << 20)	/* Linux memory block on x86-64 */

/* A refusal: QEMU stops here, so later checks see a VM QEMU never builds. */
#define FAIL(f, id, obj, qemu, ...) finding_add(f, LEVEL_FAIL, id, obj, qemu, __VA_ARGS__)
#define WARN(f, id, obj, qemu, ...) finding_add(f, LEVEL_WARN, id, obj, qemu, __VA_ARGS__)
#define INFO(f, id, obj, qemu, ...) finding_add(f, LEVEL_INFO, id, obj, qemu, __VA_ARGS__)

/*
 * A size for our own messages, exact where it can be ("1023.88 MiB", not
 * QEMU's "1 GiB"). A ring of static buffers: several may sit in one message.
 */
static const char *hsz(uint64_t v)
{
	static char ring[8][32];
	static unsigned int next;
	char *s = size_human(v), *slot = ring[next++ % 8];

	snprintf(slot, sizeof(ring[0]), "%s", s);
	free(s);
	return slot;
}

static bool kv_bool_on(const struct kvlist *kv, const char *key)
{
	const struct kv *e = kv_find(kv, key);
	char *err = NULL;
	bool b = false;

	if (e && !qapi_get_bool(e, &b, &err))
		free(err);
	return b;
}

static bool failed(const struct findings *f)
{
	return findings_count(f, LEVEL_FAIL) > 0;
}

/* ---- machine ---------------------------------------------------------- */

/* The oldest versioned machine types each QEMU release still has. */
static qver_t oldest_type(qver_t qver, enum machine_family fam)
{
	if (fam == MF_Q35)
		return qver >= QVER(10, 1) ? QVER(2, 6) : QVER(2, 4);
	if (qver >= QVER(10, 1))
		return QVER(2, 6);
	if (qver >= QVER(10, 0))
		return QVER(2, 4);
	if (qver >= QVER(9, 1))
		return QVER(2, 3);
	if (qver >= QVER(9, 0))
		return QVER(2, 0);
	return QVER(1, 4);
}

/* The QOM type whose properties -machine sets: "pc-i440fx-7.2-machine". */
static char *machine_qom_type(const struct vm *vm)
{
	const struct machine *m = &vm->machine;
	int v = vm->qver;

	if (!strcmp(m->type, "pc"))
		return xasprintf("pc-i440fx-%d.%d-machine", v / 100, v % 100);
	if (!strcmp(m->type, "q35"))
		return xasprintf("pc-q35-%d.%d-machine", v / 100, v % 100);
	if (!strcmp(m->type, "virt"))
		return xasprintf("virt-%d.%d-machine", v / 100, v % 100);
	return xasprintf("%s-machine", m->type);
}

static void machine_select(struct vm *vm, struct findings *f)
{
	struct machine *m = &vm->machine;
	const char *t = kv_get(&m->props, "type");
	qver_t v;

	m->type = xstrdup(t ? t : vm->target == TARGET_AARCH64 ? "" : "pc");
	m->known = true;
	m->type_version = vm->qver;
	if (vm->target == TARGET_AARCH64) {
		/* qemu-system-aarch64: virt (the reference's arm model), and no default. */
		m->family = MF_VIRT;
		if (!t) {
			m->known = false;
			FAIL(f, "machine-type-missing", NULL,
			     "No machine specified, and there is no default",
			     "qemu-system-aarch64 needs -machine virt,...");
			return;
		}
		if (str_startswith(m->type, "virt-")) {
			v = qver_parse(m->type + 5);
			if (v < QVER(2, 6) || v > vm->qver)
				m->known = false;
			m->type_version = v;
		} else if (strcmp(m->type, "virt")) {
			m->known = false;
		}
	} else if (!strcmp(m->type, "pc")) {
		m->family = MF_PC;
	} else if (!strcmp(m->type, "q35")) {
		m->family = MF_Q35;
	} else if (str_startswith(m->type, "pc-i440fx-") || str_startswith(m->type, "pc-q35-")) {
		const char *ver = strrchr(m->type, '-') + 1;

		m->family = m->type[3] == 'q' ? MF_Q35 : MF_PC;
		v = qver_parse(ver);
		/* pc-q35-4.0.1 is the one micro-versioned type */
		if (v < 0 || (strchr(strchr(ver, '.') + 1, '.') && strcmp(ver, "4.0.1")) ||
		    v > vm->qver || v < oldest_type(vm->qver, m->family))
			m->known = false;
		m->type_version = v;
	} else if (!strcmp(m->type, "isapc")) {
		m->family = MF_ISAPC;
	} else if (!strcmp(m->type, "microvm")) {
		m->family = MF_MICROVM;
	} else if (!strcmp(m->type, "none") || !strcmp(m->type, "x-remote")) {
		m->family = MF_NONE;
	} else {
		m->family = MF_OTHER;
		m->known = false;
	}
	if (!m->known) {
		char *q = vm->qver >= QVER(8, 2)
				  ? xasprintf("unsupported machine type: \"%s\"", m->type)
				  : xstrdup("unsupported machine type");

		FAIL(f, "machine-type-unknown", NULL, q,
		     "QEMU %d.%d has no machine type '%s' (see 'qemu-system-x86_64 -machine help')",
		     vm->qver / 100, vm->qver % 100, m->type);
		free(q);
	}
}

/* machine_set_mem(): -m as the machine's "memory" property (7.1+), or vl.c before. */
static void machine_memory(struct vm *vm, struct findings *f)
{
	struct memory *m = &vm->mem;
	bool new_msgs = vm->qver >= QVER(7, 1);
	char *q;

	if (!m->has_size)
		m->size = 128 * MiB;
	m->size = ALIGN_UP(m->size, 8192);
	if (!m->has_maxmem) {
		if (m->has_slots) {
			FAIL(f, "mem-slots-without-maxmem", NULL,
			     new_msgs ? "slots specified but no max-size"
				      : "invalid -m option value: missing 'maxmem' option",
			     "-m has slots=%llu but no maxmem: add maxmem=SIZE (RAM plus all DIMMs)",
			     (unsigned long long)m->slots);
			m->maxmem = 0;
			return;
		}
		m->maxmem = m->size;
		return;
	}
	if (m->maxmem < m->size) {
		q = xasprintf("invalid value of %s: maximum memory size (0x%llx) must be at least the initial memory size (0x%llx)",
			      new_msgs ? "maxmem" : "-m option maxmem",
			      (unsigned long long)m->maxmem, (unsigned long long)m->size);
		FAIL(f, "mem-maxmem-below-size", NULL, q,
		     "maxmem must be at least the RAM size");
		free(q);
		m->maxmem = 0;
		return;
	}
	if (m->has_slots && m->slots && m->maxmem == m->size) {
		q = xasprintf("invalid value of %s: memory slots were specified but maximum memory size (0x%llx) is equal to the initial memory size (0x%llx)",
			      new_msgs ? "maxmem" : "-m option maxmem",
			      (unsigned long long)m->maxmem, (unsigned long long)m->size);
		FAIL(f, "mem-maxmem-equals-size", NULL, q,
		     "with slots, maxmem must exceed the RAM size by the DIMMs' sizes");
		free(q);
		m->maxmem = 0;
	}
}

static void machine_props(struct vm *vm, struct findings *f)
{
	struct machine *mc = &vm->machine;
	struct kvlist order_kv = mc->props;
	size_t n = mc->props.n, *idx;
	bool has_memory = vm->mem.arg != NULL;
	char *qom_type = machine_qom_type(vm);

	/* -m is merged into the machine options as "memory", after -machine's keys. */
	order_kv.v = xcalloc(n + 1, sizeof(*order_kv.v));
	if (n)
		memcpy(order_kv.v, mc->props.v, n * sizeof(*order_kv.v));
	if (has_memory)
		order_kv.v[n++].key = "memory";
	order_kv.n = n;
	idx = xcalloc(n + 1, sizeof(*idx));
	qdict_order(&order_kv, idx);

	for (size_t k = 0; k < n; k++) {
		const struct kv *e = &order_kv.v[idx[k]];
		char *err = NULL;
		bool b;

		if (!strcmp(e->key, "memory")) {
			machine_memory(vm, f);
		} else if (!strcmp(e->key, "oem-id") || !strcmp(e->key, "oem-table-id") ||
			   ((!strcmp(e->key, "nvdimm") || !strcmp(e->key, "nvdimm-persistence")) &&
			    mc->family != MF_PC && mc->family != MF_Q35 && mc->family != MF_VIRT)) {
			/* QEMU calls them x-oem-id and x-oem-table-id. */
			char *q = xasprintf("Property '%s.%s' not found", qom_type, e->key);

			FAIL(f, "machine-property-unknown", NULL, q, "%s",
			     str_startswith(e->key, "oem") ? "the property is x-oem-id / x-oem-table-id"
							 : "this machine type has no NVDIMM support: use pc or q35");
			free(q);
		} else if (!strcmp(e->key, "nvdimm")) {
			if (!qapi_get_bool(e, &b, &err)) {
				FAIL(f, "machine-option-invalid", NULL, err, "nvdimm= takes on or off");
				free(err);
			} else {
				mc->nvdimm = b;
			}
		} else if (!strcmp(e->key, "nvdimm-persistence")) {
			if (strcmp(e->val, "cpu") && strcmp(e->val, "mem-ctrl")) {
				char *q = xasprintf("-machine nvdimm-persistence=%s: unsupported option", e->val);

				FAIL(f, "machine-persistence-invalid", NULL, q,
				     "nvdimm-persistence takes cpu or mem-ctrl");
				free(q);
			}
			free(mc->persistence);
			mc->persistence = xstrdup(e->val);
		} else if (!strcmp(e->key, "x-oem-id")) {
			if (strlen(e->val) > 6)
				FAIL(f, "machine-oem-id-long", NULL,
				     "User specified x-oem-id value is bigger than 6 bytes in size",
				     "x-oem-id is at most 6 characters");
			free(mc->oem_id);
			mc->oem_id = xstrdup(e->val);
		} else if (!strcmp(e->key, "x-oem-table-id")) {
			if (strlen(e->val) > 8)
				FAIL(f, "machine-oem-table-id-long", NULL,
				     "User specified x-oem-table-id value is bigger than 8 bytes in size",
				     "x-oem-table-id is at most 8 characters");
			free(mc->oem_table_id);
			mc->oem_table_id = xstrdup(e->val);
		} else if (!strcmp(e->key, "acpi")) {
			if (!strcmp(e->val, "on"))
				mc->acpi = TRI_ON;
			else if (!strcmp(e->val, "off"))
				mc->acpi = TRI_OFF;
			else if (!strcmp(e->val, "auto"))
				mc->acpi = TRI_AUTO;
			else {
				char *q = xasprintf("Parameter 'acpi' does not accept value '%s'", e->val);

				FAIL(f, "machine-option-invalid", NULL, q, "acpi= takes on, off or auto");
				free(q);
			}
		} else if (!strcmp(e->key, "max-ram-below-4g")) {
			if (!qapi_get_size(e, QAPI_MACHINE, &mc->max_ram_below_4g, &err)) {
				FAIL(f, "machine-option-invalid", NULL, err, "max-ram-below-4g takes a size");
				free(err);
			}
		}
	}
	if (!has_memory)
		machine_memory(vm, f);
	free(idx);
	free(order_kv.v);
	free(qom_type);
}

/* ---- backends ------------------------------------------------------------ */

static void backends_create(struct vm *vm, const struct plan_opts *po, struct findings *f)
{
	for (size_t i = 0; i < vm->nbackends; i++) {
		struct backend *b = &vm->backends[i];
		size_t before = f->n;

		backend_setters(vm->qver, b, f);
		if (findings_count(f, LEVEL_FAIL) && f->n > before &&
		    f->v[f->n - 1].level == LEVEL_FAIL)
			continue;
		switch (b->kind) {
		case BK_FILE:
			backend_file_alloc(vm->qver, b, po->sysroot, po->offline, f);
			break;
		case BK_RAM:
			b->page_size = HOST_PAGE;
			b->region_align = VMALLOC_ALIGN;
			b->created = true;
			break;
		case BK_MEMFD: {
			uint64_t hs = 0;

			if (kv_bool_on(&b->props, "hugetlb") &&
			    kv_find(&b->props, "hugetlbsize"))
				size_parse(kv_get(&b->props, "hugetlbsize"), &hs);
			b->page_size = hs ? hs : HOST_PAGE;
			b->region_align = b->page_size;
			if (vm->qver >= QVER(9, 1) && b->size % b->page_size) {
				char *s = size_to_str(b->page_size);
				char *q = xasprintf("backend '%s' memory size must be multiple of %s",
						    b->qom_type, s);

				FAIL(f, "backend-size-page", b->id, q, "size must be a multiple of %s", s);
				free(s);
				free(q);
				break;
			}
			b->created = true;
			break;
		}
		default:
			break;
		}
		b->is_rom = backend_is_rom(vm->qver, b);
	}
}

/* ---- NUMA and board ------------------------------------------------------ */

static void numa_setup(struct vm *vm, struct findings *f)
{
	uint64_t total = 0;
	bool any_memdev = false;

	for (size_t i = 0; i < vm->nnodes; i++) {
		struct backend *b;

		if (vm->nodes[i].has_mem && vm->machine.type_version >= QVER(5, 1)) {
			FAIL(f, "numa-mem-legacy", NULL,
			     "Parameter -numa node,mem is not supported by this machine type",
			     "use -numa node,memdev=ID with a memory backend per node");
			return;
		}
		if (!vm->nodes[i].memdev)
			continue;
		any_memdev = true;
		b = vm_find_backend(vm, vm->nodes[i].memdev);
		if (!b)
			continue;
		if (b->used) {
			char *q = xasprintf("memory backend %s can't be used multiple times.", b->id);

			FAIL(f, "numa-memdev-busy", b->id, q, "each NUMA node needs its own backend");
			free(q);
			return;
		}
		b->used = true;
		total += b->size;
	}
	(void)any_memdev;
	if (vm->nnodes && total != vm->mem.size) {
		char *q = xasprintf("total memory for NUMA nodes (0x%llx) should equal RAM size (0x%llx)",
				    (unsigned long long)total, (unsigned long long)vm->mem.size);

		FAIL(f, "numa-memory-total", NULL, q, "the NUMA nodes' backends must add up to -m size");
		free(q);
	}
}

/* arm virt (hw/arm/virt.c virt_set_memmap): device memory after RAM at 1 GiB. */
static void board_init_virt(struct vm *vm, struct findings *f)
{
	uint64_t base = ALIGN_UP(0x40000000ULL + vm->mem.size, GiB);
	uint64_t size = vm->mem.maxmem - vm->mem.size + GiB * vm->mem.slots;
	char *q;

	if (vm->mem.slots > MAX_RAM_SLOTS) {
		q = xasprintf("unsupported number of memory slots: %llu",
			      (unsigned long long)vm->mem.slots);
		FAIL(f, "mem-slots-max", NULL, q, "at most 256 slots");
		free(q);
		return;
	}
	if (base + size < base) {
		FAIL(f, "mem-maxmem-overflow", NULL, "maxmem/slots too huge", "maxmem is too large");
		return;
	}
	if (!size)
		return;
	vm->has_window = true;
	vm->window_base = base;
	vm->window_size = size;
}

static void board_init(struct vm *vm, struct findings *f)
{
	struct machine *m = &vm->machine;
	uint64_t above_start = 4 * GiB, gpa, base, size;
	char *q;

	if (m->family == MF_VIRT) {
		board_init_virt(vm, f);
		return;
	}
	if (m->family == MF_ISAPC) {
		if (vm->mem.slots || vm->mem.maxmem > vm->mem.size)
			FAIL(f, "machine-no-memory-devices", NULL,
			     "\"-memory 'slots|maxmem'\" is not supported by: isapc",
			     "the isapc machine has no device memory: use pc or q35");
		return;
	}
	if (m->family != MF_PC && m->family != MF_Q35)
		return;
	layout_ram_split(vm);
	/* qemu64, the TCG default CPU, is an AMD CPU: the 1 TiB hole rule (7.1+ types). */
	if (m->type_version >= QVER(7, 1) && vm->qver >= QVER(7, 1) &&
	    layout_max_used_gpa(vm, above_start) >= AMD_HT_START)
		above_start = AMD_ABOVE_1TB_START;
	if (vm->qver >= QVER(7, 1)) {
		uint64_t limit = (1ULL << vm->phys_bits) - 1;

		gpa = layout_max_used_gpa(vm, above_start);
		if (gpa > limit) {
			q = xasprintf("Address space limit 0x%llx < 0x%llx phys-bits too low (%u)",
				      (unsigned long long)limit, (unsigned long long)gpa, vm->phys_bits);
			FAIL(f, "machine-phys-bits", NULL, q,
			     "the guest's address space (maxmem, slots, 64-bit PCI hole) needs more than %u physical address bits: lower maxmem or slots, or raise -cpu phys-bits",
			     vm->phys_bits);
			free(q);
			return;
		}
	}
	if (vm->mem.size >= vm->mem.maxmem)
		return;
	if (vm->mem.slots > MAX_RAM_SLOTS) {
		q = xasprintf("unsupported amount of memory slots: %llu", (unsigned long long)vm->mem.slots);
		FAIL(f, "mem-slots-max", NULL, q, "at most 256 slots");
		free(q);
		return;
	}
	if (vm->mem.maxmem % HOST_PAGE) {
		FAIL(f, "mem-maxmem-align", NULL,
		     "maximum memory size must by aligned to multiple of 4096 bytes",
		     "maxmem must be a multiple of 4 KiB");
		return;
	}
	layout_window(vm, above_start, &base, &size);
	if (base + size < size) {
		q = xasprintf("unsupported amount of maximum memory: %llx", (unsigned long long)vm->mem.maxmem);
		FAIL(f, "mem-maxmem-overflow", NULL, q, "maxmem is too large");
		free(q);
		return;
	}
	vm->has_window = true;
	vm->window_base = base;
	vm->window_size = size;
}

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
			if (!qapi_get_int(e, &i, &err))
				goto bad;
			d->slot = i;
		} else if (!strcmp(e->key, "addr")) {
			if (!qapi_get_uint(e, UINT64_MAX, &u, &err))
				goto bad;
			d->addr = u;
		} else if (!strcmp(e->key, "node")) {
			if (!qapi_get_uint(e, UINT32_MAX, &u, &err))
				goto bad;
			d->node = u;
		} else if (d->kind == DK_NVDIMM && !strcmp(e->key, "label-size")) {
			if (!qapi_get_size(e, QAPI_DEVICE, &u, &err))
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
		/* virt_memory_pre_plug(): GED for ACPI (cold plug without it since 10.2). */
		if (vm->machine.acpi == TRI_OFF && vm->qver < QVER(10, 2)) {
			if (!vm->said_acpi_off)
				FAIL(f, "machine-acpi-off", d->id,
				     "memory hotplug is not enabled: missing acpi-ged device",
				     "DIMMs on virt need ACPI (its GED device) before QEMU 10.2");
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
	d->placed = true;
	return true;
}

/*
 * QEMU stops at the first device it refuses; we go on with the others, as
 * if the refused one were not there, to report every problem at once.
 */
static void devices_create(struct vm *vm, struct findings *f)
{
	for (size_t i = 0; i < vm->ndimms; i++) {
		struct dimm *d = &vm->dimms[i];
		struct backend *b;

		size_t fails = findings_count(f, LEVEL_FAIL);

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
		if (findings_count(f, LEVEL_FAIL) > fails)
			d->refused = true;
	}
}

/* ---- after the start: hot-plug plan and what users regret ----------------- */

static void hotplug_plan(struct vm *vm, const struct plan_opts *po, struct findings *f)
{
	size_t base = vm->ndimms;

	if (!po->nhotplug)
		return;
	vm->dimms = xrealloc(vm->dimms, (vm->ndimms + po->nhotplug) * sizeof(*vm->dimms));
	for (size_t i = 0; i < po->nhotplug; i++) {
		struct dimm *d = &vm->dimms[base + i];
		struct findings tmp = { 0 };
		struct backend *b;

		memset(d, 0, sizeof(*d));
		vm->ndimms++;
		d->kind = DK_PC_DIMM;
		d->hotplug = true;
		d->id = xasprintf("hotplug%zu", i);
		d->slot = -1;
		/* A hot-plugged DIMM on a memory-backend-ram: 2 MiB aligned. */
		vm->backends = xrealloc(vm->backends, (vm->nbackends + 1) * sizeof(*vm->backends));
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

static void regrets(struct vm *vm, const struct plan_opts *po, struct findings *f)
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
			     "%s has share=off: guest writes go to a private copy and never reach %s; set share=on",
			     b->id, b->mem_path);
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

			if (backend_read_at(b->mem_path, d->label_offset, buf, d->label_size) == 0 &&
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

/*
 * The phases in QEMU's order. QEMU exits at its first error; we go on where
 * the rest still means something, so the first failure is QEMU's message
 * and the others are what the user would hit next.
 */
void plan_run(struct vm *vm, const struct plan_opts *po, struct findings *f)
{
	size_t fails;

	machine_select(vm, f);
	if (!vm->machine.known)
		goto out;
	fails = findings_count(f, LEVEL_FAIL);
	machine_props(vm, f);
	backends_create(vm, po, f);
	numa_setup(vm, f);
	/* Without a valid -m there is no window to place DIMMs in. */
	if (!vm->mem.maxmem)
		goto out;
	fails = findings_count(f, LEVEL_FAIL);
	board_init(vm, f);
	if (findings_count(f, LEVEL_FAIL) > fails)
		goto out;
	devices_create(vm, f);
out:
	vm->accepted = !failed(f);
	if (vm->accepted)
		hotplug_plan(vm, po, f);
	regrets(vm, po, f);
	if (po->offline)
		INFO(f, "host-checks-skipped", NULL, NULL,
		     "--offline: backend files were not looked at (existence, size, DAX, labels)");
}
