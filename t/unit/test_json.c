// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QEMU's JSON dialect (common/qemu/qemu-json.c): each message below is what QEMU
 * 7.2 and 10.0 print for the same -object text (t/qemu/cases/json-* check the
 * same forms against the real programs).
 */
#include <stdlib.h>
#include <string.h>

#include "qemu-args.h"
#include "unit.h"
#include "util.h"

/* NULL when text parses, else the error. */
static char *parse_err(const char *text)
{
	struct kvlist kv;
	char *err = NULL;

	if (opts_parse(text, "qom-type", SYNTAX_QEMUOPTS, &kv, &err) == 0) {
		kvlist_free(&kv);
		return NULL;
	}
	return err;
}

/* The same as QEMU 11.0 on reads it (line:column, push-parser order). */
static char *parse_err11(const char *text)
{
	struct kvlist kv;
	char *err = NULL;

	if (opts_parse_v(text, "qom-type", SYNTAX_QEMUOPTS, true, &kv, &err) == 0) {
		kvlist_free(&kv);
		return NULL;
	}
	return err;
}

static int refused11_with(const char *text, const char *want)
{
	char *err = parse_err11(text);
	int ok = err && !strcmp(err, want);

	if (!ok)
		fprintf(stderr, "  11: %s: got '%s', want '%s'\n", text, err ? err : "(accepted)", want);
	free(err);
	return ok;
}

static int refused_with(const char *text, const char *want)
{
	char *err = parse_err(text);
	int ok = err && !strcmp(err, want);

	if (!ok)
		fprintf(stderr, "  %s: got '%s', want '%s'\n", text, err ? err : "(accepted)", want);
	free(err);
	return ok;
}

