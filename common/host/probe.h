/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host probing for nvd-check: where a backend path lives (mount, DAX state,
 * MAP_SYNC granted or not, device-DAX alignment, NVDIMM region and
 * namespace, persistence domain) and the verdict for QEMU's options on it.
 * Every /sys and /proc read goes through one root prefix (sysroot), so the
 * tests replay captured trees. Reads only: nothing is created but an
 * unnamed O_TMPFILE file that vanishes with its descriptor.
 */
#ifndef NVD_PROBE_H
#define NVD_PROBE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "qemu-backend.h"
#include "report.h"
#include "vmconfig.h"

/* One line of /proc/self/mountinfo. */
struct mount_entry {
	unsigned major, minor;
	char *root, *point, *opts, *fstype, *source, *super_opts;
};

struct mounts {
	struct mount_entry *v;
	size_t n;
};

/* The mount's DAX mode (ext4/xfs "dax=", legacy "dax" is always). */
enum dax_mount { DAX_MOUNT_NONE, DAX_MOUNT_ALWAYS, DAX_MOUNT_INODE, DAX_MOUNT_NEVER };

/* libpmem2's store granularity (enum pmem2_granularity order). */
enum granularity { GRAN_BYTE, GRAN_CACHE_LINE, GRAN_PAGE };

enum path_kind { PK_FILE, PK_DIR, PK_MISSING, PK_DEVDAX, PK_BLOCK, PK_CHAR, PK_BAD };

/* What the libnvdimm sysfs says about a block or dax device. */
struct nd_place {
	char *region;		/* "region0", NULL when not on an NVDIMM */
	char *namespace;	/* "namespace0.0" */
	char *mode;		/* fsdax, devdax, raw, sector */
	char *persistence;	/* cpu_cache, memory_controller, "" (empty or absent) */
	bool persistence_present;
	uint64_t region_align;
};

struct path_facts {
	char *path;		/* as given */
	char *probed;		/* what was probed: the path, or its directory */
	char *real_path;
	enum path_kind kind;
	bool replayed;		/* /dev/NAME looked up by name in --sysroot */
	bool dangling;		/* PK_MISSING: the path is a symbolic link to nothing */
	int error;		/* errno that stops the probe (exit 3), 0 */
	char *error_msg;
	/* mount */
	const struct mount_entry *mnt;
	enum dax_mount dax_mount;
	bool on_pmem_dev;	/* the file system is on a /dev/pmem* */
	/* statx */
	bool statx_known, statx_dax;
	/* MAP_SYNC trial */
	bool sync_tried;
	int sync_errno;		/* 0 granted */
	uint64_t sync_len;
	/* device-DAX */
	char *dax_name;
	uint64_t dax_size, dax_align, dax_region_align;
	const char *dax_align_from;	/* "libdaxctl" or "sysfs" */
	char *dax_driver;
	/* regular file */
	uint64_t file_size;
	struct nd_place nd;
	enum granularity gran;
};

struct host {
	const char *sysroot;	/* "" for the real root */
	char *kernel;		/* uname -r, or sysroot's osrelease */
	struct mounts mounts;
	bool mounts_ok;
	bool eadr;		/* every region's persistence_domain is cpu_cache */
	size_t nregions;
	int libs;		/* PROBE_LIBS_* */
	bool daxctl_loaded, ndctl_loaded, pmem_loaded;
};

enum { PROBE_LIBS_AUTO, PROBE_LIBS_NEVER, PROBE_LIBS_ALWAYS };

/* Returns 0 or -errno (mountinfo unreadable). */
int host_init(struct host *h, const char *sysroot, int libs);
void host_free(struct host *h);

int mounts_parse(const char *text, struct mounts *m);
void mounts_free(struct mounts *m);
enum dax_mount dax_mount_mode(const struct mount_entry *e);
const char *dax_mount_name(enum dax_mount d);
const char *granularity_name(enum granularity g);

/*
 * The mount a path is on: the one with device dev and the longest covering
 * mount point; without a device match (have_dev false, or a replayed
 * mountinfo), the longest covering mount point. NULL when none covers it.
 */
const struct mount_entry *host_find_mount(const struct host *h, const char *real, dev_t dev,
					  bool have_dev);

/* statx's DAX attribute of path: 1, 0, or -1 when not reported (or no such path). */
int statx_dax(const char *path);

/* The facts of one path; never fails, sets f->error instead. */
void path_probe(struct host *h, const char *path, struct path_facts *f);
void path_facts_free(struct path_facts *f);

