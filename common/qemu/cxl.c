// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CXL topology: -machine cxl=on and cxl-fmw.N (hw/cxl/cxl-host.c), the
 * host register block and the fixed memory windows in the guest-physical
 * map (hw/i386/pc.c; hw/arm/virt.c from 10.1), the pxb-cxl host bridges and
 * the ports under them, and the PCI slot each device gets behind a port.
 * Checked against QEMU 7.2, 10.0 and 11.1 (t/qemu/cases/cxl-*); where a
 * message changed between 7.2 and 10.0 the releases between are not
 * checked and 8.0 is assumed.
 */
#include "cxl.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memdev.h"
#include "qemu-args.h"
#include "qapi.h"
#include "rules-int.h"
#include "size.h"
#include "util.h"
#include "vmconfig.h"

#define CXL_HOST_REG_SIZE (1ULL << 20)	/* "cxl_host_reg" */
#define CXL_WINDOW_ALIGN (256ULL << 20)
#define FMW "cxl-fmw."
#define CXL_TARGETS_BEFORE_8_2 8	/* CXLFixedWindow.target_hbs[8] until 8.2 */

bool cxl_machine_has_prop(const struct vm *vm)
{
	switch (vm->machine.family) {
	case MF_PC:
	case MF_Q35:
		return true;
	case MF_ISAPC:
		/* 7.2's isapc is a pc machine with the property; 10.0's has none (8.0 assumed) */
		return vm->qver < QVER(8, 0);
	case MF_VIRT:
		/* arm virt: not in 7.2 and 10.0, in 11.1 (10.1 assumed); layout: cxl_place_virt() */
		return vm->qver >= QVER(10, 1);
	default:
		return false;
	}
}

bool cxl_set_enabled(struct vm *vm, const char *val, bool json, struct findings *f)
{
	struct kv e = { .key = "cxl", .val = (char *)val, .type = KV_STRING, .json = json };
	char *err = NULL;
	bool b;

	if (!qapi_get_bool(&e, &b, &err)) {
		FAIL(f, "machine-option-invalid", NULL, err, "cxl= takes on or off");
		free(err);
		return false;
	}
	vm->cxl.enabled = b;
	return true;
}

/* "cxl-fmw.N.REST": N, and REST in *rest; -1 when N is not a number. */
static long fmw_index(const char *key, const char **rest)
{
	const char *p = key + strlen(FMW);
	char *end;
	long n;

	if (!isdigit((unsigned char)*p))
		return -1;
	n = strtol(p, &end, 10);
	*rest = *end == '.' ? end + 1 : end;
	return n;
}

/* keyval_listify(): the items of a list are numbered 0, 1, ... without a gap. */
static bool list_complete(const struct kvlist *kv, const char *prefix, char **err)
{
	size_t plen = strlen(prefix);
	long max = -1;
	bool *seen;

	for (size_t i = 0; i < kv->n; i++) {
		const char *k = kv->v[i].key;

		if (!strncmp(k, prefix, plen) && isdigit((unsigned char)k[plen])) {
			long n = strtol(k + plen, NULL, 10);

			/*
			 * an index past 4095 (or past LONG_MAX) counts as 4096: the list
			 * then misses an item below it, never a giant array here
			 */
			if (n < 0 || n > 4096)
				n = 4096;
			if (n > max)
				max = n;
		}
	}
	if (max < 0)
		return true;
	seen = xcalloc((size_t)max + 1, sizeof(*seen));
	for (size_t i = 0; i < kv->n; i++) {
		const char *k = kv->v[i].key;

		if (!strncmp(k, prefix, plen) && isdigit((unsigned char)k[plen])) {
			long n = strtol(k + plen, NULL, 10);

			if (n >= 0 && n < 4096 && n <= max)
				seen[n] = true;
		}
	}
	for (long n = 0; n <= max; n++) {
		if (!seen[n]) {
			*err = xasprintf("Parameter '%s%ld' missing", prefix, n);
			free(seen);
			return false;
		}
	}
	free(seen);
	return true;
}

