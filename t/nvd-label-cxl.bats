#!/usr/bin/env bats
# nvd-label on a CXL device's label storage area (a cxl-type3 device's lsa= backend, used
# whole: --lsa): the area Linux 6.1 wrote in a guest (t/guest/cxl.bats), read with the rules
# Linux 6.1 applies to a CXL region (null type GUID, the region's interleave-set cookie), labels
# in the CXL 2.0 layout (namespace and region labels), init (v1.2 as 6.1 writes it, v2.1), the
# other commands, and bad input.

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	L=$BIN/nvd-label
	LSA="python3 $FIXTURES/label/lsa.py"
	cd "$BATS_TEST_TMPDIR" || return
}

# jl FILE JQ-EXPR [OPTIONS...]: the expression must hold on `nvd-label dump --json`.
jl() {
	local f=$1 e=$2
	shift 2
	"$L" dump --json "$@" "$f" | jq -e "$e" >/dev/null || {
		"$L" dump --json "$@" "$f" >&2
		fail "$e does not hold for $f"
	}
}

NS=45d0904f-32fd-4b02-902a-d4a97b44962b

@test "--lsa: the area Linux 6.1 wrote on a cxl-type3 device: one namespace, the region's cookie" {
	$LSA guest-cxl lsa.img
	run "$L" check --lsa lsa.img
	assert_success
	assert_output "CXL label area valid: index 0 current (seq 2), v1.2, 256-byte labels, 1022 slots, 1021 free, 1 namespace"
	jl lsa.img ".format == \"cxl\" and .current == 0 and (.findings | length) == 0 and
		.namespaces == [{uuid: \"$NS\", name: \"\", size: 268435456, dpa: 0, claim_class: \"fsdax\",
		sector_size: 512, isetcookie: 8589934593, slot: 1, updating: false}] and
		[.labels[] | .layout] == [\"nvdimm\"]" --lsa
	# --format cxl reads it the same; so does a 256K file given as --label-size 256K
	run "$L" check --format cxl lsa.img
	assert_success
	jl lsa.img '.format == "cxl" and (.namespaces | length) == 1' --format cxl -l 256K
	run "$L" dump --lsa lsa.img
	assert_line "CXL label area: 256 KiB (262144 bytes), index blocks of 256 bytes, 256-byte labels"
	assert_line "    type_guid 00000000-0000-0000-0000-000000000000 (other)"
}

@test "read as an NVDIMM's (auto, --format nvdimm): the null type GUID is not the NFIT's, with the hint" {
	$LSA guest-cxl lsa.img
	for opt in "" "--format nvdimm" "--format auto"; do
		# shellcheck disable=SC2086
		run "$L" check $opt lsa.img
		assert_success
		assert_line "warn: namespace $NS: slot 1: type_guid 00000000-0000-0000-0000-000000000000 is not the persistent-memory range type 66f0d379-b4f3-4074-ac43-0d3318b78cdb (a CXL region's labels have a null type GUID: for a cxl-type3 device's lsa= give --format cxl) [label-type-guid]"
		assert_line "label area valid: index 0 current (seq 2), v1.2, 256-byte labels, 1022 slots, 1021 free, 0 namespaces"
	done
	run "$L" check --strict lsa.img
	assert_failure 1
	jl lsa.img '.format == "nvdimm" and (.namespaces | length) == 0'
}

@test "CXL rules: a non-null type GUID, cookie 0 (a device without sn=) are not namespaces" {
	$LSA guest-cxl lsa.img
	cp lsa.img pmem.img
	$LSA label pmem.img $((512 + 256)) 1 256 uuid=$NS type=pmem isetcookie=0x200000001 rawsize=0x10000000
	run "$L" check --lsa pmem.img
	assert_success
	assert_line "warn: namespace $NS: slot 1: type_guid 66f0d379-b4f3-4074-ac43-0d3318b78cdb is not null, the type GUID of a CXL region (the kernel compares the two) [label-type-guid]"
	assert_line --partial "1 free, 0 namespaces"
	cp lsa.img zero.img
	$LSA label zero.img $((512 + 256)) 1 256 uuid=$NS type=raw isetcookie=0 rawsize=0x10000000
	run "$L" check --lsa zero.img
	assert_success
	assert_line "warn: namespace $NS: slot 1: isetcookie 0: Linux 6.1 refuses the namespace (\"invalid interleave-set-cookie\"), as it does for a region of a device without serial number at DPA 0 (cxl-type3 without sn=) [label-cxl-cookie]"
	run "$L" check --lsa --strict --json zero.img
	assert_failure 1
	assert_equal "$(jq -c '[.findings[] | .id], (.namespaces | length)' <<<"$output")" '["label-cxl-cookie"]
0'
	# --serial: the cookie of a region at DPA 0 of that device (0x1: the guest's)
	run "$L" check --lsa --serial 0x1 --strict lsa.img
	assert_success
	run "$L" check --lsa --serial 7 lsa.img
	assert_success
	assert_line "warn: namespace $NS: slot 1: isetcookie 0x200000001 is not 0xe00000007, the cookie of a region at DPA 0 of a device with serial number 0x7: Linux 6.1 skips the label (the label was written for another sn=) [label-cxl-cookie]"
	assert_line --partial "1 free, 0 namespaces"
	# serial 0, and QEMU's unset sn= (all ones, UI64_NULL: Linux reads 0): cookie 0, the whole region refused
	for sn in 0 0xffffffffffffffff 18446744073709551615; do
		run "$L" check --lsa --serial $sn lsa.img
		assert_success
		assert_line "warn: namespace $NS: slot 1: serial number 0 (sn= not given, or all ones) gives a region at DPA 0 the cookie 0: Linux 6.1 refuses the whole region (\"invalid interleave-set-cookie\"), not just this label [label-cxl-cookie]"
	done
	# an NVDIMM's area does not care about the cookie (QEMU's NFIT gives one)
	jl zero.img '[.findings[] | .id] == ["label-type-guid"]' --format nvdimm
	# v1.1 labels carry no type GUID: only the cookie counts
	truncate -s 128K v11.img
	"$L" init -q --lsa -V 1.1 v11.img
	$LSA label v11.img 512 0 128 uuid=$NS isetcookie=0x200000001 rawsize=0x10000000
	$LSA busy v11.img 0 0
	$LSA index-sum v11.img 0 256
	jl v11.img '(.namespaces | length) == 1 and (.findings | length) == 0' --lsa
}

@test "CXL 2.0 labels (namespace and region layouts) are decoded, and reported as not read by Linux 6.1" {
	truncate -s 256K lsa.img
	run "$L" init --lsa -V 2.1 lsa.img
	assert_success
	assert_output "lsa.img: initialised the CXL 256 KiB label area at 0: v2.1, 1022 slots of 256 bytes"
	$LSA cxl-label lsa.img 512 0 region uuid=00000000-0000-4000-8000-0000000000e1
	$LSA cxl-label lsa.img 768 1 ns name=cxlns
	$LSA busy lsa.img 0 0
	$LSA busy lsa.img 0 1
	$LSA index-sum lsa.img 0 256
	# auto: a v2.1 index is a CXL area
	run "$L" check lsa.img
	assert_success
	assert_line "warn: region 00000000-0000-4000-8000-0000000000e1: slot 0: a CXL 2.0 region label: Linux 6.1 reads every label as an NVDIMM v1.2 label (its CXL label code is never switched on), so it does not use it [label-cxl-layout]"
	assert_line "warn: namespace 00000000-0000-4000-8000-0000000000c1: slot 1: a CXL 2.0 namespace label: Linux 6.1 reads every label as an NVDIMM v1.2 label (its CXL label code is never switched on), so it does not use it [label-cxl-layout]"
	assert_line "CXL label area valid: index 0 current (seq 3), v2.1, 256-byte labels, 1022 slots, 1020 free, 0 namespaces"
	jl lsa.img '.format == "cxl" and (.labels | map(del(.checksum))) == [
		{layout: "cxl-region", uuid: "00000000-0000-4000-8000-0000000000e1", slot: 0, position: 0,
		 nlabel: 1, flags: 0, dpa: 0, rawsize: 268435456, hpa: 4563402752,
		 interleave_granularity: 256, align: 0, checksum_ok: true, active: true},
		{layout: "cxl-namespace", uuid: "00000000-0000-4000-8000-0000000000c1", name: "cxlns",
		 slot: 1, position: 0, nrange: 1, flags: 0, dpa: 0, rawsize: 268435456, lbasize: 512,
		 align: 0, region_uuid: "00000000-0000-4000-8000-0000000000e1",
		 abstraction_uuid: "266400ba-fb9f-4677-bcb0-968f11d0d225", checksum_ok: true, active: true}]'
	run "$L" dump lsa.img
	assert_line "  slot 0: CXL region label uuid 00000000-0000-4000-8000-0000000000e1 position 0 nlabel 1 flags 0"
	assert_line "  slot 1: CXL namespace label uuid 00000000-0000-4000-8000-0000000000c1 name \"cxlns\" position 0 nrange 1 flags 0"
	assert_line "    region_uuid 00000000-0000-4000-8000-0000000000e1 abstraction_uuid 266400ba-fb9f-4677-bcb0-968f11d0d225"
	assert_line "    dpa 0 rawsize 0x10000000 (256 MiB) hpa 0x110000000 ig 256 align 0"
	# a v1.2 index with a CXL 2.0 label in use is a CXL area too
	"$L" init -q --lsa --force lsa.img
	$LSA cxl-label lsa.img 512 0 ns
	$LSA busy lsa.img 0 0
	$LSA index-sum lsa.img 0 256
	jl lsa.img '.format == "cxl" and [.findings[] | .id] == ["label-cxl-layout"]'
	# the kernel's checks apply as Linux 6.1 makes them, on every label read as v1.2: the slot
	# field at byte 120 and the checksum. A region label's own slot field (byte 64) is decoded
	# but not what 6.1 checks: 5 there, 0 (reserved) at byte 120 passes in slot 0...
	$LSA cxl-label lsa.img 512 0 region slotfield=5
	run "$L" check lsa.img
	refute_line --partial "[label-slot-mismatch]"
	jl lsa.img '.labels[0].slot == 5 and .labels[0].layout == "cxl-region"'
	run "$L" dump lsa.img
	assert_line --partial "  slot 0: CXL region label uuid 00000000-0000-4000-8000-0000000000c1 slot field 5 position 0"
	# ...and a region label in slot 1 (byte 64 says 1, byte 120 is 0) is one 6.1 ignores
	$LSA cxl-label lsa.img 768 1 region
	$LSA busy lsa.img 0 1
	$LSA index-sum lsa.img 0 256
	run "$L" check lsa.img
	assert_line "warn: slot1: slot 1 is in use but its label says slot 0: the kernel ignores it (Linux 6.1 reads the slot at byte 120, as in a v1.2 label; a CXL region label has it at byte 64 and byte 120 reserved) [label-slot-mismatch]"
	jl lsa.img '.labels[1].slot == 1'
	$LSA cxl-label lsa.img 512 0 ns checksum=0x1234
	run "$L" check lsa.img
	assert_line "warn: slot0: slot 0 is in use but its checksum 0x0000000000001234 is wrong: the kernel ignores it [label-checksum]"
}

