#!/usr/bin/env bats
# Block devices as backends (issue 14, item 5): QEMU takes a block device's size from
# lseek(SEEK_END), the device's size, not st_size (0). Every tool must too: nvd-map validate,
# nvd-plan, nvd-nfit and nvd-check, on a real 64 MiB loop device (root only; detached in
# teardown), with QEMU 7.2's and 10.0's messages, confirmed with the real QEMUs when present.

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	MAP=$BIN/nvd-map
	PLAN=$BIN/nvd-plan
	NFIT=$BIN/nvd-nfit
	CHECK=$BIN/nvd-check
	cd "$BATS_TEST_TMPDIR" || return
	((EUID == 0)) || skip "loop devices need root"
	command -v losetup >/dev/null || skip "no losetup (util-linux)"
	truncate -s 64M blk.img
	LOOP=$(losetup -f --show blk.img) || skip "no free loop device"
	# A VM with one NVDIMM on the device, size=SIZE (nvdimm_args SIZE [more backend options]).
	M7_2="backing store size 0x4000000 does not match 'size' option 0x8000000"
	M10_0="m0 backing store size 0x4000000 is too small for 'size' option 0x8000000 plus 'offset' option 0x0"
}

teardown() {
	[[ -z ${LOOP:-} ]] || losetup -d "$LOOP"
}

nvdimm_args() {
	ARGS=(-machine pc,nvdimm=on -m 512M,slots=2,maxmem=2G
		-object "memory-backend-file,id=m0,mem-path=$LOOP,size=$1,share=on${2:+,$2}"
		-device nvdimm,id=nv0,memdev=m0)
}

# qemu_error QEMU: QEMU's first error line for ARGS, without its program and option prefixes.
qemu_error() {
	local out
	out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"quit"}' |
		timeout -k 5 30 "$1" -S -display none -nodefaults -no-user-config -accel tcg \
			-qmp stdio "${ARGS[@]}" 2>&1 >/dev/null) && return 0
	out=${out%%$'\n'*}
	out=${out#*qemu-system-x86_64: }
	echo "${out#-object memory-backend-file,*: }"
}

@test "nvd-map validate: a 64 MiB device has 64 MiB, in both releases; no --size takes it" {
	run --separate-stderr "$MAP" validate --qemu-version 7.2 "$LOOP" --size 128M
	assert_equal "$status" 1
	assert_line "      QEMU: $M7_2"
	assert_line "verdict: reject"
	run --separate-stderr "$MAP" validate --qemu-version 10.0 --json "$LOOP" --size 128M
	assert_equal "$status" 1
	assert_equal "$(jq -r '.file_size, .findings[0].qemu' <<<"$output")" $'67108864\nmem0'"${M10_0#m0}"
	# a smaller size maps the first bytes; without --size the device's size is the default
	run "$MAP" validate --qemu-version 7.2 --json "$LOOP" --size 32M
	assert_success
	assert_equal "$(jq -c '[.file_size, .mapping.mapped, [.findings[].id]]' <<<"$output")" '[67108864,true,[]]'
	run "$MAP" validate --qemu-version 10.0 --json "$LOOP"
	assert_success
	assert_equal "$(jq -c '[.size, .file_size, [.findings[].id]]' <<<"$output")" '[67108864,67108864,["map-size-from-file"]]'
}

@test "nvd-plan and nvd-nfit: QEMU refuses size=128M on the 64 MiB device, 64M is built" {
	nvdimm_args 128M
	for v in 7.2 10.0; do
		run --separate-stderr "$PLAN" --qemu-version "$v" --json -- "${ARGS[@]}"
		assert_equal "$status" 1
		want=M${v/./_}
		assert_equal "$(jq -r '.verdict, (.findings[] | select(.level == "fail") | .qemu)' <<<"$output")" $'reject\n'"${!want}"
		run --separate-stderr "$NFIT" --qemu-version "$v" -- "${ARGS[@]}"
		assert_equal "$status" 1
		assert_output --partial "QEMU: ${!want}"
		refute_output --partial "Signature"
	done
	nvdimm_args 64M
	run "$PLAN" --qemu-version 7.2 -- "${ARGS[@]}"
	assert_success
	run "$NFIT" --qemu-version 7.2 --raw -- "${ARGS[@]}"
	assert_success
	[[ $(head -c 4 <<<"$output") == NFIT ]]
}

