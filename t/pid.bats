#!/usr/bin/env bats
# --pid: a running QEMU's relative mem-paths are relative to its working directory
# (/proc/PID/cwd), not to the tool's. The "QEMU" is python3 started as
# qemu-system-x86_64 (a bare word like its script is a disk image to QEMU).

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	cd "$BATS_TEST_TMPDIR"
	mkdir vm tool
	truncate -s 1G vm/nv.img	# QEMU's file: the right size
	truncate -s 64M tool/nv.img	# the same name where the tool runs: too small
	echo 'import time; time.sleep(60)' > sleep.py
	PY=$(PATH=/usr/bin:/bin command -v python3)	# not a shim that re-executes
	(cd vm && exec -a qemu-system-x86_64 "$PY" "$BATS_TEST_TMPDIR/sleep.py" \
		-M pc,nvdimm=on -m 1G,slots=1,maxmem=3G \
		-object memory-backend-file,id=m0,share=on,mem-path=nv.img,size=1G \
		-device nvdimm,id=nv0,memdev=m0,label-size=128K) 3>&- &
	QPID=$!
	for _ in $(seq 50); do
		[[ $(tr '\0' ' ' < /proc/$QPID/cmdline 2>/dev/null) == qemu-system-x86_64* ]] && break
		sleep 0.1
	done
	cd tool
}

teardown() {
	kill "$QPID" 2>/dev/null || true
}

@test "nvd-plan --pid: a relative mem-path is QEMU's file, not the tool's" {
	run --separate-stderr "$BIN/nvd-plan" --qemu-version 7.2 --pid "$QPID"
	[[ $status == 0 ]] || fail "exit $status: $output $stderr"
	[[ $output != *"does not match"* ]] || fail "judged the tool's nv.img: $output"
	run --separate-stderr "$BIN/nvd-plan" --qemu-version 7.2 --json --pid "$QPID"
	[[ $(jq -r .verdict <<< "$output") == accept ]] || fail "$output"
}

@test "nvd-nfit --pid: a relative mem-path is QEMU's file, not the tool's" {
	run --separate-stderr "$BIN/nvd-nfit" --qemu-version 7.2 --pid "$QPID"
	[[ $status == 0 ]] || fail "exit $status: $output $stderr"
	[[ $output == *"NFIT, "* ]] || fail "$output"
}

@test "nvd-plan --pid: the label area read is in QEMU's file" {
	# data in the tail of the tool's file only: a warning would name the wrong file
	truncate -s 1G nv.img
	printf 'not labels' | dd of=nv.img bs=1 seek=$((1024 * 1024 * 1024 - 128 * 1024)) conv=notrunc status=none
	run --separate-stderr "$BIN/nvd-plan" --qemu-version 7.2 --pid "$QPID"
	[[ $status == 0 ]] || fail "exit $status: $output $stderr"
	[[ $output != *"holds data but no namespace index"* ]] || fail "read the tool's nv.img: $output"
}

@test "nvd-plan --pid --sysroot: relative mem-paths under DIR/proc/PID/cwd" {
	mkdir -p root/proc/4242/cwd
	printf '%s\0' qemu-system-x86_64 -M pc,nvdimm=on -m 1G,slots=1,maxmem=3G \
		-object memory-backend-file,id=m0,share=on,mem-path=nv.img,size=1G \
		-device nvdimm,id=nv0,memdev=m0 > root/proc/4242/cmdline
	truncate -s 1G root/proc/4242/cwd/nv.img
	run --separate-stderr "$BIN/nvd-plan" --qemu-version 7.2 --sysroot root --pid 4242
	[[ $status == 0 ]] || fail "exit $status: $output $stderr"
	# a working directory that cannot be looked into: said, and the file not judged
	rm -r root/proc/4242/cwd
	run --separate-stderr "$BIN/nvd-plan" --qemu-version 7.2 --sysroot root --pid 4242
	[[ $output == *"relative to QEMU's working directory, which cannot be looked into"*"[backend-cwd-unreadable]"* ]] ||
		fail "$output"
	[[ $output != *"does not match"* ]] || fail "judged the tool's nv.img: $output"
}
