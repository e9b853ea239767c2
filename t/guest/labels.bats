#!/usr/bin/env bats
# nvd-label against the real thing: label areas written by ndctl and the guest kernel, read on
# the host; areas written by nvd-label on the host, read and used by the guest. One boot per
# test (about 4 s under TCG), one to four NVDIMMs per boot.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { guest_setup_file; }
setup() {
	guest_setup
	L=${NVD_BIN:-$GUEST_DIR/../../bin}/nvd-label
	LSA="python3 $GUEST_DIR/../fixtures/label/lsa.py"
	cd "$BATS_TEST_TMPDIR"
}
teardown() { guest_teardown; }

# ndctl prints a label's GUID fields from the raw on-media bytes: swap the first three groups
# back to the canonical form.
swap() {
	local s=$1 r=''
	while [[ -n $s ]]; do r=${s:0:2}$r; s=${s:2}; done
	echo "$r"
}
canonical_guid() {
	local g=$1 a b c
	IFS=- read -r a b c _ <<<"$g"
	printf '%s-%s-%s-%s\n' "$(swap "$a")" "$(swap "$b")" "$(swap "$c")" "${g#*-*-*-}"
}

# compare_with_ndctl BACKEND LABEL-SIZE READ-LABELS-JSON LIST-JSON: the index fields and labels
# ndctl read-labels -j shows, and the namespaces of ndctl list -N, against nvd-label dump.
compare_with_ndctl() {
	local img=$1 lsize=$2 rl=$3 ls=$4 ours theirs g
	"$L" dump --json --all-slots -l "$lsize" "$img" >ours.json
	ours=$(jq -S '[.index[] | {signature, major, minor, labelsize, seq, nslot}]' ours.json)
	theirs=$(jq -S '.[0].index | map({signature, major, minor, labelsize, seq, nslot})' "$rl")
	assert_equal "$ours" "$theirs"
	ours=$(jq -S '[.labels[] | {uuid, name, slot, position, nlabel, flags, isetcookie, lbasize, dpa, rawsize, type_guid, abstraction_guid}]' ours.json)
	theirs=$(jq -S '.[0].label | map({uuid, name, slot, position, nlabel, flags, isetcookie, lbasize, dpa, rawsize, type_guid, abstraction_guid})' "$rl")
	while read -r g; do
		[[ $g == null || -z $g ]] && continue
		theirs=${theirs//\"$g\"/\"$(canonical_guid "$g")\"}
	done < <(jq -r '.[0].label[] | .type_guid, .abstraction_guid' "$rl" | sort -u)
	assert_equal "$ours" "$theirs"
	# the namespaces the kernel assembled (raw_uuid is the label's uuid when pfn/dax claim it)
	ours=$(jq -S '[.namespaces[] | {uuid, name}] | sort_by(.uuid)' ours.json)
	theirs=$(jq -S '[.[] | {uuid: (.raw_uuid // .uuid), name}] | sort_by(.uuid)' "$ls")
	assert_equal "$ours" "$theirs"
	"$L" check -q -l "$lsize" "$img"
}

@test "ndctl -> nvd-label: init-labels v1.1 (128K, 256K) and v1.2 (256K), namespaces created and destroyed" {
	vm_args
	# 1G of pmem each, so that regions start 16M-aligned (ndctl refuses namespaces otherwise)
	nvdimm 0 size=1048704K label-size=128K
	nvdimm 1 size=1048832K label-size=256K
	nvdimm 2 size=1G label-size=256K
	run --separate-stderr guest "${VM[@]}" -- - <<'EOF'
set -e
dev() { sed -n 's/^ *"dev":"\(namespace[^"]*\)".*/\1/p' | head -n 1; }
# the region of nmemN (region and nmem numbers need not agree)
reg() { for r in /sys/bus/nd/devices/region*; do case $(cat $r/mapping0) in nmem$1,*) basename $r ;; esac; done; }
r0=$(reg 0) r1=$(reg 1)
ndctl disable-region all
ndctl init-labels -f -V 1.1 nmem0
ndctl init-labels -f -V 1.2 nmem1
ndctl init-labels -f -V 1.1 nmem2
ndctl enable-region all
ndctl create-namespace -r $r0 -m raw -s 128M -n a >/dev/null
b=$(ndctl create-namespace -r $r0 -m fsdax -s 128M -n b | dev)
ndctl create-namespace -r $r0 -m raw -s 64M -n c >/dev/null
ndctl destroy-namespace -f "$b"
ndctl create-namespace -r $r1 -m fsdax -s 128M -n d >/dev/null
e=$(ndctl create-namespace -r $r1 -m raw -s 64M -n e | dev)
ndctl create-namespace -r $r1 -m devdax -s 128M -n f >/dev/null
ndctl destroy-namespace -f "$e"
for n in 0 1; do
	ndctl read-labels -j nmem$n >"$OUT/rl$n.json"
	ndctl list -N -v -r $(reg $n) >"$OUT/ns$n.json"
	cat /sys/bus/nd/devices/nmem$n/available_slots
done
EOF
	assert_success
	compare_with_ndctl nv0.img 128K "$OUT/rl0.json" "$OUT/ns0.json"
	compare_with_ndctl nv1.img 256K "$OUT/rl1.json" "$OUT/ns1.json"
	jq -e '(.namespaces | map(.claim_class) | sort) == ["devdax", "fsdax"]' ours.json
	# ndctl init-labels and nvd-label init write the same bytes (256K v1.1: index blocks of 512)
	truncate -s 256K init.lsa
	"$L" init -q -V 1.1 -l 256K init.lsa
	tail -c 256K nv2.img | cmp - init.lsa
	local avail=($output)
	# the guest's available_slots is the current index's free count minus one (one kept for updates)
	assert_equal "$("$L" dump --json -l 128K nv0.img | jq '.index[.current].free - 1')" "${avail[0]}"
	assert_equal "$("$L" dump --json -l 256K nv1.img | jq '.index[.current].free - 1')" "${avail[1]}"
}

