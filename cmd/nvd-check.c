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
#include "cli-config.h"
#include "memdev.h"
#include "newfile.h"
#include "plan.h"
#include "probe.h"
#include "qemu-backend.h"
#include "running.h"
#include "size.h"
#include "util.h"

static char *opt_device, *opt_object, *opt_share, *opt_pmem, *opt_readonly, *opt_align, *opt_size;
static char *opt_sync, *opt_qemu_version, *opt_qemu, *opt_sysroot, *opt_libs, *opt_textfile;
static int opt_prometheus, opt_running;
static long *opt_pids;
static size_t opt_npids;
static char **opt_qmps;
static size_t opt_nqmps;

static struct poptOption options[] = {
	{ "object", '\0', POPT_ARG_STRING, &opt_object, 0,
	  "QEMU's backend options, as for -object", "'memory-backend-file,...'" },
	{ "device", '\0', POPT_ARG_STRING, &opt_device, 0,
	  "the device that maps the backend, as for -device DRIVER,... (default: an nvdimm)",
	  NULL /* the persistent drivers of the memory-device table: device_drivers() */ },
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
	{ "qemu", '\0', POPT_ARG_STRING, &opt_qemu, 0,
	  "check the backend options and --device as this QEMU binary offers (default: qemu-system-x86_64 on PATH)",
	  "PATH" },
	{ "pid", '\0', POPT_ARG_STRING, NULL, 'p',
	  "check the running QEMU process PID: what each memory device got (repeatable)", "PID" },
	{ "running", '\0', POPT_ARG_NONE, &opt_running, 0,
	  "check every running qemu-system-* process", NULL },
	{ "qmp", '\0', POPT_ARG_STRING, NULL, 'M',
	  "ask the QEMU on this QMP socket too (the process is the socket's peer; repeatable)",
	  "SOCKET" },
	{ "prometheus", '\0', POPT_ARG_NONE, &opt_prometheus, 0,
	  "print metrics in node_exporter's textfile format", NULL },
	{ "textfile", '\0', POPT_ARG_STRING, &opt_textfile, 0,
	  "write those metrics to FILE instead, replaced whole (for node_exporter's textfile collector)",
	  "FILE" },
	{ "sysroot", '\0', POPT_ARG_STRING, &opt_sysroot, 0,
	  "read /sys and /proc under DIR (captured trees)", "DIR" },
	{ "libs", '\0', POPT_ARG_STRING, &opt_libs, 0,
	  "libdaxctl/libndctl/libpmem: load when a device-DAX path needs them, never, or always",
	  "auto|never|always" },
	CLI_COMMON_TABLE,
	POPT_TABLEEND
};

static const char *const onoff_opts[] = { "share", "pmem", "readonly", NULL };
static bool parse_onoff(const char *opt, const char *v, bool *out);

/*
 * --pid and --qmp (repeatable), and --share, --pmem, --readonly: a bad value is a usage
 * error now, before any other.
 */
static void backend_option(poptContext ctx, int val)
{
	char **dst;
	bool b;

	if (val == 'p') {
		char *v = poptGetOptArg(ctx), *end;
		long pid;

		errno = 0;
		pid = v ? strtol(v, &end, 10) : 0;
		if (!v || !*v || *end || errno || pid <= 0)
			cli_usage_error("invalid --pid '%s': use a process id", v ? v : "");
		free(v);
		opt_pids = xrealloc(opt_pids, (opt_npids + 1) * sizeof(*opt_pids));
		opt_pids[opt_npids++] = pid;
		return;
	}
	if (val == 'M') {
		char *v = poptGetOptArg(ctx);

		if (!v || !*v)
			cli_usage_error("--qmp '': give the QMP socket of a running QEMU");
		opt_qmps = xrealloc(opt_qmps, (opt_nqmps + 1) * sizeof(*opt_qmps));
		opt_qmps[opt_nqmps++] = v;
		return;
	}
	dst = val == 'S' ? &opt_share : val == 'P' ? &opt_pmem : &opt_readonly;
	free(*dst);
	*dst = poptGetOptArg(ctx);
	parse_onoff(val == 'S' ? "share" : val == 'P' ? "pmem" : "readonly", *dst, &b);
}

