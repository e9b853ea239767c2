/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CXL topology of a pc/q35 machine (hw/cxl/cxl-host.c, hw/i386/pc.c,
 * hw/pci-bridge/pci_expander_bridge.c): -machine cxl=on, its fixed memory
 * windows (cxl-fmw.N.*), the pxb-cxl host bridges, cxl-rp root ports and
 * cxl-upstream/cxl-downstream switch ports. The type-3 memory device itself
 * is a row of the memory-device table (memdev-cxl-type3.c).
 */
#ifndef NVD_CXL_H
#define NVD_CXL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct findings;
struct kv;
struct kvlist;
struct memdev;

/* One cxl-fmw.N: where QEMU maps it and which host bridges it interleaves. */
struct cxl_window {
	char **targets;		/* pxb-cxl ids, targets.0 ... */
	size_t ntargets;
	uint64_t size;
	uint64_t granularity;	/* interleave-granularity; 256 when not given */
	uint64_t base;		/* guest-physical, set by cxl_place() */
};

struct cxl_state {
	bool enabled;		/* -machine cxl=on */
	bool has_fmw;		/* cxl-fmw given (and valid) */
	struct cxl_window *windows;
	size_t nwindows;
	int fmw_options;	/* -machine options with cxl-fmw keys */
	uint64_t host_reg_base;	/* the 1 MiB "cxl_host_reg" region */
	bool placed;		/* cxl_place() ran */
	size_t topo_next;	/* the next -device cxl_devices_until() looks at */
};

/* The machine has a "cxl" property (pc, q35; isapc before 10.0). */
bool cxl_machine_has_prop(const struct vm *vm);
/* cxl=VALUE, as the machine property (false: the finding is added). */
bool cxl_set_enabled(struct vm *vm, const char *val, bool json, struct findings *f);
/*
 * -machine keys cxl-fmw.N.KEY of one option: checked as keyval reads
 * them (lists numbered from 0, one option only); false with the QEMU text
 * in *err.
 */
bool cxl_fmw_keys_ok(struct vm *vm, const struct kvlist *kv, char **err);
/* The machine's cxl-fmw property: the QAPI visit, then each window's checks. */
void cxl_set_fmw(struct vm *vm, struct findings *f);

/*
 * pc_memory_init(): the 1 MiB host register block at start (after device
 * memory, else after RAM above 4 GiB), each window after it at 256 MiB
 * alignment. cxl_range_end() is where the CXL range ends (the 64-bit PCI
 * hole follows, 1 GiB aligned); cxl_place() sets the bases.
 */
uint64_t cxl_range_end(const struct cxl_state *c, uint64_t start);
void cxl_place(struct cxl_state *c, uint64_t start);
/*
 * arm virt (10.1 on), virt_set_memmap(): the host register block in the
 * high memory map, the windows after its highest address; memtop is the
 * end of RAM and device memory. A window beyond the CPU's physical address
 * space stays at 0 (a warning).
 */
void cxl_place_virt(struct vm *vm, uint64_t memtop, struct findings *f);

/*
 * The PCI rules of one -device, in QEMU's order: its bus= (before the
 * properties), then whether that bus takes it (after them). d is the memory
 * device it is (its findings' prefix), or NULL for a bridge or port (cxl-).
 */
bool cxl_bus_lookup(struct vm *vm, size_t dev, const struct memdev *d, struct findings *f);
bool cxl_bus_accepts(struct vm *vm, size_t dev, const struct memdev *d, struct findings *f);
/*
 * do_pci_register_device() and pci_init_multifunction(), on a bus other
 * than the root bus: addr= taken by a device before it on the bus, and a
 * function other than 0 of a slot whose function 0 is not multifunction=on
 * (either order). Same text in 7.2, 10.0 and 11.1. d as above.
 */
bool cxl_bus_devfn_check(struct vm *vm, size_t dev, const struct memdev *d, struct findings *f);
/* The topology devices (pxb-cxl, cxl-rp, ...) among vm->devices before dev. */
void cxl_devices_until(struct vm *vm, size_t dev, struct findings *f);
/* pc_machine_done(): the host bridges need cxl=on; the windows' targets resolve. */
void cxl_machine_done(struct vm *vm, struct findings *f);
/* The pxb-cxl id above -device dev (through ports and switches), or NULL. */
const char *cxl_host_bridge_of(const struct vm *vm, size_t dev);
/*
 * addr= of a PCI device as set_pci_devfn() reads it ("SLOT[.FN]" in hex, or
 * a JSON number): the devfn, -1 when not given, -2 for a value QEMU refuses
 * (nvd-plan does not model that refusal).
 */
int pci_devfn_parse(const struct kv *addr);
/*
 * pci_qdev_realize() from 8.1: a PCI Express device without ARI in a slot
 * other than 0 behind a root or downstream port (a warning). d as above.
 */
void cxl_port_slot_check(struct vm *vm, size_t dev, const struct memdev *d, struct findings *f);
/* A -device driver of the CXL topology (not a memory device). */
bool cxl_topology_driver(const char *driver);

void cxl_free(struct cxl_state *c);

#endif
