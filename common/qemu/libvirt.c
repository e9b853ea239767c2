// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libvirt domain XML to QEMU arguments, for the memory part, as libvirt 9.0
 * generates them for QEMU 7.2 (t/libvirt compares with `virsh
 * domxml-to-native qemu-argv`):
 *
 *   -machine TYPE[,nvdimm=on]           os/type@machine (default pc)
 *   -no-acpi                            without <features><acpi/>
 *   -m size=Nk[,slots=S,maxmem=Mk]      N: the NUMA cells' sum, or <memory>
 *                                       less the memory devices; 1 MiB units
 *   -object memory-backend-ram ram-nodeI + -numa node,nodeid=I,cpus=C,memdev=ram-nodeI
 *   per <memory model='dimm'|'nvdimm'|'virtio-pmem'|'virtio-mem'> (the
 *   memory-device table's libvirt models), in document order: its backend
 *   (memory-backend-ram, with reserve=false for virtio-mem;
 *   memory-backend-file with share= from access= (always shared for
 *   virtio-pmem), prealloc unless <pmem/> for an nvdimm, align from
 *   <alignsize>, pmem) and its device (pc-dimm, nvdimm, virtio-pmem-pci,
 *   virtio-mem-pci: node, label-size, unarmed for <readonly/>, block-size,
 *   requested-size, memdev, id, slot, addr). Sizes rounded up to 2 MiB; the
 *   DIMMs without <address slot=> get the free slots in order, virtio
 *   devices take none; ids are the user alias (ua-...), MODEL + slot for a
 *   DIMM, virtiopmemN / virtiomemN (N counted per model) for the others;
 *   the backend's "mem" + id. libvirt also gives a virtio device a PCI
 *   bus and addr, which do not change the memory layout: not emitted.
 */
#include "libvirt.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "memdev.h"
#include "smp.h"
#include "xml.h"

#define KIB_PER_MIB 1024ULL
/* virMemoryMaxValue(): LLONG_MAX bytes, in KiB (2^53 - 1) */
#define LV_MAX_KIB ((unsigned long long)LLONG_MAX >> 10)

struct lv_mem {
	const struct xml_node *n;
	const struct memdev_type *type;
	bool nvdimm;
	uint64_t size_kib, raw_kib, align_kib, label_kib, base, block_kib, requested_kib;
	long node, slot;	/* -1: not given */
	const char *path, *access, *alias;
	bool pmem, readonly, has_base, has_label, has_uuid;
	char *id;
};

bool libvirt_is_xml(const char *text, size_t len)
{
	size_t i = 0;

	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && isspace((unsigned char)text[i]))
		i++;
	return i < len && text[i] == '<';
}

/* A libvirt scaled integer (virScaleInteger) in KiB, rounded up. */
static int lv_scaled(const char *t, const char *unit, unsigned line, const char *what,
		     uint64_t *kib, char **err)
{
	unsigned long long v, scale = 1024;
	char *end;

	if (!t || !isdigit((unsigned char)*t)) {
		*err = xasprintf("line %u: %s: a number is expected, not '%s'", line, what, t ? t : "");
		return -1;
	}
	errno = 0;
	v = strtoull(t, &end, 10);
	if (errno || *end) {
		*err = xasprintf("line %u: %s: invalid number '%s'", line, what, t);
		return -1;
	}
	if (unit && *unit) {
		static const char powers[] = "kmgtpe";
		const char *p = strchr(powers, tolower((unsigned char)unit[0]));
		const char *rest = unit + 1;

		if (!strcasecmp(unit, "b") || !strcasecmp(unit, "bytes")) {
			scale = 1;
		} else if (p && *p && (!*rest || !strcasecmp(rest, "ib") || !strcasecmp(rest, "b"))) {
			unsigned long long base = !strcasecmp(rest, "b") ? 1000 : 1024;

			scale = 1;
			for (const char *q = powers; q <= p; q++)
				scale *= base;
		} else {
			*err = xasprintf("line %u: %s: unknown unit '%s'", line, what, unit);
			return -1;
		}
	}
	/* libvirt's own limit: LLONG_MAX bytes */
	if (v > (unsigned long long)LLONG_MAX / scale) {
		*err = xasprintf("line %u: %s: %s %s is too large", line, what, t, unit ? unit : "KiB");
		return -1;
	}
	*kib = (v * scale + 1023) / 1024;
	return 0;
}

