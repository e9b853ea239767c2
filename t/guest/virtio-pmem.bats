#!/usr/bin/env bats
# virtio-pmem-pci inside a guest (the virtio_pmem driver, its region on its own nvdimm bus):
# the region's address and size are nvd-plan's, beside an NVDIMM whose NFIT region is too;
# MAP_SYNC on an ext4 -o dax file of it is refused, as nvd-check in the guest says (the region
# is asynchronous: persistence comes from the guest's flushes, which QEMU turns into an fsync
# of the backend on the host); and a file written and fsync'ed there survives a SIGKILL of
# QEMU on the host (without the fsync, the same run finds no file: the test discriminates).
# Three boots.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { guest_setup_file; }
setup() { guest_setup; }
teardown() {
	[[ -n ${bg_pid:-} ]] && kill -KILL "$bg_pid" 2>/dev/null
	guest_teardown
}

# j FILE FILTER: FILTER holds for the JSON in $OUT/FILE.
j() {
	jq -e "$2" "$OUT/$1" >/dev/null || fail "$1: $2 is not true of: $(cat "$OUT/$1")"
}

# The guest's shell lines that set $blk to the block device of the virtio-pmem region's
# namespace, made fsdax (a pfn info block, written by the kernel into the backend) when it is not
# already, and mount it with -o dax on /mnt.
mount_virtio_pmem='
vr=
for r in /sys/bus/nd/devices/region*; do
	[ "$(cat "$r/../provider")" = virtio-pmem ] && vr=${r##*/}
done
[ -n "$vr" ] || { echo "no virtio-pmem region" >&2; exit 1; }
if ! ls -d /sys/bus/nd/devices/$vr/pfn*.* >/dev/null 2>&1 ||
   [ -z "$(ls /sys/bus/nd/devices/$vr/pfn*.*/block 2>/dev/null)" ]; then
	ns=$(basename "$(ls -d /sys/bus/nd/devices/$vr/namespace*.0)")
	ndctl create-namespace -f -e "$ns" -m fsdax >/dev/null
	fresh=1
fi
blk=$(ls /sys/bus/nd/devices/$vr/pfn*.*/block)
[ "${fresh:-0}" = 1 ] && mkfs.ext4 -F -q -b 4096 "/dev/$blk"
mount -t ext4 -o dax "/dev/$blk" /mnt
'

@test "virtio-pmem: the region where nvd-plan puts it, beside an NVDIMM; MAP_SYNC refused as nvd-check says" {
	local d=$BATS_TEST_TMPDIR
	# the NVDIMM first, then the virtio-pmem device: the latter goes after the former's 128 MiB
	VM=(-machine pc,nvdimm=on -m 512M,slots=2,maxmem=4G
		-object "memory-backend-file,id=nv0,share=on,mem-path=$d/nv0.img,size=128M"
		-device nvdimm,id=nvd0,memdev=nv0
		-object "memory-backend-file,id=p0,share=on,mem-path=$d/p0.img,size=256M"
		-device virtio-pmem-pci,id=vp0,memdev=p0)
	run --separate-stderr guest "${VM[@]}" -- - <<EOF
set -e
for r in /sys/bus/nd/devices/region*; do
	echo "\$(cat \$r/../provider) \$(cat \$r/resource) \$(cat \$r/size)"
done | sort >"\$OUT/regions"
$mount_virtio_pmem
echo "== dax"; mapsync-probe -c 8M /mnt/f || true
rc=0; nvd-check --json --qemu-version 7.2 /mnt/f >"\$OUT/check.json" || rc=\$?; echo "check=\$rc"
dmesg | grep -c 'unable to guarantee persistence of writes' >"\$OUT/async" || true
dmesg | grep 'unable to guarantee persistence of writes' >"\$OUT/async-lines" || true
EOF
	assert_success
	# the guest's regions, as nvd-plan places the two devices
	local plan want
	plan=$("${NVD_BIN:-$GUEST_DIR/../../bin}/nvd-plan" --json --offline --qemu-version 7.2 -- "${VM[@]}")
	want=$(jq -r '.memory_devices[] |
		"\(if .type == "nvdimm" then "ACPI.NFIT" else "virtio-pmem" end) \(.addr | tostring) \(.size)"' \
		<<<"$plan" | while read -r p a s; do printf '%s 0x%x %s\n' "$p" "$a" "$s"; done | sort)
	assert_equal "$(cat "$OUT/regions")" "$want"
	assert_equal "$(cat "$OUT/regions")" "ACPI.NFIT 0x100000000 134217728
virtio-pmem 0x108000000 268435456"
	assert_equal "$(jq -c '[.memory_devices[] | [.id, .type, .memdev]]' <<<"$plan")" \
		'[["nvd0","nvdimm","nv0"],["vp0","virtio-pmem-pci","p0"]]'
	# the kernel refuses MAP_SYNC on the DAX file system of an asynchronous region ...
	assert_equal "$(sed -n '/^== dax/,$p' <<<"$output" | sed '1d')" "dax=1
mapsync=fail errno=95 name=EOPNOTSUPP
check=1"
	# ... and nvd-check says so
	j check.json '.paths[0].facts | .statx_dax == true and .map_sync.granted == false and .map_sync.error == "EOPNOTSUPP"'
	j check.json '.paths[0].verdict == "not-persistent"'
	# and the kernel says the region is asynchronous
	(($(cat "$OUT/async") >= 1)) || fail "no 'unable to guarantee persistence of writes' in dmesg"
	# nvd-plan --explain knows the kernel's line as its log has it
	run "${NVD_BIN:-$GUEST_DIR/../../bin}/nvd-plan" --explain "$(head -n 1 "$OUT/async-lines")"
	assert_success
	assert_line --partial "persistence-domain ("
}

@test "virtio-pmem: a file fsync'ed on ext4 -o dax survives a SIGKILL of QEMU" {
	local d=$BATS_TEST_TMPDIR
	VM=(-machine pc -m 512M,maxmem=2G
		-object "memory-backend-file,id=p0,share=on,mem-path=$d/p0.img,size=256M"
		-device virtio-pmem-pci,id=vp0,memdev=p0)
	# boot 1: write, fsync, say so on the console, then wait to be killed
	mkdir "$d/run1"
	TMPDIR=$d/run1 "$GUEST_DIR/run" --timeout 300 "${VM[@]}" -- - >"$d/run1.out" 2>&1 <<EOF &
set -e
$mount_virtio_pmem
head -c 1048576 /dev/urandom >/tmp/data
dd if=/tmp/data of=/mnt/f bs=64k conv=fsync 2>/dev/null
echo "NVD-READY \$(sha256sum /mnt/f | cut -d' ' -f1)" >/dev/console
sleep 1000
EOF
	bg_pid=$!
	local i console='' sum=''
	for ((i = 0; i < 1200; i++)); do
		console=$(echo "$d"/run1/nvd-guest.*/console.log)
		[[ -f $console ]] && sum=$(sed -n 's/^NVD-READY \([0-9a-f]\{64\}\).*/\1/p' "$console")
		[[ -n $sum ]] && break
		kill -0 "$bg_pid" 2>/dev/null || fail "the first boot ended early: $(cat "$d/run1.out")"
		sleep 0.25
	done
	[[ -n $sum ]] || fail "no NVD-READY on the console after 300 s"
	# SIGKILL: QEMU neither flushes nor unmaps anything
	local qpid
	qpid=$(pgrep -f -- "mem-path=$d/p0.img") || fail "no QEMU process with $d/p0.img"
	kill -KILL $qpid
	wait "$bg_pid" || true
	bg_pid=''
	# boot 2: the same backend; the file system is mounted again (its journal replayed)
	run --separate-stderr guest "${VM[@]}" -- - <<EOF
set -e
$mount_virtio_pmem
echo "fresh=\${fresh:-0}"
sha256sum /mnt/f | cut -d' ' -f1
EOF
	assert_success
	assert_output "fresh=0
$sum"
}
