// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nvd-check --pid/--running: for each memory device of a running QEMU, the
 * backend's mapping as the kernel shows it in /proc/PID/smaps (found by
 * device and inode, else by the name the kernel gives it), whether the
 * mem-path still names that file, shared or private, MAP_SYNC ("sf" in
 * VmFlags), device-DAX, the file system now, and the verdict.
 */
#include "running.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "memdev.h"
#include "size.h"
#include "util.h"

#define SMAPS_MAX (64u << 20)

static const char *const rv_names[] = { "persistent", "not-persistent", "unknown", "none" };

const char *run_verdict_name(enum run_verdict v)
{
	return rv_names[v];
}

static const char *procroot(const struct host *h)
{
	return h->sysroot ? h->sysroot : "";
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* The first bytes of a file, NUL-terminated: their length, or -1. */
static ssize_t read_head(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, size - 1);
	close(fd);
	if (r >= 0)
		buf[r] = '\0';
	return r;
}

int running_pids(const struct host *h, long **pids, size_t *n)
{
	char *dir = xasprintf("%s/proc", procroot(h));
	size_t cap = 0;
	struct dirent *e;
	DIR *d;

	*pids = NULL;
	*n = 0;
	d = opendir(dir);
	free(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char *path, *end, text[PATH_MAX + 1];
		long pid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || (!*procroot(h) && pid == (long)getpid()))
			continue;
		path = xasprintf("%s/proc/%ld/cmdline", procroot(h), pid);
		/* the program name is enough: a gone process is simply not listed */
		if (read_head(path, text, sizeof(text)) > 0 && is_program_name(text) &&
		    !str_startswith(strrchr(text, '/') ? strrchr(text, '/') + 1 : text, "qemu-img")) {
			if (*n == cap) {
				cap = cap ? 2 * cap : 16;
				*pids = xrealloc(*pids, cap * sizeof(**pids));
			}
			(*pids)[(*n)++] = pid;
		}
		free(path);
	}
	closedir(d);
	if (*n)
		qsort(*pids, *n, sizeof(**pids), cmp_long);
	return 0;
}

void smaps_free(struct smaps *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* The kernel shows a newline in a mapping's name as \012 (seq_file_path()). */
static char *unescape_nl(const char *s, size_t n)
{
	struct strbuf sb;

	sb_init(&sb);
	for (size_t i = 0; i < n; i++) {
		if (i + 4 <= n && !strncmp(s + i, "\\012", 4)) {
			sb_addc(&sb, '\n');
			i += 3;
		} else {
			sb_addc(&sb, s[i]);
		}
	}
	return sb_detach(&sb);
}

void smaps_parse(char *text, struct smaps *s)
{
	struct smap *cur = NULL;
	char *save = NULL;

	memset(s, 0, sizeof(*s));
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, end, off, ino;
		unsigned maj, min;
		char perms[8];
		int name_at = -1;

		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &off, &maj,
			   &min, &ino, &name_at) >= 7 && strlen(perms) == 4) {
			const char *name = name_at >= 0 ? line + name_at : "";
			size_t nl = strlen(name);

			if (s->n == s->cap) {
				s->cap = s->cap ? 2 * s->cap : 64;
				s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
			}
			cur = &s->v[s->n++];
			memset(cur, 0, sizeof(*cur));
			cur->start = start;
			cur->end = end;
			cur->size = end - start;
			cur->maj = maj;
			cur->min = min;
			cur->ino = ino;
			cur->shared = perms[3] == 's';
			if (nl > 10 && !strcmp(name + nl - 10, " (deleted)")) {
				cur->deleted = true;
				nl -= 10;
			}
			cur->name = unescape_nl(name, nl);
			continue;
		}
		if (!cur)
			continue;
		if (str_startswith(line, "Rss:")) {
			unsigned long long kb;

			if (sscanf(line + 4, "%llu", &kb) == 1)
				cur->rss = kb * 1024;
		} else if (str_startswith(line, "VmFlags:")) {
			char *save2 = NULL;

			for (char *w = strtok_r(line + 8, " ", &save2); w; w = strtok_r(NULL, " ", &save2)) {
				if (!strcmp(w, "sf"))
					cur->sf = true;
				else if (!strcmp(w, "sh"))
					cur->shared = true;
			}
		}
	}
}

static int smaps_read(const struct host *h, long pid, struct smaps *s)
{
	char *path = xasprintf("%s/proc/%ld/smaps", procroot(h), pid), *text;
	size_t len;
	int r;

	memset(s, 0, sizeof(*s));
	r = read_all(path, SMAPS_MAX, &text, &len);
	free(path);
	if (r < 0)
		return r;
	smaps_parse(text, s);
	free(text);
	return 0;
}

/* A name's directory resolved (symbolic links, "..", /proc/PID/cwd), its last part kept. */
static char *canonical(const char *path)
{
	char *copy = xstrdup(path), *copy2 = xstrdup(path), *dir, *base, *real, *out;

	real = realpath(path, NULL);
	if (real) {
		free(copy);
		free(copy2);
		return real;
	}
	dir = dirname(copy);
	base = basename(copy2);
	real = realpath(dir, NULL);
	out = real ? xasprintf("%s/%s", streq(real, "/") ? "" : real, base) : xstrdup(path);
	free(real);
	free(copy);
	free(copy2);
	return out;
}

