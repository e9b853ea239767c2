/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command-line options of every tool that reads a VM configuration, and
 * --qemu-version: the command layer's side (common/cli/cli.c's conventions), which
 * checks the words and exits 2 on bad ones, then hands the core plain values
 * (struct plan_opts, a qver_t). The core never reads these.
 */
#ifndef NVD_CLI_CONFIG_H
#define NVD_CLI_CONFIG_H

#include <popt.h>
#include <stdbool.h>

#include "rules.h"
#include "vmconfig.h"

/* The releases modelled ("6.0 6.1 ... 10.2" with sep " "), malloc'd. */
char *cli_releases_text(const char *sep);

/* What chooses the QEMU to check as: the options of one tool. */
struct qemu_choice {
	const char *qemu_version;	/* --qemu-version X.Y */
	const char *qemu;		/* --qemu PATH */
	bool offline;			/* ask nothing, run nothing: the newest release */
	enum target target;		/* the default binary: qemu-system-<target> on PATH */
};

/*
 * The release to model and the binary's answers (*caps, NULL without one):
 * --qemu-version, else the binary (--qemu, else the QEMU on PATH, unless
 * offline) asked once and cached (common/host/qemu-probe.h), else the
 * newest. Exits 2 on a bad or contradictory option, 3 when --qemu names a
 * binary that cannot be asked. When the binary is newer or older than every
 * release modelled, says so on stderr and *unmodelled (if not NULL) gets its
 * release, else 0.
 */
qver_t qemu_choose(const struct qemu_choice *ch, const struct qemu_caps **caps,
		   qver_t *unmodelled);

/*
 * The options of every tool that reads a VM configuration: --qemu-version,
 * --qemu, --target, --pid, --offline, --sysroot. Include CONFIG_OPTIONS_TABLE in the
 * tool's popt table; config_options_apply() checks them and fills what the
 * core needs.
 */
struct config_cli {
	char *qemu_version, *qemu, *target, *sysroot;
	long pid;		/* -1: none */
	int offline;
};
extern struct config_cli config_cli;
extern struct poptOption config_options[];

#define CONFIG_OPTIONS_TABLE \
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, config_options, 0, "Configuration options:", NULL }

/* Checks --pid, chooses the release and the target; exits 2 on bad values. */
qver_t config_options_apply(struct plan_opts *po);

/* "x86_64" or "aarch64" (the qemu-system-* suffix); exits 2 for others. */
enum target target_choose(const char *opt_target);

#endif
