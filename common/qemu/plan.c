// SPDX-License-Identifier: GPL-2.0-or-later
#include "plan.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "acpi-size.h"
#include "memdev.h"
#include "qemu-caps.h"
#include "size.h"
#include "util.h"

void plan_evaluate(const struct qcmdline *cl, qver_t qver, const struct plan_opts *po,
		   struct plan_result *r)
{
	memset(r, 0, sizeof(*r));
	/* libvirt would not start the domain: said first, then what QEMU would do */
	for (size_t i = 0; i < cl->refusals.n; i++)
		finding_add(&r->findings, LEVEL_FAIL, "libvirt-refuses", NULL, NULL,
			    "libvirt refuses the domain: %s", cl->refusals.v[i]);
	if (po->qver_on_path)
		finding_add(&r->findings, LEVEL_WARN, "qemu-version-unmodelled", NULL, NULL,
			    "%s%s is QEMU %d.%d, %s than every release modelled: checked as QEMU %d.%d (use --qemu-version to choose)",
			    po->caps ? po->caps->path : "qemu-system-x86_64",
			    po->caps ? "" : " on PATH", po->qver_on_path / 100, po->qver_on_path % 100,
			    po->qver_on_path > qver ? "newer" : "older", qver / 100, qver % 100);
	vm_build_caps(&r->vm, cl, qver, po->caps, &r->findings);
	r->vm.target = po->target;
	r->binary = po->caps;
	plan_run(&r->vm, po, &r->findings);
	if (r->vm.caps_diffs.n) {
		char *name = qemu_caps_name(po->caps);
		struct strbuf sb;

		sb_init(&sb);
		for (size_t i = 0; i < r->vm.caps_diffs.n; i++)
			sb_addf(&sb, "%s%s", i ? "; " : "", r->vm.caps_diffs.v[i]);
		finding_add(&r->findings, LEVEL_INFO, "qemu-binary-differs", NULL, NULL,
			    "checked as %s, release %d.%d: where it differs from the %d.%d release table its own answer is used: %s",
			    name, qver / 100, qver % 100, qver / 100, qver % 100, sb.buf);
		sb_release(&sb);
		free(name);
	}
	if (cl->refusals.n)
		r->vm.accepted = false;
}

bool plan_failed(const struct plan_result *r, bool strict)
{
	return !r->vm.accepted || (strict && findings_count(&r->findings, LEVEL_WARN));
}

void plan_result_free(struct plan_result *r)
{
	vm_free(&r->vm);
	findings_free(&r->findings);
}

static const char *family_name(enum machine_family f)
{
	static const char *const names[] = { "pc", "q35", "isapc", "microvm", "none", "other",
					     "virt" };

	return names[f];
}

static void print_memdev(struct out *o, const struct memdev *d, int width)
{
	const struct backend *b = d->be;
	char fmt[16];

	out_obj_open(o, NULL);
	out_str(o, "id", "  %-10s", memdev_name(d));

	snprintf(fmt, sizeof(fmt), " %%-%ds", width);
	out_str(o, "type", fmt, d->type->driver);
	out_bool(o, "hotplug", NULL, d->hotplug);
	if (d->type->slot)
		out_i64(o, "slot", " %4lld", d->assigned_slot);
	else
		out_null(o, "slot", "    -");
	/* a device outside the device-memory region: the guest decides (cxl_windows) */
	out_bool(o, "in_device_memory", NULL, !d->type->own_window);
	if (d->type->own_window)
		out_null(o, "addr", "  -             ");
	else
		out_u64(o, "addr", "  0x%-12llx", d->assigned_addr);
	out_u64(o, "size", NULL, d->region_size);
	if (!out_is_json(o)) {
		char *s = size_human(d->region_size);

		out_text(o, " %12s", s);
		free(s);
	}
	out_u64(o, "align", NULL, d->align);
	out_u64(o, "node", NULL, d->node);
	out_str(o, "memdev", NULL, d->memdev);
	out_u64(o, "backend_size", NULL, b ? b->size : 0);
	if (d->type->print)
		d->type->print(o, d);
	else
		out_text(o, "  %-9s %-12s", "", "");
	out_str(o, "mem_path", NULL, b ? b->mem_path : NULL);
	out_bool(o, "refused", NULL, d->refused);
	if (b)
		out_text(o, " %s%s%s%s", b->id, b->mem_path ? " (" : "",
			 b->mem_path ? b->mem_path : "", b->mem_path ? ")" : "");
	out_text(o, "%s\n", d->refused ? "  [refused]" : "");
	out_obj_close(o);
}

