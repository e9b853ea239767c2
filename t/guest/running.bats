#!/usr/bin/env bats
# nvd-check --pid inside a guest with a real NVDIMM stack: MAP_SYNC granted on ext4 -o dax
# ("sf" in VmFlags) and a device-DAX mapping, which no host here has. The process is not
# QEMU (QEMU under TCG inside a TCG guest takes minutes to start) but t/guest/qemu-shaped.c,
# started as qemu-system-x86_64 with a QEMU command line, which maps each backend as QEMU
# 7.2 does (MAP_SHARED_VALIDATE|MAP_SYNC for pmem=on,share=on, MAP_SHARED again on
# EOPNOTSUPP). nvd-check's JSON is compared with the guest's own smaps. Two boots.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { guest_setup_file; }
setup() {
	guest_setup
	mkdir -p "$BATS_TEST_TMPDIR/in"
	gcc -static -O2 -o "$BATS_TEST_TMPDIR/in/qemu-system-x86_64" "$GUEST_DIR/qemu-shaped.c" ||
		fail "cannot build qemu-shaped"
}
teardown() { guest_teardown; }

j() {
	jq -e "$2" "$OUT/$1" >/dev/null || fail "$1: $2 is not true of: $(cat "$OUT/$1")"
}

# script ARGS-LINES SETUP-LINES: the guest script: SETUP, then the QEMU-shaped process with
# ARGS, ready, its smaps and nvd-check's three outputs into $OUT.
script() {
	printf '%s\n' 'set -e' "$2" "ARGS=\"$1\"" '
Q=$IN/qemu-system-x86_64
chmod +x "$Q" 2>/dev/null || true
$Q $ARGS >/tmp/q.out 2>"$OUT/q.err" &
P=$!
for i in $(seq 60); do grep -q ready /tmp/q.out 2>/dev/null && break; sleep 1; done
grep -q ready /tmp/q.out || { echo "not ready: $(cat "$OUT/q.err")"; exit 1; }
cp /proc/$P/smaps "$OUT/smaps"
rc=0; nvd-check --json --pid $P >"$OUT/running.json" || rc=$?; echo "check=$rc"
nvd-check --pid $P >"$OUT/running.txt" || true
nvd-check --prometheus --pid $P >"$OUT/running.prom" || true
kill $P'
}

# sf_of FILE: "perms sf|-" of the mapping of FILE in the guest's smaps.
sf_of() {
	awk -v f="$1" '/^[0-9a-f]+-[0-9a-f]+ / { cur = ($6 == f); if (cur) perms = $2; next }
		cur && /^VmFlags:/ { print perms, (($0 ~ / sf( |$)/) ? "sf" : "-") }' "$OUT/smaps"
}

@test "fsdax ext4 -o dax: MAP_SYNC in effect (sf), PERSISTENT; the same pmem=on on tmpfs fell back" {
	vm_args
	nvdimm 0 size=1G
	run --separate-stderr guest --in "$BATS_TEST_TMPDIR/in/qemu-system-x86_64" "${VM[@]}" -- - < <(script \
		"-M pc,nvdimm=on -m 1G,slots=2,maxmem=4G -name guest=inner -object memory-backend-file,id=m0,share=on,pmem=on,mem-path=/mnt/a.img,size=8M -device nvdimm,id=nv0,memdev=m0 -object memory-backend-file,id=m1,share=on,pmem=on,mem-path=/t/b.img,size=8M -device nvdimm,id=nv1,memdev=m1" \
		'ndctl create-namespace -f -e namespace0.0 -m fsdax >/dev/null
mkfs.ext4 -F -q /dev/pmem0
mount -t ext4 -o dax /dev/pmem0 /mnt
mkdir /t && mount -t tmpfs tmpfs /t')
	assert_success
	assert_line check=1
	# the kernel's word: sf on the DAX file only
	assert_equal "$(sf_of /mnt/a.img)" "rw-s sf"
	assert_equal "$(sf_of /t/b.img)" "rw-s -"
	grep -q "requesting persistence across crashes for backend file /t/b.img failed" "$OUT/q.err"
	j running.json '.vms[0].name == "inner" and ([.vms[0].devices[].id] == ["nv0", "nv1"])'
	j running.json '.vms[0].devices[0] | .map_sync == true and .shared == true and .devdax == false and .persistent == true and .pmem_fallback == false'
	j running.json '.vms[0].devices[0] | .mount.fstype == "ext4" and .mount.dax == "always" and .path_names_mapped_file == true'
	j running.json '.vms[0].devices[0].statx_dax == true and .vms[0].devices[1].statx_dax != true'
	grep -q "Checking the file system  *: PASS (ext4 at /mnt, dax always, the file has the DAX attribute)" "$OUT/running.txt" ||
		fail "$(cat "$OUT/running.txt")"
	j running.json '.vms[0].devices[1] | .map_sync == false and .pmem_fallback == true and .persistent == false and .mount.fstype == "tmpfs"'
	grep -q "Checking MAP_SYNC  *: PASS (in effect (sf in VmFlags))" "$OUT/running.txt" || fail "$(cat "$OUT/running.txt")"
	grep -q '^nvd_running_device_map_sync{vm="inner",pid="[0-9]*",device="nv0",memdev="m0",path="/mnt/a.img"} 1$' "$OUT/running.prom" ||
		fail "$(cat "$OUT/running.prom")"
}

@test "devdax 2M: a shared mapping of /dev/dax0.0 is PERSISTENT without MAP_SYNC asked" {
	vm_args
	nvdimm 0 size=1G
	run --separate-stderr guest --in "$BATS_TEST_TMPDIR/in/qemu-system-x86_64" "${VM[@]}" -- - < <(script \
		"-M pc,nvdimm=on -m 1G,slots=2,maxmem=4G -object memory-backend-file,id=m0,share=on,mem-path=/dev/dax0.0,size=4M,align=2M -device nvdimm,id=nv0,memdev=m0" \
		'ndctl create-namespace -f -e namespace0.0 -m devdax --align 2M >/dev/null')
	assert_success
	assert_line check=0
	assert_equal "$(sf_of /dev/dax0.0)" "rw-s -"
	j running.json '.vms[0].devices[0] | .devdax == true and .shared == true and .map_sync == false and .persistent == true'
	j running.json '.vms[0].devices[0] | .mapped_file == "/dev/dax0.0" and .path_names_mapped_file == true and .mount == null'
	grep -q "Checking device-DAX  *: PASS (/dev/dax0.0)" "$OUT/running.txt" || fail "$(cat "$OUT/running.txt")"
}
