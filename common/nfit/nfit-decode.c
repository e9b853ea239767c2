// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Decoding any NFIT (ACPI 6.x): every structure type, each field named as
 * ACPICA's iasl -d names it, every length checked against the buffer.
 */
#include "nfit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum ftype { F_HEX, F_STR, F_GUID, F_RES };

struct field {
	uint16_t off;
	uint8_t len;
	enum ftype type;
	const char *name;	/* ACPICA's */
	const char *key;	/* JSON */
	const char *const *bits;	/* names of flag bits, NULL-terminated */
};

/* As the iasl -d of Debian 12 (ACPICA 20200925) lists them. */
static const char *const spa_flags[] = { "Add/Online Operation Only", "Proximity Domain Valid",
					 NULL };
static const char *const memdev_flags[] = { "Save to device failed", "Restore from device failed",
					    "Platform flush failed", "Device not armed",
					    "Health events observed", "Health events enabled",
					    "Mapping failed", NULL };
static const char *const dcr_flags[] = { "Windows buffered", NULL };
static const char *const cap_flags[] = { "Cache Flush to NVDIMM", "Memory Flush to NVDIMM",
					 "Memory Mirroring", NULL };

static const struct field header_fields[] = {
	{ 0, 4, F_STR, "Signature", "signature", NULL },
	{ 4, 4, F_HEX, "Table Length", "length", NULL },
	{ 8, 1, F_HEX, "Revision", "revision", NULL },
	{ 9, 1, F_HEX, "Checksum", "checksum", NULL },
	{ 10, 6, F_STR, "Oem ID", "oem_id", NULL },
	{ 16, 8, F_STR, "Oem Table ID", "oem_table_id", NULL },
	{ 24, 4, F_HEX, "Oem Revision", "oem_revision", NULL },
	{ 28, 4, F_STR, "Asl Compiler ID", "creator_id", NULL },
	{ 32, 4, F_HEX, "Asl Compiler Revision", "creator_revision", NULL },
	{ 36, 4, F_RES, "Reserved", "reserved", NULL },
	{ 0, 0, 0, NULL, NULL, NULL }
};

static const struct field spa_fields[] = {
	{ 4, 2, F_HEX, "Range Index", "range_index", NULL },
	{ 6, 2, F_HEX, "Flags (decoded below)", "flags", spa_flags },
	{ 8, 4, F_RES, "Reserved", "reserved", NULL },
	{ 12, 4, F_HEX, "Proximity Domain", "proximity_domain", NULL },
	{ 16, 16, F_GUID, "Region Type GUID", "region_type_guid", NULL },
	{ 32, 8, F_HEX, "Address Range Base", "address", NULL },
	{ 40, 8, F_HEX, "Address Range Length", "length", NULL },
	{ 48, 8, F_HEX, "Memory Map Attribute", "memory_map_attribute", NULL },
	{ 56, 8, F_HEX, "Location Cookie", "location_cookie", NULL },	/* ACPI 6.3, 64 bytes */
	{ 0, 0, 0, NULL, NULL, NULL }
};

static const struct field memdev_fields[] = {
	{ 4, 4, F_HEX, "Device Handle", "device_handle", NULL },
	{ 8, 2, F_HEX, "Physical Id", "physical_id", NULL },
	{ 10, 2, F_HEX, "Region Id", "region_id", NULL },
	{ 12, 2, F_HEX, "Range Index", "range_index", NULL },
	{ 14, 2, F_HEX, "Control Region Index", "control_region_index", NULL },
	{ 16, 8, F_HEX, "Region Size", "region_size", NULL },
	{ 24, 8, F_HEX, "Region Offset", "region_offset", NULL },
	{ 32, 8, F_HEX, "Address Region Base", "address_region_base", NULL },
	{ 40, 2, F_HEX, "Interleave Index", "interleave_index", NULL },
	{ 42, 2, F_HEX, "Interleave Ways", "interleave_ways", NULL },
	{ 44, 2, F_HEX, "Flags", "flags", memdev_flags },
	{ 46, 2, F_RES, "Reserved", "reserved", NULL },
	{ 0, 0, 0, NULL, NULL, NULL }
};

static const struct field interleave_fields[] = {
	{ 4, 2, F_HEX, "Interleave Index", "interleave_index", NULL },
	{ 6, 2, F_RES, "Reserved", "reserved", NULL },
	{ 8, 4, F_HEX, "Line Count", "line_count", NULL },
	{ 12, 4, F_HEX, "Line Size", "line_size", NULL },
	{ 0, 0, 0, NULL, NULL, NULL }
};

