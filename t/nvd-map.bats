#!/usr/bin/env bats
# nvd-map: QEMU's backend checks by release, the real mapping, create, prealloc
# and digest never changing an existing file, bad input (fault injection: t/fault.bats).

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	MAP=$BIN/nvd-map
	cd "$BATS_TEST_TMPDIR"
	truncate -s 8M nv.img
}

teardown() {
	[[ -n ${HUGE:-} ]] && umount "$HUGE" 2>/dev/null || :
	[[ -n ${SHM:-} ]] && rm -rf "$SHM" || :
	[[ -n ${BGPID:-} ]] && kill "$BGPID" 2>/dev/null || :
}

# A file of 8 MiB with data in its first and last MiB and a hole between.
mixed_file() {
	truncate -s 8M "$1"
	head -c 1M /dev/urandom | dd of="$1" conv=notrunc status=none
	head -c 1M /dev/urandom | dd of="$1" bs=1M seek=7 conv=notrunc status=none
}

digest_of() {
	"$MAP" digest "$@" | cut -d' ' -f1
}

@test "--help, --version and --list-opts" {
	run "$MAP" --help
	assert_success
	assert_output --partial "Exit status: 0 success"
	run "$MAP" --version
	assert_success
	assert_output --regexp '^nvd-map \(nvd toolkit\) '
	run "$MAP" --list-opts
	assert_success
	assert_line -- "--size="
	assert_line -- "--threads="
	assert_line -- "--sparse"
	assert_line -- "--qemu-version="
	refute_line -- "--sysroot="
}

@test "validate: a file smaller than size, QEMU 7.2's message" {
	run --separate-stderr "$MAP" --qemu-version 7.2 nv.img --size 16M
	assert_equal "$status" 1
	assert_line "      QEMU: backing store size 0x800000 does not match 'size' option 0x1000000"
	assert_line "verdict: reject"
	assert_equal "$stderr" ""
}

@test "validate: a file smaller than size plus offset, QEMU 10.0's message" {
	run "$MAP" validate --qemu-version 10.0 nv.img --size 4M --offset 8M
	assert_equal "$status" 1
	assert_line "      QEMU: mem0 backing store size 0x800000 is too small for 'size' option 0x400000 plus 'offset' option 0x800000"
	# 8.1 to 9.2 let a file no longer than offset pass (QEMU's bug, fixed in 10.0).
	run "$MAP" validate --qemu-version 9.2 nv.img --size 4M --offset 8M
	assert_success
	assert_line "verdict: accept"
}

@test "validate: a larger file is accepted, a same-size one too, in both releases" {
	for v in 7.2 10.0; do
		run "$MAP" --qemu-version $v nv.img --size 4M
		assert_success
		run "$MAP" --qemu-version $v nv.img --size 8M
		assert_success
		run "$MAP" --qemu-version $v nv.img
		assert_success
		assert_output --partial "size 8388608, file 8388608, page 4096, alignment 4096"
	done
}

@test "validate: align rules and their messages" {
	run "$MAP" --qemu-version 10.0 nv.img --size 4M --align 3M
	assert_equal "$status" 1
	assert_line "      QEMU: alignment 0x300000 must be a power of two"
	run "$MAP" --qemu-version 7.2 nv.img --size 4M --align 2K
	assert_equal "$status" 1
	assert_line "      QEMU: alignment 0x800 must be multiples of page size 0x1000"
	run "$MAP" --qemu-version 10.0 nv.img --size 4M --align 2M --json
	assert_success
	assert_equal "$(jq .region_align <<<"$output")" 2097152
	assert_equal "$(jq .mapping.align <<<"$output")" 2097152
	assert_equal "$(jq .mapping.mapped <<<"$output")" true
}

