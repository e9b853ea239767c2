// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the label area parser and printer on arbitrary bytes. The
 * input is the start of an area of at least 128 KiB (the rest zero), so
 * short seeds hold the index blocks and the first labels; or, for one
 * input length in two (bit 4) and below 16 bytes, the whole area, from 1
 * byte up: --lsa takes
 * a file of any size as the area.
 * Seeds: NVDIMM areas, the CXL area Linux 6.1 wrote, a CXL 2.0 one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	const uint64_t serial = 1;
	size_t area = size > LABEL_AREA_MIN || size < 16 || (size & 16) ? size : LABEL_AREA_MIN;
	size_t len;
	struct label_area a;
	struct out *o;
	uint8_t *t;

	if (!size)
		return 0;
	if (area > 4 * LABEL_AREA_MIN)
		area = 4 * LABEL_AREA_MIN;
	len = size % 3 || area <= size % 251 ? area : area - (size % 251);
	/* Exactly area bytes: ASan catches any read past the end. */
	t = calloc(1, area);
	if (!null)
		null = fopen("/dev/null", "w");
	memcpy(t, data, size < area ? size : area);
	/*
	 * An odd size too (QEMU accepts label-size=130K): the last bytes of the area.
	 * Each format (auto, nvdimm, cxl), and for CXL a serial number or none.
	 */
	label_area_parse_fmt(&a, t, len, size & 1 ? 1 << 20 : 0,
			     size & 2, (enum label_format)(size / 8 % 3), size & 32 ? &serial : NULL);
	o = out_new(null, size & 4, false);
	label_area_print(o, &a, true, false, false);
	out_finish(o);
	label_area_free(&a);
	free(t);
	return 0;
}