/* QEMU's descriptor of the file with this device and inode: /proc/PID/fd/N. */
static int find_fd(const struct host *h, long pid, unsigned maj, unsigned min, uint64_t ino)
{
	char *dir = xasprintf("%s/proc/%ld/fd", procroot(h), pid);
	struct dirent *e;
	int found = -1;
	DIR *d = opendir(dir);

	if (d) {
		while (found < 0 && (e = readdir(d))) {
			char *p;
			struct stat st;

			if (!isdigit((unsigned char)e->d_name[0]))
				continue;
			p = xasprintf("%s/%s", dir, e->d_name);
			if (stat(p, &st) == 0 && major(st.st_dev) == maj && minor(st.st_dev) == min &&
			    st.st_ino == ino)
				found = atoi(e->d_name);
			free(p);
		}
		closedir(d);
	}
	free(dir);
	return found;
}

/* Take the largest mapping that qualifies. */
static const struct smap *best(const struct smap *a, const struct smap *b)
{
	return !a || b->size > a->size ? b : a;
}

static void find_mapping(struct host *h, long pid, const struct smaps *sm, struct run_dev *d)
{
	const struct smap *m = NULL;
	struct stat st;
	bool have_st = stat(d->host_path, &st) == 0;
	char *prefix = NULL;

	d->canon = canonical(d->host_path);
	d->is_dir = have_st && S_ISDIR(st.st_mode);
	if (d->is_dir)
		prefix = xasprintf("%s/qemu_back_mem.", d->canon);
	for (size_t i = 0; i < sm->n; i++) {
		const struct smap *s = &sm->v[i];

		if (!s->ino)
			continue;
		if (prefix) {
			if (str_startswith(s->name, prefix))
				m = best(m, s);
		} else if (have_st && s->maj == major(st.st_dev) && s->min == minor(st.st_dev) &&
			   s->ino == st.st_ino) {
			/* the same file, whatever the name it was opened by has become */
			m = best(m, s);
		}
	}
	free(prefix);
	if (m) {
		/* a directory names no file: QEMU's is unlinked in it */
		d->names_mapped = d->is_dir ? RF_NO : RF_YES;
	} else if (!d->is_dir) {
		/* the kernel's name of the mapping: the same path, its file deleted or replaced */
		for (size_t i = 0; i < sm->n; i++)
			if (sm->v[i].ino && streq(sm->v[i].name, d->canon))
				m = best(m, &sm->v[i]);
		if (m && !m->deleted) {
			d->names_mapped = RF_YES;	/* another device or inode view of it (overlayfs) */
		} else if (m) {
			d->names_mapped = RF_NO;
			d->deleted = !have_st;
			d->replaced = have_st;
		}
	}
	if (!m)
		return;
	d->mapped = true;
	d->map_name = xstrdup(m->name);
	d->map_major = m->maj;
	d->map_minor = m->min;
	d->map_ino = m->ino;
	d->map_size = m->size;
	d->rss = m->rss;
	d->shared = m->shared ? RF_YES : RF_NO;
	d->map_sync = m->sf ? RF_YES : RF_NO;
	if (d->is_dir)
		d->deleted = m->deleted;
	d->fd = find_fd(h, pid, m->maj, m->min, m->ino);
	if (d->fd >= 0) {
		/* the mapped file itself, even deleted: QEMU's descriptor of it */
		char *fdp = xasprintf("%s/proc/%ld/fd/%d", procroot(h), pid, d->fd);
		int r = statx_dax(fdp);

		d->statx_dax = r < 0 ? RF_UNKNOWN : r ? RF_YES : RF_NO;
		free(fdp);
	}
	d->devdax = RF_NO;
	if (str_startswith(m->name, "/dev/")) {
		struct path_facts pf = { 0 };

		path_probe(h, m->name, &pf);
		d->devdax = pf.kind == PK_DEVDAX ? RF_YES : RF_NO;
		path_facts_free(&pf);
	}
	if (d->devdax == RF_NO) {
		const struct mount_entry *e;

		e = host_find_mount(h, m->name, makedev(m->maj, m->min), true);
		if (e && e->major == m->maj && e->minor == m->min) {
			d->have_mount = true;
			d->fstype = xstrdup(e->fstype);
			d->mount_point = xstrdup(e->point);
			d->dax = dax_mount_mode(e);
		}
	}
}

