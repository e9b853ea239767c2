// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nvd-nfit: the ACPI NFIT QEMU builds for a VM configuration, byte for
 * byte, and a decoder and comparer for any NFIT.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "nfit.h"
#include "plan.h"
#include "util.h"

#define TABLE_MAX (1u << 20)	/* far above any NFIT: 40 + 256 slots * 184 bytes */

static char *opt_qemu_version, *opt_decode, *opt_diff, *opt_sysroot;
static long opt_pid = -1;
static int opt_offline, opt_raw, opt_hex;

static struct poptOption options[] = {
	{ "decode", 'd', POPT_ARG_STRING, &opt_decode, 0,
	  "decode and check an NFIT (e.g. a copy of /sys/firmware/acpi/tables/NFIT; - for stdin)",
	  "FILE" },
	{ "diff", '\0', POPT_ARG_STRING, &opt_diff, 0,
	  "compare the configuration's NFIT with the one in FILE, structure by structure", "FILE" },
	{ "raw", 'r', POPT_ARG_NONE, &opt_raw, 0, "write the table's bytes (for iasl -d)", NULL },
	{ "hex", 'x', POPT_ARG_NONE, &opt_hex, 0, "write a hex dump of the table", NULL },
	{ "qemu-version", '\0', POPT_ARG_STRING, &opt_qemu_version, 0,
	  "behave as this QEMU release (default: qemu-system-x86_64 on PATH; with --offline or without one, the newest modelled, 10.2)",
	  "X.Y" },
	{ "pid", 'p', POPT_ARG_LONG, &opt_pid, 0, "read the command line of a running QEMU", "PID" },
	{ "offline", '\0', POPT_ARG_NONE, &opt_offline, 0,
	  "no host access: do not look at backend files", NULL },
	{ "sysroot", '\0', POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, &opt_sysroot, 0,
	  "read /sys and /proc under DIR", "DIR" },
	CLI_COMMON_TABLE,
	POPT_TABLEEND
};

static const struct cli_tool tool = {
	.name = "nvd-nfit",
	.usage = "[OPTIONS] [FILE | -- QEMU-ARGS | --pid PID] | --decode FILE",
	.summary = "Print the ACPI NFIT QEMU builds for a VM configuration, or decode and compare any NFIT.",
	.footer = "Exit status: 0 success, 1 QEMU refuses the configuration, builds no NFIT,\n"
		  "the table is invalid or the tables differ, 2 usage error, 3 I/O error.\n",
	.options = options,
};

static int read_table(const char *path, uint8_t **t, size_t *len)
{
	int r = read_all(path, TABLE_MAX, (char **)t, len);

	if (r == -EFBIG)
		nvd_warnx("%s: larger than 1 MiB: not an NFIT", path);
	else if (r < 0)
		nvd_warnx("%s: %s", path, strerror(-r));
	return r < 0 ? NVD_EXIT_ENV : 0;
}

static void hexdump(const uint8_t *t, size_t len)
{
	for (size_t i = 0; i < len; i += 16) {
		printf("    %04zX:", i);
		for (size_t k = i; k < i + 16; k++)
			k < len ? printf(" %02X", t[k]) : printf("   ");
		printf("  // ");
		for (size_t k = i; k < i + 16 && k < len; k++)
			putchar(t[k] >= 0x20 && t[k] < 0x7f ? t[k] : '.');
		putchar('\n');
	}
}

/* Text or JSON of one table; returns 0 when valid. */
static int show(const char *source, qver_t qver, const uint8_t *t, size_t len)
{
	struct findings f = { 0 };
	struct out *o = out_new(stdout, cli.json, cli.color);
	int r;

	out_str(o, "tool", NULL, "nvd-nfit");
	out_i64(o, "version", NULL, 1);
	out_str(o, "source", "%s: ", source);
	if (qver > 0) {
		char v[16];

		snprintf(v, sizeof(v), "%d.%d", qver / 100, qver % 100);
		out_str(o, "qemu_version", "QEMU %s: ", v);
	}
	out_u64(o, "length", "NFIT, %llu bytes\n", len);
	r = nfit_decode(t, len, o, &f);
	out_bool(o, "valid", NULL, r == 0);
	out_findings(o, &f, cli.quiet, cli.strict);
	out_finish(o);
	findings_free(&f);
	return r;
}

static int do_decode(void)
{
	uint8_t *t;
	size_t len;
	int rc = read_table(opt_decode, &t, &len);

	if (rc)
		return rc;
	if (opt_raw || opt_hex) {
		opt_raw ? (void)fwrite(t, 1, len, stdout) : hexdump(t, len);
		free(t);
		return NVD_EXIT_OK;
	}
	rc = show(streq(opt_decode, "-") ? "<stdin>" : opt_decode, 0, t, len) ? NVD_EXIT_FAIL
									      : NVD_EXIT_OK;
	free(t);
	return rc;
}

