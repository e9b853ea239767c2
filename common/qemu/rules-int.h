/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What QEMU's rules share. rules.c (machine, memory, backends, board) calls
 * rules-memdev.c (memory devices, hot-plug plan, regrets), never the other
 * way round; sizes for messages are hsz() of size.c, the host page
 * QEMU_HOST_PAGE of qemu-backend.h.
 */
#ifndef NVD_RULES_INT_H
#define NVD_RULES_INT_H

#include "qemu-backend.h"
#include "report.h"
#include "rules.h"
#include "vmconfig.h"

#define MIN_LABEL_SIZE 0x20000ULL	/* MIN_NAMESPACE_LABEL_SIZE */
#define MAX_RAM_SLOTS 256		/* ACPI_MAX_RAM_SLOTS */
#define VMALLOC_ALIGN (2ULL << 20)	/* QEMU_VMALLOC_ALIGN on x86-64 hosts */
#define HOTPLUG_BLOCK (128ULL << 20)	/* Linux memory block on x86-64 */

#define FAIL(f, id, obj, qemu, ...) finding_add(f, LEVEL_FAIL, id, obj, qemu, __VA_ARGS__)
#define WARN(f, id, obj, qemu, ...) finding_add(f, LEVEL_WARN, id, obj, qemu, __VA_ARGS__)
#define INFO(f, id, obj, qemu, ...) finding_add(f, LEVEL_INFO, id, obj, qemu, __VA_ARGS__)

/* The devices, in command-line order: properties, pre-plug, realize. */
void rules_devices(struct vm *vm, struct findings *f);
/* After the start: DIMMs to hot-plug later, and what QEMU accepts but users regret. */
void rules_hotplug_plan(struct vm *vm, const struct plan_opts *po, struct findings *f);
void rules_regrets(struct vm *vm, const struct plan_opts *po, struct findings *f);

#endif