static const struct cli_tool tool = {
	.name = "nvd-check",
	.usage = "[OPTIONS] [PATH... | --pid PID... | --running]",
	.summary = "Will guest writes to a QEMU NVDIMM backend survive a host crash? Probe PATH (file,\n"
		   "directory or /dev/daxX.Y) and give QEMU's verdict; without PATH, list the host's NVDIMMs.",
	.footer = "Without QEMU options the verdict is for pmem=on,share=on, the best QEMU can do.\n"
		  "Exit status: 0 persistent (or the inventory), 1 not persistent or QEMU refuses,\n"
		  "2 usage error, 3 I/O error (a path that cannot be probed).\n"
		  "--pid, --running, --qmp: 0 every memory device persistent (or none), 1 one is not,\n"
		  "2 a PID that is not QEMU, 3 a process, its mappings or a QMP socket cannot be read.\n",
	.options = options,
	.onoff = onoff_opts,
	.no_qemu_args = true,
	.option = backend_option,
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

/* The drivers --device takes, "a|b|c": the persistent types of the memory-device table. */
static const char *device_drivers(void)
{
	static char list[256];

	if (!*list)
		for (size_t i = 0; memdev_types[i]; i++)
			if (memdev_types[i]->persistence != PM_VOLATILE)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
					 *list ? "|" : "", memdev_types[i]->driver);
	return list;
}

/* --device: only its driver matters to the verdict (its persistence model). */
static void from_device(struct qemu_opts *q)
{
	struct kvlist kv;
	char *err = NULL;
	const char *drv;

	if (opts_parse(opt_device, "driver", SYNTAX_QEMUOPTS, &kv, &err) < 0)
		cli_usage_error("--device: %s", err);
	drv = kv_get(&kv, "driver");
	q->device = drv ? memdev_type_by_driver(drv) : NULL;
	if (!q->device || q->device->persistence == PM_VOLATILE)
		cli_usage_error("--device '%s': not a persistent-memory device: use %s", drv ? drv : "",
				device_drivers());
	kvlist_free(&kv);
}

static void from_object(qver_t qver, const struct qemu_caps *caps, struct qemu_opts *q)
{
	char *err = NULL;

	if (qemu_opts_from_object(opt_object, qver, caps, q, &err) < 0)
		cli_usage_error("--object: %s", err);
}

static void options_text(struct out *o, const struct qemu_opts *q)
{
	out_obj_open(o, "options");
	out_bool(o, "assumed", NULL, !q->given);
	out_bool(o, "share", "options: share=%s", q->be.share);
	out_bool(o, "pmem", ",pmem=%s", q->be.pmem);
	out_bool(o, "readonly", ",readonly=%s", q->be.readonly);
	if (q->be.has_align)
		out_u64(o, "align", ",align=%llu", q->be.align);
	else
		out_null(o, "align", NULL);
	if (q->be.has_size)
		out_u64(o, "size", ",size=%llu", q->be.size);
	else
		out_null(o, "size", NULL);
	out_str(o, "sync", q->sync != -2 ? ",sync=%s (proposed)" : NULL,
		q->sync == -2 ? NULL : q->sync == TRI_AUTO ? "auto" : q->sync ? "on" : "off");
	out_text(o, "%s%s\n", q->given ? "" : " (assumed: no QEMU options given",
		 q->given ? "" : q->binary_no_pmem ? "; this QEMU has no pmem)" : ")");
	out_obj_close(o);
}

/* Where the metrics go: stdout, or memory for --textfile (prom_finish). */
static FILE *prom_open(char **buf, size_t *len)
{
	FILE *fp;

	if (!opt_textfile)
		return stdout;
	fp = open_memstream(buf, len);
	if (!fp) {
		nvd_warnx("%s: cannot write: %s", opt_textfile, strerror(errno));
		exit(NVD_EXIT_ENV);
	}
	return fp;
}

/*
 * --textfile: the metrics are written beside FILE and renamed over it, so
 * node_exporter never reads half a file. 0 or NVD_EXIT_ENV.
 */
static int prom_finish(FILE *fp, char **buf, size_t *len)
{
	struct outfile of;
	int rc;

	if (fp == stdout)
		return 0;
	if (fclose(fp) != 0) {
		nvd_warnx("%s: cannot write: %s", opt_textfile, strerror(errno));
		free(*buf);
		return NVD_EXIT_ENV;
	}
	rc = outfile_open_name(&of, opt_textfile);
	if (!rc)
		rc = outfile_write(&of, *buf, *len);
	if (!rc)
		rc = outfile_commit(&of);
	outfile_close(&of);
	free(*buf);
	return rc;
}

