#!/usr/bin/env bats
# CXL windows on arm virt with highmem-mmio=off: a virt property 7.2 does not have, and
# 7.2 names it before cxl in its refusal (nvd-plan does not model 7.2's order of unknown
# -machine properties), so the case is not in cases-aarch64. Run against Debian
# unstable's qemu-system-aarch64 only: the windows follow the high PCIe ECAM.

bats_require_minimum_version 1.5.0

setup() {
	load helpers/setup
	CASES=$BATS_TEST_TMPDIR/cases
	CASES2=$BATS_TEST_TMPDIR/cases2
	mkdir -p "$CASES" "$CASES2"
	cat >"$CASES/cxl-virt-windows-mmio-off.args" <<'ARGS'
#! truncate -s 2M efi.fd
-machine virt,cxl=on -cpu max -m 1G -M highmem-mmio=off -bios efi.fd -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,cxl-fmw.1.targets.0=cxl.1,cxl-fmw.1.size=1G
ARGS
	# the host registers take no room in virt's compact high map (11.1's info mtree)
	cat >"$CASES2/cxl-virt-windows-high-all-off.args" <<'ARGS'
#! truncate -s 2M efi.fd
-machine virt,cxl=on,highmem-redists=off,highmem-ecam=off,highmem-mmio=off -cpu max -m 1G -bios efi.fd -object memory-backend-ram,id=cm,size=256M -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 -device cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2 -device cxl-type3,bus=rp0,volatile-memdev=cm,id=t0 -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=256M
ARGS
	cat >"$CASES2/cxl-virt-windows-redists-mmio-off.args" <<'ARGS'
#! truncate -s 2M efi.fd
-machine virt,cxl=on,highmem-redists=off,highmem-mmio=off -cpu max -m 1G -bios efi.fd -object memory-backend-ram,id=cm,size=256M -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 -device cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2 -device cxl-type3,bus=rp0,volatile-memdev=cm,id=t0 -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=256M
ARGS
}

@test "arm virt, highmem-mmio=off: the CXL windows after the high PCIe ECAM, as Debian unstable's QEMU maps them" {
	local qemu ver
	run "$HERE/setup-qemu11" --quiet --aarch64
	[ "$status" -ne 77 ] || skip "$(grep 'not available' <<<"$output" | tail -n 1)"
	assert_success
	qemu=${lines[${#lines[@]} - 1]}
	ver=$("$HERE/setup-qemu11" --quiet --version)
	run "$NVD_PLAN" --qemu-version "$ver" --offline --json "$CASES/cxl-virt-windows-mmio-off.args"
	[[ $status -ne 2 || $output != *"not a release modelled"* ]] ||
		skip "Debian unstable's QEMU is $ver, newer than nvd-plan models"
	run "$HERE/conform" --target aarch64 --qemu "$qemu" --version "$ver" --nvd-plan "$NVD_PLAN" --cases "$CASES"
	assert_success
	assert_output --partial "conformance $ver: 1 cases, 1 agree, 0 disagree"
	assert_output --partial 'placement 1 of 1 started'
	# 0x4020000000 and 0x4120000000: after the ECAM at 0x4010000000
	cd "$BATS_TEST_TMPDIR" && truncate -s 2M efi.fd
	run "$NVD_PLAN" --target aarch64 --qemu-version "$ver" --offline --json "$CASES/cxl-virt-windows-mmio-off.args"
	assert_equal "$(jq -c '[.cxl_windows[].base]' <<<"$output")" '[275414777856,279709745152]'
}

@test "arm virt, high regions off: the host registers take no room, the ECAM goes over them, as Debian unstable's QEMU maps them" {
	local qemu ver
	run "$HERE/setup-qemu11" --quiet --aarch64
	[ "$status" -ne 77 ] || skip "$(grep 'not available' <<<"$output" | tail -n 1)"
	assert_success
	qemu=${lines[${#lines[@]} - 1]}
	ver=$("$HERE/setup-qemu11" --quiet --version)
	run "$NVD_PLAN" --qemu-version "$ver" --offline --json "$CASES2/cxl-virt-windows-high-all-off.args"
	[[ $status -ne 2 || $output != *"not a release modelled"* ]] ||
		skip "Debian unstable's QEMU is $ver, newer than nvd-plan models"
	run "$HERE/conform" --target aarch64 --qemu "$qemu" --version "$ver" --nvd-plan "$NVD_PLAN" --cases "$CASES2"
	assert_success
	assert_output --partial "conformance $ver: 2 cases, 2 agree, 0 disagree"
	assert_output --partial 'placement 2 of 2 started'
	cd "$BATS_TEST_TMPDIR" && truncate -s 2M efi.fd
	# all off: the window after RAM, at 2 GiB; the host registers at 256 GiB all the same
	run -0 "$NVD_PLAN" --target aarch64 --qemu-version "$ver" --offline --json "$CASES2/cxl-virt-windows-high-all-off.args"
	assert_equal "$(jq -c '[.cxl.host_reg_base, .cxl_windows[].base, [.findings[] | select(.level == "warn") | .id]]' <<<"$output")" \
		'[274877906944,2147483648,[]]'
	# redists and mmio off: the ECAM at 256 GiB over the host registers, the window at 0x4010000000
	run -0 "$NVD_PLAN" --target aarch64 --qemu-version "$ver" --offline --json "$CASES2/cxl-virt-windows-redists-mmio-off.args"
	assert_equal "$(jq -c '[.cxl.host_reg_base, .cxl_windows[].base, [.findings[] | select(.level == "warn") | .id]]' <<<"$output")" \
		'[274877906944,275146342400,["cxl-host-reg-overlap"]]'
}

@test "arm virt: a window beyond the CPU's address space warns (QEMU leaves it at 0); an unknown CPU places none" {
	local x='-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G'
	cd "$BATS_TEST_TMPDIR" && truncate -s 2M efi.fd
	# the default cortex-a15 has 40 bits: the 512 GiB PCIe MMIO window ends at 1 TiB
	run -0 "$NVD_PLAN" --target aarch64 --qemu-version 11.1 --offline --json -- \
		-machine virt,cxl=on -m 1G -bios efi.fd $x
	assert_equal "$(jq -c '[.cxl_windows[].base, ([.findings[] | select(.level == "warn")][0] | .id, .qemu)]' <<<"$output")" \
		'[0,"cxl-window-outside-pa",null]'
	jq -e '.findings[] | select(.id == "cxl-window-outside-pa") | .message | test("40-bit")' <<<"$output" >/dev/null
	run -0 "$NVD_PLAN" --target aarch64 --qemu-version 11.1 --offline --json -- \
		-machine virt,cxl=on -cpu max -m 1G -bios efi.fd $x
	assert_equal "$(jq -c '[.cxl.host_reg_base, .cxl_windows[].base, [.findings[] | select(.level == "warn")]]' <<<"$output")" \
		'[274945015808,1099511627776,[]]'
	run -0 "$NVD_PLAN" --target aarch64 --qemu-version 11.1 --offline --json -- \
		-machine virt,cxl=on -cpu neoverse-n1 -m 1G -bios efi.fd $x
	assert_equal "$(jq -c '[.cxl.host_reg_base, .cxl_windows, [.findings[] | select(.level == "info") | .id]]' <<<"$output")" \
		'[null,[],["cxl-layout-unmodelled","host-checks-skipped"]]'
}
