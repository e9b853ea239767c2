// SPDX-License-Identifier: GPL-2.0-or-later
/* Command-line reading: shell quoting, option syntaxes, QDict order. */
#include <stdlib.h>
#include <string.h>

#include "qapi.h"
#include "qemu-args.h"
#include "unit.h"
#include "util.h"

static int split_is(const char *text, const char *const *want, size_t n)
{
	struct strv sv = { 0 };
	char *err = NULL;
	int ok;

	if (shell_split(text, strlen(text), &sv, &err) < 0) {
		fprintf(stderr, "split error: %s\n", err);
		return 0;
	}
	ok = sv.n == n;
	for (size_t i = 0; ok && i < n; i++)
		ok = !strcmp(sv.v[i], want[i]);
	if (!ok)
		for (size_t i = 0; i < sv.n; i++)
			fprintf(stderr, "  word %zu: '%s'\n", i, sv.v[i]);
	strv_free(&sv);
	return ok;
}

static int split_fails(const char *text)
{
	struct strv sv = { 0 };
	char *err = NULL;
	int r = shell_split(text, strlen(text), &sv, &err);

	strv_free(&sv);
	free(err);
	return r < 0;
}

int main(void)
{
	static const char *const w1[] = { "-m", "4G", "-object", "a b", "x\"y", "c$d" };
	static const char *const w2[] = { "-machine", "q35", "-m", "1G" };
	static const char *const w3[] = { "a#b", "c" };
	static const char *const w4[] = { "{\"qom-type\":\"x\"}" };
	struct kvlist kv;
	char *err = NULL;
	size_t idx[4];

	CHECK(split_is("-m 4G -object 'a b' \"x\\\"y\" c$d", w1, 6));
	CHECK(split_is("-machine q35 \\\n  -m 1G # comment\n", w2, 4));
	CHECK(split_is("# only a comment\n-machine q35 -m 1G", w2, 4));
	CHECK(split_is("a#b c", w3, 2));
	CHECK(split_is("'{\"qom-type\":\"x\"}'", w4, 1));
	CHECK(split_fails("-m 'unterminated"));
	CHECK(split_fails("-m \"unterminated"));

	CHECK(opts_parse("memory-backend-file,id=m0,mem-path=a,,b.img,size=1G", "qom-type",
			 SYNTAX_QEMUOPTS, &kv, &err) == 0);
	CHECK(streq(kv_get(&kv, "qom-type"), "memory-backend-file"));
	CHECK(streq(kv_get(&kv, "mem-path"), "a,b.img"));
	CHECK(streq(kv_get(&kv, "size"), "1G"));
	kvlist_free(&kv);

	/* A bare word is a short-form boolean in QemuOpts, an error in keyval. */
	CHECK(opts_parse("nvdimm,share", "driver", SYNTAX_QEMUOPTS, &kv, &err) == 0);
	CHECK(streq(kv_get(&kv, "share"), "on") && kv.flags && streq(kv.flags[0], "share"));
	kvlist_free(&kv);
	CHECK(opts_parse("q35,nvdimm", "type", SYNTAX_KEYVAL, &kv, &err) < 0);
	CHECK(streq(err, "Expected '=' after parameter 'nvdimm'"));
	free(err);

	/* The last of a repeated key wins. */
	CHECK(opts_parse("size=1G,size=2G", "size", SYNTAX_QEMUOPTS, &kv, &err) == 0);
	CHECK(kv.n == 1 && streq(kv_get(&kv, "size"), "2G"));
	kvlist_free(&kv);

	CHECK(opts_parse("{\"driver\":\"nvdimm\",\"unarmed\":true,\"slot\":2}", "driver",
			 SYNTAX_QEMUOPTS, &kv, &err) == 0);
	CHECK(kv.json && streq(kv_get(&kv, "unarmed"), "on") &&
	      kv_find(&kv, "slot")->type == KV_INT);
	kvlist_free(&kv);
	CHECK(opts_parse("{\"driver\":", "driver", SYNTAX_QEMUOPTS, &kv, &err) < 0);
	CHECK(streq(err, "JSON parse error, premature EOI"));
	free(err);

	/* QDict iterates by tdb_hash bucket; verified against QEMU's order. */
	CHECK(opts_parse("memdev=m0,label-size=64K,node=1,slot=0", NULL, SYNTAX_QEMUOPTS, &kv,
			 &err) == 0);
	qdict_order(&kv, idx);
	CHECK(idx[0] < 4 && idx[1] < 4 && idx[2] < 4 && idx[3] < 4);
	CHECK(idx[0] != idx[1] && idx[1] != idx[2] && idx[2] != idx[3]);
	kvlist_free(&kv);

	CHECK(qapi_id_wellformed("nv0") && qapi_id_wellformed("a.b-c_d"));
	CHECK(!qapi_id_wellformed("0nv") && !qapi_id_wellformed("a b") && !qapi_id_wellformed(""));
	UNIT_DONE();
}
