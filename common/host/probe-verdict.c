// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The verdict for QEMU's memory-backend-file options on a probed path:
 * will guest writes survive a host crash, will QEMU warn or stay silent,
 * or will it refuse to start. QEMU's behaviour is that of
 * backends/hostmem-file.c, system/physmem.c and util/mmap-alloc.c
 * (reference/qemu-nvdimm.md sections 1 and 2).
 */
#include "probe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memdev.h"
#include "qemu-args.h"
#include "qemu-backend.h"
#include "qemu-caps.h"
#include "util.h"
#include "vmconfig.h"


static const char *const verdict_names[] = { "persistent", "not-persistent", "refused", "error" };

const char *verdict_name(enum verdict v)
{
	return verdict_names[v];
}

/* "2M", "1G", "4K": how a user writes the value back on the command line. */
static char *size_opt(uint64_t v)
{
	if (v && !(v % GiB))
		return xasprintf("%lluG", (unsigned long long)(v / GiB));
	if (v && !(v % MiB))
		return xasprintf("%lluM", (unsigned long long)(v / MiB));
	if (v && !(v % KiB))
		return xasprintf("%lluK", (unsigned long long)(v / KiB));
	return xasprintf("%llu", (unsigned long long)v);
}

static void qemu_msg(struct verdict_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void qemu_msg(struct verdict_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strv_push(&r->qemu, xvasprintf(fmt, ap));
	va_end(ap);
}

static void fix(struct verdict_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fix(struct verdict_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strv_push(&r->fixes, xvasprintf(fmt, ap));
	va_end(ap);
}

static void set(struct verdict_result *r, enum verdict v, bool silent, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void set(struct verdict_result *r, enum verdict v, bool silent, const char *fmt, ...)
{
	va_list ap;

	r->verdict = v;
	r->qemu_silent = silent;
	free(r->reason);
	va_start(ap, fmt);
	r->reason = xvasprintf(fmt, ap);
	va_end(ap);
}

/* What readlink(/proc/self/fd/N) shows QEMU for the file it maps. */
static char *qemu_file_name(const struct path_facts *f, const struct qemu_opts *q)
{
	const char *id = q->be.id ? q->be.id : "mem0";

	if (f->kind == PK_DIR)
		return xasprintf("%s/qemu_back_mem.%s.XXXXXX (deleted)",
				 f->real_path ? f->real_path : f->path, id);
	if (f->kind == PK_MISSING)
		return xasprintf("%s/%s", f->real_path ? f->real_path : f->probed,
				 strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path);
	return xstrdup(f->real_path ? f->real_path : f->path);
}

/* QEMU's refusals that do not depend on DAX, in its order. Returns true if refused. */
static bool refused(const struct path_facts *f, const struct qemu_opts *q, qver_t qver,
		    struct verdict_result *r)
{
	const char *id = q->be.id ? q->be.id : "mem0";
	uint64_t off = q->be.has_offset ? q->be.offset : 0;
	uint64_t fsize = f->kind == PK_DEVDAX ? f->dax_size : f->file_size;
	uint64_t align = q->be.has_align ? q->be.align : 0;
	uint64_t dax_align = f->dax_region_align ? f->dax_region_align : f->dax_align;
	char *s;

	if (q->parse_error) {
		set(r, V_REFUSED, false, "QEMU rejects the -object text");
		qemu_msg(r, "%s", q->parse_error);
		return true;
	}
	if (q->binary_prop_qemu) {
		set(r, V_REFUSED, false, "%s has no memory-backend-file property %s%s", q->binary,
		    q->binary_prop, streq(q->binary_prop, "pmem") ? ": it was built without libpmem" : "");
		qemu_msg(r, "%s", q->binary_prop_qemu);
		fix(r, "leave %s= out, or use a QEMU that has it%s", q->binary_prop,
		    streq(q->binary_prop, "pmem") ? " (built with libpmem)" : "");
		return true;
	}
	if (q->be.readonly && f->kind == PK_MISSING && qver >= QVER(8, 2)) {
		set(r, V_REFUSED, false, "readonly=on and %s does not exist: QEMU never creates a read-only file",
		    f->path);
		qemu_msg(r, "can't open backing store %s for guest RAM: %s", f->path, strerror(ENOENT));
		fix(r, "create the file first, or readonly=off");
		return true;
	}
	if (f->kind == PK_MISSING && f->dangling && !(q->be.readonly && qver >= QVER(8, 2))) {
		/* open() finds nothing, open(O_CREAT|O_EXCL) finds the link: QEMU loops. */
		set(r, V_REFUSED, true, "%s is a symbolic link to a file that does not exist: QEMU cannot create the file through the link and retries forever (it hangs, never starts)",
		    f->path);
		fix(r, "create the link's target, or point the link at an existing file");
		return true;
	}
	if (q->be.has_size && fsize &&
	    (s = qemu_file_size_refusal(qver, id, f->path, fsize, off, q->be.size))) {
		set(r, V_REFUSED, false, "%s has %llu bytes, less than size%s: QEMU never grows an existing backend",
		    f->path, (unsigned long long)fsize, off ? " plus offset" : "");
		qemu_msg(r, "%s", s);
		free(s);
		s = size_opt(fsize - (fsize > off ? off : 0));
		fix(r, "size=%s or less (what the backend holds)", s);
		free(s);
		return true;
	}
	if (f->kind == PK_DEVDAX && (s = qemu_devdax_align_refusal(dax_align, align))) {
		qemu_msg(r, "%s", s);
		free(s);
		s = size_opt(dax_align);
		set(r, V_REFUSED, false, "%s is aligned to %s: QEMU refuses a smaller 'align' option",
		    f->dax_name, s);
		fix(r, "align=%s", s);
		free(s);
		return true;
	}
	if ((s = qemu_align_refusal(align, QEMU_HOST_PAGE))) {
		set(r, V_REFUSED, false, "align is not a %s",
		    align % QEMU_HOST_PAGE ? "multiple of the page size" : "power of two");
		qemu_msg(r, "%s", s);
		free(s);
		fix(r, "align=2M");
		return true;
	}
	if (f->kind == PK_DEVDAX && !q->be.share) {
		set(r, V_REFUSED, false, "share=off maps device-DAX privately, which the kernel refuses");
		qemu_msg(r, "unable to map backing store for guest RAM: %s", strerror(EINVAL));
		fix(r, "share=on");
		return true;
	}
	if (q->prealloc_crash) {
		set(r, V_REFUSED, true, "prealloc=on on a read-only mapping: QEMU writes every page to preallocate it and dies of SIGSEGV, with no message");
		fix(r, "drop prealloc=on%s", qver >= QVER(8, 2) ? ", or give rom=off" : "");
		return true;
	}
	/* the devices come after the backends (qemu_create_cli_devices) */
	if (q->binary_device_qemu) {
		set(r, V_REFUSED, false, "%s has no %s device: it was built without it", q->binary,
		    q->device ? q->device->driver : "nvdimm");
		qemu_msg(r, "%s", q->binary_device_qemu);
		fix(r, "use a QEMU built with %s", q->device ? q->device->driver : "nvdimm");
		return true;
	}
	return false;
}

/* pmem=on, which a QEMU built without libpmem cannot give */
static void fix_pmem(const struct qemu_opts *q, struct verdict_result *r, const char *what)
{
	if (q->binary_no_pmem)
		fix(r, "%s, with a QEMU built with libpmem: %s has no pmem (pmem=off assumed)", what,
		    q->binary);
	else
		fix(r, "%s", what);
}

static void fix_dax(const struct path_facts *f, struct verdict_result *r)
{
	if (f->on_pmem_dev && (f->dax_mount == DAX_MOUNT_NONE || f->dax_mount == DAX_MOUNT_NEVER))
		fix(r, "remount %s with -o dax=always (it is on %s, an fsdax namespace can do DAX)",
		    f->mnt->point, f->mnt->source);
	else if (f->dax_mount == DAX_MOUNT_INODE)
		fix(r, "set the DAX flag on the directory (xfs_io -c 'chattr +x' DIR) and create the backend again, or remount with -o dax=always");
	else
		fix(r, "move the backend to a DAX file system (ext4 or xfs mounted -o dax on an fsdax namespace) or use a device-DAX node /dev/daxX.Y");
}

/* The seeds' sync=on|off|auto (never merged upstream). */
static void proposal(const struct path_facts *f, const struct qemu_opts *q,
		     struct verdict_result *r)
{
	static const char *const names[] = { "off", "on" };
	bool granted = f->kind == PK_DEVDAX || (f->sync_tried && !f->sync_errno);
	const char *v = q->sync == TRI_AUTO ? "auto" : names[q->sync];

	r->proposal = xasprintf("sync=%s is the seeds' proposal (memory-backend-file 'sync', v2 to v7 of the MAP_SYNC series), never merged: upstream QEMU says \"Invalid parameter 'sync'\" and decides by pmem=on,share=on alone",
				v);
	if (f->kind == PK_DEVDAX)
		return;
	/* Upstream's messages and fixes do not apply to the proposal's behaviour. */
	strv_free(&r->qemu);
	strv_free(&r->fixes);
	if (q->sync == TRI_OFF) {
		set(r, V_NOT_PERSISTENT, true, "sync=off: MAP_SYNC is never requested");
		fix(r, "sync=auto or sync=on");
	} else if (q->sync == TRI_ON && (!q->be.share || !granted)) {
		set(r, V_REFUSED, false, "sync=on %s: the proposal aborts",
		    !q->be.share ? "with share=off" : "and the kernel refuses MAP_SYNC here");
		if (!q->be.share)
			fix(r, "share=on");
		else
			fix_dax(f, r);
	} else if (q->be.share && granted) {
		set(r, V_PERSISTENT, false, "sync=%s with share=on: MAP_SYNC is granted", v);
	} else {
		set(r, V_NOT_PERSISTENT, true, "sync=auto without %s: no MAP_SYNC, silently",
		    !q->be.share ? "share=on" : "a DAX file");
		if (!q->be.share)
			fix(r, "share=on");
		else
			fix_dax(f, r);
	}
}

static void persistence_fix(const struct path_facts *f, struct verdict_result *r)
{
	if (!f->nd.region || r->verdict != V_PERSISTENT)
		return;
	if (!strcmp(f->nd.persistence, "cpu_cache"))
		fix(r, "-machine nvdimm-persistence=cpu (%s: cpu_cache)", f->nd.region);
	else if (!strcmp(f->nd.persistence, "memory_controller"))
		fix(r, "-machine nvdimm-persistence=mem-ctrl (%s: memory_controller)", f->nd.region);
	else
		fix(r, "leave nvdimm-persistence unset: %s reports no persistence domain",
		    f->nd.region);
}

/*
 * virtio-pmem (QEMU's docs/system/devices/virtio-pmem.rst): the guest's
 * region is not synchronous, so its kernel refuses MAP_SYNC and a guest
 * flush (fsync/msync) makes QEMU fsync() the backend; the host file needs
 * no DAX, and a real NVDIMM or device-DAX backend is not supported.
 */
static void guest_flush(const struct path_facts *f, const struct qemu_opts *q, qver_t qver,
			struct verdict_result *r)
{
	const char *drv = q->device->driver;

	if (f->kind == PK_DEVDAX) {
		set(r, V_NOT_PERSISTENT, true, "%s on device-DAX %s: QEMU's documentation says a real NVDIMM or device-DAX backend is not supported for virtio-pmem (its flush is an fsync, which device-DAX does not need nor honour as such)",
		    drv, f->dax_name);
		fix(r, "give virtio-pmem a file on a regular file system, or give the device-DAX node to an nvdimm device");
	} else if (!q->be.share) {
		set(r, V_NOT_PERSISTENT, true, "share=off maps the backend privately: the guest's flushes make QEMU fsync %s, which the guest's writes never reach",
		    f->path);
		fix(r, "share=on");
	} else {
		set(r, V_PERSISTENT, false, "%s: persistent through guest flushes: data the guest has fsync'ed or msync'ed is on %s (QEMU fsyncs the file for it); the guest's region is not synchronous, so MAP_SYNC is refused in the guest and stores alone are not durable; the host file needs no DAX",
		    drv, f->path);
	}
	if (q->be.pmem && q->be.share && f->sync_tried && f->sync_errno == EOPNOTSUPP) {
		/* the backend's own warnings, whatever device maps it */
		char *name = qemu_file_name(f, q);

		qemu_msg(r, "Warning: requesting persistence across crashes for backend file %s failed. Proceeding without persistence, data might become corrupted in case of host crash.",
			 name);
		free(name);
		if (qver >= QVER(6, 1))
			qemu_msg(r, "warning: Using non DAX backing file with 'pmem=on' option is deprecated");
	}
	if (q->be.pmem && f->kind != PK_DEVDAX)
		fix(r, "pmem=off: pmem=on is for an nvdimm on DAX; virtio-pmem persists through the guest's flushes");
}

int qemu_opts_from_object(const char *text, qver_t qver, const struct qemu_caps *caps,
			  struct qemu_opts *q, char **err)
{
	char *words[] = { "-object", (char *)text };
	struct findings f = { 0 };
	struct qcmdline cl;
	struct vm vm;
	const char *p;
	int rc = 0;

	if (qcmdline_from_words(words, 2, "--object", &cl, err) < 0)
		return -1;
	vm_build_caps(&vm, &cl, qver, caps, &f);
	/* nvd-plan's and nvd-map's checks of the options, in QEMU's order */
	if (vm.nbackends == 1 && vm.backends[0].kind == BK_FILE && !findings_count(&f, LEVEL_FAIL))
		backend_check_props(qver, &vm.backends[0], &f);
	for (size_t i = 0; i < f.n; i++) {
		if (f.v[i].level == LEVEL_FAIL && f.v[i].qemu && !q->parse_error)
			q->parse_error = xstrdup(f.v[i].qemu);
	}
	if (vm.nbackends == 1 && vm.backends[0].kind != BK_FILE) {
		*err = xasprintf("%s is not memory-backend-file", vm.backends[0].qom_type);
		rc = -1;
	} else if (vm.nbackends == 1) {
		const struct backend *b = &vm.backends[0];

		q->prealloc_crash = backend_prealloc_crashes(qver, b);
		backend_opts_get(&q->be, b);
	} else if (!q->parse_error) {
		*err = xasprintf("not a memory backend: '%s'", text);
		rc = -1;
	}
	/* mem-path even when QEMU rejects the text, to probe it anyway */
	p = strstr(text, "mem-path=");
	if (rc == 0 && !q->be.mem_path && p)
		q->be.mem_path = xstrndup(p + 9, strcspn(p + 9, ","));
	vm_free(&vm);
	findings_free(&f);
	qcmdline_free(&cl);
	return rc;
}

void qemu_opts_check_binary(struct qemu_opts *q, const struct qemu_caps *caps)
{
	static const char *const file = "memory-backend-file";
	const char *driver = q->device ? q->device->driver : "nvdimm";
	const struct {
		const char *name;
		bool given;
	} props[] = {
		/* nvd-check's options; a build lacks one at most (pmem, without libpmem) */
		{ "share", q->be.has_share }, { "pmem", q->be.has_pmem },
		{ "readonly", q->be.has_readonly }, { "align", q->be.has_align },
		{ "size", q->be.has_size },
	};

	if (!caps || !caps->asked)
		return;
	free(q->binary);
	q->binary = qemu_caps_name(caps);
	for (size_t i = 0; i < ARRAY_SIZE(props) && !q->binary_prop; i++) {
		if (!props[i].given || qemu_caps_prop(caps, file, props[i].name) != 0)
			continue;
		/* -object's QemuOpts form: the keyval parser's text (7.2, 10.0, 11.1) */
		q->binary_prop = xstrdup(props[i].name);
		q->binary_prop_qemu = xasprintf("Invalid parameter '%s'", props[i].name);
	}
	if (!q->given && q->be.pmem && qemu_caps_prop(caps, file, "pmem") == 0) {
		q->be.pmem = false;
		q->binary_no_pmem = true;
	}
	if (qemu_caps_device(caps, driver) == 0)
		q->binary_device_qemu = xasprintf("'%s' is not a valid device model name", driver);
}

void qemu_opts_free(struct qemu_opts *q)
{
	backend_opts_free(&q->be);
	free(q->parse_error);
	free(q->binary);
	free(q->binary_prop);
	free(q->binary_prop_qemu);
	free(q->binary_device_qemu);
}

void verdict_eval(const struct host *h, const struct path_facts *f, const struct qemu_opts *q,
		  qver_t qver, struct verdict_result *r)
{
	char *name;

	(void)h;
	memset(r, 0, sizeof(*r));
	r->model = q->device && q->device->persistence == PM_GUEST_FLUSH ? "guest-flush"
									 : "map-sync";
	if (f->error) {
		set(r, V_ERROR, false, "%s", f->error_msg);
		return;
	}
	if (refused(f, q, qver, r))
		return;
	if (q->device && q->device->persistence == PM_GUEST_FLUSH) {
		guest_flush(f, q, qver, r);
		return;
	}
	if (f->kind == PK_DEVDAX) {
		set(r, V_PERSISTENT, false, "device-DAX %s: every store goes to the NVDIMM, no file system metadata to sync",
		    f->dax_name);
		if (!q->be.pmem)
			fix_pmem(q, r, "pmem=on as well: QEMU then writes labels and migrates with persistent flushes");
	} else if (!q->be.share) {
		set(r, V_NOT_PERSISTENT, true, "share=off maps the backend privately: guest writes never reach %s",
		    f->path);
		fix(r, "share=on");
		if (!q->be.pmem)
			fix_pmem(q, r, "pmem=on");
	} else if (!q->be.pmem) {
		bool granted = f->sync_tried && !f->sync_errno;

		set(r, V_NOT_PERSISTENT, true, "pmem=off: QEMU does not ask for MAP_SYNC%s",
		    granted ? ", though the kernel would grant it here" : "");
		fix_pmem(q, r, "pmem=on");
		if (!granted)
			fix_dax(f, r);
	} else if (f->sync_tried && !f->sync_errno) {
		set(r, V_PERSISTENT, false, "pmem=on,share=on and the kernel grants MAP_SYNC");
	} else if (f->sync_errno == EOPNOTSUPP) {
		set(r, V_NOT_PERSISTENT, false, "the kernel refuses MAP_SYNC (EOPNOTSUPP: %s is not on DAX); QEMU warns and maps without it",
		    f->path);
		name = qemu_file_name(f, q);
		qemu_msg(r, "Warning: requesting persistence across crashes for backend file %s failed. Proceeding without persistence, data might become corrupted in case of host crash.",
			 name);
		free(name);
		if (qver >= QVER(6, 1))
			qemu_msg(r, "warning: Using non DAX backing file with 'pmem=on' option is deprecated");
		fix_dax(f, r);
	} else {
		set(r, V_NOT_PERSISTENT, true, "MAP_SYNC failed with %s: QEMU retries without it and says nothing",
		    f->sync_tried ? strerror(f->sync_errno) : "no trial");
		fix_dax(f, r);
	}
	if (q->sync != -2)
		proposal(f, q, r);
	persistence_fix(f, r);
}

void verdict_free(struct verdict_result *r)
{
	free(r->reason);
	free(r->proposal);
	strv_free(&r->qemu);
	strv_free(&r->fixes);
	memset(r, 0, sizeof(*r));
}