bool cxl_fmw_keys_ok(struct vm *vm, const struct kvlist *kv, char **err)
{
	bool any = false;

	for (size_t i = 0; i < kv->n && !any; i++)
		any = str_startswith(kv->v[i].key, FMW);
	if (!any)
		return true;
	/* keyval_merge(): a list given by two -machine options */
	if (vm->cxl.fmw_options++) {
		*err = xstrdup("Parameters 'cxl-fmw.*' used inconsistently");
		return false;
	}
	if (!list_complete(kv, FMW, err))
		return false;
	for (size_t i = 0; i < kv->n; i++) {
		const char *rest;
		long n;
		char *prefix;
		bool ok;

		if (!str_startswith(kv->v[i].key, FMW) || (n = fmw_index(kv->v[i].key, &rest)) < 0 ||
		    !str_startswith(rest, "targets."))
			continue;
		prefix = xasprintf(FMW "%ld.targets.", n);
		ok = list_complete(kv, prefix, err);
		free(prefix);
		if (!ok)
			return false;
	}
	return true;
}

static const struct kv *fmw_member(const struct vm *vm, size_t n, const char *member)
{
	char *key = xasprintf(FMW "%zu.%s", n, member);
	const struct kv *e = kv_find(&vm->machine.props, key);

	free(key);
	return e;
}

/* The QAPI visit of CXLFixedMemoryWindowOptions: size, interleave-granularity, targets. */
static bool fmw_visit(struct vm *vm, struct findings *f)
{
	const struct kvlist *kv = &vm->machine.props;
	struct cxl_state *c = &vm->cxl;
	size_t n = 0;
	char *err = NULL;

	for (size_t i = 0; i < kv->n; i++) {
		const char *rest;
		long k;

		if (str_startswith(kv->v[i].key, FMW) && (k = fmw_index(kv->v[i].key, &rest)) >= 0 &&
		    (size_t)k + 1 > n)
			n = (size_t)k + 1;
	}
	c->windows = xcalloc(n + 1, sizeof(*c->windows));
	c->nwindows = n;
	for (size_t w = 0; w < n; w++) {
		struct cxl_window *cw = &c->windows[w];
		const struct kv *e = fmw_member(vm, w, "size");
		char prefix[48];
		size_t plen;

		if (!e) {
			err = xasprintf("Parameter '" FMW "%zu.size' is missing", w);
			goto fail;
		}
		if (!qapi_get_size(e, QAPI_MACHINE, vm->qver, &cw->size, &err, NULL))
			goto fail;
		cw->granularity = 256;
		e = fmw_member(vm, w, "interleave-granularity");
		if (e && !qapi_get_size(e, QAPI_MACHINE, vm->qver, &cw->granularity, &err, NULL))
			goto fail;
		snprintf(prefix, sizeof(prefix), FMW "%zu.targets.", w);
		plen = strlen(prefix);
		for (size_t t = 0;; t++) {
			char *key = xasprintf("%s%zu", prefix, t);

			e = kv_find(kv, key);
			free(key);
			if (!e)
				break;
			cw->targets = xgrow(cw->targets, cw->ntargets, sizeof(*cw->targets));
			cw->targets[cw->ntargets++] = xstrdup(e->val);
		}
		if (!cw->ntargets) {
			err = xasprintf("Parameter '" FMW "%zu.targets' is missing", w);
			goto fail;
		}
		/* a member CXLFixedMemoryWindowOptions does not have */
		for (size_t i = 0; i < kv->n; i++) {
			const char *k = kv->v[i].key, *rest;

			if (!str_startswith(k, FMW) || fmw_index(k, &rest) != (long)w)
				continue;
			if (strcmp(rest, "size") && strcmp(rest, "interleave-granularity") &&
			    strncmp(k, prefix, plen)) {
				err = xasprintf("Parameter '%s' is unexpected", k);
				goto fail;
			}
		}
	}
	return true;
fail:
	FAIL(f, "machine-option-invalid", NULL, err, "cxl-fmw.N takes targets.M=HOST-BRIDGE, size=SIZE and interleave-granularity=SIZE");
	free(err);
	return false;
}

