/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory-device types, modelled on QEMU's MemoryDeviceClass: one row
 * per -device driver that maps a memory backend into the device-memory
 * window (pc-dimm, nvdimm, virtio-pmem-pci, virtio-mem-pci). Parsing, the
 * rules, placement, the NFIT, libvirt and the output look a type up here
 * and never test for a driver name: a new type is one file (memdev-*.c)
 * and one row of memdev_types[] (memdev.c).
 */
#ifndef NVD_MEMDEV_H
#define NVD_MEMDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"
#include "vmconfig.h"

struct out;
struct plan_opts;

/* How a property's value is read (QEMU's qdev property types). */
enum mprop_type {
	MP_LINK,	/* memdev: link<memory-backend> */
	MP_INT32,
	MP_UINT32,
	MP_UINT64,
	MP_SIZE,
	MP_BOOL,
	MP_STR,
	MP_READONLY,	/* exists, but "Property 'OWNER.NAME' is not writable" */
	MP_ANY,		/* a PCI/virtio transport property: taken, not modelled */
};

/* What a property means to the model: the common ones, or the type's own. */
enum mprop_role {
	MR_NONE,	/* nothing (only its type is checked) */
	MR_MEMDEV,
	MR_SLOT,
	MR_ADDR,	/* the guest-physical address: addr (DIMMs), memaddr (virtio) */
	MR_NODE,
	MR_OWN,		/* the type's set_prop() reads it */
};

struct mprop {
	const char *name;
	enum mprop_type type;
	enum mprop_role role;
	const char *dflt;	/* QEMU's default, as text (documentation, --help) */
	qver_t since;		/* 0: every modelled release */
};

/* How data written by the guest to the device reaches the host file. */
enum persist_model {
	PM_VOLATILE,	/* RAM for the guest: nothing is meant to persist */
	PM_MAP_SYNC,	/* stores persist by themselves where QEMU gets MAP_SYNC (nvdimm) */
	PM_GUEST_FLUSH,	/* persistent when the guest flushes: QEMU fsync()s (virtio-pmem) */
};

struct memdev_type {
	const char *driver;		/* -device DRIVER */
	const char *qmp_type;		/* query-memory-devices "type" */
	const char *owner;		/* the QOM type named in "is not writable" */
	const char *parent;		/* the -device type it derives from (a -global reaches it), or NULL */
	const char *libvirt_model;	/* <memory model='...'> */
	const char *libvirt_alias;	/* libvirt's device id: ALIAS + slot (DIMMs) or + N */
	const char *finding_prefix;	/* "dimm": dimm-addr-conflict; "memdev": memdev-... */
	const struct mprop *props;	/* ends with { 0 } */
	unsigned targets;		/* 1 << enum target: the QEMU binaries that have it */
	bool slot;			/* takes one of -m slots= (ACPI memory hotplug) */
	bool pci;			/* sits on a PCI bus: addr= is its PCI slot */
	bool nfit;			/* described by the NFIT (and has a label area) */
	bool srat;			/* a SRAT memory-affinity entry of its own (nvdimm_build_srat()) */
	/*
	 * Not in the device-memory region: no slot, no maxmem, no address of
	 * QEMU's choosing (CXL type-3: the guest maps it through a CXL fixed
	 * memory window). Pre-plug is then only machine_check, and realize
	 * claims the backends itself.
	 */
	bool own_window;
	enum persist_model persistence;	/* nvd-check's verdict for the backend file */
	/*
	 * The type's own properties (role MR_OWN), value already read as the
	 * table says (u for numbers and sizes, b for bools); false when QEMU
	 * refuses it (the finding is added).
	 */
	bool (*set_prop)(struct vm *vm, struct memdev *d, const struct kv *e, uint64_t u, bool b,
			 struct findings *f);
	/* pre-plug, the machine's checks (ACPI, nvdimm=on), before slot and window */
	bool (*machine_check)(struct vm *vm, struct memdev *d, struct findings *f);
	/* pre-plug: region size and alignment from d->be (d->be set, created) */
	bool (*region)(struct vm *vm, struct memdev *d, struct findings *f);
	/* realize, before the busy-memdev check: the type's own (node, backend) */
	bool (*realize)(struct vm *vm, struct memdev *d, struct findings *f);
	/* after the start: what QEMU accepts but loses data */
	void (*regrets)(struct vm *vm, struct memdev *d, const struct plan_opts *po,
			struct findings *f);
	/* its own keys in nvd-plan's device entry (JSON) and table columns */
	void (*print)(struct out *o, const struct memdev *d);
};

#define MEMDEV_ALL_TARGETS ((1u << TARGET_X86_64) | (1u << TARGET_AARCH64))

/* Every type, NULL-terminated, in the order of --help and the man page. */
extern const struct memdev_type *const memdev_types[];

extern const struct memdev_type memdev_pc_dimm, memdev_nvdimm, memdev_virtio_pmem_pci,
	memdev_virtio_mem_pci, memdev_cxl_type3;

/* The type of a -device driver, or NULL. */
const struct memdev_type *memdev_type_by_driver(const char *driver);
/* The type of a query-memory-devices "type" (QMP's MemoryDeviceInfoKind), or NULL. */
const struct memdev_type *memdev_type_by_qmp(const char *qmp_type);
/* The type of a libvirt <memory model='...'>, or NULL. */
const struct memdev_type *memdev_type_by_model(const char *model);
/* A property of t, or NULL. */
const struct mprop *memdev_prop(const struct memdev_type *t, const char *name, qver_t qver);

