// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -smp: the machine's "smp" property (hw/core/machine.c machine_set_smp(),
 * hw/core/machine-smp.c machine_parse_smp_config()). Read from QEMU 7.2's and
 * 10.0's source and checked against 7.2, 10.0 and 11.1 (t/qemu smp-*). The
 * releases between are assumed: books and drawers from 8.2, modules and the
 * refusal of 0 (a warning before) from 9.0.
 */
#include "smp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules-int.h"
#include "util.h"

/* SMPConfiguration's members in the schema's order, which the visitor keeps. */
static bool smp_key_known(const struct vm *vm, enum smp_key k)
{
	if (k == SMP_DRAWERS || k == SMP_BOOKS)
		return vm->qver >= QVER(8, 2);
	if (k == SMP_MODULES)
		return vm->qver >= QVER(9, 0);
	return true;
}

unsigned smp_max_cpus(enum machine_family family, qver_t type_version)
{
	switch (family) {
	case MF_PC:
		return 255;
	case MF_Q35:
		if (type_version >= QVER(9, 0))
			return 4096;
		return type_version >= QVER(8, 1) ? 1024 : 288;
	case MF_ISAPC:
		return 1;
	case MF_MICROVM:
		return 288;
	case MF_VIRT:
		return 512;
	default:
		return 0;
	}
}

/* mc->name: the alias's versioned type. */
static char *machine_name(const struct vm *vm)
{
	const struct machine *m = &vm->machine;
	int v = m->type_version;

	if (!strcmp(m->type, "pc"))
		return xasprintf("pc-i440fx-%d.%d", v / 100, v % 100);
	if (!strcmp(m->type, "q35"))
		return xasprintf("pc-q35-%d.%d", v / 100, v % 100);
	if (!strcmp(m->type, "virt"))
		return xasprintf("virt-%d.%d", v / 100, v % 100);
	return xstrdup(m->type);
}

/* cpu_hierarchy_to_string(): pc and q35 have dies, and modules from 9.0; virt clusters. */
static char *hierarchy(const struct vm *vm, const struct smp_topo *t)
{
	struct strbuf sb;

	sb_init(&sb);
	if (vm->machine.family == MF_VIRT) {
		sb_addf(&sb, "sockets (%u) * clusters (%u) * cores (%u) * threads (%u)",
			t->sockets, t->clusters, t->cores, t->threads);
		return sb_detach(&sb);
	}
	sb_addf(&sb, "sockets (%u) * dies (%u)", t->sockets, t->dies);
	if (vm->qver >= QVER(9, 0))
		sb_addf(&sb, " * modules (%u)", t->modules);
	sb_addf(&sb, " * cores (%u) * threads (%u)", t->cores, t->threads);
	return sb_detach(&sb);
}

/* QEMU's unsigned division; a product that wraps to 0 gives 0, not a trap. */
static unsigned udiv(unsigned a, unsigned long long b)
{
	return (unsigned)b ? a / (unsigned)b : 0;
}

/*
 * The check itself; f NULL: only the verdict. The values are QEMU's "int"
 * members (qemu_strtoi64(), base 0) stored in unsigned MachineState fields.
 */
