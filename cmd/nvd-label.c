// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nvd-label: the NVDIMM namespace label area inside a QEMU backend file:
 * dump, check as the Linux kernel would, init as ndctl init-labels does,
 * zero, save and restore, from the host, before the VM starts.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

#include "cli.h"
#include "label-io.h"
#include "label.h"
#include "newfile.h"
#include "size.h"
#include "util.h"

static char *opt_label_size, *opt_size, *opt_offset, *opt_dimm, *opt_version, *opt_backup;
static char *opt_output, *opt_input, *opt_format, *opt_serial;
static int opt_force, opt_all_slots, opt_lsa;
static enum label_format fmt;
static unsigned ver_major, ver_minor;	/* --label-version, 0 when not given */
static uint64_t serial, *serialp;	/* --serial: the cxl-type3 device's sn= */

static struct poptOption options[] = {
	{ "label-size", 'l', POPT_ARG_STRING, &opt_label_size, 0,
	  "the NVDIMM's label-size: the area is the last SIZE bytes of the backend's size", "SIZE" },
	{ "size", 's', POPT_ARG_STRING, &opt_size, 0, "the backend's size= (default: the file's size)",
	  "SIZE" },
	{ "offset", '\0', POPT_ARG_STRING, &opt_offset, 0, "the backend's offset= (default 0)", "SIZE" },
	{ "lsa", '\0', POPT_ARG_NONE, &opt_lsa, 0,
	  "the whole file is the label area: a cxl-type3 device's lsa= backend (implies --format cxl)",
	  NULL },
	{ "format", '\0', POPT_ARG_STRING, &opt_format, 0,
	  "dump, check, init, write: the label format: nvdimm (an NVDIMM's), cxl (a CXL device's, as Linux 6.1 reads it) or auto",
	  "auto|nvdimm|cxl" },
	{ "serial", '\0', POPT_ARG_STRING, &opt_serial, 0,
	  "CXL (dump, check, write): the cxl-type3 device's sn=, to check each label's interleave-set cookie", "N" },
	{ "dimm", 'd', POPT_ARG_STRING, &opt_dimm, 0,
	  "take backend and area from NVDIMM ID of a VM configuration (FILE or -- QEMU-ARGS)", "ID" },
	/* Before the common table: -V is the label version here, as in ndctl. */
	{ "label-version", 'V', POPT_ARG_STRING, &opt_version, 0,
	  "init: label format 1.1 (128-byte labels, ndctl's default), 1.2 (256-byte; Linux's on CXL), 2.1 (CXL 2.0 index)",
	  "1.1|1.2|2.1" },
	{ "force", 'f', POPT_ARG_NONE, &opt_force, 0,
	  "write over an area neither all zero nor a label area, init over a valid index, write unchecked input, write while a process maps the backend",
	  NULL },
	{ "backup", 'b', POPT_ARG_STRING, &opt_backup, 0,
	  "save the old area to FILE (which must not exist) before writing", "FILE" },
	{ "output", 'o', POPT_ARG_STRING, &opt_output, 0, "read: save the area to FILE ('-': stdout)",
	  "FILE" },
	{ "input", 'i', POPT_ARG_STRING, &opt_input, 0,
	  "write: the new area, exactly label-size bytes ('-': stdin)", "FILE" },
	{ "all-slots", 'a', POPT_ARG_NONE, &opt_all_slots, 0,
	  "dump: also labels left in free slots (as ndctl read-labels lists them)", NULL },
	CLI_COMMON_TABLE,
	POPT_TABLEEND
};

enum cmd { C_DUMP, C_CHECK, C_INIT, C_ZERO, C_READ, C_WRITE };
static const char *const cmd_names[] = { "dump", "check", "init", "zero", "read", "write", NULL };

static const struct cli_tool tool = {
	.name = "nvd-label",
	.usage = "COMMAND [OPTIONS] BACKEND | COMMAND --lsa [OPTIONS] LSA-BACKEND | COMMAND --dimm ID [OPTIONS] (FILE | -- QEMU-ARGS)",
	.summary = "Inspect, check, initialise, save and restore the namespace label area of a QEMU NVDIMM backend or CXL lsa= backend.",
	.footer = "Commands: dump, check, init, zero, read -o FILE, write -i FILE.\n"
		  "Exit status: 0 ok, 1 labels invalid (check, dump) or a write refused for the area's\n"
		  "content, 2 usage error, 3 I/O error or a backend that cannot be used (nothing\n"
		  "written). A write that was done exits 0 even if its report cannot be printed.\n",
	.options = options,
	.own_short_v = true,
	.commands = cmd_names,
};

