// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nvd-map: a memory-backend-file as QEMU would check and map it; create,
 * preallocate and digest backends without ever changing an existing one's
 * size or content.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli-config.h"
#include "map.h"
#include "newfile.h"
#include "plan.h"
#include "size.h"
#include "util.h"

/*
 * popt leaves an optional value NULL when the option comes alone: start
 * these at "unset", so NULL means "given, no value" (on).
 */
static char unset[] = "";
static char *opt_share = unset, *opt_pmem = unset, *opt_readonly = unset;
static char *opt_size, *opt_align, *opt_offset;
static char *opt_object, *opt_qemu_version, *opt_qemu, *opt_sysroot, *opt_expect;
static int opt_sparse, opt_force, opt_threads = INT_MIN;	/* INT_MIN: not given */

#define ONOFF (POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL)

static struct poptOption options[] = {
	{ "size", 's', POPT_ARG_STRING, &opt_size, 0,
	  "validate: QEMU's size= (default: the file's size); create: the new file's size; digest: the window's size",
	  "SIZE" },
	{ "offset", '\0', POPT_ARG_STRING, &opt_offset, 0,
	  "validate: QEMU's offset=; digest: where the window starts", "SIZE" },
	{ "align", '\0', POPT_ARG_STRING, &opt_align, 0, "validate: QEMU's align=", "SIZE" },
	{ "share", '\0', ONOFF, &opt_share, 0, "validate: QEMU's share= (alone: on)", "on|off" },
	{ "pmem", '\0', ONOFF, &opt_pmem, 0, "validate: QEMU's pmem= (alone: on)", "on|off" },
	{ "readonly", '\0', ONOFF, &opt_readonly, 0, "validate: QEMU's readonly= (alone: on)",
	  "on|off" },
	{ "object", 'o', POPT_ARG_STRING, &opt_object, 0,
	  "validate: the backend as QEMU's -object text (memory-backend-file,id=..,mem-path=..,size=..)",
	  "TEXT" },
	{ "qemu-version", '\0', POPT_ARG_STRING, &opt_qemu_version, 0,
	  "validate: behave as this QEMU release (default: qemu-system-x86_64 on PATH, else the newest modelled, 10.2)",
	  "X.Y" },
	{ "qemu", '\0', POPT_ARG_STRING, &opt_qemu, 0,
	  "validate: as this QEMU binary offers (asked once, cached; default: qemu-system-x86_64 on PATH)",
	  "PATH" },
	{ "sparse", '\0', POPT_ARG_NONE, &opt_sparse, 0, "create: do not allocate blocks", NULL },
	{ "threads", 't', POPT_ARG_INT, &opt_threads, 0,
	  "prealloc, digest: threads to use (default: online CPUs, at most 16)", "N" },
	{ "force", 'f', POPT_ARG_NONE, &opt_force, 0,
	  "prealloc: even when a running process maps the backend", NULL },
	{ "expect", '\0', POPT_ARG_STRING, &opt_expect, 0,
	  "digest: exit 1 unless the digest is this", "DIGEST" },
	{ "sysroot", '\0', POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, &opt_sysroot, 0,
	  "read /sys under DIR", "DIR" },
	CLI_COMMON_TABLE,
	POPT_TABLEEND
};

enum command { CMD_VALIDATE, CMD_CREATE, CMD_PREALLOC, CMD_DIGEST };
static const char *const command_names[] = { "validate", "create", "prealloc", "digest", NULL };
static const char *const onoff_opts[] = { "share", "pmem", "readonly", NULL };

static const struct cli_tool tool = {
	.name = "nvd-map",
	.usage = "[validate|create|prealloc|digest] [OPTIONS] BACKEND",
	.summary = "Check a QEMU memory-backend-file as QEMU would, or create, preallocate or digest one\n"
		   "without ever changing an existing file's size or content.",
	.footer = "Exit status: 0 success (validate: QEMU accepts the backend), 1 QEMU would refuse it,\n"
		  "or the digest differs from --expect, 2 usage error, 3 I/O error (missing file,\n"
		  "not a regular file, mapped by a running process, locked, changed while prealloc\n"
		  "or digest worked, no space). A create or prealloc that was done exits 0 even if\n"
		  "its report cannot be printed.\n",
	.options = options,
	.commands = command_names,
	.default_command = "validate",
	.onoff = onoff_opts,
};

static uint64_t parse_size_opt(const char *name, const char *s)
{
	uint64_t v;
	int r = size_parse(s, &v);

	if (r == -ERANGE || (!r && v > (uint64_t)INT64_MAX))
		cli_usage_error("invalid --%s '%s': too large", name, s);
	if (r)
		cli_usage_error("invalid --%s '%s': use a size like 4096, 2M or 1.5G", name, s);
	return v;
}

/* An option that command cmd does not take. */
static void only_for(enum command cmd, const char *name, bool given, unsigned mask)
{
	if (given && !(mask & (1u << cmd)))
		cli_usage_error("--%s does not apply to '%s'", name, command_names[cmd]);
}

#define M(c) (1u << (c))

