/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sizes as QEMU reads and prints them. */
#ifndef NVD_SIZE_H
#define NVD_SIZE_H

#include <stdint.h>

/*
 * Parse a size the way QEMU's qemu_strtosz() does: a decimal number with an
 * optional fraction, or a hex number (0x..., no fraction, no suffix),
 * followed by an optional suffix B, K, M, G, T, P or E (either case, powers
 * of 1024). A fraction needs a suffix other than B. default_unit is the
 * multiplier of a number without suffix (1 for bytes). Returns 0, -EINVAL
 * for malformed text, -ERANGE on overflow.
 */
int size_parse_unit(const char *s, uint64_t default_unit, uint64_t *out);
int size_parse(const char *s, uint64_t *out);

/* QEMU's size_to_str(): "%0.3g" in the largest binary unit, e.g. "2 MiB". */
char *size_to_str(uint64_t v);

/* A short human form for our own text output: "1 GiB", "130 KiB", "1.5 GiB". */
char *size_human(uint64_t v);

#endif
