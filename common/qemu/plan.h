/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nvd-plan's driver: one configuration in, model, rules, findings and output. */
#ifndef NVD_PLAN_H
#define NVD_PLAN_H

#include <stdio.h>

#include "qemu-args.h"
#include "report.h"
#include "rules.h"
#include "vmconfig.h"

struct plan_result {
	struct vm vm;
	struct findings findings;
	const struct qemu_caps *binary;	/* the QEMU binary asked, or NULL (po->caps) */
};

void plan_evaluate(const struct qcmdline *cl, qver_t qver, const struct plan_opts *po,
		   struct plan_result *r);
void plan_result_free(struct plan_result *r);

/* Text or JSON for one configuration, from the same calls. */
void plan_print(struct out *o, const struct plan_result *r, bool quiet, bool verbose,
		bool strict);

/* QEMU refuses it, or --strict and there is a warning. */
bool plan_failed(const struct plan_result *r, bool strict);

/* The JUnit XML of many results: one testcase per configuration. */
int plan_write_junit(FILE *fp, const struct plan_result *rs, size_t n, bool strict);

/* Where a configuration comes from: a FILE, argv after "--", or a PID. */
struct config_source {
	const char *file;
	char **argv;
	int argc;
	long pid;		/* -1: none */
	const char *procroot;	/* prefix for /proc */
};

/*
 * The directory its relative paths are relative to: a running QEMU's
 * working directory (procroot/proc/PID/cwd) for --pid, NULL (ours) for the
 * others. Free it.
 */
char *config_cwd(const struct config_source *src);

/* Read it; on failure print one line and return the exit code (2 or 3). */
int config_load(const struct config_source *src, struct qcmdline *cl);

#endif
