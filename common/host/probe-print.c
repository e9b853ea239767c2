// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nvd-check's output for a path: a line per check in the manner of
 * virt-host-validate (PASS/WARN/FAIL and the hint), the facts, the verdict;
 * text and JSON from the same calls; and the Prometheus textfile format.
 */
#include "probe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "size.h"
#include "util.h"

static const char *const res_text[] = { "PASS", "WARN", "FAIL", "INFO" };
static const char *const res_json[] = { "pass", "warn", "fail", "info" };
static const char *const res_color[] = { "\033[1;32m", "\033[1;33m", "\033[1;31m", "\033[1;36m" };
static const char *const kind_names[] = { "file", "directory", "missing", "devdax", "block",
					  "char", "bad" };

void out_check(struct out *o, const char *id, const char *title, enum check_result res,
	       const char *fmt, ...)
{
	va_list ap;
	char *detail;

	va_start(ap, fmt);
	detail = xvasprintf(fmt, ap);
	va_end(ap);
	/* every check id is in the finding catalogue, at this result */
	check_id_assert(id, res == R_PASS,
			res == R_FAIL ? LEVEL_FAIL : res == R_WARN ? LEVEL_WARN : LEVEL_INFO);
	/* --quiet: the text keeps WARN and FAIL lines; JSON keeps everything. */
	if (out_is_quiet(o) && !out_is_json(o) && (res == R_PASS || res == R_INFO)) {
		free(detail);
		return;
	}
	out_obj_open(o, NULL);
	out_str(o, "id", NULL, id);
	out_str(o, "check", "  Checking %-36s: ", title);
	out_color(o, res_color[res]);
	out_text(o, "%s", res_text[res]);
	out_color(o, "\033[0m");
	out_str(o, "result", NULL, res_json[res]);
	out_str(o, "detail", *detail ? " (%s)\n" : "\n", detail);
	out_obj_close(o);
	free(detail);
}

static void check_fs(const struct path_facts *f, struct out *o)
{
	const struct mount_entry *m = f->mnt;
	bool capable;

	if (!m) {
		out_check(o, "mount", "the file system", R_WARN, "no mountinfo entry covers %s",
			  f->probed);
		return;
	}
	capable = !strcmp(m->fstype, "ext4") || !strcmp(m->fstype, "xfs") ||
		  !strcmp(m->fstype, "ext2") || !strcmp(m->fstype, "erofs") ||
		  !strcmp(m->fstype, "virtiofs") || !strcmp(m->fstype, "fuse.virtiofs");
	out_check(o, "mount", "the file system", capable ? R_PASS : R_WARN, "%s on %s at %s%s", m->fstype,
		  m->source, m->point, capable ? "" : ": this file system cannot do DAX");
	switch (f->dax_mount) {
	case DAX_MOUNT_ALWAYS:
		out_check(o, "mount-dax", "the mount's DAX option", R_PASS, "dax=always");
		break;
	case DAX_MOUNT_INODE:
		out_check(o, "mount-dax", "the mount's DAX option", R_WARN,
			  "dax=inode: DAX only for files with the DAX flag");
		break;
	case DAX_MOUNT_NEVER:
		out_check(o, "mount-dax", "the mount's DAX option", R_WARN, "dax=never%s",
			  f->on_pmem_dev ? ": remount with -o dax=always" : "");
		break;
	default:
		out_check(o, "mount-dax", "the mount's DAX option", R_WARN, "none%s",
			  f->on_pmem_dev ? ": remount with -o dax=always" : "");
	}
}

