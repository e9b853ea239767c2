// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: /proc/PID/smaps text through nvd-check --pid's parser (the
 * mapping lines, " (deleted)", \012 in names, Rss and VmFlags of each).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "running.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct smaps s;
	size_t names = 0;

	smaps_parse(text, &s);
	for (size_t i = 0; i < s.n; i++)
		names += strlen(s.v[i].name) + s.v[i].sf + s.v[i].shared + s.v[i].deleted;
	(void)names;
	smaps_free(&s);
	free(text);
	return 0;
}
