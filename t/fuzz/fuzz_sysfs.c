// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the sysfs and procfs readers of nvd-check on a captured tree
 * whose file contents come from the input: the input is cut at NUL bytes
 * into the files below, then the host inventory is built and printed.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe.h"
#include "report.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {
	"proc/self/mountinfo",
	"proc/sys/kernel/osrelease",
	"sys/bus/nd/devices/region0/size",
	"sys/bus/nd/devices/region0/align",
	"sys/bus/nd/devices/region0/persistence_domain",
	"sys/bus/nd/devices/region0/nstype",
	"sys/bus/nd/devices/namespace0.0/mode",
	"sys/bus/nd/devices/namespace0.0/size",
	"sys/bus/nd/devices/namespace0.0/holder",
	"sys/bus/nd/devices/namespace0.0/nstype",
	"sys/bus/dax/devices/dax0.0/size",
	"sys/bus/dax/devices/dax0.0/align",
	"sys/bus/dax/devices/dax0.0/target_node",
};

static char root[64];

static void mkdirs(const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel), *s = p + strlen(root) + 1;

	for (; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct host h;
	struct out *o;
	size_t off = 0;

	if (!root[0]) {
		/* Under build-fuzz/ (t/fuzz/run works from the top): make clean removes it. */
		snprintf(root, sizeof(root), "build-fuzz/sysroot.XXXXXX");
		if (!mkdtemp(root)) {
			snprintf(root, sizeof(root), "/tmp/nvd-fuzz-sysfs.XXXXXX");
			if (!mkdtemp(root))
				abort();
		}
		for (size_t i = 0; i < ARRAY_SIZE(files); i++)
			mkdirs(files[i]);
		null = fopen("/dev/null", "w");
	}
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		const uint8_t *end = off < size ? memchr(data + off, 0, size - off) : NULL;
		size_t n = off < size ? (end ? (size_t)(end - (data + off)) : size - off) : 0;
		char *path = xasprintf("%s/%s", root, files[i]);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			if (n && write(fd, data + off, n) < 0)
				abort();
			close(fd);
		}
		free(path);
		off += n + 1;
	}
	host_init(&h, root, PROBE_LIBS_NEVER);
	host_scan_regions(&h);
	for (int json = 0; json < 2; json++) {
		o = out_new(null, json, false);
		inventory_print(&h, o);
		out_finish(o);
	}
	inventory_prometheus(&h, null);
	host_free(&h);
	return 0;
}