@test "validate: offset and size against the page size, by release" {
	run "$MAP" --qemu-version 10.0 nv.img --size 4M --offset 1000
	assert_equal "$status" 1
	assert_line "      QEMU: offset 0x3e8 must be multiples of page size 0x1000"
	run "$MAP" --qemu-version 10.0 nv.img --size 5000
	assert_equal "$status" 1
	assert_line "      QEMU: backend 'memory-backend-file' memory size must be multiple of 4 KiB"
	# Before 9.1 the size was rounded up to the page silently.
	run "$MAP" --qemu-version 7.2 nv.img --size 5000
	assert_success
}

@test "validate: page size on hugetlbfs (2 MiB)" {
	HUGE=$BATS_TEST_TMPDIR/huge
	mkdir -p "$HUGE"
	mount -t hugetlbfs -o pagesize=2M none "$HUGE" 2>/dev/null || { HUGE=; skip "cannot mount hugetlbfs (needs root)"; }
	hugepages_lock
	truncate -s 4M "$HUGE/vm.img"
	run "$MAP" --qemu-version 10.0 "$HUGE/vm.img" --size 4M --align 4K
	assert_equal "$status" 1
	assert_line "      QEMU: alignment 0x1000 must be multiples of page size 0x200000"
	run "$MAP" --qemu-version 10.0 "$HUGE/new.img" --size 1M
	assert_equal "$status" 1
	assert_line "      QEMU: memory size 0x100000 must be equal to or larger than page size 0x200000"
	run "$MAP" --qemu-version 10.0 "$HUGE/vm.img" --size 3M
	assert_equal "$status" 1
	assert_line "      QEMU: backend 'memory-backend-file' memory size must be multiple of 2 MiB"
	local free
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	run "$MAP" --qemu-version 10.0 "$HUGE/vm.img" --size 4M --json
	assert_equal "$(jq .page_size <<<"$output")" 2097152
	assert_equal "$(jq .region_align <<<"$output")" 2097152
	# The mapping is real: without free huge pages QEMU's mmap fails too.
	if ((free < 2)); then
		assert_equal "$status" 1
		assert_equal "$(jq -r '.findings[0].qemu' <<<"$output")" \
			"unable to map backing store for guest RAM: Cannot allocate memory"
	fi
	[[ ! -e $HUGE/new.img ]] || fail "validate created a file"
}

@test "validate: device-DAX size and alignment from a --sysroot tree" {
	# /dev/null (1:3) stands in for /dev/dax0.0: the tree says it is device-DAX.
	mkdir -p sys/bus/dax sys/dev/char/1:3
	ln -s ../../../bus/dax sys/dev/char/1:3/subsystem
	echo 67108864 >sys/dev/char/1:3/size
	echo 2097152 >sys/dev/char/1:3/align
	run "$MAP" --sysroot "$PWD" --qemu-version 10.0 /dev/null --size 64M
	assert_equal "$status" 1
	assert_line "      QEMU: backing store align 0x200000 is larger than 'align' option 0x0"
	run "$MAP" --sysroot "$PWD" --qemu-version 10.0 /dev/null --size 128M --align 2M
	assert_equal "$status" 1
	assert_line "      QEMU: mem0 backing store size 0x4000000 is too small for 'size' option 0x8000000 plus 'offset' option 0x0"
	run "$MAP" --sysroot "$PWD" --qemu-version 10.0 /dev/null --size 64M --align 2M --json
	assert_equal "$(jq .devdax <<<"$output")" true
	assert_equal "$(jq .file_size <<<"$output")" 67108864
}