@test "init --lsa: v1.2 as Linux 6.1 writes on a CXL area, -V 1.1 and 2.1; zero, read, write, backup" {
	truncate -s 256K lsa.img
	run "$L" init --lsa lsa.img
	assert_success
	assert_output "lsa.img: initialised the CXL 256 KiB label area at 0: v1.2, 1022 slots of 256 bytes"
	jl lsa.img '.format == "cxl" and all(.index[]; .major == 1 and .minor == 2 and .labelsize == 256 and
		.nslot == 1022 and .valid) and .current == 0' --lsa
	# the index blocks as the kernel's after an update differ only in seq/bitmap: same geometry
	$LSA guest-cxl guest.img
	assert_equal "$(xxd -s 16 -l 48 -p lsa.img | sed 's/^0000000103/000000010X/')" \
		"$(xxd -s 16 -l 48 -p guest.img | sed 's/^0000000102/000000010X/')"
	run "$L" init --lsa lsa.img
	assert_failure 1
	assert_output --partial "holds a valid index"
	"$L" init -q --lsa --force -V 2.1 lsa.img
	jl lsa.img 'all(.index[]; .major == 2 and .minor == 1 and .labelsize == 256 and .valid)' --lsa
	"$L" init -q --lsa --force -V 1.1 lsa.img
	jl lsa.img 'all(.index[]; .major == 1 and .minor == 1 and .nslot == 2040)' --lsa
	# without -V, init keeps a CXL area (detected from its bytes, no --lsa) at v1.2
	"$L" init -q --lsa --force -V 2.1 lsa.img
	run "$L" init --force -l 256K lsa.img
	assert_success
	assert_output "lsa.img: initialised the CXL 256 KiB label area at 0: v1.2, 1022 slots of 256 bytes"
	jl lsa.img 'all(.index[]; .major == 1 and .minor == 2)' --lsa
	# read -o, zero --backup, write -i: the whole file is the area
	cp guest.img a.img
	"$L" read --lsa -o saved.img a.img
	cmp saved.img guest.img
	run "$L" zero --lsa --backup b.img a.img
	assert_success
	assert_output "a.img: zeroed the 256 KiB label area at 0"
	cmp b.img guest.img
	cmp a.img <(head -c 256K /dev/zero)
	run "$L" check --lsa a.img
	assert_failure 1
	assert_line --partial "[label-area-zero]"
	run "$L" write --lsa -i saved.img a.img
	assert_success
	cmp a.img guest.img
	# a pipe: read -o - | write -i - on one LSA
	"$L" read --lsa -o - a.img | "$L" write --lsa -q -i - a.img
	cmp a.img guest.img
}

