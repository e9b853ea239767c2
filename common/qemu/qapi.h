/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's typed property values (the QAPI visitors) and QDict's iteration
 * order, which decides which of several bad properties QEMU reports first.
 */
#ifndef NVD_QAPI_H
#define NVD_QAPI_H

#include <stdbool.h>
#include <stdint.h>

#include "qemu-args.h"

/*
 * Each returns true with the value, or false with *err set to QEMU's
 * message for a bad value ("Parameter 'share' expects 'on' or 'off'").
 */
/*
 * Where a value is read decides QEMU's wording of some errors. QAPI_GLOBAL:
 * a -global value, set by object_property_parse() through the string input
 * visitor ("expects int64", "expects uint64", "expects a non-negative number
 * below 2^64").
 */
enum qapi_ctx { QAPI_OBJECT, QAPI_DEVICE, QAPI_MACHINE, QAPI_GLOBAL };

bool qapi_get_bool(const struct kv *e, bool *out, char **err);
/*
 * A size as QEMU release qver reads it (size_parse_qemu()); *warn, when not
 * NULL, gets QEMU's deprecation warning for a hex size with a suffix
 * (before 8.0), else NULL.
 */
bool qapi_get_size(const struct kv *e, enum qapi_ctx ctx, int qver, uint64_t *out, char **err,
		   char **warn);
/* QEMU's warning for a hex size with a suffix, as qemu_strtosz() prints it. */
char *qapi_hex_suffix_warning(const char *text);
/*
 * Integers: QemuOpts text is read by the opts visitor for -object
 * (QAPI_OBJECT: no sign, "expects a uint64 value") and by the string input
 * visitor for -device (negative numbers wrap, "expects integer"); then the
 * range of the C type ("Parameter 'node' expects uint32_t").
 */
bool qapi_get_uint(const struct kv *e, enum qapi_ctx ctx, uint64_t max, uint64_t *out,
		   char **err);
bool qapi_get_int(const struct kv *e, enum qapi_ctx ctx, int64_t min, int64_t max, int64_t *out, char **err);
bool qapi_get_str(const struct kv *e, char **err);

/* QEMU identifiers: a letter, then letters, digits, '-', '.', '_'. */
bool qapi_id_wellformed(const char *id);

/* Indexes of kv's entries in the order QDict iterates them. */
void qdict_order(const struct kvlist *kv, size_t *idx);

#endif