@test "validate: MAP_SYNC refused on this ext4, QEMU's warnings with the resolved path" {
	[[ $(stat -f -c %T .) == ext2/ext3 ]] || skip "$PWD is not ext4 ($(stat -f -c %T .))"
	ln -s nv.img link.img
	run --separate-stderr "$MAP" --qemu-version 7.2 link.img --size 8M --share --pmem
	assert_success
	assert_line "      QEMU: Warning: requesting persistence across crashes for backend file $PWD/nv.img failed. Proceeding without persistence, data might become corrupted in case of host crash."
	assert_line "      QEMU: warning: Using non DAX backing file with 'pmem=on' option is deprecated"
	run "$MAP" --qemu-version 7.2 link.img --size 8M --share --pmem --json
	assert_equal "$(jq -r .mapping.flags <<<"$output")" "MAP_SHARED_VALIDATE|MAP_SYNC"
	assert_equal "$(jq .mapping.map_sync <<<"$output")" false
	assert_equal "$(jq .mapping.fallback <<<"$output")" true
	assert_equal "$(jq -r .mapping.sync_error <<<"$output")" "Operation not supported"
	run --separate-stderr "$MAP" --qemu-version 7.2 link.img --size 8M --share --pmem --strict
	assert_equal "$status" 1
	# pmem=on without share=on asks for no MAP_SYNC: silent.
	run "$MAP" --qemu-version 7.2 nv.img --size 8M --pmem --json
	assert_success
	assert_equal "$(jq -r .mapping.flags <<<"$output")" "MAP_PRIVATE"
	assert_equal "$(jq '.findings | length' <<<"$output")" 0
}

@test "validate: MAP_SYNC refused on /dev/shm (tmpfs)" {
	[[ -d /dev/shm && -w /dev/shm ]] || skip "no writable /dev/shm"
	SHM=$(mktemp -d /dev/shm/nvd-map.XXXXXX)
	truncate -s 4M "$SHM/vm.img"
	run "$MAP" --qemu-version 10.0 "$SHM/vm.img" --size 4M --share=on --pmem=on
	assert_success
	assert_line "      QEMU: Warning: requesting persistence across crashes for backend file $SHM/vm.img failed. Proceeding without persistence, data might become corrupted in case of host crash."
}

@test "validate: --object takes QEMU's -object text, its id in the messages" {
	run "$MAP" --qemu-version 10.0 --object "memory-backend-file,id=nv1,mem-path=$PWD/nv.img,size=16M"
	assert_equal "$status" 1
	assert_line --partial "QEMU: nv1 backing store size 0x800000 is too small"
	run "$MAP" --qemu-version 10.0 --object "memory-backend-file,mem-path=nv.img,size=4M"
	assert_equal "$status" 1
	assert_line "      QEMU: Parameter 'id' is missing"
	run "$MAP" --qemu-version 10.0 --object "memory-backend-file,id=a,mem-path=nv.img,size=4M,bogus=1"
	assert_equal "$status" 1
	assert_line "      QEMU: Invalid parameter 'bogus'"
	run --separate-stderr "$MAP" --object "memory-backend-ram,id=r,size=4M"
	assert_equal "$status" 2
	assert_equal "$stderr" "nvd-map: --object: not a memory-backend-file"
}

@test "validate: a missing file or a directory, a FIFO cannot be mapped, /dev/zero can" {
	run "$MAP" --qemu-version 10.0 new.img --size 4M -v
	assert_success
	assert_output --partial "[backend-created]"
	[[ ! -e new.img ]] || fail "validate created the file"
	mkdir dir
	run "$MAP" --qemu-version 10.0 dir --size 4M
	assert_success
	assert_output --partial "QEMU creates an unlinked file qemu_back_mem.mem0.XXXXXX in it"
	assert_equal "$(ls -A dir)" ""
	run "$MAP" --qemu-version 10.0 dir --size 4M --readonly
	assert_equal "$status" 1
	assert_line "      QEMU: can't open backing store dir for guest RAM: Is a directory"
	mkfifo fifo
	run "$MAP" --qemu-version 10.0 fifo --size 4M
	assert_equal "$status" 1
	assert_line "      QEMU: unable to map backing store for guest RAM: No such device"
	run "$MAP" --qemu-version 10.0 /dev/zero --size 4M
	assert_success
	assert_line "      QEMU: ftruncate: Invalid argument"
}

