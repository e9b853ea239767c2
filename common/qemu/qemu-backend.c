// SPDX-License-Identifier: GPL-2.0-or-later
#include "qemu-backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "size.h"
#include "util.h"

#define FAIL(f, id, obj, qemu, ...) finding_add(f, LEVEL_FAIL, id, obj, qemu, __VA_ARGS__)
#define WARN(f, id, obj, qemu, ...) finding_add(f, LEVEL_WARN, id, obj, qemu, __VA_ARGS__)
#define INFO(f, id, obj, qemu, ...) finding_add(f, LEVEL_INFO, id, obj, qemu, __VA_ARGS__)

void backend_opts_get(struct backend_opts *o, const struct backend *b)
{
	*o = (struct backend_opts){
		.id = xstrdup(b->id),
		.qom_type = xstrdup(b->qom_type),
		.mem_path = b->kind == BK_FILE && b->mem_path ? xstrdup(b->mem_path) : NULL,
		.size = b->size, .align = b->align, .offset = b->offset,
		.has_size = b->has_size, .has_align = b->has_align, .has_offset = b->has_offset,
		.share = b->share, .pmem = b->pmem, .readonly = b->readonly, .prealloc = b->prealloc,
		.has_share = b->has_share, .has_pmem = b->has_pmem,
		.has_readonly = kv_find(&b->props, "readonly") != NULL,
	};
}

void backend_opts_free(struct backend_opts *o)
{
	free(o->id);
	free(o->qom_type);
	free(o->mem_path);
}

bool backend_is_rom(qver_t qver, const struct backend *b)
{
	if (b->kind != BK_FILE)
		return false;
	if (qver < QVER(8, 2))
		return b->readonly;
	return b->rom == TRI_ON || (b->rom == TRI_AUTO && b->readonly);
}

void backend_setters(qver_t qver, struct backend *b, struct findings *f)
{
	const struct kv *e;
	char *q;

	(void)qver;
	if (b->has_size && b->size == 0) {
		q = xasprintf("property 'size' of %s doesn't take value '0'", b->qom_type);
		FAIL(f, "backend-size-zero", b->id, q, "the backend needs a size");
		free(q);
		return;
	}
	e = kv_find(&b->props, "prealloc-threads");
	if (e && strtoull(e->val, NULL, 0) == 0) {
		q = xasprintf("property 'prealloc-threads' of %s doesn't take value '0'", b->qom_type);
		FAIL(f, "backend-prealloc-threads-zero", b->id, q, "prealloc-threads must be at least 1");
		free(q);
		return;
	}
	if (b->prealloc && !b->reserve)
		FAIL(f, "backend-prealloc-noreserve", b->id,
		     "'prealloc=on' and 'reserve=off' are incompatible",
		     "prealloc=on needs reserve=on");
}

bool backend_file_props(qver_t qver, const struct backend *b, struct findings *f)
{
	if (qver < QVER(8, 2))
		return true;
	if (b->rom == TRI_ON && !b->readonly) {
		FAIL(f, "backend-rom-needs-readonly", b->id,
		     "property 'rom' = 'on' is not supported with 'readonly' = 'off'",
		     "rom=on needs readonly=on");
		return false;
	}
	if (b->rom == TRI_OFF && b->readonly && b->share) {
		FAIL(f, "backend-rom-off-shared", b->id,
		     "property 'rom' = 'off' is incompatible with 'readonly' = 'on' and 'share' = 'on'",
		     "readonly=on,rom=off (VM templating) needs share=off");
		return false;
	}
	return true;
}

bool backend_check_props(qver_t qver, struct backend *b, struct findings *f)
{
	size_t from = f->n;

	backend_setters(qver, b, f);
	if (findings_failed_since(f, from))
		return false;
	return backend_file_props(qver, b, f);
}

bool backend_prealloc_crashes(qver_t qver, const struct backend *b)
{
	return b->prealloc && backend_is_rom(qver, b);
}

void backend_prealloc_check(qver_t qver, const struct backend *b, struct findings *f)
{
	if (backend_prealloc_crashes(qver, b))
		FAIL(f, "backend-prealloc-readonly", b->id, NULL,
		     "prealloc=on on a read-only mapping (readonly=on%s): QEMU writes every page to preallocate it and dies of SIGSEGV, with no message; drop prealloc=on%s",
		     qver >= QVER(8, 2) ? " without rom=off" : "",
		     qver >= QVER(8, 2) ? ", or give rom=off (a private, writable copy)" : "");
}

