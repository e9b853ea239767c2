/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What one QEMU binary offers, as it said itself (common/host/qemu-probe.c
 * asks it): its release, machine types and their aliases, the properties of
 * memory-backend-file and of the memory devices, its CPU models. The rules
 * consult it where a distribution's build can differ from the release table
 * (a QEMU built without libpmem has no pmem property; a vendor drops machine
 * types or CPU models): where the two differ, the binary wins, and the
 * difference is noted for the report (vm.caps_diffs).
 *
 * Also its text form, the cache file's body: one "key value" per line.
 */
#ifndef NVD_QEMU_CAPS_H
#define NVD_QEMU_CAPS_H

#include <stdbool.h>

#include "util.h"
#include "vmconfig.h"

struct qemu_caps {
	char *path;		/* the binary's real path */
	char *version;		/* "7.2.22"; the release modelled is vm.qver */
	char *package;		/* "Debian 1:7.2+dfsg-7+deb12u18+b3", or "" */
	/* false: only the version is known (it did not answer QMP): the table decides */
	bool asked;
	struct strv machines;	/* every type's name */
	struct strv aliases;	/* "ALIAS TYPE": pc -> pc-i440fx-7.2 */
	struct strv cpus;	/* CPU model names, aliases included */
	/* "TYPE.PROP" for memory-backend-file and each device in qemu_caps_devices */
	struct strv props;
	struct strv devices;	/* the devices of qemu_caps_devices it has */
};

/* The QOM types whose properties are asked (memory-backend-file first). */
extern const char *const qemu_caps_types[];

/* The machine type, or the alias, exists; *type (may be NULL) gets the alias's target. */
bool qemu_caps_machine(const struct qemu_caps *c, const char *name, const char **type);
bool qemu_caps_cpu(const struct qemu_caps *c, const char *model);
/*
 * Whether QOM type (one of qemu_caps_types) has property prop: 1 yes, 0 no,
 * -1 not known (not asked, or the binary has no such type).
 */
int qemu_caps_prop(const struct qemu_caps *c, const char *type, const char *prop);
/* Whether the binary has device driver: 1, 0, or -1 not known. */
int qemu_caps_device(const struct qemu_caps *c, const char *driver);

/* "/usr/bin/qemu-system-x86_64 (QEMU 7.2.22, Debian 1:7.2+dfsg-7)": malloc'd. */
char *qemu_caps_name(const struct qemu_caps *c);

/*
 * The text form: "version V", "package P", "machine NAME", "alias A TYPE",
 * "cpu MODEL", "prop TYPE.PROP", "device DRIVER", one a line. parse: 0, or
 * -EINVAL on anything else (a word with a space or a control character, an
 * unknown key); c is filled only on success.
 */
void qemu_caps_format(const struct qemu_caps *c, struct strbuf *sb);
int qemu_caps_parse(const char *text, struct qemu_caps *c);
/* A word QEMU gave that can be stored: printable, no space, not empty, short. */
bool qemu_caps_word(const char *s);
void qemu_caps_free(struct qemu_caps *c);

#endif