static void dev_fix(struct run_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void dev_fix(struct run_dev *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(d->fix);
	d->fix = xvasprintf(fmt, ap);
	va_end(ap);
}

static void dev_set(struct run_dev *d, enum run_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void dev_set(struct run_dev *d, enum run_verdict v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	d->verdict = v;
	free(d->reason);
	d->reason = xvasprintf(fmt, ap);
	va_end(ap);
}

void run_dev_verdict(struct run_dev *d, long pid)
{
	const char *path = d->be.mem_path ? d->be.mem_path : "";

	if (!d->be.qom_type) {
		dev_set(d, RV_UNKNOWN, "no memory backend '%s' on the command line", d->memdev);
		return;
	}
	if (!d->be.mem_path) {
		dev_set(d, RV_NOT_PERSISTENT, "%s: anonymous memory, gone with the process",
			d->be.qom_type);
		dev_fix(d, "at the next start give %s memory-backend-file,mem-path=FILE,share=on,pmem=on with FILE on a DAX file system or device-DAX",
			d->memdev);
		return;
	}
	if (!d->mapped) {
		dev_set(d, RV_UNKNOWN, "no mapping of %s found in /proc/%ld/smaps%s", path, pid,
			path[0] != '/' ? " (a relative mem-path: QEMU may have changed directory since, as -daemonize does)" : "");
		return;
	}
	if (d->is_dir) {
		dev_set(d, RV_NOT_PERSISTENT,
			"mem-path is a directory: QEMU maps an unlinked file made in it, gone when QEMU exits");
		dev_fix(d, "at the next start give %s a file as mem-path, not a directory", d->memdev);
		return;
	}
	if (d->deleted || d->replaced) {
		dev_set(d, RV_NOT_PERSISTENT, d->deleted
			? "the backend file was deleted after QEMU mapped it: the guest writes to a file no name reaches, gone when QEMU exits"
			: "%s now names another file: the guest writes to the old one, deleted, gone when QEMU exits",
			path);
		if (d->fd >= 0)
			dev_fix(d, "before QEMU exits, save the data: cp --sparse=always /proc/%ld/fd/%d FILE; at the next start give that FILE as mem-path",
				pid, d->fd);
		else
			dev_fix(d, "before QEMU exits, save the data from the mapping (QEMU's descriptor of it was not found); at the next start give the saved file as mem-path");
		return;
	}
	if (d->shared == RF_NO) {
		dev_set(d, RV_NOT_PERSISTENT,
			"a private mapping (share=off): guest writes go to copy-on-write memory, never to %s",
			path);
		dev_fix(d, "at the next start give %s share=on", d->memdev);
		return;
	}
	if (d->devdax == RF_YES) {
		dev_set(d, RV_PERSISTENT, "a shared mapping of device-DAX %s: stores reach the media",
			d->map_name);
		return;
	}
	if (d->map_sync == RF_YES) {
		dev_set(d, RV_PERSISTENT, "MAP_SYNC in effect (sf): the file system keeps the metadata of every page the guest writes");
		return;
	}
	if (d->persistence == PM_GUEST_FLUSH) {
		dev_set(d, RV_PERSISTENT,
			"virtio-pmem: a shared file mapping, made persistent by the guest's flush requests (fsync on the host)");
		return;
	}
	if (d->be.pmem) {
		dev_set(d, RV_NOT_PERSISTENT,
			"pmem=on but no MAP_SYNC (no sf in VmFlags): QEMU fell back to a plain shared mapping, as %s on %s is not DAX",
			d->fstype ? d->fstype : "the file system",
			d->mount_point ? d->mount_point : "its mount");
		dev_fix(d, "at the next start put %s on a file system mounted -o dax=always on a pmem device, or use device-DAX",
			d->memdev);
		return;
	}
	if (d->have_mount && d->dax == DAX_MOUNT_ALWAYS)
		dev_set(d, RV_NOT_PERSISTENT,
			"pmem=off: no MAP_SYNC asked; on this DAX file system stores reach the media, but the metadata of blocks a page fault allocates is not made durable with them");
	else
		dev_set(d, RV_NOT_PERSISTENT,
			"pmem=off: no MAP_SYNC asked, guest writes stay in the page cache until written back");
	dev_fix(d, "at the next start give %s pmem=on, its file on a file system mounted -o dax=always (or device-DAX)",
		d->memdev);
}

/* d->host_path: its mem-path, against QEMU's working directory when relative */
static void dev_host_path(struct run_dev *d, const char *cwd)
{
	const char *p = d->be.mem_path;

	if (p)
		d->host_path = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", cwd, p);
}

static void dev_from_backend(struct run_dev *d, struct backend *b, const char *cwd)
{
	if (!b)
		return;
	backend_opts_get(&d->be, b);
	dev_host_path(d, cwd);
}

static struct run_dev *add_dev(struct run_vm *vm)
{
	struct run_dev *d;

	vm->devs = xrealloc(vm->devs, (vm->ndevs + 1) * sizeof(*vm->devs));
	d = &vm->devs[vm->ndevs++];
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->names_mapped = d->shared = d->map_sync = d->devdax = d->statx_dax = RF_UNKNOWN;
	return d;
}

static char *vm_name(const struct qcmdline *cl)
{
	char *name = NULL;

	for (size_t i = 0; i < cl->nopts; i++) {
		struct kvlist kv = { 0 };
		char *err = NULL;

		if (!streq(cl->opts[i].name, "name") || !cl->opts[i].arg)
			continue;
		if (opts_parse(cl->opts[i].arg, "guest", SYNTAX_QEMUOPTS, &kv, &err) == 0 &&
		    kv_get(&kv, "guest")) {
			free(name);
			name = xstrdup(kv_get(&kv, "guest"));
		}
		free(err);
		kvlist_free(&kv);
	}
	return name;
}

static char *xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void qmp_copy(struct qmp_memdev *dst, const struct qmp_memdev *src)
{
	*dst = *src;
	dst->type = xstrdup_or_null(src->type);
	dst->id = xstrdup_or_null(src->id);
	dst->memdev = xstrdup_or_null(src->memdev);
	dst->backend_type = xstrdup_or_null(src->backend_type);
	dst->mem_path = xstrdup_or_null(src->mem_path);
}

/* What QEMU says against what its command line says: "" when the same. */
static char *qmp_compare(const struct run_dev *d, const struct qmp_memdev *m)
{
	struct strbuf sb;

	sb_init(&sb);
	if (!streq(d->memdev, m->memdev ? m->memdev : ""))
		sb_addf(&sb, "; memdev: command line %s, QEMU %s", d->memdev, m->memdev ? m->memdev : "none");
	if ((d->be.mem_path || m->mem_path) &&
	    (!d->be.mem_path || !m->mem_path || !streq(d->be.mem_path, m->mem_path)))
		sb_addf(&sb, "; mem-path: command line %s, QEMU %s", d->be.mem_path ? d->be.mem_path : "none",
			m->mem_path ? m->mem_path : "none");
	if (m->has_share && m->share != d->be.share)
		sb_addf(&sb, "; share: command line %s, QEMU %s", d->be.share ? "on" : "off",
			m->share ? "on" : "off");
	if (m->has_pmem && m->pmem != d->be.pmem)
		sb_addf(&sb, "; pmem: command line %s, QEMU %s", d->be.pmem ? "on" : "off",
			m->pmem ? "on" : "off");
	if (m->has_align && d->be.has_align && m->align != d->be.align)
		sb_addf(&sb, "; align: command line %llu, QEMU %llu", (unsigned long long)d->be.align,
			(unsigned long long)m->align);
	return sb_detach(&sb);
}

/* Merge QEMU's answer: a device by id (by memdev for one without id). */
static void merge_qmp(struct run_vm *vm, const struct qmp_memdev *qm, size_t n, const char *cwd)
{
	size_t ncmd = vm->ndevs;

	for (size_t i = 0; i < n; i++) {
		const struct qmp_memdev *m = &qm[i];
		const struct memdev_type *t;
		struct run_dev *d = NULL;
		char *diff;

		for (size_t j = 0; j < ncmd && !d; j++) {
			struct run_dev *c = &vm->devs[j];

			if (c->qmp_seen)
				continue;
			if (m->id ? c->has_id && streq(c->id, m->id)
				  : !c->has_id && streq(c->memdev, m->memdev ? m->memdev : ""))
				d = c;
		}
		if (!d) {
			t = m->type ? memdev_type_by_qmp(m->type) : NULL;
			/* RAM by design (virtio-mem), as on the command line: not checked */
			if (t && !t->slot && t->persistence == PM_VOLATILE)
				continue;
			d = add_dev(vm);
			d->from_qmp = true;
			d->type = t ? t->driver : "other";
			d->persistence = t ? t->persistence : PM_VOLATILE;
			d->id = m->id ? xstrdup(m->id) : xstrdup("(unnamed)");
			d->has_id = m->id != NULL;
			d->memdev = xstrdup(m->memdev ? m->memdev : "");
			d->be.qom_type = xstrdup_or_null(m->backend_type);
			d->be.mem_path = xstrdup_or_null(m->mem_path);
			d->be.share = m->share;
			d->be.pmem = m->pmem;
			d->be.align = m->align;
			d->be.has_align = m->has_align;
			dev_host_path(d, cwd);
		}
		d->qmp_seen = true;
		d->hotplugged = m->hotplugged;
		qmp_copy(&d->qmp, m);
		diff = qmp_compare(d, m);
		if (*diff)
			d->qmp_diff = xstrdup(diff + 2);
		free(diff);
	}
	for (size_t j = 0; j < ncmd; j++)
		vm->devs[j].qmp_missing = !vm->devs[j].qmp_seen;
}

/* QEMU's share= against the kernel's mapping: a difference is a finding too. */
static void qmp_vs_mapping(struct run_dev *d)
{
	char *diff;

	if (!d->qmp_seen || !d->qmp.has_share || d->shared == RF_UNKNOWN ||
	    d->qmp.share == (d->shared == RF_YES))
		return;
	diff = xasprintf("%s%sshare: QEMU %s, the mapping %s", d->qmp_diff ? d->qmp_diff : "",
			 d->qmp_diff ? "; " : "", d->qmp.share ? "on" : "off",
			 d->shared == RF_YES ? "shared" : "private");
	free(d->qmp_diff);
	d->qmp_diff = diff;
}

void running_probe(struct host *h, long pid, qver_t qver, struct run_vm *vm)
{
	running_probe_qmp(h, pid, qver, NULL, NULL, 0, vm);
}

void running_probe_qmp(struct host *h, long pid, qver_t qver, const char *socket,
		       const struct qmp_memdev *qm, size_t nqm, struct run_vm *vm)
{
	struct findings f = { 0 };
	struct qcmdline cl;
	struct smaps sm = { 0 };
	struct vm model;
	char *err = NULL, *cwd;
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->pid = pid;
	vm->verdict = RV_NONE;
	r = qcmdline_from_pid(h->sysroot && *h->sysroot ? h->sysroot : NULL, pid, &cl, &err);
	if (r < 0) {
		vm->err = r;
		if (r == -EINVAL)
			vm->error = err;
		else if (r == -ENOENT)
			vm->error = xasprintf("no process %ld", pid);
		else if (r == -ENODATA)
			vm->error = xasprintf("process %ld has no command line (a kernel thread or a zombie)",
					      pid);
		else
			vm->error = xasprintf("process %ld: cannot read its command line: %s", pid,
					      strerror(-r));
		if (r != -EINVAL)
			free(err);
		vm->verdict = RV_UNKNOWN;
		return;
	}
	vm->name = vm_name(&cl);
	vm_build(&model, &cl, qver, &f);
	findings_free(&f);
	cwd = xasprintf("%s/proc/%ld/cwd", procroot(h), pid);
	/*
	 * Every memory device of the table that can hold the guest's data: DIMMs (slot) and
	 * the persistent types; virtio-mem is RAM by design and is not checked.
	 */
	for (size_t i = 0; i < model.nmemdevs; i++) {
		struct memdev *dm = &model.memdevs[i];
		struct run_dev *d;
		const char *memdev;

		if (!dm->type->slot && dm->type->persistence == PM_VOLATILE)
			continue;
		d = add_dev(vm);
		d->type = dm->type->driver;
		d->persistence = dm->type->persistence;
		d->id = xstrdup(memdev_name(dm));
		d->has_id = dm->id != NULL;
		/* the rules set dm->memdev; the command line is the source here */
		memdev = dm->memdev ? dm->memdev : kv_get(&dm->props, "memdev");
		d->memdev = xstrdup(memdev ? memdev : "");
		dev_from_backend(d, memdev ? vm_find_backend(&model, memdev) : NULL, cwd);
	}
	if (socket) {
		vm->qmp_asked = true;
		vm->qmp_socket = xstrdup(socket);
		merge_qmp(vm, qm, nqm, cwd);
	}
	free(cwd);
	if (vm->ndevs) {
		r = smaps_read(h, pid, &sm);
		if (r < 0)
			vm->unreadable = xasprintf("cannot read /proc/%ld/smaps: %s%s", pid, strerror(-r),
						   r == -EACCES || r == -EPERM
							   ? " (run as root or as the VM's user)" : "");
	}
	for (size_t i = 0; i < vm->ndevs; i++) {
		struct run_dev *d = &vm->devs[i];

		if (vm->unreadable && d->host_path) {
			dev_set(d, RV_UNKNOWN, "%s", vm->unreadable);
		} else {
			if (d->host_path)
				find_mapping(h, pid, &sm, d);
			qmp_vs_mapping(d);
			run_dev_verdict(d, pid);
		}
		if (d->verdict == RV_NOT_PERSISTENT || vm->verdict == RV_NONE ||
		    (d->verdict == RV_UNKNOWN && vm->verdict == RV_PERSISTENT))
			vm->verdict = vm->verdict == RV_NOT_PERSISTENT ? RV_NOT_PERSISTENT : d->verdict;
	}
	smaps_free(&sm);
	vm_free(&model);
	qcmdline_free(&cl);
}

int running_probe_socket(struct host *h, qver_t qver, const char *socket, long pid,
			 bool check_peer, struct run_vm *vm, char **err)
{
	struct qmp_memdev *qm = NULL;
	size_t nqm = 0;
	struct qmp q;

	memset(vm, 0, sizeof(*vm));
	if (qmp_open(&q, socket, err) < 0)
		return NVD_EXIT_ENV;
	/* another process's monitor: asked nothing */
	if (pid > 0 && check_peer && q.peer && q.peer != pid) {
		*err = xasprintf("the monitor of process %ld, not of --pid %ld", (long)q.peer, pid);
		qmp_close(&q);
		return NVD_EXIT_USAGE;
	}
	if (qmp_memory_devices(&q, &qm, &nqm, err) < 0) {
		qmp_close(&q);
		return NVD_EXIT_ENV;
	}
	running_probe_qmp(h, pid > 0 ? pid : (long)q.peer, qver, socket, qm, nqm, vm);
	qmp_memdevs_free(qm, nqm);
	qmp_close(&q);
	return 0;
}

size_t running_drop_exited(struct run_vm *vms, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		if (vms[i].err == -ENOENT || vms[i].err == -ENODATA)
			run_vm_free(&vms[i]);
		else
			vms[kept++] = vms[i];
	}
	return kept;
}

int running_exit_status(const struct run_vm *vms, size_t n)
{
	int rc = NVD_EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		if (vms[i].verdict == RV_UNKNOWN)
			rc = NVD_EXIT_ENV;
		else if (vms[i].verdict == RV_NOT_PERSISTENT && rc == NVD_EXIT_OK)
			rc = NVD_EXIT_FAIL;
	}
	return rc;
}

