// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The label area format and the Linux kernel's reading of it: index sizing,
 * index validation and choice, active labels, namespace assembly.
 * drivers/nvdimm/label.c is the model; every rule it applies is a finding.
 */
#include "label.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "label-int.h"
#include "util.h"

uint64_t label_fletcher64(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t lo = 0;
	uint64_t hi = 0;

	for (size_t i = 0; i + 4 <= len; i += 4) {
		lo += get32(p + i);
		hi += lo;
	}
	return hi << 32 | lo;
}

/* Fletcher64 of len bytes with the 8-byte checksum field at csum_off taken as zero. */
static uint64_t checksum_without(const uint8_t *buf, size_t len, size_t csum_off)
{
	uint8_t save[8];
	uint64_t sum;
	uint8_t *w = (uint8_t *)buf;

	/* The buffer is ours (read from the file); restore it afterwards. */
	memcpy(save, buf + csum_off, 8);
	memset(w + csum_off, 0, 8);
	sum = label_fletcher64(buf, len);
	memcpy(w + csum_off, save, 8);
	return sum;
}

unsigned label_inc_seq(unsigned seq)
{
	static const unsigned next[] = { 0, 2, 3, 1 };

	return next[seq & NSINDEX_SEQ_MASK];
}

unsigned label_best_seq(unsigned a, unsigned b)
{
	a &= NSINDEX_SEQ_MASK;
	b &= NSINDEX_SEQ_MASK;
	if (a == 0 || a == b)
		return b;
	if (b == 0)
		return a;
	if (label_inc_seq(a) == b)
		return b;
	return a;
}

static uint64_t index_size_for(uint64_t nslot)
{
	return ALIGN_UP(NSINDEX_HDR + (nslot + 7) / 8, NSINDEX_ALIGN);
}

int label_geometry(uint64_t area_size, unsigned label_size, struct label_geom *g)
{
	uint64_t k, nslot, s;

	memset(g, 0, sizeof(*g));
	if (label_size != 128 && label_size != 256)
		return -EINVAL;
	/* Like the kernel: index size for C/L slots, then the slots left beside it. */
	k = index_size_for(area_size / label_size) / NSINDEX_ALIGN;
	if (area_size < 2 * NSINDEX_ALIGN * k)
		return -ENOSPC;
	nslot = (area_size - 2 * NSINDEX_ALIGN * k) / label_size;
	s = index_size_for(nslot);
	if (nslot < 2 || nslot > UINT32_MAX || 2 * s > area_size - nslot * label_size)
		return -ENOSPC;
	g->label_size = label_size;
	g->nslot = (uint32_t)nslot;
	g->index_size = s;
	return 0;
}

static void index_read(struct label_index *x, const uint8_t *p, uint64_t off, uint64_t s)
{
	memset(x, 0, sizeof(*x));
	x->offset = off;
	memcpy(x->sig, p + NSI_SIG, NSINDEX_SIG_LEN);
	for (int i = 0; i < NSINDEX_SIG_LEN; i++)
		if (x->sig[i] && (x->sig[i] < 0x20 || x->sig[i] > 0x7e))
			x->sig[i] = '?';
	memcpy(x->flags, p + NSI_FLAGS, 3);
	x->labelsize = p[NSI_LABELSIZE];
	x->seq = get32(p + NSI_SEQ);
	x->myoff = get64(p + NSI_MYOFF);
	x->mysize = get64(p + NSI_MYSIZE);
	x->otheroff = get64(p + NSI_OTHEROFF);
	x->labeloff = get64(p + NSI_LABELOFF);
	x->nslot = get32(p + NSI_NSLOT);
	x->major = get16(p + NSI_MAJOR);
	x->minor = get16(p + NSI_MINOR);
	x->checksum = get64(p + NSI_CHECKSUM);
	x->checksum_calc = checksum_without(p, s, NSI_CHECKSUM);
	x->checksum_ok = x->checksum == x->checksum_calc;
}

/* The label size an index block claims (what the kernel compares with its trial). */
static uint64_t index_claimed_label_size(const struct label_index *x)
{
	if (x->major * 100 + x->minor >= 102)
		return x->labelsize < 57 ? 128ULL << x->labelsize : 0;
	return 128;
}

