// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Building the VM model from a QEMU command line. What QEMU checks while it
 * parses options (QemuOpts/keyval syntax, the QAPI schema of -object, device
 * ids) is checked here, in command-line order, because QEMU stops at the
 * first of those before it looks at anything else.
 */
#include "vmconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memdev.h"
#include "qapi.h"
#include "qemu-caps.h"
#include "size.h"
#include "util.h"

qver_t qver_parse(const char *s)
{
	unsigned long maj, min;
	char *end;

	if (*s == 'v')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	maj = strtoul(s, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return -1;
	min = strtoul(end + 1, &end, 10);
	if (*end == '.') {
		/* A micro version: 10.0.13 */
		if (!isdigit((unsigned char)end[1]))
			return -1;
		strtoul(end + 1, &end, 10);
	}
	if (*end || maj > 99 || min > 99)
		return -1;
	return QVER((int)maj, (int)min);
}

/* QEMU 11.0's JSON parser says where an error is (qemu-json.h). */
#define JSON_LOCATED(vm) ((vm)->qver >= QVER(11, 0))

bool qver_supported(qver_t v)
{
	/* Releases: x.0 to x.2 since 6.0 (11.0 and 11.1 so far). */
	return v >= QVER_OLDEST && v <= QVER_NEWEST && v % 100 <= 2;
}

const char *memdev_name(const struct memdev *d)
{
	return d->id ? d->id : "(unnamed)";
}

bool vm_failed_object(const struct vm *vm, const char *id)
{
	return strmap_get(&vm->failed_set, id) != NULL;
}

bool vm_other_object(const struct vm *vm, const char *id)
{
	return strmap_get(&vm->other_set, id) != NULL;
}

/* Append a copy of id to sv and to its set. */
static void id_add(struct strv *sv, struct strmap *set, const char *id)
{
	strv_push(sv, xstrdup(id));
	strmap_put(set, sv->v[sv->n - 1], 0, NULL);
}

const char *backend_open_path(const struct backend *b)
{
	return b->host_path ? b->host_path : b->mem_path;
}

struct backend *vm_find_backend(struct vm *vm, const char *id)
{
	size_t *at;

	/* Backends are appended here and by the hot-plug plan: index the new ones. */
	for (; vm->backends_indexed < vm->nbackends; vm->backends_indexed++)
		strmap_put(&vm->backend_ids, vm->backends[vm->backends_indexed].id,
			   vm->backends_indexed, NULL);
	at = strmap_get(&vm->backend_ids, id);
	return at ? &vm->backends[*at] : NULL;
}

bool findings_failed_since(const struct findings *f, size_t from)
{
	for (size_t i = from; i < f->n; i++)
		if (f->v[i].level == LEVEL_FAIL)
			return true;
	return false;
}

/*
 * An option QEMU refuses while reading it: the finding names the option and
 * its text (the first 72 bytes), since nothing else about it is known.
 */
static void parse_fail_opt(struct findings *f, const char *object, const char *opt,
			   const char *arg, const char *qemu)
{
	size_t n = strlen(arg);

	finding_add(f, LEVEL_FAIL, "option-invalid", object, qemu,
		    "QEMU refuses %s %.*s%s while reading its command line", opt,
		    (int)(n > 72 ? 72 : n), arg, n > 72 ? "..." : "");
}

#define parse_fail(f, object, qemu) parse_fail_opt(f, object, OPT, arg, qemu)

void warn_hex_suffix(struct findings *f, const char *object, const char *qemu)
{
	const char *text = strrchr(qemu, ' ') + 1;

	finding_add(f, LEVEL_WARN, "size-hex-suffix", object, qemu,
		    "a hex size with a suffix (%s) is deprecated, and refused from QEMU 8.0: write it in decimal with the suffix or in hex without one",
		    text);
}

/* QemuOpts accepts "foo" for foo=on, with a deprecation warning. */
static void warn_flags(const struct kvlist *kv, const char *object, struct findings *f)
{
	for (size_t i = 0; kv->flags && kv->flags[i]; i++) {
		char *q = xasprintf("warning: short-form boolean option '%s' deprecated", kv->flags[i]);

		finding_add(f, LEVEL_WARN, "option-short-form-boolean", object, q,
			    "'%s' without a value means %s=on; write it out (an unescaped ',' in a value also ends up here: write ',,')",
			    kv->flags[i], kv->flags[i]);
		free(q);
	}
}

/* -machine / -M: keyval with "type" implied; later options add to earlier ones. */
static void parse_machine(struct vm *vm, const char *arg, struct findings *f)
{
	static const char OPT[] = "-machine";

	struct kvlist kv;
	char *err = NULL;

	/*
	 * -machine takes no JSON (7.2, 10.0, 11.1): keyval reads '{"type":...'
	 * up to the first comma as the type, and the next word as a key.
	 */
	if (arg[0] == '{' && strchr(arg, ',')) {
		const char *k = strchr(arg, ',') + 1;
		size_t n = strcspn(k, "=,"), i;

		for (i = 0; i < n && (isalnum((unsigned char)k[i]) || strchr("-_.", k[i])); i++)
			;
		if (!n || i < n) {
			err = xasprintf("Invalid parameter '%.*s'", (int)n, k);
			parse_fail(f, NULL, err);
			free(err);
			return;
		}
	}
	if (opts_parse_v(arg, "type", SYNTAX_KEYVAL, JSON_LOCATED(vm), &kv, &err) < 0) {
		parse_fail(f, NULL, err);
		free(err);
		return;
	}
	if (!cxl_fmw_keys_ok(vm, &kv, &err)) {
		parse_fail(f, NULL, err);
		free(err);
		kvlist_free(&kv);
		return;
	}
	/* A key given again keeps its place and takes the new value. */
	for (size_t i = 0; i < kv.n; i++)
		kvlist_set(&vm->machine.props, xstrdup(kv.v[i].key), xstrdup(kv.v[i].val),
			   KV_STRING);
	kvlist_free(&kv);
}

/*
 * -m: QemuOpts with "size" implied; keys size, slots, maxmem. QEMU reads it
 * twice (vl.c parse_memory_options()): QemuOpts checks each key with its
 * own messages, then the values go to the machine's "memory" property,
 * where a size without a suffix gets "M" appended and is read again by the
 * keyval visitor ("Parameter 'memory.size' expects size"). Before 8.0 each
 * reading of a hex size with a suffix warns.
 */
static void parse_memory(struct vm *vm, const char *arg, struct findings *f)
{
	static const char OPT[] = "-m";

	struct memory *m = &vm->mem;
	size_t fails = findings_count(f, LEVEL_FAIL);
	struct kvlist kv;
	char *err = NULL;

	if (opts_parse_v(arg, "size", SYNTAX_QEMUOPTS, JSON_LOCATED(vm), &kv, &err) < 0) {
		parse_fail(f, NULL, err);
		free(err);
		m->invalid = true;
		return;
	}
	for (size_t i = 0; i < kv.n; i++) {
		const struct kv *e = &kv.v[i];
		uint64_t v;

		if (!strcmp(e->key, "size") || !strcmp(e->key, "maxmem")) {
			bool hex;
			int r = size_parse_qemu(e->val, vm->qver, 1, &v, &hex);

			if (hex) {
				char *w = qapi_hex_suffix_warning(e->val);

				warn_hex_suffix(f, NULL, w);
				free(w);
			}
			if (r < 0) {
				char *q = r == -ERANGE
						  ? xasprintf("Value '%s' is out of range for parameter '%s'",
							      e->val, e->key)
						  : xasprintf("Parameter '%s' expects a non-negative number below 2^64",
							      e->key);
				parse_fail(f, NULL, q);
				free(q);
				goto out;
			}
		} else if (!strcmp(e->key, "slots")) {
			char *end;

			/* parse_option_number(): strtoull(), so "-1" is 2^64-1. */
			errno = 0;
			v = strtoull(e->val, &end, 0);
			if (errno == ERANGE) {
				char *q = xasprintf("Value '%s' is too large for parameter 'slots'",
						    e->val);

				parse_fail(f, NULL, q);
				free(q);
				goto out;
			}
			if (errno || end == e->val || *end) {
				parse_fail(f, NULL, "Parameter 'slots' expects a number");
				goto out;
			}
		} else {
			char *q = xasprintf("Invalid parameter '%s'", e->key);

			parse_fail(f, NULL, q);
			free(q);
			goto out;
		}
	}
	/* Later -m options override earlier ones key by key. */
	for (size_t i = 0; i < kv.n; i++) {
		const struct kv *e = &kv.v[i];

		if (!strcmp(e->key, "size")) {
			uint64_t v = 0;
			bool hex;

			size_parse_qemu(e->val, vm->qver, 1, &v, NULL);
			if (v == 0)
				continue;	/* 0 means "the default" */
			/* The legacy form without suffix means MiB: "512" is read as "512M". */
			if (isdigit((unsigned char)e->val[strlen(e->val) - 1])) {
				char *mib = xasprintf("%sM", e->val);
				int r = size_parse_qemu(mib, vm->qver, 1, &v, &hex);

				if (hex) {
					char *w = qapi_hex_suffix_warning(mib);

					warn_hex_suffix(f, NULL, w);
					free(w);
				}
				free(mib);
				if (r < 0) {
					parse_fail(f, NULL, "Parameter 'memory.size' expects size");
					goto out;
				}
			}
			m->size = v;
			m->has_size = true;
		} else if (!strcmp(e->key, "maxmem")) {
			size_parse_qemu(e->val, vm->qver, 1, &m->maxmem, NULL);
			m->maxmem_given = m->maxmem;
			m->has_maxmem = true;
		} else {
			m->slots = strtoull(e->val, NULL, 0);
			m->has_slots = true;
		}
	}
	free(m->arg);
	m->arg = xstrdup(arg);
out:
	if (findings_count(f, LEVEL_FAIL) > fails)
		m->invalid = true;
	kvlist_free(&kv);
}

enum member_type { MT_BOOL, MT_SIZE, MT_STR, MT_U32, MT_ENUM, MT_LIST };

struct member {
	const char *name;
	enum member_type type;
	bool required;
	qver_t since;
};

/* qapi/qom.json, in schema order: MemoryBackendProperties, then the subtype's. */
static const struct member backend_members[] = {
	{ "dump", MT_BOOL, false, 0 },
	{ "host-nodes", MT_LIST, false, 0 },
	{ "merge", MT_BOOL, false, 0 },
	{ "policy", MT_ENUM, false, 0 },
	{ "prealloc", MT_BOOL, false, 0 },
	{ "prealloc-threads", MT_U32, false, 0 },
	{ "prealloc-context", MT_STR, false, QVER(7, 2) },
	{ "share", MT_BOOL, false, 0 },
	{ "reserve", MT_BOOL, false, QVER(6, 1) },
	{ "size", MT_SIZE, true, 0 },
	{ "x-use-canonical-path-for-ramblock-id", MT_BOOL, false, 0 },
};

static const struct member file_members[] = {
	{ "align", MT_SIZE, false, 0 },
	{ "offset", MT_SIZE, false, QVER(8, 1) },
	{ "discard-data", MT_BOOL, false, 0 },
	{ "mem-path", MT_STR, true, 0 },
	{ "pmem", MT_BOOL, false, 0 },
	{ "readonly", MT_BOOL, false, 0 },
	{ "rom", MT_ENUM, false, QVER(8, 2) },
};

static const struct member memfd_members[] = {
	{ "hugetlb", MT_BOOL, false, 0 },
	{ "hugetlbsize", MT_SIZE, false, 0 },
	{ "seal", MT_BOOL, false, 0 },
};

/*
 * host-nodes: the opts visitor takes "N" or "N-M" (a uint64 value or range),
 * JSON an array.
 */
static bool check_uint_list(const struct kv *e, char **err)
{
	const char *p = e->val;

	if (e->json) {
		if (e->type == KV_OTHER && p[0] == '[')
			return true;
		*err = xasprintf("Invalid parameter type for '%s', expected: array", e->key);
		return false;
	}
	for (int part = 0; part < 2; part++) {
		if (!isdigit((unsigned char)*p))
			break;
		while (isdigit((unsigned char)*p))
			p++;
		if (*p != '-' || part)
			break;
		p++;
	}
	if (*p || p == e->val || p[-1] == '-') {
		*err = xasprintf("Parameter '%s' expects a uint64 value or range", e->key);
		return false;
	}
	return true;
}

static bool check_member(const struct member *m, const struct kv *e, qver_t qver,
			 struct strv *warns, char **err)
{
	char *warn = NULL;
	uint64_t u;
	bool b, ok;

	switch (m->type) {
	case MT_BOOL:
		return qapi_get_bool(e, &b, err);
	case MT_SIZE:
		ok = qapi_get_size(e, QAPI_OBJECT, qver, &u, err, &warn);
		if (warn)
			strv_push(warns, warn);
		return ok;
	case MT_U32:
		return qapi_get_uint(e, QAPI_OBJECT, UINT32_MAX, &u, err);
	case MT_STR:
		return qapi_get_str(e, err);
	case MT_ENUM:
		if (!qapi_get_str(e, err))
			return false;
		if (!strcmp(m->name, "rom") && strcmp(e->val, "on") && strcmp(e->val, "off") &&
		    strcmp(e->val, "auto")) {
			*err = xasprintf("Parameter '%s' does not accept value '%s'", e->key, e->val);
			return false;
		}
		if (!strcmp(m->name, "policy") && strcmp(e->val, "default") &&
		    strcmp(e->val, "preferred") && strcmp(e->val, "bind") &&
		    strcmp(e->val, "interleave")) {
			*err = xasprintf("Parameter '%s' does not accept value '%s'", e->key, e->val);
			return false;
		}
		return true;
	case MT_LIST:
		return check_uint_list(e, err);
	}
	return true;
}

/*
 * A member of memory-backend-file (its own or MemoryBackendProperties') is in
 * the schema of this binary: its answer when it was asked (a QEMU built
 * without libpmem has no pmem: hostmem-file.c and qom.json's 'if':
 * 'CONFIG_LIBPMEM', from 6.0), else the release table's.
 */
static bool member_present(struct vm *vm, const struct member *m, const struct kvlist *kv,
			   bool asked)
{
	bool table = m->since <= vm->qver;
	int has = asked && vm->caps ? qemu_caps_prop(vm->caps, "memory-backend-file", m->name)
				    : -1;

	if (has < 0 || has == table)
		return table;
	if (kv_find(kv, m->name))
		vm_caps_differs(vm, "its memory-backend-file %s property %s", has ? "has" : "has no",
				m->name);
	return has;
}

/* Visit members in schema order as the QAPI input visitor does. */
static bool visit_members(struct vm *vm, const struct member *ms, size_t n,
			  const struct kvlist *kv, bool asked, bool *seen, struct strv *warns,
			  char **err)
{
	qver_t qver = vm->qver;

	for (size_t i = 0; i < n; i++) {
		const struct member *m = &ms[i];
		const struct kv *e;

		if (!member_present(vm, m, kv, asked))
			continue;
		e = kv_find(kv, m->name);
		if (!e) {
			if (m->required) {
				*err = xasprintf("Parameter '%s' is missing", m->name);
				return false;
			}
			continue;
		}
		seen[e - kv->v] = true;
		if (!check_member(m, e, qver, warns, err))
			return false;
	}
	return true;
}

static bool kv_bool(const struct kvlist *kv, const char *key, bool dflt)
{
	const struct kv *e = kv_find(kv, key);
	char *err = NULL;
	bool b;

	if (!e)
		return dflt;
	if (!qapi_get_bool(e, &b, &err)) {
		free(err);
		return dflt;
	}
	return b;
}

static bool kv_size(const struct kvlist *kv, qver_t qver, const char *key, uint64_t *out)
{
	const struct kv *e = kv_find(kv, key);
	char *err = NULL;

	if (!e)
		return false;
	if (!qapi_get_size(e, QAPI_OBJECT, qver, out, &err, NULL)) {
		free(err);
		return false;
	}
	return true;
}

static void parse_object_kv(struct vm *vm, const char *arg, struct findings *f);

/* An -object QEMU refuses still names its id: DIMMs using it add no noise. */
static void parse_object(struct vm *vm, const char *arg, struct findings *f)
{
	size_t before = f->n;

	parse_object_kv(vm, arg, f);
	if (findings_failed_since(f, before) && f->v[f->n - 1].object)
		id_add(&vm->failed_objects, &vm->failed_set, f->v[f->n - 1].object);
}

static void parse_object_kv(struct vm *vm, const char *arg, struct findings *f)
{
	static const char OPT[] = "-object";

	struct kvlist kv;
	struct strv warns = { 0 };
	struct backend *b;
	const char *type, *id;
	char *err = NULL;
	bool *seen = NULL, ok;
	enum backend_kind kind;

	if (opts_parse_v(arg, "qom-type", SYNTAX_QEMUOPTS, JSON_LOCATED(vm), &kv, &err) < 0) {
		parse_fail(f, NULL, err);
		free(err);
		return;
	}
	type = kv_get(&kv, "qom-type");
	id = kv_get(&kv, "id");
	warn_flags(&kv, id, f);
	if (!type) {
		parse_fail(f, id, "Parameter 'qom-type' is missing");
		goto out;
	}
	if (!str_startswith(type, "memory-backend-")) {
		/* Not modelled: kept and ignored, but its id is taken. */
		if (id)
			id_add(&vm->other_objects, &vm->other_set, id);
		goto out;
	}
	if (!strcmp(type, "memory-backend-file")) {
		kind = BK_FILE;
	} else if (!strcmp(type, "memory-backend-ram")) {
		kind = BK_RAM;
	} else if (!strcmp(type, "memory-backend-memfd")) {
		kind = BK_MEMFD;
	} else if (!strcmp(type, "memory-backend-epc") ||
		   (!strcmp(type, "memory-backend-shm") && vm->qver >= QVER(9, 1))) {
		if (id)
			id_add(&vm->other_objects, &vm->other_set, id);
		goto out;
	} else {
		err = xasprintf("Parameter 'qom-type' does not accept value '%s'", type);
		parse_fail(f, id, err);
		free(err);
		goto out;
	}
	if (!id) {
		parse_fail(f, NULL, "Parameter 'id' is missing");
		goto out;
	}
	if (!qapi_id_wellformed(id)) {
		parse_fail(f, id, "Parameter 'id' expects an identifier");
		goto out;
	}
	seen = xcalloc(kv.n, sizeof(*seen));
	seen[kv_find(&kv, "qom-type") - kv.v] = true;
	seen[kv_find(&kv, "id") - kv.v] = true;
	ok = visit_members(vm, backend_members, ARRAY_SIZE(backend_members), &kv, true, seen,
			   &warns, &err) &&
	     (kind != BK_FILE || visit_members(vm, file_members, ARRAY_SIZE(file_members), &kv,
					       true, seen, &warns, &err)) &&
	     (kind != BK_MEMFD || visit_members(vm, memfd_members, ARRAY_SIZE(memfd_members), &kv,
						false, seen, &warns, &err));
	for (size_t i = 0; i < warns.n; i++)
		warn_hex_suffix(f, id, warns.v[i]);
	strv_free(&warns);
	if (!ok) {
		parse_fail(f, id, err);
		free(err);
		goto out;
	}
	for (size_t i = 0; i < kv.n; i++) {
		if (seen[i])
			continue;
		err = kv.json ? xasprintf("Parameter '%s' is unexpected", kv.v[i].key)
			      : xasprintf("Invalid parameter '%s'", kv.v[i].key);
		parse_fail(f, id, err);
		free(err);
		goto out;
	}
	if (vm_find_backend(vm, id) || vm_other_object(vm, id)) {
		err = xasprintf("Duplicate ID '%s' for object", id);
		parse_fail(f, id, err);
		free(err);
		goto out;
	}

	vm->backends = xgrow(vm->backends, vm->nbackends, sizeof(*vm->backends));
	b = &vm->backends[vm->nbackends++];
	memset(b, 0, sizeof(*b));
	b->id = xstrdup(id);
	b->qom_type = xstrdup(type);
	b->kind = kind;
	b->arg = xstrdup(arg);
	b->props = kv;
	memset(&kv, 0, sizeof(kv));
	b->has_size = kv_size(&b->props, vm->qver, "size", &b->size);
	b->has_align = kv_size(&b->props, vm->qver, "align", &b->align);
	b->has_offset = kv_size(&b->props, vm->qver, "offset", &b->offset);
	b->has_share = kv_find(&b->props, "share") != NULL;
	b->share = kv_bool(&b->props, "share", kind == BK_MEMFD);
	b->has_pmem = kv_find(&b->props, "pmem") != NULL;
	b->pmem = kv_bool(&b->props, "pmem", false);
	b->readonly = kv_bool(&b->props, "readonly", false);
	b->prealloc = kv_bool(&b->props, "prealloc", false);
	b->discard_data = kv_bool(&b->props, "discard-data", false);
	b->reserve = kv_bool(&b->props, "reserve", true);
	b->has_rom = kv_find(&b->props, "rom") != NULL;
	b->rom = TRI_AUTO;
	if (b->has_rom)
		b->rom = streq(kv_get(&b->props, "rom"), "on") ? TRI_ON :
			 streq(kv_get(&b->props, "rom"), "off") ? TRI_OFF : TRI_AUTO;
	if (kv_get(&b->props, "mem-path"))
		b->mem_path = xstrdup(kv_get(&b->props, "mem-path"));
out:
	free(seen);
	kvlist_free(&kv);
}

static bool device_id_taken(const struct vm *vm, const char *id)
{
	return strmap_get(&vm->device_set, id) != NULL;
}

static void parse_device(struct vm *vm, const char *arg, struct findings *f)
{
	static const char OPT[] = "-device";

	struct kvlist kv;
	const struct memdev_type *type;
	const char *driver, *id;
	const struct kv *e;
	struct memdev *d;
	char *err = NULL, *merr = NULL;
	bool multifunction;
	int anon = -1;

	if (opts_parse_v(arg, "driver", SYNTAX_QEMUOPTS, JSON_LOCATED(vm), &kv, &err) < 0) {
		parse_fail(f, NULL, err);
		free(err);
		return;
	}
	driver = kv_get(&kv, "driver");
	id = kv_get(&kv, "id");
	warn_flags(&kv, id, f);
	if (id && !qapi_id_wellformed(id)) {
		parse_fail(f, id, "Parameter 'id' expects an identifier");
		goto out;
	}
	if (id && device_id_taken(vm, id)) {
		err = xasprintf("Duplicate ID '%s' for device", id);
		parse_fail(f, id, err);
		free(err);
		goto out;
	}
	if (!driver) {
		parse_fail(f, id, "Parameter 'driver' is missing");
		goto out;
	}
	/* Every device has a name in QEMU's tree; the NFIT's order comes from it. */
	if (id)
		id_add(&vm->device_ids, &vm->device_set, id);
	else
		anon = (int)vm->anon_devices++;
	type = memdev_type_by_driver(driver);
	/* a value QEMU refuses is taken as off (that refusal is not modelled) */
	e = kv_find(&kv, "multifunction");
	if (!e || !qapi_get_bool(e, &multifunction, &merr))
		multifunction = false;
	free(merr);
	vm->devices = xgrow(vm->devices, vm->ndevices, sizeof(*vm->devices));
	vm->devices[vm->ndevices++] = (struct vdevice){
		.id = id ? xstrdup(id) : NULL,
		.driver = xstrdup(driver),
		.bus = kv_get(&kv, "bus") ? xstrdup(kv_get(&kv, "bus")) : NULL,
		.memdev = type != NULL,
		.devfn = pci_devfn_parse(kv_find(&kv, "addr")),
		.multifunction = multifunction,
	};
	if (!type)
		goto out;	/* not a memory device we model */

	vm->memdevs = xgrow(vm->memdevs, vm->nmemdevs, sizeof(*vm->memdevs));
	d = &vm->memdevs[vm->nmemdevs++];
	memset(d, 0, sizeof(*d));
	d->type = type;
	d->id = id ? xstrdup(id) : NULL;
	d->arg = xstrdup(arg);
	d->props = kv;
	d->slot = -1;
	d->anon_index = id ? -1 : anon;
	d->dev_index = vm->ndevices - 1;
	memset(&kv, 0, sizeof(kv));
out:
	kvlist_free(&kv);
}

/*
 * -numa node's cpus=A[-B], which QemuOpts lets repeat (cpus=0-1,cpus=4),
 * read as the opts visitor reads a uint16 list (opts-visitor.c): numbers in
 * any base strtoull takes, a range of fewer than 65536 values. The first
 * value it refuses goes to n->cpus_err with QEMU's text.
 */
static void numa_cpus_parse(const char *arg, struct numa_node *n)
{
	const char *p = arg;

	while (*p && !n->cpus_err) {
		size_t len = strcspn(p, ",");

		if (len >= 5 && !strncmp(p, "cpus=", 5)) {
			char *val = xstrndup(p + 5, len - 5), *end;
			struct cpu_range r;
			bool ok;

			errno = 0;
			r.first = strtoull(val, &end, 0);
			r.last = r.first;
			ok = isdigit((unsigned char)*val) && !errno;
			if (ok && *end == '-') {
				ok = isdigit((unsigned char)end[1]);
				r.last = strtoull(end + 1, &end, 0);
				ok = ok && !errno && r.last >= r.first && r.last - r.first < 65536;
			}
			if (!ok || *end)
				n->cpus_err = xstrdup("Parameter 'cpus' expects a uint64 value or range");
			else if (r.last > UINT16_MAX)
				n->cpus_err = xstrdup("Parameter 'null' expects uint16_t");
			free(val);
			if (n->cpus_err)
				break;
			n->cpus = xgrow(n->cpus, n->ncpus, sizeof(*n->cpus));
			n->cpus[n->ncpus++] = r;
		}
		p += len + (p[len] == ',');
	}
}

const char *const smp_keys[SMP_NKEYS] = {
	[SMP_CPUS] = "cpus", [SMP_DRAWERS] = "drawers", [SMP_BOOKS] = "books",
	[SMP_SOCKETS] = "sockets", [SMP_DIES] = "dies", [SMP_CLUSTERS] = "clusters",
	[SMP_MODULES] = "modules", [SMP_CORES] = "cores", [SMP_THREADS] = "threads",
	[SMP_MAXCPUS] = "maxcpus",
};

/*
 * -smp [cpus=]N,maxcpus=,...: keyval text merged into the machine's "smp"
 * property (vl.c machine_parse_property_opt()); its values are read per
 * release by smp.c.
 */
static void parse_smp(struct vm *vm, const char *arg)
{
	struct kvlist kv;
	char *err = NULL;

	vm->smp.given = true;
	if (opts_parse_v(arg, "cpus", SYNTAX_KEYVAL, JSON_LOCATED(vm), &kv, &err) < 0) {
		if (!vm->smp.err)
			vm->smp.err = err;
		else
			free(err);
		return;
	}
	for (size_t i = 0; i < kv.n; i++) {
		size_t k;

		for (k = 0; k < SMP_NKEYS && strcmp(kv.v[i].key, smp_keys[k]); k++)
			;
		if (k < SMP_NKEYS) {
			free(vm->smp.val[k]);
			vm->smp.val[k] = xstrdup(kv.v[i].val ? kv.v[i].val : "");
		} else if (!vm->smp.unexpected) {
			vm->smp.unexpected = xstrdup(kv.v[i].key);
		}
	}
	kvlist_free(&kv);
}

static void parse_numa(struct vm *vm, const char *arg, struct findings *f)
{
	static const char OPT[] = "-numa";

	struct kvlist kv;
	char *err = NULL;
	const char *type;

	if (opts_parse_v(arg, "type", SYNTAX_QEMUOPTS, JSON_LOCATED(vm), &kv, &err) < 0) {
		parse_fail(f, NULL, err);
		free(err);
		return;
	}
	type = kv_get(&kv, "type");
	if (!type || !strcmp(type, "node")) {
		struct numa_node *n;
		const char *id = kv_get(&kv, "nodeid");

		vm->nodes = xgrow(vm->nodes, vm->nnodes, sizeof(*vm->nodes));
		n = &vm->nodes[vm->nnodes];
		memset(n, 0, sizeof(*n));
		n->nodeid = id ? strtoll(id, NULL, 0) : (int64_t)vm->nnodes;
		if (id) {
			/* NumaNodeOptions.nodeid is a uint16, read by the opts visitor */
			uint64_t u;

			if (!qapi_get_uint(kv_find(&kv, "nodeid"), QAPI_OBJECT, UINT16_MAX, &u, &err)) {
				parse_fail(f, NULL, err);
				free(err);
				err = NULL;
			}
		}
		n->memdev = kv_get(&kv, "memdev") ? xstrdup(kv_get(&kv, "memdev")) : NULL;
		numa_cpus_parse(arg, n);
		vm->numa_cpus_unread |= n->cpus_err != NULL;
		n->has_mem = kv_find(&kv, "mem") != NULL;
		n->mem = 0;
		vm->nnodes++;
		if (n->has_mem && !qapi_get_size(kv_find(&kv, "mem"), QAPI_OBJECT, vm->qver,
						 &n->mem, &err, NULL)) {
			parse_fail(f, NULL, err);
			free(err);
		}
	} else if (!vm->numa_unread) {
		/* dist (a SLIT), cpu, hmat-lb, hmat-cache */
		vm->numa_unread = xstrdup(type);
	}
	kvlist_free(&kv);
}

/*
 * -global DRIVER.PROPERTY=VALUE (qemu_global_option()): DRIVER up to the
 * first '.' or '=' and PROPERTY up to the '=', each at most 63 bytes, the
 * rest is VALUE; otherwise QemuOpts text with driver=, property= and value=.
 * Globals reach devices only: a class that is not a device is warned about
 * after the machine is built (qdev_prop_check_globals()).
 */
static void parse_global(struct vm *vm, const char *arg, struct findings *f)
{
	static const char OPT[] = "-global";
	static const char *const keys[] = { "driver", "property", "value" };

	size_t dlen = strcspn(arg, ".="), plen;
	struct kvlist kv = { 0 };
	struct vglobal *g;
	char *err = NULL;

	plen = arg[dlen] == '.' ? strcspn(arg + dlen + 1, "=") : 0;
	vm->globals = xgrow(vm->globals, vm->nglobals, sizeof(*vm->globals));
	g = &vm->globals[vm->nglobals];
	if (dlen >= 1 && dlen <= 63 && arg[dlen] == '.' && plen >= 1 && plen <= 63 &&
	    arg[dlen + 1 + plen] == '=') {
		g->driver = xstrndup(arg, dlen);
		g->prop = xstrndup(arg + dlen + 1, plen);
		g->value = xstrdup(arg + dlen + 1 + plen + 1);
		vm->nglobals++;
		return;
	}
	if (opts_parse_v(arg, NULL, SYNTAX_QEMUOPTS, JSON_LOCATED(vm), &kv, &err) < 0) {
		parse_fail(f, NULL, err);
		free(err);
		return;
	}
	warn_flags(&kv, NULL, f);
	for (size_t i = 0; i < kv.n; i++) {
		bool known = false;

		for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
			known |= !strcmp(kv.v[i].key, keys[k]);
		if (!known) {
			err = xasprintf("Invalid parameter '%s'", kv.v[i].key);
			parse_fail(f, NULL, err);
			free(err);
			goto out;
		}
	}
	if (!kv_get(&kv, "driver") || !kv_get(&kv, "property") || !kv_get(&kv, "value")) {
		parse_fail(f, NULL, "options 'driver', 'property', and 'value' are required");
		goto out;
	}
	g->driver = xstrdup(kv_get(&kv, "driver"));
	g->prop = xstrdup(kv_get(&kv, "property"));
	g->value = xstrdup(kv_get(&kv, "value"));
	vm->nglobals++;
out:
	kvlist_free(&kv);
}

/*
 * What becomes of a global whose driver is no memory device: a memory
 * backend is no device, so QEMU ignores it and warns once the machine is
 * built; any other driver is not modelled (QEMU warns the same when it has
 * no such type, and says nothing for an unused hot-pluggable device).
 */
static void global_driver_check(const struct vglobal *g, struct findings *f)
{
	char *q;

	if (memdev_type_by_driver(g->driver) || !strcmp(g->driver, "memory-device"))
		return;
	q = xasprintf("warning: global %s.%s has invalid class name", g->driver, g->prop);
	if (str_startswith(g->driver, "memory-backend"))
		finding_add(f, LEVEL_WARN, "global-not-device", NULL, q,
			    "-global %s.%s=%s does nothing: -global sets device properties and %s is an object; set %s= on its -object",
			    g->driver, g->prop, g->value, g->driver, g->prop);
	else
		finding_add(f, LEVEL_INFO, "global-not-modelled", NULL, q,
			    "-global %s.%s=%s: nvd-plan does not model driver %s (QEMU warns so when it has no device type of that name)",
			    g->driver, g->prop, g->value, g->driver);
	free(q);
}

static bool x86_model_is_amd(const char *model);
static void x86_model_32bit(const char *model, struct vm *vm);

/* -cpu's feature NAME: +NAME and -NAME (the legacy flag syntax), NAME=on|off. */
static void cpu_feature(const struct kvlist *kv, const char *name, enum tristate *t)
{
	char flag[64];
	const char *v;

	snprintf(flag, sizeof(flag), "+%s", name);
	if (kv_find(kv, flag))
		*t = TRI_ON;
	flag[0] = '-';
	if (kv_find(kv, flag))
		*t = TRI_OFF;
	if ((v = kv_get(kv, name)))
		*t = streq(v, "on") || streq(v, "true") ? TRI_ON : TRI_OFF;
}

static void parse_cpu(struct vm *vm, const char *arg)
{
	struct kvlist kv;
	char *err = NULL;
	const char *pb;

	if (opts_parse_v(arg, "model", SYNTAX_QEMUOPTS, JSON_LOCATED(vm), &kv, &err) < 0) {
		free(err);
		return;
	}
	if ((pb = kv_get(&kv, "model"))) {
		vm->cpu_aarch64 = arm_model_is_aarch64(pb);
		vm->cpu_intel = !x86_model_is_amd(pb);
		x86_model_32bit(pb, vm);
		free(vm->cpu_model);
		vm->cpu_model = xstrndup(pb, strcspn(pb, ","));
	}
	pb = kv_get(&kv, "phys-bits");
	if (pb) {
		vm->phys_bits_arg = strtoul(pb, NULL, 0);
		if (vm->phys_bits_arg)	/* 0: the model's own */
			vm->phys_bits = (unsigned)vm->phys_bits_arg;
	}
	vm->phys_bits_given = pb != NULL;
	cpu_feature(&kv, "x2apic", &vm->cpu_x2apic);
	cpu_feature(&kv, "topoext", &vm->cpu_topoext);
	if ((pb = kv_get(&kv, "vendor"))) {
		vm->cpu_intel = strcmp(pb, "AuthenticAMD") != 0;
		free(vm->cpu_vendor);
		vm->cpu_vendor = xstrdup(pb);
	}
	kvlist_free(&kv);
}

/*
 * The x86 CPU models whose vendor is AMD (target/i386/cpu.c): qemu64 (the
 * default), athlon, phenom, Opteron_*, EPYC*, and max under TCG. The others
 * (qemu32, kvm64, pentium, core2duo, Skylake-Server...) are Intel's or
 * another vendor's.
 */
/*
 * The x86 models without long mode and their physical address bits: 36 with
 * PAE or PSE36, 32 for 486 and pentium (target/i386/cpu.c).
 */
static void x86_model_32bit(const char *model, struct vm *vm)
{
	static const struct { const char *name; unsigned bits; } m32[] = {
		{ "qemu32", 36 }, { "kvm32", 36 }, { "coreduo", 36 }, { "n270", 36 },
		{ "pentium2", 36 }, { "pentium3", 36 }, { "athlon", 36 },
		{ "pentium", 32 }, { "486", 32 }, { NULL, 0 },
	};
	size_t n = strcspn(model, ",");

	for (size_t i = 0; m32[i].name; i++)
		if (strlen(m32[i].name) == n && !strncmp(model, m32[i].name, n)) {
			vm->cpu_32bit = true;
			vm->phys_bits = m32[i].bits;
		}
}

static bool x86_model_is_amd(const char *model)
{
	static const char *const amd[] = { "qemu64", "athlon", "phenom", "max", NULL };
	size_t n = strcspn(model, ",");

	for (size_t i = 0; amd[i]; i++)
		if (strlen(amd[i]) == n && !strncmp(model, amd[i], n))
			return true;
	return !strncmp(model, "Opteron_", 8) || !strncmp(model, "EPYC", 4);
}

/*
 * The Arm CPU models of qemu-system-aarch64 that run AArch64 (the "aarch64"
 * property virt reads): all but the 32-bit ones, which are the ARMv4 to v7
 * cores, the M and R profiles and Cortex-A7/A8/A9/A15.
 */
bool arm_model_is_aarch64(const char *model)
{
	static const char *const a32[] = { "cortex-a7", "cortex-a8", "cortex-a9", "cortex-a15",
					   "ti925t", NULL };
	static const char *const a32_prefix[] = { "arm", "cortex-m", "cortex-r", "pxa", "sa1",
						  NULL };
	size_t n = strcspn(model, ",");

	for (int i = 0; a32[i]; i++)
		if (strlen(a32[i]) == n && !strncmp(model, a32[i], n))
			return false;
	for (int i = 0; a32_prefix[i]; i++)
		if (!strncmp(model, a32_prefix[i], strlen(a32_prefix[i])))
			return false;
	return n > 0;
}

/* -drive ...,if=pflash,...: a flash image the virt machine boots (UEFI). */
static bool drive_is_pflash(const char *arg)
{
	struct kvlist kv;
	char *err = NULL;
	bool yes;

	if (opts_parse(arg, NULL, SYNTAX_QEMUOPTS, &kv, &err) < 0) {
		free(err);
		return false;
	}
	yes = kv_get(&kv, "if") && streq(kv_get(&kv, "if"), "pflash");
	kvlist_free(&kv);
	return yes;
}

void vm_caps_differs(struct vm *vm, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < vm->caps_diffs.n; i++) {
		if (!strcmp(vm->caps_diffs.v[i], s)) {
			free(s);
			return;
		}
	}
	strv_push(&vm->caps_diffs, s);
}

