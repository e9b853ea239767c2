// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The size of the ACPI tables QEMU builds for pc and q35 (acpi_build():
 * FACS, DSDT, FADT, MADT, HPET, SRAT, MCFG, the NVDIMM SSDT, NFIT, WAET,
 * RSDT). It is the sum of parts measured against QEMU 7.2, each part's
 * formula checked against the sizes QEMU itself reports (a 65400-byte
 * -acpitable lifts any configuration over the warning's threshold, so the
 * warning prints the exact size): 1,024 slot counts, 510 CPU counts and 60
 * random pc/q35 configurations (RAM sizes, NUMA nodes, sockets, NVDIMMs,
 * default devices) agreed to the byte. What is not measured makes the figure
 * inexact, and says so.
 */
#include "acpi-size.h"

#include <stdlib.h>
#include <string.h>

#include "memdev.h"
#include "nfit.h"
#include "rules-int.h"
#include "smp.h"
#include "util.h"

#define HOLE_640K_START 0xa0000ULL
#define HOLE_640K_END 0x100000ULL
#define SRAT_HEADER 48
#define SRAT_CPU 16		/* Processor Local APIC Affinity */
#define SRAT_MEM 40		/* Memory Affinity */
#define RSDT_ENTRY 4
#define MADT_LAPIC 8
#define CPU_PXM(node) ((node) < 2 ? 6 : 7)	/* Name (_PXM, Zero/One/BytePrefix n) */

/*
 * The options whose share is modelled or that add no ACPI: the rest make
 * the figure inexact (-vga, -serial, -drive... add AML).
 */
static bool option_modelled(const char *name)
{
	static const char *const ok[] = {
		"machine", "M", "m", "object", "device", "numa", "smp", "cpu", "global",
		"nodefaults", "no-user-config", "S", "display", "qmp", "qmp-pretty", "name",
		"uuid", "enable-kvm", "accel", "daemonize", "pidfile", "monitor", "mon",
		"chardev", "boot", "rtc", "D", "d", "trace", "msg", "sandbox", "runas",
		"overcommit", "mem-prealloc", "mem-path", "bios", "pflash", "kernel", "append",
		"initrd", "no-reboot", "no-shutdown", "no-acpi", "k", "vnc",
	};

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (!strcmp(name, ok[i]))
			return true;
	return false;
}

/* -machine properties that change no table (or whose share is modelled). */
static bool machine_prop_modelled(const struct kv *e)
{
	static const char *const ok[] = {
		"type", "accel", "nvdimm", "nvdimm-persistence", "memory-backend",
		"max-ram-below-4g", "kernel-irqchip", "kernel_irqchip", "dump-guest-core",
		"mem-merge", "graphics", "x-oem-id", "x-oem-table-id", "acpi",
		"suppress-vmdesc", "pflash0", "pflash1", "firmware",
	};

	if (!strcmp(e->key, "usb") || !strcmp(e->key, "cxl"))
		return !strcmp(e->val, "off") || !strcmp(e->val, "false");
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (!strcmp(e->key, ok[i]))
			return true;
	return false;
}

/* Say what the figure leaves out: the first thing found. */
static void not_counted(struct acpi_size *s, const char *what)
{
	if (!s->inexact)
		s->inexact = what;
}

/* AML PkgLength bytes of a package whose body is len bytes (aml-build.c). */
static unsigned pkglen_bytes(uint64_t len)
{
	if (len + 1 < (1u << 6))
		return 1;
	if (len + 2 < (1u << 12))
		return 2;
	if (len + 3 < (1u << 20))
		return 3;
	return 4;
}

/*
 * The node of CPU i: its cpus= range, else its socket modulo the nodes.
 * *twice: it is in more than one node's cpus=.
 */