/* -machine cxl=on: the host register block and each fixed memory window. */
static void print_cxl(struct out *o, const struct vm *vm, bool quiet)
{
	const struct cxl_state *c = &vm->cxl;

	out_obj_open(o, "cxl");
	out_bool(o, "enabled", NULL, c->enabled);
	if (c->placed)
		out_u64(o, "host_reg_base", quiet ? NULL : "  cxl host registers 0x%llx (1 MiB)\n",
			c->host_reg_base);
	else
		out_null(o, "host_reg_base", NULL);
	out_obj_close(o);
	out_arr_open(o, "cxl_windows");
	for (size_t w = 0; c->placed && c->has_fmw && w < c->nwindows; w++) {
		const struct cxl_window *cw = &c->windows[w];

		out_obj_open(o, NULL);
		out_u64(o, "index", quiet ? NULL : "  cxl window %llu", w);
		out_u64(o, "base", quiet ? NULL : " 0x%llx", cw->base);
		out_u64(o, "size", NULL, cw->size);
		if (!quiet && !out_is_json(o)) {
			char *s = size_human(cw->size);

			out_text(o, "-0x%llx (%s), targets", (unsigned long long)(cw->base + cw->size - 1),
				 s);
			free(s);
		}
		out_arr_open(o, "targets");
		for (size_t t = 0; t < cw->ntargets; t++)
			out_str(o, NULL, quiet ? NULL : " %s", cw->targets[t]);
		out_arr_close(o);
		out_u64(o, "interleave_granularity", quiet ? NULL : ", granularity %llu\n",
			cw->granularity);
		out_obj_close(o);
	}
	out_arr_close(o);
}

/* JSON: the size of the ACPI tables QEMU 7.2 builds (acpi-size.c); null without a model. */
static void print_acpi(struct out *o, const struct vm *vm)
{
	struct acpi_size s;

	if (!vm->accepted || !acpi_tables_size(vm, &s)) {
		out_null(o, "acpi_tables", NULL);
		return;
	}
	out_obj_open(o, "acpi_tables");
	out_u64(o, "size", NULL, s.bytes);
	out_bool(o, "exact", NULL, !s.inexact);
	out_str(o, "not_counted", NULL, s.inexact);
	out_obj_close(o);
}

