// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libnvdimm and device-DAX sysfs, below the --sysroot prefix; libdaxctl,
 * libndctl and libpmem only through dlopen, and only when a path needs
 * them (a real device-DAX node) or --libs=always asks: the three cost
 * milliseconds to load, and no other path of the toolkit pays for them.
 */
#include "probe.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static char *vpath(const struct host *h, const char *fmt, va_list ap)
{
	char *rel = xvasprintf(fmt, ap), *p = xasprintf("%s%s", h->sysroot, rel);

	free(rel);
	return p;
}

char *sysfs_read_str(const struct host *h, const char *fmt, ...)
{
	va_list ap;
	char *p, *s = NULL;
	size_t len;
	int r;

	va_start(ap, fmt);
	p = vpath(h, fmt, ap);
	va_end(ap);
	r = read_all(p, 4096, &s, &len);
	free(p);
	if (r < 0)
		return NULL;
	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		s[--len] = '\0';
	return s;
}

int sysfs_read_u64(const struct host *h, uint64_t *v, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int r;

	va_start(ap, fmt);
	p = vpath(h, fmt, ap);
	va_end(ap);
	r = read_u64_file(p, v);
	free(p);
	return r;
}

/* The basename of a sysfs symlink target (driver, subsystem), or NULL. */
static char *link_name(const struct host *h, const char *rel)
{
	char *p = xasprintf("%s%s", h->sysroot, rel), buf[PATH_MAX];
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);

	free(p);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf);
}

static const char *mode_of(const char *dev)
{
	if (str_startswith(dev, "pfn"))
		return "fsdax";
	if (str_startswith(dev, "btt"))
		return "sector";
	if (str_startswith(dev, "dax"))
		return "devdax";
	return "raw";
}

static bool region_name(const char *s)
{
	return str_startswith(s, "region") && s[6] >= '0' && s[6] <= '9';
}