/* cxl_interleave_ways_enc(): 1, 2, 4, 8, 16 and 3, 6, 12 */
static bool ways_ok(size_t n)
{
	return n == 1 || n == 2 || n == 4 || n == 8 || n == 16 || n == 3 || n == 6 || n == 12;
}

void cxl_set_fmw(struct vm *vm, struct findings *f)
{
	char *q;

	if (!fmw_visit(vm, f))
		return;
	/* cxl_fixed_memory_window_config(), window by window: ways, size, granularity */
	for (size_t w = 0; w < vm->cxl.nwindows; w++) {
		const struct cxl_window *cw = &vm->cxl.windows[w];
		uint64_t g = cw->granularity;

		if (!ways_ok(cw->ntargets)) {
			q = xasprintf("Interleave ways: %zu not supported", cw->ntargets);
			FAIL(f, "cxl-fmw-ways", NULL, q,
			     "cxl-fmw.%zu has %zu targets: a window interleaves 1, 2, 3, 4, 6, 8, 12 or 16 host bridges",
			     w, cw->ntargets);
			free(q);
			return;
		}
		if (cw->size % CXL_WINDOW_ALIGN) {
			FAIL(f, "cxl-fmw-size", NULL,
			     vm->qver < QVER(8, 0)
				     ? "Size of a CXL fixed memory window must my a multiple of 256MiB"
				     : "Size of a CXL fixed memory window must be a multiple of 256MiB",
			     "cxl-fmw.%zu.size=%s is not a multiple of 256 MiB", w, hsz(cw->size));
			return;
		}
		if (g < 256 || g > 16384 || (g & (g - 1))) {
			q = xasprintf("Interleave granularity: %llu invalid", (unsigned long long)g);
			FAIL(f, "cxl-fmw-granularity", NULL, q,
			     "cxl-fmw.%zu.interleave-granularity is 256, 512, 1k, 2k, 4k, 8k or 16k", w);
			free(q);
			return;
		}
	}
	vm->cxl.has_fmw = vm->cxl.nwindows > 0;
}

uint64_t cxl_range_end(const struct cxl_state *c, uint64_t start)
{
	uint64_t end = start + CXL_HOST_REG_SIZE;

	if (!c->has_fmw)
		return end;
	end = ALIGN_UP(end, CXL_WINDOW_ALIGN);
	for (size_t w = 0; w < c->nwindows; w++)
		end += c->windows[w].size;
	return end;
}

void cxl_place(struct cxl_state *c, uint64_t start)
{
	uint64_t at = ALIGN_UP(start + CXL_HOST_REG_SIZE, CXL_WINDOW_ALIGN);

	c->host_reg_base = start;
	c->placed = true;
	for (size_t w = 0; c->has_fmw && w < c->nwindows; w++) {
		c->windows[w].base = at;
		at += c->windows[w].size;
	}
}

/* A boolean -machine property of virt (QAPI's on/off, yes/no...), else dflt. */
static bool virt_flag(const struct vm *vm, const char *key, bool dflt)
{
	const struct kv *e = kv_find(&vm->machine.props, key);
	char *err = NULL;
	bool b;

	if (!e || !qapi_get_bool(e, &b, &err)) {
		free(err);
		return dflt;
	}
	return b;
}

/*
 * arm_pamax() of the first CPU (TCG), 0 when nvd-plan does not know the
 * model; virt's default CPU is cortex-a15. max is taken as 48 bits (it may
 * have 52: the same placement below 256 TiB).
 */