@test "--lsa, --format and -V 2.1: bad input, one line, exit 2 or 3, nothing written" {
	$LSA guest-cxl lsa.img
	sum=$(checksums <lsa.img)
	while IFS='|' read -r rc args msg; do
		# shellcheck disable=SC2086
		run --separate-stderr "$L" $args lsa.img
		assert_equal "$status" "$rc"
		assert_equal "${stderr%%$'\n'*}" "$msg"
		[[ -z $output ]] || fail "$args: printed $output"
		assert_equal "$(checksums <lsa.img)" "$sum"
	done <<'T'
2|check --format bogus|nvd-label: invalid --format 'bogus': use auto, nvdimm or cxl
2|init --lsa --format nvdimm|nvd-label: --lsa is a CXL device's label storage area: not with --format nvdimm
2|zero --lsa --label-size 128K|nvd-label: --lsa takes the whole file as the label area: not with --label-size, --size, --offset or --dimm
2|dump --lsa --offset 4K|nvd-label: --lsa takes the whole file as the label area: not with --label-size, --size, --offset or --dimm
2|init --force -V 2.1 -l 256K|nvd-label: --label-version 2.1 is the CXL 2.0 index block: give --format cxl or --lsa
2|init --force --lsa -V 2.0|nvd-label: invalid --label-version '2.0': use 1.1, 1.2 or 2.1
2|check --serial 1|nvd-label: --serial is a CXL device's: give --lsa or --format cxl
2|check --lsa --serial -1|nvd-label: invalid --serial '-1': a number, as cxl-type3's sn= takes (e.g. 0x1)
2|check --lsa --serial 0x|nvd-label: invalid --serial '0x': a number, as cxl-type3's sn= takes (e.g. 0x1)
2|check --lsa --serial 18446744073709551616|nvd-label: invalid --serial '18446744073709551616': a number, as cxl-type3's sn= takes (e.g. 0x1)
2|check --lsa --serial  +1|nvd-label: invalid --serial '+1': a number, as cxl-type3's sn= takes (e.g. 0x1)
2|init --lsa --serial 1 --force|nvd-label: --serial is for dump, check and write: it checks the labels' cookies
2|zero --lsa --serial 1|nvd-label: --serial is for dump, check and write: it checks the labels' cookies
2|read --lsa --serial 1 -o x.img|nvd-label: --serial is for dump, check and write: it checks the labels' cookies
2|read --lsa --format cxl -o x.img|nvd-label: --format is for dump, check, init and write: read and zero copy or clear bytes whatever the format
2|zero --format nvdimm -l 256K|nvd-label: --format is for dump, check, init and write: read and zero copy or clear bytes whatever the format
2|init --dimm nv0 --format cxl -V 2.1 --force|nvd-label: --dimm: not with --format cxl, --serial or -V 2.1: the format follows the device (an nvdimm's area is NVDIMM labels, a cxl-type3's lsa= file CXL)
2|check --dimm nv0 --serial 1|nvd-label: --dimm: not with --format cxl, --serial or -V 2.1: the format follows the device (an nvdimm's area is NVDIMM labels, a cxl-type3's lsa= file CXL)
2|init --dimm nv0 -V 2.1|nvd-label: --dimm: not with --format cxl, --serial or -V 2.1: the format follows the device (an nvdimm's area is NVDIMM labels, a cxl-type3's lsa= file CXL)
T
	# strtoull would skip the space: sn= would not
	run --separate-stderr "$L" check --lsa --serial ' 1' lsa.img
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "nvd-label: invalid --serial ' 1': a number, as cxl-type3's sn= takes (e.g. 0x1)"
	run "$L" check --dimm nv0 --lsa vm.args
	assert_failure 2
	# the memory backend by mistake: refused before anything is read
	truncate -s 32M mem.img
	run --separate-stderr "$L" zero --lsa mem.img
	assert_failure 2
	assert_equal "$stderr" "nvd-label: mem.img: 33554432 bytes: larger than the 16 MiB nvd-label takes as a label storage area (--lsa): is it the memory backend?"
	assert_equal "$(stat -c %s mem.img)" 33554432
	[[ -z $(tr -d '\0' <mem.img | head -c 1) ]] || fail "mem.img written"
	: >empty.img
	run --separate-stderr "$L" check --lsa empty.img
	assert_failure 3
	assert_equal "$stderr" "nvd-label: empty.img: empty file: no label area"
	truncate -s 512 tiny.img
	run --separate-stderr "$L" init --lsa tiny.img
	assert_failure 3
	assert_equal "$stderr" "nvd-label: tiny.img: the area is too small for labels"
	# write -i of another size than the LSA
	head -c 128K /dev/zero >short.img
	run --separate-stderr "$L" write --lsa -i short.img lsa.img
	assert_failure 2
	assert_equal "$stderr" "nvd-label: short.img: 131072 bytes, but the label area is 262144 bytes"
	assert_equal "$(checksums <lsa.img)" "$sum"
}