/* The kernel's __nd_label_validate() for block i: NULL when valid, else why not. */
static char *index_check(const struct label_index *x, const uint8_t *p, int i,
			 const struct label_geom *g, uint64_t area)
{
	uint64_t s = g->index_size, claimed = index_claimed_label_size(x);

	if (memcmp(p + NSI_SIG, NSINDEX_SIG, NSINDEX_SIG_LEN))
		return xasprintf("signature is not \"%s\"", NSINDEX_SIG);
	if (claimed != g->label_size)
		return xasprintf("version %u.%u with labelsize byte %u means %llu-byte labels, not %u",
				 x->major, x->minor, x->labelsize, (unsigned long long)claimed,
				 g->label_size);
	if (!x->checksum_ok)
		return xasprintf("checksum 0x%016llx does not match 0x%016llx (fletcher64 over %llu bytes)",
				 (unsigned long long)x->checksum,
				 (unsigned long long)x->checksum_calc, (unsigned long long)s);
	if (!(x->seq & NSINDEX_SEQ_MASK))
		return xasprintf("sequence number %#x is invalid (low two bits are 0)", x->seq);
	if (x->myoff != i * s)
		return xasprintf("myoff %#llx is not %#llx", (unsigned long long)x->myoff,
				 (unsigned long long)(i * s));
	if (x->otheroff != (1 - i) * s)
		return xasprintf("otheroff %#llx is not %#llx", (unsigned long long)x->otheroff,
				 (unsigned long long)((1 - i) * s));
	if (x->labeloff != 2 * s)
		return xasprintf("labeloff %#llx is not %#llx: labels would overlap the index blocks or leave a gap",
				 (unsigned long long)x->labeloff, (unsigned long long)(2 * s));
	if (x->mysize > s || x->mysize < NSINDEX_HDR)
		return xasprintf("mysize %llu is outside %d..%llu", (unsigned long long)x->mysize,
				 NSINDEX_HDR, (unsigned long long)s);
	if ((uint64_t)x->nslot * g->label_size + 2 * s > area)
		return xasprintf("nslot %u is too large: %u labels of %u bytes and two %llu-byte index blocks exceed the %llu-byte area",
				 x->nslot, x->nslot, g->label_size, (unsigned long long)s,
				 (unsigned long long)area);
	return NULL;
}

static bool slot_free(const uint8_t *idx, uint64_t s, uint32_t slot)
{
	uint64_t byte = NSI_FREE + slot / 8;

	/* A bit outside the block cannot be read: treat the slot as free. */
	if (byte >= s)
		return true;
	return idx[byte] >> (slot % 8) & 1;
}

/* One validation trial: index blocks read at the offsets of label size L. */
static int trial(struct label_area *a, const uint8_t *buf, unsigned l)
{
	struct label_geom g;
	int nvalid = 0;

	if (label_geometry(a->size, l, &g) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		struct label_index *x = &a->index[i];
		const uint8_t *p = buf + i * g.index_size;

		free(x->reason);
		index_read(x, p, i * g.index_size, g.index_size);
		x->reason = index_check(x, p, i, &g, a->size);
		x->valid = !x->reason;
		nvalid += x->valid;
		for (uint32_t k = 0; k < x->nslot && k < (g.index_size - NSI_FREE) * 8; k++)
			x->nfree += slot_free(p, g.index_size, k);
	}
	a->geom = g;
	a->trial_size = (int)l;
	if (!nvalid)
		return -1;
	if (nvalid == 1)
		return a->index[0].valid ? 0 : 1;
	return label_best_seq(a->index[0].seq, a->index[1].seq) ==
	       (a->index[1].seq & NSINDEX_SEQ_MASK) ? 1 : 0;
}

static const struct {
	const char *name;
	uint8_t bytes[16];	/* on media (mixed-endian) */
} claim_guids[] = {
	{ "sector", { 0xa2, 0x63, 0xed, 0x8a, 0xa2, 0x29, 0x66, 0x4c,
		      0x8b, 0x12, 0xf0, 0x5d, 0x15, 0xd3, 0x92, 0x2a } },
	{ "sector(btt2)", { 0xfc, 0x3b, 0x63, 0x18, 0x35, 0x17, 0x17, 0x42,
			    0x8a, 0xc9, 0x17, 0x23, 0x92, 0x82, 0xd3, 0xf8 } },
	{ "fsdax", { 0xba, 0x00, 0x64, 0x26, 0x9f, 0xfb, 0x77, 0x46,
		     0xbc, 0xb0, 0x96, 0x8f, 0x11, 0xd0, 0xd2, 0x25 } },
	{ "devdax", { 0x9c, 0x6d, 0xa8, 0x97, 0xdd, 0x3c, 0xda, 0x4e,
		      0x98, 0x6f, 0x50, 0x68, 0xb4, 0xf8, 0x00, 0x88 } },
};

