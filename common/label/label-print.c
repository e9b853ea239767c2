// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A label area as text or JSON, from the same calls. JSON keys are those
 * of `ndctl read-labels -j` where ndctl prints the value; GUIDs are printed
 * canonically (ndctl prints the on-media bytes, i.e. byte-swapped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label.h"
#include "size.h"
#include "util.h"

static void print_index(struct out *o, const struct label_index *x, int i, bool current)
{
	out_obj_open(o, NULL);
	out_text(o, "index %d at %#llx%s:", i, (unsigned long long)x->offset,
		 current ? " (current)" : "");
	out_u64(o, "offset", NULL, x->offset);
	out_str(o, "signature", " signature \"%s\"", x->sig);
	out_u64(o, "major", " v%llu", x->major);
	out_u64(o, "minor", ".%llu", x->minor);
	out_u64(o, "labelsize", " labelsize %llu", x->labelsize < 57 ? 128ULL << x->labelsize : 0);
	out_u64(o, "seq", " seq %llu", x->seq);
	out_u64(o, "nslot", " nslot %llu", x->nslot);
	out_u64(o, "free", " free %llu\n", x->nfree);
	out_u64(o, "flags", "    flags %#llx",
		(uint64_t)x->flags[0] | (uint64_t)x->flags[1] << 8 | (uint64_t)x->flags[2] << 16);
	out_u64(o, "myoff", " myoff %#llx", x->myoff);
	out_u64(o, "mysize", " mysize %#llx", x->mysize);
	out_u64(o, "otheroff", " otheroff %#llx", x->otheroff);
	out_u64(o, "labeloff", " labeloff %#llx\n", x->labeloff);
	out_u64(o, "checksum", "    checksum %#018llx", x->checksum);
	out_bool(o, "checksum_ok", NULL, x->checksum_ok);
	out_text(o, " (%s)", x->checksum_ok ? "correct" : "wrong");
	out_bool(o, "valid", NULL, x->valid);
	out_str(o, "reason", NULL, x->reason);
	out_text(o, ", %s%s%s\n", x->valid ? "valid" : "invalid", x->reason ? ": " : "",
		 x->reason ? x->reason : "");
	out_obj_close(o);
}

static void print_guid(struct out *o, const char *key, const char *what, const uint8_t g[16],
		       const char *cls)
{
	char s[37], *fmt = xasprintf("    %s %%s", what);

	label_guid_str(g, s);
	out_str(o, key, fmt, s);
	out_text(o, " (%s)\n", cls);
	free(fmt);
}

/* A CXL 2.0 namespace or region label, in its own layout. */
/* A label's checksum and whether it holds, its own line in text. */
static void print_checksum(struct out *o, const struct label_ent *e)
{
	out_u64(o, "checksum", "    checksum %#018llx", e->checksum);
	out_bool(o, "checksum_ok", NULL, e->checksum_ok);
	out_text(o, " (%s)\n", e->checksum_ok ? "correct" : "wrong");
}

static void print_cxl_label(struct out *o, const struct label_ent *e)
{
	bool region = e->layout == LAYOUT_CXL_REGION;
	char u[37], *hs = size_human(e->rawsize);

	label_uuid_str(e->uuid, u);
	out_obj_open(o, NULL);
	out_text(o, "  slot %u%s: ", e->slot, e->active ? "" : " (free)");
	out_str(o, "layout", NULL, region ? "cxl-region" : "cxl-namespace");
	out_text(o, "CXL %s label", region ? "region" : "namespace");
	out_str(o, "uuid", " uuid %s", u);
	if (!region)
		out_str(o, "name", " name \"%s\"", e->name);
	out_u64(o, "slot", NULL, e->cxl_slot);
	if (e->cxl_slot != e->slot)
		out_text(o, " slot field %u", e->cxl_slot);
	out_u64(o, "position", " position %llu", e->position);
	if (region)
		out_u64(o, "nlabel", " nlabel %llu", e->nlabel);
	else
		out_u64(o, "nrange", " nrange %llu", e->nrange);
	out_u64(o, "flags", " flags %#llx\n", e->flags);
	out_u64(o, "dpa", "    dpa %#llx", e->dpa);
	out_u64(o, "rawsize", " rawsize %#llx", e->rawsize);
	out_text(o, " (%s)", hs);
	if (region) {
		out_u64(o, "hpa", " hpa %#llx", e->hpa);
		out_u64(o, "interleave_granularity", " ig %llu", e->ig);
	} else {
		out_u64(o, "lbasize", " lbasize %llu", e->lbasize);
	}
	out_u64(o, "align", " align %llu\n", e->align);
	if (!region) {
		label_uuid_str(e->region_uuid, u);
		out_str(o, "region_uuid", "    region_uuid %s", u);
		label_uuid_str(e->abstraction_guid, u);
		out_str(o, "abstraction_uuid", " abstraction_uuid %s\n", u);
	}
	print_checksum(o, e);
	out_bool(o, "active", NULL, e->active);
	out_obj_close(o);
	free(hs);
}

static void print_label(struct out *o, const struct label_ent *e)
{
	char u[37], *hs;

	if (e->layout != LAYOUT_NVDIMM) {
		print_cxl_label(o, e);
		return;
	}
	hs = size_human(e->rawsize);
	label_uuid_str(e->uuid, u);
	out_obj_open(o, NULL);
	out_str(o, "layout", NULL, "nvdimm");
	out_text(o, "  slot %u%s: ", e->slot, e->active ? "" : " (free)");
	out_str(o, "uuid", "uuid %s", u);
	out_str(o, "name", " name \"%s\"", e->name);
	out_u64(o, "slot", NULL, e->slot_field);
	if (e->slot_field != e->slot)
		out_text(o, " slot field %u", e->slot_field);
	out_u64(o, "position", " position %llu", e->position);
	out_u64(o, "nlabel", " nlabel %llu", e->nlabel);
	out_u64(o, "flags", " flags %#llx\n", e->flags);
	out_u64(o, "isetcookie", "    isetcookie %#llx", e->isetcookie);
	out_u64(o, "lbasize", " lbasize %llu", e->lbasize);
	out_u64(o, "dpa", " dpa %#llx", e->dpa);
	out_u64(o, "rawsize", " rawsize %#llx", e->rawsize);
	out_text(o, " (%s)\n", hs);
	if (e->has_guids) {
		print_guid(o, "type_guid", "type_guid", e->type_guid,
			   e->type_guid[0] == 0x79 && e->type_guid[1] == 0xd3 ? "pmem" : "other");
		print_guid(o, "abstraction_guid", "abstraction_guid", e->abstraction_guid,
			   label_claim_class(e->abstraction_guid));
		out_str(o, "claim_class", NULL, label_claim_class(e->abstraction_guid));
		print_checksum(o, e);
	}
	out_bool(o, "active", NULL, e->active);
	out_obj_close(o);
	free(hs);
}

static void print_ns(struct out *o, const struct label_ns *ns)
{
	char u[37], *hs = size_human(ns->size);

	label_uuid_str(ns->uuid, u);
	out_obj_open(o, NULL);
	out_str(o, "uuid", "  %s", u);
	out_str(o, "name", " \"%s\"", ns->name);
	out_u64(o, "size", NULL, ns->size);
	out_text(o, " %s", hs);
	out_u64(o, "dpa", " at dpa %#llx", ns->dpa);
	out_str(o, "claim_class", NULL, ns->claim_class);
	out_text(o, ", %s", ns->claim_class ? ns->claim_class : "no claim class (v1.1)");
	out_u64(o, "sector_size", ", sector size %llu", ns->lbasize);
	out_u64(o, "isetcookie", NULL, ns->isetcookie);
	out_u64(o, "slot", ", slot %llu", ns->slot);
	out_bool(o, "updating", NULL, ns->updating);
	out_text(o, "%s\n", ns->updating ? ", updating" : "");
	out_obj_close(o);
	free(hs);
}

static void print_verdict(struct out *o, const struct label_area *a)
{
	const struct label_index *c = a->current >= 0 ? &a->index[a->current] : NULL;

	if (!c) {
		out_text(o, "label area invalid: the kernel finds no valid index block\n");
		return;
	}
	out_text(o, "%slabel area %s: index %d current (seq %u), v%u.%u, %u-byte labels, %u slots, %u free, %zu namespace%s\n",
		 a->format == LABEL_FMT_CXL ? "CXL " : "",
		 findings_count(&a->findings, LEVEL_FAIL) ? "has errors" : "valid", a->current,
		 c->seq, c->major, c->minor, a->geom.label_size, c->nslot, c->nfree, a->nns,
		 a->nns == 1 ? "" : "s");
}

void label_area_print(struct out *o, const struct label_area *a, bool dump, bool quiet,
		      bool strict)
{
	char *hs = size_human(a->size);

	out_str(o, "tool", NULL, "nvd-label");
	out_u64(o, "version", NULL, 1);
	out_u64(o, "label_size", NULL, a->size);
	out_str(o, "format", NULL, label_format_name(a->format));
	if (dump)
		out_text(o, "%slabel area: %s (%llu bytes), index blocks of %llu bytes, %d-byte labels\n",
			 a->format == LABEL_FMT_CXL ? "CXL " : "", hs, (unsigned long long)a->size,
			 (unsigned long long)a->geom.index_size, a->trial_size);
	free(hs);
	out_arr_open(o, "index");
	for (int i = 0; dump && i < 2; i++)
		print_index(o, &a->index[i], i, a->current == i);
	if (!dump && out_is_json(o))
		for (int i = 0; i < 2; i++)
			print_index(o, &a->index[i], i, a->current == i);
	out_arr_close(o);
	if (a->current >= 0)
		out_i64(o, "current", NULL, a->current);
	else
		out_null(o, "current", NULL);
	out_arr_open(o, "labels");
	if (dump && a->nlabels)
		out_text(o, "labels:\n");
	for (size_t i = 0; i < a->nlabels; i++)
		if (dump || out_is_json(o))
			print_label(o, &a->labels[i]);
	out_arr_close(o);
	out_arr_open(o, "namespaces");
	if (dump && a->nns)
		out_text(o, "namespaces:\n");
	for (size_t i = 0; i < a->nns; i++)
		if (dump || out_is_json(o))
			print_ns(o, &a->ns[i]);
	out_arr_close(o);
	out_findings(o, &a->findings, quiet, strict);
	if (!quiet || a->current < 0)
		print_verdict(o, a);
}