void backend_file_alloc(qver_t qver, struct backend *b, const char *sysroot, bool offline,
			struct findings *f)
{
	struct backend_host h;
	uint64_t size_r, page, align = b->has_align ? b->align : 0;
	uint64_t offset = b->has_offset ? b->offset : 0;
	char *q;

	if (!backend_file_props(qver, b, f))
		return;

	page = QEMU_HOST_PAGE;
	memset(&h, 0, sizeof(h));
	if (!offline) {
		backend_host_probe(sysroot, backend_open_path(b), b->readonly, &h);
		b->file_exists = h.exists;
		b->is_dir = h.is_dir;
		b->is_devdax = h.is_devdax;
		page = h.page_size;
		if (!h.exists) {
			/* QEMU creates a missing file, except read-only since 8.2. */
			int err = h.open_errno;

			/*
			 * A link to nothing: open() finds no file, open(O_CREAT|O_EXCL)
			 * finds the link (EEXIST), and QEMU's loop retries forever.
			 * Since 8.2 a read-only backend is refused before that.
			 */
			if (h.dangling && !(b->readonly && qver >= QVER(8, 2))) {
				FAIL(f, "backend-dangling-link", b->id, NULL,
				     "%s is a symbolic link to a file that does not exist: QEMU cannot create the file through the link (O_EXCL) and retries forever, so it hangs and never starts; create the link's target or point mem-path at a file",
				     b->mem_path);
				goto out;
			}
			if ((b->readonly && qver >= QVER(8, 2)) || err != ENOENT ||
			    h.create_errno) {
				if (err == ENOENT && h.create_errno && !(b->readonly && qver >= QVER(8, 2)))
					err = h.create_errno;
				q = xasprintf("can't open backing store %s for guest RAM: %s",
					      b->mem_path, strerror(err));
				FAIL(f, "backend-open", b->id, q,
				     !h.parent_exists ? "the directory of mem-path does not exist"
						      : "QEMU cannot open or create mem-path");
				free(q);
				goto out;
			}
			INFO(f, "backend-created", b->id, NULL,
			     "%s does not exist: QEMU will create it (%s, sparse)",
			     b->mem_path, "size plus offset");
		} else if (h.open_errno) {
			q = xasprintf("can't open backing store %s for guest RAM: %s", b->mem_path,
				      strerror(h.open_errno));
			FAIL(f, "backend-open", b->id, q, "QEMU cannot open mem-path");
			free(q);
			goto out;
		}
		if (h.is_dir && b->readonly) {
			/* A read-only directory: 8.2 checks it, 7.x fails to map it. */
			q = qver >= QVER(8, 2)
				    ? xasprintf("can't open backing store %s for guest RAM: %s",
						b->mem_path, strerror(EISDIR))
				    : xasprintf("unable to map backing store for guest RAM: %s",
						strerror(ENODEV));
			FAIL(f, "backend-readonly-dir", b->id, q,
			     "readonly=on needs an existing file, not a directory");
			free(q);
			goto out;
		}
		b->file_size = h.file_size;
	}

