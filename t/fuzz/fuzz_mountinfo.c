// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: /proc/self/mountinfo text through nvd-check's parser (octal
 * escapes, optional fields, the " - " separator) and the DAX mode of each
 * entry.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct mounts m;

	mounts_parse(text, &m);
	for (size_t i = 0; i < m.n; i++)
		(void)dax_mount_name(dax_mount_mode(&m.v[i]));
	mounts_free(&m);
	free(text);
	return 0;
}
