#!/usr/bin/env bats
# The guest harness itself, and the ground truth the toolkit's guest tests rely on: what a
# real QEMU and a real Linux kernel with ndctl show for NVDIMM configurations. Each test boots
# the guest once (about 3 s under TCG).

bats_require_minimum_version 1.5.0
load helpers

setup_file() { guest_setup_file; }
setup() { guest_setup; }
teardown() { guest_teardown; }

@test "run: stdout, stderr, exit status and \$OUT files come back apart" {
	run --separate-stderr guest -- - <<'EOF'
echo to-stdout
echo to-stderr >&2
printf 'a\0b' >"$OUT/bin"
mkdir "$OUT/sub" && echo deep >"$OUT/sub/f"
exit 7
EOF
	assert_equal "$status" 7
	assert_equal "$output" to-stdout
	assert_equal "$stderr" to-stderr
	assert_equal "$(od -An -c "$OUT/bin" | tr -s ' ')" " a \0 b"
	assert_equal "$(cat "$OUT/sub/f")" deep
	assert [ -s "$BATS_TEST_TMPDIR/guest/console.log" ]
}

@test "run: files given with --in are in \$IN" {
	printf 'line1\nline2\n' >"$BATS_TEST_TMPDIR/input.txt"
	run --separate-stderr guest --in "$BATS_TEST_TMPDIR/input.txt" -- -c 'wc -l <"$IN/input.txt"'
	assert_success
	assert_equal "$output" 2
}

@test "run: QEMU refusing its arguments fails at once with QEMU's message" {
	run --separate-stderr guest -machine nvdimm=on -device nvdimm,memdev=nosuchmem -- -c true
	assert_equal "$status" 125
	[[ $stderr == *"Device 'nosuchmem' not found"* ]] || fail "no QEMU message in: $stderr"
}

@test "run: the timeout stops the guest and leaves no process behind" {
	local name=nvd-timeout-$$-$RANDOM start=$SECONDS
	# 15 s: a boot takes ~3 s on an idle machine, but more than 5 s on a loaded one
	run --separate-stderr guest --timeout 15 -name "$name" -- -c 'sleep 600'
	assert_equal "$status" 124
	[[ $stderr == *"did not finish within 15s"* ]] || fail "$stderr"
	[[ $stderr == *"nvd-guest: running the script"* ]] || fail "no console in: $stderr"
	((SECONDS - start < 30))
	run pgrep -f -- "-name $name"
	assert_failure
}