static void check_options(enum command cmd)
{
	only_for(cmd, "size", opt_size, M(CMD_VALIDATE) | M(CMD_CREATE) | M(CMD_DIGEST));
	only_for(cmd, "offset", opt_offset, M(CMD_VALIDATE) | M(CMD_DIGEST));
	only_for(cmd, "align", opt_align, M(CMD_VALIDATE));
	only_for(cmd, "share", opt_share != unset, M(CMD_VALIDATE));
	only_for(cmd, "pmem", opt_pmem != unset, M(CMD_VALIDATE));
	only_for(cmd, "readonly", opt_readonly != unset, M(CMD_VALIDATE));
	only_for(cmd, "object", opt_object, M(CMD_VALIDATE));
	only_for(cmd, "qemu-version", opt_qemu_version, M(CMD_VALIDATE));
	only_for(cmd, "qemu", opt_qemu, M(CMD_VALIDATE));
	only_for(cmd, "sysroot", opt_sysroot, M(CMD_VALIDATE));
	only_for(cmd, "sparse", opt_sparse, M(CMD_CREATE));
	only_for(cmd, "threads", opt_threads != INT_MIN, M(CMD_PREALLOC) | M(CMD_DIGEST));
	only_for(cmd, "force", opt_force, M(CMD_PREALLOC));
	only_for(cmd, "expect", opt_expect, M(CMD_DIGEST));
	if (opt_object && (opt_size || opt_offset || opt_align || opt_share != unset ||
			   opt_pmem != unset || opt_readonly != unset))
		cli_usage_error("conflicting options: --object holds the backend's options");
	if (opt_threads != INT_MIN && (opt_threads < 1 || opt_threads > 1024))
		cli_usage_error("invalid --threads %d: use 1 to 1024", opt_threads);
	if (cmd == CMD_CREATE && !opt_size)
		cli_usage_error("create needs --size");
}

/* "--share" alone means on; the value itself is QEMU's to judge (on, off, yes...). */
static const char *onoff(const char *v)
{
	return v == unset ? NULL : v ? v : "on";
}

int main(int argc, const char **argv)
{
	enum command cmd;
	struct cli_args a;
	const char *path = NULL;
	struct out *o;
	int rc;

	cli_parse(&tool, argc, argv, &a);
	cmd = (enum command)a.command;
	if (a.rest)
		cli_usage_error("unexpected '--': nvd-map takes no QEMU arguments");
	if (a.nargs > 1)
		cli_usage_error("one BACKEND at a time");
	if (a.nargs)
		path = a.args[0];
	if (!path && !(cmd == CMD_VALIDATE && opt_object))
		cli_usage_error("no BACKEND given");
	if (path && !*path)
		cli_usage_error("empty BACKEND name");
	check_options(cmd);
	{
		const struct run_input in = { "the backend", path };

		cli_output_not_input(NULL, "-", &in, 1);
	}
	if (cmd == CMD_VALIDATE && path && opt_object)
		cli_usage_error("conflicting options: give BACKEND or --object's mem-path, not both");

	o = out_new(stdout, cli.json, cli.color);
	out_set_verbose(o, cli.verbose);
	switch (cmd) {
	case CMD_VALIDATE: {
		struct map_validate_opts mo = {
			.path = path, .object = opt_object, .size = opt_size, .align = opt_align,
			.offset = opt_offset, .share = onoff(opt_share), .pmem = onoff(opt_pmem),
			.readonly = onoff(opt_readonly), .sysroot = opt_sysroot,
			.quiet = cli.quiet, .strict = cli.strict,
		};

		if (opt_size)
			parse_size_opt("size", opt_size);
		if (opt_align)
			parse_size_opt("align", opt_align);
		if (opt_offset)
			parse_size_opt("offset", opt_offset);
		mo.qver = qemu_choose(&(struct qemu_choice){ .qemu_version = opt_qemu_version,
							     .qemu = opt_qemu },
				      &mo.caps, NULL);
		rc = map_validate(&mo, o);
		break;
	}
	case CMD_CREATE: {
		struct map_create_opts co = {
			.path = path, .size = parse_size_opt("size", opt_size), .sparse = opt_sparse,
		};

		rc = map_create(&co, o);
		break;
	}
	case CMD_PREALLOC: {
		struct map_prealloc_opts po = {
			.path = path, .force = opt_force,
			.threads = opt_threads > 0 ? (unsigned)opt_threads : map_default_threads(),
			.progress = isatty(STDERR_FILENO) && !cli.quiet && !cli.json,
		};

		rc = map_prealloc(&po, o);
		break;
	}
	default: {
		struct map_digest_opts dopts = {
			.path = path, .expect = opt_expect, .verbose = cli.verbose,
			.threads = opt_threads > 0 ? (unsigned)opt_threads : map_default_threads(),
		};

		if (opt_offset)
			dopts.offset = parse_size_opt("offset", opt_offset);
		if (opt_size) {
			dopts.size = parse_size_opt("size", opt_size);
			dopts.has_size = true;
		}
		rc = map_digest(&dopts, o);
		break;
	}
	}
	if (!rc && cmd == CMD_CREATE)
		cli_write_done("%s: the file was created", path);
	else if (!rc && cmd == CMD_PREALLOC)
		cli_write_done("%s: the file was preallocated", path);
	if (rc == NVD_EXIT_USAGE || rc == NVD_EXIT_ENV || (rc && cmd != CMD_VALIDATE)) {
		out_discard(o);
	} else {
		if (cmd != CMD_VALIDATE) {
			struct findings none = { 0 };

			out_findings(o, &none, cli.quiet, cli.strict);
		}
		out_finish(o);
	}
	cli_args_free(&a);
	return cli_finish(rc);
}
