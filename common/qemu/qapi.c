// SPDX-License-Identifier: GPL-2.0-or-later
#include "qapi.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "size.h"
#include "util.h"

static bool type_error(const struct kv *e, const char *expected, char **err)
{
	*err = xasprintf("Invalid parameter type for '%s', expected: %s", e->key, expected);
	return false;
}

bool qapi_get_bool(const struct kv *e, bool *out, char **err)
{
	static const char *const yes[] = { "on", "yes", "true", "y" };
	static const char *const no[] = { "off", "no", "false", "n" };

	if (e->type == KV_BOOL) {
		*out = streq(e->val, "on");
		return true;
	}
	if (e->json || e->type != KV_STRING)
		return type_error(e, "boolean", err);
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcmp(e->val, yes[i])) {
			*out = true;
			return true;
		}
		if (!strcmp(e->val, no[i])) {
			*out = false;
			return true;
		}
	}
	*err = xasprintf("Parameter '%s' expects 'on' or 'off'", e->key);
	return false;
}

/*
 * A JSON number as qobject_input_type_uint64() takes it: any QNum that is an
 * integer; a negative one is taken modulo 2^64 ("for backward
 * compatibility"), so -1 is 0xffffffffffffffff. Anything else "expects uint64".
 */
static bool json_uint64(const struct kv *e, uint64_t *out, char **err)
{
	if (e->type != KV_INT) {
		*err = xasprintf("Parameter '%s' expects uint64", e->key);
		return false;
	}
	/* The parser wrote the value in decimal, and it fits int64 or uint64. */
	if (e->val[0] == '-')
		*out = (uint64_t)strtoll(e->val, NULL, 10);
	else
		*out = strtoull(e->val, NULL, 10);
	return true;
}

char *qapi_hex_suffix_warning(const char *text)
{
	return xasprintf("warning: Using a multiplier suffix on hex numbers is deprecated: %s", text);
}

bool qapi_get_size(const struct kv *e, enum qapi_ctx ctx, int qver, uint64_t *out, char **err,
		   char **warn)
{
	bool hex;
	int r;

	if (warn)
		*warn = NULL;
	if (e->json)
		return json_uint64(e, out, err);
	r = size_parse_qemu(e->val, qver, 1, out, &hex);
	if (r < 0) {
		if (hex && warn)
			*warn = qapi_hex_suffix_warning(e->val);
		if (ctx == QAPI_GLOBAL)	/* parse_option_size() */
			*err = r == -ERANGE ? xasprintf("Value '%s' is out of range for parameter '%s'",
							e->val, e->key)
					    : xasprintf("Parameter '%s' expects a non-negative number below 2^64",
							e->key);
		else
			*err = xasprintf(ctx == QAPI_OBJECT ? "Parameter '%s' expects a size value"
							   : "Parameter '%s' expects size", e->key);
		return false;
	}
	if (hex && warn)
		*warn = qapi_hex_suffix_warning(e->val);
	return true;
}

/* visit_type_uintN()/intN(): the C type a range check names. */
static const char *uint_type(uint64_t max)
{
	return max == UINT32_MAX ? "uint32_t" : max == UINT16_MAX ? "uint16_t" : "uint8_t";
}

bool qapi_get_uint(const struct kv *e, enum qapi_ctx ctx, uint64_t max, uint64_t *out,
		   char **err)
{
	char *end;

	if (e->json) {
		if (!json_uint64(e, out, err))
			return false;
	} else {
		errno = 0;
		*out = strtoull(e->val, &end, 0);
		if (ctx == QAPI_OBJECT) {
			/* The opts visitor (parse_uint()): no sign, nothing after the digits. */
			if (errno || end == e->val || *end || strchr(e->val, '-')) {
				*err = xasprintf("Parameter '%s' expects a uint64 value", e->key);
				return false;
			}
		} else if (errno || end == e->val || *end) {
			/* qemu_strtou64(): "-1" wraps; a -global names the type. */
			*err = xasprintf(ctx == QAPI_GLOBAL ? "Parameter '%s' expects uint64"
							    : "Parameter '%s' expects integer", e->key);
			return false;
		}
	}
	if (*out > max) {
		*err = xasprintf("Parameter '%s' expects %s", e->key, uint_type(max));
		return false;
	}
	return true;
}

bool qapi_get_int(const struct kv *e, enum qapi_ctx ctx, int64_t min, int64_t max, int64_t *out, char **err)
{
	char *end;

	if (e->json && e->type != KV_INT)
		return type_error(e, "integer", err);
	errno = 0;
	*out = strtoll(e->val, &end, 0);
	if (e->json && errno)
		return type_error(e, "integer", err);	/* a uint64 beyond int64 */
	if (errno || end == e->val || *end) {
		*err = xasprintf(ctx == QAPI_GLOBAL ? "Parameter '%s' expects int64"
						    : "Parameter '%s' expects integer", e->key);
		return false;
	}
	if (*out < min || *out > max) {
		*err = xasprintf("Parameter '%s' expects %s", e->key,
				 max == INT32_MAX ? "int32_t" : max == INT16_MAX ? "int16_t" : "int8_t");
		return false;
	}
	return true;
}

bool qapi_get_str(const struct kv *e, char **err)
{
	if (e->json && e->type != KV_STRING)
		return type_error(e, "string", err);
	return true;
}

bool qapi_id_wellformed(const char *id)
{
	if (!isalpha((unsigned char)id[0]))
		return false;
	for (const char *p = id + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-._", *p))
			return false;
	return true;
}

/* qobject/qdict.c: tdb_hash() into 512 buckets, each a list with the newest first. */
#define QDICT_BUCKETS 512
static unsigned int tdb_hash(const char *name)
{
	unsigned int value = 0x238F13AF * (unsigned int)strlen(name);

	for (unsigned int i = 0; name[i]; i++)
		value = value + ((unsigned int)(unsigned char)name[i] << (i * 5 % 24));
	return 1103515243 * value + 12345;
}

void qdict_order(const struct kvlist *kv, size_t *idx)
{
	size_t start[QDICT_BUCKETS + 1] = { 0 };
	unsigned int *bucket = xcalloc(kv->n + 1, sizeof(*bucket));

	/* A counting sort by bucket, linear in the number of keys. */
	for (size_t i = 0; i < kv->n; i++) {
		bucket[i] = tdb_hash(kv->v[i].key) % QDICT_BUCKETS;
		start[bucket[i] + 1]++;
	}
	for (size_t b = 0; b < QDICT_BUCKETS; b++)
		start[b + 1] += start[b];
	/* Within a bucket the newest key comes first: fill each from its end. */
	for (size_t i = kv->n; i-- > 0;)
		idx[start[bucket[i]]++] = i;
	free(bucket);
}
