/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running QEMU processes: what each memory device's backend got from the
 * kernel, read from /proc/PID/cmdline, smaps and fd (under the host's
 * sysroot, so the tests replay captured trees), and whether guest writes
 * to it survive a host crash now. The kernel's word, not a prediction:
 * "sh" and "sf" (MAP_SYNC) in VmFlags, the mapping's device and inode.
 */
#ifndef NVD_RUNNING_H
#define NVD_RUNNING_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "memdev.h"
#include "probe.h"
#include "qemu-backend.h"
#include "qmp.h"
#include "report.h"
#include "vmconfig.h"

enum run_verdict { RV_PERSISTENT, RV_NOT_PERSISTENT, RV_UNKNOWN, RV_NONE };

/* A tristate fact: read from the kernel, or not known (cannot read). */
enum run_fact { RF_UNKNOWN = -1, RF_NO = 0, RF_YES = 1 };

struct run_dev {
	char *id;		/* the device's id, or "(unnamed)" */
	bool has_id;		/* id= on the command line (or in QMP's answer) */
	const char *type;	/* the -device driver: "nvdimm", "pc-dimm", "virtio-pmem-pci" */
	enum persist_model persistence;	/* of its type (memdev.h) */
	char *memdev;
	/*
	 * Its backend as the command line gives it (QEMU's answer for a device only
	 * QMP names): be.qom_type NULL when there is no such backend.
	 */
	struct backend_opts be;
	char *host_path;	/* be.mem_path: against /proc/PID/cwd when relative */
	char *canon;		/* host_path with its directory resolved (what maps shows) */
	bool is_dir;
	/* What QEMU said over QMP (--qmp), when it was asked. */
	bool qmp_seen;		/* the device is in query-memory-devices */
	bool qmp_missing;	/* on the command line, not in query-memory-devices */
	bool from_qmp;		/* in query-memory-devices only (hotplugged) */
	bool hotplugged;
	struct qmp_memdev qmp;	/* its backend's share, pmem, mem-path, align */
	char *qmp_diff;		/* how QEMU's answer differs from the command line, or NULL */
	/* The mapping found in smaps. */
	bool mapped;
	char *map_name;		/* its path, without " (deleted)" */
	unsigned map_major, map_minor;
	uint64_t map_ino, map_size, rss;
	enum run_fact names_mapped;	/* mem-path still names the mapped file */
	bool deleted;		/* the mapped file has no name any more */
	bool replaced;		/* mem-path now names another file */
	enum run_fact shared, map_sync, devdax;
	int fd;			/* QEMU's descriptor of the mapped file, -1 */
	/* The file system of the mapped file, now. */
	char *fstype, *mount_point;
	enum dax_mount dax;
	bool have_mount;
	enum run_fact statx_dax;	/* statx's DAX attribute of the mapped file, through QEMU's fd */
	/* Verdict. */
	enum run_verdict verdict;
	char *reason, *fix;
};

struct run_vm {
	long pid;
	char *name;		/* -name (guest=), or NULL */
	char *error;		/* the process could not be read at all */
	int err;		/* -errno of that, or -EINVAL: not QEMU */
	char *unreadable;	/* smaps could not be read: every device UNKNOWN */
	bool qmp_asked;		/* QEMU was asked over QMP (--qmp) */
	char *qmp_socket;
	struct run_dev *devs;
	size_t ndevs;
	enum run_verdict verdict;
};

const char *run_verdict_name(enum run_verdict v);

/* One mapping of /proc/PID/smaps. */
struct smap {
	uint64_t start, end, ino, size, rss;
	unsigned maj, min;
	bool shared, sf, deleted;
	char *name;		/* without " (deleted)", \012 read as a newline */
};

struct smaps {
	struct smap *v;
	size_t n, cap;
};

/* Parse smaps text (changed in place: strtok). Never fails: lines it cannot read are skipped. */
void smaps_parse(char *text, struct smaps *s);
void smaps_free(struct smaps *s);

/* The PIDs of every qemu-system-* (qemu-kvm, kvm) process, in PID order. 0 or -errno. */
int running_pids(const struct host *h, long **pids, size_t *n);

/*
 * Read one process. Never exits; a process that cannot be read sets
 * vm->error and vm->err (-ENOENT gone, -ENODATA zombie or kernel thread,
 * -EINVAL not QEMU, else the errno of the read).
 */
void running_probe(struct host *h, long pid, qver_t qver, struct run_vm *vm);
/*
 * The same, with what QEMU said over QMP (qm[0..n), from qmp_memory_devices()):
 * hotplugged devices are added, and each difference from the command line is
 * kept in the device's qmp_diff.
 */
void running_probe_qmp(struct host *h, long pid, qver_t qver, const char *socket,
		       const struct qmp_memdev *qm, size_t n, struct run_vm *vm);
/* The verdict of one device from its facts: the one place that decides. */
void run_dev_verdict(struct run_dev *d, long pid);
void run_vm_free(struct run_vm *vm);
/*
 * --qmp: ask the QEMU whose monitor listens on socket, then read it (the
 * process is the socket's peer, or pid when pid > 0; check_peer: they must
 * agree). 0; NVD_EXIT_ENV when the monitor cannot be asked, NVD_EXIT_USAGE
 * when it is another process's; *err says why.
 */
int running_probe_socket(struct host *h, qver_t qver, const char *socket, long pid,
			 bool check_peer, struct run_vm *vm, char **err);
/* --running: drop the processes that exited since they were listed (gone, zombies). */
size_t running_drop_exited(struct run_vm *vms, size_t n);
/* 0 all persistent or none, 1 one NOT PERSISTENT, 3 one UNKNOWN (it wins). */
int running_exit_status(const struct run_vm *vms, size_t n);
/* The run's verdict: "none" when no VM has a memory device, else as the exit status. */
const char *running_verdict(const struct run_vm *vms, size_t n);

void running_print(const struct run_vm *vms, size_t n, struct out *o);
/* node_exporter textfile format: a gauge family each, a sample per VM device. */
void running_prometheus(const struct run_vm *vms, size_t n, FILE *fp);

#endif
