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

/*
 * The release to model: --qemu-version (exits 2 when not a modelled
 * release), else the QEMU on PATH (unless offline), else the newest.
 */
qver_t qver_choose(const char *opt_qemu_version, bool offline, qver_t *unmodelled);

/*
 * The options of every tool that reads a VM configuration: --qemu-version,
 * --target, --pid, --offline, --sysroot. Include CONFIG_OPTIONS_TABLE in the
 * tool's popt table; config_options_apply() checks them and fills what the
 * core needs.
 */
struct config_cli {
	char *qemu_version, *target, *sysroot;
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