@test "validate and prealloc leave size and content unchanged" {
	mixed_file m.img
	before=$(checksums m.img)
	run "$MAP" m.img --size 8M --share --pmem
	assert_success
	run "$MAP" m.img --size 16M
	assert_equal "$status" 1
	assert_equal "$(checksums m.img)" "$before"
	d1=$(digest_of m.img)
	run "$MAP" prealloc --threads 3 m.img --json
	assert_success
	assert_equal "$(jq .size <<<"$output")" 8388608
	assert_equal "$(jq .allocated <<<"$output")" 8388608
	assert_equal "$(stat -c %s m.img)" 8388608
	assert_equal "$(checksums m.img)" "$before"
	assert_equal "$(digest_of m.img)" "$d1"
	# Twice is harmless, an empty file too.
	run "$MAP" prealloc m.img
	assert_success
	: >empty.img
	run "$MAP" prealloc empty.img
	assert_success
	assert_equal "$(stat -c %s empty.img)" 0
}

@test "create: a new backend, allocated or sparse" {
	run "$MAP" create --size 4M dense.img --json
	assert_success
	assert_equal "$(jq .allocated <<<"$output")" 4194304
	assert_equal "$(stat -c %s dense.img)" 4194304
	run "$MAP" create --size 4M --sparse sparse.img --json
	assert_success
	assert_equal "$(jq .allocated <<<"$output")" 0
	assert_equal "$(stat -c %s sparse.img)" 4194304
	assert_equal "$(digest_of dense.img)" "$(digest_of sparse.img)"
	run "$MAP" --qemu-version 10.0 dense.img --size 4M
	assert_success
	[[ -z $(find . -name '.*nvd-map*') ]] || fail "a temporary file is left"
}

@test "create refuses an existing file and leaves it byte-identical" {
	mixed_file m.img
	before=$(checksums m.img)
	for args in "--size 8M" "--size 16M" "--size 4M" "--size 4M --sparse"; do
		run --separate-stderr "$MAP" create $args m.img
		assert_equal "$status" 3
		assert_equal "$stderr" "nvd-map: m.img: exists: create never touches an existing file"
		assert_equal "$output" ""
	done
	ln -s nowhere dangling
	run --separate-stderr "$MAP" create --size 4M dangling
	assert_equal "$status" 3
	assert_equal "$(checksums m.img)" "$before"
	assert_equal "$(stat -c %s m.img)" 8388608
}

@test "create refuses sizes QEMU refuses, and bad sizes, writing nothing" {
	run --separate-stderr "$MAP" create --size 0 z.img
	assert_equal "$status" 1
	run --separate-stderr "$MAP" create --size 5000 z.img
	assert_equal "$status" 1
	assert_equal "$stderr" "nvd-map: z.img: size 5000 is not a multiple of the page size 4 KiB: QEMU refuses it (backend 'memory-backend-file' memory size must be multiple of 4 KiB)"
	for s in -1 16E 99999999999999999999 9E 1x "" 0x; do
		run --separate-stderr "$MAP" create --size "$s" z.img
		assert_equal "$status" 2
		assert_equal "${#lines[@]}" 0
		[[ $stderr == "nvd-map: invalid --size '$s': "* ]] || fail "stderr: $stderr"
	done
	run --separate-stderr "$MAP" create z.img
	assert_equal "$status" 2
	[[ ! -e z.img ]] || fail "z.img was created"
	run --separate-stderr "$MAP" create --size 4M nodir/z.img
	assert_equal "$status" 3
}

@test "digest: sparse and dense copies agree, one changed byte does not" {
	mixed_file m.img
	cp --sparse=never m.img dense.img
	cp --sparse=always m.img sparse.img
	run "$MAP" digest --json sparse.img
	assert_success
	assert_equal "$(jq -r .algorithm <<<"$output")" "xxh64-4m-v1"
	assert_equal "$(jq .data_bytes <<<"$output")" 2097152
	assert_equal "$(jq .hole_bytes <<<"$output")" 6291456
	d=$(jq -r .digest <<<"$output")
	assert_equal "$(digest_of dense.img)" "$d"
	assert_equal "$(digest_of --threads 1 m.img)" "$d"
	assert_equal "$(digest_of --threads 7 m.img)" "$d"
	run "$MAP" digest --json dense.img
	assert_equal "$(jq .hole_bytes <<<"$output")" 0
	printf 'x' | dd of=sparse.img bs=1 seek=4194305 conv=notrunc status=none
	[[ $(digest_of sparse.img) != "$d" ]] || fail "a changed byte in a hole keeps the digest"
	printf 'x' | dd of=dense.img bs=1 seek=0 conv=notrunc status=none
	[[ $(digest_of dense.img) != "$d" ]] || fail "a changed first byte keeps the digest"
	# Length counts: a longer run of zeros is different content.
	truncate -s 8M z8.img
	truncate -s 12M z12.img
	[[ $(digest_of z8.img) != $(digest_of z12.img) ]] || fail "different lengths, same digest"
}

