#!/usr/bin/env bats
# CXL type-3 persistent memory in a Linux 6.1 guest under QEMU (q35, cxl=on, one pxb-cxl host
# bridge, one cxl-rp root port, one cxl-type3 device with memdev= and lsa=, one fixed memory
# window): cxl list shows the memdev and the root decoder, cxl create-region -t pmem makes a
# region at the window's base, ndctl create-namespace writes labels into the lsa= backend, which
# nvd-label reads on the host; an area nvd-label initialised is the one the guest uses, and the
# namespace comes back on the next boot, but not with another serial number (sn=), which changes
# the region's cookie. A device without serial number gives the region cookie 0: the namespace
# is created but refused when its labels are read again. nvd-label warns of both
# (label-cxl-cookie). Four boots (about 8 s each under TCG).

bats_require_minimum_version 1.5.0
load helpers

setup_file() { guest_setup_file; }
setup() {
	guest_setup
	L=${NVD_BIN:-$GUEST_DIR/../../bin}/nvd-label
}
teardown() { guest_teardown; }

# predicted_window_base: the base of the first CXL fixed memory window of the VM in VM, as
# nvd-plan --json predicts it (cxl_windows[0].base), checked against the literal QEMU 7.2 put
# it at (memory above 4 GiB: none with -m 512M; the host register block at 4 GiB, the window
# at the next 256 MiB).
predicted_window_base() {
	local base
	base=$("${NVD_BIN:-$GUEST_DIR/../../bin}/nvd-plan" --json --offline --qemu-version 7.2 \
		-- "${VM[@]}" | jq -r '.cxl_windows[0].base')
	[[ $base == $((0x110000000)) ]] || fail "nvd-plan puts the window at $base, not 0x110000000"
	echo "$base"
}

# cxl_vm SN: the VM, with sn=SN on the device unless SN is empty; mem.img and lsa.img in the
# test's directory (lsa.img made by the caller).
cxl_vm() {
	local d=$BATS_TEST_TMPDIR
	# shellcheck disable=SC2054 # QEMU's own commas
	VM=(-machine q35,cxl=on -m 512M
		-object "memory-backend-file,id=cxl-mem0,share=on,mem-path=$d/mem.img,size=256M"
		-object "memory-backend-file,id=cxl-lsa0,share=on,mem-path=$d/lsa.img,size=256K"
		-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.0
		-device cxl-rp,port=0,bus=cxl.0,id=rp0,chassis=0,slot=2
		-device "cxl-type3,bus=rp0,memdev=cxl-mem0,lsa=cxl-lsa0,id=cxl-pmem0${1:+,sn=$1}"
		-M cxl-fmw.0.targets.0=cxl.0,cxl-fmw.0.size=4G)
}

# The guest's lines: load the CXL stack, wait for the nvdimm bus it bridges to, and define
# region (cxl create-region -t pmem on the window, then wait for its nd region's probe).
# shellcheck disable=SC2016 # expanded in the guest
cxl_prologue='
set -e
modprobe -a cxl_acpi cxl_pci cxl_mem cxl_port cxl_pmem
for i in $(seq 100); do [ -e /sys/bus/cxl/devices/mem0 ] && break; sleep 0.1; done
waitnd() { for b in /sys/bus/nd/devices/ndbus*; do read -r _ <$b/wait_probe; done; }
region() {
	cxl create-region -t pmem -d decoder0.0 -m mem0 -s 256M >"$OUT/region.json" 2>"$OUT/region.err"
	waitnd
}
waitnd
'