@test "a write over data that is not a label area (a file system, random bytes) is refused without --force, NVDIMM or --lsa" {
	truncate -s 16M fs.img
	mkfs.ext4 -q -F fs.img
	head -c 256K /dev/urandom >rnd.img
	$LSA guest-cxl lsa.img
	for f in fs.img rnd.img; do
		sum=$(checksums <"$f")
		for args in "init --lsa" "init --lsa -V 2.1" "zero --lsa" "write --lsa -i lsa.img" \
			"init -l 128K" "zero -l 128K"; do
			# the last 128K of the ext4 image are zero: an NVDIMM area there is blank
			[[ $f == rnd.img || ($args != *"-i lsa.img"* && $args == *--lsa*) ]] || continue
			# shellcheck disable=SC2086
			run --separate-stderr "$L" $args "$f"
			assert_equal "$status" 1
			assert_equal "$stderr" "nvd-label: $f: not a label area: not all zero and no NAMESPACE_INDEX signature where an index block would be (a file system? a guest's data?): writing would destroy it; use --force to write over it"
			[[ -z $output ]] || fail "$args: printed $output"
			assert_equal "$(checksums <"$f")" "$sum"
		done
	done
	# an area with an index signature (even a damaged one) or all zero is a label area
	cp lsa.img bad.img
	printf 'X' | dd of=bad.img bs=1 seek=100 conv=notrunc status=none
	"$L" zero -q --lsa bad.img
	"$L" init -q --lsa bad.img
	# --force overrides, and the backup keeps the old bytes
	cp rnd.img old.img
	run "$L" init --lsa --force --backup b.img rnd.img
	assert_success
	cmp b.img old.img
	"$L" check -q --lsa rnd.img
}