static int lv_kib(const struct xml_node *n, const char *what, uint64_t *kib, char **err)
{
	return lv_scaled(xml_text(n, ""), xml_attr(n, "unit"), n->line, what, kib, err);
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

static long lv_long(const char *s, long dflt)
{
	char *end;
	long v;

	if (!s)
		return dflt;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno || *end || v < 0 ? -2 : v;
}

static void refuse(struct strv *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void refuse(struct strv *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strv_push(r, xvasprintf(fmt, ap));
	va_end(ap);
}

/* Read one <memory model=...> device; 1 if it is a DIMM kind libvirt gives a slot. */
static int read_mem(const struct xml_node *n, struct lv_mem *m, struct strv *refusals, char **err)
{
	const char *model = xml_attr(n, "model");
	const struct xml_node *c;

	memset(m, 0, sizeof(*m));
	m->n = n;
	m->node = m->slot = -1;
	m->type = model ? memdev_type_by_model(model) : NULL;
	if (!m->type)
		return 0;	/* sgx-epc and others: not memory devices QEMU plugs, not checked */
	m->nvdimm = m->type->nfit;
	if (!(c = xml_child(n, "target/size"))) {
		*err = xasprintf("line %u: <memory model='%s'> without <target><size>", n->line, model);
		return -1;
	}
	if (lv_kib(c, "<size>", &m->raw_kib, err))
		return -1;
	m->size_kib = round_up(m->raw_kib, 2 * KIB_PER_MIB);
	m->node = lv_long(xml_text(n, "target/node"), -1);
	if ((c = xml_child(n, "target/label/size"))) {
		if (lv_kib(c, "<size>", &m->label_kib, err))
			return -1;
		m->has_label = true;
	}
	if ((c = xml_child(n, "target/block"))) {
		if (lv_kib(c, "<block>", &m->block_kib, err))
			return -1;
		if (m->block_kib & (m->block_kib - 1))
			refuse(refusals, "block size must be a power of two");
	}
	if ((c = xml_child(n, "target/requested")) && lv_kib(c, "<requested>", &m->requested_kib, err))
		return -1;
	m->readonly = xml_child(n, "target/readonly") != NULL;
	m->has_uuid = xml_child(n, "uuid") != NULL;
	m->path = xml_text(n, "source/path");
	m->pmem = xml_child(n, "source/pmem") != NULL;
	if ((c = xml_child(n, "source/alignsize")) && lv_kib(c, "<alignsize>", &m->align_kib, err))
		return -1;
	m->access = xml_attr(n, "access");
	m->alias = xml_attr(xml_child(n, "alias"), "name");
	/* a DIMM's <address type='dimm' slot= base=>; a virtio device's is PCI */
	if (m->type->slot && (c = xml_child(n, "address"))) {
		const char *base = xml_attr(c, "base");

		if (!xml_attr(c, "slot")) {
			refuse(refusals, "XML error: Missing required attribute 'slot' in element 'address'");
		} else {
			m->slot = lv_long(xml_attr(c, "slot"), -1);
		}
		if (base) {
			char *end;

			errno = 0;
			m->base = strtoull(base, &end, 0);
			m->has_base = !errno && !*end;
		}
	}
	if (m->type->persistence != PM_VOLATILE && !m->path)
		refuse(refusals, "path is required for model '%s'", model);
	if (m->nvdimm && m->has_label) {
		if (m->label_kib < 128)
			refuse(refusals, "XML error: nvdimm label must be at least 128KiB");
		else if (m->label_kib >= m->size_kib)
			refuse(refusals, "XML error: label size must be smaller than NVDIMM size");
	}
	return 1;
}

/* Whether a device that already holds its slot holds this one. */
static bool slot_taken(const struct lv_mem *mems, const bool *used, size_t n, long slot)
{
	for (size_t i = 0; i < n; i++)
		if (used[i] && mems[i].slot == slot)
			return true;
	return false;
}

static void emit(struct strv *w, const char *opt, char *arg)
{
	strv_push(w, xstrdup(opt));
	strv_push(w, arg);
}

/* A <cell>: its backend's -object text and its CPUs (cpu[i]: CPU i is in it). */
struct lv_cell {
	const char *id;
	char *object;
	bool *cpu;
	size_t ncpu;	/* cpu[]'s length: one past the highest CPU */
};

#define LV_MAX_CPU_ID 16383	/* far above any machine's maxcpus */

static void lv_cell_set(struct lv_cell *c, unsigned long i, bool on)
{
	if (i >= c->ncpu) {
		c->cpu = xrealloc(c->cpu, i + 1);
		memset(c->cpu + c->ncpu, 0, i + 1 - c->ncpu);
		c->ncpu = i + 1;
	}
	c->cpu[i] = on;
}

/* virBitmapParse(): "0,2-3", "^2" removes. Nonzero: not a list. */
static int lv_cpuset(const char *s, struct lv_cell *c)
{
	while (s && *s) {
		bool neg = *s == '^';
		unsigned long a, b;
		char *end;

		s += neg;
		if (!isdigit((unsigned char)*s))
			return -1;
		a = b = strtoul(s, &end, 10);
		if (*end == '-' && !neg) {
			if (!isdigit((unsigned char)end[1]))
				return -1;
			b = strtoul(end + 1, &end, 10);
		}
		if (b < a || b > LV_MAX_CPU_ID || (*end && *end != ','))
			return -1;
		for (unsigned long i = a; i <= b; i++)
			lv_cell_set(c, i, !neg);
		s = end + (*end == ',');
	}
	return 0;
}

/* -numa node,nodeid=ID,cpus=A-B,cpus=C,memdev=: the bitmap as virBitmapFormat() writes it. */
static char *lv_numa_node(const struct lv_cell *c)
{
	struct strbuf sb;

	sb_init(&sb);
	sb_addf(&sb, "node,nodeid=%s", c->id);
	for (size_t i = 0; i < c->ncpu; i++) {
		size_t j = i;

		if (!c->cpu[i])
			continue;
		while (j + 1 < c->ncpu && c->cpu[j + 1])
			j++;
		if (j > i)
			sb_addf(&sb, ",cpus=%zu-%zu", i, j);
		else
			sb_addf(&sb, ",cpus=%zu", i);
		i = j;
	}
	sb_addf(&sb, ",memdev=ram-node%s", c->id);
	return sb_detach(&sb);
}

/*
 * libvirt 9.0's post-parse of the cells' CPUs against <vcpu> (1 when not
 * given): their count, then their highest ID; then
 * qemuDomainDefNumaCPUsRectify() gives the CPUs no cell names to cell 0.
 */
static void lv_numa_cpus(const struct xml_node *root, struct lv_cell *cells, size_t ncells,
			 struct strv *refusals)
{
	long max = lv_long(xml_text(root, "vcpu"), 1);
	size_t count = 0, top = 0;

	if (!ncells || max < 1)
		return;
	for (size_t i = 0; i < ncells; i++)
		for (size_t k = 0; k < cells[i].ncpu; k++)
			if (cells[i].cpu[k]) {
				count++;
				top = k + 1 > top ? k + 1 : top;
			}
	if (count > (size_t)max) {
		refuse(refusals, "internal error: Number of CPUs in <numa> exceeds the <vcpu> count");
		return;
	}
	if (top > (size_t)max) {
		refuse(refusals, "internal error: CPU IDs in <numa> exceed the <vcpu> count");
		return;
	}
	if (count == (size_t)max)
		return;
	for (long k = 0; k < max; k++) {
		bool taken = false;

		for (size_t i = 1; i < ncells && !taken; i++)
			taken = (size_t)k < cells[i].ncpu && cells[i].cpu[k];
		lv_cell_set(&cells[0], (unsigned long)k, !taken);
	}
}

/*
 * qemuValidateDomainDef(): more vCPUs than QEMU 7.2 says the machine type
 * takes (pc and q35; an alias is 7.2's type).
 */
static void lv_max_cpus(const struct xml_node *root, const char *machine, struct strv *refusals)
{
	const char *m = machine ? machine : "pc";
	long vcpus = lv_long(xml_text(root, "vcpu"), 1);
	enum machine_family fam = MF_OTHER;
	qver_t v = QVER(7, 2);
	unsigned max;

	if (!strcmp(m, "pc") || !strncmp(m, "pc-i440fx-", 10))
		fam = MF_PC;
	else if (!strcmp(m, "q35") || !strncmp(m, "pc-q35-", 7))
		fam = MF_Q35;
	if (strchr(m, '-') && qver_parse(strrchr(m, '-') + 1) > 0)
		v = qver_parse(strrchr(m, '-') + 1);
	max = smp_max_cpus(fam, v);
	if (max && vcpus > (long)max)
		refuse(refusals, "unsupported configuration: Maximum CPUs greater than specified machine type limit %u",
		       max);
}

/*
 * qemuBuildSmpCommandLine() (libvirt 9.0): <vcpu current=> as cpus and
 * maxcpus, <cpu><topology> as sockets, cores and threads, else one socket
 * per vCPU. Nothing without <vcpu> (QEMU's one CPU).
 */
static void lv_smp(const struct xml_node *root, struct strv *words)
{
	const struct xml_node *topo = xml_child(root, "cpu/topology");
	const char *vcpu = xml_text(root, "vcpu");
	long max = lv_long(vcpu, -1), cur;
	struct strbuf sb;

	if (max < 0)
		return;
	cur = lv_long(xml_attr(xml_child(root, "vcpu"), "current"), max);
	sb_init(&sb);
	sb_addf(&sb, "%ld", cur < 0 ? max : cur);
	if (cur >= 0 && cur < max)
		sb_addf(&sb, ",maxcpus=%ld", max);
	if (topo && xml_attr(topo, "sockets")) {
		sb_addf(&sb, ",sockets=%s", xml_attr(topo, "sockets"));
		/* 9.0 writes dies= whenever QEMU has them (7.2 has) */
		sb_addf(&sb, ",dies=%s", xml_attr(topo, "dies") ? xml_attr(topo, "dies") : "1");
		sb_addf(&sb, ",cores=%s,threads=%s",
			xml_attr(topo, "cores") ? xml_attr(topo, "cores") : "1",
			xml_attr(topo, "threads") ? xml_attr(topo, "threads") : "1");
	} else {
		sb_addf(&sb, ",sockets=%ld,cores=1,threads=1", max);
	}
	emit(words, "-smp", sb_detach(&sb));
}


/* A JSON string, escaped by json-c itself. */
static void json_str(struct strbuf *sb, const char *s)
{
	struct json_object *o = json_object_new_string(s);

	sb_adds(sb, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static void emit_mem(struct strv *w, const struct lv_mem *m)
{
	struct strbuf o, d;

	sb_init(&o);
	sb_init(&d);
	bool file = m->type->persistence != PM_VOLATILE;

	sb_adds(&o, file ? "{\"qom-type\":\"memory-backend-file\",\"id\":"
			 : "{\"qom-type\":\"memory-backend-ram\",\"id\":");
	{
		char *mid = xasprintf("mem%s", m->id);

		json_str(&o, mid);
		free(mid);
	}
	if (file) {
		sb_adds(&o, ",\"mem-path\":");
		json_str(&o, m->path ? m->path : "");
		if (m->access && (streq(m->access, "shared") || streq(m->access, "private")))
			sb_addf(&o, ",\"share\":%s", streq(m->access, "shared") ? "true" : "false");
		if (m->nvdimm && !m->pmem)
			sb_adds(&o, ",\"prealloc\":true");
	} else if (!m->type->slot) {
		sb_adds(&o, ",\"reserve\":false");	/* virtio-mem: plugged on demand */
	}
	sb_addf(&o, ",\"size\":%" PRIu64, m->size_kib * 1024);
	if (m->nvdimm && m->align_kib)
		sb_addf(&o, ",\"align\":%" PRIu64, m->align_kib * 1024);
	if (m->nvdimm && m->pmem)
		sb_adds(&o, ",\"pmem\":true");
	sb_addc(&o, '}');
	sb_addf(&d, "{\"driver\":\"%s\"", m->type->driver);
	if (m->node >= 0)
		sb_addf(&d, ",\"node\":%ld", m->node);
	if (m->block_kib)
		sb_addf(&d, ",\"block-size\":%" PRIu64, m->block_kib * 1024);
	if (m->requested_kib)
		sb_addf(&d, ",\"requested-size\":%" PRIu64, m->requested_kib * 1024);
	if (m->nvdimm && m->has_label)
		sb_addf(&d, ",\"label-size\":%" PRIu64, m->label_kib * 1024);
	if (m->nvdimm && m->readonly)
		sb_adds(&d, ",\"unarmed\":true");
	{
		char *mid = xasprintf("mem%s", m->id);

		sb_adds(&d, ",\"memdev\":");
		json_str(&d, mid);
		sb_adds(&d, ",\"id\":");
		json_str(&d, m->id);
		free(mid);
	}
	if (m->slot >= 0)
		sb_addf(&d, ",\"slot\":%ld", m->slot);
	if (m->has_base)
		sb_addf(&d, ",\"addr\":%" PRIu64, m->base);
	sb_addc(&d, '}');
	emit(w, "-object", sb_detach(&o));
	emit(w, "-device", sb_detach(&d));
}

int libvirt_domain_words(const char *text, size_t len, struct strv *words,
			 struct strv *refusals, char **err)
{
	const struct xml_node *os, *max, *mem, *numa, *devs;
	struct xml_node root;
	struct lv_mem *mems = NULL;
	struct lv_cell *cells = NULL;
	size_t nmems = 0, ncells = 0;
	uint64_t memory_kib = 0, max_kib = 0, max_raw = 0, cells_kib = 0, cells_raw = 0;
	uint64_t devs_kib = 0, devs_raw = 0, initial;
	long slots = 0;
	long cell_overflow = -1;	/* the first cell whose aligned size overflows */
	bool has_nvdimm = false, has_max, *used = NULL;
	const char *arch, *machine, *access;
	int rc = -1;

	if (xml_parse(text, len, &root, err))
		return -1;
	if (!streq(root.name, "domain")) {
		*err = xasprintf("not a libvirt domain: the root element is <%s>", root.name);
		goto out;
	}
	os = xml_child(&root, "os/type");
	arch = xml_attr(os, "arch");
	if (arch && !streq(arch, "x86_64") && !streq(arch, "i686")) {
		*err = xasprintf("arch '%s': domain XML is read for x86_64 only (give the QEMU arguments, with --target aarch64 for virt)",
				 arch);
		goto out;
	}
	machine = xml_attr(os, "machine");
	if ((mem = xml_child(&root, "memory")) && lv_kib(mem, "<memory>", &memory_kib, err))
		goto out;
	max = xml_child(&root, "maxMemory");
	has_max = max != NULL;
	if (max) {
		if (lv_kib(max, "<maxMemory>", &max_raw, err))
			goto out;
		max_kib = round_up(max_raw, KIB_PER_MIB);
		slots = lv_long(xml_attr(max, "slots"), 0);
		if (slots < 0) {
			*err = xasprintf("line %u: <maxMemory slots='%s'>: not a number", max->line,
					 xml_attr(max, "slots"));
			goto out;
		}
	}
	/* <memoryBacking><access mode=>: the default of the cells and the memory devices */
	access = xml_attr(xml_child(&root, "memoryBacking/access"), "mode");
	/* NUMA cells: memory backends and nodes */
	numa = xml_child(&root, "cpu/numa");
	for (size_t i = 0; numa && i < numa->nchildren; i++) {
		const struct xml_node *c = &numa->children[i];
		uint64_t kib;
		const char *id = xml_attr(c, "id"), *cpus = xml_attr(c, "cpus"), *cell_access;
		char *obj;

		if (!streq(c->name, "cell"))
			continue;
		if (lv_scaled(xml_attr(c, "memory"), xml_attr(c, "unit"), c->line, "<cell memory=>",
			      &kib, err))
			goto out;
		cells_raw += kib;	/* each below 2^53: no overflow for any sane count */
		kib = round_up(kib, KIB_PER_MIB);
		if (kib > LV_MAX_KIB && cell_overflow < 0)
			cell_overflow = (long)ncells;
		cells_kib += kib;
		if (lv_long(id, 0) < 0) {
			*err = xasprintf("line %u: <cell id='%s'>: not a number", c->line, id);
			goto out;
		}
		id = id ? id : "0";
		cell_access = xml_attr(c, "memAccess") ? xml_attr(c, "memAccess") : access;
		if (cell_access && streq(cell_access, "shared"))
			/*
			 * libvirt gives a shared cell a memory-backend-file in a directory of
			 * its own that it makes before QEMU starts; memfd is the same memory
			 * for the checks and names no host path that does not exist yet.
			 */
			obj = xasprintf("{\"qom-type\":\"memory-backend-memfd\",\"id\":\"ram-node%s\",\"share\":true,\"size\":%" PRIu64 "}",
					id, kib * 1024);
		else
			obj = xasprintf("{\"qom-type\":\"memory-backend-ram\",\"id\":\"ram-node%s\",\"size\":%" PRIu64 "}",
					id, kib * 1024);
		cells = xgrow(cells, ncells, sizeof(*cells));
		cells[ncells] = (struct lv_cell){ .id = id, .object = obj };
		if (lv_cpuset(cpus, &cells[ncells])) {
			*err = xasprintf("line %u: <cell cpus='%s'>: not a CPU list", c->line, cpus);
			ncells++;
			goto out;
		}
		ncells++;
	}
	lv_numa_cpus(&root, cells, ncells, refusals);
	lv_max_cpus(&root, machine, refusals);
	/* memory devices */
	devs = xml_child(&root, "devices");
	for (size_t i = 0; devs && i < devs->nchildren; i++) {
		struct lv_mem m;
		int r;

		if (!streq(devs->children[i].name, "memory"))
			continue;
		r = read_mem(&devs->children[i], &m, refusals, err);
		if (r < 0)
			goto out;
		if (!r)
			continue;
		if (!m.access)
			m.access = access;
		mems = xgrow(mems, nmems, sizeof(*mems));
		mems[nmems++] = m;
		devs_kib += m.size_kib;
		devs_raw += m.raw_kib;
		has_nvdimm |= m.nvdimm;
	}
	initial = ncells ? cells_kib : memory_kib > devs_kib ? round_up(memory_kib - devs_kib, KIB_PER_MIB) : 0;
	/*
	 * libvirt's checks in its order: parsing (the devices' own, above),
	 * the domain's post-parse (on the sizes as written), validation, then
	 * building the command line (sizes rounded, slots given).
	 */
	if (!ncells && nmems && devs_raw > memory_kib)
		refuse(refusals, "XML error: Total size of memory devices exceeds the total memory size");
	else if (!(ncells ? cells_raw : memory_kib - devs_raw))
		refuse(refusals, "XML error: Memory size must be specified via <memory> or in the <numa> configuration");
	else if (has_max && (ncells ? cells_raw : memory_kib - devs_raw) + devs_raw > max_raw)
		refuse(refusals, "XML error: maximum memory size must be equal or greater than the actual memory size");
	if (nmems && !has_max)
		refuse(refusals, "unsupported configuration: cannot use/hotplug a memory device when domain 'maxMemory' is not defined");
	if (has_max && !ncells)
		refuse(refusals, "unsupported configuration: At least one numa node has to be configured when enabling memory hotplug");
	/* slots: the given ones, then the first free ones in document order */
	used = xcalloc(nmems + 1, sizeof(*used));	/* used[i]: mems[i] holds its slot */
	for (size_t i = 0; i < nmems; i++) {
		struct lv_mem *m = &mems[i];

		if (m->type->persistence == PM_GUEST_FLUSH) {
			/* virtio-pmem: shared, no node (libvirt's domain validation) */
			if (m->node >= 0)
				refuse(refusals, "unsupported configuration: virtio-pmem does not support NUMA nodes");
			if (!m->access || !streq(m->access, "shared")) {
				if (m->access)
					refuse(refusals, "unsupported configuration: shared access mode required for virtio-pmem device");
				m->access = "shared";
			}
		} else if (m->node < 0 && ncells) {
			refuse(refusals, "unsupported configuration: target NUMA node needs to be specified for memory device");
		}
		if (m->nvdimm && m->has_uuid)	/* pseries only */
			refuse(refusals, "unsupported configuration: UUID is not supported for NVDIMM device");
		if (m->slot < 0 || !m->type->slot)
			continue;
		if (m->slot >= slots)
			refuse(refusals, "unsupported configuration: memory device slot '%ld' exceeds slots count '%ld'",
			       m->slot, slots);
		else if (slot_taken(mems, used, nmems, m->slot))
			refuse(refusals, "unsupported configuration: memory device slot '%ld' is already being used by another memory device",
			       m->slot);
		else
			used[i] = true;
	}
	for (size_t i = 0; i < nmems; i++) {
		struct lv_mem *m = &mems[i];

		if (m->slot >= 0 || !m->type->slot)
			continue;
		/* nmems devices take at most nmems slots: the first free one is below that */
		for (long s = 0; s < slots && s <= (long)nmems && m->slot < 0; s++)
			if (!slot_taken(mems, used, nmems, s)) {
				m->slot = s;
				used[i] = true;
			}
		if (m->slot < 0)
			refuse(refusals, "internal error: failed to find an empty memory slot");
	}
	/*
	 * qemuDomainAlignMemorySizes() when the command line is built: each
	 * cell, the initial size (the aligned cells' sum), maxMemory, aligned
	 * to 1 MiB, within LLONG_MAX bytes.
	 */
	if (cell_overflow >= 0)
		refuse(refusals, "unsupported configuration: memory size of NUMA node '%ld' overflowed after alignment",
		       cell_overflow);
	else if (initial > LV_MAX_KIB)
		refuse(refusals, "unsupported configuration: initial memory size overflowed after alignment");
	else if (has_max && max_kib > LV_MAX_KIB)
		refuse(refusals, "unsupported configuration: maximum memory size overflowed after alignment");
	for (size_t i = 0; i < nmems; i++)
		if (mems[i].node >= (long)ncells && ncells)
			refuse(refusals, "can't add memory backend for guest node '%ld' as the guest has only '%zu' NUMA nodes configured",
			       mems[i].node, ncells);
	/* the command line */
	{
		/* a comma in the type stays in it (QemuOpts ",,"): no option smuggled in */
		struct strbuf mb;

		sb_init(&mb);
		for (const char *p = machine ? machine : "pc"; *p; p++) {
			if (*p == ',')
				sb_addc(&mb, ',');
			sb_addc(&mb, *p);
		}
		if (has_nvdimm)
			sb_adds(&mb, ",nvdimm=on");
		emit(words, "-machine", sb_detach(&mb));
	}
	if (!xml_child(&root, "features/acpi"))
		strv_push(words, xstrdup("-no-acpi"));
	emit(words, "-m", has_max ? xasprintf("size=%" PRIu64 "k,slots=%ld,maxmem=%" PRIu64 "k", initial, slots,
					     max_kib)
				  : xasprintf("size=%" PRIu64 "k", initial));
	lv_smp(&root, words);
	for (size_t i = 0; i < ncells; i++) {
		emit(words, "-object", cells[i].object);
		cells[i].object = NULL;
		emit(words, "-numa", lv_numa_node(&cells[i]));
	}
	for (size_t i = 0; i < nmems; i++) {
		struct lv_mem *m = &mems[i];

		size_t nth = 0;

		/* a virtio device is the Nth of its model: virtiopmem0, virtiomem0 */
		for (size_t k = 0; k < i; k++)
			nth += mems[k].type == m->type;
		if (m->alias && !strncmp(m->alias, "ua-", 3))
			m->id = xstrdup(m->alias);
		else if (m->type->slot)
			m->id = xasprintf("%s%ld", m->type->libvirt_alias,
					  m->slot < 0 ? (long)i : m->slot);
		else
			m->id = xasprintf("%s%zu", m->type->libvirt_alias, nth);
		emit_mem(words, m);
	}
	rc = 0;
out:
	for (size_t i = 0; i < nmems; i++)
		free(mems[i].id);
	free(mems);
	free(used);
	for (size_t i = 0; i < ncells; i++) {
		free(cells[i].object);
		free(cells[i].cpu);
	}
	free(cells);
	xml_free(&root);
	return rc;
}
