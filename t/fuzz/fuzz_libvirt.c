// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: a libvirt domain XML document through the XML reader and the
 * translation to QEMU arguments, then those arguments through nvd-plan's
 * model and rules, as nvd-plan reads a .xml file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "libvirt.h"
#include "plan.h"
#include "qemu-args.h"
#include "xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan_opts po = { .offline = true };
	struct strv words = { 0 }, refusals = { 0 };
	struct plan_result r;
	struct qcmdline cl;
	char *err = NULL;

	if (libvirt_domain_words((const char *)data, size, &words, &refusals, &err) < 0) {
		free(err);
		strv_free(&words);
		strv_free(&refusals);
		return 0;
	}
	if (qcmdline_from_words(words.v, words.n, "fuzz.xml", &cl, &err) == 0) {
		cl.libvirt = true;
		cl.refusals = refusals;
		refusals = (struct strv){ 0 };
		plan_evaluate(&cl, QVER(7, 2), &po, &r);
		plan_result_free(&r);
		qcmdline_free(&cl);
	} else {
		free(err);
	}
	strv_free(&words);
	strv_free(&refusals);
	return 0;
}