static bool smp_check(const struct vm *vm, struct smp_topo *t, struct findings *f)
{
	const struct smp *s = &vm->smp;
	unsigned v[SMP_NKEYS] = { 0 };
	bool zero = false;
	unsigned max, total;
	char *q, *h;

	memset(t, 0, sizeof(*t));
	t->cpus = t->maxcpus = t->drawers = t->books = t->sockets = t->dies = 1;
	t->clusters = t->modules = t->cores = t->threads = 1;
	/* x86's pc, q35 (isapc, microvm) and arm's virt */
	if (!s->given || (vm->target != TARGET_X86_64 && vm->machine.family != MF_VIRT))
		return true;
	if (s->err) {
		if (f)
			FAIL(f, "smp-invalid", NULL, s->err, "QEMU cannot read -smp's text");
		return false;
	}
	for (int k = 0; k < SMP_NKEYS; k++) {
		long long n;
		char *end;

		if (!s->val[k] || !smp_key_known(vm, k))
			continue;
		errno = 0;
		n = strtoll(s->val[k], &end, 0);
		if (errno || end == s->val[k] || *end) {
			if (f) {
				q = xasprintf("Parameter 'smp.%s' expects integer", smp_keys[k]);
				FAIL(f, "smp-invalid", NULL, q, "-smp %s=%s is not a number",
				     smp_keys[k], s->val[k]);
				free(q);
			}
			return false;
		}
		zero |= !n;
		v[k] = (unsigned)n;
	}
	for (int k = 0; k < SMP_NKEYS; k++) {
		if (s->val[k] && !smp_key_known(vm, k)) {
			if (f) {
				q = xasprintf("Parameter 'smp.%s' is unexpected", smp_keys[k]);
				FAIL(f, "smp-invalid", NULL, q, "QEMU %d.%d's -smp has no %s=",
				     vm->qver / 100, vm->qver % 100, smp_keys[k]);
				free(q);
			}
			return false;
		}
	}
	if (s->unexpected) {
		if (f) {
			q = xasprintf("Parameter 'smp.%s' is unexpected", s->unexpected);
			FAIL(f, "smp-invalid", NULL, q, "-smp has no %s= (cpus, maxcpus, sockets, dies, cores, threads...)",
			     s->unexpected);
			free(q);
		}
		return false;
	}
	if (zero && vm->qver >= QVER(9, 0)) {
		if (f)
			FAIL(f, "smp-zero", NULL,
			     "Invalid CPU topology: CPU topology parameters must be greater than zero",
			     "a -smp value is 0: leave the key out or give a positive number");
		return false;
	}
	if (zero && f)
		WARN(f, "smp-zero", NULL,
		     "warning: Deprecated CPU topology (considered invalid): CPU topology parameters must be greater than zero",
		     "a -smp value is 0, which QEMU %d.%d reads as not given (refused from 9.0 on): leave the key out",
		     vm->qver / 100, vm->qver % 100);
	/* pc and q35 have dies (and, from 9.0, modules), virt clusters; none books or drawers */
	{
		static const enum smp_key order[] = { SMP_MODULES, SMP_CLUSTERS, SMP_DIES,
						      SMP_BOOKS, SMP_DRAWERS };

		for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
			enum smp_key k = order[i];

			bool has = vm->machine.family == MF_VIRT ? k == SMP_CLUSTERS
								  : k == SMP_DIES || k == SMP_MODULES;

			if (has || v[k] <= 1)
				continue;
			if (f) {
				q = vm->qver >= QVER(9, 0)
					    ? xasprintf("%s > 1 not supported by this machine's CPU topology",
							smp_keys[k])
					    : xasprintf("%s not supported by this machine's CPU topology",
							smp_keys[k]);
				FAIL(f, "smp-level-unsupported", NULL, q,
				     "machine %s has no CPU %s: leave %s= out (x86: sockets, dies, cores, threads; virt: sockets, clusters, cores, threads)",
				     vm->machine.type, smp_keys[k], smp_keys[k]);
				free(q);
			}
			return false;
		}
	}
	t->cpus = v[SMP_CPUS];
	t->maxcpus = v[SMP_MAXCPUS];
	t->sockets = v[SMP_SOCKETS];
	t->cores = v[SMP_CORES];
	t->threads = v[SMP_THREADS];
	t->dies = v[SMP_DIES] ? v[SMP_DIES] : 1;
	t->modules = v[SMP_MODULES] ? v[SMP_MODULES] : 1;
	t->clusters = v[SMP_CLUSTERS] ? v[SMP_CLUSTERS] : 1;
	{
		unsigned long long lv = (unsigned long long)t->dies * t->clusters * t->modules;

		if (!t->cpus && !t->maxcpus) {
			t->sockets = t->sockets ? t->sockets : 1;
			t->cores = t->cores ? t->cores : 1;
			t->threads = t->threads ? t->threads : 1;
		} else {
			t->maxcpus = t->maxcpus ? t->maxcpus : t->cpus;
			/* prefer sockets over cores before machine type 6.2 */
			if (vm->machine.type_version < QVER(6, 2) && !t->sockets) {
				t->cores = t->cores ? t->cores : 1;
				t->threads = t->threads ? t->threads : 1;
				t->sockets = udiv(t->maxcpus, lv * t->cores * t->threads);
			} else if (vm->machine.type_version < QVER(6, 2) && !t->cores) {
				t->threads = t->threads ? t->threads : 1;
				t->cores = udiv(t->maxcpus, t->sockets * lv * t->threads);
			} else if (vm->machine.type_version >= QVER(6, 2) && !t->cores) {
				t->sockets = t->sockets ? t->sockets : 1;
				t->threads = t->threads ? t->threads : 1;
				t->cores = udiv(t->maxcpus, t->sockets * lv * t->threads);
			} else if (vm->machine.type_version >= QVER(6, 2) && !t->sockets) {
				t->threads = t->threads ? t->threads : 1;
				t->sockets = udiv(t->maxcpus, lv * t->cores * t->threads);
			}
			if (!t->threads)
				t->threads = udiv(t->maxcpus, t->sockets * lv * t->cores);
		}
	}
	total = t->sockets * t->dies * t->clusters * t->modules * t->cores * t->threads;
	t->maxcpus = t->maxcpus ? t->maxcpus : total;
	t->cpus = t->cpus ? t->cpus : t->maxcpus;
	if (total != t->maxcpus) {
		if (f) {
			h = hierarchy(vm, t);
			q = xasprintf("Invalid CPU topology: product of the hierarchy must match maxcpus: %s != maxcpus (%u)",
				      h, t->maxcpus);
			FAIL(f, "smp-topology-mismatch", NULL, q,
			     "-smp's levels (sockets, dies or clusters, cores, threads) make %u CPUs, not maxcpus %u: make their product maxcpus (or leave one out for QEMU to compute)",
			     total, t->maxcpus);
			free(q);
			free(h);
		}
		return false;
	}
	if (t->maxcpus < t->cpus) {
		if (f) {
			h = hierarchy(vm, t);
			q = xasprintf("Invalid CPU topology: maxcpus must be equal to or greater than smp: %s == maxcpus (%u) < smp_cpus (%u)",
				      h, t->maxcpus, t->cpus);
			FAIL(f, "smp-maxcpus-below-cpus", NULL, q,
			     "-smp asks for %u CPUs at start but maxcpus is %u: raise maxcpus or lower cpus",
			     t->cpus, t->maxcpus);
			free(q);
			free(h);
		}
		return false;
	}
	max = smp_max_cpus(vm->machine.family, vm->machine.type_version);
	if (max && t->maxcpus > max) {
		if (f) {
			char *name = machine_name(vm);

			q = xasprintf("Invalid SMP CPUs %d. The max CPUs supported by machine '%s' is %u",
				      (int)t->maxcpus, name, max);
			FAIL(f, "smp-cpus-max", NULL, q,
			     "machine %s takes at most %u CPUs (maxcpus included), not %u",
			     name, max, t->maxcpus);
			free(q);
			free(name);
		}
		return false;
	}
	return true;
}

