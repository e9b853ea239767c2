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
#include "cli-config.h"
#include "newfile.h"
#include "nfit.h"
#include "plan.h"
#include "util.h"

#define TABLE_MAX (1u << 20)	/* far above any NFIT: 40 + 256 slots * 184 bytes */

static char *opt_decode, *opt_diff;
static int opt_raw, opt_hex;

static struct poptOption options[] = {
	{ "decode", 'd', POPT_ARG_STRING, &opt_decode, 0,
	  "decode and check an NFIT (e.g. a copy of /sys/firmware/acpi/tables/NFIT; - for stdin)",
	  "FILE" },
	{ "diff", '\0', POPT_ARG_STRING, &opt_diff, 0,
	  "compare the configuration's NFIT with the one in FILE, structure by structure", "FILE" },
	{ "raw", 'r', POPT_ARG_NONE, &opt_raw, 0, "write the table's bytes (for iasl -d)", NULL },
	{ "hex", 'x', POPT_ARG_NONE, &opt_hex, 0, "write a hex dump of the table", NULL },
	CONFIG_OPTIONS_TABLE,
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

static bool looks_like_nfit(const char *path)
{
	char sig[4];
	FILE *fp = streq(path, "-") ? NULL : fopen(path, "rb");
	bool yes = fp && fread(sig, 1, 4, fp) == 4 && !memcmp(sig, "NFIT", 4);

	if (fp)
		fclose(fp);
	return yes;
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

static void print_head(struct out *o, const char *source, qver_t qver)
{
	out_str(o, "tool", NULL, "nvd-nfit");
	out_i64(o, "version", NULL, 1);
	out_str(o, "source", "%s: ", source);
	if (qver > 0) {
		char v[16];

		snprintf(v, sizeof(v), "%d.%d", qver / 100, qver % 100);
		out_str(o, "qemu_version", "QEMU %s: ", v);
	} else {
		out_null(o, "qemu_version", NULL);
	}
}

/*
 * Text or JSON of one table, with the configuration's own findings (nvd-plan's
 * warnings) after the table's. Returns 0 when valid and nothing fails.
 */
static int show(const char *source, qver_t qver, const uint8_t *t, size_t len,
		const struct findings *config)
{
	struct findings f = { 0 };
	struct out *o = out_new(stdout, cli.json, cli.color);

	out_set_verbose(o, cli.verbose);
	bool nfit = len >= 4 && !memcmp(t, "NFIT", 4);
	int r;

	print_head(o, source, qver);
	out_u64(o, "length", nfit ? "NFIT, %llu bytes\n" : "%llu bytes, not an NFIT\n", len);
	r = nfit_decode(t, len, o, &f);
	out_bool(o, "valid", NULL, r == 0);
	if (config)
		findings_append(&f, config);
	out_findings(o, &f, cli.quiet, cli.strict);
	out_finish(o);
	if (cli.strict && findings_count(&f, LEVEL_WARN))
		r = -1;
	findings_free(&f);
	return r;
}

/* A configuration without a table: QEMU refuses it, or builds no NFIT. */
static void show_none(const char *source, qver_t qver, bool accepted, const struct findings *config,
		      const char *why)
{
	struct findings f = { 0 };
	struct out *o = out_new(stdout, cli.json, cli.color);

	out_set_verbose(o, cli.verbose);

	print_head(o, source, qver);
	out_str(o, "verdict", "%s", accepted ? "accept" : "reject");
	out_text(o, "%s%s\n", why ? ": no NFIT: " : "", why ? why : "");
	out_bool(o, "valid", NULL, false);
	findings_append(&f, config);
	if (why)
		finding_add(&f, LEVEL_FAIL, "nfit-none", NULL, NULL, "QEMU builds no NFIT: %s", why);
	out_findings(o, &f, cli.quiet, cli.strict);
	out_finish(o);
	findings_free(&f);
}

static int do_decode(void)
{
	struct findings f = { 0 };
	uint8_t *t;
	size_t len;
	int rc = read_table(opt_decode, &t, &len);

	if (rc)
		return rc;
	if (opt_raw || opt_hex) {
		/* The bytes as they are; the exit status still says whether they are valid. */
		struct out *o = out_new(stdout, true, false);

		rc = nfit_decode(t, len, o, &f) ? NVD_EXIT_FAIL : NVD_EXIT_OK;
		out_discard(o);
		for (size_t i = 0; i < f.n; i++)
			if (f.v[i].level == LEVEL_FAIL)
				nvd_warnx("%s: %s", opt_decode, f.v[i].message);
		findings_free(&f);
		if (opt_raw && fwrite(t, 1, len, stdout) != len)
			rc = NVD_EXIT_ENV;
		if (opt_hex)
			hexdump(t, len);
		free(t);
		return rc;
	}
	rc = show(streq(opt_decode, "-") ? "<stdin>" : opt_decode, 0, t, len, NULL) ? NVD_EXIT_FAIL
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
	out_set_verbose(o, cli.verbose);
	print_head(o, source, qver);
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
	const char *why = NULL;
	struct cli_args a;
	size_t nfiles, len;
	uint8_t *table;
	qver_t qver;
	int rc;

	cli_parse(&tool, argc, argv, &a);
	nfiles = a.nargs;
	if (opt_raw && opt_hex)
		cli_usage_error("--raw and --hex exclude each other");
	if ((opt_raw || opt_hex) && (cli.json || opt_diff))
		cli_usage_error("--raw and --hex print only the table: not with --json or --diff");
	if (opt_raw && isatty(STDOUT_FILENO))
		cli_usage_error("--raw writes binary data: redirect it to a file or a pipe");
	{
		const struct run_input in[] = {
			{ "the table", opt_decode }, { "the table", opt_diff },
			{ "the configuration", nfiles ? a.args[0] : NULL },
		};

		cli_output_not_input(NULL, "-", in, ARRAY_SIZE(in));
	}
	if (opt_decode) {
		if (nfiles || a.rest || config_cli.pid >= 0 || opt_diff)
			cli_usage_error("--decode takes no configuration and no --diff");
		rc = do_decode();
		cli_args_free(&a);
		return cli_finish(rc);
	}
	if ((a.rest != NULL) + (config_cli.pid >= 0) + (nfiles > 0) != 1 || nfiles > 1)
		cli_usage_error("give one configuration: FILE, -- QEMU-ARGS or --pid PID");
	qver = config_options_apply(&po);

	src.file = nfiles ? a.args[0] : NULL;
	if (src.file && looks_like_nfit(src.file))
		cli_usage_error("%s is an NFIT, not a configuration: use --decode %s", src.file,
				src.file);
	src.argv = a.rest;
	src.argc = a.nrest;
	src.pid = config_cli.pid;
	src.procroot = config_cli.sysroot;
	{
		struct qcmdline cl;
		char *cwd;

		rc = config_load(&src, &cl);
		if (rc) {
			cli_args_free(&a);
			return cli_finish(rc);
		}
		cwd = config_cwd(&src);
		po.cwd = cwd;
		plan_evaluate(&cl, qver, &po, &res);
		free(cwd);
		qcmdline_free(&cl);
	}
	for (size_t k = 0; k < res.vm.nbackends; k++) {
		const struct run_input in = { "the backend file", backend_open_path(&res.vm.backends[k]) };

		cli_output_not_input(NULL, "-", &in, 1);
	}
	if (!res.vm.accepted || nfit_build(&res.vm, &table, &len, &why) < 0) {
		/* nvd-plan's findings: QEMU would not start, or there is no table. */
		if (opt_raw || opt_hex)
			nvd_warnx("%s: %s", res.vm.source,
				  why ? why : "QEMU refuses the configuration: see nvd-plan");
		else
			show_none(res.vm.source, qver, res.vm.accepted, &res.findings, why);
		rc = NVD_EXIT_FAIL;
	} else {
		if (opt_diff)
			rc = do_diff(res.vm.source, qver, table, len);
		else if (opt_raw)
			rc = fwrite(table, 1, len, stdout) == len ? NVD_EXIT_OK : NVD_EXIT_ENV;
		else if (opt_hex)
			hexdump(table, len), rc = NVD_EXIT_OK;
		else
			rc = show(res.vm.source, qver, table, len, &res.findings) ? NVD_EXIT_FAIL
										   : NVD_EXIT_OK;
		free(table);
	}
	plan_result_free(&res);
	cli_args_free(&a);
	return cli_finish(rc);
}