static unsigned int virt_pa_bits(const struct vm *vm)
{
	static const struct { const char *model; unsigned int bits; } pa[] = {
		{ "cortex-a7", 40 }, { "cortex-a15", 40 }, { "cortex-a53", 40 },
		{ "cortex-a57", 44 }, { "cortex-a72", 44 }, { "max", 48 },
	};
	const char *cpu = vm->cpu_model ? vm->cpu_model : "cortex-a15";

	for (size_t i = 0; i < sizeof(pa) / sizeof(pa[0]); i++)
		if (streq(cpu, pa[i].model))
			return pa[i].bits;
	return 0;
}

void cxl_place_virt(struct vm *vm, uint64_t memtop, struct findings *f)
{
	/*
	 * extended_memmap[] after the low map, in order; each aligned to its
	 * size. Not modelled: virt turns the high ECAM off for a 32-bit CPU
	 * with firmware. Types before virt-7.2 (not compact) are unchecked.
	 */
	const struct { uint64_t size; bool enabled; bool cxl; bool ecam; } region[] = {
		{ 64ULL << 20, virt_flag(vm, "highmem-redists", true), false, false },	/* GIC redist2 */
		{ CXL_HOST_REG_SIZE, true, true, false },
		{ 256ULL << 20, virt_flag(vm, "highmem-ecam", true), false, true },	/* PCIe ECAM */
		{ 512ULL << 30, virt_flag(vm, "highmem-mmio", true), false, false },	/* PCIe MMIO */
	};
	struct cxl_state *c = &vm->cxl;
	bool highmem = virt_flag(vm, "highmem", true);
	/* virt-7.2 on: a disabled region takes no room */
	bool compact = vm->machine.type_version >= QVER(7, 2);
	unsigned int pa_bits = highmem ? virt_pa_bits(vm) : 32;
	uint64_t limit, base, highest = memtop - 1, at;

	if (!pa_bits) {
		INFO(f, "cxl-layout-unmodelled", NULL, NULL,
		     "nvd-plan does not know the physical address size of -cpu %s: the CXL windows are not placed",
		     vm->cpu_model);
		return;
	}
	limit = 1ULL << pa_bits;
	/* LEGACY_RAMLIMIT: the high map starts at 256 GiB at the lowest */
	base = memtop < (256ULL << 30) ? 256ULL << 30 : memtop;
	for (size_t i = 0; i < sizeof(region) / sizeof(region[0]); i++) {
		uint64_t rb = ALIGN_UP(base, region[i].size);
		bool fits = rb + region[i].size <= limit;

		/*
		 * The host register block is mapped at its aligned base, fitting
		 * or not. In the compact layout it moves neither the next
		 * region's base nor the highest address, as a disabled region
		 * (11.1's info mtree): the ECAM can land on top of it.
		 */
		if (region[i].cxl) {
			c->host_reg_base = rb;
			c->placed = true;
			if (compact)
				continue;
		}
		if (compact && !(region[i].enabled && highmem && fits))
			continue;
		if (compact && region[i].ecam && c->placed &&
		    rb < c->host_reg_base + CXL_HOST_REG_SIZE && c->host_reg_base < rb + region[i].size)
			WARN(f, "cxl-host-reg-overlap", NULL, NULL,
			     "the PCIe ECAM (%#" PRIx64 ", 256 MiB) is mapped over the CXL host register block (%#" PRIx64 ", 1 MiB): QEMU starts and says nothing, and the host bridges' registers hide the start of the ECAM, the config space of the first devices on pcie.0; keep highmem-redists on (the default) or turn highmem-ecam off",
			     rb, c->host_reg_base);
		base = rb + region[i].size;
		if (fits)
			highest = base - 1;
	}
	/*
	 * cxl_fmws_set_memmap(): in index order, each where it fits; one that
	 * does not keeps base 0, and cxl_fmws_update_mmio() maps it there
	 */
	at = ALIGN_UP(highest + 1, CXL_WINDOW_ALIGN);
	for (size_t w = 0; c->has_fmw && w < c->nwindows; w++) {
		struct cxl_window *cw = &c->windows[w];

		if (at + cw->size > limit || at + cw->size < at) {
			cw->base = 0;
			WARN(f, "cxl-window-outside-pa", NULL, NULL,
			     "cxl-fmw.%zu (%s) does not fit below the guest's %u-bit physical address limit (%s): QEMU starts but leaves the window at address 0, over the flash, the GIC and the UART, so the guest cannot use it (and may not boot); %s",
			     w, hsz(cw->size), pa_bits,
			     highmem ? (vm->cpu_model ? vm->cpu_model : "cortex-a15, the default CPU") : "highmem=off",
			     highmem ? "use -cpu max, or smaller windows" : "drop highmem=off");
			continue;
		}
		cw->base = at;
		at += cw->size;
	}
}