bool smp_topology(const struct vm *vm, struct smp_topo *t)
{
	return smp_check(vm, t, NULL);
}

void smp_rule(const struct vm *vm, struct findings *f)
{
	struct smp_topo t;

	smp_check(vm, &t, f);
}

static unsigned id_width(unsigned long count)
{
	unsigned w = 0;

	for (count--; count; count >>= 1)
		w++;
	return w;
}

uint64_t smp_apic_id(const struct smp_topo *t, unsigned long i)
{
	unsigned tw = id_width(t->threads), cw = id_width(t->cores);
	unsigned mw = id_width(t->modules), dw = id_width(t->dies);
	uint64_t smt = i % t->threads, core = i / t->threads % t->cores;
	uint64_t mod = i / (t->threads * t->cores) % t->modules;
	uint64_t die = i / (t->threads * t->cores * t->modules) % t->dies;
	uint64_t pkg = i / ((uint64_t)t->threads * t->cores * t->modules * t->dies);

	return pkg << (tw + cw + mw + dw) | die << (tw + cw + mw) | mod << (tw + cw) |
	       core << tw | smt;
}

/* x86_possible_cpu_arch_ids() and cpu_slot_to_string(): die-id and module-id when > 1 */
char *smp_cpu_slot(const struct smp_topo *t, unsigned long i)
{
	uint64_t per_die = (uint64_t)t->threads * t->cores * t->modules;
	struct strbuf sb;

	sb_init(&sb);
	sb_addf(&sb, "socket-id: %llu", (unsigned long long)(i / (per_die * t->dies)));
	if (t->dies > 1)
		sb_addf(&sb, ", die-id: %llu", (unsigned long long)(i / per_die % t->dies));
	if (t->modules > 1)
		sb_addf(&sb, ", module-id: %llu",
			(unsigned long long)(i / ((uint64_t)t->threads * t->cores) % t->modules));
	sb_addf(&sb, ", core-id: %lu, thread-id: %lu", i / t->threads % t->cores, i % t->threads);
	return sb_detach(&sb);
}