static void check_sync(const struct path_facts *f, struct out *o)
{
	const char *title = "MAP_SYNC";

	if (!f->sync_tried) {
		out_check(o, "map-sync", title, f->kind == PK_DEVDAX ? R_PASS : R_WARN, "%s",
			  f->replayed ? "not tried: a replayed --sysroot device (device-DAX always grants it)"
				  : "not tried");
	} else if (!f->sync_errno) {
		out_check(o, "map-sync", title, R_PASS, "granted on %s, %llu bytes%s",
			  f->kind == PK_DEVDAX ? f->path : f->probed,
			  (unsigned long long)f->sync_len,
			  f->kind == PK_DIR || f->kind == PK_MISSING ? ", O_TMPFILE" : "");
	} else {
		bool says = f->dax_mount == DAX_MOUNT_ALWAYS || (f->statx_known && f->statx_dax);

		out_check(o, "map-sync", title, R_FAIL, "refused: %s (%s)%s%s", strerrorname_np(f->sync_errno),
			  strerror(f->sync_errno),
			  says ? "; although the mount or statx says DAX" : "",
			  f->replayed ? "; not tried on a replayed device: block devices never grant it" : "");
	}
}

static void print_facts(const struct path_facts *f, struct out *o)
{
	out_obj_open(o, "facts");
	out_str(o, "kind", NULL, kind_names[f->kind]);
	out_str(o, "probed", NULL, f->probed);
	out_str(o, "real_path", NULL, f->real_path);
	if (f->mnt) {
		out_obj_open(o, "mount");
		out_str(o, "point", NULL, f->mnt->point);
		out_str(o, "fstype", NULL, f->mnt->fstype);
		out_str(o, "source", NULL, f->mnt->source);
		out_str(o, "options", NULL, f->mnt->opts);
		out_str(o, "super_options", NULL, f->mnt->super_opts);
		out_str(o, "dax", NULL, dax_mount_name(f->dax_mount));
		out_obj_close(o);
	} else {
		out_null(o, "mount", NULL);
	}
	if (f->statx_known)
		out_bool(o, "statx_dax", NULL, f->statx_dax);
	else
		out_null(o, "statx_dax", NULL);
	out_obj_open(o, "map_sync");
	out_bool(o, "tried", NULL, f->sync_tried);
	if (f->sync_tried)
		out_bool(o, "granted", NULL, !f->sync_errno);
	else
		out_null(o, "granted", NULL);
	out_i64(o, "errno", NULL, f->sync_tried ? f->sync_errno : 0);
	out_str(o, "error", NULL, f->sync_tried && f->sync_errno ? strerrorname_np(f->sync_errno) : NULL);
	out_u64(o, "length", NULL, f->sync_len);
	out_obj_close(o);
	if (f->kind == PK_DEVDAX) {
		out_obj_open(o, "devdax");
		out_str(o, "name", NULL, f->dax_name);
		out_u64(o, "size", NULL, f->dax_size);
		out_u64(o, "align", NULL, f->dax_align);
		out_u64(o, "region_align", NULL, f->dax_region_align);
		out_str(o, "driver", NULL, f->dax_driver);
		out_str(o, "source", NULL, f->dax_align_from);
		out_obj_close(o);
	} else {
		out_null(o, "devdax", NULL);
	}
	if (f->kind == PK_FILE || (f->kind == PK_BLOCK && f->file_size))
		out_u64(o, "file_size", NULL, f->file_size);
	else
		out_null(o, "file_size", NULL);
	if (f->nd.region) {
		out_obj_open(o, "region");
		out_str(o, "name", NULL, f->nd.region);
		out_str(o, "namespace", NULL, f->nd.namespace);
		out_str(o, "mode", NULL, f->nd.mode);
		out_str(o, "persistence_domain", NULL, f->nd.persistence_present ? f->nd.persistence : NULL);
		out_u64(o, "align", NULL, f->nd.region_align);
		out_obj_close(o);
	} else {
		out_null(o, "region", NULL);
	}
	out_str(o, "store_granularity", NULL, granularity_name(f->gran));
	out_obj_close(o);
}

