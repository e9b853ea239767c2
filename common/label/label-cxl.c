// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CXL 2.0 label storage areas (8.2.9.5.2): the label types, the format
 * names, a CXL namespace or region label's own fields, and the
 * interleave-set cookie Linux 6.1 gives a CXL pmem region.
 */
#include <string.h>

#include "report.h"

#include "label-int.h"
#include "label.h"

/* The CXL 2.0 label types (8.2.9.5.2), raw UUID bytes as on media. */
static const uint8_t cxl_ns_type[16] = { 0x68, 0xbb, 0x2c, 0x0a, 0x5a, 0x77, 0x49, 0x37,
					 0x9f, 0x85, 0x3c, 0xaf, 0x41, 0xa0, 0xf9, 0x3c };
static const uint8_t cxl_region_type[16] = { 0x52, 0x9d, 0x7c, 0x61, 0xda, 0x07, 0x47, 0xc4,
					     0xa9, 0x3f, 0xec, 0xdf, 0x2c, 0x06, 0xf4, 0x44 };

const char *label_format_name(enum label_format f)
{
	return f == LABEL_FMT_CXL ? "cxl" : f == LABEL_FMT_NVDIMM ? "nvdimm" : "auto";
}

enum label_layout label_layout_of(const uint8_t *p, unsigned l)
{
	if (l < 256)
		return LAYOUT_NVDIMM;
	if (!memcmp(p, cxl_ns_type, 16))
		return LAYOUT_CXL_NS;
	if (!memcmp(p, cxl_region_type, 16))
		return LAYOUT_CXL_REGION;
	return LAYOUT_NVDIMM;
}

uint64_t label_cxl_cookie(uint64_t dpa_offset, uint64_t serial)
{
	uint8_t info[16];

	for (int i = 0; i < 8; i++) {
		info[i] = (uint8_t)(dpa_offset >> (8 * i));
		info[8 + i] = (uint8_t)(serial >> (8 * i));
	}
	return label_fletcher64(info, sizeof(info));
}

void label_cxl_read(struct label_ent *e, const uint8_t *p)
{
	e->has_guids = false;
	memset(e->name, 0, sizeof(e->name));
	if (e->layout == LAYOUT_CXL_NS) {
		memcpy(e->uuid, p + CXL_UUID, 16);
		memcpy(e->name, p + CXL_NAME, NSLABEL_NAME_LEN);
		e->flags = get32(p + CXL_FLAGS);
		e->nrange = get16(p + CXL_NRANGE);
		e->position = get16(p + CXL_POSITION);
		e->dpa = get64(p + CXL_DPA);
		e->rawsize = get64(p + CXL_RAWSIZE);
		e->cxl_slot = get32(p + CXL_SLOT);
		e->align = get32(p + CXL_ALIGN);
		memcpy(e->region_uuid, p + CXL_REGION_UUID, 16);
		memcpy(e->abstraction_guid, p + CXL_ABSTRACTION_UUID, 16);
		e->lbasize = get16(p + CXL_LBASIZE);
		e->nlabel = 0;
		e->isetcookie = 0;
	} else {
		memcpy(e->uuid, p + CXL_UUID, 16);
		e->flags = get32(p + CXLR_FLAGS);
		e->nlabel = get16(p + CXLR_NLABEL);
		e->position = get16(p + CXLR_POSITION);
		e->dpa = get64(p + CXLR_DPA);
		e->rawsize = get64(p + CXLR_RAWSIZE);
		e->hpa = get64(p + CXLR_HPA);
		e->cxl_slot = get32(p + CXLR_SLOT);
		e->ig = get32(p + CXLR_IG);
		e->align = get32(p + CXLR_ALIGN);
		e->lbasize = 0;
		e->isetcookie = 0;
	}
}


static bool all_zero16(const uint8_t *p)
{
	static const uint8_t zero[16];

	return !memcmp(p, zero, 16);
}

bool label_cxl_region_accepts(struct label_area *a, const struct label_ent *e, const char *obj)
{
	char u[37];

	/* Linux compares the type GUID with the region's: a CXL region's is null. */
	if (e->has_guids && !all_zero16(e->type_guid)) {
		label_guid_str(e->type_guid, u);
		finding_add(&a->findings, LEVEL_WARN, "label-type-guid", obj, NULL,
			    "slot %u: type_guid %s is not null, the type GUID of a CXL region (the kernel compares the two)",
			    e->slot, u);
		return false;
	}
	/*
	 * Linux 6.1's CXL region cookie: fletcher64 of each device's
	 * DPA offset and serial number, 0 for a device without serial
	 * number (QEMU's cxl-type3 without sn=) whose region starts at
	 * DPA 0. create_namespace_pmem() refuses a cookie of 0, and the
	 * region's namespaces with it.
	 */
	if (e->isetcookie == 0) {
		finding_add(&a->findings, LEVEL_WARN, "label-cxl-cookie", obj, NULL,
			    "slot %u: isetcookie 0: Linux 6.1 refuses the namespace (\"invalid interleave-set-cookie\"), as it does for a region of a device without serial number at DPA 0 (cxl-type3 without sn=)",
			    e->slot);
		return false;
	}
	/*
	 * With the serial number known: the cookie of a region at DPA 0 of
	 * that device. nd_region_interleave_set_cookie() checks v1.1 labels
	 * against cookie1 and v1.2 against cookie2; a CXL region sets both
	 * to the same value. Another cookie: the kernel skips the label
	 * (-EAGAIN).
	 */
	if (a->has_serial && label_cxl_cookie(0, a->serial) == 0) {
		finding_add(&a->findings, LEVEL_WARN, "label-cxl-cookie", obj, NULL,
			    "slot %u: serial number 0 (sn= not given, or all ones) gives a region at DPA 0 the cookie 0: Linux 6.1 refuses the whole region (\"invalid interleave-set-cookie\"), not just this label",
			    e->slot);
		return false;
	}
	if (a->has_serial && e->isetcookie != label_cxl_cookie(0, a->serial)) {
		finding_add(&a->findings, LEVEL_WARN, "label-cxl-cookie", obj, NULL,
			    "slot %u: isetcookie %#llx is not %#llx, the cookie of a region at DPA 0 of a device with serial number %#llx: Linux 6.1 skips the label (the label was written for another sn=)",
			    e->slot, (unsigned long long)e->isetcookie,
			    (unsigned long long)label_cxl_cookie(0, a->serial),
			    (unsigned long long)a->serial);
		return false;
	}
	return true;
}