/* --pid, --running, --qmp: read each VM, print, and exit as running_exit_status() says. */
static int check_running(struct host *h, qver_t qver)
{
	struct run_vm *vms;
	long *pids = opt_pids;
	size_t n = opt_npids;
	int rc = NVD_EXIT_OK;
	struct out *o;

	if (opt_running) {
		int r = running_pids(h, &pids, &n);

		if (r < 0) {
			nvd_warnx("%s/proc: cannot list processes: %s", h->sysroot ? h->sysroot : "",
				  strerror(-r));
			return NVD_EXIT_ENV;
		}
	}
	if (opt_nqmps)
		n = opt_nqmps;
	vms = xcalloc(n + 1, sizeof(*vms));
	for (size_t i = 0; i < n; i++) {
		const char *what = opt_nqmps ? "--qmp" : "--pid";
		char *err = NULL, *arg;

		if (opt_nqmps)
			rc = running_probe_socket(h, qver, opt_qmps[i], opt_npids ? opt_pids[0] : 0,
						  !opt_sysroot, &vms[i], &err);
		else
			running_probe(h, pids[i], qver, &vms[i]);
		if (!rc && vms[i].err == -EINVAL && !opt_running) {
			/*
			 * --pid of a process that is not QEMU: a usage error, nothing written.
			 * Under --running it is that process's UNKNOWN: one odd process never
			 * stops the check of the others (nor the textfile).
			 */
			rc = NVD_EXIT_USAGE;
			err = xstrdup(vms[i].error);
		}
		if (rc) {
			arg = opt_nqmps ? xstrdup(opt_qmps[i]) : xasprintf("%ld", pids[i]);
			nvd_warnx("%s %s: %s", what, arg, err);
			free(arg);
			free(err);
			for (size_t j = 0; j <= i; j++)
				run_vm_free(&vms[j]);
			free(vms);
			if (pids != opt_pids)
				free(pids);
			return rc;
		}
	}
	if (opt_running)
		n = running_drop_exited(vms, n);
	for (size_t i = 0; i < n; i++) {
		if (vms[i].error && vms[i].err == -EINVAL)
			nvd_warnx("process %ld: %s", vms[i].pid, vms[i].error);	/* --running */
		else if (vms[i].error)
			nvd_warnx("%s", vms[i].error);
		else if (vms[i].unreadable)
			nvd_warnx("%s", vms[i].unreadable);
	}
	rc = running_exit_status(vms, n);
	if (opt_prometheus) {
		char *buf = NULL;
		size_t len = 0;
		FILE *fp = prom_open(&buf, &len);
		int prc;

		running_prometheus(vms, n, fp);
		prc = prom_finish(fp, &buf, &len);
		if (prc)
			rc = prc;
	} else {
		o = out_new(stdout, cli.json, cli.color);
		out_set_quiet(o, cli.quiet);
		out_str(o, "tool", NULL, "nvd-check");
		out_i64(o, "version", NULL, 1);
		out_text(o, "nvd-check: kernel %s, %zu QEMU process%s\n", h->kernel, n,
			 n == 1 ? "" : "es");
		out_str(o, "kernel", NULL, h->kernel);
		out_str(o, "sysroot", NULL, h->sysroot && *h->sysroot ? h->sysroot : NULL);
		running_print(vms, n, o);
		out_str(o, "verdict", NULL, running_verdict(vms, n));
		out_finish(o);
	}
	for (size_t i = 0; i < n; i++)
		run_vm_free(&vms[i]);
	free(vms);
	if (pids != opt_pids)
		free(pids);
	return rc;
}

