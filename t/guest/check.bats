#!/usr/bin/env bats
# nvd-check inside a guest with a real NVDIMM stack: its facts against what the kernel grants
# (the static mapsync-probe is the ground truth for MAP_SYNC, ndctl/daxctl for alignments and
# persistence domains), and its verdict PERSISTENT exactly where MAP_SYNC is granted or on
# device-DAX. Three boots.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { guest_setup_file; }
setup() { guest_setup; }
teardown() { guest_teardown; }

# j FILE FILTER: FILTER holds for the JSON in $OUT/FILE.
j() {
	jq -e "$2" "$OUT/$1" >/dev/null || fail "$1: $2 is not true of: $(cat "$OUT/$1")"
}

@test "fsdax: ext4 -o dax PERSISTENT with MAP_SYNC granted; dax=never and tmpfs NOT PERSISTENT; cpu_cache" {
	vm_args nvdimm-persistence=cpu
	nvdimm 0 size=1G
	run --separate-stderr guest "${VM[@]}" -- - <<'EOF'
set -e
ndctl create-namespace -f -e namespace0.0 -m fsdax >/dev/null
ndctl list -N >"$OUT/ndctl-ns.json"
mkfs.ext4 -F -q /dev/pmem0
mount -t ext4 -o dax /dev/pmem0 /mnt
echo "== dax"; mapsync-probe -c 8M /mnt/f || true
rc=0; nvd-check --json --qemu-version 7.2 /mnt/f /mnt >"$OUT/dax.json" || rc=$?; echo "check=$rc"
nvd-check --json >"$OUT/inventory.json"
nvd-check --qemu-version 7.2 --share=on --pmem=off /mnt/f >"$OUT/pmem-off.txt" || echo "pmem-off=$?"
umount /mnt
mount -t ext4 -o dax=never /dev/pmem0 /mnt
echo "== never"; mapsync-probe /mnt/f || true
rc=0; nvd-check --json --qemu-version 7.2 /mnt/f >"$OUT/never.json" || rc=$?; echo "check=$rc"
mkdir /t && mount -t tmpfs tmpfs /t
echo "== tmpfs"; mapsync-probe -c 4096 /t/f || true
rc=0; nvd-check --json --qemu-version 7.2 /t/f /t >"$OUT/tmpfs.json" || rc=$?; echo "check=$rc"
echo "left: $(ls -A /t) | $(ls -A /mnt | tr '\n' ' ')"
EOF
	assert_success
	# the kernel's answers (mapsync-probe), then nvd-check's exit status
	assert_equal "$(sed -n '/^== dax/,/^== never/p' <<<"$output" | sed '1d;$d')" "dax=1
mapsync=ok
check=0
pmem-off=1"
	assert_equal "$(sed -n '/^== never/,/^== tmpfs/p' <<<"$output" | sed '1d;$d')" "dax=0
mapsync=fail errno=95 name=EOPNOTSUPP
check=1"
	# ext4 -o dax: the file and the directory (O_TMPFILE) both PERSISTENT, facts as the kernel has them
	j dax.json '[.paths[].verdict] == ["persistent", "persistent"] and .verdict == "persistent"'
	j dax.json '.paths[0].facts | .statx_dax == true and .map_sync.granted == true and .mount.dax == "always" and .mount.source == "/dev/pmem0"'
	j dax.json '.paths[0].facts.region | .name == "region0" and .namespace == "namespace0.0" and .mode == "fsdax" and .persistence_domain == "cpu_cache"'
	j dax.json '.paths[0].facts.store_granularity == "byte"'
	j dax.json '.paths[0].fixes == ["-machine nvdimm-persistence=cpu (region0: cpu_cache)"]'
	grep -q 'the kernel would grant it here' "$OUT/pmem-off.txt" || fail "$(cat "$OUT/pmem-off.txt")"
	# dax=never: MAP_SYNC refused, QEMU's warning, the fix is to remount
	j never.json '.paths[0].facts | .statx_dax == false and .map_sync.error == "EOPNOTSUPP" and .mount.dax == "never"'
	j never.json '.paths[0].verdict == "not-persistent" and (.paths[0].qemu_messages[0] | startswith("Warning: requesting persistence across crashes for backend file /mnt/f failed."))'
	j never.json '.paths[0].fixes[0] | startswith("remount /mnt with -o dax=always")'
	# tmpfs
	j tmpfs.json '[.paths[].verdict] == ["not-persistent", "not-persistent"] and ([.paths[].facts.map_sync.error] | unique) == ["EOPNOTSUPP"]'
	j tmpfs.json '.paths[0].facts.region == null and .paths[0].facts.store_granularity == "page"'
	# nothing left behind by the directory probes
	assert_line 'left: f | f lost+found '
	# the inventory agrees with ndctl
	j inventory.json '.inventory.regions[0] | .name == "region0" and .persistence_domain == "cpu_cache" and .nvdimm_persistence == "cpu"'
	assert_equal "$(jq -c '[.inventory.namespaces[] | {name, mode, size, device}]' "$OUT/inventory.json")" \
		"$(jq -c '[(if type == "array" then .[] else . end) | {name: .dev, mode, size, device: ("/dev/" + .blockdev)}]' "$OUT/ndctl-ns.json")"
	j inventory.json '.inventory.dax_mounts == [{"point": "/mnt", "fstype": "ext4", "source": "/dev/pmem0", "dax": "always"}]'
}

