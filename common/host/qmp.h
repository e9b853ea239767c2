/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small QMP client: connect to a QEMU monitor's UNIX socket, leave
 * capabilities negotiation, run commands, and read what QEMU says about its
 * memory devices (query-memory-devices, qom-get of each backend).
 */
#ifndef NVD_QMP_H
#define NVD_QMP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct qmp {
	int fd;
	pid_t peer;		/* the QEMU process (SO_PEERCRED) */
	char *buf;
	size_t len, cap;
	size_t pending;		/* bytes read for the current command */
	struct json_tokener *tok;	/* QEMU's answers, one object after another (pretty or not) */
	long long deadline;	/* ms (CLOCK_MONOTONIC): the current command's end */
	char *broken;		/* the transport failed (timeout, closed): every later command fails */
};

/* What QEMU says about one memory device and its backend. */
struct qmp_memdev {
	char *type;		/* QMP's: "nvdimm", "dimm", "virtio-pmem", "virtio-mem"... */
	char *id;		/* NULL for a device without id */
	char *memdev;		/* the backend's id (its QOM path without "/objects/") */
	bool hotplugged;
	/* qom-get of the backend; has_* false when the property is not there */
	char *backend_type;
	char *mem_path;
	bool share, pmem;
	uint64_t align;
	bool has_share, has_pmem, has_align;
};

/* 0, or -1 with *err (cannot connect, not QMP, no answer in 5 s). */
int qmp_open(struct qmp *q, const char *socket_path, char **err);
void qmp_close(struct qmp *q);
/* query-memory-devices and qom-get for each: 0, or -1 with *err. */
int qmp_memory_devices(struct qmp *q, struct qmp_memdev **out, size_t *n, char **err);
void qmp_memdevs_free(struct qmp_memdev *v, size_t n);

#endif
