#!/usr/bin/env bats
# nvd-map validate maps a backend as QEMU does, system call for system call: QEMU 7.2 and 10.0
# are started under strace with one memory-backend-file, and so is nvd-map validate --object
# with the same text; the backend's open mode, the reservation and every mmap of the file
# (length, protection, flags, offset, result) must be the same. The file is on the test's
# temporary directory (tmpfs or not: MAP_SYNC is refused off DAX, and both must fall back),
# or a loop device (root only) named by a symbolic link there.

bats_require_minimum_version 1.5.0

setup_file() {
	command -v strace >/dev/null || return 0
	local out
	if out=$("$BATS_TEST_DIRNAME/setup-qemu10" --quiet 2>&1); then
		export QEMU10=${out##*$'\n'}
	else
		export QEMU10_SKIP=${out##*$'\n'}
	fi
}

setup() {
	load '/usr/lib/bats/bats-support/load'
	load '/usr/lib/bats/bats-assert/load'
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	MAP=${NVD_BIN:-$REPO/bin}/nvd-map
	QEMU72=${NVD_QEMU72:-/usr/bin/qemu-system-x86_64}
	command -v strace >/dev/null || skip "no strace"
	cd "$BATS_TEST_TMPDIR" || return
	truncate -s 8M f.img
}

# calls TRACE: the backend's system calls in a strace -f log, one per line: "open MODE" for the
# last open of $PWD/f.img, then the PROT_NONE reservation its thread made just before its first
# mapping, then each mmap of its descriptor (flags sorted, addresses dropped).
calls() {
	awk -v path="\"$PWD/f.img\"" '
	function sorted(s,   n, a, i, j, t, r) {
		n = split(s, a, "|")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		r = a[1]; for (i = 2; i <= n; i++) r = r "|" a[i]
		return r
	}
	/openat\(/ && index($0, path) {
		fd = $NF; mode = ($0 ~ /O_RDWR/) ? "O_RDWR" : ($0 ~ /O_WRONLY/) ? "O_WRONLY" : "O_RDONLY"
		out = "open " mode "\n"; split("", reserve); mapped = 0
		next
	}
	/ mmap\(/ && fd != "" {
		s = $0; sub(/^[0-9]+ +/, "", s); sub(/^mmap\(/, "", s)
		split(s, f, ", ")
		res = s; sub(/.*\) = /, "", res)
		res = (res ~ /^-1/) ? res : "ok"; sub(/^-1 /, "", res); sub(/ \(.*/, "", res)
		# the reservation of the thread that maps the file: another thread may reserve
		# meanwhile (the 128 MiB malloc arena glibc reserves for a thread QEMU starts)
		if (f[3] == "PROT_NONE" && f[5] == "-1") { reserve[$1] = "reserve " f[2] " " sorted(f[4]) "\n"; next }
		if (f[5] != fd) next
		if (!mapped) { out = out reserve[$1]; mapped = 1 }
		sub(/\)$/, "", f[6]); sub(/\) = .*/, "", f[6])
		out = out "mmap " f[2] " " f[3] " " sorted(f[4]) " " f[6] " = " res "\n"
	}
	END { printf "%s", out }' "$1"
}

# agree QEMU VERSION OPTS: QEMU's calls for -object memory-backend-file,...,OPTS are nvd-map's.
agree() {
	local qemu=$1 v=$2 obj="memory-backend-file,id=mem0,mem-path=$PWD/f.img,$3" want got
	strace -f -e trace=openat,mmap -o qemu.trace "$qemu" -machine none -nodefaults \
		-display none -object "$obj" -device nvd-no-such-device >/dev/null 2>&1 || :
	strace -f -e trace=openat,mmap -o map.trace "$MAP" validate --qemu-version "$v" \
		--object "$obj" >/dev/null 2>&1 || :
	want=$(calls qemu.trace)
	got=$(calls map.trace)
	[[ $want == "open "*"mmap "* ]] || fail "$v $3: no mapping of f.img in QEMU's trace"
	[[ $want == "$got" ]] || fail "$v $3: QEMU:
$want
nvd-map:
$got"
}

CASES=(
	"size=8M,share=on,pmem=on"
	"size=8M,share=on"
	"size=8M,share=off"
	"size=8M,share=on,readonly=on"
	"size=8M,share=on,pmem=on,readonly=on"
	"size=8M,share=off,readonly=on"
	"size=8M,share=on,align=2M"
	"size=4M,share=off,align=1M"
)
# since 8.2: rom= apart from readonly=, and offset=
CASES_10=(
	"size=8M,share=on,readonly=on,rom=on"
	"size=8M,share=off,readonly=on,rom=off"
	"size=4M,share=on,offset=4M"
)

@test "nvd-map validate opens and maps the backend as QEMU 7.2 does" {
	[[ -x $QEMU72 ]] || skip "no QEMU 7.2 at $QEMU72"
	[[ $("$QEMU72" --version) == "QEMU emulator version 7.2."* ]] || skip "$QEMU72 is not 7.2"
	for c in "${CASES[@]}"; do agree "$QEMU72" 7.2 "$c"; done
}

@test "nvd-map validate opens and maps the backend as QEMU 10.0 does" {
	[[ -z ${QEMU10_SKIP:-} ]] || skip "$QEMU10_SKIP"
	for c in "${CASES[@]}" "${CASES_10[@]}"; do agree "$QEMU10" 10.0 "$c"; done
}

@test "the comparison sees a difference: readonly=on against readonly=off" {
	[[ -x $QEMU72 ]] || skip "no QEMU 7.2 at $QEMU72"
	strace -f -e trace=openat,mmap -o qemu.trace "$QEMU72" -machine none -nodefaults \
		-display none -object "memory-backend-file,id=mem0,mem-path=$PWD/f.img,size=8M,share=on" \
		-device nvd-no-such-device >/dev/null 2>&1 || :
	strace -f -e trace=openat,mmap -o map.trace "$MAP" validate --qemu-version 7.2 \
		--object "memory-backend-file,id=mem0,mem-path=$PWD/f.img,size=8M,share=on,readonly=on" >/dev/null 2>&1 || :
	assert_equal "$(calls qemu.trace | head -n 1)" "open O_RDWR"
	assert_equal "$(calls map.trace | head -n 1)" "open O_RDONLY"
	[[ $(calls qemu.trace | tail -n 1) == *" PROT_READ|PROT_WRITE "* ]]
	[[ $(calls map.trace | tail -n 1) == *" PROT_READ MAP_FIXED|MAP_SHARED 0 = ok" ]]
}

@test "nvd-map validate maps a block device as QEMU 7.2 and 10.0 do (a loop device)" {
	[[ -x $QEMU72 ]] || skip "no QEMU 7.2 at $QEMU72"
	((EUID == 0)) || skip "loop devices need root"
	LOOP=$(losetup -f --show f.img) || skip "no free loop device"
	rm f.img
	ln -s "$LOOP" f.img
	local c
	for c in "size=8M,share=on,pmem=on" "size=4M,share=off" "size=8M,share=on,align=2M"; do
		agree "$QEMU72" 7.2 "$c"
		[[ -z ${QEMU10:-} ]] || agree "$QEMU10" 10.0 "$c"
	done
}

teardown() {
	[[ -z ${LOOP:-} ]] || losetup -d "$LOOP"
}