bool cxl_topology_driver(const char *driver)
{
	return streq(driver, "pxb-cxl") || streq(driver, "cxl-rp") ||
	       streq(driver, "cxl-upstream") || streq(driver, "cxl-downstream");
}

/* A PCI-PCI bridge or port: what a pxb-cxl bus takes. */
static bool is_bridge(const char *driver)
{
	static const char *const bridges[] = {
		"cxl-rp", "cxl-upstream", "cxl-downstream", "pcie-root-port", "ioh3420",
		"x3130-upstream", "xio3130-downstream", "pci-bridge", "pcie-pci-bridge",
		"i82801b11-bridge", "pci-bridge-seat", NULL,
	};

	for (size_t i = 0; bridges[i]; i++)
		if (streq(driver, bridges[i]))
			return true;
	return false;
}

static const char *root_bus(const struct vm *vm)
{
	return vm->machine.family == MF_PC ? "pci.0" : "pcie.0";
}

/* The device before dev whose id is name, or -1. */
static long device_named(const struct vm *vm, size_t dev, const char *name)
{
	for (size_t i = dev; i-- > 0;)
		if (vm->devices[i].id && streq(vm->devices[i].id, name))
			return (long)i;
	return -1;
}

/*
 * The bus dev plugs into, as a device index (-1: the root bus). Without
 * bus=, qdev takes the first PCI bus it finds, which on q35 and arm virt
 * is the newest pxb-cxl's (its host bridge sits on the main system bus,
 * newest first; checked against 11.1 on virt).
 */
static long bus_of(const struct vm *vm, size_t dev)
{
	const struct vdevice *v = &vm->devices[dev];

	if (v->bus)
		return streq(v->bus, root_bus(vm)) ? -1 : device_named(vm, dev, v->bus);
	if (vm->machine.family != MF_Q35 && vm->machine.family != MF_VIRT)
		return -1;
	for (size_t i = dev; i-- > 0;)
		if (streq(vm->devices[i].driver, "pxb-cxl") && !vm->devices[i].refused)
			return (long)i;
	return -1;
}

bool cxl_bus_lookup(struct vm *vm, size_t dev, const struct memdev *d, struct findings *f)
{
	const struct vdevice *v = &vm->devices[dev];
	char *q;

	if (!v->bus || streq(v->bus, root_bus(vm)) || device_named(vm, dev, v->bus) >= 0)
		return true;
	q = xasprintf("Bus '%s' not found", v->bus);
	FAIL(f, d ? memdev_fid(d, "bus-unknown") : "cxl-bus-unknown", v->id, q, "bus=%s names no PCI bus defined before this device (%s, or the id of an earlier bridge, port or pxb-cxl)",
	     v->bus, root_bus(vm));
	free(q);
	return false;
}