void vm_build(struct vm *vm, const struct qcmdline *cl, qver_t qver, struct findings *f)
{
	vm_build_caps(vm, cl, qver, NULL, f);
}

void vm_build_caps(struct vm *vm, const struct qcmdline *cl, qver_t qver,
		   const struct qemu_caps *caps, struct findings *f)
{
	memset(vm, 0, sizeof(*vm));
	vm->caps = caps && caps->asked ? caps : NULL;
	vm->source = xstrdup(cl->source);
	vm->qver = qver;
	vm->phys_bits = 40;	/* TCG's and qemu64's default */
	vm->machine.acpi = TRI_AUTO;
	vm->cpu_x2apic = TRI_AUTO;
	vm->cpu_topoext = TRI_AUTO;
	vm->libvirt = cl->libvirt;
	/* QEMU looks every option up before it reads any: -no-acpi is gone in 10.0. */
	for (size_t i = 0; i < cl->nopts && qver >= QVER(10, 0); i++) {
		if (!strcmp(cl->opts[i].name, "no-acpi")) {
			finding_add(f, LEVEL_FAIL, "option-invalid", NULL, "-no-acpi: invalid option",
				    "QEMU %d.%d has no option -no-acpi (removed in 10.0): use -machine acpi=off",
				    qver / 100, qver % 100);
			break;
		}
	}
	for (size_t i = 0; i < cl->nopts; i++) {
		const struct qopt *o = &cl->opts[i];
		if (!strcmp(o->name, "machine") || !strcmp(o->name, "M"))
			parse_machine(vm, o->arg, f);
		else if (!strcmp(o->name, "m"))
			parse_memory(vm, o->arg, f);
		else if (!strcmp(o->name, "object"))
			parse_object(vm, o->arg, f);
		else if (!strcmp(o->name, "device"))
			parse_device(vm, o->arg, f);
		else if (!strcmp(o->name, "numa"))
			parse_numa(vm, o->arg, f);
		else if (!strcmp(o->name, "cpu"))
			parse_cpu(vm, o->arg);
		else if (!strcmp(o->name, "global") && o->arg)
			parse_global(vm, o->arg, f);
		else if (!strcmp(o->name, "no-acpi"))
			vm->machine.acpi = TRI_OFF;
		else if (!strcmp(o->name, "smp") && o->arg)
			parse_smp(vm, o->arg);
		else if (!strcmp(o->name, "nodefaults"))
			vm->nodefaults = true;
		else if (!strcmp(o->name, "enable-kvm") ||
			 (!strcmp(o->name, "accel") && o->arg && str_startswith(o->arg, "kvm")))
			vm->accel_kvm = true;
		else if (!strcmp(o->name, "bios") || !strcmp(o->name, "pflash") ||
			 (!strcmp(o->name, "drive") && o->arg && drive_is_pflash(o->arg)))
			vm->firmware = true;
		strv_push(&vm->option_names, xstrdup(o->name));
	}
	for (size_t i = 0; i < vm->nglobals; i++)
		global_driver_check(&vm->globals[i], f);
	/* -machine pflash0=BLOCKDEV: the blockdev way of giving the UEFI image */
	if (kv_get(&vm->machine.props, "pflash0") || kv_get(&vm->machine.props, "firmware"))
		vm->firmware = true;
}

