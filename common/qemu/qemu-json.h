/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's own JSON dialect, as -object and -device read an argument that
 * starts with '{' (qobject_from_json(): qobject/json-lexer.c,
 * json-streamer.c, json-parser.c, qjson.c). It is RFC 8259 JSON plus
 * single-quoted strings and the \' escape, minus nothing a strict reader
 * allows; what it refuses, it refuses with its own words ("JSON parse error,
 * duplicate key", "Expecting at most one JSON value", "JSON parse error,
 * stray '02'"), the same in QEMU 7.2 and 10.0.
 */
#ifndef NVD_QEMU_JSON_H
#define NVD_QEMU_JSON_H

#include "qemu-args.h"

/*
 * Parse text (one JSON object) into out, one entry per member in text
 * order: strings decoded (modified UTF-8, so U+0000 is "\xC0\x80") as
 * KV_STRING, integers that fit int64 or uint64 in decimal as KV_INT, true
 * and false as KV_BOOL "on"/"off", anything else (floats, null, arrays,
 * objects) as KV_OTHER with its JSON text. Returns 0, or -1 with *err set
 * to QEMU's message. Linear in the length of text.
 */
int qemu_json_parse_object(const char *text, struct kvlist *out, char **err);
/*
 * The same as QEMU 11.0 and later read it: the first error in the text,
 * lexer's or grammar's, with "LINE:COLUMN: " before it and 11's messages.
 */
int qemu_json_parse_object_located(const char *text, struct kvlist *out, char **err);

#endif
