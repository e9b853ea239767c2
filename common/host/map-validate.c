// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nvd-map validate: one memory-backend-file through QEMU's own steps. The
 * options become an -object text that goes through the same parser
 * (vm_build) and the same backend checks (qemu-backend.c) as nvd-plan;
 * then the mapping is tried for real as qemu_ram_mmap() does it: reserve,
 * aligned MAP_FIXED, MAP_SHARED_VALIDATE|MAP_SYNC with its fallback. We map
 * PROT_READ only and never write: validating changes nothing.
 */
#include "map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "qemu-args.h"
#include "qemu-backend.h"
#include "util.h"


void map_out_head(struct out *o, const char *command, const char *path)
{
	out_str(o, "tool", NULL, "nvd-map");
	out_i64(o, "version", NULL, 1);
	out_str(o, "command", NULL, command);
	if (path)
		out_str(o, "path", NULL, path);
	else
		out_null(o, "path", NULL);
}

/* QemuOpts escaping: a comma in a value is written twice. */
static void add_value(struct strbuf *sb, const char *key, const char *val)
{
	if (!val)
		return;
	sb_addf(sb, ",%s=", key);
	for (; *val; val++) {
		if (*val == ',')
			sb_addc(sb, ',');
		sb_addc(sb, *val);
	}
}

char *map_object_text(const struct map_validate_opts *mo, uint64_t default_size)
{
	struct strbuf sb;
	char dflt[32];

	sb_init(&sb);
	sb_adds(&sb, "memory-backend-file,id=mem0");
	add_value(&sb, "mem-path", mo->path);
	snprintf(dflt, sizeof(dflt), "%llu", (unsigned long long)default_size);
	add_value(&sb, "size", mo->size ? mo->size : dflt);
	add_value(&sb, "align", mo->align);
	add_value(&sb, "offset", mo->offset);
	add_value(&sb, "share", mo->share);
	add_value(&sb, "pmem", mo->pmem);
	add_value(&sb, "readonly", mo->readonly);
	return sb_detach(&sb);
}

/*
 * QEMU's file_ram_open() and qemu_ram_mmap(), system call for system call
 * (t/qemu/mapping.bats compares them under strace): the file opened O_RDWR
 * unless readonly=on, length + align reserved PROT_NONE, the file mapped
 * there at an aligned address with MAP_FIXED, PROT_READ|PROT_WRITE unless
 * the region is ROM (readonly=on before 8.2, rom since). The mapping is
 * never touched, so nothing is written.
 */
int map_trial_run(const char *path, uint64_t length, uint64_t align, uint64_t file_offset,
		  bool share, bool pmem, bool readonly, bool rom, struct map_trial *t)
{
	int prot = rom ? PROT_READ : PROT_READ | PROT_WRITE;
	uint64_t total, start;
	void *reserved, *p;
	int fd, flags;

	memset(t, 0, sizeof(*t));
	t->length = length;
	t->align = align;
	t->file_offset = file_offset;
	t->want_sync = share && pmem;
	if (!length || !align || !is_pow2(align) || length > UINT64_MAX - align)
		return -EINVAL;
	fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	t->tried = true;
	total = length + align;
	reserved = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (reserved == MAP_FAILED) {
		t->map_errno = errno;
		close(fd);
		return 0;
	}
	start = ALIGN_UP((uint64_t)(uintptr_t)reserved, align);
	flags = MAP_FIXED | (share ? MAP_SHARED : MAP_PRIVATE);
	p = MAP_FAILED;
	if (t->want_sync) {
		p = mmap((void *)(uintptr_t)start, length, prot,
			 flags | MAP_SHARED_VALIDATE | MAP_SYNC, fd, (off_t)file_offset);
		if (p == MAP_FAILED)
			t->sync_errno = errno;
		else
			t->sync_granted = true;
	}
	if (p == MAP_FAILED)
		p = mmap((void *)(uintptr_t)start, length, prot, flags, fd, (off_t)file_offset);
	if (p == MAP_FAILED)
		t->map_errno = errno;
	else
		t->aligned = (uint64_t)(uintptr_t)p % align == 0;
	munmap(reserved, total);
	close(fd);
	return 0;
}

/* The mapping step, for a file QEMU got as far as mapping. */
static void map_step(const struct backend *b, struct out *o, struct findings *f)
{
	uint64_t len = ALIGN_UP(ALIGN_UP(b->size, QEMU_HOST_PAGE), b->page_size);
	struct map_trial t;
	struct stat st;
	char *q;

	if (stat(b->mem_path, &st) == 0 && !S_ISREG(st.st_mode) && !b->is_devdax &&
	    !b->file_size) {
		/* QEMU's ftruncate of a "new" file fails on a device or FIFO: printed, not fatal. */
		finding_add(f, LEVEL_WARN, "backend-ftruncate", b->id, "ftruncate: Invalid argument",
			    "%s is not a regular file: QEMU finds size 0 and tries to grow it",
			    b->mem_path);
	}
	if (map_trial_run(b->mem_path, len, b->region_align, b->has_offset ? b->offset : 0,
			  b->share, b->pmem, b->readonly, b->is_rom, &t) < 0 || !t.tried)
		return;
	out_obj_open(o, "mapping");
	out_u64(o, "length", "mapping: %llu bytes", t.length);
	out_u64(o, "align", ", aligned to %llu", t.align);
	out_u64(o, "file_offset", ", file offset %llu", t.file_offset);
	out_str(o, "flags", ", %s", t.want_sync ? "MAP_SHARED_VALIDATE|MAP_SYNC" :
				     b->share ? "MAP_SHARED" : "MAP_PRIVATE");
	out_bool(o, "map_sync", ", MAP_SYNC %s", t.sync_granted);
	out_bool(o, "fallback", ", fallback %s", t.want_sync && !t.sync_granted && !t.map_errno);
	out_bool(o, "mapped", ", mapped %s\n", !t.map_errno);
	if (t.sync_errno)
		out_str(o, "sync_error", "mapping: MAP_SYNC refused: %s\n", strerror(t.sync_errno));
	out_obj_close(o);
	if (t.map_errno) {
		q = xasprintf("unable to map backing store for guest RAM: %s", strerror(t.map_errno));
		finding_add(f, LEVEL_FAIL, "backend-map", b->id, q, "mmap of %s fails",
			    b->mem_path);
		free(q);
	}
}