	size_r = ALIGN_UP(b->size, QEMU_HOST_PAGE);
	q = qemu_file_size_refusal(qver, b->id, b->mem_path, b->file_size, offset, b->size);
	if (q) {
		FAIL(f, "backend-file-too-small", b->id, q,
		     "%s is smaller than size%s: QEMU never grows an existing file", b->mem_path,
		     offset && qver >= QVER(10, 0) ? " plus offset" : "");
		free(q);
		goto out;
	}
	if (h.is_devdax && (q = qemu_devdax_align_refusal(h.devdax_align, align))) {
		char *need = size_human(h.devdax_align);

		FAIL(f, "backend-devdax-align", b->id, q, "device-DAX needs align=%s or more", need);
		free(need);
		free(q);
		goto out;
	}
	if ((q = qemu_align_refusal(align, page))) {
		if (align % page)
			FAIL(f, "backend-align-page", b->id, q,
			     "align must be a multiple of the page size");
		else
			FAIL(f, "backend-align-pow2", b->id, q, "align must be a power of two (2M, 1G)");
		free(q);
		goto out;
	}
	if (qver >= QVER(8, 1) && offset % page) {
		q = xasprintf("offset 0x%llx must be multiples of page size 0x%llx",
			      (unsigned long long)offset, (unsigned long long)page);
		FAIL(f, "backend-offset-page", b->id, q, "offset must be a multiple of the page size");
		free(q);
		goto out;
	}
	b->page_size = page;
	b->region_align = align > page ? align : page;
	if (size_r < page) {
		q = xasprintf("memory size 0x%llx must be equal to or larger than page size 0x%llx",
			      (unsigned long long)size_r, (unsigned long long)page);
		FAIL(f, "backend-size-below-page", b->id, q, "size must be at least one page");
		free(q);
		goto out;
	}
	if (!offline && b->pmem && b->share && !h.is_devdax) {
		/* A file QEMU would create: its directory says. */
		char *dir = !h.exists && b->host_path
				    ? xstrndup(b->host_path, strrchr(b->host_path, '/') - b->host_path)
				    : NULL;
		int r = backend_try_map_sync(h.exists ? backend_open_path(b) : dir ? dir : ".");

		free(dir);

		if (r == -EOPNOTSUPP) {
			const char *path = h.real_path ? h.real_path : b->mem_path;

			q = xasprintf("Warning: requesting persistence across crashes for backend file %s failed. Proceeding without persistence, data might become corrupted in case of host crash.",
				      path);
			WARN(f, "backend-pmem-not-dax", b->id, q,
			     "pmem=on but %s is not on DAX: MAP_SYNC is refused, guest writes are not persistent across a host crash; move it to a DAX file system or device-DAX, or set pmem=off",
			     b->mem_path);
			free(q);
			if (qver >= QVER(6, 1))
				WARN(f, "backend-pmem-not-dax-deprecated", b->id,
				     "warning: Using non DAX backing file with 'pmem=on' option is deprecated",
				     "QEMU deprecates pmem=on on a file that is not on DAX");
		} else if (r < 0) {
			INFO(f, "backend-map-sync-unknown", b->id, NULL,
			     "MAP_SYNC could not be tried on %s (%s): QEMU falls back silently",
			     b->mem_path, strerror(-r));
		}
	}
	if (qver >= QVER(9, 1) && b->size % page) {
		char *s = size_to_str(page);

		q = xasprintf("backend '%s' memory size must be multiple of %s", b->qom_type, s);
		FAIL(f, "backend-size-page", b->id, q, "size must be a multiple of %s", s);
		free(s);
		free(q);
		goto out;
	}
	/* Then host_memory_backend_memory_complete() preallocates. */
	backend_prealloc_check(qver, b, f);
	b->created = true;
out:
	backend_host_free(&h);
}

char *qemu_file_size_refusal(qver_t qver, const char *id, const char *mem_path,
			     uint64_t file_size, uint64_t offset, uint64_t size)
{
	uint64_t size_r = ALIGN_UP(size, QEMU_HOST_PAGE);

	if (qver >= QVER(10, 0)) {
		if (file_size && file_size < offset + size_r)
			return xasprintf("%s backing store size 0x%llx is too small for 'size' option 0x%llx plus 'offset' option 0x%llx",
					 id, (unsigned long long)file_size,
					 (unsigned long long)size_r, (unsigned long long)offset);
		return NULL;
	}
	if (!(file_size > offset && file_size < offset + size_r))
		return NULL;
	return qver >= QVER(5, 0)
		       ? xasprintf("backing store size 0x%llx does not match 'size' option 0x%llx",
				   (unsigned long long)file_size, (unsigned long long)size_r)
		       : xasprintf("backing store %s size 0x%llx does not match 'size' option 0x%llx",
				   mem_path, (unsigned long long)file_size,
				   (unsigned long long)size_r);
}

char *qemu_devdax_align_refusal(uint64_t devdax_align, uint64_t align)
{
	if (devdax_align <= align)
		return NULL;
	return xasprintf("backing store align 0x%llx is larger than 'align' option 0x%llx",
			 (unsigned long long)devdax_align, (unsigned long long)align);
}

char *qemu_align_refusal(uint64_t align, uint64_t page)
{
	if (align % page)
		return xasprintf("alignment 0x%llx must be multiples of page size 0x%llx",
				 (unsigned long long)align, (unsigned long long)page);
	if (align && !is_pow2(align))
		return xasprintf("alignment 0x%llx must be a power of two", (unsigned long long)align);
	return NULL;
}