@test "devdax 2M: align below the device's is REFUSED, align=2M PERSISTENT with MAP_SYNC; memory_controller" {
	vm_args nvdimm-persistence=mem-ctrl
	nvdimm 0 size=1G
	run --separate-stderr guest "${VM[@]}" -- - <<'EOF'
set -e
ndctl create-namespace -f -e namespace0.0 -m devdax --align 2M >/dev/null
daxctl list >"$OUT/daxctl.json"
echo "== 2M"; mapsync-probe -l 2M /dev/dax0.0 || true
echo "== 4K"; mapsync-probe -l 4K /dev/dax0.0 || true
echo "== check"
rc=0; nvd-check --json --qemu-version 7.2 /dev/dax0.0 >"$OUT/noalign.json" || rc=$?; echo "noalign=$rc"
rc=0; nvd-check --json --qemu-version 7.2 --share --pmem --align 1M /dev/dax0.0 >"$OUT/align1M.json" || rc=$?; echo "align1M=$rc"
rc=0; nvd-check --json --qemu-version 7.2 --share --pmem --align 2M /dev/dax0.0 >"$OUT/align2M.json" || rc=$?; echo "align2M=$rc"
rc=0; nvd-check --json --libs=never --share --pmem --align 2M /dev/dax0.0 >"$OUT/sysfs.json" || rc=$?; echo "sysfs=$rc"
rc=0; nvd-check --json --qemu-version 7.2 --share=off --align 2M /dev/dax0.0 >"$OUT/private.json" || rc=$?; echo "private=$rc"
EOF
	assert_success
	assert_equal "$(sed -n '/^== 2M/,/^== 4K/p' <<<"$output" | grep mapsync)" "mapsync=ok"
	assert_equal "$(sed -n '/^== 4K/,/^== check/p' <<<"$output" | grep mapsync)" "mapsync=fail errno=22 name=EINVAL"
	assert_line noalign=1
	assert_line align1M=1
	assert_line align2M=0
	assert_line sysfs=0
	assert_line private=1
	local align
	align=$(jq '(if type == "array" then .[0] else . end).align' "$OUT/daxctl.json")
	assert_equal "$align" 2097152
	j noalign.json '.paths[0].verdict == "refused" and .paths[0].qemu_messages == ["backing store align 0x200000 is larger than '"'align'"' option 0x0"]'
	j align1M.json '.paths[0].qemu_messages == ["backing store align 0x200000 is larger than '"'align'"' option 0x100000"] and .paths[0].fixes[0] == "align=2M"'
	# the real trial: MAP_SYNC over one 2M page, granted as the probe says
	j align2M.json '.paths[0].facts.map_sync | .tried == true and .granted == true and .length == 2097152'
	j align2M.json ".paths[0].facts.devdax | .align == $align and .region_align == $align and .source == \"libdaxctl\" and .driver == \"device_dax\""
	j align2M.json '.libraries.libdaxctl == true and .paths[0].verdict == "persistent"'
	j align2M.json '.paths[0].facts.region | .mode == "devdax" and .persistence_domain == "memory_controller"'
	j align2M.json '.paths[0].fixes == ["pmem=on as well: QEMU then writes labels and migrates with persistent flushes"] | not'
	j align2M.json '.paths[0].fixes == ["-machine nvdimm-persistence=mem-ctrl (region0: memory_controller)"]'
	# sysfs and libdaxctl agree
	j sysfs.json ".paths[0].facts.devdax | .align == $align and .region_align == $align and .source == \"sysfs\""
	j sysfs.json '.libraries.libdaxctl == false'
	j private.json '.paths[0].qemu_messages == ["unable to map backing store for guest RAM: Invalid argument"]'
}

@test "devdax 4K, no nvdimm-persistence: align=4K PERSISTENT, the domain unknown" {
	vm_args
	nvdimm 0 size=1G
	run --separate-stderr guest "${VM[@]}" -- - <<'EOF'
set -e
ndctl create-namespace -f -e namespace0.0 -m devdax --align 4K >/dev/null
echo "== 4K"; mapsync-probe -l 4K /dev/dax0.0 || true
rc=0; nvd-check --json --qemu-version 10.0 /dev/dax0.0 >"$OUT/noalign.json" || rc=$?; echo "noalign=$rc"
rc=0; nvd-check --json --qemu-version 10.0 --share --pmem --align 4K /dev/dax0.0 >"$OUT/align4K.json" || rc=$?; echo "align4K=$rc"
nvd-check --prometheus --share --pmem --align 4K /dev/dax0.0 >"$OUT/prom.txt" || true
EOF
	assert_success
	assert_line mapsync=ok
	assert_line noalign=1
	assert_line align4K=0
	j noalign.json '.paths[0].qemu_messages == ["backing store align 0x1000 is larger than '"'align'"' option 0x0"]'
	j align4K.json '.paths[0].facts.devdax | .align == 4096 and .region_align == 4096'
	j align4K.json '.paths[0].facts.map_sync.granted == true and .paths[0].facts.store_granularity == "cache-line"'
	j align4K.json '.paths[0].facts.region.persistence_domain == null'
	j align4K.json '.paths[0].fixes == ["leave nvdimm-persistence unset: region0 reports no persistence domain"]'
	grep -qx 'nvd_check_persistent{path="/dev/dax0.0"} 1' "$OUT/prom.txt" || fail "$(cat "$OUT/prom.txt")"
}