static void check_all(const struct host *h, const struct path_facts *f, struct out *o)
{
	char *a, *b;

	out_arr_open(o, "checks");
	switch (f->kind) {
	case PK_FILE:
		a = size_human(f->file_size);
		out_check(o, "path", "the path", R_PASS, "regular file, %s", a);
		free(a);
		break;
	case PK_DIR:
		out_check(o, "path", "the path", R_PASS, "directory: QEMU maps an unlinked file made there");
		break;
	case PK_MISSING:
		if (f->dangling)
			out_check(o, "path", "the path", R_FAIL,
				  "a symbolic link to a file that does not exist: QEMU hangs on it");
		else
			out_check(o, "path", "the path", R_PASS, "does not exist: QEMU creates it in %s",
				  f->probed);
		break;
	case PK_DEVDAX:
		out_check(o, "path", "the path", R_PASS, "device-DAX %s%s", f->dax_name,
			  f->replayed ? " (replayed from --sysroot)" : "");
		break;
	default:
		a = size_human(f->file_size);
		out_check(o, "path", "the path", R_WARN, "block device%s%s: QEMU maps it like a file",
			  f->file_size ? ", " : "", f->file_size ? a : "");
		free(a);
	}
	if (f->kind != PK_DEVDAX && f->kind != PK_BLOCK)
		check_fs(f, o);
	if (f->kind == PK_FILE || (f->kind == PK_DEVDAX && !f->replayed)) {
		if (!f->statx_known)
			out_check(o, "statx-dax", "the statx DAX attribute", R_WARN,
				  "not reported by this file system or kernel");
		else
			out_check(o, "statx-dax", "the statx DAX attribute", f->statx_dax ? R_PASS : R_WARN,
				  "%s", f->statx_dax ? "set" : "not set");
	}
	check_sync(f, o);
	if (f->kind == PK_DEVDAX) {
		a = size_human(f->dax_align);
		b = size_human(f->dax_region_align);
		out_check(o, "devdax-align", "the device-DAX alignment", R_PASS,
			  "%s, region %s, size %llu (%s)", f->dax_align ? a : "unknown",
			  f->dax_region_align ? b : "unknown", (unsigned long long)f->dax_size,
			  f->dax_align_from);
		free(a);
		free(b);
	}
	if (!f->nd.region) {
		out_check(o, "region", "the NVDIMM region", R_WARN, "not on an NVDIMM namespace");
	} else {
		out_check(o, "region", "the NVDIMM region", R_PASS, "%s, %s (%s)", f->nd.region,
			  f->nd.namespace ? f->nd.namespace : "no namespace", f->nd.mode);
		if (!*f->nd.persistence)
			out_check(o, "persistence-domain", "the persistence domain", R_WARN,
				  "unknown: %s has %s persistence_domain", f->nd.region,
				  f->nd.persistence_present ? "an empty" : "no");
		else
			out_check(o, "persistence-domain", "the persistence domain", R_PASS, "%s",
				  f->nd.persistence);
	}
	out_check(o, "store-granularity", "the store granularity (libpmem2)", R_INFO, "%s%s",
		  granularity_name(f->gran), h->eadr ? ", eADR" : "");
	out_arr_close(o);
}

