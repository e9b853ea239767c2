// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: the NFIT decoder and the comparer on arbitrary bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "nfit.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct findings f = { 0 };
	struct out *o;
	/* A copy of exactly size bytes: ASan catches any read past it. */
	uint8_t *t = malloc(size ? size : 1);

	if (!null)
		null = fopen("/dev/null", "w");
	for (size_t i = 0; i < size; i++)
		t[i] = data[i];
	o = out_new(null, size % 2, false);
	nfit_decode(t, size, o, &f);
	out_finish(o);
	nfit_diff(t, size, t, size / 2 + 20 < size ? size / 2 + 20 : size, &f);
	findings_free(&f);
	free(t);
	return 0;
}
