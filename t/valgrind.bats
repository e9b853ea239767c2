#!/usr/bin/env bats
# Valgrind (memcheck) on a subset where it is cheap: no invalid access, no leak, in
# the release build (the ASan build covers the whole suite; this catches what only
# shows without sanitizers, such as uninitialised reads).

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	[[ $BIN != *build-asan* ]] || skip "valgrind cannot run the ASan build (the release build is checked)"
	cd "$BATS_TEST_TMPDIR"
	truncate -s 1G nv0.img
	cp "$FIXTURES/plan/example.args" "$FIXTURES/plan/mistakes.args" .
	truncate -s 4G nv0.img
	truncate -s 2G nv1.img
}

vg() {
	run --separate-stderr valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$@"
	[[ $status != 99 ]] || fail "valgrind: $stderr"
}

@test "valgrind: nvd-plan, text and JSON, accepted and refused" {
	vg "$BIN/nvd-plan" --qemu-version 7.2 example.args mistakes.args
	assert_equal "$status" 1
	vg "$BIN/nvd-plan" --qemu-version 10.0 --json --hotplug 1G,8G example.args
	assert_equal "$status" 0
}

@test "valgrind: nvd-nfit generation, decode and diff" {
	vg "$BIN/nvd-nfit" --qemu-version 7.2 example.args
	assert_equal "$status" 0
	"$BIN/nvd-nfit" --qemu-version 7.2 --raw example.args > t.nfit
	vg "$BIN/nvd-nfit" --json --decode t.nfit
	assert_equal "$status" 0
	vg "$BIN/nvd-nfit" --qemu-version 7.2 --diff t.nfit mistakes.args
	assert_equal "$status" 1
}

@test "valgrind: nvd-label init, check and dump" {
	vg "$BIN/nvd-label" init -l 128K nv1.img
	assert_equal "$status" 0
	vg "$BIN/nvd-label" check -l 128K nv1.img
	assert_equal "$status" 0
	vg "$BIN/nvd-label" dump --json -l 128K nv1.img
	assert_equal "$status" 0
}

@test "valgrind: nvd-check on a file and the host inventory" {
	vg "$BIN/nvd-check" --pmem --share nv0.img
	assert_equal "$status" 1
	vg "$BIN/nvd-check" --json
	assert_equal "$status" 0
}