const char *running_verdict(const struct run_vm *vms, size_t n)
{
	bool any = false;

	for (size_t i = 0; i < n; i++)
		any |= vms[i].verdict != RV_NONE;
	switch (any ? running_exit_status(vms, n) : -1) {
	case -1:
		return "none";
	case NVD_EXIT_OK:
		return "persistent";
	case NVD_EXIT_FAIL:
		return "not-persistent";
	default:
		return "unknown";
	}
}

void run_vm_free(struct run_vm *vm)
{
	for (size_t i = 0; i < vm->ndevs; i++) {
		struct run_dev *d = &vm->devs[i];

		free(d->id);
		free(d->memdev);
		backend_opts_free(&d->be);
		free(d->host_path);
		free(d->canon);
		free(d->map_name);
		free(d->fstype);
		free(d->mount_point);
		free(d->reason);
		free(d->fix);
		free(d->qmp_diff);
		free(d->qmp.type);
		free(d->qmp.id);
		free(d->qmp.memdev);
		free(d->qmp.backend_type);
		free(d->qmp.mem_path);
	}
	free(vm->qmp_socket);
	free(vm->devs);
	free(vm->name);
	free(vm->error);
	free(vm->unreadable);
	memset(vm, 0, sizeof(*vm));
}

/* Output. */

