// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli-config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plan.h"
#include "qemu-probe.h"
#include "util.h"

char *cli_releases_text(const char *sep)
{
	char *s = xstrdup(""), *n;

	for (qver_t v = QVER_OLDEST; v <= QVER_NEWEST; v++) {
		if (!qver_supported(v))
			continue;
		n = xasprintf("%s%s%d.%d", s, *s ? sep : "", v / 100, v % 100);
		free(s);
		s = n;
	}
	return s;
}

/* --qemu-version or --qemu only: one says the release, the other the binary. */
static void qemu_options_check(const char *opt_qemu_version, const char *opt_qemu, bool offline)
{
	if (opt_qemu && opt_qemu_version)
		cli_usage_error("give --qemu or --qemu-version, not both: the binary says its release");
	if (opt_qemu && offline)
		cli_usage_error("--offline runs no QEMU: give --qemu-version instead of --qemu");
	if (opt_qemu && !*opt_qemu)
		cli_usage_error("--qemu needs the path of a qemu-system-* binary");
}

qver_t qemu_choose(const struct qemu_choice *ch, const struct qemu_caps **caps,
		   qver_t *unmodelled)
{
	static struct qemu_caps asked;	/* until the exit: reachable, not a leak */
	static char *list;
	const struct qemu_probe p = { .binary = ch->qemu, .target = ch->target };
	const char *name = ch->qemu;
	char *err = NULL;
	qver_t v;
	int r;

	*caps = NULL;
	if (unmodelled)
		*unmodelled = 0;
	qemu_options_check(ch->qemu_version, ch->qemu, ch->offline);
	if (ch->qemu_version) {
		v = qver_parse(ch->qemu_version);
		if (v < 0)
			cli_usage_error("invalid --qemu-version '%s': use X.Y, e.g. 7.2",
					ch->qemu_version);
		if (!qver_supported(v)) {
			list = cli_releases_text(" ");
			cli_usage_error("QEMU %s is not a release modelled: use one of %s",
					ch->qemu_version, list);
		}
		return v;
	}
	/* --offline is for a machine that is not the VM host: its QEMU says nothing. */
	if (ch->offline)
		return QVER_NEWEST;
	r = qemu_probe(&p, &asked, &err);
	if (r && ch->qemu) {
		nvd_warnx("--qemu %s: %s", ch->qemu, err ? err : strerror(-r));
		exit(NVD_EXIT_ENV);
	}
	free(err);
	if (r)
		return QVER_NEWEST;	/* none on PATH (or one that says nothing): the newest */
	*caps = &asked;
	if (!name)
		name = ch->target == TARGET_AARCH64 ? "qemu-system-aarch64 on PATH"
						    : "qemu-system-x86_64 on PATH";
	v = qver_parse(asked.version);
	if (v > QVER_NEWEST || (v >= 0 && v < QVER_OLDEST)) {
		qver_t use = v > QVER_NEWEST ? QVER_NEWEST : QVER_OLDEST;

		nvd_warnx("%s is %d.%d, %s than modelled: checking as %d.%d", name, v / 100, v % 100,
			  v > QVER_NEWEST ? "newer" : "older", use / 100, use % 100);
		if (unmodelled)
			*unmodelled = v;
		return use;
	}
	return qver_supported(v) ? v : QVER_NEWEST;
}

struct config_cli config_cli = { .pid = -1 };

/*
 * --pid is checked as popt meets it: a value that is not a process id
 * (-3, "", "12x") must be named as such, not taken for "no --pid" later.
 */
static void config_pid_cb(poptContext ctx, enum poptCallbackReason reason,
			  const struct poptOption *opt, const char *arg, const void *data)
{
	char *end;
	long v;

	(void)ctx;
	(void)data;
	if (reason != POPT_CALLBACK_REASON_OPTION || !opt || opt->val != 'p')
		return;
	errno = 0;
	v = arg && *arg >= '0' && *arg <= '9' ? strtol(arg, &end, 10) : 0;
	if (!arg || !*arg || *arg < '0' || *arg > '9' || *end || errno || v <= 0 || v > INT_MAX)
		cli_usage_error("invalid --pid '%s': not a process id (a number above 0)",
				arg ? arg : "");
	config_cli.pid = v;
}

struct poptOption config_options[] = {
	{ NULL, '\0', POPT_ARG_CALLBACK, (void *)config_pid_cb, 0, NULL, NULL },
	{ "qemu-version", '\0', POPT_ARG_STRING, &config_cli.qemu_version, 0,
	  "behave as this QEMU release (default: qemu-system-x86_64 on PATH; with --offline or without one, the newest modelled, 11.1)",
	  "X.Y" },
	{ "qemu", '\0', POPT_ARG_STRING, &config_cli.qemu, 0,
	  "check as this QEMU binary offers (asked once, cached; default: qemu-system-TARGET on PATH)",
	  "PATH" },
	{ "target", '\0', POPT_ARG_STRING, &config_cli.target, 0,
	  "the QEMU binary: x86_64 (pc, q35; the default) or aarch64 (virt)",
	  "x86_64|aarch64" },
	{ "pid", 'p', POPT_ARG_STRING, NULL, 'p', "read the command line of a running QEMU",
	  "PID" },
	{ "offline", '\0', POPT_ARG_NONE, &config_cli.offline, 0,
	  "no host access: do not look at backend files", NULL },
	{ "sysroot", '\0', POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, &config_cli.sysroot, 0,
	  "read /sys and /proc under DIR", "DIR" },
	POPT_TABLEEND
};

qver_t config_options_apply(struct plan_opts *po)
{
	const struct qemu_choice ch = {
		.qemu_version = config_cli.qemu_version,
		.qemu = config_cli.qemu,
		.offline = config_cli.offline,
		.target = target_choose(config_cli.target),
	};

	po->offline = config_cli.offline;
	po->sysroot = config_cli.sysroot;
	po->target = ch.target;
	return qemu_choose(&ch, &po->caps, &po->qver_on_path);
}

enum target target_choose(const char *opt_target)
{
	if (!opt_target || !strcmp(opt_target, "x86_64"))
		return TARGET_X86_64;
	if (!strcmp(opt_target, "aarch64"))
		return TARGET_AARCH64;
	cli_usage_error("invalid --target '%s': use x86_64 or aarch64", opt_target);
}

