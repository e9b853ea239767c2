// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nvd-plan: will QEMU start this VM configuration, and where does each
 * DIMM and NVDIMM land? Every finding at once, with QEMU's own message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli-config.h"
#include "finding-match.h"
#include "newfile.h"
#include "plan.h"
#include "size.h"
#include "util.h"

static char *opt_junit, *opt_hotplug, *opt_explain;

static struct poptOption options[] = {
	{ "hotplug", '\0', POPT_ARG_STRING, &opt_hotplug, 0,
	  "sizes of DIMMs to hot-plug later, checked against slots and maxmem", "SIZE[,SIZE...]" },
	{ "junit", '\0', POPT_ARG_STRING, &opt_junit, 0, "also write JUnit XML to FILE", "FILE" },
	{ "explain", '\0', POPT_ARG_STRING, &opt_explain, 0,
	  "say which finding a QEMU, libvirt or kernel log message is, and the fix", "MESSAGE" },
	CONFIG_OPTIONS_TABLE,
	CLI_COMMON_TABLE,
	POPT_TABLEEND
};

static const struct cli_tool tool = {
	.name = "nvd-plan",
	.usage = "[OPTIONS] [FILE... | -- QEMU-ARGS | --pid PID | --explain MESSAGE]",
	.summary = "Check QEMU VM configurations with NVDIMMs and DIMMs: slots, maxmem, layout, labels, backends.",
	.footer = "FILE holds QEMU arguments in shell syntax, or is a libvirt domain XML\n"
		  "('-' reads stdin).\n"
		  "Exit status: 0 QEMU would start, 1 it would refuse (or a warning with --strict),\n"
		  "2 usage error, 3 I/O error. --explain: 0 a finding has the message, 1 none has.\n",
	.options = options,
};

static int parse_hotplug(const char *s, uint64_t **sizes, size_t *n)
{
	char *copy = xstrdup(s), *save = NULL;

	*n = 0;
	*sizes = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		uint64_t v;

		if (size_parse(t, &v) < 0 || v == 0)
			cli_usage_error("invalid --hotplug size '%s': use sizes like 1G,512M", t);
		*sizes = xrealloc(*sizes, (*n + 1) * sizeof(**sizes));
		(*sizes)[(*n)++] = v;
	}
	free(copy);
	if (!*n)
		cli_usage_error("--hotplug needs at least one size");
	return 0;
}

/* The whole XML in memory first: the file is replaced whole, never truncated. */
static int write_junit(struct outfile *of, const struct plan_result *results, size_t n)
{
	char *xml = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&xml, &len);
	int rc;

	if (!mem || plan_write_junit(mem, results, n, cli.strict) < 0 || fclose(mem) != 0) {
		nvd_warnx("%s: cannot write: %s", of->path, strerror(errno ? errno : ENOMEM));
		free(xml);
		outfile_close(of);
		return NVD_EXIT_ENV;
	}
	rc = outfile_write(of, xml, len);
	if (!rc)
		rc = outfile_commit(of);
	outfile_close(of);
	free(xml);
	return rc;
}

/* --explain: which finding(s) a pasted log message is. */
static int explain(const char *msg)
{
	struct finding_explain e;
	struct out *o;
	int rc;

	if (!*msg || !msg[strspn(msg, " \t\r\n")])
		cli_usage_error("--explain needs a message: paste the line from the log");
	finding_explain(msg, &e);
	rc = e.n ? NVD_EXIT_OK : NVD_EXIT_FAIL;
	if (!e.n && !cli.json) {
		nvd_warnx("no finding of nvd-plan has this message");
	} else {
		o = out_new(stdout, cli.json, cli.color);
		finding_explain_print(o, msg, &e);
		out_finish(o);
	}
	finding_explain_free(&e);
	return cli_finish(rc);
}

static int worse(int a, int b)
{
	return a > b ? a : b;
}

