// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Facts about one backend path: its mount, DAX state (mount option and
 * statx), the MAP_SYNC trial, and where it lives on the NVDIMMs.
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "backend.h"
#include "util.h"

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif
/* Linux 5.8 and 5.9 reported DAX in the bit that 5.10 gave back to MOUNT_ROOT. */
#define STATX_ATTR_DAX_5_8 0x00002000

static const char *const dax_mount_names[] = { "none", "always", "inode", "never" };
static const char *const gran_names[] = { "byte", "cache-line", "page" };

const char *dax_mount_name(enum dax_mount d)
{
	return dax_mount_names[d];
}

const char *granularity_name(enum granularity g)
{
	return gran_names[g];
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *d = out;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
	return out;
}

int mounts_parse(const char *text, struct mounts *m)
{
	char *copy = xstrdup(text), *save = NULL;

	memset(m, 0, sizeof(*m));
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[6], *dash, *tail[3], *s2 = NULL, *p;
		struct mount_entry e;
		int i;

		dash = strstr(line, " - ");
		if (!dash)
			continue;
		*dash = '\0';
		p = line;
		for (i = 0; i < 6; i++) {
			f[i] = strtok_r(i ? NULL : p, " ", &s2);
			if (!f[i])
				break;
		}
		if (i < 6)
			continue;
		s2 = NULL;
		for (i = 0; i < 3; i++)
			tail[i] = strtok_r(i ? NULL : dash + 3, " ", &s2);
		if (!tail[0] || !tail[1])
			continue;
		memset(&e, 0, sizeof(e));
		if (sscanf(f[2], "%u:%u", &e.major, &e.minor) != 2)
			continue;
		e.root = unescape(f[3]);
		e.point = unescape(f[4]);
		e.opts = xstrdup(f[5]);
		e.fstype = xstrdup(tail[0]);
		e.source = unescape(tail[1]);
		e.super_opts = xstrdup(tail[2] ? tail[2] : "");
		m->v = xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
		m->v[m->n++] = e;
	}
	free(copy);
	return 0;
}

void mounts_free(struct mounts *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].root);
		free(m->v[i].point);
		free(m->v[i].opts);
		free(m->v[i].fstype);
		free(m->v[i].source);
		free(m->v[i].super_opts);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static enum dax_mount dax_in(const char *opts, enum dax_mount d)
{
	char *copy = xstrdup(opts), *save = NULL;

	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (!strcmp(o, "dax") || !strcmp(o, "dax=always"))
			d = DAX_MOUNT_ALWAYS;
		else if (!strcmp(o, "dax=inode"))
			d = DAX_MOUNT_INODE;
		else if (!strcmp(o, "dax=never"))
			d = DAX_MOUNT_NEVER;
	}
	free(copy);
	return d;
}

enum dax_mount dax_mount_mode(const struct mount_entry *e)
{
	return dax_in(e->super_opts, dax_in(e->opts, DAX_MOUNT_NONE));
}

static char *kernel_release(const char *sysroot)
{
	struct utsname u;
	char *p, *s = NULL;
	size_t len;

	if (*sysroot) {
		p = xasprintf("%s/proc/sys/kernel/osrelease", sysroot);
		if (read_all(p, 256, &s, &len) == 0) {
			free(p);
			s[strcspn(s, "\n")] = '\0';
			return s;
		}
		free(p);
	}
	if (uname(&u) == 0)
		return xstrdup(u.release);
	return xstrdup("unknown");
}

int host_init(struct host *h, const char *sysroot, int libs)
{
	char *p, *text = NULL;
	size_t len;
	int r;

	memset(h, 0, sizeof(*h));
	h->sysroot = sysroot ? sysroot : "";
	h->libs = libs;
	h->kernel = kernel_release(h->sysroot);
	p = xasprintf("%s/proc/self/mountinfo", h->sysroot);
	r = read_all(p, 16 * MiB, &text, &len);
	free(p);
	if (r == 0) {
		mounts_parse(text, &h->mounts);
		h->mounts_ok = true;
	}
	free(text);
	host_scan_regions(h);
	if (libs == PROBE_LIBS_ALWAYS)
		probe_load_libs(h);
	return r;
}

void host_free(struct host *h)
{
	free(h->kernel);
	mounts_free(&h->mounts);
}

/* Is mount point mp the directory p or one of its ancestors? */
static bool covers(const char *mp, const char *p)
{
	size_t n = strlen(mp);

	if (!strcmp(mp, "/"))
		return true;
	return !strncmp(mp, p, n) && (p[n] == '/' || p[n] == '\0');
}

/*
 * The mount a path is on: the one with the path's device and the longest
 * covering mount point (the last of equals: it is on top); without a
 * device match (a replayed mountinfo), the longest covering mount point.
 */