/* The NFIT SPA type of byte-addressable persistent memory, on media. */
static const uint8_t pmem_type_guid[16] = { 0x79, 0xd3, 0xf0, 0x66, 0xf3, 0xb4, 0x74, 0x40,
					    0xac, 0x43, 0x0d, 0x33, 0x18, 0xb7, 0x8c, 0xdb };

const char *label_claim_class(const uint8_t guid[16])
{
	static const uint8_t zero[16];

	if (!memcmp(guid, zero, 16))
		return "raw";
	for (size_t i = 0; i < ARRAY_SIZE(claim_guids); i++)
		if (!memcmp(guid, claim_guids[i].bytes, 16))
			return claim_guids[i].name;
	return "unknown";
}

void label_uuid_str(const uint8_t u[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

void label_guid_str(const uint8_t g[16], char out[37])
{
	const uint8_t c[16] = { g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6],
				g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15] };

	label_uuid_str(c, out);
}

static void label_read(struct label_ent *e, const uint8_t *p, unsigned l, uint32_t slot)
{
	memset(e, 0, sizeof(*e));
	e->slot = slot;
	e->layout = label_layout_of(p, l);
	memcpy(e->uuid, p + NSL_UUID, 16);
	memcpy(e->name, p + NSL_NAME, NSLABEL_NAME_LEN);
	e->name[NSLABEL_NAME_LEN] = '\0';
	e->flags = get32(p + NSL_FLAGS);
	e->nlabel = get16(p + NSL_NLABEL);
	e->position = get16(p + NSL_POSITION);
	e->isetcookie = get64(p + NSL_ISETCOOKIE);
	e->lbasize = get64(p + NSL_LBASIZE);
	e->dpa = get64(p + NSL_DPA);
	e->rawsize = get64(p + NSL_RAWSIZE);
	e->slot_field = get32(p + NSL_SLOT);
	e->checksum_ok = true;
	if (l >= 256) {
		e->has_guids = true;
		memcpy(e->type_guid, p + NSL_TYPE_GUID, 16);
		memcpy(e->abstraction_guid, p + NSL_ABSTRACTION_GUID, 16);
		e->checksum = get64(p + NSL_CHECKSUM);
		e->checksum_ok = e->checksum == checksum_without(p, l, NSL_CHECKSUM);
	}
	e->kernel_ok = e->slot_field == slot && e->checksum_ok;
	if (e->layout != LAYOUT_NVDIMM)
		label_cxl_read(e, p);
}