static const struct field smbios_fields[] = {
	{ 4, 4, F_RES, "Reserved", "reserved", NULL },
	{ 0, 0, 0, NULL, NULL, NULL }
};

static const struct field dcr_fields[] = {
	{ 4, 2, F_HEX, "Region Index", "region_index", NULL },
	{ 6, 2, F_HEX, "Vendor Id", "vendor_id", NULL },
	{ 8, 2, F_HEX, "Device Id", "device_id", NULL },
	{ 10, 2, F_HEX, "Revision Id", "revision_id", NULL },
	{ 12, 2, F_HEX, "Subsystem Vendor Id", "subsystem_vendor_id", NULL },
	{ 14, 2, F_HEX, "Subsystem Device Id", "subsystem_device_id", NULL },
	{ 16, 2, F_HEX, "Subsystem Revision Id", "subsystem_revision_id", NULL },
	{ 18, 1, F_HEX, "Valid Fields", "valid_fields", NULL },
	{ 19, 1, F_HEX, "Manufacturing Location", "manufacturing_location", NULL },
	{ 20, 2, F_HEX, "Manufacturing Date", "manufacturing_date", NULL },
	{ 22, 2, F_RES, "Reserved", "reserved", NULL },
	{ 24, 4, F_HEX, "Serial Number", "serial_number", NULL },
	{ 28, 2, F_HEX, "Code", "code", NULL },
	{ 30, 2, F_HEX, "Window Count", "window_count", NULL },
	{ 32, 8, F_HEX, "Window Size", "window_size", NULL },
	{ 40, 8, F_HEX, "Command Offset", "command_offset", NULL },
	{ 48, 8, F_HEX, "Command Size", "command_size", NULL },
	{ 56, 8, F_HEX, "Status Offset", "status_offset", NULL },
	{ 64, 8, F_HEX, "Status Size", "status_size", NULL },
	{ 72, 2, F_HEX, "Flags", "flags", dcr_flags },
	{ 74, 6, F_RES, "Reserved1", "reserved1", NULL },
	{ 0, 0, 0, NULL, NULL, NULL }
};

static const struct field bdw_fields[] = {
	{ 4, 2, F_HEX, "Region Index", "region_index", NULL },
	{ 6, 2, F_HEX, "Window Count", "window_count", NULL },
	{ 8, 8, F_HEX, "Offset", "offset", NULL },
	{ 16, 8, F_HEX, "Size", "size", NULL },
	{ 24, 8, F_HEX, "Capacity", "capacity", NULL },
	{ 32, 8, F_HEX, "Start Address", "start_address", NULL },
	{ 0, 0, 0, NULL, NULL, NULL }
};

static const struct field flush_fields[] = {
	{ 4, 4, F_HEX, "Device Handle", "device_handle", NULL },
	{ 8, 2, F_HEX, "Hint Count", "hint_count", NULL },
	{ 10, 6, F_RES, "Reserved", "reserved", NULL },
	{ 0, 0, 0, NULL, NULL, NULL }
};

static const struct field caps_fields[] = {
	{ 4, 1, F_HEX, "Highest Capability", "highest_capability", NULL },
	{ 5, 3, F_RES, "Reserved", "reserved", NULL },
	{ 8, 4, F_HEX, "Capabilities (decoded below)", "capabilities", cap_flags },
	{ 12, 4, F_RES, "Reserved", "reserved2", NULL },
	{ 0, 0, 0, NULL, NULL, NULL }
};

struct stype {
	const char *name;
	const struct field *fields;
	uint16_t min_len;	/* fixed part */
	uint16_t max_len;	/* 0: variable (a count of entries follows) */
	uint16_t alt_len;	/* another valid fixed length, 0 if none */
};

/* Indexed by structure type. */
static const struct stype stypes[] = {
	{ "System Physical Address Range", spa_fields, 56, 64, 0 },
	{ "Memory Range Map", memdev_fields, 48, 48, 0 },
	{ "Interleave Info", interleave_fields, 16, 0, 0 },
	{ "SMBIOS Information", smbios_fields, 8, 0, 0 },
	{ "NVDIMM Control Region", dcr_fields, 80, 80, 32 },
	{ "NVDIMM Block Data Window Region", bdw_fields, 40, 40, 0 },
	{ "Flush Hint Address", flush_fields, 16, 0, 0 },
	{ "Platform Capabilities", caps_fields, 16, 16, 0 },
};

