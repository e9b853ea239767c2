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

teardown() {
	[[ -z ${VGQPID:-} ]] || kill "$VGQPID" 2>/dev/null || true
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

@test "valgrind: nvd-check --pid and --qmp on a running QEMU, a backend deleted under it" {
	local q=${NVD_QEMU72:-/usr/bin/qemu-system-x86_64} qpid
	[[ -x $q ]] || skip "no $q"
	truncate -s 16M a.img b.img
	"$q" -S -display none -nodefaults -accel tcg -name vg -M pc,nvdimm=on -m 64M,slots=2,maxmem=1G \
		-qmp unix:"$PWD/q.sock",server=on,wait=off \
		-object memory-backend-file,id=m0,share=on,pmem=on,mem-path="$PWD/a.img",size=16M \
		-device nvdimm,id=nv0,memdev=m0 \
		-object memory-backend-file,id=m1,share=off,mem-path=b.img,size=16M \
		-device pc-dimm,id=d1,memdev=m1 >/dev/null 2>&1 3>&- &
	qpid=$!
	VGQPID=$qpid
	for _ in $(seq 100); do grep -q b.img "/proc/$qpid/maps" 2>/dev/null && break; sleep 0.1; done
	rm a.img
	vg "$BIN/nvd-check" --pid "$qpid"
	local st1=$status
	vg "$BIN/nvd-check" --json --qmp q.sock
	local st2=$status
	vg "$BIN/nvd-check" --prometheus --pid "$qpid"
	local st3=$status
	assert_equal "$st1 $st2 $st3" "1 1 1"
}