static bool is_zero(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void add_label(struct label_area *a, const struct label_ent *e)
{
	a->labels = xrealloc(a->labels, (a->nlabels + 1) * sizeof(*a->labels));
	a->labels[a->nlabels++] = *e;
}

static void scan_labels(struct label_area *a, const uint8_t *buf, bool all_slots)
{
	const struct label_index *cur = &a->index[a->current];
	const uint8_t *idx = buf + cur->offset;
	uint64_t s = a->geom.index_size;
	unsigned l = a->geom.label_size;

	for (uint32_t k = 0; k < cur->nslot; k++) {
		const uint8_t *p = buf + 2 * s + (uint64_t)k * l;
		struct label_ent e;
		char obj[32];

		if (2 * s + ((uint64_t)k + 1) * l > a->size)
			break;	/* nslot was validated; this is only a bound */
		label_read(&e, p, l, k);
		e.active = !slot_free(idx, s, k);
		snprintf(obj, sizeof(obj), "slot%u", k);
		if (e.active && e.slot_field != k)
			finding_add(&a->findings, LEVEL_WARN, "label-slot-mismatch", obj, NULL,
				    "slot %u is in use but its label says slot %u: the kernel ignores it%s",
				    k, e.slot_field,
				    e.layout == LAYOUT_CXL_REGION
				    ? " (Linux 6.1 reads the slot at byte 120, as in a v1.2 label; a CXL region label has it at byte 64 and byte 120 reserved)"
				    : "");
		else if (e.active && !e.checksum_ok)
			finding_add(&a->findings, LEVEL_WARN, "label-checksum", obj, NULL,
				    "slot %u is in use but its checksum 0x%016llx is wrong: the kernel ignores it",
				    k, (unsigned long long)e.checksum);
		/* ndctl read-labels lists every slot whose slot field matches. */
		if (e.active || (all_slots && e.slot_field == k && (k == 0 || !is_zero(p, l))))
			add_label(a, &e);
	}
}

static int ns_cmp_dpa(const void *x, const void *y)
{
	const struct label_ns *a = x, *b = y;

	return a->dpa < b->dpa ? -1 : a->dpa > b->dpa;
}

/*
 * A QEMU NVDIMM is a region of one DIMM, and so is a CXL region of one
 * cxl-type3 device: each namespace is one label, position 0.
 */
static void assemble(struct label_area *a)
{
	bool cxl = a->format == LABEL_FMT_CXL;

	for (size_t i = 0; i < a->nlabels; i++) {
		const struct label_ent *e = &a->labels[i];
		struct label_ns *ns;
		char u[37], obj[48];
		bool dup = false;

		if (!e->active || !e->kernel_ok)
			continue;
		label_uuid_str(e->uuid, u);
		snprintf(obj, sizeof(obj), "%s %s",
			 e->layout == LAYOUT_CXL_REGION ? "region" : "namespace", u);
		if (e->layout != LAYOUT_NVDIMM) {
			finding_add(&a->findings, LEVEL_WARN, "label-cxl-layout", obj, NULL,
				    "slot %u: a CXL 2.0 %s label: Linux 6.1 reads every label as an NVDIMM v1.2 label (its CXL label code is never switched on), so it does not use it",
				    e->slot, e->layout == LAYOUT_CXL_REGION ? "region" : "namespace");
			continue;
		}
		for (size_t j = 0; j < a->nlabels; j++)
			if (j != i && a->labels[j].active && a->labels[j].kernel_ok &&
			    a->labels[j].layout == LAYOUT_NVDIMM &&
			    !memcmp(a->labels[j].uuid, e->uuid, 16))
				dup = true;
		if (dup) {
			finding_add(&a->findings, LEVEL_WARN, "label-duplicate", obj, NULL,
				    "slot %u: more than one active label has this uuid: the kernel drops the namespace",
				    e->slot);
			continue;
		}
		if (e->nlabel != 1 || e->position != 0) {
			finding_add(&a->findings, LEVEL_WARN, "label-interleave", obj, NULL,
				    "slot %u: nlabel %u position %u, but a QEMU NVDIMM is a region of one DIMM (nlabel 1, position 0)",
				    e->slot, e->nlabel, e->position);
			continue;
		}
		/* Linux compares it with the region's: the NFIT range's, a CXL region's is null. */
		if (cxl && !label_cxl_region_accepts(a, e, obj))
			continue;
		if (e->has_guids && !cxl && memcmp(e->type_guid, pmem_type_guid, 16)) {
			label_guid_str(e->type_guid, u);
			finding_add(&a->findings, LEVEL_WARN, "label-type-guid", obj, NULL,
				    "slot %u: type_guid %s is not the persistent-memory range type 66f0d379-b4f3-4074-ac43-0d3318b78cdb%s",
				    e->slot, u,
				    is_zero(e->type_guid, 16)
				    ? " (a CXL region's labels have a null type GUID: for a cxl-type3 device's lsa= give --format cxl)"
				    : "");
			continue;
		}
		if (e->rawsize == 0 || e->dpa + e->rawsize < e->dpa ||
		    (a->pmem_limit && e->dpa + e->rawsize > a->pmem_limit)) {
			finding_add(&a->findings, LEVEL_WARN, "label-range", obj, NULL,
				    "slot %u: dpa %#llx + rawsize %#llx is outside the DIMM's %#llx bytes of pmem",
				    e->slot, (unsigned long long)e->dpa,
				    (unsigned long long)e->rawsize, (unsigned long long)a->pmem_limit);
			continue;
		}
		if (e->flags & NSLABEL_FLAG_UPDATING)
			finding_add(&a->findings, LEVEL_WARN, "label-updating", obj, NULL,
				    "slot %u: the UPDATING flag is set: an update was interrupted",
				    e->slot);
		a->ns = xrealloc(a->ns, (a->nns + 1) * sizeof(*a->ns));
		ns = &a->ns[a->nns++];
		memset(ns, 0, sizeof(*ns));
		memcpy(ns->uuid, e->uuid, 16);
		memcpy(ns->name, e->name, sizeof(ns->name));
		ns->size = e->rawsize;
		ns->dpa = e->dpa;
		ns->lbasize = e->lbasize ? e->lbasize : 512;
		ns->isetcookie = e->isetcookie;
		ns->claim_class = e->has_guids ? label_claim_class(e->abstraction_guid) : NULL;
		ns->slot = e->slot;
		ns->updating = e->flags & NSLABEL_FLAG_UPDATING;
	}
	if (a->nns > 1)
		qsort(a->ns, a->nns, sizeof(*a->ns), ns_cmp_dpa);
	for (size_t i = 0; i + 1 < a->nns; i++) {
		if (a->ns[i].dpa + a->ns[i].size > a->ns[i + 1].dpa) {
			char u0[37], u1[37];

			label_uuid_str(a->ns[i].uuid, u0);
			label_uuid_str(a->ns[i + 1].uuid, u1);
			finding_add(&a->findings, LEVEL_WARN, "label-overlap", NULL, NULL,
				    "namespaces %s (slot %u) and %s (slot %u) overlap at dpa %#llx",
				    u0, a->ns[i].slot, u1, a->ns[i + 1].slot,
				    (unsigned long long)a->ns[i + 1].dpa);
		}
	}
}

/* auto: CXL when the current index is a CXL 2.0 one or a label in use is in the CXL layout. */
static enum label_format detect_format(const struct label_area *a)
{
	if (a->current >= 0 && a->index[a->current].major >= 2)
		return LABEL_FMT_CXL;
	for (size_t i = 0; i < a->nlabels; i++)
		if (a->labels[i].active && a->labels[i].layout != LAYOUT_NVDIMM)
			return LABEL_FMT_CXL;
	return LABEL_FMT_NVDIMM;
}

void label_area_parse(struct label_area *a, const uint8_t *buf, uint64_t size,
		      uint64_t pmem_limit, bool all_slots)
{
	label_area_parse_fmt(a, buf, size, pmem_limit, all_slots, LABEL_FMT_AUTO, NULL);
}

void label_area_parse_fmt(struct label_area *a, const uint8_t *buf, uint64_t size,
			  uint64_t pmem_limit, bool all_slots, enum label_format fmt,
			  const uint64_t *cxl_serial)
{
	int report_l = 128;

	memset(a, 0, sizeof(*a));
	a->format = fmt == LABEL_FMT_AUTO ? LABEL_FMT_NVDIMM : fmt;
	a->has_serial = cxl_serial != NULL;
	/*
	 * QEMU's cxl-type3 sn= defaults to UI64_NULL (all ones): no serial
	 * number capability, and Linux reads the serial as 0.
	 */
	a->serial = cxl_serial && *cxl_serial != UINT64_MAX ? *cxl_serial : 0;
	a->size = size;
	a->pmem_limit = pmem_limit;
	a->current = -1;
	a->all_zero = is_zero(buf, size);
	/* Like the kernel: 128-byte labels first, then 256. */
	a->current = trial(a, buf, 128);
	if (a->current < 0)
		a->current = trial(a, buf, 256);
	if (a->current < 0) {
		/* Report the reasons for the label size the blocks claim. */
		struct label_index x;
		struct label_geom g;

		if (label_geometry(size, 128, &g) == 0) {
			index_read(&x, buf, 0, g.index_size);
			if (!memcmp(buf, NSINDEX_SIG, NSINDEX_SIG_LEN) &&
			    index_claimed_label_size(&x) == 256)
				report_l = 256;
		}
		if (report_l == 128)
			trial(a, buf, 128);
	}
	if (a->all_zero) {
		finding_add(&a->findings, LEVEL_FAIL, "label-area-zero", NULL, NULL,
			    "not initialised: the area is all zero, the guest sees a DIMM without labels (nvd-label init, or ndctl init-labels in the guest)");
		return;
	}
	for (int i = 0; i < 2; i++) {
		char obj[24];

		/* no reason: the area is too small for any label size, no trial read it */
		if (a->index[i].valid || !a->index[i].reason)
			continue;
		snprintf(obj, sizeof(obj), "index%d", i);
		finding_add(&a->findings, a->current < 0 ? LEVEL_FAIL : LEVEL_WARN,
			    "label-index-invalid", obj, NULL, "index block %d at offset %#llx (%d-byte labels): %s",
			    i, (unsigned long long)a->index[i].offset, a->trial_size,
			    a->index[i].reason);
	}
	if (a->current < 0) {
		const struct label_index *x = &a->index[0];
		uint64_t s = a->geom.index_size;

		/*
		 * An index with a damaged signature still has its offsets. s is 0
		 * for an area too small for any label size (--lsa takes any file):
		 * nothing there is an index block.
		 */
		if (!s || (memcmp(buf, NSINDEX_SIG, NSINDEX_SIG_LEN) &&
			   memcmp(buf + s, NSINDEX_SIG, NSINDEX_SIG_LEN) &&
			   !(x->myoff == 0 && x->otheroff == s && x->labeloff == 2 * s)))
			finding_add(&a->findings, LEVEL_FAIL, "label-area-data", NULL, NULL,
				    "no index block, but the area holds non-zero data: the backend was used without labels before, and what the guest stored in its last bytes now lies under the label area");
		else
			finding_add(&a->findings, LEVEL_FAIL, "label-no-index", NULL, NULL,
				    "no valid index block: the kernel treats the DIMM as label-less");
		return;
	}
	scan_labels(a, buf, all_slots);
	if (fmt == LABEL_FMT_AUTO)
		a->format = detect_format(a);
	assemble(a);
}

/* An index signature where either trial reads index block 0 or 1. */
static bool has_index_sig(const uint8_t *buf, uint64_t size)
{
	for (unsigned l = 128; l <= 256; l *= 2) {
		struct label_geom g;

		if (label_geometry(size, l, &g) < 0)
			continue;
		for (int i = 0; i < 2; i++)
			if (!memcmp(buf + i * g.index_size, NSINDEX_SIG, NSINDEX_SIG_LEN))
				return true;
	}
	return false;
}

char *label_write_refusal(const struct label_area *a, const uint8_t *buf, bool init)
{
	if (init && a->current >= 0)
		return xasprintf("the label area holds a valid index (index %d current, %zu namespace%s): use --force to replace it",
				 a->current, a->nns, a->nns == 1 ? "" : "s");
	if (!a->all_zero && !has_index_sig(buf, a->size))
		return xstrdup("not a label area: not all zero and no NAMESPACE_INDEX signature where an index block would be (a file system? a guest's data?): writing would destroy it; use --force to write over it");
	return NULL;
}

long label_live_slot_changed(const struct label_area *a, const uint8_t *old,
			     const uint8_t *new)
{
	const struct label_index *x;
	uint64_t s = a->geom.index_size, l = a->geom.label_size;

	if (a->current < 0)
		return -1;
	x = &a->index[a->current];
	for (uint32_t k = 0; k < x->nslot; k++) {
		uint64_t off = 2 * s + (uint64_t)k * l;

		if (off + l > a->size)
			break;
		if (!slot_free(old + x->offset, s, k) && memcmp(old + off, new + off, l))
			return k;
	}
	return -1;
}

void label_area_free(struct label_area *a)
{
	for (int i = 0; i < 2; i++)
		free(a->index[i].reason);
	free(a->labels);
	free(a->ns);
	findings_free(&a->findings);
	memset(a, 0, sizeof(*a));
}

bool label_area_follows(const struct label_area *a, const uint8_t *old,
			const struct label_area *b, const uint8_t *new)
{
	const struct label_index *x;

	if (a->current < 0 || b->current < 0)
		return true;
	if (a->geom.label_size != b->geom.label_size || a->geom.index_size != b->geom.index_size)
		return false;
	/* b's current block is a's current one or, both valid, the newer of the two. */
	x = &a->index[a->current];
	return !memcmp(old + x->offset, new + x->offset, a->geom.index_size);
}