static const struct {
	const char *guid, *name;
} known_guids[] = {
	{ "66F0D379-B4F3-4074-AC43-0D3318B78CDB", "Persistent Memory" },
	{ "7305944F-FDDA-44E3-B16C-3F22D252E5D0", "Volatile Memory" },
	{ "92F701F6-13B4-405D-910B-299367E8234C", "NVDIMM Control Region" },
	{ "91AF0530-5D86-470E-A6B0-0A2DB9408249", "NVDIMM Block Data Window" },
	{ "77AB535A-45FC-624B-5560-F7B281D1F96E", "Volatile Virtual Disk" },
	{ "3D5ABD30-4175-87CE-6D64-D2ADE523C4BB", "Volatile Virtual CD" },
	{ "5CEA02C9-4D07-69D3-269F-4496FBE096F9", "Persistent Virtual Disk" },
	{ "08018188-42CD-BB48-100F-5387D53DED3D", "Persistent Virtual CD" },
};

static uint64_t get_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i > 0; i--)
		v = (v << 8) | p[i - 1];
	return v;
}

static void guid_str(const uint8_t *g, char out[37])
{
	snprintf(out, 37, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 (unsigned)get_le(g, 4), (unsigned)get_le(g + 4, 2), (unsigned)get_le(g + 6, 2),
		 g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* One field: text as iasl -d prints it, JSON as a number or a string. */
static void print_field(struct out *o, const uint8_t *s, size_t base, const struct field *fd)
{
	const uint8_t *p = s + fd->off;
	char text[80];

	out_text(o, "[%03zXh %04zu %3u] %28s : ", base + fd->off, base + fd->off, fd->len, fd->name);
	switch (fd->type) {
	case F_STR: {
		char str[16];
		size_t n = 0;

		for (size_t i = 0; i < fd->len && i < sizeof(str) - 1; i++)
			str[n++] = isprint(p[i]) ? (char)p[i] : p[i] ? '.' : '\0';
		/* NUL padding shows as nothing, like ACPICA. */
		str[n] = '\0';
		out_text(o, "\"%s\"", str);
		if (fd->off == 0 && base == 0 && !strcmp(str, "NFIT"))
			out_text(o, "    [NVDIMM Firmware Interface Table]");
		out_text(o, "\n");
		out_str(o, fd->key, NULL, str);
		return;
	}
	case F_GUID: {
		char g[37];

		guid_str(p, g);
		out_text(o, "%s\n", g);
		out_str(o, fd->key, NULL, g);
		for (size_t i = 0; i < ARRAY_SIZE(known_guids); i++)
			if (!strcmp(g, known_guids[i].guid))
				out_str(o, "region_type", NULL, known_guids[i].name);
		return;
	}
	case F_RES:
		for (size_t i = 0; i < fd->len; i++)
			snprintf(text + 2 * i, sizeof(text) - 2 * i, "%02X", p[fd->len - 1 - i]);
		out_text(o, "%s\n", text);
		out_u64(o, fd->key, NULL, fd->len <= 8 ? get_le(p, fd->len) : 0);
		return;
	case F_HEX:
		out_text(o, "%0*llX\n", 2 * fd->len, (unsigned long long)get_le(p, fd->len));
		out_u64(o, fd->key, NULL, get_le(p, fd->len));
		break;
	}
	if (fd->bits) {
		uint64_t v = get_le(p, fd->len);

		for (size_t b = 0; fd->bits[b]; b++)
			out_text(o, "%44s : %u\n", fd->bits[b], (unsigned)((v >> b) & 1));
	}
}

static void print_fields(struct out *o, const uint8_t *s, size_t slen, size_t base,
			 const struct field *fields)
{
	for (const struct field *fd = fields; fd->name; fd++) {
		if (fd->off + fd->len > slen)
			continue;
		/* iasl ends the common ACPI header with a blank line. */
		if (fields == header_fields && fd->off == 36)
			out_text(o, "\n");
		print_field(o, s, base, fd);
	}
}

/* The array after a variable structure's fixed part. */
static void print_array(struct out *o, const uint8_t *s, size_t slen, size_t base,
			size_t start, size_t width, uint64_t count, const char *name,
			const char *key)
{
	out_arr_open(o, key);
	for (uint64_t i = 0; i < count && start + (i + 1) * width <= slen; i++) {
		size_t off = start + i * width;

		out_text(o, "[%03zXh %04zu %3zu] %28s : %0*llX\n", base + off, base + off, width, name,
			 (int)(2 * width), (unsigned long long)get_le(s + off, width));
		out_u64(o, NULL, NULL, get_le(s + off, width));
	}
	out_arr_close(o);
}

static void print_raw(struct out *o, const uint8_t *s, size_t len, size_t base)
{
	struct strbuf hex;

	sb_init(&hex);
	for (size_t i = 0; i < len; i++) {
		if (i % 16 == 0)
			out_text(o, "%s    %04zX:", i ? "\n" : "", base + i);
		out_text(o, " %02X", s[i]);
		sb_addf(&hex, "%02x", s[i]);
	}
	out_text(o, "\n");
	out_str(o, "raw", NULL, hex.buf ? hex.buf : "");
	sb_release(&hex);
}

static uint8_t checksum(const uint8_t *t, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += t[i];
	return sum;
}

int nfit_decode(const uint8_t *t, size_t len, struct out *o, struct findings *f)
{
	size_t fails = findings_count(f, LEVEL_FAIL), off, declared;

	if (len < NFIT_HEADER_LEN) {
		finding_add(f, LEVEL_FAIL, "nfit-truncated", NULL, NULL,
			    "%zu bytes: shorter than the 40-byte NFIT header", len);
		return -1;
	}
	if (memcmp(t, "NFIT", 4))
		finding_add(f, LEVEL_FAIL, "nfit-signature", NULL, NULL,
			    "the signature is not \"NFIT\": not an NFIT");
	declared = (size_t)get_le(t + 4, 4);
	if (declared != len)
		finding_add(f, LEVEL_FAIL, "nfit-length", NULL, NULL,
			    "the header says %zu bytes, the table has %zu", declared, len);
	if (checksum(t, len))
		finding_add(f, LEVEL_FAIL, "nfit-checksum", NULL, NULL,
			    "the checksum is wrong: the bytes sum to 0x%02x, not 0",
			    checksum(t, len));
	/* Decode what the buffer holds, never past it. */
	if (declared < len && declared >= NFIT_HEADER_LEN)
		len = declared;

	out_obj_open(o, "header");
	print_fields(o, t, len, 0, header_fields);
	out_obj_close(o);
	out_text(o, "\n");

	out_arr_open(o, "structures");
	for (off = NFIT_HEADER_LEN; off < len;) {
		const uint8_t *s = t + off;
		size_t left = len - off, slen;
		uint16_t type;
		const struct stype *st;

		if (left < 4) {
			finding_add(f, LEVEL_FAIL, "nfit-structure-truncated", NULL, NULL,
				    "%zu stray bytes at offset %zu: too short for a structure header",
				    left, off);
			break;
		}
		type = (uint16_t)get_le(s, 2);
		slen = (size_t)get_le(s + 2, 2);
		if (slen < 4 || slen > left) {
			finding_add(f, LEVEL_FAIL, "nfit-structure-length", NULL, NULL,
				    "the structure at offset %zu (type %u) claims %zu bytes, %zu are left",
				    off, type, slen, left);
			break;
		}
		st = type < ARRAY_SIZE(stypes) ? &stypes[type] : NULL;
		if (!st)
			finding_add(f, LEVEL_INFO, "nfit-structure-unknown", NULL, NULL,
				    "structure type %u at offset %zu is not in ACPI 6.5: shown raw",
				    type, off);
		out_obj_open(o, NULL);
		out_u64(o, "offset", NULL, off);
		out_text(o, "[%03zXh %04zu %3u] %28s : %04X [%s]\n", off, off, 2, "Subtable Type", type,
			 st ? st->name : "Unknown Subtable Type");
		out_u64(o, "type", NULL, type);
		out_str(o, "type_name", NULL, st ? st->name : "unknown");
		out_text(o, "[%03zXh %04zu %3u] %28s : %04X\n\n", off + 2, off + 2, 2, "Length",
			 (unsigned)slen);
		out_u64(o, "length", NULL, slen);
		if (st && (slen < st->min_len || (st->max_len && slen > st->max_len)) &&
		    slen != st->alt_len) {
			finding_add(f, LEVEL_FAIL, "nfit-structure-length", NULL, NULL,
				    "the %s at offset %zu is %zu bytes; it must be %u%s", st->name,
				    off, slen, st->min_len, st->max_len ? "" : " or more");
			st = NULL;	/* shown raw */
		}
		if (!st) {
			print_raw(o, s, slen, off);
		} else {
			out_obj_open(o, "fields");
			print_fields(o, s, slen, off, st->fields);
			if (type == 2) {
				uint64_t n = get_le(s + 8, 4);

				if (16 + n * 4 != slen)
					finding_add(f, LEVEL_FAIL, "nfit-structure-length", NULL, NULL,
						    "the interleave structure at offset %zu has %llu lines but %zu bytes",
						    off, (unsigned long long)n, slen);
				print_array(o, s, slen, off, 16, 4, n, "Line Offset", "line_offsets");
			} else if (type == 6) {
				uint64_t n = get_le(s + 8, 2);

				if (16 + n * 8 != slen)
					finding_add(f, LEVEL_FAIL, "nfit-structure-length", NULL, NULL,
						    "the flush hint structure at offset %zu has %llu hints but %zu bytes",
						    off, (unsigned long long)n, slen);
				print_array(o, s, slen, off, 16, 8, n, "Hint Address", "hint_addresses");
			} else if (type == 3 && slen > 8) {
				print_raw(o, s + 8, slen - 8, off + 8);
			}
			out_obj_close(o);
		}
		out_obj_close(o);
		out_text(o, "\n");
		off += slen;
	}
	out_arr_close(o);
	return findings_count(f, LEVEL_FAIL) > fails ? -1 : 0;
}

/* ---- diff ------------------------------------------------------------- */

struct sref {
	const uint8_t *p;
	size_t len;
	uint64_t key;
	bool matched;
};

/* What identifies a structure, so tables can be compared in any order. */
static uint64_t struct_key(const uint8_t *s, size_t len)
{
	uint64_t type = get_le(s, 2);

	switch (type) {
	case 0:
	case 4:
	case 5:
		return type << 48 | (len >= 6 ? get_le(s + 4, 2) : 0);
	case 1:
		return type << 48 | (len >= 16 ? get_le(s + 4, 4) << 16 | get_le(s + 12, 2) : 0);
	case 2:
	case 6:
		return type << 48 | (len >= 8 ? get_le(s + 4, 4) : 0);
	default:
		return type << 48;
	}
}

static size_t split(const uint8_t *t, size_t len, struct sref **out)
{
	size_t n = 0, off = NFIT_HEADER_LEN;

	*out = NULL;
	while (off + 4 <= len) {
		size_t slen = (size_t)get_le(t + off + 2, 2);

		if (slen < 4 || slen > len - off)
			break;
		*out = xrealloc(*out, (n + 1) * sizeof(**out));
		(*out)[n].p = t + off;
		(*out)[n].len = slen;
		(*out)[n].key = struct_key(t + off, slen);
		(*out)[n].matched = false;
		n++;
		off += slen;
	}
	return n;
}

/* A structure as a person names it: "SPA range 2", "memory device handle 0x1, SPA range 2". */
static const char *sname(const struct sref *r)
{
	static char buf[96];
	uint64_t k = r->key & 0xffffffffffffULL;

	switch (get_le(r->p, 2)) {
	case 0:
		snprintf(buf, sizeof(buf), "SPA range %llu", (unsigned long long)k);
		break;
	case 1:
		snprintf(buf, sizeof(buf), "memory device handle 0x%llx, SPA range %llu",
			 (unsigned long long)(k >> 16), (unsigned long long)(k & 0xffff));
		break;
	case 2:
		snprintf(buf, sizeof(buf), "interleave %llu", (unsigned long long)k);
		break;
	case 3:
		snprintf(buf, sizeof(buf), "SMBIOS information");
		break;
	case 4:
		snprintf(buf, sizeof(buf), "control region %llu", (unsigned long long)k);
		break;
	case 5:
		snprintf(buf, sizeof(buf), "block data window %llu", (unsigned long long)k);
		break;
	case 6:
		snprintf(buf, sizeof(buf), "flush hint, handle 0x%llx", (unsigned long long)k);
		break;
	case 7:
		snprintf(buf, sizeof(buf), "platform capabilities");
		break;
	default:
		snprintf(buf, sizeof(buf), "structure type %llu", (unsigned long long)get_le(r->p, 2));
	}
	return buf;
}

static void diff_fields(const struct sref *w, const struct sref *g, struct findings *f)
{
	uint16_t type = (uint16_t)get_le(w->p, 2);
	const struct field *fields = type < ARRAY_SIZE(stypes) ? stypes[type].fields : NULL;
	bool said = false;

	for (const struct field *fd = fields; fd && fd->name; fd++) {
		if (fd->off + fd->len > w->len || fd->off + fd->len > g->len)
			continue;
		if (!memcmp(w->p + fd->off, g->p + fd->off, fd->len))
			continue;
		said = true;
		if (fd->type == F_GUID) {
			char a[37], b[37];

			guid_str(w->p + fd->off, a);
			guid_str(g->p + fd->off, b);
			finding_add(f, LEVEL_FAIL, "nfit-diff-field", NULL, NULL,
				    "%s: %s: expected %s, got %s", sname(w), fd->name, a, b);
		} else if (fd->len > 8) {
			finding_add(f, LEVEL_FAIL, "nfit-diff-field", NULL, NULL, "%s: %s differs",
				    sname(w), fd->name);
		} else {
			finding_add(f, LEVEL_FAIL, "nfit-diff-field", NULL, NULL,
				    "%s: %s: expected 0x%llx, got 0x%llx", sname(w), fd->name,
				    (unsigned long long)get_le(w->p + fd->off, fd->len),
				    (unsigned long long)get_le(g->p + fd->off, fd->len));
		}
	}
	if (!said && (w->len != g->len || memcmp(w->p, g->p, w->len)))
		finding_add(f, LEVEL_FAIL, "nfit-diff-field", NULL, NULL,
			    "%s: %zu bytes expected, %zu found, or other bytes", sname(w), w->len,
			    g->len);
}

size_t nfit_diff(const uint8_t *want, size_t wlen, const uint8_t *got, size_t glen,
		 struct findings *f)
{
	size_t before = findings_count(f, LEVEL_FAIL), nw, ng;
	struct sref *w, *g;

	if (wlen < NFIT_HEADER_LEN || glen < NFIT_HEADER_LEN) {
		finding_add(f, LEVEL_FAIL, "nfit-truncated", NULL, NULL,
			    "a table is shorter than the NFIT header");
		return 1;
	}
	for (const struct field *fd = header_fields; fd->name; fd++) {
		if (fd->off == 4 || fd->off == 9)
			continue;	/* length and checksum follow from the rest */
		if (!memcmp(want + fd->off, got + fd->off, fd->len))
			continue;
		if (fd->type == F_STR)
			finding_add(f, LEVEL_FAIL, "nfit-diff-header", NULL, NULL,
				    "header: %s: expected \"%.*s\", got \"%.*s\"", fd->name, fd->len,
				    (const char *)want + fd->off, fd->len, (const char *)got + fd->off);
		else
			finding_add(f, LEVEL_FAIL, "nfit-diff-header", NULL, NULL,
				    "header: %s: expected 0x%llx, got 0x%llx", fd->name,
				    (unsigned long long)get_le(want + fd->off, fd->len),
				    (unsigned long long)get_le(got + fd->off, fd->len));
	}
	{
		/* The actual table's own faults first: length, checksum, structures. */
		struct out *o = out_new(stdout, true, false);

		nfit_decode(got, glen, o, f);
		out_discard(o);
	}
	nw = split(want, wlen, &w);
	ng = split(got, glen, &g);
	for (size_t i = 0; i < nw; i++) {
		size_t k;

		for (k = 0; k < ng; k++)
			if (!g[k].matched && g[k].key == w[i].key)
				break;
		if (k == ng) {
			finding_add(f, LEVEL_FAIL, "nfit-diff-missing", NULL, NULL,
				    "%s is expected but missing", sname(&w[i]));
			continue;
		}
		g[k].matched = true;
		diff_fields(&w[i], &g[k], f);
	}
	for (size_t k = 0; k < ng; k++)
		if (!g[k].matched)
			finding_add(f, LEVEL_FAIL, "nfit-diff-extra", NULL, NULL,
				    "%s is not expected", sname(&g[k]));
	free(w);
	free(g);
	return findings_count(f, LEVEL_FAIL) - before;
}