/*
 * A property QEMU 10.0 has and 7.2 has not: the releases in between are not
 * checked, 8.0 is assumed.
 */
#define MEMDEV_NEWER_THAN_7_2 QVER(8, 0)

/* The properties of a virtio-*-pci proxy that this tool takes without modelling them. */
#define MEMDEV_PCI_PROPS                                                                      \
	{ "acpi-index", MP_UINT32, MR_NONE, "0", 0 }, { "addr", MP_ANY, MR_NONE, NULL, 0 },  \
	{ "aer", MP_BOOL, MR_NONE, "off", 0 }, { "any_layout", MP_BOOL, MR_NONE, "on", 0 },   \
	{ "ats", MP_BOOL, MR_NONE, "off", 0 }, { "bus", MP_ANY, MR_NONE, NULL, 0 },           \
	{ "busnr", MP_ANY, MR_NONE, NULL, MEMDEV_NEWER_THAN_7_2 },                                       \
	{ "disable-legacy", MP_ANY, MR_NONE, "auto", 0 },                                     \
	{ "disable-modern", MP_BOOL, MR_NONE, "off", 0 },                                     \
	{ "event_idx", MP_BOOL, MR_NONE, "on", 0 },                                           \
	{ "failover_pair_id", MP_STR, MR_NONE, NULL, 0 },                                     \
	{ "in_order", MP_BOOL, MR_NONE, "off", MEMDEV_NEWER_THAN_7_2 },                                  \
	{ "indirect_desc", MP_BOOL, MR_NONE, "on", 0 },                                       \
	{ "iommu_platform", MP_BOOL, MR_NONE, "off", 0 },                                     \
	{ "migrate-extra", MP_BOOL, MR_NONE, "on", 0 },                                       \
	{ "modern-pio-notify", MP_BOOL, MR_NONE, "off", 0 },                                  \
	{ "multifunction", MP_BOOL, MR_NONE, "off", 0 },                                      \
	{ "notify_on_empty", MP_BOOL, MR_NONE, "on", 0 }, { "packed", MP_BOOL, MR_NONE, "off", 0 }, \
	{ "page-per-vq", MP_BOOL, MR_NONE, "off", 0 },                                        \
	{ "queue_reset", MP_BOOL, MR_NONE, "on", 0 }, { "rombar", MP_ANY, MR_NONE, "1", 0 },  \
	{ "romfile", MP_STR, MR_NONE, NULL, 0 }, { "romsize", MP_UINT32, MR_NONE, NULL, 0 },  \
	{ "use-disabled-flag", MP_BOOL, MR_NONE, "on", 0 },                                   \
	{ "use-started", MP_BOOL, MR_NONE, "on", 0 },                                         \
	{ "virtio-pci-bus-master-bug-migration", MP_BOOL, MR_NONE, "off", 0 },                \
	{ "x-ats-page-aligned", MP_BOOL, MR_NONE, "on", 0 },                                  \
	{ "x-disable-legacy-check", MP_BOOL, MR_NONE, "off", 0 },                             \
	{ "x-disable-pcie", MP_BOOL, MR_NONE, "off", 0 },                                     \
	{ "x-ignore-backend-features", MP_BOOL, MR_NONE, "off", 0 },                          \
	{ "x-max-bounce-buffer-size", MP_ANY, MR_NONE, NULL, MEMDEV_NEWER_THAN_7_2 },                    \
	{ "x-pcie-ari-nextfn-1", MP_BOOL, MR_NONE, "off", MEMDEV_NEWER_THAN_7_2 },                       \
	{ "x-pcie-deverr-init", MP_BOOL, MR_NONE, "on", 0 },                                  \
	{ "x-pcie-err-unc-mask", MP_BOOL, MR_NONE, "on", MEMDEV_NEWER_THAN_7_2 },                        \
	{ "x-pcie-ext-tag", MP_BOOL, MR_NONE, "on", MEMDEV_NEWER_THAN_7_2 },                            \
	{ "x-pcie-extcap-init", MP_BOOL, MR_NONE, "on", 0 },                                  \
	{ "x-pcie-flr-init", MP_BOOL, MR_NONE, "on", 0 },                                     \
	{ "x-pcie-lnkctl-init", MP_BOOL, MR_NONE, "on", 0 },                                  \
	{ "x-pcie-lnksta-dllla", MP_BOOL, MR_NONE, "on", 0 },                                 \
	{ "x-pcie-pm-init", MP_BOOL, MR_NONE, "on", 0 },                                      \
	{ "x-pcie-pm-no-soft-reset", MP_BOOL, MR_NONE, "off", MEMDEV_NEWER_THAN_7_2 }

/* For the memdev-*.c files: the checks every type shares. */

/* realize: "can't use already busy memdev: ID"; marks the backend used. */
bool memdev_claim_backend(struct memdev *d, struct findings *f);
/* The finding id PREFIX-what of d's type (a ring of static buffers). */
const char *memdev_fid(const struct memdev *d, const char *what);

#endif
