#!/usr/bin/env bats
# A CXL fixed memory window of 12 or 16 targets: QEMU before 8.2 keeps room for 8 host
# bridges per window and dies of SIGSEGV (no message) once it resolves the 9th; conform
# counts a crash as never agreeing, so such a configuration cannot be a corpus case. Here
# real QEMU 7.2 is seen to crash and nvd-plan to fail it (cxl-fmw-ways-crash, no QEMU
# text); 10.0 and 11.1 start it and conform must agree, windows included. 8 targets start
# on 7.2 (the boundary).

bats_require_minimum_version 1.5.0

setup() {
	load helpers/setup
	CASES=$BATS_TEST_TMPDIR/cases
	mkdir -p "$CASES"
	window 8 >"$CASES/ways-8.args"
	window 12 >"$CASES/ways-12.args"
	window 16 >"$CASES/ways-16.args"
}

# window N: a case with one window interleaving N targets (the same host bridge, as QEMU
# allows) and a cxl-type3 under it.
window() {
	local i
	echo '#! truncate -s 256M mem.img && truncate -s 1M lsa.img'
	printf -- '-machine q35,cxl=on -m 1G '
	printf -- '-object memory-backend-file,id=cm,mem-path=mem.img,size=256M,share=on '
	printf -- '-object memory-backend-file,id=cl,mem-path=lsa.img,size=1M,share=on '
	printf -- '-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 '
	printf -- '-device cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2 '
	printf -- '-device cxl-type3,bus=rp0,memdev=cm,lsa=cl,id=t3 '
	printf -- '-M cxl-fmw.0.size=%dG' "$1"
	for ((i = 0; i < $1; i++)); do
		printf ',cxl-fmw.0.targets.%d=cxl.1' "$i"
	done
	echo
}

@test "QEMU 7.2 dies of SIGSEGV on a window of 12 or 16 targets; nvd-plan fails it, with no QEMU text" {
	[ -x "$QEMU72" ] || skip "no QEMU 7.2 at $QEMU72"
	[[ $("$QEMU72" --version | head -n 1) == "QEMU emulator version 7.2."* ]] || skip "$QEMU72 is not 7.2"
	run "$HERE/conform" --record --qemu "$QEMU72" --cases "$CASES"
	assert_success
	assert_line --regexp '^ways-8	accept	-$'
	assert_line --regexp '^ways-12	crash\((139|-11)\)	-$'
	assert_line --regexp '^ways-16	crash\((139|-11)\)	-$'
	cd "$BATS_TEST_TMPDIR"
	truncate -s 256M mem.img && truncate -s 1M lsa.img
	for n in 12 16; do
		run -1 "$NVD_PLAN" --json --offline --qemu-version 7.2 "$CASES/ways-$n.args"
		jq -e '.verdict == "reject" and ([.findings[] | select(.level == "fail")] | length == 1 and
			.[0].id == "cxl-fmw-ways-crash" and .[0].qemu == null and
			(.[0].message | test("cxl-fmw.0 has '"$n"' targets")))' <<<"$output" >/dev/null ||
			fail "7.2, $n targets: $output"
	done
	run -0 "$NVD_PLAN" --json --offline --qemu-version 7.2 "$CASES/ways-8.args"
	# 8.2 has the fix; 8.1 is modelled as 8.1.0, which crashes (8.1.2 has the fix too)
	run -1 "$NVD_PLAN" --json --offline --qemu-version 8.1 "$CASES/ways-12.args"
	jq -e '[.findings[] | select(.level == "fail")][0].id == "cxl-fmw-ways-crash"' <<<"$output" >/dev/null ||
		fail "8.1: $output"
	run -0 "$NVD_PLAN" --json --offline --qemu-version 8.2 "$CASES/ways-12.args"
}

@test "QEMU 10.0 starts a window of 12 targets, and nvd-plan agrees (windows included)" {
	run "$HERE/setup-qemu10" --quiet
	[ "$status" -ne 77 ] || skip "$(grep 'not available' <<<"$output" | tail -n 1)"
	assert_success
	local q=${lines[${#lines[@]} - 1]}
	run "$HERE/conform" --qemu "$q" --version 10.0 --nvd-plan "$NVD_PLAN" --cases "$CASES" ways-12
	assert_success
	assert_output --partial 'conformance 10.0: 1 cases, 1 agree, 0 disagree'
	assert_output --partial 'placement 1 of 1 started'
}

@test "Debian unstable's QEMU starts a window of 16 targets, and nvd-plan agrees" {
	run "$HERE/setup-qemu11" --quiet
	[ "$status" -ne 77 ] || skip "$(grep 'not available' <<<"$output" | tail -n 1)"
	assert_success
	local q=${lines[${#lines[@]} - 1]} ver
	ver=$("$HERE/setup-qemu11" --quiet --version)
	run "$NVD_PLAN" --qemu-version "$ver" --offline --json "$CASES/ways-8.args"
	[[ $status -ne 2 || $output != *"not a release modelled"* ]] ||
		skip "Debian unstable's QEMU is $ver, newer than nvd-plan models"
	run "$HERE/conform" --qemu "$q" --version "$ver" --nvd-plan "$NVD_PLAN" --cases "$CASES" ways-16
	assert_success
	assert_output --partial "conformance $ver: 1 cases, 1 agree, 0 disagree"
	assert_output --partial 'placement 1 of 1 started'
}