void nd_place_from_dev(const struct host *h, const char *devlink, struct nd_place *pl)
{
	char *p = xasprintf("%s/sys/dev/%s", h->sysroot, devlink), *real, *save = NULL;
	char *prev = NULL;

	real = realpath(p, NULL);
	free(p);
	if (!real)
		return;
	for (char *c = strtok_r(real, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (prev && region_name(prev)) {
			free(pl->region);
			pl->region = xstrdup(prev);
			pl->mode = xstrdup(mode_of(c));
			pl->namespace = str_startswith(c, "namespace")
						? xstrdup(c)
						: sysfs_read_str(h, "/sys/bus/nd/devices/%s/namespace", c);
			break;
		}
		prev = c;
	}
	free(real);
	if (!pl->region)
		return;
	pl->persistence = sysfs_read_str(h, "/sys/bus/nd/devices/%s/persistence_domain", pl->region);
	pl->persistence_present = pl->persistence != NULL;
	if (!pl->persistence)
		pl->persistence = xstrdup("");
	sysfs_read_u64(h, &pl->region_align, "/sys/bus/nd/devices/%s/align", pl->region);
}

void nd_place_free(struct nd_place *p)
{
	free(p->region);
	free(p->namespace);
	free(p->mode);
	free(p->persistence);
	memset(p, 0, sizeof(*p));
}

void host_scan_regions(struct host *h)
{
	char *p = xasprintf("%s/sys/bus/nd/devices", h->sysroot);
	DIR *d = opendir(p);
	struct dirent *de;
	bool all_cpu = true;

	free(p);
	h->nregions = 0;
	if (!d) {
		h->eadr = false;
		return;
	}
	/* As PMDK decides eADR: every region says exactly cpu_cache. */
	while ((de = readdir(d))) {
		char *pd;

		if (!region_name(de->d_name))
			continue;
		h->nregions++;
		pd = sysfs_read_str(h, "/sys/bus/nd/devices/%s/persistence_domain", de->d_name);
		if (!pd || strcmp(pd, "cpu_cache"))
			all_cpu = false;
		free(pd);
	}
	closedir(d);
	h->eadr = h->nregions > 0 && all_cpu;
}

/* ---- the libraries, by dlopen ---- */

struct daxctl_ctx;
struct daxctl_region;
struct daxctl_dev;

static struct {
	void *ndctl, *daxctl, *pmem;
	int (*daxctl_new)(struct daxctl_ctx **);
	struct daxctl_ctx *(*daxctl_unref)(struct daxctl_ctx *);
	struct daxctl_region *(*region_first)(struct daxctl_ctx *);
	struct daxctl_region *(*region_next)(struct daxctl_region *);
	unsigned long (*region_align)(struct daxctl_region *);
	struct daxctl_dev *(*dev_first)(struct daxctl_region *);
	struct daxctl_dev *(*dev_next)(struct daxctl_dev *);
	int (*dev_major)(struct daxctl_dev *);
	int (*dev_minor)(struct daxctl_dev *);
	unsigned long (*dev_align)(struct daxctl_dev *);
	unsigned long long (*dev_size)(struct daxctl_dev *);
} lib;

static bool load_daxctl(struct host *h)
{
	if (lib.daxctl)
		return lib.daxctl_new != NULL;
	lib.daxctl = dlopen("libdaxctl.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!lib.daxctl)
		return false;
	h->daxctl_loaded = true;
	*(void **)&lib.daxctl_new = dlsym(lib.daxctl, "daxctl_new");
	*(void **)&lib.daxctl_unref = dlsym(lib.daxctl, "daxctl_unref");
	*(void **)&lib.region_first = dlsym(lib.daxctl, "daxctl_region_get_first");
	*(void **)&lib.region_next = dlsym(lib.daxctl, "daxctl_region_get_next");
	*(void **)&lib.region_align = dlsym(lib.daxctl, "daxctl_region_get_align");
	*(void **)&lib.dev_first = dlsym(lib.daxctl, "daxctl_dev_get_first");
	*(void **)&lib.dev_next = dlsym(lib.daxctl, "daxctl_dev_get_next");
	*(void **)&lib.dev_major = dlsym(lib.daxctl, "daxctl_dev_get_major");
	*(void **)&lib.dev_minor = dlsym(lib.daxctl, "daxctl_dev_get_minor");
	*(void **)&lib.dev_align = dlsym(lib.daxctl, "daxctl_dev_get_align");
	*(void **)&lib.dev_size = dlsym(lib.daxctl, "daxctl_dev_get_size");
	if (!lib.daxctl_new || !lib.daxctl_unref || !lib.region_first || !lib.region_next ||
	    !lib.region_align || !lib.dev_first || !lib.dev_next || !lib.dev_major ||
	    !lib.dev_minor || !lib.dev_size)
		lib.daxctl_new = NULL;
	return lib.daxctl_new != NULL;
}

void probe_load_libs(struct host *h)
{
	load_daxctl(h);
	if (!lib.ndctl && (lib.ndctl = dlopen("libndctl.so.6", RTLD_NOW | RTLD_LOCAL)))
		h->ndctl_loaded = true;
	if (!lib.pmem && (lib.pmem = dlopen("libpmem.so.1", RTLD_NOW | RTLD_LOCAL)))
		h->pmem_loaded = true;
}

/* QEMU's own source of the alignment: libdaxctl's region align. */
static bool daxctl_lookup(struct host *h, unsigned ma, unsigned mi, struct path_facts *f)
{
	struct daxctl_ctx *ctx;
	bool found = false;

	if (!load_daxctl(h) || lib.daxctl_new(&ctx) < 0)
		return false;
	for (struct daxctl_region *r = lib.region_first(ctx); r && !found; r = lib.region_next(r)) {
		for (struct daxctl_dev *d = lib.dev_first(r); d; d = lib.dev_next(d)) {
			if ((unsigned)lib.dev_major(d) != ma || (unsigned)lib.dev_minor(d) != mi)
				continue;
			f->dax_size = lib.dev_size(d);
			f->dax_region_align = lib.region_align(r);
			if (f->dax_region_align == (unsigned long)-1)
				f->dax_region_align = 0;
			if (lib.dev_align)
				f->dax_align = lib.dev_align(d);
			found = true;
			break;
		}
	}
	lib.daxctl_unref(ctx);
	return found;
}

void devdax_facts(struct host *h, const char *name, unsigned ma, unsigned mi,
		  struct path_facts *f)
{
	char *link, *copy = xstrdup(name);

	/* name may be f->dax_name itself. */
	free(f->dax_name);
	f->dax_name = copy;
	name = copy;
	link = xasprintf("/sys/bus/dax/devices/%s/driver", name);
	f->dax_driver = link_name(h, link);
	free(link);
	link = xasprintf("char/%u:%u", ma, mi);
	nd_place_from_dev(h, link, &f->nd);
	free(link);
	/* libdaxctl reads the real /sys: never for a replayed tree. */
	if (!*h->sysroot && h->libs != PROBE_LIBS_NEVER && daxctl_lookup(h, ma, mi, f)) {
		f->dax_align_from = "libdaxctl";
		return;
	}
	f->dax_align_from = "sysfs";
	sysfs_read_u64(h, &f->dax_size, "/sys/dev/char/%u:%u/size", ma, mi);
	sysfs_read_u64(h, &f->dax_align, "/sys/dev/char/%u:%u/align", ma, mi);
	if (sysfs_read_u64(h, &f->dax_region_align, "/sys/dev/char/%u:%u/../dax_region/align", ma,
			   mi) < 0)
		sysfs_read_u64(h, &f->dax_region_align,
			       "/sys/dev/char/%u:%u/device/dax_region/align", ma, mi);
}
