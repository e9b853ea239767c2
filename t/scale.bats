#!/usr/bin/env bats
# Reading a configuration is linear in its size (issue 14, item 12): 40k
# keys in one -object took 3.7 s and 93k -object options 99 s when lookups
# scanned every earlier option. tools/bigconfig.sh N writes N options of
# every kind that was quadratic (backends, devices, refused objects, NUMA
# nodes, and options with N/10 keys, short-form booleans and JSON members).

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	cd "$BATS_TEST_TMPDIR"
}

# instructions PROGRAM ARGS...: user-space instructions of one run, counted by
# callgrind (the same on every machine, unlike time).
instructions() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

@test "scale: 8 times the options cost at most 12 times the instructions (callgrind, not timed)" {
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	[[ $BIN != *build-asan* ]] || skip "valgrind cannot run the ASan build (the release build is checked)"
	"$REPO/tools/bigconfig.sh" 2000 >small.args
	"$REPO/tools/bigconfig.sh" 16000 >large.args
	small=$(instructions "$BIN/nvd-plan" --offline --json --qemu-version 7.2 small.args)
	large=$(instructions "$BIN/nvd-plan" --offline --json --qemu-version 7.2 large.args)
	echo "instructions: 2000 options $small, 16000 options $large"
	[ -n "$small" ] && [ -n "$large" ]
	# Linear reading gives about 8; one quadratic step gives tens.
	[ "$large" -le $((small * 12)) ]
}

@test "scale: 100k options (4 MiB) are read in seconds, not minutes" {
	local n=100000 last=d24998 status=0
	# Under ASan every realloc copies, and the findings array (common/base/report.c)
	# still grows one element at a time: 20k options there (4 s), 100k in the
	# release build.
	if [[ $BIN == *build-asan* ]]; then
		n=20000 last=d4998
	fi
	"$REPO/tools/bigconfig.sh" $n >big.args
	[ "$(wc -c <big.args)" -le $((4 << 20)) ]
	# Linear code takes about 0.5 s; quadratic code took 37 s to minutes.
	# (The report is 400k lines: to a file, never into bats' $output.)
	timeout 30 "$BIN/nvd-plan" --offline --json --qemu-version 7.2 big.args >out.json 2>err ||
		status=$?
	[ "$status" -le 1 ] || fail "exit $status (124: timed out): $(head -c 300 err)"
	grep -q '"tool": "nvd-plan"' out.json
	grep -q "\"object\": \"$last\"" out.json
}
