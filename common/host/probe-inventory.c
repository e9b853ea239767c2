// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nvd-check without a path: the host's NVDIMM buses, regions (with their
 * persistence domain), namespaces, device-DAX devices and DAX-capable
 * mounts, from sysfs and mountinfo below --sysroot.
 */
#include "probe.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "size.h"
#include "util.h"

/* Sorted names in /sys/bus/<bus>/devices starting with prefix. */
static void list_dev(const struct host *h, const char *bus, const char *prefix, struct strv *out)
{
	char *p = xasprintf("%s/sys/bus/%s/devices", h->sysroot, bus);
	struct dirent **de;
	int n = scandir(p, &de, NULL, versionsort);

	free(p);
	for (int i = 0; i < n; i++) {
		if (str_startswith(de[i]->d_name, prefix))
			strv_push(out, xstrdup(de[i]->d_name));
		free(de[i]);
	}
	if (n > 0)
		free(de);
}

static const char *ns_mode(const char *sysmode)
{
	if (!sysmode)
		return "unknown";
	if (!strcmp(sysmode, "memory"))
		return "fsdax";
	if (!strcmp(sysmode, "dax"))
		return "devdax";
	if (!strcmp(sysmode, "safe"))
		return "sector";
	return sysmode;
}

/* The holder's block device (pmemX, pmemX.Ys) or dax device (daxX.Y). */
static char *ns_device(const struct host *h, const char *ns, const char *holder)
{
	const char *dev = holder && *holder ? holder : ns;
	char *p = xasprintf("%s/sys/bus/nd/devices/%s/block", h->sysroot, dev);
	struct dirent *de;
	DIR *d = opendir(p);
	char *res = NULL;

	free(p);
	if (!d && holder && str_startswith(holder, "dax")) {
		p = xasprintf("%s/sys/bus/nd/devices/%s", h->sysroot, holder);
		d = opendir(p);
		free(p);
		while (d && (de = readdir(d)))
			if (str_startswith(de->d_name, "dax") && strchr(de->d_name, '.'))
				res = xasprintf("/dev/%s", de->d_name);
		if (d)
			closedir(d);
		return res;
	}
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			res = xasprintf("/dev/%s", de->d_name);
	if (d)
		closedir(d);
	return res;
}

static void regions(const struct host *h, struct out *o, FILE *prom)
{
	struct strv rs = { 0 };

	list_dev(h, "nd", "region", &rs);
	out_arr_open(o, "regions");
	out_text(o, "Regions: %zu%s\n", rs.n, h->eadr ? " (eADR: every region is cpu_cache)" : "");
	if (prom)
		fprintf(prom, "# HELP nvd_region_persistence_domain the region's persistence domain, as a label\n# TYPE nvd_region_persistence_domain gauge\n");
	for (size_t i = 0; i < rs.n; i++) {
		char *pd = sysfs_read_str(h, "/sys/bus/nd/devices/%s/persistence_domain", rs.v[i]);
		uint64_t size = 0, align = 0;
		const char *qv;

		sysfs_read_u64(h, &size, "/sys/bus/nd/devices/%s/size", rs.v[i]);
		sysfs_read_u64(h, &align, "/sys/bus/nd/devices/%s/align", rs.v[i]);
		qv = !pd || !*pd ? "unset" : !strcmp(pd, "cpu_cache") ? "cpu"
				 : !strcmp(pd, "memory_controller") ? "mem-ctrl" : "unset";
		out_obj_open(o, NULL);
		out_str(o, "name", "  %-12s", rs.v[i]);
		out_u64(o, "size", " size %llu", size);
		out_u64(o, "align", " align %llu", align);
		out_str(o, "persistence_domain", " persistence_domain %s", pd && *pd ? pd : NULL);
		out_bool(o, "persistence_domain_present", pd ? NULL : " (absent)", pd != NULL);
		out_str(o, "nvdimm_persistence", " (nvdimm-persistence=%s)\n", qv);
		out_obj_close(o);
		if (prom) {
			char *pr = prom_label_value(rs.v[i]);
			char *pp = prom_label_value(pd && *pd ? pd : "unknown");

			fprintf(prom, "nvd_region_persistence_domain{region=\"%s\",domain=\"%s\"} 1\n",
				pr, pp);
			free(pr);
			free(pp);
		}
		free(pd);
	}
	out_arr_close(o);
	strv_free(&rs);
}

