// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The matcher of nvd-plan --explain: "..." as any text (empty too, several,
 * next to punctuation), a trailing space of QEMU's text, and a message with
 * its log prefixes against the catalogue.
 */
#include <stdio.h>
#include <string.h>

#include "finding-match.h"
#include "unit.h"

/* Does msg explain to a list that holds id? */
static int has(const char *msg, const char *id)
{
	struct finding_explain e;
	int found = 0;

	finding_explain(msg, &e);
	for (size_t i = 0; i < e.n; i++)
		found |= !strcmp(e.v[i].def->id, id);
	finding_explain_free(&e);
	return found;
}

static size_t count(const char *msg)
{
	struct finding_explain e;
	size_t n;

	finding_explain(msg, &e);
	n = e.n;
	finding_explain_free(&e);
	return n;
}

/*
 * A paste built to make a backtracking matcher explode: QEMU's four-"..." text of
 * dimm-addr-outside, its pieces repeated. It must be decided (no match) at once; the first
 * matcher took over a minute for 10 KB.
 */
static void adversarial(void)
{
	static char msg[12000];
	size_t n = 0;

	n += (size_t)snprintf(msg, sizeof(msg), "can't add memory device [0x");
	while (n + 64 < sizeof(msg))
		n += (size_t)snprintf(msg + n, sizeof(msg) - n,
				      "0x...:0x...], usable range for memory devices [0x");
	CHECK(count(msg) == 0);
	CHECK(finding_text_match("a...b...c...d...e", "a" "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" "cde"));
}

int main(void)
{
	adversarial();
	CHECK(finding_text_match("abc", "abc"));
	CHECK(!finding_text_match("abc", "abcd"));
	CHECK(!finding_text_match("abcd", "abc"));
	CHECK(finding_text_match("a...", "a"));
	CHECK(finding_text_match("...", ""));
	CHECK(finding_text_match("slot ... is busy", "slot 3 is busy"));
	CHECK(!finding_text_match("slot ... is busy", "slot 3 is free"));
	CHECK(finding_text_match("x ... y ... z", "x 1 y 2 y 3 z"));	/* backtracks */
	CHECK(!finding_text_match("x ... y ... z", "x 1 y 2 z 3"));
	CHECK(finding_text_match("enabled: .... Instead", "enabled: r0. Instead"));
	CHECK(finding_text_match("end. ", "end."));	/* QEMU's trailing space */
	CHECK(!finding_text_match("end. x", "end."));

	/* prefixes: program path, option location with ": " inside, kernel time, journal */
	CHECK(has("/opt/q/bin/qemu-system-x86_64: -object {\"qom-type\": \"x\"}: Property 'foo' not found",
		  "machine-property-unknown"));
	CHECK(has("Dec  7 18:00:01 g kernel: [    1.5] nd_pmem namespace0.0: unable to guarantee persistence of writes",
		  "persistence-domain"));
	CHECK(has("qemu-system-x86_64: warning: Unknown firmware file in legacy mode: etc/acpi/nvdimm-mem",
		  "machine-fw-cfg-legacy"));
	CHECK(has("Unknown firmware file in legacy mode: etc/acpi/nvdimm-mem\n", "machine-fw-cfg-legacy"));
	CHECK(count("Parameter 'slot' expects integer") >= 2);
	CHECK(count("qemu-system-x86_64: nothing of ours") == 0);
	CHECK(count("") == 0);
	CHECK(count(": ] : ") == 0);
	UNIT_DONE();
}