static uint64_t parse_size_opt(const char *name, const char *v)
{
	uint64_t n;

	if (size_parse(v, &n) < 0)
		cli_usage_error("invalid --%s '%s': use a size like 128K or 1G", name, v);
	return n;
}

static void check_opts(enum cmd c, bool dashdash, size_t nargs)
{
	if (opt_serial && c != C_DUMP && c != C_CHECK && c != C_WRITE)
		cli_usage_error("--serial is for dump, check and write: it checks the labels' cookies");
	if (opt_format && (c == C_READ || c == C_ZERO))
		cli_usage_error("--format is for dump, check, init and write: read and zero copy or clear bytes whatever the format");
	if (opt_dimm && (opt_serial || (opt_format && streq(opt_format, "cxl")) ||
			 (opt_version && strstr(opt_version, "2."))))
		cli_usage_error("--dimm: not with --format cxl, --serial or -V 2.1: the format follows the device (an nvdimm's area is NVDIMM labels, a cxl-type3's lsa= file CXL)");
	if ((c == C_DUMP || c == C_CHECK) == 0 && cli.json)
		cli_usage_error("--json is for dump and check");
	if (opt_all_slots && c != C_DUMP && c != C_CHECK)
		cli_usage_error("--all-slots is for dump and check");
	if (opt_version && c != C_INIT)
		cli_usage_error("--label-version is for init");
	if ((opt_output != NULL) != (c == C_READ))
		cli_usage_error(c == C_READ ? "read needs -o FILE" : "-o is for read");
	if ((opt_input != NULL) != (c == C_WRITE))
		cli_usage_error(c == C_WRITE ? "write needs -i FILE" : "-i is for write");
	if (opt_backup && c != C_INIT && c != C_ZERO && c != C_WRITE)
		cli_usage_error("--backup is for init, zero and write");
	if (opt_lsa && (opt_label_size || opt_size || opt_offset || opt_dimm))
		cli_usage_error("--lsa takes the whole file as the label area: not with --label-size, --size, --offset or --dimm");
	if (opt_dimm && (opt_label_size || opt_size || opt_offset))
		cli_usage_error("--dimm takes the area from the configuration: not with --label-size, --size or --offset");
	if (!opt_dimm && dashdash)
		cli_usage_error("QEMU arguments after -- need --dimm ID");
	if (dashdash && nargs)
		cli_usage_error("give a configuration FILE or -- QEMU-ARGS, not both");
	if (!dashdash && nargs != 1)
		cli_usage_error(nargs ? "one BACKEND (or configuration FILE) at a time"
				      : "no BACKEND given");
}

static int show(enum cmd c, const struct label_target *t, const uint8_t *buf)
{
	struct label_area a;
	char comm[64];
	pid_t pid = label_mapped_by(t->dev, t->ino, comm, sizeof(comm));
	struct out *o;
	int rc;

	label_area_parse_fmt(&a, buf, t->area_size, t->pmem_limit, opt_all_slots, fmt,
			     serialp);
	if (pid)
		finding_add(&a.findings, LEVEL_INFO, "label-area-mapped", NULL, NULL,
			    "%s is mapped by running process %d (%s): the guest may change the area while it is read",
			    t->path, (int)pid, comm);
	o = out_new(stdout, cli.json, cli.color);
	label_area_print(o, &a, c == C_DUMP || cli.verbose, cli.quiet, cli.strict);
	out_finish(o);
	/* dump exits as check does: a printed "fail:" always comes with exit 1 */
	rc = findings_count(&a.findings, LEVEL_FAIL) ||
		     (cli.strict && findings_count(&a.findings, LEVEL_WARN))
		     ? NVD_EXIT_FAIL : NVD_EXIT_OK;
	label_area_free(&a);
	return rc;
}

/*
 * The first problem of an area, for a one-line refusal: a write refuses an
 * invalid index and also labels the kernel would ignore (unless --force).
 */
static const char *first_failure(const struct label_area *a)
{
	for (size_t i = 0; i < a->findings.n; i++)
		if (a->findings.v[i].level == LEVEL_FAIL)
			return a->findings.v[i].message;
	for (size_t i = 0; i < a->findings.n; i++)
		if (a->findings.v[i].level == LEVEL_WARN && strcmp(a->findings.v[i].id, "label-updating"))
			return a->findings.v[i].message;
	return NULL;
}

/*
 * write -i: the input, read before the backend is opened and locked, so
 * that `nvd-label read -o - | ... | nvd-label write -i -` does not find the
 * reader's lock. At most limit + 1 bytes are kept.
 */
struct input {
	char *buf;
	size_t len;
	bool too_big;
};