static void out_fact(struct out *o, const char *key, enum run_fact v)
{
	if (v == RF_UNKNOWN)
		out_null(o, key, NULL);
	else
		out_bool(o, key, NULL, v == RF_YES);
}

static void qmp_check(const struct run_dev *d, bool asked, struct out *o);

static void dev_checks(const struct run_dev *d, long pid, bool qmp_asked, struct out *o)
{
	char *a, *b;

	out_arr_open(o, "checks");
	qmp_check(d, qmp_asked, o);
	if (!d->be.qom_type || !d->be.mem_path || !d->mapped || !d->reason) {
		out_arr_close(o);
		return;
	}
	if (d->is_dir)
		out_check(o, "running-backend-path", "the backend file", R_FAIL,
			  "%s is a directory: QEMU maps %s (deleted)", d->be.mem_path, d->map_name);
	else if (d->deleted)
		out_check(o, "running-backend-deleted", "the backend file", R_FAIL,
			  "%s was deleted: QEMU maps %s (deleted), inode %llu%s", d->be.mem_path, d->map_name,
			  (unsigned long long)d->map_ino, d->fd >= 0 ? ", still open" : "");
	else if (d->replaced)
		out_check(o, "running-backend-replaced", "the backend file", R_FAIL,
			  "%s now names another file: QEMU maps inode %llu, deleted", d->be.mem_path,
			  (unsigned long long)d->map_ino);
	else
		out_check(o, "running-backend-path", "the backend file", R_PASS,
			  "%s names the mapped file (device %u:%u, inode %llu)", d->be.mem_path, d->map_major,
			  d->map_minor, (unsigned long long)d->map_ino);
	a = size_human(d->map_size);
	out_check(o, "running-mapping", "the mapping", d->shared == RF_YES ? R_PASS : R_FAIL, "%s, %s%s",
		  d->shared == RF_YES ? "shared" : "private", a,
		  d->shared == RF_YES || !d->be.share ? "" : ": QEMU was asked share=on");
	free(a);
	if (d->devdax == RF_YES)
		out_check(o, "running-devdax", "device-DAX", R_PASS, "%s", d->map_name);
	else if (d->map_sync == RF_YES)
		out_check(o, "running-map-sync", "MAP_SYNC", R_PASS, "in effect (sf in VmFlags)");
	else if (d->be.pmem)
		out_check(o, "running-pmem-fallback", "MAP_SYNC", R_FAIL,
			  "pmem=on was asked but not granted (no sf in VmFlags): QEMU fell back");
	else
		out_check(o, "running-map-sync", "MAP_SYNC", d->persistence == PM_GUEST_FLUSH ? R_INFO : R_WARN,
			  "not asked (pmem=off)");
	if (d->devdax != RF_YES) {
		if (!d->have_mount)
			out_check(o, "running-mount", "the file system", R_WARN,
				  "no mountinfo entry for device %u:%u", d->map_major, d->map_minor);
		else
			out_check(o, "running-mount", "the file system",
				  d->dax == DAX_MOUNT_ALWAYS || d->map_sync == RF_YES ? R_PASS : R_WARN,
				  "%s at %s, dax %s%s", d->fstype, d->mount_point, dax_mount_name(d->dax),
				  d->statx_dax == RF_YES ? ", the file has the DAX attribute" :
				  d->statx_dax == RF_NO ? ", the file has no DAX attribute" : "");
	}
	a = size_human(d->rss);
	b = size_human(d->map_size);
	out_check(o, "running-resident", "the resident size",
		  d->be.prealloc && d->rss < d->map_size ? R_WARN : R_INFO, "%s of %s%s", a, b,
		  d->be.prealloc && d->rss < d->map_size ? ": prealloc=on, pages were dropped since" : "");
	free(a);
	free(b);
	(void)pid;
	out_arr_close(o);
}

