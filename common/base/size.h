/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sizes as QEMU reads and prints them. */
#ifndef NVD_SIZE_H
#define NVD_SIZE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Parse a size the way qemu_strtosz() of a QEMU release does (qver in
 * vmconfig.h's numbering: QVER(7, 2) is 702): leading white space and '+',
 * a decimal number with an optional fraction, or a hex number (0x..., no
 * fraction), then an optional suffix B, K, M, G, T, P or E (either case,
 * powers of 1024). A fraction needs a suffix other than B; "1." and "1.G"
 * have an empty one. default_unit is the multiplier without a suffix (1 for
 * bytes). Returns 0, -EINVAL for malformed text, -ERANGE on overflow.
 * Where releases differ:
 *   hex with a suffix ("0x10M"): before 8.0 accepted, and *hex_suffix set
 *     (QEMU warns "Using a multiplier suffix on hex numbers is deprecated:
 *     TEXT"); from 8.0 refused;
 *   a negative number: before 8.0 malformed; from 8.0 out of range, unless
 *     text follows the digits ("-1G" is malformed);
 *   from 8.1: no integer part (".5G"), a fraction that rounds to 1.0
 *     carries, and one too small for 64 bits counts as the smallest.
 * hex_suffix may be NULL.
 */
int size_parse_qemu(const char *s, int qver, uint64_t default_unit, uint64_t *out,
		    bool *hex_suffix);
/* The newest release's rules, for the tools' own options (a negative size: -EINVAL). */
int size_parse_unit(const char *s, uint64_t default_unit, uint64_t *out);
int size_parse(const char *s, uint64_t *out);

/* QEMU's size_to_str(): "%0.3g" in the largest binary unit, e.g. "2 MiB". */
char *size_to_str(uint64_t v);

/* Our own text output, exact: "1 GiB", "1536 MiB", "4194176 KiB", "1073741826 B". */
char *size_human(uint64_t v);
/*
 * size_human() for messages, exact where it can be ("1023.88 MiB", not
 * QEMU's "1 GiB"). A ring of static buffers: several may sit in one message.
 */
const char *hsz(uint64_t v);

#endif
