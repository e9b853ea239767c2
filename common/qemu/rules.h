/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's validations of machine, memory, memory backends and DIMMs, by
 * release, in the order QEMU applies them, each with QEMU's exact message.
 */
#ifndef NVD_RULES_H
#define NVD_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"
#include "vmconfig.h"

struct qemu_caps;

struct plan_opts {
	bool offline;		/* no host access at all */
	const char *sysroot;	/* prefix for /sys */
	const uint64_t *hotplug;	/* sizes of DIMMs to hot-plug later */
	size_t nhotplug;
	enum target target;	/* which qemu-system-* binary */
	/*
	 * The directory a relative mem-path is relative to: QEMU's own working
	 * directory (--pid: /proc/PID/cwd). NULL: this tool's.
	 */
	const char *cwd;
	/*
	 * The release of the QEMU on PATH when it is not one modelled and
	 * QVER_NEWEST or QVER_OLDEST is checked instead (0: not the case).
	 */
	int qver_on_path;
	/* What the QEMU binary said of itself (--qemu, or the QEMU on PATH), or NULL. */
	const struct qemu_caps *caps;
};

/*
 * Run every rule on a model built by vm_build(), appending findings.
 * Afterwards vm->accepted tells whether QEMU would start, and the DIMMs
 * carry their slot, address, pmem size and label offset.
 */
void plan_run(struct vm *vm, const struct plan_opts *po, struct findings *f);

#endif