static int do_diff(const char *source, qver_t qver, const uint8_t *want, size_t wlen)
{
	struct findings f = { 0 };
	struct out *o;
	uint8_t *got;
	size_t glen, n;
	int rc = read_table(opt_diff, &got, &glen);

	if (rc)
		return rc;
	n = nfit_diff(want, wlen, got, glen, &f);
	o = out_new(stdout, cli.json, cli.color);
	out_str(o, "tool", NULL, "nvd-nfit");
	out_i64(o, "version", NULL, 1);
	out_str(o, "source", "%s: ", source);
	{
		char v[16];

		snprintf(v, sizeof(v), "%d.%d", qver / 100, qver % 100);
		out_str(o, "qemu_version", "QEMU %s: ", v);
	}
	out_str(o, "actual", "expected NFIT against %s: ", opt_diff);
	out_u64(o, "expected_length", NULL, wlen);
	out_u64(o, "actual_length", NULL, glen);
	out_bool(o, "equal", NULL, n == 0);
	out_text(o, n ? "%zu difference%s\n" : "the same\n", n, n == 1 ? "" : "s");
	out_findings(o, &f, false, false);
	out_finish(o);
	findings_free(&f);
	free(got);
	return n ? NVD_EXIT_FAIL : NVD_EXIT_OK;
}

int main(int argc, const char **argv)
{
	struct plan_opts po = { 0 };
	struct plan_result res;
	struct config_source src = { .pid = -1 };
	const char **files, *why = NULL;
	poptContext ctx;
	int dashdash = argc, opt, rc;
	size_t nfiles, len;
	uint8_t *table;
	qver_t qver;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			dashdash = i;
			break;
		}
	}
	ctx = cli_start(&tool, dashdash, argv);
	while ((opt = poptGetNextOpt(ctx)) >= 0)
		;
	cli_check_opt(&tool, ctx, opt);
	files = poptGetArgs(ctx);
	for (nfiles = 0; files && files[nfiles]; nfiles++)
		;
	if (opt_raw && opt_hex)
		cli_usage_error("--raw and --hex exclude each other");
	if ((opt_raw || opt_hex) && (cli.json || opt_diff))
		cli_usage_error("--raw and --hex print only the table: not with --json or --diff");
	if (opt_raw && isatty(STDOUT_FILENO))
		cli_usage_error("--raw writes binary data: redirect it to a file or a pipe");
	if (opt_decode) {
		if (nfiles || dashdash < argc || opt_pid >= 0 || opt_diff)
			cli_usage_error("--decode takes no configuration and no --diff");
		rc = do_decode();
		poptFreeContext(ctx);
		return cli_finish(rc);
	}
	if ((dashdash < argc) + (opt_pid >= 0) + (nfiles > 0) != 1 || nfiles > 1)
		cli_usage_error("give one configuration: FILE, -- QEMU-ARGS or --pid PID");
	if (opt_pid == 0 || opt_pid < -1)
		cli_usage_error("invalid --pid %ld", opt_pid);
	po.offline = opt_offline;
	po.sysroot = opt_sysroot;
	qver = qver_choose(opt_qemu_version, opt_offline);

	src.file = nfiles ? files[0] : NULL;
	src.argv = dashdash < argc ? (char **)argv + dashdash + 1 : NULL;
	src.argc = argc - dashdash - 1;
	src.pid = opt_pid;
	src.procroot = opt_sysroot;
	{
		struct qcmdline cl;

		rc = config_load(&src, &cl);
		if (rc) {
			poptFreeContext(ctx);
			return cli_finish(rc);
		}
		plan_evaluate(&cl, qver, &po, &res);
		qcmdline_free(&cl);
	}
	if (!res.vm.accepted) {
		/* nvd-plan's findings: QEMU would not start, so there is no table. */
		struct out *o = out_new(opt_raw || opt_hex ? stderr : stdout, cli.json, cli.color);

		plan_print(o, &res, true, false, false);
		out_finish(o);
		rc = NVD_EXIT_FAIL;
	} else if (nfit_build(&res.vm, &table, &len, &why) < 0) {
		nvd_warnx("%s: QEMU builds no NFIT: %s", res.vm.source, why);
		rc = NVD_EXIT_FAIL;
	} else {
		if (opt_diff)
			rc = do_diff(res.vm.source, qver, table, len);
		else if (opt_raw)
			rc = fwrite(table, 1, len, stdout) == len ? NVD_EXIT_OK : NVD_EXIT_ENV;
		else if (opt_hex)
			hexdump(table, len), rc = NVD_EXIT_OK;
		else
			rc = show(res.vm.source, qver, table, len) ? NVD_EXIT_FAIL : NVD_EXIT_OK;
		free(table);
	}
	plan_result_free(&res);
	poptFreeContext(ctx);
	return cli_finish(rc);
}
