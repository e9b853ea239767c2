#!/usr/bin/env bats
# The finding catalogue (common/base/finding-catalogue.c) against the code that emits findings,
# nvd-findings(7) generated from it, and QEMU's messages recorded in t/qemu.

bats_require_minimum_version 1.5.0
load lib/common

GEN=$REPO/build/tools/gen-findings
PAGE=$REPO/build/man/nvd-findings.7

setup() {
	load_bats_libs
	[[ -x $GEN && -f $PAGE ]] || fail "build/tools/gen-findings or $PAGE missing: run make all"
	cd "$BATS_TEST_TMPDIR"
	"$GEN" --tsv > catalogue.tsv
	cut -f1 catalogue.tsv | sort > catalogue.ids
	# every finding_add() call of the sources (the rules' FAIL/WARN/INFO, nvd-check's check()):
	# FILE:LINE LEVEL ID
	"$REPO/tools/finding-ids.pl" "$REPO"/common/*/*.c "$REPO"/cmd/*.c > calls.txt
	# memdev_fid(d, "what") emits PREFIX-what for the device types' prefixes that have a row
	prefixes=$(sed -n 's/^[[:space:]]*\.finding_prefix = "\([a-z]*\)",.*/\1/p' "$REPO"/common/qemu/memdev-*.c | sort -u)
	awk '$3 != "-" { print $3 }' calls.txt | while read -r id; do
		if [[ $id == '*-'* ]]; then
			for p in $prefixes; do
				grep -qx "$p-${id#\*-}" catalogue.ids && echo "$p-${id#\*-}"
			done
		else
			echo "$id"
		fi
	done | sort -u > emitted.ids
}

# rows ID: the catalogue ids a call's ID stands for (PREFIX-WHAT for "*-WHAT")
rows() {
	if [[ $1 == '*-'* ]]; then
		for p in $prefixes; do
			grep -x "$p-${1#\*-}" catalogue.ids
		done
	else
		echo "$1"
	fi
}

@test "catalogue ids are unique" {
	run uniq -d catalogue.ids
	assert_output ''
	(($(wc -l < catalogue.ids) > 100))
}

@test "every finding the code emits is in the catalogue, at a level its row allows" {
	# a non-literal id is refused by the scanner unless marked as passed on
	(($(wc -l < calls.txt) > 100))
	[[ -n $prefixes ]] || fail "no .finding_prefix in common/qemu/memdev-*.c"
	while read -r at level call; do
		[[ $call == - ]] && continue
		ids=$(rows "$call")
		[[ -n $ids ]] || fail "$at: finding '$call' is not in common/base/finding-catalogue.c"
		for id in $ids; do
			row=$(awk -F'\t' -v id="$id" '$1 == id' catalogue.tsv)
			[[ -n $row ]] || fail "$at: finding '$id' is not in common/base/finding-catalogue.c"
			IFS='|' read -ra levels <<<"$level"
			for l in "${levels[@]}"; do
				[[ "|$(cut -f2 <<<"$row")|" == *"|$l|"* ]] ||
					fail "$at: finding '$id' is emitted at level $l, its catalogue row says $(cut -f2 <<<"$row")"
			done
		done
	done < calls.txt
}

@test "no dead ids: every catalogue row is emitted by some code" {
	run comm -23 catalogue.ids emitted.ids
	assert_output ''
}

@test "nvd-findings(7) lists exactly the ids the code emits, and is the catalogue's current page" {
	"$GEN" --man | cmp - "$PAGE"
	# each entry is ".TP" then ".B ID" (roff: \- for -)
	sed -n '/^\.TP$/{n;s/^\.B //;s/\\-/-/g;p}' "$PAGE" | sort > page.ids
	run comm -3 emitted.ids page.ids
	assert_output ''
	(($(wc -l < page.ids) == $(wc -l < catalogue.ids)))
	# levels, a meaning, a fix per entry; QEMU's messages per release where they differ
	grep -A2 -x '\.B dimm\\-memdev\\-unknown' "$PAGE" | grep -q '^(fail) memdev= names no object\.$'
	grep -A10 -x '\.B mem\\-no\\-window' "$PAGE" | grep -q '^QEMU 8\.1 on: \\(lqthe configuration is not prepared'
	grep -A8 -x '\.B mem\\-no\\-window' "$PAGE" | grep -q '^QEMU 6\.0 to 8\.0: \\(lqmemory devices (e\.g\. for memory hotplug) are not supported'
	grep -A6 -x '\.B label\\-index\\-invalid' "$PAGE" | grep -q '^(fail, warn) '
	grep -A2 -x '\.B map\\-sync' "$PAGE" | grep -q '^(check: pass, fail, warn) '
	[[ $(grep -c '^Fix: ' "$PAGE") == $(wc -l < catalogue.ids) ]]
}

@test "nvd-findings(7) is valid roff, and each tool's page and the README point to it" {
	command -v groff >/dev/null || skip "groff is not installed"
	run --separate-stderr groff -man -ww -z "$PAGE"
	assert_success
	assert_equal "$stderr" ''
	for t in nvd-plan nvd-nfit nvd-label nvd-check nvd-map; do
		sed -n '/^\.SH SEE ALSO/,$p' "$REPO/man/$t.1" | grep -q '^\.BR nvd-findings (7)' ||
			fail "man/$t.1: no nvd-findings(7) in SEE ALSO"
	done
	grep -q 'nvd-findings(7)' "$REPO/README.md"
	# the page a row names as documenting it exists
	cut -f3 catalogue.tsv | tr ',' '\n' | sed 's/^ *//; s/(1)$//' | sort -u | while read -r p; do
		[[ -f $REPO/man/$p.1 ]] || fail "catalogue names $p(1), which does not exist"
	done
}

@test "make install puts nvd-findings(7) in man7" {
	run make -s -C "$REPO" install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/usr
	assert_success
	cmp "$PAGE" root/usr/share/man/man7/nvd-findings.7
	[[ -f root/usr/share/man/man1/nvd-plan.1 ]]
}

@test "every refusal recorded from real QEMU 7.2, 10.0 and 11.1 is the QEMU message of a catalogue row" {
	run --separate-stderr python3 "$REPO/t/lib/finding-match.py" catalogue.tsv recorded \
		"$REPO"/t/qemu/recorded-7.2.txt "$REPO"/t/qemu/recorded-10.0.txt "$REPO"/t/qemu/recorded-11.1.txt
	assert_success
	[[ $stderr =~ ^([0-9]+)\ messages ]] && ((BASH_REMATCH[1] > 200))
}

@test "every QEMU message nvd-plan gives on the t/qemu corpus is in its finding's row, for each release" {
	for r in 6.0 7.0 7.2 8.1 8.2 9.1 10.0 10.2; do
		{
			for c in "$REPO"/t/qemu/cases/*.args; do
				"$BIN/nvd-plan" --offline --qemu-version "$r" --json "$c" || :
			done
			for c in "$REPO"/t/qemu/cases-aarch64/*.args; do
				"$BIN/nvd-plan" --offline --target aarch64 --qemu-version "$r" --json "$c" || :
			done
		} 2>/dev/null > plan.json
		run python3 "$REPO/t/lib/finding-match.py" catalogue.tsv emitted "$r" < plan.json
		assert_success
	done
}