void plan_print(struct out *o, const struct plan_result *r, bool quiet, bool verbose,
		bool strict)
{
	const struct vm *vm = &r->vm;
	const struct machine *m = &vm->machine;
	char qv[16];
	size_t nplaced = 0;
	int width = 8;
	bool all_dimms = true;

	snprintf(qv, sizeof(qv), "%d.%d", vm->qver / 100, vm->qver % 100);
	out_str(o, "tool", NULL, "nvd-plan");
	out_i64(o, "version", NULL, 1);
	out_str(o, "source", "%s: ", vm->source);
	out_str(o, "qemu_version", "QEMU %s: ", qv);
	if (r->binary) {
		out_obj_open(o, "qemu_binary");
		out_str(o, "path", NULL, r->binary->path);
		out_str(o, "version", NULL, r->binary->version);
		out_str(o, "package", NULL, r->binary->package);
		/* false: it told its version only (no QMP): the release table decides the rest */
		out_bool(o, "asked", NULL, r->binary->asked);
		out_obj_close(o);
	} else {
		out_null(o, "qemu_binary", NULL);
	}
	out_str(o, "verdict", "%s\n", vm->accepted ? "accept" : "reject");
	/* the text says which binary decided where it and the table differ (JSON: qemu_binary) */
	if (!quiet && !out_is_json(o) && vm->caps_diffs.n) {
		char *name = qemu_caps_name(r->binary);

		out_text(o, "  checked as %s, where it differs from the %s table:", name, qv);
		for (size_t i = 0; i < vm->caps_diffs.n; i++)
			out_text(o, "%s %s", i ? ";" : "", vm->caps_diffs.v[i]);
		out_text(o, "\n");
		free(name);
	}

	out_obj_open(o, "machine");
	out_str(o, "type", quiet ? NULL : "  machine %s", m->type);
	out_str(o, "family", NULL, family_name(m->family));
	if (!quiet && strcmp(m->type, family_name(m->family)))
		out_text(o, " (%s)", family_name(m->family));
	out_bool(o, "nvdimm", quiet ? NULL : ", nvdimm=%s", m->nvdimm);
	out_str(o, "nvdimm_persistence", NULL, m->persistence);
	if (!quiet && m->persistence)
		out_text(o, ", nvdimm-persistence=%s", m->persistence);
	if (!quiet)
		out_text(o, "\n");
	out_obj_close(o);

	out_obj_open(o, "memory");
	out_u64(o, "ram_size", NULL, vm->mem.size);
	out_u64(o, "maxmem", NULL, vm->mem.maxmem);
	out_u64(o, "slots", NULL, vm->mem.slots);
	out_u64(o, "below_4g", NULL, vm->below_4g);
	out_u64(o, "above_4g", NULL, vm->above_4g);
	/* false when QEMU refuses -m: then the sizes above are not the user's */
	out_bool(o, "parsed", NULL, !vm->mem.invalid);
	if (!quiet && !out_is_json(o) && vm->mem.invalid) {
		out_text(o, "  memory: -m does not parse (see below)\n");
	} else if (!quiet && !out_is_json(o)) {
		/* maxmem as given: the model's 0 after a refusal is not the user's */
		char *ram = size_human(vm->mem.size),
		     *max = size_human(vm->mem.has_maxmem ? vm->mem.maxmem_given : vm->mem.maxmem);

		out_text(o, "  memory %s, maxmem %s, slots %llu\n", ram, max,
			 (unsigned long long)vm->mem.slots);
		free(ram);
		free(max);
	}
	if (vm->has_window) {
		out_obj_open(o, "window");
		out_u64(o, "base", quiet ? NULL : "  device memory 0x%llx", vm->window_base);
		out_u64(o, "size", NULL, vm->window_size);
		if (!quiet && !out_is_json(o)) {
			char *s = size_human(vm->window_size);

			out_text(o, "-0x%llx (%s)\n",
				 (unsigned long long)(vm->window_base + vm->window_size - 1), s);
			free(s);
		}
		out_obj_close(o);
	} else {
		out_null(o, "window", NULL);
	}
	out_obj_close(o);
	print_cxl(o, vm, quiet);
	print_acpi(o, vm);

	/* The table's TYPE column is as wide as its longest driver name. */
	for (size_t i = 0; i < vm->nmemdevs; i++) {
		const struct memdev *d = &vm->memdevs[i];

		if (!d->placed)
			continue;
		nplaced++;
		if ((int)strlen(d->type->driver) > width)
			width = (int)strlen(d->type->driver);
		all_dimms &= d->type->slot;
	}
	if (nplaced && !quiet)
		out_text(o, "  %-10s %-*s %4s  %-14s %12s  %-9s %-12s %s\n",
			 all_dimms ? "DIMM" : "DEVICE", width, "TYPE", "SLOT", "ADDRESS", "SIZE",
			 "LABEL", "LABEL AT", "BACKEND");
	/* Every memory device placed, in command-line order (QEMU's plug order). */
	out_arr_open(o, "memory_devices");
	for (size_t i = 0; i < vm->nmemdevs; i++) {
		if (!vm->memdevs[i].placed)
			continue;
		if (quiet && !out_is_json(o))
			continue;
		print_memdev(o, &vm->memdevs[i], width);
	}
	out_arr_close(o);
	/* Before memory_devices existed: the DIMMs (pc-dimm, nvdimm), kept for scripts. */
	if (out_is_json(o)) {
		out_arr_open(o, "dimms");
		for (size_t i = 0; i < vm->nmemdevs; i++)
			if (vm->memdevs[i].placed && vm->memdevs[i].type->slot)
				print_memdev(o, &vm->memdevs[i], width);
		out_arr_close(o);
	}

	out_set_verbose(o, verbose);
	out_findings(o, &r->findings, quiet, strict);
}

