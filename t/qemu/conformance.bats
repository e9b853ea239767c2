#!/usr/bin/env bats
# nvd-plan against real QEMU: every case in t/qemu/cases is started with
# QEMU and given to nvd-plan; the verdicts and first error messages must agree.
# Releases: Debian 12's QEMU 7.2 (the host's), Debian 13's QEMU 10.0 (run
# from a debootstrap'ed trixie tree, see setup-qemu10) and Debian unstable's
# (11.1 when written; a debootstrap'ed sid tree, see setup-qemu11).

setup() {
	load helpers/setup
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

@test "every case has a recorded QEMU result for 7.2, 10.0 and 11.1" {
	local f name missing=()
	for f in "$HERE"/cases/*.args; do
		name=$(basename "$f" .args)
		for v in 7.2 10.0 11.1; do
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

@test "conform compares each CXL fixed memory window with QEMU's info mtree" {
	[ -x "$QEMU72" ] || skip "no QEMU at $QEMU72"
	export REPLAY=$HERE/recorded-7.2.txt
	run "$HERE/conform" --qemu "$QEMU72" --version 7.2 \
		--nvd-plan "$HERE/helpers/replay-nvd-plan" cxl-two-hb-interleave
	assert_success
	assert_output --partial "placement 1 of 1 started with memory devices or CXL windows"
	REPLAY_MOVE=268435456 run "$HERE/conform" --qemu "$QEMU72" --version 7.2 \
		--nvd-plan "$HERE/helpers/replay-nvd-plan" cxl-two-hb-interleave
	assert_failure 1
	assert_output --partial "DISAGREE 7.2 cxl-two-hb-interleave: qemu accept; nvd-plan accept; cxl windows: qemu [8858370048 4294967296;13153337344 1073741824;14227079168 805306368] nvd-plan [9126805504 4294967296;13421772800 1073741824;14495514624 805306368]"
}

@test "nvd-plan agrees with QEMU 7.2" {
	[ -x "$QEMU72" ] || skip "no QEMU 7.2 at $QEMU72"
	local banner
	banner=$("$QEMU72" --version | head -n 1)
	[[ $banner == "QEMU emulator version 7.2."* ]] ||
		skip "$QEMU72 is not 7.2: $banner"
	run "$HERE/conform" --qemu "$QEMU72" --version 7.2 --nvd-plan "$NVD_PLAN"
	assert_success
	every_warning_predicted
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
	every_warning_predicted
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

# every_warning_predicted: conform's output says that every case QEMU warned
# about has each warning as some finding's qemu text.
every_warning_predicted() {
	local line n m
	line=$(grep '^warnings ' <<<"$output")
	n=$(sed -n 's/^warnings [0-9.]*: \([0-9]*\) of \([0-9]*\) cases.*/\1/p' <<<"$line")
	m=$(sed -n 's/^warnings [0-9.]*: \([0-9]*\) of \([0-9]*\) cases.*/\2/p' <<<"$line")
	[ -n "$n" ] && [ "$n" = "$m" ] || { echo "not every QEMU warning predicted: $line"; false; }
}

# unstable [--aarch64]: set $qemu to Debian unstable's QEMU and $ver to its
# release (X.Y), or skip: when it cannot be built (with setup-qemu11's reason)
# and when it is newer than the newest release nvd-plan models (with both
# versions), so that a new upload to unstable is reported, never passed.
unstable() {
	run "$HERE/setup-qemu11" --quiet "$@"
	if [ "$status" -eq 77 ]; then
		skip "$(grep 'not available' <<<"$output" | tail -n 1)"
	fi
	assert_success
	qemu=${lines[${#lines[@]} - 1]}
	ver=$("$HERE/setup-qemu11" --quiet --version)
	[[ $ver =~ ^[0-9]+\.[0-9]+$ ]] || { echo "setup-qemu11 --version said '$ver'"; false; }
	echo "Debian unstable has QEMU $ver" >&3
	run "$NVD_PLAN" --qemu-version "$ver" --offline --json "$HERE/cases/basic-pc.args"
	if [ "$status" -eq 2 ] && [[ $output == *"not a release modelled"* ]]; then
		skip "Debian unstable's QEMU is $ver, newer than the newest release nvd-plan models ($(sed -n 's/.*use one of .* \([0-9.]*\)$/\1/p' <<<"$output"))"
	fi
}

@test "nvd-plan agrees with Debian unstable's QEMU (11.1)" {
	local qemu ver
	unstable
	run "$HERE/conform" --qemu "$qemu" --version "$ver" --nvd-plan "$NVD_PLAN"
	assert_success
	assert_output --partial " 0 disagree"
	every_warning_predicted
}

@test "nvd-plan --target aarch64 agrees with Debian unstable's QEMU (qemu-system-aarch64, virt)" {
	local qemu ver
	unstable --aarch64
	run "$HERE/conform" --target aarch64 --qemu "$qemu" --version "$ver" --nvd-plan "$NVD_PLAN"
	assert_success
	assert_output --partial " 0 disagree"
}

@test "a QEMU in unstable newer than nvd-plan models is skipped with both versions, not passed" {
	local qemu ver
	# A stand-in setup-qemu11 that claims a release no nvd-plan models.
	mkdir -p "$BATS_TEST_TMPDIR/t/helpers"
	cp "$HERE"/conformance.bats "$BATS_TEST_TMPDIR/t/"
	cp "$HERE"/helpers/setup.bash "$BATS_TEST_TMPDIR/t/helpers/"
	printf '#!/bin/sh\nfor a; do [ "$a" = --version ] && { echo 99.1; exit 0; }; done\necho /bin/false\n' \
		>"$BATS_TEST_TMPDIR/t/setup-qemu11"
	chmod +x "$BATS_TEST_TMPDIR/t/setup-qemu11"
	mkdir -p "$BATS_TEST_TMPDIR/t/cases"
	cp "$HERE/cases/basic-pc.args" "$BATS_TEST_TMPDIR/t/cases/"
	NVD_BIN=$(dirname "$NVD_PLAN") run bats -f "agrees with Debian unstable's QEMU .11" "$BATS_TEST_TMPDIR/t/conformance.bats"
	assert_success
	assert_output --partial "# skip Debian unstable's QEMU is 99.1, newer than the newest release nvd-plan models (11.1)"
}