static void namespaces(const struct host *h, struct out *o, FILE *prom)
{
	struct strv ns = { 0 };
	size_t shown = 0;

	list_dev(h, "nd", "namespace", &ns);
	out_arr_open(o, "namespaces");
	out_text(o, "Namespaces:\n");
	if (prom)
		fprintf(prom, "# HELP nvd_namespace_size_bytes the namespace's size, with its mode\n# TYPE nvd_namespace_size_bytes gauge\n");
	for (size_t i = 0; i < ns.n; i++) {
		char *mode = sysfs_read_str(h, "/sys/bus/nd/devices/%s/mode", ns.v[i]);
		char *holder = sysfs_read_str(h, "/sys/bus/nd/devices/%s/holder", ns.v[i]);
		char *dev, *region = xstrdup(ns.v[i] + strlen("namespace"));
		uint64_t size = 0;

		sysfs_read_u64(h, &size, "/sys/bus/nd/devices/%s/size", ns.v[i]);
		/* Seeds and disabled namespaces have size 0: ndctl does not list them either. */
		if (!size)
			goto next;
		/* A pfn, btt or dax holder has the usable size, the one ndctl shows. */
		if (holder && *holder)
			sysfs_read_u64(h, &size, "/sys/bus/nd/devices/%s/size", holder);
		region[strcspn(region, ".")] = '\0';
		dev = ns_device(h, ns.v[i], holder);
		out_obj_open(o, NULL);
		out_str(o, "name", "  %-14s", ns.v[i]);
		out_str(o, "mode", " %-7s", ns_mode(mode));
		out_u64(o, "size", " size %llu", size);
		out_str(o, "device", " %s", dev);
		out_text(o, " region%s\n", region);
		{
			char *r = xasprintf("region%s", region);

			out_str(o, "region", NULL, r);
			free(r);
		}
		out_obj_close(o);
		if (prom) {
			char *pn = prom_label_value(ns.v[i]);

			fprintf(prom, "nvd_namespace_size_bytes{namespace=\"%s\",mode=\"%s\"} %llu\n",
				pn, ns_mode(mode), (unsigned long long)size);
			free(pn);
		}
		free(dev);
		shown++;
next:
		free(region);
		free(mode);
		free(holder);
	}
	if (!shown)
		out_text(o, "  none\n");
	out_arr_close(o);
	strv_free(&ns);
}

static void daxdevs(struct host *h, struct out *o, FILE *prom)
{
	struct strv ds = { 0 };

	list_dev(h, "dax", "dax", &ds);
	out_arr_open(o, "dax_devices");
	out_text(o, "Device-DAX:\n");
	if (prom)
		fprintf(prom, "# HELP nvd_devdax_align_bytes the device-DAX region alignment ('align' must be at least this)\n# TYPE nvd_devdax_align_bytes gauge\n");
	for (size_t i = 0; i < ds.n; i++) {
		struct path_facts f = { 0 };
		char *dev = sysfs_read_str(h, "/sys/bus/dax/devices/%s/dev", ds.v[i]);
		unsigned ma = 0, mi = 0;

		if (dev)
			sscanf(dev, "%u:%u", &ma, &mi);
		free(dev);
		devdax_facts(h, ds.v[i], ma, mi, &f);
		out_obj_open(o, NULL);
		out_str(o, "name", "  %-10s", ds.v[i]);
		out_str(o, "mode", " %-10s",
			!f.dax_driver ? "disabled" : !strcmp(f.dax_driver, "kmem") ? "system-ram"
									: "devdax");
		out_u64(o, "size", " size %llu", f.dax_size);
		out_u64(o, "align", " align %llu", f.dax_align);
		out_u64(o, "region_align", " region align %llu", f.dax_region_align);
		out_str(o, "region", " %s\n", f.nd.region);
		out_obj_close(o);
		if (prom) {
			char *pd = prom_label_value(ds.v[i]);

			fprintf(prom, "nvd_devdax_align_bytes{device=\"%s\"} %llu\n", pd,
				(unsigned long long)(f.dax_region_align ? f.dax_region_align
									 : f.dax_align));
			free(pd);
		}
		path_facts_free(&f);
	}
	if (!ds.n)
		out_text(o, "  none\n");
	out_arr_close(o);
	strv_free(&ds);
}

