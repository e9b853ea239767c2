// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: nvd-map builds an -object text from a file name and option
 * values (commas doubled); QEMU's parser must give every value back
 * unchanged, whatever the name holds. Also the digest over a memory file
 * (holes and data from the input) agrees with itself at 1 and 3 threads.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "map.h"
#include "qemu-args.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const char *path, const char *val)
{
	struct map_validate_opts mo = { .path = path, .size = val, .align = val, .offset = val };
	struct kvlist kv;
	char *text = map_object_text(&mo, 0), *err = NULL;

	if (opts_parse(text, "qom-type", SYNTAX_QEMUOPTS, &kv, &err) == 0) {
		if (!kv_get(&kv, "mem-path") || strcmp(kv_get(&kv, "mem-path"), path) ||
		    !kv_get(&kv, "size") || strcmp(kv_get(&kv, "size"), val))
			abort();
		kvlist_free(&kv);
	} else if (*path && *val) {
		/* Only an empty value may be refused. */
		abort();
	}
	free(err);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t plen = nul ? (size_t)(nul - data) : size;
	char *path = xstrndup((const char *)data, plen);
	char *val = xstrndup(nul ? (const char *)nul + 1 : "", nul ? size - plen - 1 : 0);
	struct map_digest a, b;
	int fd;

	roundtrip(path, val);
	fd = memfd_create("fuzz", 0);
	if (fd >= 0) {
		/* The input after a whole chunk of hole. */
		if (size && pwrite(fd, data, size, (off_t)MAP_DIGEST_CHUNK) == (ssize_t)size) {
			uint64_t len = MAP_DIGEST_CHUNK + size;

			if (map_digest_fd(fd, 0, len, 1, &a) || map_digest_fd(fd, 0, len, 3, &b) ||
			    a.digest != b.digest || a.data_bytes + a.hole_bytes != len)
				abort();
		}
		close(fd);
	}
	free(path);
	free(val);
	return 0;
}
