/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ACPI NFIT: the table QEMU builds for a VM's NVDIMMs, and a decoder
 * for any NFIT (ACPI 6.x), safe whatever the lengths inside claim.
 */
#ifndef NVD_NFIT_H
#define NVD_NFIT_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "vmconfig.h"

#define NFIT_HEADER_LEN 40

/*
 * The NFIT QEMU exposes at boot for an accepted configuration. Returns 0
 * with a malloc'd table, or -1 with *why set (a static string) when QEMU
 * builds no NFIT (nvdimm=off, no slots, no NVDIMM).
 */
int nfit_build(const struct vm *vm, uint8_t **table, size_t *len, const char **why);

/* The NVDIMMs in the order QEMU enumerates them (its QOM tree), NULL-terminated. */
const struct memdev **nfit_dimm_order(const struct vm *vm);

/*
 * Decode and validate a table: every structure's fields through the out_*
 * calls (text as iasl -d prints them, or JSON), problems as findings.
 * Returns 0 when valid, -1 when not (a reason is in f).
 */
int nfit_decode(const uint8_t *t, size_t len, struct out *o, struct findings *f);

/*
 * Compare an expected and an actual table structure by structure,
 * whatever their order. Differences go to f (level fail); returns their count.
 */
size_t nfit_diff(const uint8_t *want, size_t wlen, const uint8_t *got, size_t glen,
		 struct findings *f);

#endif
