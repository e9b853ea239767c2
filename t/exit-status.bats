#!/usr/bin/env bats
# Exit status and what was printed agree: a write that was done exits 0 even when its
# report cannot be printed (exit 3 means nothing was written); a printed "fail:" comes
# with exit 1, and an exit 1 with its reason.

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	cd "$BATS_TEST_TMPDIR"
	nvdimm_vm
}

# done_full "WHAT" TOOL ARGS...: run with stdout on /dev/full: exit 0 and one line on
# stderr saying the write was done and the report was not printed.
done_full() {
	local what=$1 tool=$2
	shift 2
	run --separate-stderr bash -c '"$@" > /dev/full' _ "$BIN/$tool" "$@"
	[[ $status == 0 ]] || fail "$tool $* > /dev/full: exit $status: $stderr"
	[[ $stderr == "$tool: $what, but the report could not be: write error: No space left on device" ]] ||
		fail "$tool $* > /dev/full: $stderr"
}

@test "a write that was done exits 0 when its report cannot be printed" {
	done_full "nv.img: the label area was initialised" nvd-label init -l 128K nv.img
	"$BIN/nvd-label" check -l 128K nv.img > /dev/null || fail "init did not happen"
	"$BIN/nvd-label" read -l 128K -o area.bin nv.img
	done_full "nv.img: the label area was zeroed" nvd-label zero -l 128K --backup old.bin nv.img
	cmp old.bin area.bin || fail "no backup"
	cmp <(tail -c 128K nv.img) <(head -c 128K /dev/zero) || fail "zero did not happen"
	done_full "nv.img: the label area was written" nvd-label write -l 128K -i area.bin nv.img
	cmp <(tail -c 128K nv.img) area.bin || fail "write did not happen"
	done_full "nv.img: the label area was initialised" nvd-label init --force --dimm nv0 vm.args
	rm area.bin
	# read -o FILE prints no report: nothing to fail
	run --separate-stderr bash -c "$BIN/nvd-label read -l 128K -o area.bin nv.img > /dev/full"
	[[ $status == 0 && -z $stderr ]] || fail "read -o > /dev/full: exit $status: $stderr"
	cmp <(tail -c 128K nv.img) area.bin || fail "read -o did not happen"
	done_full "new.img: the file was created" nvd-map create --size 2M new.img
	[[ $(stat -c %s new.img) == 2097152 ]] || fail "create did not happen"
	done_full "nv.img: the file was preallocated" nvd-map prealloc nv.img
	[[ $(stat -c %b nv.img) -gt 0 ]] || fail "prealloc did not happen"
	done_full "report.xml: the JUnit report was written" nvd-plan --qemu-version 7.2 --junit report.xml vm.args
	grep -q '<testcase' report.xml || fail "no JUnit report"
}

@test "a write that was done exits 0 when the reader of its report is gone (no SIGPIPE death)" {
	for cmd in "nvd-map create --size 1M p.img" "nvd-label init -l 128K nv.img" \
		"nvd-label zero -l 128K nv.img" "nvd-map prealloc nv.img" \
		"nvd-plan --qemu-version 7.2 --junit r.xml vm.args"; do
		# the reader exits first: the report meets a closed pipe
		run --separate-stderr bash -c "(sleep 0.3; $BIN/$cmd; echo \"rc=\$?\" >&2) | true"
		[[ $stderr == *"but the report could not be: write error: Broken pipe"*"rc=0" ]] ||
			fail "$cmd | true: $stderr"
	done
	[[ $(stat -c %s p.img) == 1048576 ]] || fail "create did not happen"
	grep -q '<testcase' r.xml || fail "no JUnit report"
	[[ -z $(find . -name '.r.xml.nvd-*') ]] || fail "a temporary JUnit file left behind"
}

