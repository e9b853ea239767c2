/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ask a QEMU binary what it offers (struct qemu_caps), once: one run of
 *
 *   BINARY -nodefaults -no-user-config -machine none -display none -qmp stdio
 *
 * in a clean environment, fed query-machines, qom-list-properties of
 * memory-backend-file, device-list-properties of each memory device and
 * query-cpu-definitions, and told to quit once every answer is in (QEMU
 * drops output the pipe has not taken when it quits); killed after a
 * timeout. A binary that does not speak QMP, or whose answers never come
 * whole, is asked "--version" instead (then only the release is known).
 *
 * The answer is cached per binary in $XDG_CACHE_HOME/nvd-toolkit (else
 * ~/.cache/nvd-toolkit), one file for each real path, keyed by the binary's
 * device, inode, size and modification time: a changed binary is asked
 * again. The file is replaced whole (common/base/newfile.c), never through
 * a symbolic link; one that is corrupt, foreign (another owner, another
 * binary, another format) or a link is ignored and rewritten. Without a
 * writable home the binary is asked at each start, nothing fails.
 */
#ifndef NVD_QEMU_PROBE_H
#define NVD_QEMU_PROBE_H

#include "qemu-caps.h"
#include "vmconfig.h"

struct qemu_probe {
	const char *binary;	/* --qemu PATH, or NULL: qemu-system-<target> on PATH */
	enum target target;
	const char *cache_dir;	/* NULL: the default above */
	int timeout_ms;		/* 0: 10 s */
};

/*
 * 0 with c filled (qemu_caps_free it). -ENOENT: no such binary (the
 * default not on PATH, or --qemu names nothing); another -errno (-EACCES,
 * -EIO: it ran but said nothing usable, -ETIMEDOUT) with *err saying why.
 */
int qemu_probe(const struct qemu_probe *p, struct qemu_caps *c, char **err);

/*
 * QEMU's QMP answers to the queries above (one JSON object a line, matched
 * by id) into c: 0, or -EIO without its greeting. c->asked is set when every
 * answer came; a name that is not one word (qemu_caps_word) is left out.
 */
int qemu_probe_read_qmp(const char *text, struct qemu_caps *c);

/* The cache file for a real path: malloc'd, or NULL when there is no cache directory. */
char *qemu_probe_cache_file(const struct qemu_probe *p, const char *real);

#endif
