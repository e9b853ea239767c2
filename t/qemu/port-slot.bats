#!/usr/bin/env bats
# QEMU from 8.1 warns of a PCI Express device in a slot other than 0 behind a root or
# downstream port ("PCI: slot N is not valid for DRIVER, parent device only allows plugging
# into slot 0."). conform's warning figure only asks that each QEMU warning is predicted;
# this asks the reverse too, from the records (no QEMU start): on every case with a PCIe
# root or downstream port, nvd-plan's slot warnings are exactly the ones QEMU printed, per
# release (about 10 s: 156 nvd-plan runs). cases-aarch64/ has no records: its port cases
# are recorded here from the three releases' qemu-system-aarch64 (about 3 s).

bats_require_minimum_version 1.5.0

setup() {
	load helpers/setup
}

@test "nvd-plan's slot warnings are the ones QEMU 7.2, 10.0 and 11.1 printed, case by case" {
	local c name v dir qemu plan n=0 warned=0
	for c in "$HERE"/cases/*.args; do
		grep -q -E 'cxl-rp|cxl-downstream|pcie-root-port|ioh3420|xio3130-downstream' "$c" || continue
		name=$(basename "$c" .args)
		for v in 7.2 10.0 11.1; do
			dir=$BATS_TEST_TMPDIR/$name-$v
			mkdir "$dir"
			(cd "$dir" && sed -n 's/^#![[:space:]]*//p' "$c" | bash -e) || fail "$name: setup failed"
			qemu=$(awk -F '\t' -v c="$name" '$1 == c && $2 == "warning" && $3 ~ /^PCI: slot / { print $3 }' \
				"$HERE/recorded-$v.txt" | sort)
			plan=$(cd "$dir" && "$NVD_PLAN" --json --offline --qemu-version "$v" "$c" |
				jq -r '.findings[] | select(.id | endswith("-port-slot")) | .qemu' | sort)
			[ "$qemu" = "$plan" ] || fail "$name ($v): QEMU warned [$qemu], nvd-plan [$plan]"
			n=$((n + 1))
			[ -z "$qemu" ] || warned=$((warned + 1))
		done
	done
	echo "$n case runs, $warned with slot warnings" >&3
	# the cases exist: 7 of them warn on 10.0 and 11.1 each
	[ "$warned" -ge 14 ]
}

@test "nvd-plan's slot warnings on arm virt are the ones QEMU 7.2, 10.0 and 11.1's qemu-system-aarch64 print" {
	local c name v dir qemu plan rec cases=$BATS_TEST_TMPDIR/cases n=0 warned=0
	local -A bin=([7.2]=/usr/bin/qemu-system-aarch64)
	[ -x "${bin[7.2]}" ] || skip "no ${bin[7.2]} (Debian 12's qemu-system-arm)"
	run "$HERE/setup-qemu10" --quiet --aarch64
	[ "$status" -ne 77 ] || skip "$(grep 'not available' <<<"$output" | tail -n 1)"
	assert_success
	bin[10.0]=${lines[${#lines[@]} - 1]}
	run "$HERE/setup-qemu11" --quiet --aarch64
	[ "$status" -ne 77 ] || skip "$(grep 'not available' <<<"$output" | tail -n 1)"
	assert_success
	bin[11.1]=${lines[${#lines[@]} - 1]}
	mkdir "$cases"
	for c in "$HERE"/cases-aarch64/*.args; do
		grep -q -E 'cxl-rp|cxl-downstream|pcie-root-port|ioh3420|xio3130-downstream' "$c" && cp "$c" "$cases/"
	done
	for v in 7.2 10.0 11.1; do
		rec=$("$HERE/conform" --record --target aarch64 --qemu "${bin[$v]}" --version "$v" --cases "$cases" 2>/dev/null) ||
			fail "conform --record failed for $v"
		for c in "$cases"/*.args; do
			name=$(basename "$c" .args)
			# 7.2 and 10.0 refuse virt's cxl= before any device; nvd-plan goes on to
			# the devices (every problem at once) and would predict their warnings
			awk -F '\t' -v c="$name" '$1 == c && $2 == "refuse" && $3 ~ /^Property .virt-.*machine\.cxl. not found/ { f = 1 } END { exit !f }' <<<"$rec" &&
				continue
			dir=$BATS_TEST_TMPDIR/$name-$v
			mkdir "$dir"
			(cd "$dir" && sed -n 's/^#![[:space:]]*//p' "$c" | bash -e) || fail "$name: setup failed"
			qemu=$(awk -F '\t' -v c="$name" '$1 == c && $2 == "warning" && $3 ~ /^PCI: slot / { print $3 }' <<<"$rec" | sort)
			plan=$(cd "$dir" && "$NVD_PLAN" --json --offline --target aarch64 --qemu-version "$v" "$c" |
				jq -r '.findings[] | select(.id | endswith("-port-slot")) | .qemu' | sort)
			[ "$qemu" = "$plan" ] || fail "$name ($v, aarch64): QEMU warned [$qemu], nvd-plan [$plan]"
			n=$((n + 1))
			[ -z "$qemu" ] || warned=$((warned + 1))
		done
	done
	echo "$n case runs, $warned with slot warnings" >&3
	# port-slot-virtio-mem warns on 10.0 and 11.1, cxl-virt-port-slot on 11.1
	[ "$warned" -ge 3 ]
}