const struct mount_entry *host_find_mount(const struct host *h, const char *real, dev_t dev,
					  bool have_dev)
{
	const struct mount_entry *best = NULL, *any = NULL;

	for (size_t i = 0; i < h->mounts.n; i++) {
		const struct mount_entry *e = &h->mounts.v[i];

		if (!covers(e->point, real))
			continue;
		if (!any || strlen(e->point) >= strlen(any->point))
			any = e;
		if (have_dev && e->major == major(dev) && e->minor == minor(dev) &&
		    (!best || strlen(e->point) >= strlen(best->point)))
			best = e;
	}
	return best ? best : any;
}

static unsigned statx_dax_bit(void)
{
	struct utsname u;
	unsigned maj = 0, min = 0;

	if (uname(&u) == 0 && sscanf(u.release, "%u.%u", &maj, &min) == 2 && maj == 5 &&
	    (min == 8 || min == 9))
		return STATX_ATTR_DAX_5_8;
	return STATX_ATTR_DAX;
}

int statx_dax(const char *path)
{
	struct statx sx;
	unsigned bit = statx_dax_bit();

	if (statx(AT_FDCWD, path, AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, &sx) < 0)
		return -1;
	/* Only a file system that knows the attribute sets it in the mask. */
	if (!(sx.stx_attributes_mask & bit))
		return -1;
	return (sx.stx_attributes & bit) != 0;
}

static void probe_statx(const char *path, struct path_facts *f)
{
	int r = statx_dax(path);

	if (r < 0)
		return;
	f->statx_known = true;
	f->statx_dax = r;
}