static int read_input(struct input *in, uint64_t limit)
{
	int err = read_all(opt_input, limit + 1, &in->buf, &in->len);

	if (err < 0 && err != -EFBIG) {
		nvd_warnx("%s: cannot read: %s", opt_input, strerror(-err));
		return NVD_EXIT_ENV;
	}
	in->too_big = err == -EFBIG;
	return 0;
}

static int modify(enum cmd c, struct label_target *t, const uint8_t *old, struct input *input)
{
	struct label_write w = { .old = old, .backup = opt_backup, .force = opt_force };
	struct label_area a, in;
	struct label_geom g = { 0 };
	unsigned major = 1, minor = 1;
	uint8_t *nbuf = NULL;
	char *hs, *why;
	int rc = 0;
	long slot;

	label_area_parse_fmt(&a, old, t->area_size, t->pmem_limit, false, fmt, serialp);
	if (c == C_WRITE && (input->too_big || input->len != t->area_size)) {
		hs = input->too_big ? xstrdup("more") : xasprintf("%zu", input->len);
		nvd_warnx("%s: %s bytes, but the label area is %llu bytes", opt_input, hs,
			  (unsigned long long)t->area_size);
		free(hs);
		rc = NVD_EXIT_USAGE;
		goto out;
	}
	if (!opt_force && (why = label_write_refusal(&a, old, c == C_INIT))) {
		nvd_warnx("%s: %s", t->path, why);
		free(why);
		rc = NVD_EXIT_FAIL;
		goto out;
	}
	if (c == C_INIT) {
		/* a.format: the format given, or the one the area's bytes say (auto) */
		if (ver_major) {
			major = ver_major;
			minor = ver_minor;
		} else {
			label_init_default_version(a.format, &major, &minor);
		}
		nbuf = xmalloc(t->area_size);
		memcpy(nbuf, old, t->area_size);
		if (label_init_build(nbuf, t->area_size, major, minor, &g) < 0) {
			nvd_warnx("%s: the area is too small for labels", t->path);
			rc = NVD_EXIT_ENV;
			goto out;
		}
	} else if (c == C_ZERO) {
		nbuf = xcalloc(1, t->area_size);
	} else {
		nbuf = (uint8_t *)input->buf;
		input->buf = NULL;
		label_area_parse_fmt(&in, nbuf, t->area_size, t->pmem_limit, false, fmt,
				     serialp);
		if (first_failure(&in) && !opt_force) {
			nvd_warnx("%s: not a valid label area: %s (use --force to write it anyway)",
				  opt_input, first_failure(&in));
			label_area_free(&in);
			rc = NVD_EXIT_FAIL;
			goto out;
		}
		if (!opt_force && !label_area_follows(&a, old, &in, nbuf)) {
			nvd_warnx("%s: not an update of the area on the backend (index %d current, seq %u): the area changed since the file was made from it, or the file is not an update of it (read the area again, or use --force)",
				  opt_input, a.current, a.index[a.current].seq);
			label_area_free(&in);
			rc = NVD_EXIT_FAIL;
			goto out;
		}
		label_area_free(&in);
		if (!opt_force && (slot = label_live_slot_changed(&a, old, nbuf)) >= 0) {
			nvd_warnx("%s: slot %ld is in use and would change in place, which a crash while writing can leave half-done (write updated labels to free slots as the kernel does, or use --force)",
				  opt_input, slot);
			rc = NVD_EXIT_FAIL;
			goto out;
		}
	}
	w.new = nbuf;
	rc = label_target_write(t, &w);
	if (!rc)
		cli_write_done("%s: the label area was %s", t->path,
			       c == C_INIT ? "initialised" : c == C_ZERO ? "zeroed" : "written");
	if (!rc && !cli.quiet) {
		hs = size_human(t->area_size);
		if (c == C_INIT)
			esc_fprintf(stdout, "%s: initialised the %s%s label area at %#llx: v%u.%u, %u slots of %u bytes\n",
				    t->path, a.format == LABEL_FMT_CXL ? "CXL " : "", hs,
				    (unsigned long long)t->area_off, major, minor, g.nslot,
				    g.label_size);
		else
			esc_fprintf(stdout, "%s: %s the %s label area at %#llx\n", t->path,
				    c == C_ZERO ? "zeroed" : "wrote", hs,
				    (unsigned long long)t->area_off);
		free(hs);
	}
out:
	label_area_free(&a);
	free(nbuf);
	return rc;
}

static int save(const struct label_target *t, const uint8_t *buf)
{
	int rc = label_save(t, buf, opt_output);

	if (!rc && !streq(opt_output, "-"))
		cli_write_done("%s: the label area was saved", opt_output);
	return rc;
}

