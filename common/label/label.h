/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The NVDIMM namespace label storage area (LSA) that QEMU keeps in the last
 * label-size bytes of a vNVDIMM's backend: index blocks, v1.1 (128-byte)
 * and v1.2 (256-byte) labels, the fletcher64 variant, and the validation
 * and choices the Linux kernel makes (drivers/nvdimm/label.c).
 * All integers on media are little-endian.
 */
#ifndef NVD_LABEL_H
#define NVD_LABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"

#define LABEL_AREA_MIN (128 * 1024)	/* QEMU's MIN_NAMESPACE_LABEL_SIZE */
#define NSINDEX_SIG "NAMESPACE_INDEX"	/* 15 chars + NUL = 16 bytes */
#define NSINDEX_SIG_LEN 16
#define NSINDEX_HDR 72			/* header bytes before the free bitmap */
#define NSINDEX_ALIGN 256
#define NSINDEX_SEQ_MASK 3

#define NSLABEL_FLAG_ROLABEL 0x1
#define NSLABEL_FLAG_LOCAL 0x2
#define NSLABEL_FLAG_BTT 0x4
#define NSLABEL_FLAG_UPDATING 0x8

/* Byte offsets in an index block. */
enum nsindex_off {
	NSI_SIG = 0, NSI_FLAGS = 16, NSI_LABELSIZE = 19, NSI_SEQ = 20, NSI_MYOFF = 24,
	NSI_MYSIZE = 32, NSI_OTHEROFF = 40, NSI_LABELOFF = 48, NSI_NSLOT = 56,
	NSI_MAJOR = 60, NSI_MINOR = 62, NSI_CHECKSUM = 64, NSI_FREE = 72,
};

/* Byte offsets in a label. */
enum nslabel_off {
	NSL_UUID = 0, NSL_NAME = 16, NSL_FLAGS = 80, NSL_NLABEL = 84, NSL_POSITION = 86,
	NSL_ISETCOOKIE = 88, NSL_LBASIZE = 96, NSL_DPA = 104, NSL_RAWSIZE = 112,
	NSL_SLOT = 120, NSL_ALIGN = 124, NSL_TYPE_GUID = 128, NSL_ABSTRACTION_GUID = 144,
	NSL_CHECKSUM = 248,
};
#define NSLABEL_NAME_LEN 64

/*
 * The CXL 2.0 label storage area (8.2.9.5.2, tables 210-212): the same
 * index block (version 2.1, labelsize byte 1: 256-byte labels) and 256-byte
 * labels that start with a type UUID: a namespace label or a region label.
 * Byte offsets of a CXL namespace label (dpa, rawsize, slot and checksum sit
 * where the NVDIMM v1.2 label has them) and of a region label.
 */
enum cxl_nslabel_off {
	CXL_TYPE = 0, CXL_UUID = 16, CXL_NAME = 32, CXL_FLAGS = 96, CXL_NRANGE = 100,
	CXL_POSITION = 102, CXL_DPA = 104, CXL_RAWSIZE = 112, CXL_SLOT = 120, CXL_ALIGN = 124,
	CXL_REGION_UUID = 128, CXL_ABSTRACTION_UUID = 144, CXL_LBASIZE = 160,
	CXL_CHECKSUM = 248,
};
enum cxl_rglabel_off {
	CXLR_FLAGS = 32, CXLR_NLABEL = 36, CXLR_POSITION = 38, CXLR_DPA = 40,
	CXLR_RAWSIZE = 48, CXLR_HPA = 56, CXLR_SLOT = 64, CXLR_IG = 68, CXLR_ALIGN = 72,
};

/* Which format a label area is read in. */
enum label_format {
	LABEL_FMT_AUTO,		/* cxl when the area says so (v2.x index, CXL labels), else nvdimm */
	LABEL_FMT_NVDIMM,	/* an NVDIMM's: a region of the NFIT, the pmem type GUID */
	LABEL_FMT_CXL,		/* a cxl-type3 device's lsa=: a CXL region, null type GUID */
};
const char *label_format_name(enum label_format f);

/* What a 256-byte label's first 16 bytes say it is. */
enum label_layout { LAYOUT_NVDIMM, LAYOUT_CXL_NS, LAYOUT_CXL_REGION };
enum label_layout label_layout_of(const uint8_t *label, unsigned label_size);

/*
 * The kernel's fletcher64 variant over little-endian 32-bit words (len a
 * multiple of 4): low half the word sum, high half the sum of sums.
 */
uint64_t label_fletcher64(const void *buf, size_t len);

/* Sequence numbers: only the low two bits count, 0 is invalid. */
unsigned label_inc_seq(unsigned seq);
unsigned label_best_seq(unsigned a, unsigned b);