static uint64_t cpu_node(const struct vm *vm, size_t nnodes, const struct smp_topo *t,
			 unsigned long i, bool *mapped, bool *twice)
{
	uint64_t node = 0;

	*mapped = false;
	for (size_t n = 0; n < vm->nnodes; n++)
		for (size_t r = 0; r < vm->nodes[n].ncpus; r++)
			if (i >= vm->nodes[n].cpus[r].first && i <= vm->nodes[n].cpus[r].last) {
				*twice |= *mapped;
				*mapped = true;
				node = (uint64_t)vm->nodes[n].nodeid;
			}
	if (*mapped)
		return node;
	return i / ((uint64_t)t->threads * t->cores * t->modules * t->dies) % nnodes;
}

/* SRAT memory entries of the nodes' RAM (build_srat()'s hole cutting). */
static uint64_t srat_ram_entries(const struct vm *vm, const uint64_t *node_mem, size_t nodes)
{
	uint64_t next = 0, count = 0;

	for (size_t i = 0; i < nodes; i++) {
		uint64_t base = next, len = node_mem[i];

		next = base + len;
		if (base <= HOLE_640K_START && next > HOLE_640K_START) {
			len -= next - HOLE_640K_START;
			count += len > 0;
			if (next <= HOLE_640K_END) {
				next = HOLE_640K_END;
				continue;
			}
			base = HOLE_640K_END;
			len = next - HOLE_640K_END;
		}
		if (base <= vm->below_4g && next > vm->below_4g) {
			len -= next - vm->below_4g;
			count += len > 0;
			len = next - vm->below_4g;
			next = (4ULL << 30) + len;
		}
		count += len > 0;
	}
	return count;
}

/* The CPUs' share: MADT entries, the \_SB.CPUS AML, the SRAT's entries. */
static uint64_t cpus_size(const struct vm *vm, const struct smp_topo *t, size_t nnodes,
			  struct acpi_size *s)
{
	/* \_SB.CPUS's and \_SB's own contents besides the CPUs (fitted, 7.2) */
	static const uint64_t cpus_fixed = 720, sb_fixed = 926;
	uint64_t aml = 0, bytes = 0;
	unsigned long unmapped = 0;
	bool srat = nnodes > 0, twice = false;

	if (t->maxcpus > 255)
		not_counted(s, "more than 255 CPUs");
	for (unsigned long i = 0; i < t->maxcpus; i++) {
		bool mapped = false;
		uint64_t node = srat ? cpu_node(vm, nnodes, t, i, &mapped, &twice) : 0;

		if (smp_apic_id(t, i) >= 255)
			not_counted(s, "CPUs with x2APIC IDs");
		if (srat && !mapped)
			unmapped++;
		/* Device (Cnnn): _UID, _STA, _MAT, _EJ0, _OST take i, One for 1 */
		aml += (i < 2 ? 83 : 86) + (srat ? CPU_PXM(node) : 0);
		bytes += MADT_LAPIC + (srat ? SRAT_CPU : 0);
	}
	/* Some CPUs in no node: QEMU warns and puts them in node 0. */
	if (srat && unmapped && unmapped < t->maxcpus)
		not_counted(s, "CPUs in no -numa node");
	if (twice)
		not_counted(s, "a CPU in two -numa nodes");
	/* CTFY's body passes 63 bytes at 5 CPUs, then \_SB.CPUS and \_SB 4095 */
	aml += t->maxcpus >= 5;
	aml += pkglen_bytes(cpus_fixed + aml) - 2;
	aml += pkglen_bytes(sb_fixed + aml) - 2;
	/* CPU 0's Device and MADT entry are in the machine's base */
	return bytes + aml - 83 - MADT_LAPIC;
}

