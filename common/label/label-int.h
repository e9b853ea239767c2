/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside common/label only: little-endian reads of on-media fields, and
 * the CXL 2.0 label decoder label.c calls (label-cxl.c).
 */
#ifndef NVD_LABEL_INT_H
#define NVD_LABEL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "label.h"

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/*
 * A CXL 2.0 label's own fields into e (e->layout set, not LAYOUT_NVDIMM).
 * The checksum is where v1.2 has it; kernel_ok and slot_field stay as
 * label.c found them at the v1.2 offsets, since Linux 6.1 reads every
 * label as v1.2.
 */
void label_cxl_read(struct label_ent *e, const uint8_t *p);

/*
 * Whether Linux 6.1 would make a namespace in a CXL pmem region of this
 * v1.1/v1.2 label (active, checked, one label at position 0): a null type
 * GUID and the region's interleave-set cookie. If not, the finding that
 * says why is added to a (obj: the namespace) and false returned.
 */
bool label_cxl_region_accepts(struct label_area *a, const struct label_ent *e, const char *obj);

#endif
