// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli-config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plan.h"
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

qver_t qver_choose(const char *opt_qemu_version, bool offline, qver_t *unmodelled)
{
	static char *list;	/* until the exit: reachable, not a leak */
	qver_t v;

	if (unmodelled)
		*unmodelled = 0;
	if (!opt_qemu_version)
		return qver_default(offline, unmodelled);
	v = qver_parse(opt_qemu_version);
	if (v < 0)
		cli_usage_error("invalid --qemu-version '%s': use X.Y, e.g. 7.2", opt_qemu_version);
	if (!qver_supported(v)) {
		list = cli_releases_text(" ");
		cli_usage_error("QEMU %s is not a release modelled: use one of %s", opt_qemu_version,
				list);
	}
	return v;
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
	po->offline = config_cli.offline;
	po->sysroot = config_cli.sysroot;
	po->target = target_choose(config_cli.target);
	return qver_choose(config_cli.qemu_version, config_cli.offline, &po->qver_on_path);
}

enum target target_choose(const char *opt_target)
{
	if (!opt_target || !strcmp(opt_target, "x86_64"))
		return TARGET_X86_64;
	if (!strcmp(opt_target, "aarch64"))
		return TARGET_AARCH64;
	cli_usage_error("invalid --target '%s': use x86_64 or aarch64", opt_target);
}