@test "--lsa on a file smaller than any label area: read, nothing past its end, data refused" {
	printf 'NAMESPACE_IN' >tiny.img
	run --separate-stderr "$L" check --lsa tiny.img
	assert_failure 1
	assert_equal "$output" "fail: no index block, but the area holds non-zero data: the backend was used without labels before, and what the guest stored in its last bytes now lies under the label area [label-area-data]
label area invalid: the kernel finds no valid index block"
	run --separate-stderr "$L" init --lsa tiny.img
	assert_failure 1
	assert_equal "$(cat tiny.img)" NAMESPACE_IN
}

@test "--dimm of a cxl-type3 device: its lsa= backend whole, as CXL; of an nvdimm, the tail as before" {
	$LSA guest-cxl lsa.img
	truncate -s 256M mem.img nv.img
	cat > vm.args <<'A'
-machine q35,cxl=on -m 512M,slots=1,maxmem=2G
-object memory-backend-file,id=cxl-mem0,share=on,mem-path=mem.img,size=256M
-object memory-backend-file,id=cxl-lsa0,share=on,mem-path=lsa.img,size=256K
-object memory-backend-file,id=nvm,share=on,mem-path=nv.img,size=256M
-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.0
-device cxl-rp,port=0,bus=cxl.0,id=rp0,chassis=0,slot=2
-device cxl-type3,bus=rp0,memdev=cxl-mem0,lsa=cxl-lsa0,id=cxl-pmem0,sn=0x1
-device nvdimm,id=nv0,memdev=nvm,label-size=128K
-M cxl-fmw.0.targets.0=cxl.0,cxl-fmw.0.size=4G
A
	# the area Linux 6.1 wrote: read as CXL (auto would take these v1.2 labels for an NVDIMM's)
	run "$L" check --dimm cxl-pmem0 vm.args
	assert_success
	assert_output "CXL label area valid: index 0 current (seq 2), v1.2, 256-byte labels, 1022 slots, 1021 free, 1 namespace"
	# the cookie checked against the device's own sn=: without one (QEMU's unset serial, 0 to
	# Linux) the region's cookie is 0 and Linux 6.1 refuses it; another sn= hides the namespace
	sed 's/,sn=0x1$//' vm.args > nosn.args
	run "$L" check --dimm cxl-pmem0 nosn.args
	assert_success
	assert_line --partial "gives a region at DPA 0 the cookie 0: Linux 6.1 refuses the whole region"
	sed 's/,sn=0x1$/,sn=0x2/' vm.args > sn2.args
	run "$L" check --json --dimm cxl-pmem0 sn2.args
	jq -e '(.namespaces | length) == 0 and [.findings[] | .id] == ["label-cxl-cookie"]' <<<"$output"
	run --separate-stderr "$L" check --dimm cxl-pmem0 --format nvdimm vm.args
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "nvd-label: --dimm cxl-pmem0 is a cxl-type3 device: its lsa= file is a CXL label storage area, not with --format nvdimm"
	# the nvdimm beside it: the last 128 KiB of nv.img, nothing of lsa.img
	sum=$(checksums lsa.img)
	run "$L" init --dimm nv0 vm.args
	assert_success
	run "$L" check --dimm nv0 vm.args
	assert_success
	assert_output --partial "label area valid"
	assert_equal "$(checksums lsa.img)" "$sum"
}

