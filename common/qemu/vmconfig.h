/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VM model: what a QEMU command line says about machine and memory. */
#ifndef NVD_VMCONFIG_H
#define NVD_VMCONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "cxl.h"
#include "qemu-args.h"
#include "report.h"

/* A QEMU release as major * 100 + minor: 7.2 is 702, 10.0 is 1000. */
typedef int qver_t;
#define QVER(maj, min) ((maj) * 100 + (min))
#define QVER_OLDEST QVER(6, 0)
#define QVER_NEWEST QVER(11, 1)

/* "7.2", "10.0.13", "v7.2" -> 702; -1 when not a version. */
qver_t qver_parse(const char *s);
/* Versions we model: QVER_OLDEST to QVER_NEWEST. */
bool qver_supported(qver_t v);

enum tristate { TRI_AUTO = -1, TRI_OFF = 0, TRI_ON = 1 };

enum machine_family { MF_PC, MF_Q35, MF_ISAPC, MF_MICROVM, MF_NONE, MF_OTHER, MF_VIRT };

/* The QEMU binary: qemu-system-x86_64 (pc, q35) or qemu-system-aarch64 (virt). */
enum target { TARGET_X86_64, TARGET_AARCH64 };

struct machine {
	char *type;		/* as given, or "pc" when not given */
	enum machine_family family;
	qver_t type_version;	/* of a versioned type; the QEMU version for an alias */
	bool known;		/* the type exists in the selected QEMU */
	bool nvdimm;
	char *persistence;	/* nvdimm-persistence, NULL when unset */
	enum tristate acpi;
	char *oem_id, *oem_table_id;
	uint64_t max_ram_below_4g;	/* 0: machine default */
	struct kvlist props;	/* every -machine key, merged */
};

struct memory {
	uint64_t size;		/* rounded up to 8 KiB */
	uint64_t maxmem;	/* 0 once QEMU refuses it (no window) */
	uint64_t maxmem_given;	/* as given, for the summary */
	uint64_t slots;
	bool has_size, has_maxmem, has_slots;
	bool invalid;		/* QEMU refuses the -m text: the values mean nothing */
	char *arg;		/* the last -m text, for messages */
};

enum backend_kind { BK_FILE, BK_RAM, BK_MEMFD, BK_OTHER };

struct backend {
	char *id;
	char *qom_type;
	enum backend_kind kind;
	char *arg;		/* the -object text */
	struct kvlist props;
	char *mem_path;
	char *host_path;	/* mem_path as this tool opens it (see plan_opts.cwd), or NULL */
	uint64_t size, align, offset;
	bool share, pmem, readonly, prealloc, discard_data, reserve;
	enum tristate rom;
	bool has_size, has_align, has_offset, has_pmem, has_rom, has_share;
	char *sync;		/* proposed upstream, never merged */
	/* Derived by the rules. */
	bool created;		/* QEMU would create it (built without error) */
	bool is_rom;
	bool used;		/* mapped by a DIMM or as NUMA/RAM memory */
	uint64_t page_size, region_align;
	uint64_t file_size;
	bool file_exists, is_devdax, is_dir;
};

struct memdev_type;
struct qemu_caps;