/* sysfs helpers (probe-sysfs.c): all paths are below h->sysroot. */
char *sysfs_read_str(const struct host *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sysfs_read_u64(const struct host *h, uint64_t *v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Region, namespace and mode of the sysfs device dir /sys/dev/{block,char}/M:m. */
void nd_place_from_dev(const struct host *h, const char *devlink, struct nd_place *p);
void nd_place_free(struct nd_place *p);
/* Device-DAX daxX.Y: size, alignment (libdaxctl in auto/always, else sysfs), driver. */
void devdax_facts(struct host *h, const char *name, unsigned maj, unsigned min,
		  struct path_facts *f);
void host_scan_regions(struct host *h);
/* Load libndctl, libdaxctl and libpmem now (--libs=always, and the benchmark). */
void probe_load_libs(struct host *h);

/* The inventory (no PATH). */
void inventory_print(struct host *h, struct out *o);
void inventory_prometheus(struct host *h, FILE *fp);

/* QEMU's options for the verdict. */
struct qemu_opts {
	bool given;		/* any option given: else pmem=on,share=on is assumed */
	/* --object's backend, or --share, --pmem...: id (for messages) only from --object */
	struct backend_opts be;
	int sync;		/* -2 not given, else enum tristate: the seeds' proposal */
	char *parse_error;	/* QEMU refuses the --object text itself */
	bool prealloc_crash;	/* prealloc=on on a read-only mapping: QEMU dies (SIGSEGV) */
	/* --device: the memory device's type (memdev.h); NULL: an nvdimm */
	const struct memdev_type *device;
	/*
	 * What the binary refuses that QEMU's parser of the -object text did not
	 * see (qemu_opts_check_binary): a backend property it lacks, given as
	 * --share, --pmem...; the device type. QEMU's messages, or NULL.
	 */
	char *binary;		/* the binary's name, for the reasons */
	char *binary_prop, *binary_prop_qemu;
	char *binary_device_qemu;
	bool binary_no_pmem;	/* it has no pmem= (built without libpmem): not assumed */
};

enum verdict { V_PERSISTENT, V_NOT_PERSISTENT, V_REFUSED, V_ERROR };

struct verdict_result {
	enum verdict verdict;
	char *reason;
	bool qemu_silent;	/* QEMU says nothing about it */
	struct strv qemu;	/* QEMU's messages, with their prefixes */
	struct strv fixes;
	char *proposal;		/* --sync: what the proposed option would do */
	const char *model;	/* persistence model: "map-sync" or "guest-flush" */
};

/*
 * q from the text of one -object memory-backend-file (nvd-check --object): its
 * options as QEMU's parser reads them for qver and the binary's caps (NULL:
 * the release table). QEMU's own refusal of the text
 * goes to q->parse_error (the verdict says it); q->mem_path is set even then,
 * to probe the path anyway. -1 with *err (free it) when the text is not one
 * memory-backend-file at all.
 */
struct qemu_caps;
int qemu_opts_from_object(const char *text, qver_t qver, const struct qemu_caps *caps,
			  struct qemu_opts *q, char **err);

/*
 * q's options against the binary that was asked (caps; NULL or not asked: the
 * release table decides, nothing is refused here). A memory-backend-file
 * property q->be says was given (has_share...) that the binary lacks, and the
 * device type (q->device, else nvdimm) it was built without, are QEMU's
 * refusals; pmem=on only assumed (q->given false) is taken back instead: the
 * best such a QEMU can do is pmem=off. --object's own text was checked
 * against caps already (qemu_opts_from_object).
 */
void qemu_opts_check_binary(struct qemu_opts *q, const struct qemu_caps *caps);
/* What q holds: its backend's settings, QEMU's messages. */
void qemu_opts_free(struct qemu_opts *q);

const char *verdict_name(enum verdict v);
void verdict_eval(const struct host *h, const struct path_facts *f, const struct qemu_opts *q,
		  qver_t qver, struct verdict_result *r);
void verdict_free(struct verdict_result *r);

/*
 * One check line in the manner of virt-host-validate: "  Checking TITLE: PASS
 * (detail)" in text, {id, check, result, detail} in JSON; quiet drops PASS
 * and INFO lines from the text (out_set_quiet).
 */
enum check_result { R_PASS, R_WARN, R_FAIL, R_INFO };
void out_check(struct out *o, const char *id, const char *title, enum check_result res,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Output of one path: checks, facts, verdict. */
void path_print(const struct host *h, const struct path_facts *f, const struct verdict_result *r,
		struct out *o);
/* node_exporter textfile format: every metric family once, a sample per path. */
void paths_prometheus(const struct path_facts *fs, const struct verdict_result *rs, size_t n,
		      FILE *fp);

#endif