/* The machine without CPUs beyond the first, memory hotplug or NVDIMMs. */
static uint64_t machine_base(const struct vm *vm, struct acpi_size *s)
{
	const struct machine *m = &vm->machine;
	bool dflt = !vm->nodefaults && !vm->libvirt;

	if (m->type_version < QVER(2, 7))
		not_counted(s, "a machine type older than 2.7");
	/* up to 2.10 (x-pci-hole64-fix=off) _CRS has no 64-bit hole: 46 bytes less */
	if (m->family == MF_PC) {
		if (m->type_version < QVER(2, 7))
			return dflt ? 3341 : 3125;
		if (m->type_version < QVER(2, 11))
			return dflt ? 3964 : 3748;
		return dflt ? 4010 : 3794;
	}
	if (m->type_version < QVER(2, 7))
		return dflt ? 7644 : 7479;
	if (m->type_version < QVER(2, 11))
		return dflt ? 8267 : 8102;
	if (m->type_version < QVER(6, 1))	/* 6.1: ACPI PCI hotplug on q35 */
		return dflt ? 8313 : 8148;
	return dflt ? 8811 : 8646;
}

bool acpi_tables_size(const struct vm *vm, struct acpi_size *s)
{
	const struct machine *m = &vm->machine;
	uint64_t slots = vm->mem.slots, *node_mem, ram_entries, mem_entries;
	size_t nnodes = vm->nnodes, nvdimms = 0, srat_devs = 0;
	bool srat;
	struct smp_topo t;

	memset(s, 0, sizeof(*s));
	if (vm->target != TARGET_X86_64 || (m->family != MF_PC && m->family != MF_Q35) ||
	    m->acpi == TRI_OFF)
		return false;
	for (size_t i = 0; i < vm->option_names.n; i++)
		if (!option_modelled(vm->option_names.v[i]))
			not_counted(s, "an option that adds devices (-vga, -serial, -drive...)");
	if (vm->numa_unread)
		not_counted(s, "-numa dist, cpu or hmat");
	if (vm->numa_cpus_unread)
		not_counted(s, "a -numa node,cpus= that is not a number or range");
	/* libvirt gives -nodefaults and controllers, ports... of its own, not translated here */
	if (vm->libvirt)
		not_counted(s, "the controllers and devices libvirt adds");
	/* other releases' AML differs in places (measured on 7.2 only) */
	if (vm->qver != QVER(7, 2))
		not_counted(s, "how this release's tables differ from 7.2's");
	s->bytes = machine_base(vm, s) + (m->nvdimm ? 20 : 0);
	for (size_t i = 0; i < m->props.n; i++)
		if (!machine_prop_modelled(&m->props.v[i]))
			not_counted(s, "a -machine property");
	for (size_t i = 0; i < vm->ndevices; i++)
		if (!vm->devices[i].memdev)
			not_counted(s, "a -device that is not a memory device");
	for (size_t i = 0; i < vm->nglobals; i++)
		if (!memdev_type_by_driver(vm->globals[i].driver) &&
		    strncmp(vm->globals[i].driver, "memory-backend-", 15))
			not_counted(s, "a -global of a device that is not a memory device");
	for (size_t i = 0; i < vm->nmemdevs; i++) {
		const struct memdev *d = &vm->memdevs[i];

		if (d->hotplug || d->refused)
			continue;
		if (d->type->own_window)
			not_counted(s, "a CXL device");
		if (d->type->nfit && m->nvdimm)
			nvdimms++;
		if (d->type->srat)
			srat_devs++;
		/* a PCI device on the root bus: Device (Sxx) { _ADR, _SUN... } */
		if (d->type->pci) {
			s->bytes += 17;
			if (kv_get(&d->props, "bus") || kv_get(&d->props, "addr"))
				not_counted(s, "a memory device with bus= or addr=");
		}
	}
	/* QEMU refuses the topology before it builds any table */
	if (!smp_topology(vm, &t))
		return false;
	/* numa_complete_configuration(): a node of its own for memory hotplug */
	if (!nnodes && ((slots && m->type_version >= QVER(2, 11)) ||
			(vm->mem.maxmem > vm->mem.size && m->type_version >= QVER(5, 1))))
		nnodes = 1;
	srat = nnodes > 0;
	node_mem = xcalloc(nnodes ? nnodes : 1, sizeof(*node_mem));
	if (vm->nnodes) {
		for (size_t i = 0; i < vm->nnodes; i++) {
			const struct numa_node *n = &vm->nodes[i];
			const struct backend *b = NULL;

			for (size_t k = 0; n->memdev && k < vm->nbackends && !b; k++)
				if (!strcmp(vm->backends[k].id, n->memdev))
					b = &vm->backends[k];

			if (n->nodeid < 0 || (size_t)n->nodeid >= vm->nnodes) {
				not_counted(s, "NUMA node ids with gaps");
				continue;
			}
			node_mem[n->nodeid] = n->has_mem ? n->mem : b ? b->size : 0;
		}
	} else if (nnodes) {
		node_mem[0] = vm->mem.size;
	}
	s->bytes += cpus_size(vm, &t, nnodes, s);
	if (srat) {
		ram_entries = srat_ram_entries(vm, node_mem, nnodes);
		mem_entries = ram_entries + (m->nvdimm ? srat_devs : 0);
		/* build_srat() pads the memory entries to nodes + 2 */
		if (mem_entries < nnodes + 2)
			mem_entries = nnodes + 2;
		s->bytes += SRAT_HEADER + SRAT_MEM * mem_entries + RSDT_ENTRY +
			    (vm->has_window && vm->window_size ? SRAT_MEM : 0);
	}
	free(node_mem);
	if (slots) {
		/* \_SB.PCI0.MHPD and a Device (MPnn) per slot */
		s->bytes += 1107 + 123 * (slots - 1) + (slots >= 5) + (slots >= 27) +
			    (slots >= 256);
		/* the NVDIMM SSDT: NVDR and a Device (NVnn) per slot */
		if (m->nvdimm)
			s->bytes += 1031 + 394 * (slots - 1) + 2 * (slots >= 9) +
				    5 * (slots >= 256);
	}
	if (nvdimms && slots) {
		uint8_t *nfit;
		size_t len;
		const char *why;

		if (!nfit_build(vm, &nfit, &len, &why)) {
			s->bytes += len + RSDT_ENTRY;
			free(nfit);
		}
	}
	return true;
}

