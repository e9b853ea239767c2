/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -smp as QEMU reads it (hw/core/machine-smp.c machine_parse_smp_config()):
 * the topology it completes, the refusals and warnings, and the x86 IDs of a
 * CPU index. Written once: the rules (rules.c, the NUMA cpus= checks) and the
 * ACPI size (acpi-size.c) call it.
 */
#ifndef NVD_SMP_H
#define NVD_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"
#include "vmconfig.h"

/* The completed topology (MachineState.smp), QEMU's unsigned values. */
struct smp_topo {
	unsigned cpus, maxcpus, drawers, books, sockets, dies, clusters, modules, cores, threads;
};

/*
 * The topology -smp gives on vm's machine and release. False when QEMU
 * refuses it: then smp_rule() has said why.
 */
bool smp_topology(const struct vm *vm, struct smp_topo *t);
/* The machine's "smp" property: QEMU's refusal (fail) or warning, in its order. */
void smp_rule(const struct vm *vm, struct findings *f);
/* x86_cpus_init() up to 8.2: APIC IDs of the possible CPUs above 254. False: refused. */
bool smp_apic_limit_rule(const struct vm *vm, struct findings *f);
/* CPU realize from 9.0: a started CPU's APIC ID above 254 without x2apic. False: refused. */
bool smp_x2apic_rule(const struct vm *vm, struct findings *f);
/* x86_cpu_realizefn(): QEMU's warning for threads on an AMD CPU without topoext. */
void smp_cpu_warnings(const struct vm *vm, struct findings *f);
/* arm virt up to 8.2: GICv2's 8 CPUs. False: refused. */
bool smp_virt_gic_rule(const struct vm *vm, struct findings *f);
/* The machine's max_cpus (pc.c, pc_q35.c, pc_piix.c); 0: not modelled. */
unsigned smp_max_cpus(enum machine_family family, qver_t type_version);
/* The APIC ID of CPU index i (x86_apicid_from_topo_ids()). */
uint64_t smp_apic_id(const struct smp_topo *t, unsigned long i);
/* CPU index i's slot as QEMU prints it: "socket-id: 0, core-id: 2, thread-id: 0". */
char *smp_cpu_slot(const struct smp_topo *t, unsigned long i);

#endif