@test "nvd-label init -> guest: v1.1 and v1.2 accepted by the kernel and ndctl, namespaces can be created" {
	truncate -s 1048704K nv0.img
	truncate -s 1G nv1.img
	"$L" init -q -V 1.1 -l 128K nv0.img
	"$L" init -q -V 1.2 -l 256K nv1.img
	vm_args
	# 1G of pmem each, so that regions start 16M-aligned (ndctl refuses namespaces otherwise)
	nvdimm 0 size=1048704K label-size=128K
	nvdimm 1 size=1G label-size=256K
	run --separate-stderr guest "${VM[@]}" -- - <<'EOF'
set -e
ndctl check-labels nmem0 nmem1
cat /sys/bus/nd/devices/nmem0/available_slots /sys/bus/nd/devices/nmem1/available_slots
ndctl read-labels -j nmem0 >"$OUT/rl0.json"
ndctl read-labels -j nmem1 >"$OUT/rl1.json"
reg() { for r in /sys/bus/nd/devices/region*; do case $(cat $r/mapping0) in nmem$1,*) basename $r ;; esac; done; }
ndctl create-namespace -r $(reg 0) -m fsdax -n host11 >/dev/null
ndctl create-namespace -r $(reg 1) -m devdax -n host12 >/dev/null
ndctl list -N -r $(reg 0) >"$OUT/ns0.json"
ndctl list -N -r $(reg 1) >"$OUT/ns1.json"
EOF
	assert_success
	assert_equal "$output" "1019
1021"
	[[ $stderr == *"successfully verified 2 nmem labels"* ]] || fail "$stderr"
	jq -e '.[0].index | map(.seq) == [3, 2] and map(.nslot) == [1020, 1020] and map(.minor) == [1, 1]' "$OUT/rl0.json"
	jq -e '.[0].index | map(.seq) == [3, 2] and map(.nslot) == [1022, 1022] and map(.minor) == [2, 2]' "$OUT/rl1.json"
	"$L" dump --json -l 128K nv0.img | jq -e '[.namespaces[].name] == ["host11"]'
	"$L" dump --json -l 256K nv1.img | jq -e '[.namespaces[] | [.name, .claim_class]] == [["host12", "devdax"]]'
	jq -e '[.[] | .name] == ["host11"]' "$OUT/ns0.json"
	"$L" check -q -l 128K nv0.img
	"$L" check -q -l 256K nv1.img
}

@test "write and corruptions -> guest: the kernel accepts what nvd-label check accepts" {
	truncate -s 1G nv0.img nv1.img nv2.img nv3.img
	$LSA guest-v11 g.lsa
	for i in 0 1 2 3; do cp g.lsa c$i.lsa; done
	# both index blocks (checksums fixed): seq 0 in c1, labeloff 0x100 in c2; slot field of slot 1 in c3
	for off in 0 256; do
		$LSA set c1.lsa $((off + 20)) u32 0
		$LSA set c2.lsa $((off + 48)) u64 0x100
		$LSA index-sum c1.lsa $off 256
		$LSA index-sum c2.lsa $off 256
	done
	$LSA set c3.lsa $((0x280 + 120)) u32 7
	"$L" write -q -l 128K -i c0.lsa nv0.img
	for i in 1 2 3; do "$L" write -q --force -l 128K -i c$i.lsa nv$i.img; done
	vm_args
	for i in 0 1 2 3; do nvdimm $i size=1G label-size=128K; done
	run --separate-stderr guest "${VM[@]}" -- - <<'EOF'
reg() { for r in /sys/bus/nd/devices/region*; do case $(cat $r/mapping0) in nmem$1,*) basename $r ;; esac; done; }
for i in 0 1 2 3; do
	echo "nmem$i $(ndctl list -N -r $(reg $i) | grep -c demo-label)"
done
ndctl list -N -r $(reg 0) >"$OUT/ns0.json"
EOF
	assert_success
	# 1: the namespace ndctl made in another guest, restored on a fresh backend, assembles
	assert_equal "$output" "nmem0 1
nmem1 0
nmem2 0
nmem3 0"
	jq -e '.[0] | .name == "demo-label" and .size == 1056964608 and .uuid == "9b05d4ac-7258-4435-8148-16c4256ee4cf"' "$OUT/ns0.json"
	"$L" check -q -l 128K nv0.img
	run "$L" check -l 128K nv1.img
	assert_failure 1
	assert_output --partial "sequence number 0 is invalid"
	run "$L" check -l 128K nv2.img
	assert_failure 1
	assert_output --partial "labeloff 0x100 is not 0x200"
	# the index is valid, the label the kernel ignores is a warning; --strict fails it
	run "$L" check -l 128K nv3.img
	assert_success
	assert_output --partial "[label-slot-mismatch]"
	run "$L" check --strict -l 128K nv3.img
	assert_failure 1
}