@test "digest: --expect, a window, text form" {
	mixed_file m.img
	d=$(digest_of m.img)
	run "$MAP" digest --expect "$d" m.img
	assert_success
	assert_output "$d  m.img"
	run --separate-stderr "$MAP" digest --expect 0123456789abcdef m.img
	assert_equal "$status" 1
	assert_equal "$stderr" "nvd-map: m.img: digest $d differs from the expected 0123456789abcdef"
	head -c 2M m.img >part.img
	assert_equal "$(digest_of --size 2M m.img)" "$(digest_of part.img)"
	run --separate-stderr "$MAP" digest --offset 4M --size 8M m.img
	assert_equal "$status" 3
}

@test "digest: the format is frozen (xxh64-4m-v1 golden values)" {
	# XXH64 itself is checked against xxHash's vectors in t/unit/test_map.c.
	printf 'abc' >abc.img
	: >empty.img
	run "$MAP" digest abc.img
	assert_output "1c606efe3bf8e85c  abc.img"
	run "$MAP" digest empty.img
	assert_output "af09f71516247c32  empty.img"
}

@test "prealloc refuses a backend a running process maps, unless --force; and a locked one" {
	mixed_file m.img
	python3 -c 'import mmap,sys,time
f=open(sys.argv[1],"r+b"); m=mmap.mmap(f.fileno(),0); print("ready",flush=True); time.sleep(30)' m.img >ready &
	BGPID=$!
	wait_for ready
	run --separate-stderr "$MAP" prealloc m.img
	assert_equal "$status" 3
	[[ $stderr == "nvd-map: m.img: mapped by running process $BGPID ("*"): stop it first, or use --force" ]] || fail "stderr: $stderr"
	before=$(checksums m.img)
	run "$MAP" prealloc --force m.img
	assert_success
	assert_equal "$(checksums m.img)" "$before"
	kill $BGPID; BGPID=
	flock m.img sh -c 'echo locked >locked; exec sleep 30' &
	BGPID=$!
	wait_for locked
	run --separate-stderr "$MAP" prealloc m.img
	assert_equal "$status" 3
	assert_equal "$stderr" "nvd-map: m.img: cannot lock: another process holds a lock on it"
}

@test "bad input: missing file, directory, FIFO, /dev/zero for the commands that need a file" {
	mkdir dir
	mkfifo fifo
	for cmd in digest prealloc; do
		run --separate-stderr "$MAP" $cmd missing.img
		assert_equal "$status" 3
		assert_equal "$stderr" "nvd-map: missing.img: cannot open: No such file or directory"
		run --separate-stderr "$MAP" $cmd fifo
		assert_equal "$status" 3
		assert_equal "${#lines[@]}" 0
		run --separate-stderr "$MAP" $cmd /dev/zero
		assert_equal "$status" 3
		[[ $stderr == "nvd-map: /dev/zero: not a regular file"* ]] || fail "$stderr"
	done
	run --separate-stderr "$MAP" digest dir
	assert_equal "$status" 3
	run --separate-stderr "$MAP" prealloc dir
	assert_equal "$status" 3
	assert_equal "$stderr" "nvd-map: dir: cannot open: Is a directory"
	run --separate-stderr "$MAP" validate missing.img
	assert_equal "$status" 3
	assert_equal "$stderr" "nvd-map: missing.img: No such file or directory: give --size, as QEMU needs one"
}