int main(int argc, const char **argv)
{
	struct plan_opts po = { 0 };
	struct plan_result *results = NULL;
	size_t nresults = 0, nsources;
	uint64_t *hotplug = NULL;
	struct cli_args a;
	int rc = NVD_EXIT_OK;
	bool junit_stdout;
	struct outfile junit;
	qver_t qver;

	cli_parse(&tool, argc, argv, &a);
	nsources = a.nargs;
	if (opt_explain) {
		if (a.rest || config_cli.pid >= 0 || nsources || opt_junit || opt_hotplug)
			cli_usage_error("--explain takes the message only: no configuration, --junit or --hotplug");
		rc = explain(opt_explain);
		cli_args_free(&a);
		return rc;
	}
	if ((a.rest != NULL) + (config_cli.pid >= 0) + (nsources > 0) > 1)
		cli_usage_error("give configuration FILEs, -- QEMU-ARGS or --pid, not several");
	if (!a.rest && config_cli.pid < 0 && !nsources)
		cli_usage_error("no configuration: give FILE..., -- QEMU-ARGS or --pid PID");
	if (opt_hotplug)
		parse_hotplug(opt_hotplug, &hotplug, &po.nhotplug);
	po.hotplug = hotplug;
	qver = config_options_apply(&po);

	junit_stdout = streq(opt_junit, "-");
	for (size_t i = 0; i < nsources; i++) {
		const struct run_input in = { "the configuration", a.args[i] };

		cli_output_not_input("--junit", opt_junit, &in, 1);
		cli_output_not_input(NULL, "-", &in, 1);
	}
	results = xcalloc(nsources + 1, sizeof(*results));
	for (size_t i = 0; i < (nsources ? nsources : 1); i++) {
		struct config_source src = {
			.file = nsources ? a.args[i] : NULL,
			.argv = a.rest,
			.argc = a.nrest,
			.pid = config_cli.pid,
			.procroot = config_cli.sysroot,
		};
		struct qcmdline cl;
		char *cwd;
		int r = config_load(&src, &cl);

		if (r) {
			rc = worse(rc, r);
			continue;
		}
		cwd = config_cwd(&src);
		po.cwd = cwd;
		plan_evaluate(&cl, qver, &po, &results[nresults]);
		free(cwd);
		qcmdline_free(&cl);
		nresults++;
	}

	/* Nor a backend file (nor is standard output); then the JUnit file, before any report. */
	for (size_t i = 0; i < nresults; i++) {
		for (size_t k = 0; k < results[i].vm.nbackends; k++) {
			const struct backend *b = &results[i].vm.backends[k];
			const struct run_input in = { "the backend file", backend_open_path(b) };

			cli_output_not_input("--junit", opt_junit, &in, 1);
			cli_output_not_input(NULL, "-", &in, 1);
		}
	}
	/*
	 * The JUnit file is written whole first: a report that then cannot be
	 * printed (a full disk, a reader gone) leaves it done and says so.
	 */
	if (opt_junit && !junit_stdout) {
		int jrc = outfile_open(&junit, opt_junit);

		if (!jrc)
			jrc = write_junit(&junit, results, nresults);
		if (jrc) {
			rc = worse(rc, jrc);
			goto out;
		}
		cli_write_done("%s: the JUnit report was written", opt_junit);
	}
	for (size_t i = 0; i < nresults && !junit_stdout; i++) {
		struct plan_result *r = &results[i];
		struct out *o = out_new(stdout, cli.json, cli.color);

		/* Several configuration files: one JSON object per line, always. */
		if (nsources > 1)
			out_set_compact(o);
		plan_print(o, r, cli.quiet, cli.verbose, cli.strict);
		out_finish(o);
	}
	for (size_t i = 0; i < nresults; i++)
		if (plan_failed(&results[i], cli.strict))
			rc = worse(rc, NVD_EXIT_FAIL);
	if (junit_stdout && plan_write_junit(stdout, results, nresults, cli.strict) < 0)
		rc = worse(rc, NVD_EXIT_ENV);	/* cli_finish says why */
out:
	for (size_t i = 0; i < nresults; i++)
		plan_result_free(&results[i]);
	free(results);
	free(hotplug);
	cli_args_free(&a);
	return cli_finish(rc);
}