@test "nothing written, a report that cannot be printed: still exit 3" {
	for cmd in "nvd-label dump -l 128K nv.img" "nvd-map digest nv.img" \
		"nvd-label read -l 128K -o - nv.img" "nvd-plan --qemu-version 7.2 vm.args"; do
		run --separate-stderr bash -c "$BIN/$cmd > /dev/full"
		[[ $status == 3 ]] || fail "$cmd > /dev/full: exit $status"
		[[ $stderr == *": No space left on device" ]] || fail "$cmd: $stderr"
		[[ $stderr != *"was"* ]] || fail "$cmd: $stderr"
	done
}

# agree EXIT TOOL ARGS...: the exit status is EXIT, and a "fail:" line (or a warn: line,
# with --strict) is printed exactly when it is 1, in text, --quiet and --json.
agree() {
	local want=$1 tool=$2 fails
	shift 2
	run --separate-stderr "$BIN/$tool" "$@"
	[[ $status == "$want" ]] || fail "$tool $*: exit $status, want $want: $output"
	if [[ " $* " == *" --json "* ]]; then
		fails=$(jq '[.findings[] | select(.level == "fail" or .level == "warn")] | length' <<< "$output")
		[[ $want == 1 ]] && { [[ $fails -gt 0 ]] || fail "$tool $*: exit 1, no finding: $output"; }
		return 0
	fi
	if [[ $want == 1 ]]; then
		[[ $output == *"fail: "* || ( " $* " == *" --strict "* && $output == *"warn: "* ) ]] ||
			fail "$tool $*: exit 1 without a reason printed: $output"
	else
		[[ $output != *"fail: "* ]] || fail "$tool $*: a fail: line with exit $status: $output"
	fi
}

@test "nvd-label dump: a printed fail: comes with exit 1, as check" {
	truncate -s 16M zero.img
	for mode in "" --quiet --json --verbose --all-slots; do
		agree 1 nvd-label dump -l 128K $mode zero.img
		agree 1 nvd-label check -l 128K $mode zero.img
	done
	"$BIN/nvd-label" init -l 128K zero.img > /dev/null
	for mode in "" --quiet --json; do
		agree 0 nvd-label dump -l 128K $mode zero.img
		agree 0 nvd-label check -l 128K $mode zero.img
	done
}

@test "nvd-label check --quiet --strict: an exit 1 for a warning prints the warning" {
	python3 "$FIXTURES/label/lsa.py" guest-v11 g.lsa
	python3 "$FIXTURES/label/lsa.py" set g.lsa $((0x280 + 120)) u32 1020
	for cmd in dump check; do
		agree 0 nvd-label $cmd --quiet g.lsa
		agree 1 nvd-label $cmd --strict g.lsa
		agree 1 nvd-label $cmd --quiet --strict g.lsa
		[[ $output == *"warn: slot1: slot 1 is in use but its label says slot 1020"* ]] || fail "$output"
		agree 1 nvd-label $cmd --json --strict g.lsa
	done
}

@test "nvd-nfit --decode: a broken table (a structure claiming 0 bytes) exits 1 in every mode" {
	"$BIN/nvd-nfit" --qemu-version 7.2 --raw vm.args > good.nfit
	python3 - <<'PY'
b = bytearray(open('good.nfit', 'rb').read())
b[42:44] = b'\0\0'			# the first structure's length
b[9] = (b[9] - sum(b)) & 0xff		# the checksum still right: only the length is wrong
open('zero-len.nfit', 'wb').write(b)
PY
	for mode in "" --quiet --json --verbose; do
		agree 1 nvd-nfit --decode zero-len.nfit $mode
		agree 0 nvd-nfit --decode good.nfit $mode
	done
	for mode in --hex --raw; do
		run --separate-stderr bash -c '"$@" > out' _ "$BIN/nvd-nfit" --decode zero-len.nfit $mode
		[[ $status == 1 && $stderr == *"claims 0 bytes"* ]] || fail "$mode: exit $status: $stderr"
	done
}