bool cxl_bus_accepts(struct vm *vm, size_t dev, const struct memdev *d, struct findings *f)
{
	const struct vdevice *v = &vm->devices[dev];
	long b = bus_of(vm, dev);

	if (b >= 0 && streq(vm->devices[b].driver, "pxb-cxl") && !is_bridge(v->driver)) {
		FAIL(f, d ? memdev_fid(d, "bus-bridges-only") : "cxl-bus-bridges-only", v->id,
		     "PCI: Only PCI/PCIe bridges can be plugged into pxb-cxl",
		     "%s is not a bridge: it cannot sit on pxb-cxl %s's bus; put it on a cxl-rp root port (bus=PORT-ID)%s",
		     v->driver, vm->devices[b].id ? vm->devices[b].id : "(unnamed)",
		     v->bus ? "" : " (without bus=, QEMU takes the newest pxb-cxl's bus)");
		return false;
	}
	if (streq(v->driver, "pxb-cxl") && vm->machine.family == MF_PC) {
		FAIL(f, "cxl-pxb-on-pci", v->id, "pxb-cxl devices cannot reside on a PCI bus",
		     "pxb-cxl needs a PCI Express root bus: use -machine q35");
		return false;
	}
	return true;
}

void cxl_devices_until(struct vm *vm, size_t dev, struct findings *f)
{
	size_t i;

	for (i = vm->cxl.topo_next; i < dev && i < vm->ndevices; i++) {
		struct vdevice *v = &vm->devices[i];

		if (v->memdev || !cxl_topology_driver(v->driver))
			continue;
		if (!cxl_bus_lookup(vm, i, NULL, f) || !cxl_bus_accepts(vm, i, NULL, f) ||
		    !cxl_bus_devfn_check(vm, i, NULL, f))
			v->refused = true;
		else
			cxl_port_slot_check(vm, i, NULL, f);
	}
	vm->cxl.topo_next = i;
}

int pci_devfn_parse(const struct kv *addr)
{
	unsigned int slot, fn = 0;
	int n = -1;
	long v;
	char *end;

	if (!addr)
		return -1;
	if (addr->json && addr->type == KV_INT) {
		v = strtol(addr->val, &end, 10);
		return *end || v < -1 || v > 255 ? -2 : (int)v;
	}
	if (addr->json && addr->type != KV_STRING)
		return -2;
	if (sscanf(addr->val, "%x.%x%n", &slot, &fn, &n) != 2) {
		fn = 0;
		n = -1;
		if (sscanf(addr->val, "%x%n", &slot, &n) != 1)
			return -2;
	}
	if (n < 0 || addr->val[n] || fn > 7 || slot > 31)
		return -2;
	return (int)(slot << 3 | fn);
}

/* A PCI Express root port or switch downstream port (pcie_has_upstream_port()). */
static bool is_pcie_port(const char *driver)
{
	return streq(driver, "cxl-rp") || streq(driver, "cxl-downstream") ||
	       streq(driver, "pcie-root-port") || streq(driver, "ioh3420") ||
	       streq(driver, "xio3130-downstream");
}

/*
 * do_pci_register_device(): fills who[] with the index of the device at each
 * devfn of dev's bus, from the devices before it (-1: free), and returns the
 * devfn dev gets: addr=, or else function 0 of the first slot whose function
 * 0 is free; -1 when a device there has an addr= nvd-plan cannot read, or
 * the bus is full (QEMU's refusal, not modelled).
 */
static int bus_devfns(const struct vm *vm, size_t dev, long who[256])
{
	long b = bus_of(vm, dev);

	for (int i = 0; i < 256; i++)
		who[i] = -1;
	for (size_t i = 0; i <= dev; i++) {
		const struct vdevice *v = &vm->devices[i];
		int fn = v->devfn;

		if (i < dev && (v->refused || bus_of(vm, i) != b))
			continue;
		if (fn == -2)
			return -1;
		for (int s = 0; fn == -1 && s < 256; s += 8)
			if (who[s] < 0)
				fn = s;
		if (fn < 0)
			return -1;
		if (i == dev)
			return fn;
		who[fn] = (long)i;
	}
	return -1;
}

static int devfn_of(const struct vm *vm, size_t dev)
{
	long who[256];

	return bus_devfns(vm, dev, who);
}

