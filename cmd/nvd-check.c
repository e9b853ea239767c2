// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nvd-check: will guest writes to this backend survive a host crash?
 * Probes a path (file, directory, device-DAX) and gives QEMU's verdict for
 * the backend options; without a path, an inventory of the host's NVDIMMs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "newfile.h"
#include "plan.h"
#include "probe.h"
#include "size.h"
#include "util.h"
#include "vmconfig.h"

static char *opt_object, *opt_share, *opt_pmem, *opt_readonly, *opt_align, *opt_size;
static char *opt_sync, *opt_qemu_version, *opt_sysroot, *opt_libs;
static int opt_prometheus;

static struct poptOption options[] = {
	{ "object", '\0', POPT_ARG_STRING, &opt_object, 0,
	  "QEMU's backend options, as for -object", "'memory-backend-file,...'" },
	{ "share", '\0', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, 'S',
	  "share= of the backend (QEMU's default: off)", "on|off" },
	{ "pmem", '\0', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, 'P',
	  "pmem= of the backend (default: off)", "on|off" },
	{ "readonly", '\0', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, 'R',
	  "readonly= of the backend (default: off)", "on|off" },
	{ "align", '\0', POPT_ARG_STRING, &opt_align, 0, "align= of the backend", "SIZE" },
	{ "size", '\0', POPT_ARG_STRING, &opt_size, 0, "size= of the backend", "SIZE" },
	{ "sync", '\0', POPT_ARG_STRING, &opt_sync, 0,
	  "the seeds' proposed sync= option (never merged upstream): its verdict", "on|off|auto" },
	{ "qemu-version", '\0', POPT_ARG_STRING, &opt_qemu_version, 0,
	  "QEMU release whose messages to give (default: qemu-system-x86_64 on PATH, else the newest modelled)",
	  "X.Y" },
	{ "prometheus", '\0', POPT_ARG_NONE, &opt_prometheus, 0,
	  "print metrics in node_exporter's textfile format", NULL },
	{ "sysroot", '\0', POPT_ARG_STRING, &opt_sysroot, 0,
	  "read /sys and /proc under DIR (captured trees)", "DIR" },
	{ "libs", '\0', POPT_ARG_STRING, &opt_libs, 0,
	  "libdaxctl/libndctl/libpmem: load when a device-DAX path needs them, never, or always",
	  "auto|never|always" },
	CLI_COMMON_TABLE,
	POPT_TABLEEND
};

static const struct cli_tool tool = {
	.name = "nvd-check",
	.usage = "[OPTIONS] [PATH...]",
	.summary = "Will guest writes to a QEMU NVDIMM backend survive a host crash? Probe PATH (file,\n"
		   "directory or /dev/daxX.Y) and give QEMU's verdict; without PATH, list the host's NVDIMMs.",
	.footer = "Without QEMU options the verdict is for pmem=on,share=on, the best QEMU can do.\n"
		  "Exit status: 0 persistent (or the inventory), 1 not persistent or QEMU refuses,\n"
		  "2 usage error, 3 I/O error (a path that cannot be probed).\n",
	.options = options,
};