void path_print(const struct host *h, const struct path_facts *f, const struct verdict_result *r,
		struct out *o)
{
	out_obj_open(o, NULL);
	out_str(o, "path", "%s", f->path);
	if (f->error) {
		out_str(o, "error", ": %s\n", f->error_msg);
		out_str(o, "verdict", NULL, verdict_name(V_ERROR));
		out_obj_close(o);
		return;
	}
	out_text(o, " (%s)\n", kind_names[f->kind]);
	check_all(h, f, o);
	print_facts(f, o);
	out_text(o, "  Verdict: ");
	out_color(o, r->verdict == V_PERSISTENT ? res_color[R_PASS] : res_color[R_FAIL]);
	out_text(o, "%s", r->verdict == V_PERSISTENT ? "PERSISTENT" :
		 r->verdict == V_REFUSED ? "REFUSED (QEMU will not start)" : "NOT PERSISTENT");
	out_color(o, "\033[0m");
	out_text(o, "\n");
	out_str(o, "verdict", NULL, verdict_name(r->verdict));
	out_str(o, "reason", "    why: %s\n", r->reason);
	out_str(o, "persistence_model", NULL, r->model);
	out_bool(o, "qemu_silent", r->qemu_silent ? "    QEMU: says nothing (silent)\n" : NULL,
		 r->qemu_silent);
	out_arr_open(o, "qemu_messages");
	for (size_t i = 0; i < r->qemu.n; i++)
		out_str(o, NULL, "    QEMU: %s\n", r->qemu.v[i]);
	out_arr_close(o);
	out_arr_open(o, "fixes");
	for (size_t i = 0; i < r->fixes.n; i++)
		out_str(o, NULL, "    fix: %s\n", r->fixes.v[i]);
	out_arr_close(o);
	out_str(o, "proposal", r->proposal ? "    note: %s\n" : NULL, r->proposal);
	out_obj_close(o);
}

static void prom_label(FILE *fp, const char *s)
{
	char *v = prom_label_value(s);

	fputs(v, fp);
	free(v);
}

static void family(FILE *fp, const char *name, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void sample(FILE *fp, const char *name, const char *path, const char *k2, const char *v2,
		   uint64_t val)
{
	fprintf(fp, "%s{path=\"", name);
	prom_label(fp, path);
	if (k2) {
		fprintf(fp, "\",%s=\"", k2);
		prom_label(fp, v2);
	}
	fprintf(fp, "\"} %llu\n", (unsigned long long)val);
}

void paths_prometheus(const struct path_facts *fs, const struct verdict_result *rs, size_t n,
		      FILE *fp)
{
	family(fp, "nvd_check_persistent", "1 when guest writes to the backend survive a host crash with the given QEMU options");
	for (size_t i = 0; i < n; i++)
		sample(fp, "nvd_check_persistent", fs[i].path, NULL, NULL, rs[i].verdict == V_PERSISTENT);
	family(fp, "nvd_check_verdict", "the verdict for the path, as a label");
	for (size_t i = 0; i < n; i++)
		sample(fp, "nvd_check_verdict", fs[i].path, "verdict", verdict_name(rs[i].verdict), 1);
	family(fp, "nvd_check_map_sync_granted", "1 when mmap(MAP_SHARED_VALIDATE|MAP_SYNC) is granted");
	for (size_t i = 0; i < n; i++)
		if (!fs[i].error)
			sample(fp, "nvd_check_map_sync_granted", fs[i].path, NULL, NULL,
			       fs[i].kind == PK_DEVDAX || (fs[i].sync_tried && !fs[i].sync_errno));
	family(fp, "nvd_check_store_granularity", "libpmem2's store granularity, as a label");
	for (size_t i = 0; i < n; i++)
		if (!fs[i].error)
			sample(fp, "nvd_check_store_granularity", fs[i].path, "granularity",
			       granularity_name(fs[i].gran), 1);
	family(fp, "nvd_check_devdax_align_bytes", "the device-DAX region alignment QEMU checks 'align' against");
	for (size_t i = 0; i < n; i++)
		if (!fs[i].error && fs[i].kind == PK_DEVDAX)
			sample(fp, "nvd_check_devdax_align_bytes", fs[i].path, NULL, NULL,
			       fs[i].dax_region_align ? fs[i].dax_region_align : fs[i].dax_align);
	family(fp, "nvd_check_persistence_domain", "the NVDIMM region's persistence domain, as a label");
	for (size_t i = 0; i < n; i++)
		if (!fs[i].error && fs[i].nd.region)
			sample(fp, "nvd_check_persistence_domain", fs[i].path, "domain",
			       *fs[i].nd.persistence ? fs[i].nd.persistence : "unknown", 1);
}
