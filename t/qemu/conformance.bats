#!/usr/bin/env bats
# nvd-plan against real QEMU: every case in t/qemu/cases is started with
# QEMU and given to nvd-plan; the verdicts and first error messages must agree.
# Releases: Debian 12's QEMU 7.2 (the host's) and Debian 13's QEMU 10.0 (run
# from a debootstrap'ed trixie tree, see setup-qemu10).

setup() {
	load '/usr/lib/bats/bats-support/load'
	load '/usr/lib/bats/bats-assert/load'
	HERE=$BATS_TEST_DIRNAME
	REPO=$(cd "$HERE/../.." && pwd)
	NVD_PLAN=${NVD_BIN:-$REPO/bin}/nvd-plan
	QEMU72=${NVD_QEMU72:-/usr/bin/qemu-system-x86_64}
}

@test "the corpus has at least 100 cases" {
	local cases=("$HERE"/cases/*.args)
	echo "${#cases[@]} cases"
	[ "${#cases[@]}" -ge 100 ]
}

@test "at least 80 cases have virtio-pmem-pci or virtio-mem-pci, on pc and on q35" {
	local n pc q35
	n=$(grep -l -e 'virtio-pmem-pci' -e 'virtio-mem-pci' "$HERE"/cases/*.args | wc -l)
	pc=$(grep -l -e 'virtio-pmem-pci' -e 'virtio-mem-pci' "$HERE"/cases/*.args |
		xargs grep -l -- '-machine pc' | wc -l)
	q35=$(grep -l -e 'virtio-pmem-pci' -e 'virtio-mem-pci' "$HERE"/cases/*.args |
		xargs grep -l -- '-machine q35' | wc -l)
	echo "$n cases, $pc pc, $q35 q35"
	[ "$n" -ge 80 ] && [ "$pc" -ge 30 ] && [ "$q35" -ge 30 ]
}

@test "every case has a recorded QEMU result for 7.2 and 10.0" {
	local f name missing=()
	for f in "$HERE"/cases/*.args; do
		name=$(basename "$f" .args)
		for v in 7.2 10.0; do
			grep -q "^$name	" "$HERE/recorded-$v.txt" || missing+=("$name ($v)")
		done
	done
	[ ${#missing[@]} -eq 0 ] || {
		echo "not recorded (run: t/qemu/conform --record ... > t/qemu/recorded-X.Y.txt): ${missing[*]}"
		false
	}
}

@test "conform reports agreement and disagreement correctly (replayed nvd-plan)" {
	[ -x "$QEMU72" ] || skip "no QEMU at $QEMU72"
	export REPLAY=$HERE/recorded-7.2.txt
	run "$HERE/conform" --qemu "$QEMU72" --version 7.2 \
		--nvd-plan "$HERE/helpers/replay-nvd-plan" label-size json pmem
	assert_success
	assert_output --partial "0 disagree"
	REPLAY_LIE=1 run "$HERE/conform" --qemu "$QEMU72" --version 7.2 \
		--nvd-plan "$HERE/helpers/replay-nvd-plan" label-size-zero
	assert_failure 1
	assert_output --partial "DISAGREE 7.2 label-size-zero: qemu refuse \"Property 'nvdimm.label-size' (0x0) is required at least 0x20000\"; nvd-plan accept"
}

@test "conform compares each memory device's address and size with QEMU's query-memory-devices" {
	[ -x "$QEMU72" ] || skip "no QEMU at $QEMU72"
	export REPLAY=$HERE/recorded-7.2.txt
	run "$HERE/conform" --qemu "$QEMU72" --version 7.2 \
		--nvd-plan "$HERE/helpers/replay-nvd-plan" virtio-mix-q35-mem-pmem
	assert_success
	assert_output --partial "placement 1 of 1 started with memory devices"
	REPLAY_MOVE=4096 run "$HERE/conform" --qemu "$QEMU72" --version 7.2 \
		--nvd-plan "$HERE/helpers/replay-nvd-plan" virtio-mix-q35-mem-pmem
	assert_failure 1
	assert_output --partial "DISAGREE 7.2 virtio-mix-q35-mem-pmem: qemu accept; nvd-plan accept; placement: qemu [vm2 virtio-mem 4294967296 536870912;vp0 virtio-pmem 4831838208 268435456] nvd-plan [vm2 virtio-mem 4294971392 536870912;vp0 virtio-pmem 4831842304 268435456]"
}

@test "nvd-plan agrees with QEMU 7.2" {
	[ -x "$QEMU72" ] || skip "no QEMU 7.2 at $QEMU72"
	local banner
	banner=$("$QEMU72" --version | head -n 1)
	[[ $banner == "QEMU emulator version 7.2."* ]] ||
		skip "$QEMU72 is not 7.2: $banner"
	run "$HERE/conform" --qemu "$QEMU72" --version 7.2 --nvd-plan "$NVD_PLAN"
	assert_success
}

@test "nvd-plan agrees with QEMU 10.0" {
	run "$HERE/setup-qemu10" --quiet
	if [ "$status" -eq 77 ]; then
		skip "$(grep 'not available' <<<"$output" | tail -n 1)"
	fi
	assert_success
	local qemu10=${lines[${#lines[@]} - 1]}
	run "$HERE/conform" --qemu "$qemu10" --version 10.0 --nvd-plan "$NVD_PLAN"
	assert_success
}

@test "nvd-plan --target aarch64 agrees with QEMU 7.2 (qemu-system-aarch64, virt)" {
	local q=${NVD_QEMU72_AARCH64:-/usr/bin/qemu-system-aarch64} banner
	[ -x "$q" ] || skip "no qemu-system-aarch64 at $q (package qemu-system-arm)"
	banner=$("$q" --version | head -n 1)
	[[ $banner == "QEMU emulator version 7.2."* ]] || skip "$q is not 7.2: $banner"
	run "$HERE/conform" --target aarch64 --qemu "$q" --version 7.2 --nvd-plan "$NVD_PLAN"
	assert_success
	assert_output --partial " 0 disagree"
}

@test "nvd-plan --target aarch64 agrees with QEMU 10.0 (qemu-system-aarch64, virt)" {
	run "$HERE/setup-qemu10" --quiet --aarch64
	if [ "$status" -eq 77 ]; then
		skip "$(grep 'not available' <<<"$output" | tail -n 1)"
	fi
	assert_success
	local q=${lines[${#lines[@]} - 1]}
	run "$HERE/conform" --target aarch64 --qemu "$q" --version 10.0 --nvd-plan "$NVD_PLAN"
	assert_success
	assert_output --partial " 0 disagree"
}