@test "run: the anonymous devices it adds are RUN_DEVICES' (predictions of device order use them)" {
	run --separate-stderr guest -device nvdimm-no-such -- -c true
	# QEMU refuses the user's device: the command line is kept all the same
	[[ -f $BATS_TEST_TMPDIR/guest/cmdline ]]
	local line dev=${RUN_DEVICES[3]} user='-device nvdimm-no-such'
	line=$(cat "$BATS_TEST_TMPDIR/guest/cmdline")
	# exactly one -device before the user's arguments, and it is RUN_DEVICES' debugcon
	[[ $line == *"-device $dev "*"$user"* ]] || fail "$line"
	local before=${line%%"$user"*}
	before=${before//"-device $dev"/}
	[[ $before != *"-device "* ]] || fail "another device before the user's: $line"
	[[ ${line#*"$user"} != *"-device "* ]] || fail "a device after the user's: $line"
}

@test "run: the toolkit's binaries are on PATH with their libraries, and a rebuilt one is picked up" {
	local bin=$BATS_TEST_TMPDIR/bin
	mkdir -p "$bin"
	printf '#include <math.h>\n#include <stdio.h>\n#include <stdlib.h>\nint main(int c, char **v) { printf("%%.0f\\n", cbrt(atof(v[1]))); return 0; }\n' >"$bin/cube.c"
	gcc -o "$bin/nvd-cbrt" "$bin/cube.c" -lm
	printf '#!/bin/sh\necho build-1\n' >"$bin/nvd-version"
	chmod +x "$bin/nvd-version"
	NVD_BIN=$bin run --separate-stderr guest -- -c 'nvd-version; nvd-cbrt 27; command -v nvd-cbrt'
	assert_success
	assert_equal "$output" "build-1
3
/nvd/bin/nvd-cbrt"
	printf '#!/bin/sh\necho build-2\n' >"$bin/nvd-version"
	NVD_BIN=$bin run --separate-stderr guest -- -c nvd-version
	assert_success
	assert_equal "$output" build-2
}

@test "NFIT: one NVDIMM, no nvdimm-persistence: 224 bytes, persistence domain unknown" {
	vm_args
	nvdimm 0 size=1G
	run --separate-stderr guest "${VM[@]}" -- - <<'EOF'
cp /sys/firmware/acpi/tables/NFIT "$OUT/NFIT"
ndctl list -R
EOF
	assert_success
	assert_equal "$(head -c 4 "$OUT/NFIT")" NFIT
	assert_equal "$(stat -c %s "$OUT/NFIT")" 224
	acpi_checksum_ok "$OUT/NFIT" || fail "NFIT checksum does not sum to 0"
	assert_output --partial '"persistence_domain":"unknown"'
}

@test "NFIT: nvdimm-persistence=cpu: 240 bytes, persistence domain cpu_cache" {
	vm_args nvdimm-persistence=cpu
	nvdimm 0 size=1G
	run --separate-stderr guest "${VM[@]}" -- - <<'EOF'
cp /sys/firmware/acpi/tables/NFIT "$OUT/NFIT"
ndctl list -R
EOF
	assert_success
	assert_equal "$(head -c 4 "$OUT/NFIT")" NFIT
	assert_equal "$(stat -c %s "$OUT/NFIT")" 240
	acpi_checksum_ok "$OUT/NFIT" || fail "NFIT checksum does not sum to 0"
	assert_output --partial '"persistence_domain":"cpu_cache"'
}

# The region size and address the guest sees for a backend size QEMU accepts, against
# nvd-plan's layout (pmem size, guest address).
check_region_size() {
	vm_args
	nvdimm 0 "$1" "${2:-}"
	local size addr
	size=$(expected_dimm pmem_size "${VM[@]}")
	addr=$(printf '0x%x' "$(expected_dimm addr "${VM[@]}")")
	run --separate-stderr guest "${VM[@]}" -- -c \
		'ndctl list -R -r region0 | sed -n "s/^ *\"size\":\([0-9]*\),*$/\1/p"; cat /sys/bus/nd/devices/region0/resource'
	assert_success
	assert_equal "$output" "$size
$addr"
}

@test "odd sizes (nvd-plan layout): size=1G label-size=130K: region size" {
	check_region_size size=1G label-size=130K
}

@test "odd sizes (nvd-plan layout): size=2M label-size=128K: region size" {
	check_region_size size=2M label-size=128K
}

@test "odd sizes (nvd-plan layout): size=1G,align=2M label-size=128K: region size" {
	check_region_size size=1G,align=2M label-size=128K
}

@test "odd sizes (nvd-plan layout): size=1048577K without labels: region size" {
	check_region_size size=1048577K
}

@test "labels (ground truth): ndctl's v1.1 label area is the backend's last label-size bytes" {
	vm_args
	nvdimm 0 size=1G label-size=128K
	run --separate-stderr guest "${VM[@]}" -- - <<'EOF'
set -e
ndctl disable-region all
ndctl init-labels -f -V 1.1 nmem0
ndctl enable-region all
ndctl create-namespace -r region0 -m fsdax >/dev/null
ndctl read-labels -o "$OUT/labels.bin" nmem0
EOF
	assert_success
	assert_equal "$(stat -c %s "$OUT/labels.bin")" 131072
	assert_equal "$(head -c 16 "$OUT/labels.bin")" NAMESPACE_INDEX
	tail -c 131072 "$BATS_TEST_TMPDIR/nv0.img" | cmp - "$OUT/labels.bin"
}

@test "DAX (ground truth): MAP_SYNC granted on ext4 -o dax over fsdax, EOPNOTSUPP on tmpfs" {
	vm_args
	nvdimm 0 size=1G
	run --separate-stderr guest "${VM[@]}" -- - <<'EOF'
set -e
ndctl create-namespace -f -e namespace0.0 -m fsdax >/dev/null
mkfs.ext4 -F -q /dev/pmem0
mount -t ext4 -o dax /dev/pmem0 /mnt
grep ' /mnt ' /proc/mounts
echo "== ext4-dax"
mapsync-probe -c 8M -w /mnt/f
mkdir /t && mount -t tmpfs tmpfs /t
echo "== tmpfs"
mapsync-probe -c 4096 /t/f || echo "exit=$?"
EOF
	assert_success
	assert_line --regexp '^/dev/pmem0 /mnt ext4 .*dax=always'
	assert_equal "$(sed -n '/^== ext4-dax/,/^==/p' <<<"$output" | sed '1d;$d')" "dax=1
mapsync=ok
msync=ok"
	assert_equal "$(sed -n '/^== tmpfs/,$p' <<<"$output" | sed 1d)" "dax=0
mapsync=fail errno=95 name=EOPNOTSUPP
exit=1"
}
