#!/usr/bin/env bats
# nvd-check --pid / --running on REAL QEMU processes (qemu-system-x86_64 of Debian 12,
# 7.2, started with -S: no guest code runs, the backends are mapped at start), one per
# scenario; nvd-check's JSON compared field by field with the process's own smaps.
# MAP_SYNC granted and device-DAX need a DAX file system or a /dev/daxX.Y, which this
# host has not: those verdicts are tested on a replayed /proc tree (--sysroot) only.

bats_require_minimum_version 1.5.0
load lib/common

QEMU=${NVD_QEMU72:-/usr/bin/qemu-system-x86_64}

setup() {
	load_bats_libs
	[[ -x $QEMU ]] || skip "no $QEMU"
	CHECK=$BIN/nvd-check
	cd "$BATS_TEST_TMPDIR"
	QPIDS=()
}

teardown() {
	local p
	for p in "${QPIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
}

# qemu DIR NEEDLE ARGS...: start QEMU in DIR; wait until a mapping's name holds NEEDLE.
qemu() {
	local dir=$1 needle=$2
	shift 2
	(cd "$dir" && exec "$QEMU" -S -display none -nodefaults -accel tcg "$@") \
		>"$BATS_TEST_TMPDIR/qemu.log" 2>&1 3>&- &
	QPID=$!
	QPIDS+=("$QPID")
	for _ in $(seq 100); do
		grep -q -- "$needle" "/proc/$QPID/maps" 2>/dev/null && return 0
		kill -0 "$QPID" 2>/dev/null || break
		sleep 0.1
	done
	fail "QEMU did not map $needle: $(cat "$BATS_TEST_TMPDIR/qemu.log")"
}

MACH=(-M pc,nvdimm=on -m 128M,slots=4,maxmem=1G)

# smaps_of PID FILE: "perms dev inode size_bytes rss_bytes sf|-" of the largest mapping of FILE.
smaps_of() {
	awk -v f="$2" '
		/^[0-9a-f]+-[0-9a-f]+ / {
			cur = ($6 == f); if (cur) { split($1, a, "-"); perms = $2; dev = $4; ino = $5 }
			next
		}
		cur && /^Size:/ { size = $2 * 1024 }
		cur && /^Rss:/ { rss = $2 * 1024 }
		cur && /^VmFlags:/ { sf = ($0 ~ / sf( |$)/) ? "sf" : "-"; print perms, dev, ino, size, rss, sf }
	' "/proc/$1/smaps" | sort -k4n | tail -1
}