static void dax_mounts(const struct host *h, struct out *o, FILE *prom)
{
	size_t shown = 0;

	out_arr_open(o, "dax_mounts");
	out_text(o, "DAX-capable mounts:\n");
	if (prom)
		fprintf(prom, "# HELP nvd_mount_dax 1 when the mount's DAX mode is always or inode\n# TYPE nvd_mount_dax gauge\n");
	for (size_t i = 0; i < h->mounts.n; i++) {
		const struct mount_entry *e = &h->mounts.v[i];
		enum dax_mount d = dax_mount_mode(e);
		bool pmem = str_startswith(e->source, "/dev/pmem");

		if (d == DAX_MOUNT_NONE && !pmem)
			continue;
		out_obj_open(o, NULL);
		out_str(o, "point", "  %-20s", e->point);
		out_str(o, "fstype", " %-5s", e->fstype);
		out_str(o, "source", " %s", e->source);
		out_str(o, "dax", " dax=%s", dax_mount_name(d));
		out_text(o, "%s\n", d == DAX_MOUNT_ALWAYS ? "" :
			 d == DAX_MOUNT_INODE ? " (per-file DAX flag)" : " (not DAX: remount with -o dax)");
		out_obj_close(o);
		if (prom) {
			char *pp = prom_label_value(e->point), *pf = prom_label_value(e->fstype);

			fprintf(prom, "nvd_mount_dax{mountpoint=\"%s\",fstype=\"%s\",dax=\"%s\"} %d\n",
				pp, pf, dax_mount_name(d),
				d == DAX_MOUNT_ALWAYS || d == DAX_MOUNT_INODE);
			free(pp);
			free(pf);
		}
		shown++;
	}
	if (!shown)
		out_text(o, "  none\n");
	out_arr_close(o);
}

static void inventory(struct host *h, struct out *o, FILE *prom)
{
	struct strv buses = { 0 };

	list_dev(h, "nd", "ndbus", &buses);
	out_obj_open(o, "inventory");
	out_arr_open(o, "buses");
	out_text(o, "NVDIMM buses: %zu\n", buses.n);
	if (prom)
		fprintf(prom, "# HELP nvd_nvdimm_buses the number of NVDIMM buses\n# TYPE nvd_nvdimm_buses gauge\nnvd_nvdimm_buses %zu\n",
			buses.n);
	for (size_t i = 0; i < buses.n; i++) {
		char *prov = sysfs_read_str(h, "/sys/bus/nd/devices/%s/provider", buses.v[i]);

		out_obj_open(o, NULL);
		out_str(o, "name", "  %s", buses.v[i]);
		out_str(o, "provider", " provider %s\n", prov);
		out_obj_close(o);
		free(prov);
	}
	out_arr_close(o);
	strv_free(&buses);
	regions(h, o, prom);
	namespaces(h, o, prom);
	daxdevs(h, o, prom);
	dax_mounts(h, o, prom);
	out_obj_close(o);
}

void inventory_print(struct host *h, struct out *o)
{
	inventory(h, o, NULL);
}

void inventory_prometheus(struct host *h, FILE *fp)
{
	/* The same walk, only the metrics: text goes nowhere. */
	FILE *null = fopen("/dev/null", "w");
	struct out *o = out_new(null ? null : fp, false, false);

	inventory(h, o, fp);
	out_finish(o);
	if (null)
		fclose(null);
}
