/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvirt domain XML: the QEMU arguments libvirt generates from it for what
 * nvd-plan checks (machine, ACPI, -m with slots and maxmem, NUMA cells,
 * <memory model='dimm'|'nvdimm'> devices), as libvirt 9.0 (Debian 12) does
 * for QEMU 7.2; and the domain's own refusals, with libvirt's messages.
 */
#ifndef NVD_LIBVIRT_H
#define NVD_LIBVIRT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Whether a configuration file's text is XML (its first non-blank byte is '<'). */
bool libvirt_is_xml(const char *text, size_t len);

/*
 * Translate a domain document. words: the QEMU arguments (no program name);
 * refusals: libvirt's messages for a domain it would not start ("unsupported
 * configuration: ..."), in its order of checking. Returns 0, or -1 with
 * *err for a document that is not a domain libvirt reads.
 */
int libvirt_domain_words(const char *text, size_t len, struct strv *words,
			 struct strv *refusals, char **err);

#endif