/* How an area of a given size is cut for a label size (128 or 256). */
struct label_geom {
	unsigned label_size;
	uint32_t nslot;
	uint64_t index_size;	/* S: each index block; labels start at 2*S */
};
/* The kernel's sizing (nd_label_validate / sizeof_namespace_index). 0 or -ENOSPC. */
int label_geometry(uint64_t area_size, unsigned label_size, struct label_geom *g);

/* One index block as found, and what the kernel thinks of it. */
struct label_index {
	uint64_t offset;	/* where it was read */
	char sig[NSINDEX_SIG_LEN + 1];
	uint8_t flags[3], labelsize;
	uint32_t seq, nslot;
	uint64_t myoff, mysize, otheroff, labeloff, checksum, checksum_calc;
	uint16_t major, minor;
	bool checksum_ok, valid;
	uint32_t nfree;		/* free bits below nslot (bounded by the area) */
	char *reason;		/* first rule it fails, NULL when valid */
};

struct label_ent {
	uint32_t slot;		/* where it is stored */
	bool active;		/* in use in the current index */
	bool kernel_ok;		/* the kernel would use it (slot field, checksum) */
	uint8_t uuid[16], type_guid[16], abstraction_guid[16];
	char name[NSLABEL_NAME_LEN + 1];
	uint32_t flags, slot_field;
	uint16_t nlabel, position;
	uint64_t isetcookie, lbasize, dpa, rawsize, checksum;
	bool has_guids, checksum_ok;
	/* A CXL 2.0 label (layout != LAYOUT_NVDIMM): its own fields, decoded. */
	enum label_layout layout;
	uint8_t region_uuid[16];
	uint16_t nrange;
	uint32_t align;
	uint64_t hpa;		/* region label */
	uint32_t ig;		/* region label: interleave granularity */
	/*
	 * The layout's own slot field: byte 120 of a namespace label, byte 64
	 * of a region label. slot_field stays byte 120, where Linux 6.1 reads
	 * it (every label as v1.2): reserved, zero, in a region label.
	 */
	uint32_t cxl_slot;
};

struct label_ns {
	uint8_t uuid[16];
	char name[NSLABEL_NAME_LEN + 1];
	uint64_t size, dpa, lbasize, isetcookie;
	const char *claim_class;	/* v1.2 only, else NULL */
	uint32_t slot;
	bool updating;
};

struct label_area {
	uint64_t size;		/* area bytes */
	uint64_t pmem_limit;	/* bytes of DIMM capacity before the area, 0: unknown */
	struct label_geom geom;	/* of the label size the kernel settles on */
	int trial_size;		/* label size of the reported trial (128/256) */
	struct label_index index[2];
	int current;		/* 0, 1, or -1: no valid index */
	struct label_ent *labels;
	size_t nlabels;
	struct label_ns *ns;
	size_t nns;
	bool all_zero;
	enum label_format format;	/* as read: NVDIMM or CXL, never AUTO */
	bool has_serial;		/* CXL: the device's serial number is known */
	uint64_t serial;
	struct findings findings;
};

/*
 * Parse and validate an area as the kernel does. all_slots: also list
 * labels in free slots whose slot field matches (ndctl read-labels does).
 * pmem_limit: the DIMM capacity before the area (labels beyond it are
 * reported), 0 when unknown.
 */
void label_area_parse(struct label_area *a, const uint8_t *buf, uint64_t size,
		      uint64_t pmem_limit, bool all_slots);
/*
 * The same in a given format. CXL: the area of a cxl-type3 device as Linux
 * 6.1 reads it. 6.1's libnvdimm has CXL label code (ndd->cxl) but never
 * switches it on, so it reads a CXL device's area as NVDIMM labels: the same
 * index rules (a v2.1 index passes as 256-byte labels), v1.1/v1.2 labels,
 * checked against a CXL region, whose type GUID is null and whose
 * interleave-set cookie is the fletcher64 of (DPA offset, serial number) of
 * each device (0 for a device without serial number at DPA 0, which 6.1
 * refuses). Labels in the CXL 2.0 layout are decoded and reported as not read.
 * cxl_serial (NULL: unknown): the device's serial number (QEMU's sn=); a
 * label whose cookie is not that of a region at DPA 0 of that device is
 * reported (the kernel skips it).
 */
void label_area_parse_fmt(struct label_area *a, const uint8_t *buf, uint64_t size,
			  uint64_t pmem_limit, bool all_slots, enum label_format fmt,
			  const uint64_t *cxl_serial);

