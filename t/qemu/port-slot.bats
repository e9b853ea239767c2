#!/usr/bin/env bats
# QEMU from 8.1 warns of a PCI Express device in a slot other than 0 behind a root or
# downstream port ("PCI: slot N is not valid for DRIVER, parent device only allows plugging
# into slot 0."). conform's warning figure only asks that each QEMU warning is predicted;
# this asks the reverse too, from the records (no QEMU start): on every case with a PCIe
# root or downstream port, nvd-plan's slot warnings are exactly the ones QEMU printed, per
# release (about 10 s: 156 nvd-plan runs).

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