@test "--dimm of a cxl-type3 device: only the lsa= backend's offset= and size= of its file" {
	# a 1 MiB file of 0xaa, the LSA QEMU gives the device at 4 KiB, 256 KiB of it
	head -c $((1024 * 1024)) /dev/zero | tr '\0' '\252' > lsa.img
	truncate -s 256M mem.img
	cat > vm.args <<'A'
-machine q35,cxl=on -m 512M
-object memory-backend-file,id=cxl-mem0,share=on,mem-path=mem.img,size=256M
-object memory-backend-file,id=cxl-lsa0,share=on,mem-path=lsa.img,size=256K,offset=4K
-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.0
-device cxl-rp,port=0,bus=cxl.0,id=rp0,chassis=0,slot=2
-device cxl-type3,bus=rp0,persistent-memdev=cxl-mem0,lsa=cxl-lsa0,id=cxl-pmem0
-M cxl-fmw.0.targets.0=cxl.0,cxl-fmw.0.size=4G
A
	run "$L" zero --force --dimm cxl-pmem0 vm.args
	assert_success
	# zero inside [4K, 260K), 0xaa before and after it
	assert_equal "$(head -c 4096 lsa.img | tr -d '\252' | wc -c)" 0
	assert_equal "$(tail -c +4097 lsa.img | head -c 262144 | tr -d '\0' | wc -c)" 0
	assert_equal "$(tail -c +266241 lsa.img | tr -d '\252' | wc -c)" 0
	assert_equal "$(stat -c %s lsa.img)" 1048576
	run "$L" init --dimm cxl-pmem0 vm.args
	assert_success
	run "$L" check --dimm cxl-pmem0 vm.args
	assert_success
	assert_output --partial "CXL label area valid"
	# a file shorter than offset + size: refused, never grown
	truncate -s 128K short.img
	sed -i 's/mem-path=lsa.img/mem-path=short.img/' vm.args
	run --separate-stderr "$L" init --force --dimm cxl-pmem0 vm.args
	assert_failure 3
	[[ $stderr == *"smaller than its lsa= backend's offset + size"* ]] || fail "$stderr"
	assert_equal "$(stat -c %s short.img)" 131072
}