/* A -device that maps a memory backend into the device-memory window. */
struct memdev {
	char *id;		/* NULL for a device without id */
	const struct memdev_type *type;	/* its row of memdev_types[] (memdev.h) */
	char *arg;
	struct kvlist props;
	char *memdev;
	int64_t slot;		/* -1: automatic */
	uint64_t addr;		/* addr= (DIMMs) or memaddr= (virtio); 0: automatic */
	uint64_t node;
	uint64_t label_size;	/* nvdimm */
	bool has_label_size, unarmed;
	uint64_t requested_size, block_size;	/* virtio-mem; block_size 0: default */
	bool prealloc;		/* virtio-mem prealloc= */
	bool hotplug;		/* from --hotplug, not the command line */
	int anon_index;		/* N of "device[N]" for a device without id */
	/* Derived by the rules. */
	struct backend *be;
	bool has_addr;		/* pre-plug found an address */
	bool refused;		/* QEMU refuses it (it may still be placed, to go on) */
	bool placed;
	int64_t assigned_slot;
	uint64_t assigned_addr;
	uint64_t region_size;	/* pmem size for nvdimm, the backend's size for the others */
	uint64_t align;
	uint64_t size_align;	/* the size's alignment when not align's (0: align) */
	uint64_t label_offset;	/* file offset of the label area */
	/* cxl-type3: the label area's backend, the volatile one, memdev= (deprecated) given */
	char *lsa, *vmemdev;
	bool legacy_memdev, both_memdevs;
	uint64_t serial;	/* sn= (QEMU's unset value, all ones, without it) */
	bool has_serial;
	struct backend *lsa_be, *vbe;
	size_t dev_index;	/* its place among every -device (vm->devices) */
};

/* Every -device, in order: what the PCI and CXL topology rules need of it. */
struct vdevice {
	char *id, *driver, *bus;	/* bus: NULL when not given */
	bool memdev;		/* one of vm->memdevs */
	bool refused;		/* QEMU refuses it: it adds no bus */
	int devfn;		/* addr= (pci_devfn_parse()): -1 none, -2 not read */
	bool multifunction;	/* multifunction=on */
};

struct numa_node {
	int64_t nodeid;
	char *cpus_err;		/* QEMU's refusal of a cpus= value, or NULL */
	char *memdev;
	bool has_mem;		/* the legacy mem= */
	uint64_t mem;		/* its size */
	struct cpu_range {
		uint64_t first, last;
	} *cpus;		/* cpus=A[-B], every one given, in order */
	size_t ncpus;
};

/* -smp's keys, SMPConfiguration's members in the schema's order (smp_keys[]). */
enum smp_key {
	SMP_CPUS, SMP_DRAWERS, SMP_BOOKS, SMP_SOCKETS, SMP_DIES, SMP_CLUSTERS, SMP_MODULES,
	SMP_CORES, SMP_THREADS, SMP_MAXCPUS, SMP_NKEYS
};
extern const char *const smp_keys[SMP_NKEYS];

/*
 * -smp as given: every -smp merged, a later key's text winning (QEMU merges
 * them into the machine's "smp" property). smp.c reads the values per
 * release and completes the topology (machine_parse_smp_config()).
 */
struct smp {
	char *val[SMP_NKEYS];	/* NULL: not given */
	char *unexpected;	/* the first key SMPConfiguration has in no release */
	char *err;		/* keyval's refusal of an -smp text */
	bool given;
};

/* -global DRIVER.PROPERTY=VALUE, in command-line order (qdev's global_props). */
struct vglobal {
	char *driver, *prop, *value;
};