int main(int argc, const char **argv)
{
	struct qemu_opts q = { .sync = -2 };
	struct path_facts *fs = NULL;
	struct verdict_result *rs = NULL;
	struct cli_args a;
	const char **paths;
	struct host h;
	struct out *o;
	size_t n;
	int rc = NVD_EXIT_OK, libs = PROBE_LIBS_AUTO;
	qver_t qver;
	const struct qemu_caps *caps;

	for (struct poptOption *p = options; p->longName || p->arg; p++)
		if (p->longName && !strcmp(p->longName, "device"))
			p->argDescrip = device_drivers();
	cli_parse(&tool, argc, argv, &a);
	paths = a.args;
	n = a.nargs;
	if (opt_textfile && !*opt_textfile)
		cli_usage_error("--textfile '': give a file name");
	if (opt_textfile && cli.json)
		cli_usage_error("--json and --textfile: --textfile writes Prometheus metrics");
	if (opt_textfile)
		opt_prometheus = 1;
	if (opt_prometheus && cli.json)
		cli_usage_error("--json and --prometheus: choose one output format");
	if (opt_running && opt_npids)
		cli_usage_error("--running already checks every QEMU process: give it or --pid, not both");
	if (opt_running && opt_nqmps)
		cli_usage_error("--qmp names one QEMU each: give it without --running");
	if (opt_nqmps && opt_npids && (opt_npids != 1 || opt_nqmps != 1))
		cli_usage_error("--qmp with --pid: one of each (the socket is that process's monitor)");
	if ((opt_running || opt_npids || opt_nqmps) && (n || opt_device || opt_object || opt_share || opt_pmem ||
					  opt_readonly || opt_align || opt_size || opt_sync))
		cli_usage_error("%s reads the running QEMU's own options: give no PATH, --device, --object, --share, --pmem, --readonly, --align, --size or --sync",
				opt_running ? "--running" : opt_npids ? "--pid" : "--qmp");
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
	/* a running QEMU accepted its command line: read it as the newest release, no QEMU run */
	if (opt_qemu && (opt_running || opt_npids || opt_nqmps))
		cli_usage_error("--qemu is for checking a backend: a running QEMU is read as it runs");
	qver = qemu_choose(&(struct qemu_choice){ .qemu_version = opt_qemu_version, .qemu = opt_qemu,
						  .offline = opt_running || opt_npids || opt_nqmps },
			   &caps, NULL);
	q.given = opt_object || opt_share || opt_pmem || opt_readonly || opt_align || opt_size ||
		  opt_sync;
	if (opt_device)
		from_device(&q);
	if (opt_object) {
		from_object(qver, caps, &q);
		if (q.be.mem_path && n > 1)
			cli_usage_error("--object is one backend: give its PATH once or not at all (its mem-path is '%s')",
					q.be.mem_path);
		if (q.be.mem_path && n && strcmp(paths[0], q.be.mem_path))
			cli_usage_error("PATH '%s' differs from the mem-path of --object '%s'", paths[0],
					q.be.mem_path);
		if (q.be.mem_path && !n) {
			paths = (const char **)&q.be.mem_path;
			n = 1;
		}
	} else {
		q.be.share = q.be.pmem = !q.given;
		/* virtio-pmem persists through flushes: pmem=on is not what it wants */
		if (q.device && q.device->persistence == PM_GUEST_FLUSH && !q.given)
			q.be.pmem = false;
		q.be.has_share = opt_share && parse_onoff("share", opt_share, &q.be.share);
		q.be.has_pmem = opt_pmem && parse_onoff("pmem", opt_pmem, &q.be.pmem);
		q.be.has_readonly = opt_readonly && parse_onoff("readonly", opt_readonly, &q.be.readonly);
		if (opt_align) {
			q.be.align = parse_sz("align", opt_align);
			q.be.has_align = true;
		}
		if (opt_size) {
			q.be.size = parse_sz("size", opt_size);
			q.be.has_size = true;
			if (!q.be.size)
				cli_usage_error("invalid --size '%s': QEMU needs a size above 0", opt_size);
		}
	}
	qemu_opts_check_binary(&q, caps);
	if (opt_sysroot) {
		struct stat st;

		if (!*opt_sysroot || stat(opt_sysroot, &st) < 0 || !S_ISDIR(st.st_mode))
			cli_usage_error("--sysroot '%s': not a directory", opt_sysroot);
	}

	if (host_init(&h, opt_sysroot, libs) < 0 && opt_sysroot)
		nvd_warnx("%s/proc/self/mountinfo: cannot read it: mounts unknown", opt_sysroot);

	if (opt_running || opt_npids || opt_nqmps) {
		rc = check_running(&h, qver);
		host_free(&h);
		cli_args_free(&a);
		free(opt_pids);
		for (size_t i = 0; i < opt_nqmps; i++)
			free(opt_qmps[i]);
		free(opt_qmps);
		return cli_finish(rc);
	}

	for (size_t i = 0; i < n; i++) {
		const struct run_input in = { "the path", paths[i] };

		cli_output_not_input(NULL, "-", &in, 1);
		if (opt_textfile)
			cli_output_not_input("--textfile", opt_textfile, &in, 1);
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
		char *buf = NULL;
		size_t len = 0;
		FILE *fp = prom_open(&buf, &len);
		int prc;

		if (n)
			paths_prometheus(fs, rs, n, fp);
		else
			inventory_prometheus(&h, fp);
		prc = prom_finish(fp, &buf, &len);
		if (prc)
			rc = prc;
	} else {
		o = out_new(stdout, cli.json, cli.color);
		out_set_quiet(o, cli.quiet);
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
			path_print(&h, &fs[i], &rs[i], o);
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
	qemu_opts_free(&q);
	free(opt_share);
	free(opt_pmem);
	free(opt_readonly);
	host_free(&h);
	cli_args_free(&a);
	return cli_finish(rc);
}