static int size_hint(const struct map_validate_opts *mo, uint64_t *size)
{
	struct stat st;

	*size = 0;
	if (mo->size || mo->object)
		return 0;
	if (stat(mo->path, &st) < 0) {
		/* only a missing file is a matter of --size: QEMU creates it that size */
		if (errno == ENOENT)
			nvd_warnx("%s: %s: give --size, as QEMU needs one", mo->path, strerror(errno));
		else
			nvd_warnx("%s: cannot look at it: %s", mo->path, strerror(errno));
		return NVD_EXIT_ENV;
	}
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
	} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		/* A device-DAX node (its size in sysfs) or a block device, as QEMU finds them. */
		struct backend_host h;

		backend_host_probe(mo->sysroot, mo->path, true, &h);
		if (h.is_devdax || h.is_blk)
			*size = h.file_size;
		backend_host_free(&h);
	}
	return 0;
}

int map_validate(const struct map_validate_opts *mo, struct out *o)
{
	struct findings f = { 0 };
	struct qcmdline cl = { 0 };
	struct vm vm;
	struct backend *b = NULL;
	uint64_t dflt;
	char *text, *err = NULL, *words[2];
	int rc;

	rc = size_hint(mo, &dflt);
	if (rc)
		return rc;
	text = mo->object ? xstrdup(mo->object) : map_object_text(mo, dflt);
	words[0] = "-object";
	words[1] = text;
	if (qcmdline_from_words(words, 2, "nvd-map", &cl, &err) < 0) {
		nvd_warnx("--object: %s", err);
		free(err);
		free(text);
		return NVD_EXIT_USAGE;
	}
	vm_build_caps(&vm, &cl, mo->qver, mo->caps, &f);
	if (!findings_count(&f, LEVEL_FAIL)) {
		if (vm.nbackends != 1 || vm.backends[0].kind != BK_FILE) {
			nvd_warnx("--object: not a memory-backend-file");
			rc = NVD_EXIT_USAGE;
			goto out;
		}
		b = &vm.backends[0];
	}
	map_out_head(o, "validate", b ? b->mem_path : mo->path);
	{
		char v[16];

		snprintf(v, sizeof(v), "%d.%d", mo->qver / 100, mo->qver % 100);
		out_str(o, "qemu_version", "QEMU %s: ", v);
	}
	out_str(o, "object", "-object %s\n", text);
	if (b) {
		if (!mo->size && !mo->object)
			finding_add(&f, LEVEL_INFO, "map-size-from-file", b->id, NULL,
				    "no --size: checking with size=%llu, the file's size",
				    (unsigned long long)dflt);
		backend_setters(mo->qver, b, &f);
		if (!findings_count(&f, LEVEL_FAIL))
			backend_file_alloc(mo->qver, b, mo->sysroot, false, &f);
		b->is_rom = backend_is_rom(mo->qver, b);
		out_u64(o, "size", "size %llu", b->size);
		out_u64(o, "file_size", ", file %llu", b->file_size);
		out_u64(o, "page_size", b->created ? ", page %llu" : NULL, b->page_size);
		out_u64(o, "region_align", b->created ? ", alignment %llu" : NULL, b->region_align);
		out_bool(o, "devdax", ", device-DAX %s", b->is_devdax);
		out_bool(o, "rom", ", ROM %s\n", b->is_rom);
		if (b->created && b->file_exists && !b->is_dir)
			map_step(b, o, &f);
		if (b->created && b->is_dir)
			finding_add(&f, LEVEL_WARN, "map-dir-tempfile", b->id, NULL,
				    "%s is a directory: QEMU creates an unlinked file qemu_back_mem.%s.XXXXXX in it, and the guest's data is gone when QEMU exits",
				    b->mem_path, b->id);
	}
	rc = findings_count(&f, LEVEL_FAIL) || (mo->strict && findings_count(&f, LEVEL_WARN))
		     ? NVD_EXIT_FAIL : NVD_EXIT_OK;
	out_str(o, "verdict", "verdict: %s\n", findings_count(&f, LEVEL_FAIL) ? "reject" : "accept");
	out_findings(o, &f, mo->quiet, mo->strict);
out:
	vm_free(&vm);
	qcmdline_free(&cl);
	findings_free(&f);
	free(text);
	return rc;
}