static void set_error(struct path_facts *f, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_error(struct path_facts *f, int err, const char *fmt, ...)
{
	va_list ap;

	f->error = err;
	va_start(ap, fmt);
	f->error_msg = xvasprintf(fmt, ap);
	va_end(ap);
}

/* With --sysroot, /dev/NAME that is not here is looked up by name in the tree. */
static bool replay_dev(struct host *h, const char *path, struct path_facts *f)
{
	const char *name = strrchr(path, '/') + 1;
	char *dev;
	unsigned ma, mi;

	if (!*h->sysroot || !str_startswith(path, "/dev/") || !*name)
		return false;
	dev = sysfs_read_str(h, "/sys/bus/dax/devices/%s/dev", name);
	if (!dev)
		dev = sysfs_read_str(h, "/sys/class/dax/%s/dev", name);
	if (dev && sscanf(dev, "%u:%u", &ma, &mi) == 2) {
		f->kind = PK_DEVDAX;
		f->replayed = true;
		devdax_facts(h, name, ma, mi, f);
		free(dev);
		return true;
	}
	free(dev);
	dev = sysfs_read_str(h, "/sys/class/block/%s/dev", name);
	if (dev && sscanf(dev, "%u:%u", &ma, &mi) == 2) {
		char *link = xasprintf("block/%u:%u", ma, mi);

		f->kind = PK_BLOCK;
		f->replayed = true;
		/* sysfs gives the size in 512-byte sectors, whatever the block size */
		if (sysfs_read_u64(h, &f->file_size, "/sys/class/block/%s/size", name) == 0)
			f->file_size *= 512;
		/* Known without a trial: a block device never has DAX mmap (the guest shows it). */
		f->sync_tried = true;
		f->sync_errno = EOPNOTSUPP;
		f->probed = xstrdup(path);
		nd_place_from_dev(h, link, &f->nd);
		free(link);
		free(dev);
		return true;
	}
	free(dev);
	return false;
}

/* Character device: device-DAX when /sys/dev/char/M:m/subsystem ends in "/dax". */
static bool is_devdax(const struct host *h, dev_t rdev, char **name)
{
	char *p, link[PATH_MAX], *real;
	ssize_t n;

	p = xasprintf("%s/sys/dev/char/%u:%u/subsystem", h->sysroot, major(rdev), minor(rdev));
	n = readlink(p, link, sizeof(link) - 1);
	free(p);
	if (n < 4)
		return false;
	link[n] = '\0';
	if (strcmp(link + n - 4, "/dax"))
		return false;
	p = xasprintf("%s/sys/dev/char/%u:%u", h->sysroot, major(rdev), minor(rdev));
	real = realpath(p, NULL);
	free(p);
	*name = xstrdup(real ? strrchr(real, '/') + 1 : "dax");
	free(real);
	return true;
}

static void probe_mount(struct host *h, struct path_facts *f, const struct stat *st)
{
	char *link;

	f->mnt = host_find_mount(h, f->real_path ? f->real_path : f->probed, st->st_dev, true);
	if (!f->mnt)
		return;
	f->dax_mount = dax_mount_mode(f->mnt);
	f->on_pmem_dev = str_startswith(f->mnt->source, "/dev/pmem");
	link = xasprintf("block/%u:%u", f->mnt->major, f->mnt->minor);
	nd_place_from_dev(h, link, &f->nd);
	free(link);
}

static void map_sync_trial(struct path_facts *f)
{
	bool opened;
	int r;

	f->sync_len = f->sync_len ? f->sync_len : (uint64_t)sysconf(_SC_PAGESIZE);
	r = backend_map_sync_trial(f->probed, f->sync_len, &opened);
	if (!opened) {
		/* Could not even open (or O_TMPFILE): the trial says nothing. */
		if (f->kind == PK_DIR || f->kind == PK_MISSING)
			set_error(f, -r, "cannot create a file in %s to try MAP_SYNC: %s", f->probed,
				  strerror(-r));
		else
			set_error(f, -r, "cannot open: %s", strerror(-r));
		return;
	}
	f->sync_tried = true;
	f->sync_errno = -r;
}

void path_probe(struct host *h, const char *path, struct path_facts *f)
{
	struct stat st;
	char *copy;

	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->gran = GRAN_PAGE;
	if (stat(path, &st) < 0) {
		int err = errno;

		if (err == ENOENT && replay_dev(h, path, f))
			goto done;
		if (err != ENOENT) {
			set_error(f, err, "%s", strerror(err));
			return;
		}
		/* QEMU creates a missing file: probe the directory it would be in. */
		copy = xstrdup(path);
		f->probed = xstrdup(dirname(copy));
		free(copy);
		if (stat(f->probed, &st) < 0 || !S_ISDIR(st.st_mode)) {
			set_error(f, ENOENT, "No such file or directory (nor is %s a directory)",
				  f->probed);
			return;
		}
		f->kind = PK_MISSING;
		f->dangling = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
	} else {
		f->probed = xstrdup(path);
		if (S_ISREG(st.st_mode)) {
			int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

			if (fd < 0) {
				set_error(f, errno, "cannot open: %s", strerror(errno));
				return;
			}
			close(fd);
			f->kind = PK_FILE;
			f->file_size = (uint64_t)st.st_size;
		} else if (S_ISDIR(st.st_mode)) {
			f->kind = PK_DIR;
		} else if (S_ISBLK(st.st_mode)) {
			int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), err;

			if (fd < 0) {
				set_error(f, errno, "cannot open: %s", strerror(errno));
				return;
			}
			/* Its size, as QEMU finds it (not st_size, which is 0). */
			err = backend_fd_size(fd, &f->file_size);
			close(fd);
			if (err) {
				set_error(f, -err, "cannot get the device size: %s", strerror(-err));
				return;
			}
			f->kind = PK_BLOCK;
		} else if (S_ISCHR(st.st_mode) && is_devdax(h, st.st_rdev, &f->dax_name)) {
			f->kind = PK_DEVDAX;
			devdax_facts(h, f->dax_name, major(st.st_rdev), minor(st.st_rdev), f);
		} else {
			f->kind = PK_BAD;
			set_error(f, EINVAL, "%s: QEMU can map a file, a directory or a device-DAX node",
				  S_ISFIFO(st.st_mode) ? "a FIFO" :
				  S_ISSOCK(st.st_mode) ? "a socket" :
				  S_ISCHR(st.st_mode) ? "a character device that is not device-DAX" :
							"not a file");
			return;
		}
	}
	f->real_path = realpath(f->probed, NULL);
	if (f->kind == PK_BLOCK) {
		char *link = xasprintf("block/%u:%u", major(st.st_rdev), minor(st.st_rdev));

		nd_place_from_dev(h, link, &f->nd);
		free(link);
	} else if (f->kind != PK_DEVDAX) {
		probe_mount(h, f, &st);
	}
	if (f->kind == PK_FILE || f->kind == PK_DEVDAX)
		probe_statx(f->probed, f);
	if (f->kind == PK_DEVDAX) {
		uint64_t a = f->dax_region_align > f->dax_align ? f->dax_region_align : f->dax_align;

		f->sync_len = a;
	}
	map_sync_trial(f);
done:
	if (f->kind == PK_DEVDAX || (f->sync_tried && f->sync_errno == 0))
		f->gran = h->eadr ? GRAN_BYTE : GRAN_CACHE_LINE;
}

void path_facts_free(struct path_facts *f)
{
	free(f->path);
	free(f->probed);
	free(f->real_path);
	free(f->error_msg);
	free(f->dax_name);
	free(f->dax_driver);
	nd_place_free(&f->nd);
	memset(f, 0, sizeof(*f));
}