/*
 * x86_cpus_init() up to 8.2: an APIC ID of 255 or more among the possible
 * CPUs (the last index's ID) needs KVM's in-kernel x2APIC, which TCG has not.
 * 9.0 (assumed: TCG's x2APIC came then; 10.0 and 11.1 checked) asks only KVM.
 */
bool smp_apic_limit_rule(const struct vm *vm, struct findings *f)
{
	struct smp_topo t;
	uint64_t limit;

	if (vm->qver >= QVER(9, 0) || !smp_topology(vm, &t) || !t.maxcpus)
		return true;
	limit = smp_apic_id(&t, t.maxcpus - 1) + 1;
	if (limit <= 255)
		return true;
	FAIL(f, "smp-apic-id-limit", NULL,
	     "current -smp configuration requires kernel irqchip and X2APIC API support.",
	     "the last possible CPU (index %u) has APIC ID %llu: QEMU %d.%d without KVM takes APIC IDs up to 254 only; fewer CPUs, or a topology without gaps (sockets, cores and threads that are powers of two)",
	     t.maxcpus - 1, (unsigned long long)(limit - 1), vm->qver / 100, vm->qver % 100);
	return false;
}

/*
 * apic_common_set_id() from 9.0: a CPU created at start (index below cpus)
 * with an APIC ID of 255 or more needs the x2apic feature, which qemu64 (the
 * default), qemu32, kvm64 and kvm32 lack; other models are not judged. 11.1
 * exits with the message, 10.0 aborts (error_abort) after printing it.
 */