bool cxl_bus_devfn_check(struct vm *vm, size_t dev, const struct memdev *d, struct findings *f)
{
	const struct vdevice *v = &vm->devices[dev];
	const char *bus = v->bus ? v->bus : "(the newest pxb-cxl's)";
	long who[256], o = -1;
	int fn, k = 0;
	char *q = NULL;

	/* the root buses' own devices (q35's mch, ICH9 functions...) are not modelled */
	if (bus_of(vm, dev) < 0 || (fn = bus_devfns(vm, dev, who)) < 0)
		return true;
	if (v->devfn >= 0 && who[fn] >= 0) {
		o = who[fn];
		q = xasprintf("PCI: slot %d function %d not available for %s, in use by %s,id=%s",
			      fn >> 3, fn & 7, v->driver, vm->devices[o].driver,
			      vm->devices[o].id ? vm->devices[o].id : "(null)");
		FAIL(f, d ? memdev_fid(d, "pci-addr-busy") : "cxl-pci-addr-busy", v->id, q,
		     "addr=%x.%x on bus %s is taken by the %s before it: give another addr=, or leave it out for the first free slot",
		     fn >> 3, fn & 7, bus, vm->devices[o].driver);
	} else if (fn & 7) {
		o = who[fn & ~7];
		if (o >= 0 && !vm->devices[o].multifunction) {
			q = xasprintf("PCI: single function device can't be populated in function %x.%x",
				      fn >> 3, fn & 7);
			FAIL(f, d ? memdev_fid(d, "pci-multifunction") : "cxl-pci-multifunction", v->id, q,
			     "function %d of slot %x on bus %s: its function 0, the %s before it, has no multifunction=on",
			     fn & 7, fn >> 3, bus, vm->devices[o].driver);
		}
	} else if (!v->multifunction) {
		for (k = 1; k < 8 && who[fn + k] < 0; k++)
			;
		if (k < 8) {
			q = xasprintf("PCI: %x.0 indicates single function, but %x.%x is already populated.",
				      fn >> 3, fn >> 3, k);
			FAIL(f, d ? memdev_fid(d, "pci-multifunction") : "cxl-pci-multifunction", v->id, q,
			     "%s takes function 0 of slot %x on bus %s%s without multifunction=on, but function %d is taken by the %s before it",
			     v->driver, fn >> 3, bus, v->devfn < 0 ? " (the first slot whose function 0 is free)" : "",
			     k, vm->devices[who[fn + k]].driver);
		}
	}
	free(q);
	return !q;
}

/*
 * Checked from 8.1 (the warning is new there: "hw/pci: ensure PCIE devices
 * are plugged into only slot 0 of PCIE port"; 7.2 has none, 10.0 and 11.1
 * print it). The PCI Express devices modelled have no ARI capability:
 * cxl-type3, cxl-upstream and the virtio memory devices (modern virtio-pci
 * is PCI Express behind a port).
 */
void cxl_port_slot_check(struct vm *vm, size_t dev, const struct memdev *d, struct findings *f)
{
	const struct vdevice *v = &vm->devices[dev];
	long b;
	int fn;
	char *q;

	if (vm->qver < QVER(8, 1) || (d ? !d->type->pci : !streq(v->driver, "cxl-upstream")))
		return;
	b = bus_of(vm, dev);
	if (b < 0 || !is_pcie_port(vm->devices[b].driver))
		return;
	fn = devfn_of(vm, dev);
	if (fn < 8)
		return;
	q = xasprintf("PCI: slot %d is not valid for %s, parent device only allows plugging into slot 0.",
		      fn >> 3, v->driver);
	WARN(f, d ? memdev_fid(d, "port-slot") : "cxl-port-slot", v->id, q,
	     "%s is in slot %d of port %s's bus: the link of a PCI Express root or downstream port has device 0 only, and Linux looks there only, so the guest will not see it; give each device a port of its own",
	     v->driver, fn >> 3, vm->devices[b].id ? vm->devices[b].id : "(unnamed)");
	free(q);
}