int main(int argc, const char **argv)
{
	struct label_spec spec = { 0 };
	struct label_target t = { .fd = -1 };
	struct input input = { 0 };
	char *vm_path = NULL;
	uint8_t *buf = NULL;
	struct cli_args a;
	const char *arg;
	enum cmd c;
	int rc;

	cli_parse(&tool, argc, argv, &a);
	c = (enum cmd)a.command;
	arg = a.nargs ? a.args[0] : NULL;
	check_opts(c, a.rest != NULL, a.nargs);
	if (opt_version && label_version_parse(opt_version, &ver_major, &ver_minor) < 0)
		cli_usage_error("invalid --label-version '%s': use 1.1, 1.2 or 2.1", opt_version);
	fmt = LABEL_FMT_AUTO;
	if (opt_format && streq(opt_format, "nvdimm"))
		fmt = LABEL_FMT_NVDIMM;
	else if (opt_format && streq(opt_format, "cxl"))
		fmt = LABEL_FMT_CXL;
	else if (opt_format && !streq(opt_format, "auto"))
		cli_usage_error("invalid --format '%s': use auto, nvdimm or cxl", opt_format);
	if (opt_lsa && fmt == LABEL_FMT_NVDIMM)
		cli_usage_error("--lsa is a CXL device's label storage area: not with --format nvdimm");
	if (opt_lsa)
		fmt = LABEL_FMT_CXL;
	if (opt_serial) {
		char *end;

		errno = 0;
		serial = strtoull(opt_serial, &end, 0);
		/* strtoull also takes leading spaces, '+' and '-': sn= does not */
		if (errno || !isdigit((unsigned char)opt_serial[0]) || *end)
			cli_usage_error("invalid --serial '%s': a number, as cxl-type3's sn= takes (e.g. 0x1)",
					opt_serial);
		if (fmt != LABEL_FMT_CXL)
			cli_usage_error("--serial is a CXL device's: give --lsa or --format cxl");
		serialp = &serial;
	}
	if (ver_major == 2 && fmt != LABEL_FMT_CXL)
		cli_usage_error("--label-version 2.1 is the CXL 2.0 index block: give --format cxl or --lsa");
	if (opt_label_size) {
		spec.label_size = parse_size_opt("label-size", opt_label_size);
		spec.has_label_size = true;
	}
	if (opt_size) {
		spec.size = parse_size_opt("size", opt_size);
		spec.has_size = true;
	}
	if (opt_offset) {
		spec.offset = parse_size_opt("offset", opt_offset);
		spec.has_offset = true;
	}
	spec.writing = c == C_INIT || c == C_ZERO || c == C_WRITE;
	spec.lsa = opt_lsa;
	/* The lock before the area is read: what is decided is what gets written over. */
	spec.lock = spec.writing ? LOCK_EX : c == C_READ ? LOCK_SH : 0;

	rc = opt_dimm ? label_dimm_resolve(opt_dimm, arg, a.rest, (size_t)a.nrest, &spec, &vm_path)
		      : 0;
	/* --dimm of a cxl-type3: its lsa= file, in the CXL format */
	if (!rc && opt_dimm && spec.lsa) {
		if (fmt == LABEL_FMT_NVDIMM)
			cli_usage_error("--dimm %s is a cxl-type3 device: its lsa= file is a CXL label storage area, not with --format nvdimm",
					opt_dimm);
		fmt = LABEL_FMT_CXL;
		/* the region's cookie comes from the device's sn= (label_cxl_cookie) */
		serial = spec.serial;
		serialp = &serial;
	}
	/* Without a label size the open refuses: no reading of stdin before that. */
	if (!rc && c == C_WRITE && (spec.has_label_size || spec.lsa))
		rc = read_input(&input, spec.lsa ? LABEL_BARE_AREA_MAX : spec.label_size);
	if (!rc)
		rc = label_target_open(&t, opt_dimm ? vm_path : arg, &spec);
	if (!rc) {
		const struct run_input in[] = {
			{ "the backend", t.path },
			{ "the configuration", opt_dimm ? arg : NULL },
			{ "the input", opt_input },
		};

		cli_output_not_input("-o", opt_output, in, ARRAY_SIZE(in));
		cli_output_not_input(NULL, "-", in, ARRAY_SIZE(in));
		cli_output_not_input("--backup", opt_backup, in, ARRAY_SIZE(in));
		rc = label_target_read(&t, &buf);
	}
	if (!rc) {
		if (c == C_DUMP || c == C_CHECK)
			rc = show(c, &t, buf);
		else if (c == C_READ)
			rc = save(&t, buf);
		else
			rc = modify(c, &t, buf, &input);
	}
	free(input.buf);
	free(vm_path);
	free(buf);
	label_target_close(&t);
	cli_args_free(&a);
	return cli_finish(rc);
}
