// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: a configuration file's text through the whole of nvd-plan
 * offline: shell splitting, QemuOpts/keyval/JSON options, the model, the
 * rules, the layout, the NFIT and both output forms.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "nfit.h"
#include "plan.h"
#include "qemu-args.h"
#include "size.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	static const qver_t versions[] = { QVER(7, 2), QVER(10, 0), QVER(6, 0), QVER(9, 1) };
	struct plan_opts po = { .offline = true };
	struct strv words = { 0 };
	struct plan_result r;
	struct qcmdline cl;
	char *err = NULL;
	uint64_t v;

	if (!null)
		null = fopen("/dev/null", "w");
	{
		/* Sizes on their own, from a NUL-terminated copy. */
		char *s = xstrndup((const char *)data, size < 64 ? size : 64);

		size_parse(s, &v);
		size_parse_unit(s, MiB, &v);
		size_parse_qemu(s, QVER(7, 2), 1, &v, NULL);
		size_parse_qemu(s, QVER(8, 0), MiB, &v, NULL);
		free(size_to_str(v));
		free(size_human(v));
		free(s);
	}
	if (shell_split((const char *)data, size, &words, &err) < 0) {
		free(err);
		strv_free(&words);
		return 0;
	}
	if (qcmdline_from_words(words.v, words.n, "fuzz", &cl, &err) == 0) {
		uint8_t *t;
		size_t len;
		const char *why;

		plan_evaluate(&cl, versions[size % 4], &po, &r);
		for (int json = 0; json < 2; json++) {
			struct out *o = out_new(null, json, false);

			plan_print(o, &r, false, true, false);
			out_finish(o);
		}
		if (r.vm.accepted && nfit_build(&r.vm, &t, &len, &why) == 0)
			free(t);
		plan_result_free(&r);
		qcmdline_free(&cl);
	} else {
		free(err);
	}
	strv_free(&words);
	return 0;
}