@test "bad input: usage errors exit 2 with one line and the hint" {
	for args in "--object x nv.img" "--object memory-backend-file,id=a --size 4M" \
		"digest --sparse nv.img" "digest --share nv.img" "prealloc --expect 0 nv.img" \
		"create --size 4M --force x.img" "prealloc --threads 0 nv.img" "digest --threads 5000 nv.img" \
		"nv.img nv.img" "" "digest" "nv.img --size 1x" "nv.img --size -4K" "nv.img --align 99E" \
		"nv.img --qemu-version 3.1" "--bogus nv.img" "nv.img -- -m 1G" "digest --threads -1 nv.img"; do
		run --separate-stderr "$MAP" $args
		assert_equal "$status" 2
		assert_equal "$output" ""
		[[ $stderr == "nvd-map: "*$'\n'"Try 'nvd-map --help' for more information." ]] || fail "$args: $stderr"
	done
}

@test "on/off options: alone, =VALUE or the next word, as in nvd-check" {
	for form in "--share=off --pmem=on" "--share off --pmem" "--share=no --pmem yes"; do
		# shellcheck disable=SC2086
		run "$MAP" validate --json --qemu-version 7.2 $form nv.img
		jq -e '.object | test("share=(off|no),pmem=(on|yes)")' <<<"$output" || fail "$form: $output"
	done
	# a next word that is no on/off value stays an argument: here the backend
	cp nv.img on.img
	run "$MAP" validate --json --qemu-version 7.2 --share on.img
	jq -e '.path == "on.img" and (.object | test("share=on"))' <<<"$output"
}

@test "names with spaces and commas" {
	truncate -s 8M "a b,c.img"
	run "$MAP" --qemu-version 10.0 "a b,c.img" --size 16M
	assert_equal "$status" 1
	assert_line "QEMU 10.0: -object memory-backend-file,id=mem0,mem-path=a b,,c.img,size=16M"
	run "$MAP" --qemu-version 10.0 "a b,c.img" --size 8M
	assert_success
	run "$MAP" create --size 4M "x y,z.img"
	assert_success
	run "$MAP" digest "x y,z.img"
	assert_success
	run "$MAP" prealloc "x y,z.img"
	assert_success
}

@test "a full stdout is an error, not silence" {
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr bash -c "'$MAP' digest nv.img >/dev/full"
	assert_equal "$status" 3
	assert_equal "$stderr" "nvd-map: write error: No space left on device"
	run --separate-stderr bash -c "'$MAP' nv.img --size 8M >/dev/full"
	assert_equal "$status" 3
}

@test "JSON has one shape: tool, version, command, path, findings" {
	for args in "validate nv.img" "digest nv.img" "prealloc nv.img" "create --size 4M j.img"; do
		run "$MAP" $args --json
		assert_success
		assert_equal "$(jq -r '[.tool, .version, .command, (.findings|type)] | join(" ")' <<<"$output")" \
			"nvd-map 1 ${args%% *} array"
	done
}