static void xml_escape(FILE *fp, const char *str)
{
	/* XML is UTF-8 here: a byte that is not becomes U+FFFD */
	char *u = utf8_valid(str ? str : "");
	size_t n;

	for (const char *s = u; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '&':
			fputs("&amp;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		default:
			/* Control characters are not allowed in XML 1.0. */
			/* (C1 controls are only "discouraged" in XML: replaced too) */
			if (*s != '\n' && *s != '\t' && (n = ctl_len(s))) {
				fputc('?', fp);
				s += n - 1;
			} else {
				fputc(*s, fp);
			}
		}
	}
	free(u);
}

int plan_write_junit(FILE *fp, const struct plan_result *rs, size_t n, bool strict)
{
	size_t failures = 0;

	for (size_t i = 0; i < n; i++)
		failures += plan_failed(&rs[i], strict);
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(fp, "<testsuites tests=\"%zu\" failures=\"%zu\">\n", n, failures);
	fprintf(fp, "  <testsuite name=\"nvd-plan\" tests=\"%zu\" failures=\"%zu\">\n", n, failures);
	for (size_t i = 0; i < n; i++) {
		const struct plan_result *r = &rs[i];

		fprintf(fp, "    <testcase classname=\"nvd-plan\" name=\"");
		xml_escape(fp, r->vm.source);
		fprintf(fp, "\">\n");
		if (plan_failed(r, strict)) {
			const struct finding *first = NULL;

			for (size_t k = 0; k < r->findings.n && !first; k++)
				if (r->findings.v[k].level == LEVEL_FAIL)
					first = &r->findings.v[k];
			for (size_t k = 0; k < r->findings.n && !first; k++)
				if (r->findings.v[k].level == LEVEL_WARN)
					first = &r->findings.v[k];
			fprintf(fp, "      <failure message=\"");
			xml_escape(fp, first->qemu ? first->qemu : first->message);
			fprintf(fp, "\" type=\"%s\">", first->id);
			for (size_t k = 0; k < r->findings.n; k++) {
				const struct finding *x = &r->findings.v[k];

				if (x->level == LEVEL_INFO)
					continue;
				fprintf(fp, "%s: ", level_name(x->level));
				if (x->object) {
					xml_escape(fp, x->object);
					fputs(": ", fp);
				}
				xml_escape(fp, x->message);
				fputc('\n', fp);
			}
			fprintf(fp, "</failure>\n");
		}
		fprintf(fp, "    </testcase>\n");
	}
	fprintf(fp, "  </testsuite>\n</testsuites>\n");
	return fflush(fp) == 0 && !ferror(fp) ? 0 : -EIO;
}

char *config_cwd(const struct config_source *src)
{
	if (src->pid < 0)
		return NULL;
	return xasprintf("%s/proc/%ld/cwd", src->procroot ? src->procroot : "", src->pid);
}

int config_load(const struct config_source *src, struct qcmdline *cl)
{
	const char *name = src->file ? src->file : src->argv ? "--" : "--pid";
	char *err = NULL;
	int r;

	if (src->argv)
		r = qcmdline_from_words(src->argv, (size_t)src->argc, "command line", cl, &err) < 0
			    ? -EINVAL : 0;
	else if (src->pid >= 0)
		r = qcmdline_from_pid(src->procroot, src->pid, cl, &err);
	else
		r = qcmdline_from_file(src->file, cl, &err);
	if (r == -EINVAL) {
		nvd_warnx("%s: %s", name, err);
		free(err);
		return NVD_EXIT_USAGE;
	}
	if (r == 0 && cl->nopts == 0) {
		/* An empty file checks nothing: almost always the wrong file. */
		nvd_warnx("%s: no QEMU arguments in it", name);
		qcmdline_free(cl);
		return NVD_EXIT_USAGE;
	}
	if (r == 0)
		return NVD_EXIT_OK;
	if (src->pid >= 0 && r == -ENOENT)
		nvd_warnx("no process %ld", src->pid);
	else if (src->pid >= 0 && r == -ENODATA)
		nvd_warnx("process %ld has no command line (a kernel thread or a zombie)", src->pid);
	else if (r == -EFBIG)
		nvd_warnx("%s: too large for a command line (over 4 MiB)", name);
	else if (src->pid >= 0)
		nvd_warnx("process %ld: cannot read its command line (%s/proc/%ld/cmdline): %s",
			  src->pid, src->procroot ? src->procroot : "", src->pid, strerror(-r));
	else
		nvd_warnx("%s: %s", name, strerror(-r));
	return NVD_EXIT_ENV;
}