int main(void)
{
	struct kvlist kv;
	char *err = NULL, *deep;

	/* What strict JSON readers let through and QEMU does not. */
	CHECK(refused_with("{\"a\":1,\"a\":2}", "JSON parse error, duplicate key"));
	CHECK(refused_with("{\"a\":{\"b\":1,\"b\":1}}", "JSON parse error, duplicate key"));
	CHECK(refused_with("{\"a\":1,}", "JSON parse error, expecting value"));
	CHECK(refused_with("{\"a\":[1,]}", "JSON parse error, expecting value"));
	CHECK(refused_with("{\"a\":1} x", "Expecting at most one JSON value"));
	CHECK(refused_with("{\"a\":1}{}", "Expecting at most one JSON value"));
	CHECK(refused_with("{\"a\":1}}", "Expecting at most one JSON value"));
	CHECK(refused_with("{\"a\":1} /* c */", "Expecting at most one JSON value"));
	CHECK(refused_with("{/* c */\"a\":1}", "JSON parse error, stray '/'"));
	CHECK(refused_with("{\"a\":01}", "JSON parse error, stray '01'"));
	CHECK(refused_with("{\"a\":-01}", "JSON parse error, stray '-01'"));
	CHECK(refused_with("{\"a\":1.}", "JSON parse error, stray '1.}'"));
	CHECK(refused_with("{\"a\":1.", "JSON parse error, stray '1.'"));
	CHECK(refused_with("{\"a\":TRUE}", "JSON parse error, stray 'T'"));
	CHECK(refused_with("{\"a\":nul}", "JSON parse error, invalid keyword 'nul'"));
	/* The lexer runs ahead of the parser over one balanced message. */
	CHECK(refused_with("{,\"a\":TRUE}", "JSON parse error, stray 'T'"));
	CHECK(refused_with("{\"a\":\"x\ty\"}", "JSON parse error, stray '\"x\t'"));
	CHECK(refused_with("{\"a\":\"abc", "JSON parse error, stray '\"abc'"));
	CHECK(refused_with("{\"a\":1", "JSON parse error, premature EOI"));
	CHECK(refused_with("{\"a\" 1}", "JSON parse error, missing : in object pair"));
	CHECK(refused_with("{1:1}", "JSON parse error, key is not a string in object"));
	CHECK(refused_with("{\"a\":1 \"b\":2}", "JSON parse error, expected separator in dict"));
	CHECK(refused_with("{\"a\":[1 2]}", "JSON parse error, expected separator in list"));
	CHECK(refused_with("{\"a\":\"\\x\"}", "JSON parse error, invalid escape sequence in string"));
	CHECK(refused_with("{\"a\":\"\\ud800\"}", "JSON parse error, \\ud800 is not a valid Unicode character"));
	CHECK(refused_with("{\"a\":\"\\u12\"}", "JSON parse error, \\u12\" is not a valid Unicode character"));
	CHECK(refused_with("{\"a\":\"\xc3\"}", "JSON parse error, invalid UTF-8 sequence in string"));
	CHECK(refused_with("{\"a\":\"\xc1\xbf\"}", "JSON parse error, invalid UTF-8 sequence in string"));
	CHECK(refused_with("{\"a\":\"\xef\xbf\xbe\"}", "JSON parse error, invalid UTF-8 sequence in string"));

	/* 1024 open brackets are the limit. */
	deep = xcalloc(2100, 1);
	strcpy(deep, "{\"a\":");
	memset(deep + 5, '[', 1023);
	CHECK(refused_with(deep, "JSON parse error, premature EOI"));
	deep[5 + 1023] = '[';
	CHECK(refused_with(deep, "JSON nesting depth limit exceeded"));
	free(deep);

	/* What QEMU takes beyond RFC 8259, and how values come out. */
	CHECK(opts_parse("{'qom-type':'x','s':'a\"b\\'c','n':-0,'u':18446744073709551615,"
			 "'big':18446744073709551616,'f':1e3,'t':true,'z':\"\\u0000\\/\","
			 "'l':[1, {'a':null}],'e':\"\\ud83d\\ude00\"}",
			 "qom-type", SYNTAX_QEMUOPTS, &kv, &err) == 0);
	CHECK(kv.json && kv.n == 10);
	CHECK(streq(kv_get(&kv, "s"), "a\"b'c") && kv_find(&kv, "s")->type == KV_STRING);
	CHECK(streq(kv_get(&kv, "n"), "0") && kv_find(&kv, "n")->type == KV_INT);
	CHECK(streq(kv_get(&kv, "u"), "18446744073709551615") && kv_find(&kv, "u")->type == KV_INT);
	CHECK(kv_find(&kv, "big")->type == KV_OTHER && kv_find(&kv, "f")->type == KV_OTHER);
	CHECK(streq(kv_get(&kv, "t"), "on") && kv_find(&kv, "t")->type == KV_BOOL);
	CHECK(streq(kv_get(&kv, "z"), "\xc0\x80/"));	/* modified UTF-8 */
	CHECK(streq(kv_get(&kv, "l"), "[1, {'a':null}]") && kv_find(&kv, "l")->type == KV_OTHER);
	CHECK(streq(kv_get(&kv, "e"), "\xf0\x9f\x98\x80"));
	CHECK(!strcmp(kv.v[0].key, "qom-type") && !strcmp(kv.v[9].key, "e"));
	kvlist_free(&kv);
	CHECK(parse_err("{\"a\":1} \t\r\n") == NULL);
	CHECK(parse_err("{}") == NULL);

	/*
	 * QEMU 11.1 (t/qemu/cases/json-* against the real program for one-line
	 * texts; conform cannot judge a message that spans lines, so the lines
	 * are checked here, as QEMU 11.1 printed them for -object).
	 */
	CHECK(refused11_with("{\"a\":1,\n  \"b\":2 \"c\":3}",
			     "2:9: JSON parse error, expected ',' or '}'"));
	CHECK(refused11_with("{\"a\":1,\n\"m\":\"nv\\q.img\"}",
			     "2:5: JSON parse error, invalid escape sequence in string"));
	CHECK(refused11_with("{\"a\":1,\n", "2:1: JSON parse error, premature end of input"));
	CHECK(refused11_with("{\"a\":1,\"a\":2}", "1:12: JSON parse error, duplicate key"));
	/* a container's duplicate: at its closing bracket, one column late after a number */
	CHECK(refused11_with("{\"a\":[],\"a\":{}}", "1:14: JSON parse error, duplicate key"));
	CHECK(refused11_with("{\"a\":1,\"a\":{\"b\":\"c\"}}", "1:20: JSON parse error, duplicate key"));
	CHECK(refused11_with("{\"a\":1,\"a\":{\"b\":1}   }", "1:19: JSON parse error, duplicate key"));
	CHECK(refused11_with("{\"a\":1,\"a\":[1]}", "1:15: JSON parse error, duplicate key"));
	CHECK(refused11_with("{\"a\":1,\"a\":true}", "1:12: JSON parse error, duplicate key"));
	CHECK(refused11_with("{\"a\":1} x", "Expecting at most one JSON value"));
	CHECK(refused11_with("{\"a\" 1,\"b\":TRUE}", "1:6: JSON parse error, expecting ':'"));
	CHECK(refused11_with("{\"a\":1,\"b\":TRUE}", "1:12: JSON parse error, stray 'T'"));
	CHECK(refused11_with("{\"a\":[0 1]}", "1:9: JSON parse error, expected ',' or ']'"));
	CHECK(parse_err11("{\"a\":[1,{\"b\":null}],\n\"c\":'x'}") == NULL);
	UNIT_DONE();
}