static void qmp_check(const struct run_dev *d, bool asked, struct out *o)
{
	if (!asked)
		return;
	if (d->qmp_missing)
		out_check(o, "running-qmp-missing", "what QEMU says (QMP)", R_WARN,
			  "not in query-memory-devices: unplugged since start?");
	else if (d->qmp_diff)
		out_check(o, "running-qmp-differs", "what QEMU says (QMP)", R_WARN, "%s", d->qmp_diff);
	else if (d->from_qmp)
		out_check(o, "running-qmp-hotplugged", "what QEMU says (QMP)", R_INFO,
			  "not on the command line: %s; %s, share=%s, pmem=%s",
			  d->hotplugged ? "hotplugged" : "added", d->qmp.backend_type ? d->qmp.backend_type : "?",
			  d->qmp.share ? "on" : "off", d->qmp.pmem ? "on" : "off");
	else
		out_check(o, "running-qmp", "what QEMU says (QMP)", R_PASS,
			  "as on the command line: share=%s, pmem=%s%s%s",
			  d->qmp.share ? "on" : "off", d->qmp.pmem ? "on" : "off",
			  d->qmp.mem_path ? ", mem-path=" : "", d->qmp.mem_path ? d->qmp.mem_path : "");
}

static void qmp_json(const struct run_dev *d, bool asked, struct out *o)
{
	if (!asked || !d->qmp_seen) {
		out_null(o, "qmp", NULL);
		return;
	}
	out_obj_open(o, "qmp");
	out_str(o, "type", NULL, d->qmp.type);
	out_bool(o, "hotplugged", NULL, d->hotplugged);
	out_bool(o, "on_command_line", NULL, !d->from_qmp);
	out_str(o, "backend", NULL, d->qmp.backend_type);
	out_str(o, "mem_path", NULL, d->qmp.mem_path);
	if (d->qmp.has_share)
		out_bool(o, "share", NULL, d->qmp.share);
	else
		out_null(o, "share", NULL);
	if (d->qmp.has_pmem)
		out_bool(o, "pmem", NULL, d->qmp.pmem);
	else
		out_null(o, "pmem", NULL);
	if (d->qmp.has_align)
		out_u64(o, "align", NULL, d->qmp.align);
	else
		out_null(o, "align", NULL);
	out_str(o, "differs", NULL, d->qmp_diff);
	out_obj_close(o);
}

