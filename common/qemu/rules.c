// SPDX-License-Identifier: GPL-2.0-or-later
#include "rules.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acpi-size.h"
#include "backend.h"
#include "layout.h"
#include "qapi.h"
#include "qemu-caps.h"
#include "qemu-backend.h"
#include "rules-int.h"
#include "size.h"
#include "smp.h"
#include "util.h"

#define AMD_HT_START 0xfd00000000ULL
#define AMD_ABOVE_1TB_START 0x10000000000ULL

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

/*
 * boards.h's MACHINE_VER_DELETION/DEPRECATION: a versioned type is
 * "expired" after a number of years, each year three releases X.0-X.2.
 */
static bool type_expired(qver_t qver, qver_t type, int years)
{
	int age = qver / 100 - type / 100;

	return age > years || (age == years && qver % 100 >= type % 100);
}

/* The oldest versioned machine types each QEMU release still has. */
static qver_t oldest_type(qver_t qver, enum machine_family fam)
{
	/* From 10.1 a type is not registered once six years old (11.1: 5.2 on). */
	if (qver >= QVER(10, 1)) {
		int maj = qver / 100 - 6, min = qver % 100 + 1;

		return min > 2 ? QVER(maj + 1, 0) : QVER(maj, min);
	}
	if (fam == MF_Q35)
		return QVER(2, 4);
	if (fam == MF_VIRT)
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

/*
 * The warning QEMU prints for a deprecated versioned pc, q35 or virt type: from 9.1
 * every type three years old (boards.h; checked with 10.0 and 11.1), before
 * that pc-i440fx-1.4 to 1.7 (checked with 7.2).
 */
static void machine_deprecated(struct vm *vm, struct findings *f)
{
	const struct machine *m = &vm->machine;
	const char *why = NULL;
	char *q;

	if (strncmp(m->type, "pc-i440fx-", 10) && strncmp(m->type, "pc-q35-", 7) &&
	    strncmp(m->type, "virt-", 5))
		return;
	if (vm->qver >= QVER(9, 1)) {
		if (type_expired(vm->qver, m->type_version, 3))
			why = "machines more than 3 years old are subject to deletion after 6 years";
	} else if (m->family == MF_PC && m->type_version <= QVER(1, 7)) {
		why = "old and unattended - use a newer version instead";
	}
	if (!why)
		return;
	q = xasprintf("warning: Machine type '%s' is deprecated: %s", m->type, why);
	WARN(f, "machine-type-deprecated", NULL, q,
	     "machine type %s is deprecated in QEMU %d.%d: %s; use a newer one (or the plain '%s' alias)",
	     m->type, vm->qver / 100, vm->qver % 100, why,
	     m->family == MF_PC ? "pc" : m->family == MF_Q35 ? "q35" : "virt");
	free(q);
}

/*
 * The binary's -machine help wins over the table: a type it lacks is refused
 * with the same message; an alias (pc, q35, virt) is of the type it names
 * there. A type the table does not model stays unknown: its rules are not
 * written.
 */
static void machine_from_binary(struct vm *vm)
{
	struct machine *m = &vm->machine;
	const char *type;
	bool has = qemu_caps_machine(vm->caps, m->type, &type);
	qver_t v;

	if (!has) {
		if (m->known)
			vm_caps_differs(vm, "it has no machine type %s", m->type);
		m->known = false;
		return;
	}
	if (m->family == MF_OTHER) {
		vm_caps_differs(vm, "it has machine type %s, which nvd-plan does not model", m->type);
		return;
	}
	if (!m->known)
		vm_caps_differs(vm, "it has machine type %s", m->type);
	m->known = true;
	/* pc-i440fx-7.2, pc-q35-10.0, virt-11.1 */
	if (type && strrchr(type, '-') && (v = qver_parse(strrchr(type, '-') + 1)) > 0 &&
	    v != m->type_version) {
		vm_caps_differs(vm, "its %s is %s", m->type, type);
		m->type_version = v;
	}
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
			if (v < QVER(2, 6) || v > vm->qver || v < oldest_type(vm->qver, MF_VIRT))
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
		if (v < 0 ||
		    (strchr(strchr(ver, '.') + 1, '.') &&
		     (strcmp(ver, "4.0.1") || m->family != MF_Q35)) ||
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
	if (vm->caps)
		machine_from_binary(vm);
	if (!m->known) {
		char *q = vm->qver >= QVER(8, 2)
				  ? xasprintf("unsupported machine type: \"%s\"", m->type)
				  : xstrdup("unsupported machine type");

		FAIL(f, "machine-type-unknown", NULL, q,
		     "QEMU %d.%d has no machine type '%s' (see 'qemu-system-x86_64 -machine help')",
		     vm->qver / 100, vm->qver % 100, m->type);
		free(q);
		return;
	}
	machine_deprecated(vm, f);
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
	int has_fmw = 0;

	/* -m is merged into the machine options as "memory", after -machine's keys. */
	order_kv.v = xcalloc(n + 3, sizeof(*order_kv.v));
	order_kv.index = (struct strmap){ 0 };	/* mc->props' own: never shared */
	n = 0;
	/* cxl-fmw.N.* is one property, "cxl-fmw", a list (keyval nests it) */
	for (size_t i = 0; i < mc->props.n; i++) {
		if (!str_startswith(mc->props.v[i].key, "cxl-fmw."))
			order_kv.v[n++] = mc->props.v[i];
		else if (!has_fmw++)
			order_kv.v[n++].key = "cxl-fmw";
	}
	if (has_memory)
		order_kv.v[n++].key = "memory";
	/* -smp is merged in the same way, as "smp" (vl.c machine_merge_property()) */
	if (vm->smp.given)
		order_kv.v[n++].key = "smp";
	order_kv.n = n;
	idx = xcalloc(n + 1, sizeof(*idx));
	qdict_order(&order_kv, idx);

	for (size_t k = 0; k < n; k++) {
		const struct kv *e = &order_kv.v[idx[k]];
		char *err = NULL;
		bool b;

		if (!strcmp(e->key, "memory") && !e->val) {
			machine_memory(vm, f);
		} else if (!strcmp(e->key, "smp") && !e->val) {
			smp_rule(vm, f);
		} else if ((!strcmp(e->key, "cxl") || !strcmp(e->key, "cxl-fmw")) &&
			   !cxl_machine_has_prop(vm)) {
			char *q = xasprintf("Property '%s.%s' not found", qom_type, e->key);

			FAIL(f, "machine-property-unknown", NULL, q,
			     "machine %s has no CXL: use q35 (CXL host bridges need PCI Express)",
			     mc->type);
			free(q);
		} else if (!strcmp(e->key, "cxl")) {
			cxl_set_enabled(vm, e->val, e->json, f);
		} else if (!strcmp(e->key, "cxl-fmw")) {
			cxl_set_fmw(vm, f);
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
		} else if (!strcmp(e->key, "memory.size") || !strcmp(e->key, "memory.max-size") ||
			   !strcmp(e->key, "memory.slots")) {
			/*
			 * The machine's "memory" property as keyval members (7.1+). Only
			 * their types are checked: -m is what this tool reads the sizes from.
			 */
			uint64_t u;
			bool ok = e->key[7] == 's' && e->key[8] == 'l'
					  ? qapi_get_uint(e, QAPI_MACHINE, UINT64_MAX, &u, &err)
					  : qapi_get_size(e, QAPI_MACHINE, vm->qver, &u, &err, NULL);

			if (!ok) {
				FAIL(f, "machine-option-invalid", NULL, err,
				     "%s takes a %s", e->key, e->key[7] == 's' && e->key[8] == 'l' ? "number" : "size");
				free(err);
			}
		} else if (!strcmp(e->key, "max-ram-below-4g")) {
			char *w = NULL;
			bool got = qapi_get_size(e, QAPI_MACHINE, vm->qver, &mc->max_ram_below_4g,
						 &err, &w);

			if (w)
				warn_hex_suffix(f, NULL, w);
			free(w);
			if (!got) {
				FAIL(f, "machine-option-invalid", NULL, err, "max-ram-below-4g takes a size");
				free(err);
			} else if (mc->max_ram_below_4g > 4 * GiB &&
				   (mc->family == MF_PC || mc->family == MF_Q35)) {
				/* pc_machine_set_max_ram_below_4g() */
				char *q = xasprintf("Machine option 'max-ram-below-4g=%llu' expects size less than or equal to 4G",
						    (unsigned long long)mc->max_ram_below_4g);

				FAIL(f, "machine-option-invalid", NULL, q,
				     "max-ram-below-4g is at most 4G (the RAM below the 4 GiB boundary)");
				free(q);
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

/*
 * Where this tool finds a relative mem-path: in QEMU's working directory,
 * not in ours (a running QEMU's is /proc/PID/cwd). False when that
 * directory cannot be looked into: the file is then not judged at all.
 */
static bool backend_locate(struct backend *b, const struct plan_opts *po, struct findings *f)
{
	struct stat st;

	if (!po->cwd || !b->mem_path || b->mem_path[0] == '/')
		return true;
	if (stat(po->cwd, &st) < 0) {
		finding_add(f, LEVEL_WARN, "backend-cwd-unreadable", b->id, NULL,
			    "mem-path %s is relative to QEMU's working directory, which cannot be looked into (%s: %s): the file is not checked; run as QEMU's user or root",
			    b->mem_path, po->cwd, strerror(errno));
		return false;
	}
	free(b->host_path);
	b->host_path = xasprintf("%s/%s", po->cwd, b->mem_path);
	return true;
}

static void backends_create(struct vm *vm, const struct plan_opts *po, struct findings *f)
{
	for (size_t i = 0; i < vm->nbackends; i++) {
		struct backend *b = &vm->backends[i];
		size_t before = f->n;

		backend_setters(vm->qver, b, f);
		if (f->n > before && f->v[f->n - 1].level == LEVEL_FAIL)
			continue;
		switch (b->kind) {
		case BK_FILE:
			backend_file_alloc(vm->qver, b, po->sysroot,
					   po->offline || !backend_locate(b, po, f), f);
			break;
		case BK_RAM:
			b->page_size = QEMU_HOST_PAGE;
			b->region_align = VMALLOC_ALIGN;
			b->created = true;
			break;
		case BK_MEMFD: {
			uint64_t hs = 0;

			if (kv_bool_on(&b->props, "hugetlb") &&
			    kv_find(&b->props, "hugetlbsize"))
				size_parse(kv_get(&b->props, "hugetlbsize"), &hs);
			b->page_size = hs ? hs : QEMU_HOST_PAGE;
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

/*
 * parse_numa_node() (numa.c): the node id, then each cpus= index against
 * maxcpus and machine_set_cpu_numa_node()'s "already assigned" (the same
 * CPU given twice to one node is no error). Same text in 7.2, 10.0, 11.1.
 */
static bool numa_node_cpus(struct vm *vm, size_t i, const struct smp_topo *t, int64_t *cpu_node,
			   struct findings *f)
{
	const struct numa_node *n = &vm->nodes[i];
	char *q;

	for (size_t k = 0; k < i; k++) {
		if (vm->nodes[k].nodeid == n->nodeid) {
			q = xasprintf("Duplicate NUMA nodeid: %lld", (long long)n->nodeid);
			FAIL(f, "numa-nodeid-duplicate", NULL, q,
			     "two -numa node options have nodeid=%lld: give each node its own id",
			     (long long)n->nodeid);
			free(q);
			return false;
		}
	}
	if (n->cpus_err) {
		FAIL(f, "numa-cpus-invalid", NULL, n->cpus_err,
		     "-numa node,cpus= takes a CPU index or a range FIRST-LAST of indexes (0 to 65535)");
		return false;
	}
	for (size_t r = 0; r < n->ncpus; r++) {
		for (uint64_t c = n->cpus[r].first; c <= n->cpus[r].last; c++) {
			if (c >= t->maxcpus) {
				q = xasprintf("CPU index (%llu) should be smaller than maxcpus (%u)",
					      (unsigned long long)c, t->maxcpus);
				FAIL(f, "numa-cpu-index", NULL, q,
				     "node %lld's cpus= names CPU %llu, but CPU indexes run from 0 to maxcpus-1 (%u): raise -smp maxcpus or fix cpus=",
				     (long long)n->nodeid, (unsigned long long)c, t->maxcpus - 1);
				free(q);
				return false;
			}
			if (cpu_node[c] >= 0 && cpu_node[c] != n->nodeid) {
				q = xasprintf("CPU is already assigned to node-id: %lld",
					      (long long)cpu_node[c]);
				FAIL(f, "numa-cpu-assigned", NULL, q,
				     "CPU %llu is in node %lld's cpus= and in node %lld's: a CPU belongs to one node",
				     (unsigned long long)c, (long long)cpu_node[c], (long long)n->nodeid);
				free(q);
				return false;
			}
			cpu_node[c] = n->nodeid;
		}
	}
	return true;
}

/*
 * machine_numa_finish_cpu_init() (machine.c): when some CPUs but not all are
 * in a node's cpus=, QEMU lists the others and warns that this is obsolete.
 */
static void numa_cpus_unmapped(const struct smp_topo *t, const int64_t *cpu_node,
			       struct findings *f)
{
	struct strbuf sb;
	unsigned long missing = 0, first = 0;
	char *q;

	sb_init(&sb);
	for (unsigned long i = 0; i < t->maxcpus; i++) {
		char *slot;

		if (cpu_node[i] >= 0)
			continue;
		if (!missing++)
			first = i;
		slot = smp_cpu_slot(t, i);
		sb_addf(&sb, "%sCPU %lu [%s]", sb.len ? ", " : "", i, slot);
		free(slot);
	}
	if (missing && missing < t->maxcpus) {
		q = xasprintf("warning: CPU(s) not present in any NUMA nodes: %s", sb.buf);
		WARN(f, "numa-cpus-unmapped", NULL, q,
		     "%lu of the %u possible CPUs (the first: CPU %lu) are in no -numa node's cpus=: QEMU puts them by socket; give every CPU up to maxcpus a node",
		     missing, t->maxcpus, first);
		free(q);
		WARN(f, "numa-cpus-partial", NULL,
		     "warning: All CPU(s) up to maxcpus should be described in NUMA config, ability to start up with partial NUMA mappings is obsoleted and will be removed in future",
		     "QEMU says a partial CPU-to-node mapping is obsolete: describe every CPU up to maxcpus in a -numa node's cpus=");
	}
	sb_release(&sb);
}

static void numa_setup(struct vm *vm, struct findings *f)
{
	uint64_t total = 0;
	bool any_memdev = false;
	struct smp_topo t;
	int64_t *cpu_node = NULL;
	int64_t max_id = -1;

	/* QEMU refused -smp already: the CPU indexes mean nothing */
	if (!smp_topology(vm, &t))
		return;
	cpu_node = xcalloc(t.maxcpus ? t.maxcpus : 1, sizeof(*cpu_node));
	for (unsigned long i = 0; i < t.maxcpus; i++)
		cpu_node[i] = -1;
	for (size_t i = 0; i < vm->nnodes; i++) {
		struct backend *b;

		if (!numa_node_cpus(vm, i, &t, cpu_node, f))
			goto out;
		if (vm->nodes[i].nodeid > max_id)
			max_id = vm->nodes[i].nodeid;
		if (vm->nodes[i].has_mem && vm->machine.type_version >= QVER(5, 1)) {
			FAIL(f, "numa-mem-legacy", NULL,
			     "Parameter -numa node,mem is not supported by this machine type",
			     "use -numa node,memdev=ID with a memory backend per node");
			goto out;
		}
		if (vm->nodes[i].has_mem) {
			/* numa.c parse_numa_node(): taken, with a warning, up to 5.0 types */
			WARN(f, "numa-mem-deprecated", NULL,
			     "warning: Parameter -numa node,mem is deprecated, use -numa node,memdev instead",
			     "-numa node,mem= is deprecated (refused from machine type 5.1 on): use -numa node,memdev=ID with a memory backend");
			total += vm->nodes[i].mem;
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
			goto out;
		}
		b->used = true;
		total += b->size;
	}
	(void)any_memdev;
	/* -machine memory-backend=ID: the machine's RAM maps that backend. */
	if (kv_get(&vm->machine.props, "memory-backend")) {
		struct backend *b = vm_find_backend(vm, kv_get(&vm->machine.props, "memory-backend"));

		if (b)
			b->used = true;
	}
	/* numa_complete_configuration(): ids from the highest down, then the sizes */
	for (int64_t id = max_id - 1; id >= 0; id--) {
		bool present = false;

		for (size_t i = 0; i < vm->nnodes && !present; i++)
			present = vm->nodes[i].nodeid == id;
		if (!present) {
			char *q = xasprintf("numa: Node ID missing: %lld", (long long)id);

			FAIL(f, "numa-nodeid-missing", NULL, q,
			     "-numa node ids must run from 0 without gaps: node %lld is missing",
			     (long long)id);
			free(q);
			goto out;
		}
	}
	if (vm->nnodes && total != vm->mem.size) {
		char *q = xasprintf("total memory for NUMA nodes (0x%llx) should equal RAM size (0x%llx)",
				    (unsigned long long)total, (unsigned long long)vm->mem.size);

		FAIL(f, "numa-memory-total", NULL, q, "the NUMA nodes' backends must add up to -m size");
		free(q);
		goto out;
	}
	/* x86's CPU slots (virt's list says cluster-id: not modelled) */
	if (vm->nnodes && vm->target == TARGET_X86_64)
		numa_cpus_unmapped(&t, cpu_node, f);
out:
	free(cpu_node);
}

/*
 * -machine memory-backend=ID: that backend is the RAM (machine_run_board_init()),
 * so it is busy for devices, and its size must be -m's.
 */
static void machine_memdev(struct vm *vm, struct findings *f)
{
	const char *id = kv_get(&vm->machine.props, "memory-backend");
	struct backend *b = id ? vm_find_backend(vm, id) : NULL;

	if (!b)
		return;
	if (!vm->mem.has_size) {
		vm->mem.size = b->size;
	} else if (b->size != vm->mem.size) {
		FAIL(f, "machine-memdev-size", b->id,
		     "Machine memory size does not match the size of the memory backend",
		     "-machine memory-backend=%s is %s but -m says %s: make them equal",
		     b->id, hsz(b->size), hsz(vm->mem.size));
		return;
	}
	b->used = true;
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
	if (!smp_virt_gic_rule(vm, f))
		return;
	if (vm->cxl.enabled)
		cxl_place_virt(vm, base + ALIGN_UP(size, GiB), f);
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
	/*
	 * Types up to 2.5 order fw_cfg files from a fixed list, which has no
	 * entry for the NVDIMM ACPI buffer that nvdimm=on adds (ACPI on or off).
	 */
	if (m->nvdimm && m->type_version <= QVER(2, 5))
		WARN(f, "machine-fw-cfg-legacy", NULL,
		     "warning: Unknown firmware file in legacy mode: etc/acpi/nvdimm-mem",
		     "machine type %s keeps fw_cfg files in the legacy order, which has no place for the NVDIMM ACPI buffer: QEMU warns and puts it last (harmless; pc-i440fx-2.6 and later do not)",
		     m->type);
	layout_ram_split(vm);
	/*
	 * qemu64, the TCG default CPU, is an AMD CPU: the 1 TiB hole rule (7.1+
	 * types) is for AMD vendors only.
	 */
	if (m->type_version >= QVER(7, 1) && vm->qver >= QVER(7, 1) && !vm->cpu_intel &&
	    layout_max_used_gpa(vm, above_start) >= AMD_HT_START)
		above_start = AMD_ABOVE_1TB_START;
	if (!smp_apic_limit_rule(vm, f))
		return;
	/* The CPUs are created: -cpu's properties are globals of the model's type. */
	if (vm->cpu_vendor && strlen(vm->cpu_vendor) != 12) {
		q = vm->qver >= QVER(9, 0)
			    ? xasprintf("can't apply global %s-x86_64-cpu.vendor=%s: value of property 'vendor' must consist of exactly 12 characters",
					vm->cpu_model ? vm->cpu_model : "qemu64", vm->cpu_vendor)
			    : xasprintf("can't apply global %s-x86_64-cpu.vendor=%s: Property '.vendor' doesn't take value '%s'",
					vm->cpu_model ? vm->cpu_model : "qemu64", vm->cpu_vendor,
					vm->cpu_vendor);
		FAIL(f, "cpu-vendor-invalid", NULL, q,
		     "vendor= takes a 12-character CPUID vendor (GenuineIntel, AuthenticAMD)");
		free(q);
		return;
	}
	/* x86_cpu_realizefn(): before the board's memory */
	if (!vm->cpu_32bit && vm->phys_bits_arg &&
	    (vm->phys_bits_arg < 32 || (vm->phys_bits_arg > 52 && vm->qver < QVER(11, 0)))) {
		q = vm->qver >= QVER(11, 0)
			    ? xasprintf("phys-bits should be at least 32 (but is %lu)", vm->phys_bits_arg)
			    : xasprintf("phys-bits should be between 32 and 52  (but is %lu)",
					vm->phys_bits_arg);
		FAIL(f, "cpu-phys-bits-range", NULL, q,
		     "phys-bits must be 32 to 52 (or 0 for the model's own)");
		free(q);
		return;
	}
	if (vm->cpu_32bit && vm->phys_bits_given) {
		FAIL(f, "cpu-phys-bits-32bit", NULL, "phys-bits is not user-configurable in 32 bit",
		     "a CPU model without long mode has fixed physical address bits: drop phys-bits");
		return;
	}
	if (!smp_x2apic_rule(vm, f))
		return;
	smp_cpu_warnings(vm, f);
	/*
	 * pc_max_used_gpa(): 7.2 skips the check for a CPU without long mode;
	 * 10.0 checks the end of device memory (or of RAM), no 64-bit PCI hole
	 * (between: not tested).
	 */
	if (vm->qver >= QVER(7, 1) && !(vm->cpu_32bit && vm->qver < QVER(10, 0))) {
		/* QEMU's own shift: on x86 the count is taken modulo 64 (11.x, phys-bits=70) */
		uint64_t limit = (1ULL << (vm->phys_bits & 63)) - 1;

		if (vm->cpu_32bit && vm->mem.maxmem > vm->mem.size) {
			uint64_t wb, ws;

			layout_window(vm, above_start, &wb, &ws);
			gpa = wb + ws - 1;
		} else if (vm->cpu_32bit) {
			gpa = above_start + vm->above_4g - 1;
		} else {
			gpa = layout_max_used_gpa(vm, above_start);
		}
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
	/* pc_memory_init(): types up to 2.0 have no device memory (has_reserved_memory). */
	if (m->family == MF_PC && m->type_version <= QVER(2, 0) &&
	    (vm->mem.slots || vm->mem.maxmem > vm->mem.size)) {
		q = xasprintf("\"-memory 'slots|maxmem'\" is not supported by: %s", m->type);
		FAIL(f, "machine-no-memory-devices", NULL, q,
		     "machine type %s has no device memory (pc-i440fx-2.1 and later have): no slots or maxmem, so no DIMMs",
		     m->type);
		free(q);
		return;
	}
	layout_cxl(vm, above_start);
	if (vm->mem.size >= vm->mem.maxmem)
		return;
	if (vm->mem.slots > MAX_RAM_SLOTS) {
		q = xasprintf("unsupported amount of memory slots: %llu", (unsigned long long)vm->mem.slots);
		FAIL(f, "mem-slots-max", NULL, q, "at most 256 slots");
		free(q);
		return;
	}
	if (vm->mem.maxmem % QEMU_HOST_PAGE) {
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


/*
 * The phases in QEMU's order. QEMU exits at its first error; we go on where
 * the rest still means something, so the first failure is QEMU's message
 * and the others are what the user would hit next.
 */
/*
 * parse_cpu_option(): -cpu's model, after the machine and the backends. The
 * binary's -cpu help when it was asked (--qemu, or the one on PATH), else the
 * release's list (x86: the real 7.2, 10.0 and 11.1 binaries').
 */
static void cpu_model_check(struct vm *vm, struct findings *f)
{
	bool table, binary;
	char *q;

	if (!vm->cpu_model)
		return;
	/* the release's list: x86 only (other targets' models are not modelled) */
	table = vm->target != TARGET_X86_64 ||
		x86_cpu_model_known(vm->cpu_model, strlen(vm->cpu_model), vm->qver);
	binary = vm->caps ? qemu_caps_cpu(vm->caps, vm->cpu_model) : table;
	if (binary != table)
		vm_caps_differs(vm, "it has %sCPU model %s", binary ? "" : "no ", vm->cpu_model);
	if (binary)
		return;
	q = xasprintf("unable to find CPU model '%s'", vm->cpu_model);
	if (table)
		FAIL(f, "cpu-model-unknown", NULL, q,
		     "this QEMU binary has no CPU model '%s' (see -cpu help)", vm->cpu_model);
	else
		FAIL(f, "cpu-model-unknown", NULL, q,
		     "QEMU %d.%d has no x86 CPU model %s ('qemu-system-x86_64 -cpu help' lists them): a newer model needs a newer QEMU",
		     vm->qver / 100, vm->qver % 100, vm->cpu_model);
	free(q);
}

void plan_run(struct vm *vm, const struct plan_opts *po, struct findings *f)
{
	size_t fails;

	machine_select(vm, f);
	if (!vm->machine.known)
		goto out;
	fails = findings_count(f, LEVEL_FAIL);
	machine_props(vm, f);
	backends_create(vm, po, f);
	cpu_model_check(vm, f);
	numa_setup(vm, f);
	/*
	 * Without a valid -m there is no window to place DIMMs in, and nothing
	 * said about slots or sizes would be about the user's -m.
	 */
	if (!vm->mem.maxmem || vm->mem.invalid)
		goto out;
	fails = findings_count(f, LEVEL_FAIL);
	machine_memdev(vm, f);
	if (findings_count(f, LEVEL_FAIL) > fails)
		goto out;
	board_init(vm, f);
	if (findings_count(f, LEVEL_FAIL) > fails)
		goto out;
	rules_devices(vm, f);
	cxl_machine_done(vm, f);
	if (!failed(f))
		acpi_size_rule(vm, f);
out:
	vm->accepted = !failed(f);
	if (vm->accepted)
		rules_hotplug_plan(vm, po, f);
	rules_regrets(vm, po, f);
	if (po->offline)
		INFO(f, "host-checks-skipped", NULL, NULL,
		     "--offline: backend files were not looked at (existence, size, DAX, labels)");
}
