/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The size of the ACPI tables QEMU builds for the x86 pc and q35 machines
 * (hw/i386/acpi-build.c, acpi_build()): QEMU up to 8.0 warns when they
 * exceed 64 KiB ("migration may not work"); NVDIMM slots make them large.
 */
#ifndef NVD_ACPI_SIZE_H
#define NVD_ACPI_SIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"
#include "vmconfig.h"

struct acpi_size {
	uint64_t bytes;
	/* NULL: exact; else what the figure leaves out ("-device e1000", ...) */
	const char *inexact;
};

/*
 * The tables' size (tables_blob: every table QEMU writes to etc/acpi/tables)
 * for an accepted x86 pc or q35 configuration. False: no model (another
 * machine, ACPI off).
 */
bool acpi_tables_size(const struct vm *vm, struct acpi_size *s);

/* QEMU's warning for tables over 64 KiB, at machine-done (acpi_setup()). */
void acpi_size_rule(const struct vm *vm, struct findings *f);

#endif
