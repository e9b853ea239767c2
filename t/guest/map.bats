#!/usr/bin/env bats
# nvd-map inside a guest with a real NVDIMM stack: on device-DAX (namespace0.0 in devdax mode,
# align 2M and 4K) the size and alignment nvd-map validate reports must be the kernel's
# (daxctl list, /sys/bus/dax/devices/dax0.0/{size,align}), an --align below the device's is
# refused with QEMU's message and the device's own align accepted; nvd-map digest on a
# regular file in the guest gives the host's digest of the same content. Two boots.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { guest_setup_file; }
setup() { guest_setup; }
teardown() { guest_teardown; }

# j FILE FILTER: FILTER holds for the JSON in $OUT/FILE.
j() {
	jq -e "$2" "$OUT/$1" >/dev/null || fail "$1: $2 is not true of: $(cat "$OUT/$1")"
}

# The guest script: a devdax namespace with align $1, the kernel's view of dax0.0 in $OUT,
# nvd-map validate with --size the device's size, without --size (the device's size from
# sysfs, as QEMU reads it) and without --align, with each of the --align values $2 (json in
# $OUT/align-VALUE.json, "align-VALUE=EXIT" on stdout), and nvd-map digest of $IN/data laid
# out sparse (4 MiB hole, the data, 3 MiB hole) and dense.
devdax_script() {
	local align=$1 a
	cat <<EOF
set -e
ndctl create-namespace -f -e namespace0.0 -m devdax --align $align >/dev/null
daxctl list >"\$OUT/daxctl.json"
cat /sys/bus/dax/devices/dax0.0/size >"\$OUT/sysfs-size"
cat /sys/bus/dax/devices/dax0.0/align >"\$OUT/sysfs-align"
size=\$(cat /sys/bus/dax/devices/dax0.0/size)
rc=0; nvd-map validate --json --qemu-version 7.2 --share --pmem --size \$size /dev/dax0.0 >"\$OUT/noalign.json" || rc=\$?; echo "noalign=\$rc"
rc=0; nvd-map validate --json --qemu-version 7.2 --share --pmem --align $align /dev/dax0.0 >"\$OUT/nosize.json" || rc=\$?; echo "nosize=\$rc"
EOF
	for a in $2; do
		echo "rc=0; nvd-map validate --json --qemu-version 7.2 --share --pmem --size \$size --align $a /dev/dax0.0 >\"\$OUT/align-$a.json\" || rc=\$?; echo \"align-$a=\$rc\""
	done
	cat <<'EOF'
truncate -s 8M sparse
dd if="$IN/data" of=sparse bs=1M seek=4 conv=notrunc 2>/dev/null
head -c 4194304 /dev/zero >dense; cat "$IN/data" >>dense; head -c 3145728 /dev/zero >>dense
nvd-map digest --json sparse >"$OUT/digest-sparse.json"
nvd-map digest --json dense >"$OUT/digest-dense.json"
echo "digest=ok"
EOF
}

# check_devdax ALIGN-BYTES ALIGN-OPTION: size and alignment in nvd-map's reports are the
# kernel's.
check_devdax() {
	local align=$1 align_opt=$2 size
	size=$(cat "$OUT/sysfs-size")
	assert_equal "$(cat "$OUT/sysfs-align")" "$align"
	assert_equal "$(jq '(if type == "array" then .[0] else . end) | [.size, .align] | @text' "$OUT/daxctl.json")" \
		"\"[$size,$align]\""
	j noalign.json ".devdax == true and .file_size == $size and .size == $size and .verdict == \"reject\""
	j nosize.json ".devdax == true and .size == $size and .verdict == \"accept\""
	# refused, nvd-map names the device's alignment in QEMU's message only
	assert_equal "$(qemu_msg noalign.json)" "backing store align $(printf '0x%x' "$align") is larger than 'align' option 0x0"
	# accepted at exactly the device's alignment: the region's alignment is the device's
	j "align-$align_opt.json" ".verdict == \"accept\" and .devdax == true and .file_size == $size and .region_align == $align"
}

# check_digest: the guest's digests of the sparse and dense layouts equal the host's of the
# same sparse layout, and the data/hole byte counts are right.
check_digest() {
	local host=$BATS_TEST_TMPDIR/sparse
	truncate -s 8M "$host"
	dd if="$BATS_TEST_TMPDIR/data" of="$host" bs=1M seek=4 conv=notrunc status=none
	local want
	want=$("${NVD_BIN:-$GUEST_DIR/../../bin}/nvd-map" digest --json "$host" | jq -r .digest)
	j digest-sparse.json ".digest == \"$want\" and .size == 8388608 and .data_bytes == 1048576 and .hole_bytes == 7340032"
	j digest-dense.json ".digest == \"$want\" and .size == 8388608"
}

# qemu_msg FILE: the QEMU messages of nvd-map's findings in $OUT/FILE, one a line.
qemu_msg() {
	jq -r '.findings[] | .qemu // empty' "$OUT/$1"
}

@test "nvd-map on devdax align 2M: size and align are the kernel's; align 4K, 1M refused, 2M accepted; digest in the guest" {
	head -c 1M /dev/urandom >"$BATS_TEST_TMPDIR/data"
	vm_args
	nvdimm 0 size=1G
	run --separate-stderr guest --in "$BATS_TEST_TMPDIR/data" "${VM[@]}" -- - <<<"$(devdax_script 2M "4K 1M 2M")"
	assert_success
	check_devdax 2097152 2M
	assert_line noalign=1
	assert_line align-4K=1
	assert_line align-1M=1
	assert_line align-2M=0
	assert_line digest=ok
	assert_equal "$(qemu_msg align-4K.json)" "backing store align 0x200000 is larger than 'align' option 0x1000"
	assert_equal "$(qemu_msg align-1M.json)" "backing store align 0x200000 is larger than 'align' option 0x100000"
	j align-1M.json '.verdict == "reject"'
	j align-2M.json '.mapping.mapped == true and .mapping.map_sync == true and .mapping.align == 2097152'
	check_digest
}

@test "nvd-map on devdax align 4K: size and align are the kernel's; no align refused, 4K accepted" {
	head -c 1M /dev/urandom >"$BATS_TEST_TMPDIR/data"
	vm_args
	nvdimm 0 size=1G
	run --separate-stderr guest --in "$BATS_TEST_TMPDIR/data" "${VM[@]}" -- - <<<"$(devdax_script 4K "4K 2M")"
	assert_success
	check_devdax 4096 4K
	assert_line noalign=1
	assert_line align-4K=0
	assert_line align-2M=0
	assert_line digest=ok
	j align-4K.json '.mapping.mapped == true and .mapping.map_sync == true and .mapping.align == 4096'
	# an align above the device's is accepted and becomes the region's
	j align-2M.json '.verdict == "accept" and .region_align == 2097152'
	check_digest
}