static bool parse_onoff(const char *opt, const char *v, bool *out)
{
	int len = (int)strcspn(opt, "=");

	if (!v || !strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true"))
		*out = true;
	else if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false"))
		*out = false;
	else
		cli_usage_error("invalid --%.*s value '%s': use on or off", len, opt, v);
	return true;
}

static uint64_t parse_sz(const char *opt, const char *v)
{
	uint64_t s;

	if (size_parse(v, &s) < 0)
		cli_usage_error("invalid --%s '%s': use a size like 2M or 1G", opt, v);
	return s;
}

static void from_object(qver_t qver, struct qemu_opts *q)
{
	char *words[] = { "-object", opt_object }, *err = NULL;
	struct findings f = { 0 };
	struct qcmdline cl;
	struct vm vm;

	if (qcmdline_from_words(words, 2, "--object", &cl, &err) < 0)
		cli_usage_error("--object: %s", err);
	vm_build(&vm, &cl, qver, &f);
	for (size_t i = 0; i < f.n; i++) {
		if (f.v[i].level == LEVEL_FAIL && f.v[i].qemu && !q->parse_error)
			q->parse_error = xstrdup(f.v[i].qemu);
	}
	if (vm.nbackends == 1) {
		struct backend *b = &vm.backends[0];

		if (b->kind != BK_FILE)
			cli_usage_error("--object: %s is not memory-backend-file", b->qom_type);
		q->share = b->share;
		q->pmem = b->pmem;
		q->readonly = b->readonly;
		q->align = b->align;
		q->has_align = b->has_align;
		q->size = b->size;
		q->has_size = b->has_size;
		q->offset = b->offset;
		q->has_offset = b->has_offset;
		q->id = xstrdup(b->id);
		if (b->mem_path)
			q->mem_path = xstrdup(b->mem_path);
	} else if (!q->parse_error) {
		cli_usage_error("--object: not a memory backend: '%s'", opt_object);
	}
	/* mem-path even when QEMU rejects the text, to probe it anyway. */
	if (!q->mem_path && strstr(opt_object, "mem-path=")) {
		const char *p = strstr(opt_object, "mem-path=") + 9;

		q->mem_path = xstrndup(p, strcspn(p, ","));
	}
	vm_free(&vm);
	findings_free(&f);
	qcmdline_free(&cl);
}

static void options_text(struct out *o, const struct qemu_opts *q)
{
	out_obj_open(o, "options");
	out_bool(o, "assumed", NULL, !q->given);
	out_bool(o, "share", "options: share=%s", q->share);
	out_bool(o, "pmem", ",pmem=%s", q->pmem);
	out_bool(o, "readonly", ",readonly=%s", q->readonly);
	if (q->has_align)
		out_u64(o, "align", ",align=%llu", q->align);
	else
		out_null(o, "align", NULL);
	if (q->has_size)
		out_u64(o, "size", ",size=%llu", q->size);
	else
		out_null(o, "size", NULL);
	out_str(o, "sync", q->sync != -2 ? ",sync=%s (proposed)" : NULL,
		q->sync == -2 ? NULL : q->sync == TRI_AUTO ? "auto" : q->sync ? "on" : "off");
	out_text(o, "%s\n", q->given ? "" : " (assumed: no QEMU options given)");
	out_obj_close(o);
}

int main(int argc, const char **argv)
{
	struct qemu_opts q = { .sync = -2 };
	struct path_facts *fs = NULL;
	struct verdict_result *rs = NULL;
	const char **paths;
	struct host h;
	struct out *o;
	poptContext ctx;
	size_t n = 0;
	int opt, rc = NVD_EXIT_OK, libs = PROBE_LIBS_AUTO;
	qver_t qver;

	static const char *const onoff_opts[] = { "share", "pmem", "readonly", NULL };

	argc = cli_onoff_args(argc, argv, onoff_opts);
	ctx = cli_start(&tool, argc, argv);
	while ((opt = poptGetNextOpt(ctx)) >= 0) {
		char **dst = opt == 'S' ? &opt_share : opt == 'P' ? &opt_pmem : &opt_readonly;
		bool b;

		free(*dst);
		*dst = poptGetOptArg(ctx);
		/* a bad value is a usage error now, before any other */
		parse_onoff(opt == 'S' ? "share" : opt == 'P' ? "pmem" : "readonly", *dst, &b);
	}
	cli_check_opt(&tool, ctx, opt);
	paths = poptGetArgs(ctx);
	while (paths && paths[n])
		n++;
	if (opt_prometheus && cli.json)
		cli_usage_error("--json and --prometheus: choose one output format");
	if (opt_object && (opt_share || opt_pmem || opt_readonly || opt_align || opt_size))
		cli_usage_error("--object already holds the backend options: do not add --share, --pmem, --readonly, --align or --size");
	if (opt_libs) {
		if (!strcmp(opt_libs, "never"))
			libs = PROBE_LIBS_NEVER;
		else if (!strcmp(opt_libs, "always"))
			libs = PROBE_LIBS_ALWAYS;
		else if (strcmp(opt_libs, "auto"))
			cli_usage_error("invalid --libs value '%s': use auto, never or always", opt_libs);
	}
	if (opt_sync) {
		if (!strcmp(opt_sync, "on"))
			q.sync = TRI_ON;
		else if (!strcmp(opt_sync, "off"))
			q.sync = TRI_OFF;
		else if (!strcmp(opt_sync, "auto"))
			q.sync = TRI_AUTO;
		else
			cli_usage_error("invalid --sync value '%s': use on, off or auto", opt_sync);
	}
	qver = qver_choose(opt_qemu_version, false, NULL);
	q.given = opt_object || opt_share || opt_pmem || opt_readonly || opt_align || opt_size ||
		  opt_sync;
	if (opt_object) {
		from_object(qver, &q);
		if (q.mem_path && n > 1)
			cli_usage_error("--object is one backend: give its PATH once or not at all (its mem-path is '%s')",
					q.mem_path);
		if (q.mem_path && n && strcmp(paths[0], q.mem_path))
			cli_usage_error("PATH '%s' differs from the mem-path of --object '%s'", paths[0],
					q.mem_path);
		if (q.mem_path && !n) {
			paths = (const char **)&q.mem_path;
			n = 1;
		}
	} else {
		q.share = q.pmem = !q.given;
		if (opt_share)
			parse_onoff("share", opt_share, &q.share);
		if (opt_pmem)
			parse_onoff("pmem", opt_pmem, &q.pmem);
		if (opt_readonly)
			parse_onoff("readonly", opt_readonly, &q.readonly);
		if (opt_align) {
			q.align = parse_sz("align", opt_align);
			q.has_align = true;
		}
		if (opt_size) {
			q.size = parse_sz("size", opt_size);
			q.has_size = true;
			if (!q.size)
				cli_usage_error("invalid --size '%s': QEMU needs a size above 0", opt_size);
		}
	}
	if (opt_sysroot) {
		struct stat st;

		if (!*opt_sysroot || stat(opt_sysroot, &st) < 0 || !S_ISDIR(st.st_mode))
			cli_usage_error("--sysroot '%s': not a directory", opt_sysroot);
	}

	if (host_init(&h, opt_sysroot, libs) < 0 && opt_sysroot)
		nvd_warnx("%s/proc/self/mountinfo: cannot read it: mounts unknown", opt_sysroot);

	for (size_t i = 0; i < n; i++) {
		const struct run_input in = { "the path", paths[i] };

		cli_output_not_input(NULL, "-", &in, 1);
	}
	fs = xcalloc(n + 1, sizeof(*fs));
	rs = xcalloc(n + 1, sizeof(*rs));
	for (size_t i = 0; i < n; i++) {
		path_probe(&h, paths[i], &fs[i]);
		verdict_eval(&h, &fs[i], &q, qver, &rs[i]);
		if (fs[i].error) {
			nvd_warnx("%s: %s", paths[i], fs[i].error_msg);
			rc = NVD_EXIT_ENV;
		} else if (rs[i].verdict != V_PERSISTENT && rc == NVD_EXIT_OK) {
			rc = NVD_EXIT_FAIL;
		}
	}

	if (opt_prometheus) {
		if (n)
			paths_prometheus(fs, rs, n, stdout);
		else
			inventory_prometheus(&h, stdout);
	} else {
		o = out_new(stdout, cli.json, cli.color);
		out_str(o, "tool", NULL, "nvd-check");
		out_i64(o, "version", NULL, 1);
		out_text(o, "nvd-check: kernel %s, QEMU %d.%d", h.kernel, qver / 100, qver % 100);
		{
			char *v = xasprintf("%d.%d", qver / 100, qver % 100);

			out_str(o, "qemu_version", NULL, v);
			free(v);
		}
		out_str(o, "kernel", NULL, h.kernel);
		out_str(o, "sysroot", opt_sysroot ? ", sysroot %s" : NULL, opt_sysroot);
		out_text(o, "\n");
		out_obj_open(o, "libraries");
		out_bool(o, "libdaxctl", NULL, h.daxctl_loaded);
		out_bool(o, "libndctl", NULL, h.ndctl_loaded);
		out_bool(o, "libpmem", NULL, h.pmem_loaded);
		out_obj_close(o);
		if (n)
			options_text(o, &q);
		out_arr_open(o, "paths");
		for (size_t i = 0; i < n; i++)
			path_print(&h, &fs[i], &rs[i], o, cli.color, cli.quiet);
		out_arr_close(o);
		if (n) {
			enum verdict worst = V_PERSISTENT;

			for (size_t i = 0; i < n; i++)
				worst = rs[i].verdict > worst ? rs[i].verdict : worst;
			out_null(o, "inventory", NULL);
			out_str(o, "verdict", NULL, verdict_name(worst));
		} else {
			inventory_print(&h, o);
			out_null(o, "verdict", NULL);
		}
		out_finish(o);
	}

	for (size_t i = 0; i < n; i++) {
		path_facts_free(&fs[i]);
		verdict_free(&rs[i]);
	}
	free(fs);
	free(rs);
	free(q.id);
	free(q.mem_path);
	free(q.parse_error);
	free(opt_share);
	free(opt_pmem);
	free(opt_readonly);
	host_free(&h);
	poptFreeContext(ctx);
	return cli_finish(rc);
}