static void dev_print(const struct run_dev *d, long pid, bool qmp_asked, struct out *o)
{
	out_obj_open(o, NULL);
	out_str(o, "id", "  %s", d->id);
	out_str(o, "type", " (%s", d->type);
	out_str(o, "memdev", ", memdev %s", d->memdev);
	out_str(o, "backend", d->be.qom_type ? ", %s" : NULL, d->be.qom_type);
	out_str(o, "mem_path", d->be.mem_path ? ", %s" : NULL, d->be.mem_path);
	out_text(o, ")\n");
	out_str(o, "host_path", NULL, d->canon);
	out_bool(o, "asked_share", NULL, d->be.share);
	out_bool(o, "asked_pmem", NULL, d->be.pmem);
	out_bool(o, "asked_prealloc", NULL, d->be.prealloc);
	out_u64(o, "size", NULL, d->be.size);
	out_bool(o, "mapped", NULL, d->mapped);
	out_str(o, "mapped_file", NULL, d->map_name);
	if (d->mapped) {
		char *dev = xasprintf("%u:%u", d->map_major, d->map_minor);

		out_str(o, "mapped_device", NULL, dev);
		out_u64(o, "mapped_inode", NULL, d->map_ino);
		out_u64(o, "mapping_size", NULL, d->map_size);
		out_u64(o, "resident", NULL, d->rss);
		free(dev);
	} else {
		out_null(o, "mapped_device", NULL);
		out_null(o, "mapped_inode", NULL);
		out_null(o, "mapping_size", NULL);
		out_null(o, "resident", NULL);
	}
	out_fact(o, "path_names_mapped_file", d->names_mapped);
	out_bool(o, "backend_deleted", NULL, d->deleted);
	out_bool(o, "backend_replaced", NULL, d->replaced);
	out_fact(o, "shared", d->shared);
	out_fact(o, "map_sync", d->map_sync);
	out_fact(o, "devdax", d->devdax);
	if (d->mapped)
		out_bool(o, "pmem_fallback", NULL,
			 d->be.pmem && d->map_sync != RF_YES && d->devdax != RF_YES);
	else
		out_null(o, "pmem_fallback", NULL);
	if (d->have_mount) {
		out_obj_open(o, "mount");
		out_str(o, "point", NULL, d->mount_point);
		out_str(o, "fstype", NULL, d->fstype);
		out_str(o, "dax", NULL, dax_mount_name(d->dax));
		out_obj_close(o);
	} else {
		out_null(o, "mount", NULL);
	}
	out_fact(o, "statx_dax", d->statx_dax);
	if (d->fd >= 0)
		out_i64(o, "fd", NULL, d->fd);
	else
		out_null(o, "fd", NULL);
	qmp_json(d, qmp_asked, o);
	out_bool(o, "qmp_missing", NULL, d->qmp_missing);
	dev_checks(d, pid, qmp_asked, o);
	if (d->verdict == RV_UNKNOWN)
		out_null(o, "persistent", NULL);
	else
		out_bool(o, "persistent", NULL, d->verdict == RV_PERSISTENT);
	out_text(o, "    Verdict: ");
	out_color(o, d->verdict == RV_PERSISTENT ? "\033[1;32m" :
		  d->verdict == RV_UNKNOWN ? "\033[1;33m" : "\033[1;31m");
	out_text(o, "%s", d->verdict == RV_PERSISTENT ? "PERSISTENT" :
		 d->verdict == RV_UNKNOWN ? "UNKNOWN" : "NOT PERSISTENT");
	out_color(o, "\033[0m");
	out_text(o, "\n");
	out_str(o, "verdict", NULL, run_verdict_name(d->verdict));
	out_str(o, "reason", "      why: %s\n", d->reason);
	out_str(o, "fix", d->fix ? "      fix: %s\n" : NULL, d->fix);
	out_obj_close(o);
}