# complete WORD...: the replies of completions/nvd-map for "nvd-map WORD...".
complete_words() {
	COMP_WORDS=(nvd-map "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_nvd_map
	output=$(printf '%s\n' "${COMPREPLY[@]}")
	lines=("${COMPREPLY[@]}")
}

@test "bash completion: commands, options from --list-opts, values" {
	PATH=$BIN:$PATH
	source "$REPO/completions/nvd-map"
	complete_words ""
	assert_line validate
	assert_line digest
	assert_line nv.img
	complete_words digest ""
	refute_line validate
	assert_line nv.img
	complete_words --thr
	assert_output "--threads="
	complete_words --qemu-version ""
	assert_line 10.0
	complete_words --pmem=
	assert_line "--pmem=on"
	assert_line "--pmem=off"
	complete_words --size ""
	assert_output ""
	# Every option the binary lists completes, so the two never drift.
	for o in $("$BIN/nvd-map" --list-opts); do
		complete_words "${o%=}"
		assert_line "$o"
	done
}

@test "validate, nvd-plan, nvd-check: a mem-path that is a dangling symbolic link makes QEMU hang" {
	# QEMU's open() finds no file, its open(O_CREAT|O_EXCL) finds the link (EEXIST), and it
	# retries forever (seen with QEMU 7.2 and 10.0); since 8.2 readonly=on refuses first.
	ln -s nowhere.img dangling.img
	run --separate-stderr "$MAP" validate --qemu-version 7.2 --json dangling.img --size 2M
	assert_equal "$status" 1
	assert_equal "$(jq -c '[.verdict, (.findings[] | select(.level == "fail") | .id, .qemu)]' <<<"$output")" \
		'["reject","backend-dangling-link",null]'
	run "$MAP" validate --qemu-version 10.0 dangling.img --size 2M
	assert_equal "$status" 1
	assert_line --partial "fail: mem0: dangling.img is a symbolic link to a file that does not exist: QEMU cannot create the file through the link (O_EXCL) and retries forever, so it hangs and never starts"
	run "$MAP" validate --qemu-version 10.0 dangling.img --size 2M --readonly
	assert_equal "$status" 1
	assert_line "      QEMU: can't open backing store dangling.img for guest RAM: No such file or directory"
	run "$MAP" validate --qemu-version 7.2 dangling.img --size 2M --readonly
	assert_line --partial "[backend-dangling-link]"
	run "$BIN/nvd-plan" --qemu-version 10.0 --json -- -machine pc,nvdimm=on -m 512M,slots=2,maxmem=2G \
		-object memory-backend-file,id=m0,mem-path=dangling.img,size=2M,share=on -device nvdimm,id=nv0,memdev=m0
	assert_equal "$status" 1
	assert_equal "$(jq -r '.verdict, (.findings[] | select(.level == "fail") | .id)' <<<"$output")" $'reject\nbackend-dangling-link'
	run "$BIN/nvd-check" --qemu-version 7.2 --share --pmem --size 2M dangling.img
	assert_equal "$status" 1
	assert_line "  Verdict: REFUSED (QEMU will not start)"
	assert_line "    fix: create the link's target, or point the link at an existing file"
	# nothing was created through the link
	[[ ! -e nowhere.img ]]
}

@test "digest: under a shared lock, and a file cut short meanwhile is named, not digested" {
	# a writer's exclusive flock (nvd-label's, prealloc's) makes digest refuse
	local lk
	mixed_file m.img
	exec {lk}<m.img
	flock -x "$lk"
	run --separate-stderr "$MAP" digest m.img
	assert_equal "$status" 3
	assert_equal "$stderr" "nvd-map: m.img: cannot lock: a writer holds a lock on it"
	# two digests at once share it
	flock -s "$lk"
	run "$MAP" digest m.img
	assert_success
	exec {lk}<&-
	# truncated while digest reads it: exit 3 with the cause, never a digest of the zeros
	# that SEEK_DATA and pread past the new end give
	local i k cut=0 whole=0
	SHM=$(mktemp -d /dev/shm/nvd-map.XXXXXX)
	for ((i = 0; i < 10; i++)); do
		head -c 128M /dev/urandom >"$SHM/d.img"
		"$MAP" digest --threads 2 "$SHM/d.img" >d.out 2>d.err &
		sleep "0.0$((i % 5))"
		truncate -s 1M "$SHM/d.img"
		k=0
		wait $! || k=$?
		case $k in
		0) whole=$((whole + 1)) ;;
		3) assert_equal "$(cat d.err)" "nvd-map: $SHM/d.img: changed under digest: its size changed from 134217728 to 1048576 bytes since it was opened"
		   cut=$((cut + 1)) ;;
		*) fail "run $i: exit $k: $(cat d.err)" ;;
		esac
	done
	echo "digest raced with truncate: $cut of 10 refused, $whole finished first" >&3
	((cut > 0))
}
