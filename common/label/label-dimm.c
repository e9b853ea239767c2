// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nvd-label's --dimm ID: which backend file and label area a device of a VM
 * configuration has, resolved through the same model as nvd-plan: an
 * nvdimm's is the last label-size bytes of its memdev, a cxl-type3's its
 * lsa= backend (that backend's offset= and size= of its file). The
 * command calls it; the label core (label-io.c) only takes the resulting
 * struct label_spec.
 */
#include "label-io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memdev.h"
#include "plan.h"
#include "util.h"

/* QEMU's text of finding id about object, or NULL. */
static const char *finding_qemu(const struct findings *f, const char *id, const char *object)
{
	for (size_t i = 0; i < f->n; i++)
		if (streq(f->v[i].id, id) && f->v[i].object && streq(f->v[i].object, object))
			return f->v[i].qemu;
	return NULL;
}

/* Why device d of a configuration has no label area in a file, printed; false when it has. */
static bool dimm_refused(const char *src, const struct plan_result *r, const struct memdev *d)
{
	const char *q;

	if (d->lsa || d->lsa_be) {
		if (!d->lsa_be) {
			/* a device QEMU refuses has no area: its own first refusal says why */
			for (size_t i = 0; i < r->findings.n; i++) {
				const struct finding *f = &r->findings.v[i];

				if (f->level == LEVEL_FAIL && f->object && streq(f->object, d->id)) {
					nvd_warnx("%s: device %s: QEMU refuses it: %s", src, d->id,
						  f->qemu ? f->qemu : f->message);
					return true;
				}
			}
			nvd_warnx("%s: device %s: no memory backend with id=%s for its lsa=", src,
				  d->id, d->lsa);
			return true;
		}
		if (!d->lsa_be->mem_path) {
			nvd_warnx("%s: device %s: its lsa= %s is a %s, not a memory-backend-file: the label storage area is in the VM's memory, not in a file",
				  src, d->id, d->lsa_be->id,
				  d->lsa_be->qom_type ? d->lsa_be->qom_type : "backend");
			return true;
		}
		return false;
	}
	if (!d->type->nfit) {
		nvd_warnx("%s: device %s is a %s: only an nvdimm or a cxl-type3 with lsa= has a label area",
			  src, d->id, d->type->driver);
		return true;
	}
	/* A label-size QEMU refuses is not kept in the model: its finding says it. */
	q = finding_qemu(&r->findings, "nvdimm-label-size-min", d->id);
	if (q) {
		nvd_warnx("%s: device %s: label-size below QEMU's minimum of 128 KiB: QEMU refuses it: %s",
			  src, d->id, q);
		return true;
	}
	if (!d->label_size) {
		for (size_t i = 0; i < r->findings.n; i++) {
			const struct finding *f = &r->findings.v[i];

			if (f->level == LEVEL_FAIL && f->object && streq(f->object, d->id) && f->qemu &&
			    strstr(f->qemu, "label-size")) {
				nvd_warnx("%s: device %s: QEMU refuses its label-size: %s", src, d->id,
					  f->qemu);
				return true;
			}
		}
		nvd_warnx("%s: device %s has no label-size: the guest sees it without a label area (give it label-size=128K or more)",
			  src, d->id);
		return true;
	}
	if (!d->be) {
		nvd_warnx("%s: device %s: no memory backend with id=%s in the configuration", src, d->id,
			  d->memdev ? d->memdev : "(none)");
		return true;
	}
	if (!d->be->mem_path) {
		nvd_warnx("%s: device %s: its memdev %s is a %s, not a memory-backend-file: the label area is in the VM's memory, not in a file",
			  src, d->id, d->be->id, d->be->qom_type ? d->be->qom_type : "backend");
		return true;
	}
	return false;
}

int label_dimm_resolve(const char *dimm, const char *file, char **words, size_t nwords,
		       struct label_spec *spec, char **path)
{
	struct plan_opts po = { .offline = true };
	struct plan_result r;
	struct qcmdline cl;
	const char *src = file ? file : "--";
	char *err = NULL;
	int rc;

	*path = NULL;
	rc = file ? qcmdline_from_file(file, &cl, &err)
		  : qcmdline_from_words(words, nwords, "command line", &cl, &err) < 0 ? -EINVAL : 0;
	if (rc == -EINVAL) {
		nvd_warnx("%s: %s", src, err);
		free(err);
		return NVD_EXIT_USAGE;
	}
	if (rc < 0) {
		nvd_warnx("%s: %s", src, strerror(-rc));
		return NVD_EXIT_ENV;
	}
	plan_evaluate(&cl, QVER_NEWEST, &po, &r);
	qcmdline_free(&cl);
	rc = NVD_EXIT_USAGE;
	for (size_t i = 0; i < r.vm.nmemdevs; i++) {
		const struct memdev *d = &r.vm.memdevs[i];

		if (!d->id || !streq(d->id, dimm))
			continue;
		if (dimm_refused(src, &r, d))
			goto out;
		if (d->lsa_be) {
			/* a CXL device's label storage area: its lsa= backend, all of it */
			spec->lsa = true;
			spec->size = d->lsa_be->size;
			spec->has_size = d->lsa_be->has_size;
			spec->offset = d->lsa_be->offset;
			spec->has_offset = d->lsa_be->has_offset;
			spec->serial = d->has_serial ? d->serial : UINT64_MAX;
			spec->has_serial = true;
			*path = xstrdup(d->lsa_be->mem_path);
			rc = 0;
			goto out;
		}
		spec->label_size = d->label_size;
		spec->has_label_size = true;
		spec->size = d->be->size;
		spec->has_size = d->be->has_size;
		spec->offset = d->be->offset;
		spec->has_offset = d->be->has_offset;
		spec->pmem_limit = d->region_size;
		*path = xstrdup(d->be->mem_path);
		rc = 0;
		goto out;
	}
	nvd_warnx("%s: no device with id=%s", src, dimm);
out:
	plan_result_free(&r);
	return rc;
}