/*
 * Whether a command that writes the area (init, zero, write -i) must be
 * refused without --force, and why (malloc'd, without the file name), or
 * NULL. One rule for an NVDIMM's area and a CXL lsa= backend alike: the
 * old area (parsed a, bytes buf) must be all zero or already a label area
 * (the NAMESPACE_INDEX signature at an offset where the kernel's 128- or
 * 256-byte trial reads an index block); anything else is data (a file
 * system, a guest's bytes) the write would destroy. init also refuses an
 * area with a valid index (it would drop its namespaces).
 */
char *label_write_refusal(const struct label_area *a, const uint8_t *buf, bool init);

/* The interleave-set cookie Linux 6.1 gives a CXL pmem region of one device. */
uint64_t label_cxl_cookie(uint64_t dpa_offset, uint64_t serial);
void label_area_free(struct label_area *a);
/*
 * The first slot in use in the current index of the parsed area a (bytes
 * old) whose bytes differ in new, or -1. Writing it in place (labels are
 * written before the index) can leave the old index pointing at a changed or
 * half-written label after a crash; the kernel never does it, it writes an
 * updated label to a free slot and frees the old one in the next index.
 */
long label_live_slot_changed(const struct label_area *a, const uint8_t *old,
			     const uint8_t *new);

/*
 * Whether new (parsed b) moves old (parsed a) on as the kernel updates an
 * area, or keeps its generation: the same label size and index size, and
 * either the same current index block, byte for byte, or the other block
 * current with a's current block left as it is (the kernel writes an update
 * to the block that is not current). An input made from another generation
 * of the area (one that changed meanwhile) fails it.
 */
bool label_area_follows(const struct label_area *a, const uint8_t *old,
			const struct label_area *b, const uint8_t *new);

/*
 * The order to write new over old (both size bytes) in: steps, each one
 * range written whole, such that after every step the kernel sees either
 * the old area or the new one (label_area_parse: no index in both, or the
 * same label size, nslot, slots in use and their bytes; sequence numbers
 * aside). The bytes that change are grouped by the index blocks of either
 * label size (the kernel tries 128-byte labels, then 256) and by the slots
 * the old and new current indexes use; the groups' order is searched by
 * trying each state on the kernel model. step[i] is the step that writes
 * byte i, LABEL_STEP_NONE where old and new agree; step k covers
 * [from[k], to[k]) (bytes of other steps there are written as they stand
 * then). Returns 0, or -1 when no order is safe (the steps are then in the
 * kernel's order: free label slots, the index blocks, the slots freed).
 */
#define LABEL_STEP_NONE 0xff
#define LABEL_STEPS_MAX 64
struct label_order {
	uint8_t *step;
	unsigned nsteps;
	uint64_t from[LABEL_STEPS_MAX], to[LABEL_STEPS_MAX];
	unsigned tried;		/* states tried on the model */
};
int label_order_plan(struct label_order *o, const uint8_t *old, const uint8_t *new, uint64_t size);
void label_order_free(struct label_order *o);

/* Text or JSON (the tool's whole object, findings included). */
void label_area_print(struct out *o, const struct label_area *a, bool dump, bool quiet,
		      bool strict);

/* "raw", "fsdax", "devdax", "sector", "sector(btt2)", "unknown". */
const char *label_claim_class(const uint8_t guid[16]);
/* Canonical GUID text of mixed-endian on-media bytes / UUID of raw bytes (37 bytes). */
void label_guid_str(const uint8_t g[16], char out[37]);
void label_uuid_str(const uint8_t u[16], char out[37]);

/*
 * Build what `ndctl init-labels -V major.minor` writes into buf (the whole
 * area, size bytes; only the two index blocks are changed): index 0 seq 3,
 * index 1 seq 2, every slot free; like ndctl 76.1 (not the kernel) it also
 * sets the bitmap bits from nslot up to the next multiple of 64, so the
 * blocks are byte-identical to ndctl's. major.minor: 1.1 (128-byte labels),
 * 1.2 (256-byte) or 2.1, the CXL 2.0 index block (256-byte labels) as the
 * CXL specification defines it. An index block of the other label size beyond the new
 * blocks is cleared (the kernel's other trial would find it). 0 or -ENOSPC.
 */
int label_init_build(uint8_t *buf, uint64_t size, unsigned major, unsigned minor,
		     struct label_geom *g);

/* "1.1", "1.2", "2.1" (a leading 'v' allowed) into major.minor: 0, or -EINVAL. */
int label_version_parse(const char *s, unsigned *major, unsigned *minor);
/*
 * The version init writes when none is given, for an area read as f (the
 * format given, or detected from the area): 1.2 on a CXL area, as Linux 6.1
 * writes on a blank one (its CXL region's labels are v1.2, 256 bytes);
 * else 1.1, ndctl init-labels' default.
 */
void label_init_default_version(enum label_format f, unsigned *major, unsigned *minor);

#endif