@test "cxl: memdev and decoders listed, a pmem region at the window's base, a namespace whose labels nvd-label reads; labels nvd-label writes used on the next boot" {
	local d=$BATS_TEST_TMPDIR
	cxl_vm 0x1
	truncate -s 256M "$d/mem.img"
	# an area nvd-label initialised, v1.1: on a blank area the kernel writes v1.2 (the second
	# test), so v1.1 labels afterwards mean the guest used the index nvd-label wrote
	truncate -s 256K "$d/lsa.img"
	run "$L" init --lsa -V 1.1 "$d/lsa.img"
	assert_success
	run --separate-stderr guest "${VM[@]}" -- - <<EOF
$cxl_prologue
cxl list -M -D >"\$OUT/list.json"
region
ndctl create-namespace -r region0 -m raw >"\$OUT/ns.json"
cat /sys/bus/nd/devices/namespace0.0/uuid /sys/bus/nd/devices/namespace0.0/size
EOF
	assert_success
	# cxl list: the memdev with its serial and pmem size, the root decoder of the window
	assert_equal "$(jq -c '[.[] | .memdevs[]? | {memdev, pmem_size, serial}]' "$OUT/list.json")" \
		'[{"memdev":"mem0","pmem_size":268435456,"serial":1}]'
	assert_equal "$(jq -c '[.[] | ."root decoders"[]? | {decoder, resource, size, pmem_capable}]' "$OUT/list.json")" \
		"[{\"decoder\":\"decoder0.0\",\"resource\":$(predicted_window_base),\"size\":4294967296,\"pmem_capable\":true}]"
	# the region: at the window's base, the device's 256 MiB
	assert_equal "$(jq -c '[.resource, .size, .interleave_ways, .mappings[0].memdev]' "$OUT/region.json")" \
		"[$(predicted_window_base),268435456,1,\"mem0\"]"
	local uuid=${lines[0]}
	assert_equal "${lines[1]}" 268435456
	assert_equal "$(jq -r .uuid "$OUT/ns.json")" "$uuid"
	# on the host: the namespace the guest wrote, with the region's cookie for sn=0x1 at DPA 0
	run "$L" check --lsa --json "$d/lsa.img"
	assert_success
	assert_equal "$(jq -c '[.format, .index[.current].minor, (.findings | length)]' <<<"$output")" '["cxl",1,0]'
	assert_equal "$(jq -c '[.namespaces[] | [.uuid, .size, .dpa, .isetcookie, .name]]' <<<"$output")" \
		"[[\"$uuid\",268435456,0,8589934593,\"\"]]"
	# nvd-label writes the update the kernel makes to rename it (new label in a free slot, the
	# index block not current): the guest's next boot has the namespace back, with that name
	"$L" read --lsa -o "$d/renamed.img" "$d/lsa.img"
	python3 "$GUEST_DIR/../fixtures/label/lsa.py" rename "$d/renamed.img" host
	run "$L" write --lsa -i "$d/renamed.img" "$d/lsa.img"
	assert_success
	run --separate-stderr guest "${VM[@]}" -- - <<EOF
$cxl_prologue
region
cat /sys/bus/nd/devices/namespace0.0/uuid /sys/bus/nd/devices/namespace0.0/size /sys/bus/nd/devices/namespace0.0/alt_name
EOF
	assert_success
	assert_equal "$output" "$uuid
268435456
host"
	# another serial number, another region cookie: the kernel skips the label, the region
	# is enabled without it; nvd-label --serial says so beforehand
	run "$L" check --lsa --serial 0x2 "$d/lsa.img"
	assert_success
	assert_line "warn: namespace $uuid: slot 2: isetcookie 0x200000001 is not 0x400000002, the cookie of a region at DPA 0 of a device with serial number 0x2: Linux 6.1 skips the label (the label was written for another sn=) [label-cxl-cookie]"
	run "$L" check --lsa --serial 0x1 --strict "$d/lsa.img"
	assert_success
	cxl_vm 0x2
	run --separate-stderr guest "${VM[@]}" -- - <<EOF
$cxl_prologue
region
for r in /sys/bus/nd/devices/region*; do
	echo "\$(cat \$r/size) \$([ -e \$r/driver ] && echo enabled || echo disabled) \$(cat \$r/namespace*.*/size | tr '\n' ' ')"
done
EOF
	assert_success
	assert_equal "$output" "268435456 enabled 0 "
}

@test "cxl: a device without sn= gives cookie 0: the namespace is created, refused when read again; nvd-label warns" {
	cxl_vm ''
	truncate -s 256M "$BATS_TEST_TMPDIR/mem.img"
	truncate -s 256K "$BATS_TEST_TMPDIR/lsa.img"
	run --separate-stderr guest "${VM[@]}" -- - <<EOF
$cxl_prologue
region
ndctl create-namespace -r region0 -m raw >/dev/null
echo "created \$(cat /sys/bus/nd/devices/namespace0.0/size)"
cxl disable-region region0 >/dev/null
cxl destroy-region region0 >/dev/null
region
for r in /sys/bus/nd/devices/region*; do
	echo "again \$(cat \$r/size) \$([ -e \$r/driver ] && echo enabled || echo disabled) \$(ls -d \$r/namespace*.* 2>/dev/null | wc -l)"
done
EOF
	assert_success
	assert_equal "$output" "created 268435456
again 268435456 disabled 0"
	# what the kernel wrote on the blank area: v1.2, 256-byte labels, cookie 0
	run "$L" check --lsa "$BATS_TEST_TMPDIR/lsa.img"
	assert_success
	assert_line --partial "v1.2, 256-byte labels, 1022 slots"
	assert_line --partial "isetcookie 0: Linux 6.1 refuses the namespace"
	assert_line --partial "0 namespaces"
}