void running_print(const struct run_vm *vms, size_t n, struct out *o)
{
	out_arr_open(o, "vms");
	for (size_t i = 0; i < n; i++) {
		const struct run_vm *vm = &vms[i];

		out_obj_open(o, NULL);
		out_i64(o, "pid", "process %lld", vm->pid);
		out_str(o, "name", vm->name ? " (%s)" : NULL, vm->name);
		if (vm->error) {
			out_str(o, "error", ": %s\n", vm->error);
			out_arr_open(o, "devices");
			out_arr_close(o);
			out_str(o, "verdict", NULL, run_verdict_name(RV_UNKNOWN));
			out_obj_close(o);
			continue;
		}
		out_text(o, ": %zu memory device%s", vm->ndevs, vm->ndevs == 1 ? "" : "s");
		out_str(o, "qmp", vm->qmp_socket ? ", QMP %s" : NULL, vm->qmp_socket);
		out_text(o, "\n");
		out_str(o, "error", NULL, vm->unreadable);
		out_arr_open(o, "devices");
		for (size_t j = 0; j < vm->ndevs; j++)
			dev_print(&vm->devs[j], vm->pid, vm->qmp_asked, o);
		out_arr_close(o);
		out_str(o, "verdict", NULL, run_verdict_name(vm->verdict));
		out_text(o, "  VM verdict: %s\n",
			 vm->verdict == RV_PERSISTENT ? "PERSISTENT" :
			 vm->verdict == RV_UNKNOWN ? "UNKNOWN" :
			 vm->verdict == RV_NONE ? "no memory device (nothing persistent asked)" :
			 "NOT PERSISTENT");
		out_obj_close(o);
	}
	out_arr_close(o);
}

static void family(FILE *fp, const char *name, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void label(FILE *fp, const char *key, const char *val, bool first)
{
	char *v = prom_label_value(val ? val : "");

	fprintf(fp, "%s%s=\"%s\"", first ? "" : ",", key, v);
	free(v);
}

static void dev_sample(FILE *fp, const char *metric, const struct run_vm *vm,
		       const struct run_dev *d, const char *k, const char *v, int val)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%ld", vm->pid);
	fprintf(fp, "%s{", metric);
	label(fp, "vm", vm->name, true);
	label(fp, "pid", pid, false);
	label(fp, "device", d->id, false);
	label(fp, "memdev", d->memdev, false);
	label(fp, "path", d->be.mem_path ? (d->canon ? d->canon : d->be.mem_path) : "", false);
	if (k)
		label(fp, k, v, false);
	fprintf(fp, "} %d\n", val);
}

typedef int (*dev_value)(const struct run_dev *d);

static int v_persistent(const struct run_dev *d)
{
	return d->verdict == RV_UNKNOWN ? -1 : d->verdict == RV_PERSISTENT;
}

static int v_map_sync(const struct run_dev *d)
{
	return d->map_sync == RF_UNKNOWN ? -1 : d->map_sync == RF_YES;
}

static int v_shared(const struct run_dev *d)
{
	return d->shared == RF_UNKNOWN ? -1 : d->shared == RF_YES;
}

static int v_devdax(const struct run_dev *d)
{
	return d->devdax == RF_UNKNOWN ? -1 : d->devdax == RF_YES;
}

static int v_deleted(const struct run_dev *d)
{
	return !d->mapped || d->is_dir ? -1 : d->deleted || d->replaced;
}

static void dev_family(FILE *fp, const struct run_vm *vms, size_t n, const char *metric,
		       const char *help, dev_value fn)
{
	family(fp, metric, help);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < vms[i].ndevs; j++) {
			int v = fn(&vms[i].devs[j]);

			if (v >= 0)	/* unknown: no sample, never a guess */
				dev_sample(fp, metric, &vms[i], &vms[i].devs[j], NULL, NULL, v);
		}
}

void running_prometheus(const struct run_vm *vms, size_t n, FILE *fp)
{
	size_t nvms = 0;

	for (size_t i = 0; i < n; i++)
		nvms += !vms[i].error;
	family(fp, "nvd_running_vms", "QEMU processes read");
	fprintf(fp, "nvd_running_vms %zu\n", nvms);
	family(fp, "nvd_running_vm_persistent",
	       "1 when every memory device of the VM is persistent now (no sample: unknown, or no device)");
	for (size_t i = 0; i < n; i++) {
		const struct run_vm *vm = &vms[i];
		char pid[32];

		if (vm->error || vm->verdict == RV_UNKNOWN || vm->verdict == RV_NONE)
			continue;
		snprintf(pid, sizeof(pid), "%ld", vm->pid);
		fputs("nvd_running_vm_persistent{", fp);
		label(fp, "vm", vm->name, true);
		label(fp, "pid", pid, false);
		fprintf(fp, "} %d\n", vm->verdict == RV_PERSISTENT);
	}
	dev_family(fp, vms, n, "nvd_running_device_persistent",
		   "1 when guest writes to the running VM's memory device survive a host crash now", v_persistent);
	family(fp, "nvd_running_device_verdict", "the device's verdict, as a label (unknown: its process could not be read)");
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < vms[i].ndevs; j++)
			dev_sample(fp, "nvd_running_device_verdict", &vms[i], &vms[i].devs[j], "verdict",
				   run_verdict_name(vms[i].devs[j].verdict), 1);
	dev_family(fp, vms, n, "nvd_running_device_map_sync",
		   "1 when the backend's mapping has MAP_SYNC (sf in VmFlags)", v_map_sync);
	dev_family(fp, vms, n, "nvd_running_device_shared",
		   "1 when the backend's mapping is shared (share=on)", v_shared);
	dev_family(fp, vms, n, "nvd_running_device_devdax",
		   "1 when the backend is a device-DAX character device", v_devdax);
	dev_family(fp, vms, n, "nvd_running_device_backend_deleted",
		   "1 when the mapped backend file was deleted or replaced after QEMU started", v_deleted);
}