bool smp_x2apic_rule(const struct vm *vm, struct findings *f)
{
	static const char *const no_x2apic[] = { "qemu64", "qemu32", "kvm64", "kvm32" };
	struct smp_topo t;
	bool lacks = false;
	char *q;

	if (vm->qver < QVER(9, 0) || !smp_topology(vm, &t) || vm->cpu_x2apic == TRI_ON)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(no_x2apic); i++)
		lacks |= !vm->cpu_model || !strcmp(vm->cpu_model, no_x2apic[i]);
	if (!lacks && vm->cpu_x2apic != TRI_OFF)
		return true;
	for (unsigned long i = 0; i < t.cpus; i++) {
		uint64_t id = smp_apic_id(&t, i);

		if (id < 255)
			continue;
		q = xasprintf("APIC ID %llu requires x2APIC feature in CPU", (unsigned long long)id);
		FAIL(f, "smp-apic-id-limit", NULL, q,
		     "CPU %lu has APIC ID %llu, which needs x2APIC: add x2apic=on to -cpu (or start fewer CPUs and hot-plug the rest)%s",
		     i, (unsigned long long)id,
		     vm->qver < QVER(11, 0) ? "; QEMU 10.x aborts here instead of exiting" : "");
		free(q);
		return false;
	}
	return true;
}

/*
 * x86_cpu_realizefn(): threads on an AMD-vendor CPU without topoext. 7.2
 * prints the advice as a second line, 10.0 and 11.1 in the warning (9.0
 * assumed). TCG has no topoext (it filters it out, EPYC's and topoext=on
 * alike), so under TCG every AMD CPU warns; under KVM the models with
 * topoext (EPYC*) and max are not judged.
 */
void smp_cpu_warnings(const struct vm *vm, struct findings *f)
{
	static const char *const amd_no_topoext[] = { "qemu64", "athlon", "phenom" };
	const char *accel = kv_get(&vm->machine.props, "accel");
	bool kvm = vm->accel_kvm || (accel && str_startswith(accel, "kvm"));
	bool lacks = !kvm || !vm->cpu_model || !strncmp(vm->cpu_model, "Opteron_", 8) ||
		     vm->cpu_topoext == TRI_OFF;
	struct smp_topo t;
	char *q;

	for (size_t i = 0; i < ARRAY_SIZE(amd_no_topoext); i++)
		lacks |= vm->cpu_model && !strcmp(vm->cpu_model, amd_no_topoext[i]);
	if (vm->cpu_intel || !lacks || (kvm && vm->cpu_topoext == TRI_ON) ||
	    !smp_topology(vm, &t) || t.threads <= 1)
		return;
	q = vm->qver >= QVER(9, 0)
		    ? xasprintf("warning: This family of AMD CPU doesn't support hyperthreading(%u). Please configure -smp options properly or try enabling topoext feature.",
				t.threads)
		    : xasprintf("warning: This family of AMD CPU doesn't support hyperthreading(%u)",
				t.threads);
	WARN(f, "smp-amd-threads", NULL, q,
	     "-smp gives %u threads per core, but the CPU (%s) is AMD's without topoext%s: the guest is told of no SMT; use threads=1 (more cores instead)%s",
	     t.threads, vm->cpu_model ? vm->cpu_model : "qemu64", kvm ? "" : " (TCG has none)",
	     kvm ? " or add topoext=on to -cpu" : "");
	free(q);
}

/*
 * machvirt_init() (7.2): without gic-version, virt builds a GICv2, which
 * takes 8 CPUs (GIC_NCPU), maxcpus included. 10.0 and 11.1 start 9 (a GICv3
 * under TCG); 9.0 is assumed to be where that changed.
 */
bool smp_virt_gic_rule(const struct vm *vm, struct findings *f)
{
	struct smp_topo t;
	char *q;

	if (vm->qver >= QVER(9, 0) || kv_get(&vm->machine.props, "gic-version") ||
	    !smp_topology(vm, &t) || t.maxcpus <= 8)
		return true;
	q = xasprintf("Number of SMP CPUs requested (%u) exceeds max CPUs supported by machine 'mach-virt' (8)",
		      t.maxcpus);
	FAIL(f, "smp-cpus-max", NULL, q,
	     "virt's default interrupt controller in QEMU %d.%d (GICv2) takes 8 CPUs, not %u: add gic-version=3 to -machine, or fewer CPUs",
	     vm->qver / 100, vm->qver % 100, t.maxcpus);
	free(q);
	return false;
}