struct vm {
	char *source;
	qver_t qver;
	enum target target;
	struct machine machine;
	struct memory mem;
	struct backend *backends;
	size_t nbackends;
	struct memdev *memdevs;
	size_t nmemdevs;
	struct numa_node *nodes;
	size_t nnodes;
	struct smp smp;
	bool nodefaults;	/* -nodefaults: no default serial, parallel, VGA, NIC... */
	bool accel_kvm;		/* -enable-kvm or -accel kvm (else TCG, QEMU's default) */
	struct strv option_names;	/* every option's name, in order (acpi-size.c reads them) */
	char *numa_unread;	/* the first -numa type other than node ("dist", "cpu"...), or NULL */
	bool numa_cpus_unread;	/* a -numa node,cpus= value that is not a number or range */
	struct vdevice *devices;
	size_t ndevices;
	struct cxl_state cxl;		/* -machine cxl=on, its windows (cxl.h) */
	struct vglobal *globals;
	size_t nglobals;
	struct strv other_objects;	/* ids of -object that are not memory backends */
	struct strv failed_objects;	/* ids of -object QEMU refuses to parse */
	struct strv device_ids;		/* every -device id, in order (QEMU's peripheral container) */
	size_t anon_devices;		/* -device without id ("device[N]" in peripheral-anon) */
	/* Lookups by id in O(1): 100k options must read in linear time. */
	struct strmap backend_ids;	/* id -> index in backends, filled by vm_find_backend() */
	size_t backends_indexed;
	struct strmap other_set, failed_set, device_set;
	/* The DIMMs placed so far (indexes in memdevs) and their region sizes' sum. */
	size_t *placed, nplaced;
	uint64_t placed_size;
	unsigned phys_bits;
	bool cpu_aarch64;	/* virt: the CPU model runs AArch64 (default cortex-a15: no) */
	bool cpu_intel;		/* x86: the CPU's vendor is not AMD (default qemu64: AMD) */
	bool cpu_32bit;		/* x86: a model without long mode (qemu32, pentium...) */
	bool phys_bits_given;	/* -cpu ...,phys-bits=N */
	unsigned long phys_bits_arg;	/* N as given (0: the model's default) */
	char *cpu_model;	/* -cpu MODEL as given, or NULL */
	char *cpu_vendor;	/* -cpu ...,vendor=TEXT, or NULL */
	enum tristate cpu_x2apic;	/* -cpu ...,+x2apic / x2apic=on, -x2apic / x2apic=off */
	enum tristate cpu_topoext;	/* -cpu ...,topoext= likewise */
	bool libvirt;		/* from a libvirt domain: fixes are said in its XML */
	bool firmware;		/* virt: -bios or a pflash drive (UEFI) */
	/* The device-memory window, when there is one. */
	bool has_window;
	uint64_t window_base, window_size;
	uint64_t below_4g, above_4g;
	/*
	 * The QEMU binary's own answers (--qemu, or the QEMU on PATH; only when
	 * it answered QMP), NULL: the release table alone. Where the two differ the
	 * binary wins and caps_diffs says how, for the report.
	 */
	const struct qemu_caps *caps;
	struct strv caps_diffs;
	bool accepted;
	bool said_acpi_off, said_nvdimm_off;	/* machine-wide, reported once */
};

/*
 * Build the model from a command line, in QEMU's option-parsing order:
 * findings for options QEMU refuses while parsing go to f (fail level).
 */
void vm_build(struct vm *vm, const struct qcmdline *cl, qver_t qver, struct findings *f);
/* The same, for the binary caps described (NULL: vm_build). */
void vm_build_caps(struct vm *vm, const struct qcmdline *cl, qver_t qver,
		   const struct qemu_caps *caps, struct findings *f);
/* Note where the binary's answer differs from the release table (vm.caps_diffs). */
void vm_caps_differs(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* qemu-system-x86_64 release qver has the CPU model (its first len bytes). */
bool x86_cpu_model_known(const char *model, size_t len, qver_t qver);
/* An Arm CPU model name (options after a comma ignored) that runs AArch64. */
bool arm_model_is_aarch64(const char *model);
void vm_free(struct vm *vm);

struct backend *vm_find_backend(struct vm *vm, const char *id);
/* The name to open the backend's file by: host_path, else mem_path. */
const char *backend_open_path(const struct backend *b);
/* An -object that is not a memory backend has this id. */
bool vm_other_object(const struct vm *vm, const char *id);
/* An -object with this id was refused while parsing. */
bool vm_failed_object(const struct vm *vm, const char *id);
const char *memdev_name(const struct memdev *d);
/*
 * A fail-level finding is among those added since f had from findings: the
 * per-option form of findings_count(), whose cost does not grow with the
 * findings of earlier options.
 */
bool findings_failed_since(const struct findings *f, size_t from);
/* The finding for QEMU's warning qemu (qapi_hex_suffix_warning()) before 8.0. */
void warn_hex_suffix(struct findings *f, const char *object, const char *qemu);

#endif