# same_as_smaps DEVICE FILE: the device's JSON facts are those of smaps for FILE.
same_as_smaps() {
	local perms dev ino size rss sf maj min
	read -r perms dev ino size rss sf < <(smaps_of "$QPID" "$2")
	[[ -n $perms ]] || fail "no mapping of $2 in smaps"
	maj=$((16#${dev%:*}))
	min=$((16#${dev#*:}))
	run jq -c --arg id "$1" '.vms[0].devices[] | select(.id == $id) |
		[.shared, .map_sync, .mapped_device, .mapped_inode, .mapping_size, .resident]' <<<"$JSON"
	assert_output "[$([[ $perms == *s ]] && echo true || echo false),$([[ $sf == sf ]] && echo true || echo false),\"$maj:$min\",$ino,$size,$rss]"
}

check_json() {
	run --separate-stderr "$CHECK" --json --pid "$QPID"
	JSON=$output
	STATUS=$status
	jq -e . <<<"$JSON" >/dev/null || fail "not JSON: $JSON $stderr"
}

# dev_is DEVICE JQ-EXPR: true of the device's JSON object.
dev_is() {
	jq -e --arg id "$1" ".vms[0].devices[] | select(.id == \$id) | $2" <<<"$JSON" >/dev/null ||
		fail "device $1: $2 is not true of: $JSON"
}

@test "share=on file, pmem=off: shared, no MAP_SYNC, NOT PERSISTENT (pmem=off); JSON is smaps" {
	truncate -s 64M nv.img
	qemu . nv.img "${MACH[@]}" -name guest=vm-shared,debug-threads=on \
		-object memory-backend-file,id=m0,share=on,mem-path="$PWD/nv.img",size=64M \
		-device nvdimm,id=nv0,memdev=m0
	check_json
	[[ $STATUS == 1 ]] || fail "exit $STATUS"
	jq -e '.vms[0].pid == '"$QPID"' and .vms[0].name == "vm-shared" and .verdict == "not-persistent"' <<<"$JSON" >/dev/null || fail "$JSON"
	dev_is nv0 '.type == "nvdimm" and .memdev == "m0" and .mem_path == "'"$PWD"'/nv.img"'
	dev_is nv0 '.shared == true and .map_sync == false and .devdax == false and .persistent == false'
	dev_is nv0 '.path_names_mapped_file == true and .backend_deleted == false and .pmem_fallback == false'
	dev_is nv0 '.mount != null and (.reason | test("pmem=off"))'
	# statx through QEMU's descriptor: no DAX here (false, or null where not reported)
	dev_is nv0 '.statx_dax != true and .fd != null'
	if [[ $(findmnt -n -o FSTYPE -T "$PWD") == ext4 ]]; then dev_is nv0 '.statx_dax == false'; fi
	same_as_smaps nv0 "$PWD/nv.img"
	run "$CHECK" --pid "$QPID"
	assert_output --partial "process $QPID (vm-shared): 1 memory device"
	assert_output --partial "Checking the mapping                         : PASS (shared, 64 MiB)"
	assert_output --partial "Verdict: NOT PERSISTENT"
	assert_output --partial "fix: at the next start give m0 pmem=on"
}

@test "share=off file: a private mapping, NOT PERSISTENT with share=on as the fix" {
	truncate -s 64M nv.img
	qemu . nv.img "${MACH[@]}" \
		-object memory-backend-file,id=m0,share=off,mem-path="$PWD/nv.img",size=64M \
		-device pc-dimm,id=d0,memdev=m0
	check_json
	[[ $STATUS == 1 ]] || fail "exit $STATUS"
	dev_is d0 '.type == "pc-dimm" and .shared == false and .persistent == false'
	dev_is d0 '.fix == "at the next start give m0 share=on"'
	same_as_smaps d0 "$PWD/nv.img"
}

@test "pmem=on on a file that is not DAX: QEMU fell back, no sf, and nvd-check says so" {
	truncate -s 64M nv.img
	qemu . nv.img "${MACH[@]}" \
		-object memory-backend-file,id=m0,share=on,pmem=on,mem-path="$PWD/nv.img",size=64M \
		-device nvdimm,id=nv0,memdev=m0
	check_json
	[[ $STATUS == 1 ]] || fail "exit $STATUS"
	dev_is nv0 '.asked_pmem == true and .map_sync == false and .pmem_fallback == true and .persistent == false'
	dev_is nv0 '.checks[] | select(.id == "running-pmem-fallback") | .result == "fail"'
	same_as_smaps nv0 "$PWD/nv.img"
}

@test "a backend on tmpfs: the file system is named, NOT PERSISTENT" {
	d=$(mktemp -d /dev/shm/nvd-running.XXXXXX)
	truncate -s 32M "$d/nv.img"
	qemu . "$d/nv.img" "${MACH[@]}" \
		-object memory-backend-file,id=m0,share=on,pmem=on,mem-path="$d/nv.img",size=32M \
		-device nvdimm,id=nv0,memdev=m0
	check_json
	rm -r "$d"
	[[ $STATUS == 1 ]] || fail "exit $STATUS"
	dev_is nv0 '.mount.fstype == "tmpfs" and .mount.dax == "none" and .persistent == false'
}

@test "memory-backend-ram beside an NVDIMM and a virtio-pmem device: one verdict each" {
	truncate -s 32M nv.img vp.img
	qemu . vp.img "${MACH[@]}" \
		-object memory-backend-ram,id=r0,size=32M -device pc-dimm,id=d0,memdev=r0 \
		-object memory-backend-file,id=m0,share=on,mem-path="$PWD/nv.img",size=32M \
		-device nvdimm,id=nv0,memdev=m0 \
		-object memory-backend-file,id=m1,share=on,mem-path="$PWD/vp.img",size=32M \
		-device virtio-pmem-pci,id=vp0,memdev=m1
	check_json
	[[ $STATUS == 1 ]] || fail "exit $STATUS"
	run jq -r '[.vms[0].devices[].id] | join(" ")' <<<"$JSON"
	assert_output "d0 nv0 vp0"
	dev_is d0 '.mem_path == null and .persistent == false and (.reason | test("anonymous"))'
	dev_is nv0 '.persistent == false'
	dev_is vp0 '.type == "virtio-pmem-pci" and .shared == true and .persistent == true'
	same_as_smaps nv0 "$PWD/nv.img"
	same_as_smaps vp0 "$PWD/vp.img"
}

@test "a backend file deleted after start: FAIL, and the descriptor to save it from" {
	truncate -s 32M nv.img
	qemu . nv.img "${MACH[@]}" \
		-object memory-backend-file,id=m0,share=on,mem-path="$PWD/nv.img",size=32M \
		-device nvdimm,id=nv0,memdev=m0
	check_json
	dev_is nv0 '.backend_deleted == false'
	rm nv.img
	check_json
	[[ $STATUS == 1 ]] || fail "exit $STATUS"
	dev_is nv0 '.backend_deleted == true and .backend_replaced == false and .path_names_mapped_file == false and .persistent == false'
	fd=$(jq -r '.vms[0].devices[0].fd' <<<"$JSON")
	[[ $(readlink "/proc/$QPID/fd/$fd") == "$PWD/nv.img (deleted)" ]] || fail "fd $fd: $(readlink "/proc/$QPID/fd/$fd")"
	dev_is nv0 '.fix | test("cp --sparse=always /proc/'"$QPID"'/fd/'"$fd"' FILE")'
	run "$CHECK" --prometheus --pid "$QPID"
	assert_output --partial "nvd_running_device_backend_deleted{vm=\"\",pid=\"$QPID\",device=\"nv0\",memdev=\"m0\",path=\"$PWD/nv.img\"} 1"
}

@test "a backend file replaced after start: the path names another file" {
	truncate -s 32M nv.img new.img
	qemu . nv.img "${MACH[@]}" \
		-object memory-backend-file,id=m0,share=on,mem-path="$PWD/nv.img",size=32M \
		-device nvdimm,id=nv0,memdev=m0
	mv new.img nv.img
	check_json
	[[ $STATUS == 1 ]] || fail "exit $STATUS"
	dev_is nv0 '.backend_replaced == true and .backend_deleted == false and .persistent == false'
	[[ $(jq '.vms[0].devices[0].mapped_inode' <<<"$JSON") != "$(stat -c %i nv.img)" ]] || fail "the new inode"
	dev_is nv0 '.checks[] | select(.id == "running-backend-replaced") | .result == "fail"'
}

@test "a relative mem-path, QEMU started in another directory: its file, not the tool's" {
	mkdir vm tool
	truncate -s 32M vm/nv.img tool/nv.img
	qemu vm nv.img "${MACH[@]}" \
		-object memory-backend-file,id=m0,share=on,mem-path=nv.img,size=32M \
		-device nvdimm,id=nv0,memdev=m0
	cd tool
	check_json
	dev_is nv0 '.mem_path == "nv.img" and .host_path == "'"$BATS_TEST_TMPDIR"'/vm/nv.img"'
	dev_is nv0 '.path_names_mapped_file == true and .backend_deleted == false'
	same_as_smaps nv0 "$BATS_TEST_TMPDIR/vm/nv.img"
	# the tool's own nv.img deleted changes nothing; QEMU's does
	rm nv.img
	check_json
	dev_is nv0 '.backend_deleted == false'
	rm ../vm/nv.img
	check_json
	dev_is nv0 '.backend_deleted == true'
}

@test "a directory as mem-path: QEMU's unlinked file in it, NOT PERSISTENT" {
	mkdir d
	qemu . qemu_back_mem "${MACH[@]}" \
		-object memory-backend-file,id=m0,share=on,mem-path="$PWD/d",size=32M \
		-device nvdimm,id=nv0,memdev=m0
	check_json
	[[ $STATUS == 1 ]] || fail "exit $STATUS"
	dev_is nv0 '(.mapped_file | startswith("'"$PWD"'/d/qemu_back_mem.")) and .persistent == false'
	dev_is nv0 '(.reason | test("directory")) and .path_names_mapped_file == false'
}

@test "--running: every QEMU process, each with its verdict" {
	truncate -s 32M a.img b.img
	qemu . a.img "${MACH[@]}" -name vm-a \
		-object memory-backend-file,id=m0,share=on,mem-path="$PWD/a.img",size=32M \
		-device nvdimm,id=nv0,memdev=m0
	A=$QPID
	qemu . b.img "${MACH[@]}" -name 'guest=vm "b"\x' \
		-object memory-backend-file,id=m0,share=off,mem-path="$PWD/b.img",size=32M \
		-device nvdimm,id=nv0,memdev=m0
	B=$QPID
	run --separate-stderr "$CHECK" --running --json
	[[ $status == 1 || $status == 3 ]] || fail "exit $status: $stderr"
	jq -e --argjson a "$A" --argjson b "$B" '[.vms[] | select(.pid == $a or .pid == $b) | .name] == ["vm-a", "vm \"b\"\\x"]' <<<"$output" >/dev/null ||
		fail "$output"
	run --separate-stderr "$CHECK" --running --prometheus
	assert_output --partial "nvd_running_device_shared{vm=\"vm-a\",pid=\"$A\",device=\"nv0\",memdev=\"m0\",path=\"$PWD/a.img\"} 1"
	assert_output --partial "nvd_running_device_shared{vm=\"vm \\\"b\\\"\\\\x\",pid=\"$B\",device=\"nv0\",memdev=\"m0\",path=\"$PWD/b.img\"} 0"
}

@test "--running: a qemu-system-* process whose command line does not parse is its own UNKNOWN, the others still checked" {
	truncate -s 32M a.img
	qemu . a.img "${MACH[@]}" -name vm-a \
		-object memory-backend-file,id=m0,share=on,mem-path="$PWD/a.img",size=32M \
		-device nvdimm,id=nv0,memdev=m0
	A=$QPID
	# a process named qemu-system-x86_64 whose last option lacks its argument
	python3 -c 'import os, sys; os.execv(sys.executable, ["qemu-system-x86_64", "-c", "import time; time.sleep(60)", "-device"])' &
	QPIDS+=("$!")
	odd=$!
	for _ in $(seq 50); do [[ $(tr '\0' ' ' <"/proc/$odd/cmdline" 2>/dev/null) == 'qemu-system-x86_64 -c '* ]] && break; sleep 0.1; done
	run --separate-stderr "$CHECK" --running --json
	[[ $status == 3 ]] || fail "exit $status: $stderr"
	[[ $stderr == *"process $odd: -device: requires an argument"* ]] || fail "$stderr"
	jq -e --argjson a "$A" --argjson o "$odd" \
		'([.vms[] | select(.pid == $a) | .devices[0].id] == ["nv0"]) and ([.vms[] | select(.pid == $o) | .verdict] == ["unknown"])' \
		<<<"$output" >/dev/null || fail "$output"
	# --pid of it alone is still a usage error
	run --separate-stderr "$CHECK" --pid "$odd"
	[[ $status == 2 ]] || fail "exit $status: $stderr"
}

@test "a QEMU without memory devices: nothing to check, exit 0; its -name escaped" {
	qemu . '[heap]' -m 64M -name $'guest=\e]0;x\a'
	run --separate-stderr "$CHECK" --pid "$QPID"
	assert_success
	assert_output --partial "process $QPID (\x1b]0;x\x07): 0 memory devices"
	assert_output --partial "VM verdict: no memory device"
}

@test "bad --pid: not QEMU (2), gone (3), a zombie (3), not a number (2), with a PATH (2)" {
	run --separate-stderr "$CHECK" --pid $$
	[[ $status == 2 ]] || fail "exit $status"
	[[ $stderr == "nvd-check: --pid $$: process $$ is not QEMU: it runs "* ]] || fail "$stderr"
	[[ -z $output ]] || fail "wrote $output"
	sh -c 'exit 0' &
	gone=$!
	wait "$gone"
	run --separate-stderr "$CHECK" --pid "$gone"
	[[ $status == 3 ]] || fail "exit $status"
	assert_equal "$stderr" "nvd-check: no process $gone"
	python3 -c 'import os, sys, time
pid = os.fork()
if pid == 0:
    os._exit(0)
print(pid, flush=True)
time.sleep(30)' > zpid &
	QPIDS+=("$!")
	for _ in $(seq 50); do [[ -s zpid ]] && break; sleep 0.1; done
	z=$(cat zpid)
	for _ in $(seq 50); do [[ $(awk '{print $3}' "/proc/$z/stat") == Z ]] && break; sleep 0.1; done
	run --separate-stderr "$CHECK" --json --pid "$z"
	[[ $status == 3 ]] || fail "exit $status"
	assert_equal "$stderr" "nvd-check: process $z has no command line (a kernel thread or a zombie)"
	jq -e '.vms[0].verdict == "unknown" and .verdict == "unknown"' <<<"$output" >/dev/null || fail "$output"
	run --separate-stderr "$CHECK" --pid 12x
	[[ $status == 2 && ${stderr%%$'\n'*} == "nvd-check: invalid --pid '12x': use a process id" ]] || fail "$status $stderr"
	run --separate-stderr "$CHECK" --pid 1 /tmp
	[[ $status == 2 && $stderr == *"--pid reads the running QEMU's own options"* ]] || fail "$status $stderr"
	run --separate-stderr "$CHECK" --pid 1 --running
	[[ $status == 2 ]] || fail "$status $stderr"
}

@test "no permission to read smaps: UNKNOWN, never guessed, exit 3" {
	[[ $(id -u) == 0 ]] || skip "needs root to run as another user"
	command -v setpriv >/dev/null || skip "no setpriv"
	truncate -s 32M nv.img
	qemu . nv.img "${MACH[@]}" \
		-object memory-backend-file,id=m0,share=on,mem-path="$PWD/nv.img",size=32M \
		-device nvdimm,id=nv0,memdev=m0
	chmod 755 "$BATS_TEST_TMPDIR"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$CHECK" --json --pid "$QPID"
	[[ $status == 3 ]] || fail "exit $status: $output $stderr"
	assert_equal "$stderr" "nvd-check: cannot read /proc/$QPID/smaps: Permission denied (run as root or as the VM's user)"
	jq -e '.vms[0].devices[0] | .persistent == null and .verdict == "unknown" and .shared == null and .map_sync == null' <<<"$output" >/dev/null ||
		fail "$output"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$CHECK" --prometheus --pid "$QPID"
	[[ $output != *nvd_running_device_persistent\{* ]] || fail "a guess: $output"
	assert_output --partial 'verdict="unknown"} 1'
}

# A replayed /proc tree (--sysroot): the verdicts this host cannot produce for real.
fake_proc() {
	local pid=$1 args=$2 smaps=$3
	cp -a "$FIXTURES/check/host" root
	sed "s|@ROOT@|$BATS_TEST_TMPDIR/mnt|g" "$FIXTURES/check/mountinfo.in" >root/proc/self/mountinfo
	mkdir -p "root/proc/$pid/cwd" "root/proc/$pid/fd" mnt/pmem0
	# shellcheck disable=SC2086
	printf '%s\0' qemu-system-x86_64 ${args} >"root/proc/$pid/cmdline"
	printf '%b' "$smaps" >"root/proc/$pid/smaps"
}

@test "replayed: MAP_SYNC in effect (sf) on ext4 dax=always is PERSISTENT" {
	mkdir -p mnt/pmem0
	truncate -s 32M mnt/pmem0/vm.img
	ino=$(stat -c %i mnt/pmem0/vm.img)
	fake_proc 4242 "-M pc,nvdimm=on -m 1G,slots=1,maxmem=3G -object memory-backend-file,id=m0,share=on,pmem=on,mem-path=$BATS_TEST_TMPDIR/mnt/pmem0/vm.img,size=32M -device nvdimm,id=nv0,memdev=m0" \
		"7f0000000000-7f0002000000 rw-s 00000000 103:00 $ino $BATS_TEST_TMPDIR/mnt/pmem0/vm.img\nSize:              32768 kB\nRss:                4096 kB\nVmFlags: rd wr sh mr mw me ms sf \n"
	run --separate-stderr "$CHECK" --sysroot root --json --pid 4242
	[[ $status == 0 ]] || fail "exit $status: $output $stderr"
	jq -e '.vms[0].devices[0] | .map_sync == true and .shared == true and .persistent == true and .mount.dax == "always" and .mount.fstype == "ext4" and .resident == 4194304' <<<"$output" >/dev/null ||
		fail "$output"
	# pmem=off on the DAX mount: no sf asked, the data reaches the media, the metadata not
	sed -i 's/pmem=on,/pmem=off,/' root/proc/4242/cmdline
	sed -i 's/ sf $/ /' root/proc/4242/smaps
	run --separate-stderr "$CHECK" --sysroot root --json --pid 4242
	[[ $status == 1 ]] || fail "exit $status"
	jq -e '.vms[0].devices[0] | .persistent == false and (.reason | test("on this DAX file system stores reach the media"))' <<<"$output" >/dev/null ||
		fail "$output"
	# the same mapping without sf: QEMU fell back although the mount says DAX
	sed -i 's/pmem=off,/pmem=on,/' root/proc/4242/cmdline
	run --separate-stderr "$CHECK" --sysroot root --json --pid 4242
	[[ $status == 1 ]] || fail "exit $status"
	jq -e '.vms[0].devices[0] | .pmem_fallback == true and .persistent == false' <<<"$output" >/dev/null || fail "$output"
}

@test "replayed: a shared mapping of device-DAX is PERSISTENT, a private one is not" {
	fake_proc 4243 "-M pc,nvdimm=on -m 1G,slots=1,maxmem=3G -object memory-backend-file,id=m0,share=on,mem-path=/dev/dax1.0,size=32M,align=2M -device nvdimm,id=nv0,memdev=m0" \
		"7f0000000000-7f0002000000 rw-s 00000000 00:06 512 /dev/dax1.0\nSize:              32768 kB\nRss:                   0 kB\nVmFlags: rd wr sh mr mw me ms \n"
	run --separate-stderr "$CHECK" --sysroot root --json --pid 4243
	[[ $status == 0 ]] || fail "exit $status: $output $stderr"
	jq -e '.vms[0].devices[0] | .devdax == true and .map_sync == false and .persistent == true' <<<"$output" >/dev/null ||
		fail "$output"
	sed -i 's/rw-s/rw-p/; s/ sh / /' root/proc/4243/smaps
	run --separate-stderr "$CHECK" --sysroot root --json --pid 4243
	[[ $status == 1 ]] || fail "exit $status"
	jq -e '.vms[0].devices[0] | .shared == false and .persistent == false' <<<"$output" >/dev/null || fail "$output"
}

@test "replayed: --running lists qemu-system-* processes only" {
	fake_proc 4244 "-m 64M" ""
	mkdir -p root/proc/4245 root/proc/4246
	printf 'bash\0-c\0x\0' > root/proc/4245/cmdline
	printf '/usr/bin/qemu-img\0info\0x\0' > root/proc/4246/cmdline
	run --separate-stderr "$CHECK" --sysroot root --json --running
	assert_success
	jq -e '[.vms[].pid] == [4244] and .vms[0].verdict == "none" and .verdict == "none"' <<<"$output" >/dev/null || fail "$output"
}

@test "completion: --pid offers the running QEMU processes" {
	truncate -s 32M nv.img
	qemu . nv.img "${MACH[@]}" \
		-object memory-backend-file,id=m0,share=on,mem-path="$PWD/nv.img",size=32M \
		-device nvdimm,id=nv0,memdev=m0
	PATH=$BIN:$PATH
	# shellcheck source=../completions/nvd-check
	source "$REPO/completions/nvd-check"
	COMP_WORDS=(nvd-check --pid '')
	COMP_CWORD=2
	COMP_LINE="nvd-check --pid "
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_nvd_check
	[[ " ${COMPREPLY[*]} " == *" $QPID "* ]] || fail "$QPID not offered: ${COMPREPLY[*]}"
	[[ " ${COMPREPLY[*]} " != *" $$ "* ]] || fail "the test shell offered"
}

# qmp_cmd SOCKET JSON...: run QMP commands on SOCKET (after qmp_capabilities); each answer a line.
qmp_cmd() {
	python3 - "$@" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
f.readline()
for c in ['{"execute":"qmp_capabilities"}'] + sys.argv[2:]:
    f.write(c + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "event" not in r:
            break
    if c != sys.argv[1] and "qmp_capabilities" not in c:
        print(json.dumps(r))
PY
}

@test "--qmp: QEMU's own answer agrees, and a hotplugged device is checked too" {
	truncate -s 32M nv.img hp.img
	qemu . nv.img "${MACH[@]}" -qmp unix:"$PWD/q.sock",server=on,wait=off \
		-object memory-backend-file,id=m0,share=on,pmem=on,mem-path=nv.img,size=32M,align=2M \
		-device nvdimm,id=nv0,memdev=m0
	run --separate-stderr "$CHECK" --json --qmp q.sock
	[[ $status == 1 ]] || fail "exit $status: $stderr"
	jq -e --argjson p "$QPID" '.vms[0].pid == $p and .vms[0].qmp == "q.sock" and (.vms[0].devices | length) == 1' <<<"$output" >/dev/null ||
		fail "$output"
	JSON=$output
	dev_is nv0 '.qmp == {"type": "nvdimm", "hotplugged": false, "on_command_line": true, "backend": "memory-backend-file", "mem_path": "nv.img", "share": true, "pmem": true, "align": 2097152, "differs": null}'
	dev_is nv0 '.checks[0] | .id == "running-qmp" and .result == "pass"'
	# a pc-dimm on a share=off file, plugged in through QMP: not on the command line
	run qmp_cmd q.sock '{"execute":"object-add","arguments":{"qom-type":"memory-backend-file","id":"hm","mem-path":"'"$PWD"'/hp.img","size":33554432,"share":false}}' \
		'{"execute":"device_add","arguments":{"driver":"pc-dimm","id":"hd","memdev":"hm"}}'
	assert_output $'{"return": {}}\n{"return": {}}'
	check_json
	run jq -r '[.vms[0].devices[].id] | join(" ")' <<<"$JSON"
	assert_output "nv0"
	run --separate-stderr "$CHECK" --json --qmp q.sock
	JSON=$output
	dev_is hd '.type == "pc-dimm" and .qmp.hotplugged == true and .qmp.on_command_line == false'
	dev_is hd '.shared == false and .persistent == false and .mem_path == "'"$PWD"'/hp.img"'
	dev_is hd '.checks[0] | .id == "running-qmp-hotplugged"'
	same_as_smaps hd "$PWD/hp.img"
	run "$CHECK" --qmp q.sock
	assert_output --partial "process $QPID: 2 memory devices, QMP q.sock"
	assert_output --partial "Checking what QEMU says (QMP)                : INFO (not on the command line: hotplugged; memory-backend-file, share=off, pmem=off)"
}

@test "--qmp: a device without id is matched to QEMU's by its memdev, listed once" {
	truncate -s 32M nv.img
	qemu . nv.img "${MACH[@]}" -qmp unix:"$PWD/q.sock",server=on,wait=off \
		-object memory-backend-file,id=m0,share=on,mem-path=nv.img,size=32M \
		-device nvdimm,memdev=m0
	run --separate-stderr "$CHECK" --json --qmp q.sock
	[[ $status == 1 ]] || fail "exit $status: $stderr"
	jq -e '(.vms[0].devices | length) == 1 and .vms[0].devices[0].id == "(unnamed)" and .vms[0].devices[0].qmp_missing == false and .vms[0].devices[0].checks[0].id == "running-qmp"' \
		<<<"$output" >/dev/null || fail "$output"
}

@test "--qmp: bad sockets and combinations" {
	run --separate-stderr "$CHECK" --qmp nosuch.sock
	[[ $status == 3 && $stderr == "nvd-check: --qmp nosuch.sock: cannot connect: No such file or directory" ]] ||
		fail "$status $stderr"
	[[ -z $output ]] || fail "$output"
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind("junk.sock"); s.listen(1)
c, _ = s.accept(); c.sendall(b"{\"hello\": 1}\r\n"); c.close()' 3>&- &
	QPIDS+=("$!")
	for _ in $(seq 50); do [[ -S junk.sock ]] && break; sleep 0.1; done
	run --separate-stderr "$CHECK" --qmp junk.sock
	[[ $status == 3 && $stderr == "nvd-check: --qmp junk.sock: not a QMP monitor (no greeting)" ]] ||
		fail "$status $stderr"
	run --separate-stderr "$CHECK" --running --qmp q.sock
	[[ $status == 2 ]] || fail "$status $stderr"
	truncate -s 32M nv.img
	qemu . nv.img "${MACH[@]}" -qmp unix:"$PWD/q.sock",server=on,wait=off \
		-object memory-backend-file,id=m0,share=on,mem-path=nv.img,size=32M -device nvdimm,id=nv0,memdev=m0
	run --separate-stderr "$CHECK" --qmp q.sock --pid $$
	[[ $status == 2 && $stderr == "nvd-check: --qmp q.sock: the monitor of process $QPID, not of --pid $$" ]] ||
		fail "$status $stderr"
}

@test "replayed with a fake monitor: each difference between QMP and the command line is a finding" {
	mkdir -p mnt
	truncate -s 32M mnt/a.img mnt/b.img
	ino=$(stat -c %i mnt/a.img)
	dev=$(printf '%02x:%02x' "$(stat -c %Hd mnt/a.img)" "$(stat -c %Ld mnt/a.img)")
	fake_proc 4250 "-M pc,nvdimm=on -m 1G,slots=2,maxmem=3G -object memory-backend-file,id=m0,share=on,mem-path=$PWD/mnt/a.img,size=32M,align=2M -device nvdimm,id=nv0,memdev=m0 -object memory-backend-file,id=m1,share=on,mem-path=$PWD/mnt/b.img,size=32M -device nvdimm,id=nv1,memdev=m1" \
		"7f0000000000-7f0002000000 rw-s 00000000 $dev $ino $PWD/mnt/a.img\nSize:              32768 kB\nRss:                   0 kB\nVmFlags: rd wr sh mr mw me ms \n"
	python3 - "$PWD/mnt/other.img" <<'PY' 3>&- &
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind("fake.sock"); s.listen(1)
props = {"type": "memory-backend-file", "mem-path": sys.argv[1], "share": False, "pmem": True, "align": 4096}
c, _ = s.accept(); f = c.makefile("rw")
f.write('{"QMP": {"version": {}, "capabilities": []}}\r\n'); f.flush()
for line in f:
    cmd = json.loads(line)
    if cmd["execute"] == "query-memory-devices":
        r = [{"type": "nvdimm", "data": {"id": "nv0", "memdev": "/objects/m0", "hotplugged": False}}]
    elif cmd["execute"] == "qom-get":
        r = props[cmd["arguments"]["property"]]
    else:
        r = {}
    f.write('{"event": "X", "data": {}}\r\n' + json.dumps({"return": r}) + "\r\n"); f.flush()
PY
	QPIDS+=("$!")
	for _ in $(seq 50); do [[ -S fake.sock ]] && break; sleep 0.1; done
	run --separate-stderr "$CHECK" --sysroot root --json --pid 4250 --qmp fake.sock
	[[ $status == 1 || $status == 3 ]] || fail "exit $status: $stderr"
	JSON=$output
	dev_is nv0 '.qmp.differs == "mem-path: command line '"$PWD"'/mnt/a.img, QEMU '"$PWD"'/mnt/other.img; share: command line on, QEMU off; pmem: command line off, QEMU on; align: command line 2097152, QEMU 4096; share: QEMU off, the mapping shared"'
	dev_is nv0 '.checks[0] | .id == "running-qmp-differs" and .result == "warn"'
	dev_is nv1 '.qmp_missing == true and .qmp == null and (.checks[0] | .id == "running-qmp-missing")'
}

@test "--qmp: a monitor printing pretty (multi-line) JSON is read; one that never answers, or only sends events, times out in 5 s" {
	truncate -s 32M nv.img
	qemu . nv.img "${MACH[@]}" -chardev socket,id=mon,path="$PWD/p.sock",server=on,wait=off \
		-mon chardev=mon,mode=control,pretty=on \
		-object memory-backend-file,id=m0,share=on,mem-path=nv.img,size=32M \
		-device nvdimm,id=nv0,memdev=m0
	run --separate-stderr "$CHECK" --json --qmp p.sock
	[[ $status == 1 ]] || fail "exit $status: $stderr"
	JSON=$output
	dev_is nv0 '.qmp.mem_path == "nv.img" and .qmp.share == true and .checks[0].id == "running-qmp"'
	# a monitor that greets, then sends an event every second and never answers
	python3 - <<'PY' 3>&- &
import socket, time
s = socket.socket(socket.AF_UNIX); s.bind("ev.sock"); s.listen(1)
c, _ = s.accept()
c.sendall(b'{"QMP": {"version": {}, "capabilities": []}}\r\n')
for _ in range(60):
    c.sendall(b'{"event": "TICK", "data": {}}\r\n'); time.sleep(1)
PY
	QPIDS+=("$!")
	for _ in $(seq 50); do [[ -S ev.sock ]] && break; sleep 0.1; done
	SECONDS=0
	run --separate-stderr timeout 30 "$CHECK" --qmp ev.sock
	[[ $status == 3 && $stderr == "nvd-check: --qmp ev.sock: no answer in 5 s (another client holds the monitor?)" ]] ||
		fail "exit $status after ${SECONDS}s: $stderr"
	((SECONDS < 15)) || fail "took ${SECONDS}s"
}

@test "a backend unlinked and linked again under its name: the same file, not 'deleted'" {
	truncate -s 32M nv.img
	qemu . nv.img "${MACH[@]}" \
		-object memory-backend-file,id=m0,share=on,mem-path="$PWD/nv.img",size=32M \
		-device nvdimm,id=nv0,memdev=m0
	ln nv.img keep.img
	rm nv.img
	ln keep.img nv.img
	grep -q "$PWD/nv.img (deleted)" "/proc/$QPID/maps" || fail "the kernel's name: $(grep nv.img "/proc/$QPID/maps")"
	check_json
	dev_is nv0 '.path_names_mapped_file == true and .backend_deleted == false and .backend_replaced == false'
}

@test "a mem-path with a newline (\\012 in smaps), deleted: still found" {
	f=$'nv\nx.img'
	truncate -s 32M "$f"
	qemu . 'nv\\012x.img' "${MACH[@]}" \
		-object "memory-backend-file,id=m0,share=on,mem-path=$PWD/$f,size=32M" \
		-device nvdimm,id=nv0,memdev=m0
	rm "$f"
	check_json
	dev_is nv0 '.mapped == true and .backend_deleted == true'
	run "$CHECK" --pid "$QPID"
	assert_output --partial 'nv\x0ax.img was deleted'
}