void vm_free(struct vm *vm)
{
	free(vm->source);
	strv_free(&vm->caps_diffs);
	free(vm->machine.type);
	free(vm->machine.persistence);
	free(vm->machine.oem_id);
	free(vm->machine.oem_table_id);
	free(vm->cpu_model);
	free(vm->cpu_vendor);
	strv_free(&vm->option_names);
	free(vm->numa_unread);
	for (size_t k = 0; k < SMP_NKEYS; k++)
		free(vm->smp.val[k]);
	free(vm->smp.unexpected);
	free(vm->smp.err);
	kvlist_free(&vm->machine.props);
	free(vm->mem.arg);
	for (size_t i = 0; i < vm->nbackends; i++) {
		struct backend *b = &vm->backends[i];

		free(b->id);
		free(b->qom_type);
		free(b->arg);
		free(b->mem_path);
		free(b->host_path);
		free(b->sync);
		kvlist_free(&b->props);
	}
	free(vm->backends);
	for (size_t i = 0; i < vm->nmemdevs; i++) {
		struct memdev *d = &vm->memdevs[i];

		free(d->id);
		free(d->arg);
		free(d->memdev);
		free(d->lsa);
		free(d->vmemdev);
		kvlist_free(&d->props);
	}
	free(vm->memdevs);
	for (size_t i = 0; i < vm->ndevices; i++) {
		free(vm->devices[i].id);
		free(vm->devices[i].driver);
		free(vm->devices[i].bus);
	}
	free(vm->devices);
	cxl_free(&vm->cxl);
	for (size_t i = 0; i < vm->nnodes; i++) {
		free(vm->nodes[i].memdev);
		free(vm->nodes[i].cpus);
		free(vm->nodes[i].cpus_err);
	}
	free(vm->nodes);
	for (size_t i = 0; i < vm->nglobals; i++) {
		free(vm->globals[i].driver);
		free(vm->globals[i].prop);
		free(vm->globals[i].value);
	}
	free(vm->globals);
	strv_free(&vm->other_objects);
	strv_free(&vm->failed_objects);
	strv_free(&vm->device_ids);
	strmap_free(&vm->backend_ids);
	strmap_free(&vm->other_set);
	strmap_free(&vm->failed_set);
	strmap_free(&vm->device_set);
	free(vm->placed);
	memset(vm, 0, sizeof(*vm));
}