/*
 * Before 8.2 (and 8.1.2) a window keeps room for 8 host bridges
 * (CXLFixedWindow.target_hbs[8]) while cxl_interleave_ways_enc() allows 12
 * and 16: the 9th resolved target is stored past the array, over the
 * window's own fields and its memory region, and QEMU dies of SIGSEGV
 * before the VM starts, with no message (7.2 seen; fixed by "hw/cxl: Fix
 * out of bound array access", 8.2.0 and 8.1.2). The overwrite comes after
 * the 9th target is resolved: an unknown target among the first 9 is
 * refused first. A later unknown target is refused or not depending on
 * the heap address written over the target count (7.2: the 10th was
 * refused, the 12th crashed); nvd-plan calls both a crash.
 */
static void cxl_fmw_ways_crash(const struct vm *vm, size_t w, struct findings *f)
{
	const struct cxl_window *cw = &vm->cxl.windows[w];

	FAIL(f, "cxl-fmw-ways-crash", NULL, NULL,
	     "cxl-fmw.%zu has %zu targets: QEMU before 8.2 keeps only %d host bridges per window, writes the others over its own memory and dies of SIGSEGV with no message; use a window of 8 targets or fewer (two windows, or fewer host bridges), or QEMU 8.2",
	     w, cw->ntargets, CXL_TARGETS_BEFORE_8_2);
}

void cxl_machine_done(struct vm *vm, struct findings *f)
{
	size_t nhb = 0;
	char *q;


	/* virt before 10.1 has no CXL: virt_machine_done() never looks at a pxb-cxl (7.2, 10.0 start) */
	if (vm->machine.family == MF_VIRT && !cxl_machine_has_prop(vm))
		return;
	for (size_t i = 0; i < vm->ndevices; i++)
		if (streq(vm->devices[i].driver, "pxb-cxl") && !vm->devices[i].refused)
			nhb++;
	if (nhb && !vm->cxl.enabled) {
		FAIL(f, "cxl-off", NULL, "CXL host bridges present, but cxl=off",
		     "%zu pxb-cxl host bridge%s but no -machine cxl=on", nhb, nhb > 1 ? "s" : "");
		return;
	}
	if (!vm->cxl.enabled)
		return;
	/* cxl_fmws_link_targets(): each window's targets in order */
	for (size_t w = 0; w < vm->cxl.nwindows; w++) {
		const struct cxl_window *cw = &vm->cxl.windows[w];

		for (size_t t = 0; t < cw->ntargets; t++) {
			long d = device_named(vm, vm->ndevices, cw->targets[t]);

			if (d < 0 || !streq(vm->devices[d].driver, "pxb-cxl")) {
				q = xasprintf("Could not resolve CXLFM target %s", cw->targets[t]);
				FAIL(f, "cxl-fmw-target-unknown", NULL, q,
				     "cxl-fmw.%zu.targets.%zu=%s is not the id of a pxb-cxl host bridge",
				     w, t, cw->targets[t]);
				free(q);
				return;
			}
			if (t == CXL_TARGETS_BEFORE_8_2 && vm->qver < QVER(8, 2)) {
				cxl_fmw_ways_crash(vm, w, f);
				return;
			}
		}
	}
}

const char *cxl_host_bridge_of(const struct vm *vm, size_t dev)
{
	for (size_t hops = 0; hops < 64; hops++) {
		long b = bus_of(vm, dev);

		if (b < 0)
			return NULL;
		if (streq(vm->devices[b].driver, "pxb-cxl"))
			return vm->devices[b].id;
		dev = (size_t)b;
	}
	return NULL;
}

void cxl_free(struct cxl_state *c)
{
	for (size_t w = 0; w < c->nwindows; w++) {
		for (size_t t = 0; t < c->windows[w].ntargets; t++)
			free(c->windows[w].targets[t]);
		free(c->windows[w].targets);
	}
	free(c->windows);
	memset(c, 0, sizeof(*c));
}