/*
 * acpi_build() (7.2): "ACPI table size %u exceeds %d bytes" over
 * ACPI_BUILD_TABLE_SIZE / 2. From 8.1 only machine types without resizable
 * ACPI blobs (pc-i440fx-2.2 and older) warn; 9.1 removed them and the
 * warning. 8.0 is assumed to warn as 7.2 (the change is dated 2023-03-29,
 * after 8.0's freeze; only 7.2, 10.0 and 11.1 run here). pc-i440fx-2.0 and
 * older compare with the size of QEMU 2.0's tables instead: not modelled.
 */
void acpi_size_rule(const struct vm *vm, struct findings *f)
{
	const struct machine *m = &vm->machine;
	struct acpi_size s;
	char *q;

	if (vm->qver >= QVER(9, 1) || m->type_version <= QVER(2, 0))
		return;
	if (vm->qver >= QVER(8, 1) && (m->family != MF_PC || m->type_version > QVER(2, 2)))
		return;
	if (!acpi_tables_size(vm, &s) || s.bytes <= 65536)
		return;
	if (s.inexact) {
		WARN(f, "acpi-table-size", NULL, NULL,
		     "QEMU %d.%d will warn that its ACPI tables exceed 64 KiB (migration may not work): about %llu bytes here (an estimate: nvd-plan does not model %s); fewer memory slots or CPUs make them smaller",
		     vm->qver / 100, vm->qver % 100, (unsigned long long)s.bytes, s.inexact);
		return;
	}
	q = xasprintf("warning: ACPI table size %llu exceeds 65536 bytes, migration may not work",
		      (unsigned long long)s.bytes);
	WARN(f, "acpi-table-size", NULL, q,
	     "QEMU %d.%d builds %llu bytes of ACPI tables here, over the 64 KiB it keeps room for: migration to another QEMU may fail. Every memory slot adds 123 bytes and, with nvdimm=on, 394 more; every CPU about 100",
	     vm->qver / 100, vm->qver % 100, (unsigned long long)s.bytes);
	free(q);
}