@test "nvd-check: the device's size against --size, and in the facts" {
	run "$CHECK" --qemu-version 7.2 --share --pmem --size 128M "$LOOP"
	assert_equal "$status" 1
	assert_line "  Checking the path                            : WARN (block device, 64 MiB: QEMU maps it like a file)"
	assert_line "  Verdict: REFUSED (QEMU will not start)"
	assert_line "    QEMU: $M7_2"
	assert_line "    fix: size=64M or less (what the backend holds)"
	run "$CHECK" --qemu-version 10.0 --json --object "memory-backend-file,id=m0,mem-path=$LOOP,size=128M" "$LOOP"
	assert_equal "$status" 1
	assert_equal "$(jq -c '.paths[0].facts | [.kind, .file_size]' <<<"$output")" '["block",67108864]'
	assert_equal "$(jq -r '.paths[0].verdict' <<<"$output")" refused
	assert_equal "$(jq -r '.paths[0].qemu_messages[0]' <<<"$output")" "$M10_0"
	# 64M fits: the verdict is about persistence again (a loop device never has DAX)
	run "$CHECK" --qemu-version 7.2 --share --pmem --size 64M "$LOOP"
	assert_equal "$status" 1
	assert_line --partial "  Verdict: NOT PERSISTENT"
}

@test "nvd-check --sysroot: a replayed block device's size from sysfs (512-byte sectors)" {
	cp -a "$FIXTURES/check/host" root
	sed "s|@ROOT@|$PWD/mnt|g" "$FIXTURES/check/mountinfo.in" >root/proc/self/mountinfo
	# pmem0 has 2060288 sectors: 1054867456 bytes
	run "$CHECK" --sysroot "$PWD/root" --qemu-version 7.2 --json --size 1G /dev/pmem0
	assert_equal "$(jq -c '.paths[0].facts | [.kind, .file_size]' <<<"$output")" '["block",1054867456]'
	run "$CHECK" --sysroot "$PWD/root" --qemu-version 7.2 --size 2G /dev/pmem0
	assert_equal "$status" 1
	assert_line "    QEMU: backing store size 0x3ee00000 does not match 'size' option 0x80000000"
}

@test "the real QEMU 7.2 and 10.0 say what the tools say on the device" {
	local q10=${NVD_QEMU10_DIR:-/var/cache/nvd-toolkit/qemu-10.0} n=0
	nvdimm_args 128M
	if [[ -x ${NVD_QEMU72:-/usr/bin/qemu-system-x86_64} ]]; then
		assert_equal "$(qemu_error "${NVD_QEMU72:-/usr/bin/qemu-system-x86_64}")" "$M7_2"
		n=$((n + 1))
	fi
	if [[ -f $q10/stamp ]]; then
		assert_equal "$(qemu_error "$q10/qemu-system-x86_64")" "$M10_0"
		n=$((n + 1))
	fi
	# and 7.2 starts on 64M
	nvdimm_args 64M
	[[ ! -x ${NVD_QEMU72:-/usr/bin/qemu-system-x86_64} ]] ||
		assert_equal "$(qemu_error "${NVD_QEMU72:-/usr/bin/qemu-system-x86_64}")" ""
	# size= omitted: the device's size is not taken, QEMU's parser wants one (both releases)
	ARGS=(-machine pc,nvdimm=on -m 512M,slots=2,maxmem=2G
		-object "memory-backend-file,id=m0,mem-path=$LOOP,share=on" -device nvdimm,id=nv0,memdev=m0)
	[[ ! -x ${NVD_QEMU72:-/usr/bin/qemu-system-x86_64} ]] ||
		assert_equal "$(qemu_error "${NVD_QEMU72:-/usr/bin/qemu-system-x86_64}")" "Parameter 'size' is missing"
	[[ ! -f $q10/stamp ]] ||
		assert_equal "$(qemu_error "$q10/qemu-system-x86_64")" "Parameter 'size' is missing"
	for v in 7.2 10.0; do
		run "$PLAN" --qemu-version "$v" --json -- "${ARGS[@]}"
		assert_equal "$status" 1
		assert_equal "$(jq -r '.findings[] | select(.level == "fail") | .qemu' <<<"$output")" "Parameter 'size' is missing"
		run "$MAP" validate --qemu-version "$v" --json --object "memory-backend-file,id=m0,mem-path=$LOOP"
		assert_equal "$status" 1
		assert_equal "$(jq -r '.findings[] | select(.level == "fail") | .qemu' <<<"$output")" "Parameter 'size' is missing"
	done
	((n > 0)) || skip "neither QEMU 7.2 nor 10.0 (make qemu10) is installed"
	((n == 2)) || echo "# only one QEMU release was there to compare" >&3
}

@test "nvd-map digest reads a block device to its own end: the same digest as its file" {
	head -c 1M /dev/urandom | dd of="$LOOP" bs=1M seek=3 conv=notrunc status=none
	sync
	run "$MAP" digest --json "$LOOP"
	assert_success
	assert_equal "$(jq -c '[.size, .digest]' <<<"$output")" "[67108864,\"$("$MAP" digest blk.img | cut -d' ' -f1)\"]"
	run "$MAP" digest --offset 3M --size 1M "$LOOP"
	assert_success
	assert_equal "${output%% *}" "$("$MAP" digest --offset 3M --size 1M blk.img | cut -d' ' -f1)"
	run --separate-stderr "$MAP" digest --offset 64M --size 4K "$LOOP"
	assert_equal "$status" 3
	assert_equal "$stderr" "nvd-map: $LOOP: the window ends after the end of the file (67108864 bytes)"
}
