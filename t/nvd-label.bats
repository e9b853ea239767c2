#!/usr/bin/env bats
# nvd-label: init/dump/check against the kernel's sizing and checksums, the raw area ndctl wrote
# in a guest (shared/reference/guest-harness.md d), one corruption per kernel rule, the safe
# writer (backup, refusals, nothing outside the area), and bad input.

bats_require_minimum_version 1.5.0
load lib/common

teardown() {
	[[ -z ${HUGE:-} ]] || umount "$HUGE" 2>/dev/null || :
	[[ -z ${OLD_NR_HUGEPAGES:-} ]] || echo "$OLD_NR_HUGEPAGES" >/proc/sys/vm/nr_hugepages 2>/dev/null || :
}

setup() {
	load_bats_libs
	L=$BIN/nvd-label
	LSA="python3 $FIXTURES/label/lsa.py"
	cd "$BATS_TEST_TMPDIR"
}

# area NAME SIZE [VERSION]: a fresh area file initialised by nvd-label.
area() {
	truncate -s "$2" "$1"
	"$L" init -q --label-size "$2" ${3:+-V "$3"} "$1"
}

# jl FILE JQ-EXPR [OPTIONS...]: the expression must hold on `nvd-label dump --json`.
jl() {
	local f=$1 e=$2
	shift 2
	"$L" dump --json "$@" "$f" | jq -e "$e" >/dev/null || {
		"$L" dump --json "$@" "$f" >&2
		fail "$e does not hold for $f"
	}
}

# A backend of 4 MiB random data whose last 128K is the label area; head.sum is the rest.
random_backend() {
	head -c 4M /dev/urandom >nv.img
	head -c $((4 * 1024 * 1024 - 131072)) nv.img | checksums >head.sum
}

outside_unchanged() {
	assert_equal "$(stat -c %s nv.img)" 4194304
	assert_equal "$(head -c $((4 * 1024 * 1024 - 131072)) nv.img | checksums)" "$(cat head.sum)"
}

@test "init: nslot, index size, seq and free slots as the kernel sizes them (128K/256K, v1.1/v1.2)" {
	# label-size version nslot labeloff(=2S) labelsize
	while read -r size ver nslot labeloff lsize; do
		area "a$size$ver" "$size" "$ver"
		jl "a$size$ver" ".current == 0 and .label_size == $(numfmt --from=iec "$size") and
			([.index[] | .seq] == [3, 2]) and
			all(.index[]; .valid and .checksum_ok and .nslot == $nslot and .free == $nslot and
			    .labeloff == $labeloff and .labelsize == $lsize and .major == 1 and
			    .minor == (\"$ver\" | split(\".\")[1] | tonumber)) and
			(.labels | length) == 0 and (.namespaces | length) == 0 and (.findings | length) == 0"
		run "$L" check "a$size$ver"
		assert_success
	done <<'T'
128K 1.1 1020 512 128
128K 1.2 510 512 256
256K 1.1 2040 1024 128
256K 1.2 1022 512 256
T
}

@test "init: index blocks byte-identical to ndctl's (checksum test vectors, bitmap tail set)" {
	area v11 128K 1.1
	area v12 128K 1.2
	# the reference's test vectors (shared/reference/labels-and-libs.md 1.6, ndctl bitmap style)
	run "$L" dump v11
	assert_line "    checksum 0xeb634621d7313e0a (correct), valid"
	assert_line "    checksum 0xeb6349e6d7313e09 (correct), valid"
	run "$L" dump v12
	assert_line "    checksum 0x2793e3edd8323c1c (correct), valid"
	assert_line "    checksum 0x2793e7b2d8323c1b (correct), valid"
	assert_equal "$(xxd -s 0x40 -l 16 -p v11)" 0a3e31d7214663ebffffffffffffffff
	# ALIGN(1020, 64) bits set, as ndctl 76.1 does: bytes 72..199 all 0xff
	assert_equal "$(xxd -s 72 -l 128 -p v11 | tr -d '\n' | tr -d f)" ""
	assert_equal "$(xxd -s 200 -l 56 -p v11 | tr -d '\n0')" ""
}

@test "guest area (ndctl, 128K v1.1): seq 2/1, one active label, the namespace; --all-slots adds the stale one" {
	$LSA guest-v11 g.lsa
	jl g.lsa '.current == 0 and ([.index[] | .seq] == [2, 1]) and ([.index[] | .free] == [1019, 1019])'
	jl g.lsa 'all(.index[]; .valid and .checksum_ok)'
	run "$L" dump g.lsa
	assert_line "    checksum 0xeb63458ad7313e07 (correct), valid"
	jl g.lsa '.labels | length == 1 and .[0].slot == 1 and .[0].flags == 0 and .[0].name == "demo-label"'
	jl g.lsa '.labels[0] | .uuid == "9b05d4ac-7258-4435-8148-16c4256ee4cf" and .isetcookie == 10248187106440278 and .lbasize == 512 and .dpa == 0 and .rawsize == 1056964608 and .nlabel == 1 and .position == 0'
	jl g.lsa '.labels[0] | has("type_guid") | not'
	jl g.lsa '.namespaces == [{"uuid":"9b05d4ac-7258-4435-8148-16c4256ee4cf","name":"demo-label","size":1056964608,"dpa":0,"claim_class":null,"sector_size":512,"isetcookie":10248187106440278,"slot":1,"updating":false}]'
	jl g.lsa '[.labels[] | [.slot, .flags, .active]] == [[0, 8, false], [1, 0, true]]' --all-slots
	run --separate-stderr "$L" check g.lsa
	assert_success
	assert_output --partial "index 0 current (seq 2), v1.1, 128-byte labels, 1020 slots, 1019 free, 1 namespace"
	run "$L" dump g.lsa
	assert_success
	assert_output --partial 'slot 1: uuid 9b05d4ac-7258-4435-8148-16c4256ee4cf name "demo-label"'
}

@test "v1.2 labels: GUIDs canonical with the claim class, checksum checked" {
	area v12 128K 1.2
	$LSA label v12 512 0 256 name=fs abstraction=fsdax
	$LSA label v12 768 1 256 uuid=11111111-2222-3333-4444-555555555555 abstraction=devdax dpa=0x40000000 rawsize=0x1000000
	$LSA busy v12 0 0
	$LSA busy v12 0 1
	$LSA index-sum v12 0 256
	jl v12 '.labels | length == 2'
	jl v12 '.labels[0] | .type_guid == "66f0d379-b4f3-4074-ac43-0d3318b78cdb" and .abstraction_guid == "266400ba-fb9f-4677-bcb0-968f11d0d225" and .claim_class == "fsdax" and .checksum_ok'
	jl v12 '[.namespaces[].claim_class] == ["fsdax", "devdax"]'
	run "$L" check v12
	assert_success
	# a wrong label checksum: the kernel ignores the label
	$LSA set v12 $((768 + 248)) u64 1
	# the index is valid, so check passes; the ignored label is a warning, --strict fails it
	run "$L" check v12
	assert_success
	assert_output --partial "warn: slot1: slot 1 is in use but its checksum 0x0000000000000001 is wrong: the kernel ignores it [label-checksum]"
	run "$L" check --strict v12
	assert_failure 1
}

# corrupt FIELD-OFFSET TYPE VALUE: set the field in both index blocks of a 128K v1.1 area
# and fix their checksums, so that only this rule fails.
corrupt_both() {
	area c.lsa 128K 1.1
	$LSA set c.lsa "$1" "$2" "$3"
	$LSA set c.lsa $((256 + $1)) "$2" "$3"
	$LSA index-sum c.lsa 0 256
	$LSA index-sum c.lsa 256 256
	run --separate-stderr "$L" check c.lsa
	assert_failure 1
	assert_output --partial "no valid index block: the kernel treats the DIMM as label-less [label-no-index]"
}

@test "corrupt: signature" {
	corrupt_both 0 u8 0x6e
	refute_output --partial "used without labels"
	assert_output --partial 'fail: index0: index block 0 at offset 0 (128-byte labels): signature is not "NAMESPACE_INDEX"'
	assert_output --partial 'fail: index1: index block 1 at offset 0x100'
}

@test "corrupt: checksum" {
	area c.lsa 128K 1.1
	$LSA set c.lsa 100 u8 0x7f
	$LSA set c.lsa 356 u8 0x7f
	run "$L" check c.lsa
	assert_failure 1
	assert_output --partial "index block 0 at offset 0 (128-byte labels): checksum 0xeb634621d7313e0a does not match"
	assert_output --partial "(fletcher64 over 256 bytes)"
}

@test "corrupt: sequence number 0 (and 4: only the low two bits count)" {
	corrupt_both 20 u32 4
	assert_output --partial "sequence number 0x4 is invalid (low two bits are 0)"
}

@test "corrupt: myoff, otheroff" {
	corrupt_both 24 u64 0x200
	assert_output --partial "myoff 0x200 is not 0"
	corrupt_both 40 u64 0x300
	assert_output --partial "otheroff 0x300 is not 0x100"
}

@test "corrupt: labeloff overlapping the index blocks" {
	corrupt_both 48 u64 0x100
	assert_output --partial "labeloff 0x100 is not 0x200: labels would overlap the index blocks"
}

@test "corrupt: mysize" {
	corrupt_both 32 u64 0x20
	assert_output --partial "mysize 32 is outside 72..256"
}

@test "corrupt: nslot too large for the area" {
	corrupt_both 56 u32 1021
	assert_output --partial "nslot 1021 is too large: 1021 labels of 128 bytes and two 256-byte index blocks exceed the 131072-byte area"
}

@test "labelsize byte: ignored in v1.1 (as the kernel does), 512-byte labels in v1.2 are not Linux's" {
	area c.lsa 128K 1.1
	$LSA set c.lsa 19 u8 2
	$LSA index-sum c.lsa 0 256
	run "$L" check c.lsa
	assert_success
	area c2.lsa 128K 1.2
	$LSA set c2.lsa 19 u8 2
	$LSA set c2.lsa 275 u8 2
	$LSA index-sum c2.lsa 0 256
	$LSA index-sum c2.lsa 256 256
	run "$L" check c2.lsa
	assert_failure 1
	assert_output --partial "version 1.2 with labelsize byte 2 means 512-byte labels, not 128"
}

@test "one index block corrupt: the other is current, a warning, exit 0" {
	area c.lsa 128K 1.2
	$LSA set c.lsa 300 u8 1
	run "$L" check c.lsa
	assert_success
	assert_output --partial "warn: index1: index block 1 at offset 0x100 (256-byte labels): checksum"
	jl c.lsa '.current == 0 and .index[1].valid == false and (.index[1].reason | test("checksum"))'
}

@test "sequence choice: equal seqs pick index 1, 3 then 1 picks the 1" {
	$LSA guest-v11 g.lsa
	$LSA set g.lsa 20 u32 1
	$LSA index-sum g.lsa 0 256
	jl g.lsa '.current == 1'
	$LSA set g.lsa 20 u32 3
	$LSA index-sum g.lsa 0 256
	jl g.lsa '.current == 1 and .labels[0].slot == 0'
}

@test "corrupt: a label's slot field out of range: the kernel ignores it, a warning (--strict: exit 1)" {
	$LSA guest-v11 g.lsa
	$LSA set g.lsa $((0x280 + 120)) u32 1020
	run "$L" check g.lsa
	assert_success
	assert_output --partial "warn: slot1: slot 1 is in use but its label says slot 1020: the kernel ignores it [label-slot-mismatch]"
	run "$L" check --strict g.lsa
	assert_failure 1
	jl g.lsa '.namespaces == []'
}

@test "corrupt: overlapping namespaces, a namespace beyond the pmem, interleave fields" {
	area v.lsa 128K 1.1
	$LSA label v.lsa 512 0 128 rawsize=0x200000
	$LSA label v.lsa 640 1 128 uuid=11111111-2222-3333-4444-555555555555 dpa=0x100000 rawsize=0x200000
	$LSA busy v.lsa 0 0
	$LSA busy v.lsa 0 1
	$LSA index-sum v.lsa 0 256
	run "$L" check --strict v.lsa
	assert_failure 1
	assert_output --partial "namespaces 9b05d4ac-7258-4435-8148-16c4256ee4cf (slot 0) and 11111111-2222-3333-4444-555555555555 (slot 1) overlap at dpa 0x100000 [label-overlap]"
	# inside a 4M backend, 1G of rawsize runs into the label area
	$LSA guest-v11 g.lsa
	head -c 4M /dev/zero >nv.img
	dd if=g.lsa of=nv.img bs=128K seek=31 conv=notrunc status=none
	run "$L" check --strict -l 128K nv.img
	assert_failure 1
	assert_output --partial "slot 1: dpa 0 + rawsize 0x3f000000 is outside the DIMM's 0x3e0000 bytes of pmem [label-range]"
	$LSA set g.lsa $((0x280 + 84)) u16 2
	run "$L" check --strict g.lsa
	assert_failure 1
	assert_output --partial "nlabel 2 position 0, but a QEMU NVDIMM is a region of one DIMM"
}

@test "uninitialised: all zero, or data that is not labels (a backend used without labels)" {
	truncate -s 128K z.lsa
	run "$L" check z.lsa
	assert_failure 1
	assert_output --partial "not initialised: the area is all zero, the guest sees a DIMM without labels"
	head -c 128K /dev/urandom >r.lsa
	run "$L" check r.lsa
	assert_failure 1
	assert_output --partial "the backend was used without labels before"
	# dump exits as check does: its fail: lines come with exit 1
	run "$L" dump r.lsa
	assert_failure 1
}

@test "init refuses a valid index without --force; --force replaces it, v1.1 -> v1.2 leaves no stale block" {
	area a.lsa 256K 1.1
	$LSA label a.lsa 1024 0 128
	$LSA busy a.lsa 0 0
	$LSA index-sum a.lsa 0 512
	sum=$(checksums <a.lsa)
	run --separate-stderr "$L" init -l 256K -V 1.2 a.lsa
	assert_failure 1
	assert_equal "$stderr" "nvd-label: a.lsa: the label area holds a valid index (index 0 current, 1 namespace): use --force to replace it"
	assert_equal "$(checksums <a.lsa)" "$sum"
	run "$L" init -l 256K -V 1.2 --force a.lsa
	assert_success
	# the v1.1 index 1 at 512 must be gone, or the kernel's 128-byte trial would still use it
	jl a.lsa '.current == 0 and .index[0].minor == 2 and .index[0].nslot == 1022'
	assert_equal "$(xxd -s 512 -l 16 -p a.lsa)" 00000000000000000000000000000000
}

@test "writes: only the label area changes, the file keeps its size (init, zero, write, --offset/--size)" {
	random_backend
	# the area holds the random bytes, not a label area: only with --force
	run "$L" init -l 128K -V 1.2 nv.img
	assert_failure 1
	run "$L" init -l 128K -V 1.2 --force nv.img
	assert_success
	assert_output "nv.img: initialised the 128 KiB label area at 0x3e0000: v1.2, 510 slots of 256 bytes"
	outside_unchanged
	"$L" check -q -l 128K nv.img
	area w.lsa 128K
	$LSA label w.lsa 512 0 128 rawsize=0x100000
	$LSA busy w.lsa 0 0
	$LSA index-sum w.lsa 0 256
	# w.lsa is an area of its own, not an update of the one on nv.img: only with --force
	run --separate-stderr "$L" write -l 128K -i w.lsa nv.img
	assert_failure 1
	assert_equal "$stderr" "nvd-label: w.lsa: not an update of the area on the backend (index 0 current, seq 3): the area changed since the file was made from it, or the file is not an update of it (read the area again, or use --force)"
	outside_unchanged
	"$L" check -q -l 128K nv.img
	run "$L" write -l 128K -i w.lsa --force nv.img
	assert_success
	outside_unchanged
	cmp <(tail -c 128K nv.img) w.lsa
	run "$L" zero -l 128K nv.img
	assert_success
	outside_unchanged
	assert_equal "$(tail -c 128K nv.img | tr -d '\0' | wc -c)" 0
	# the backend's window is offset 1M, size 2M: the area ends at 3M
	random_backend
	cp nv.img orig.img
	run "$L" init -l 128K --offset 1M --size 2M --force nv.img
	assert_success
	assert_output --partial "label area at 0x2e0000"
	"$L" check -q -l 128K --offset 1M --size 2M nv.img
	run "$L" zero -l 128K --offset 1M --size 2M nv.img
	assert_equal "$(stat -c %s nv.img)" 4194304
	assert_equal "$(dd if=nv.img bs=1K skip=$((3072 - 128)) count=128 status=none | tr -d '\0' | wc -c)" 0
	# everything but [3M-128K, 3M) is as it was
	cmp -l orig.img nv.img | awk '$1 <= 3 * 1048576 - 131072 || $1 > 3 * 1048576 { bad = 1 } END { exit bad }' ||
		fail "bytes outside the area changed"
}

@test "--backup saves the old area first and must not exist" {
	random_backend
	tail -c 128K nv.img >old.lsa
	run "$L" init -l 128K --force --backup b.lsa nv.img
	assert_success
	cmp b.lsa old.lsa
	assert_equal "$(stat -c %a b.lsa)" 600
	sum=$(checksums <nv.img)
	run --separate-stderr "$L" zero -l 128K --backup b.lsa nv.img
	assert_failure 3
	assert_equal "$stderr" "nvd-label: b.lsa: cannot create the backup: File exists"
	assert_equal "$(checksums <nv.img)" "$sum"
	# and back
	run "$L" write -l 128K -i b.lsa --force nv.img
	assert_success
	cmp <(tail -c 128K nv.img) old.lsa
}

@test "write -i refuses to change a label in use in place (a crash could leave it half-done)" {
	$LSA guest-v11 old.lsa
	truncate -s 1G nv.img
	"$L" write -q -l 128K -i old.lsa nv.img
	# slot 1 holds demo-label in the current index: rename it where it is
	cp old.lsa edited.lsa
	$LSA label edited.lsa $((512 + 128)) 1 128 name=renamed
	"$L" check -q -l 128K edited.lsa
	sum=$(checksums <nv.img)
	run --separate-stderr "$L" write -l 128K -i edited.lsa nv.img
	assert_failure 1
	assert_equal "$stderr" "nvd-label: edited.lsa: slot 1 is in use and would change in place, which a crash while writing can leave half-done (write updated labels to free slots as the kernel does, or use --force)"
	[[ -z $output ]]
	assert_equal "$(checksums <nv.img)" "$sum"
	# the kernel's way: the new label in a free slot (2), the next index frees slot 1
	cp old.lsa moved.lsa
	$LSA label moved.lsa $((512 + 2 * 128)) 2 128 name=renamed
	$LSA set moved.lsa 276 u32 3
	$LSA set moved.lsa $((256 + 72)) u8 0xfb
	$LSA index-sum moved.lsa 256 256
	run "$L" write -q -l 128K -i moved.lsa nv.img
	assert_success
	jl nv.img '[.namespaces[].name] == ["renamed"]' -l 128K
	# --force writes an in-place edit anyway
	"$L" write -q -l 128K -i old.lsa --force nv.img
	run "$L" write -q -l 128K -i edited.lsa --force nv.img
	assert_success
	jl nv.img '[.namespaces[].name] == ["renamed"] and .namespaces[0].slot == 1' -l 128K
}

@test "write -i: validated before writing; wrong size is a usage error; --force writes anyway" {
	area nv.img 128K
	sum=$(checksums <nv.img)
	head -c 128K /dev/urandom >bad.lsa
	run --separate-stderr "$L" write -l 128K -i bad.lsa nv.img
	assert_failure 1
	[[ $stderr == "nvd-label: bad.lsa: not a valid label area: "*"(use --force to write it anyway)" ]] || fail "$stderr"
	assert_equal "$(checksums <nv.img)" "$sum"
	head -c 100K /dev/zero >short.lsa
	run --separate-stderr "$L" write -l 128K -i short.lsa nv.img
	assert_failure 2
	assert_equal "$stderr" "nvd-label: short.lsa: 102400 bytes, but the label area is 131072 bytes"
	head -c 200K /dev/zero >long.lsa
	run --separate-stderr "$L" write -l 128K -i long.lsa nv.img
	assert_failure 2
	assert_equal "$(checksums <nv.img)" "$sum"
	$LSA guest-v11 g.lsa
	run "$L" write -l 128K -i - --force nv.img <g.lsa
	assert_success
	cmp nv.img g.lsa
	run "$L" write -l 128K -i bad.lsa --force nv.img
	assert_success
	cmp nv.img bad.lsa
}

@test "read -o: the area's bytes, to a file or stdout; a full disk is an error" {
	random_backend
	run "$L" read -l 128K -o out.lsa nv.img
	assert_success
	cmp out.lsa <(tail -c 128K nv.img)
	"$L" read -l 128K -o - nv.img | cmp - out.lsa
	run --separate-stderr "$L" read -l 128K -o /dev/full nv.img
	assert_failure 3
	assert_equal "$stderr" "nvd-label: /dev/full: cannot write: No space left on device"
	run --separate-stderr "$L" read -o nv.img -l 128K nv.img
	assert_failure 2
	assert_equal "$stderr" "nvd-label: -o nv.img is the backend nv.img (the same file): writing it would destroy what is read; name another file
Try 'nvd-label --help' for more information."
	assert_equal "$(stat -c %s nv.img)" 4194304
	# a saved area is an area on its own
	run "$L" check out.lsa
	assert_failure 1
}

@test "a backend mapped by a running process is refused unless --force; reading notes it" {
	area nv.img 128K
	python3 -c 'import mmap, sys, time
f = open(sys.argv[1], "r+b"); m = mmap.mmap(f.fileno(), 4096)
print("mapped", flush=True); time.sleep(60)' nv.img >mapped.out &
	pid=$!
	wait_for mapped.out
	sum=$(checksums <nv.img)
	run --separate-stderr "$L" zero -l 128K nv.img
	kill "$pid"
	assert_failure 3
	assert_equal "$stderr" "nvd-label: nv.img: mapped by running process $pid (python3): stop it first, or use --force"
	assert_equal "$(checksums <nv.img)" "$sum"
	python3 -c 'import mmap, sys, time
f = open(sys.argv[1], "r+b"); m = mmap.mmap(f.fileno(), 4096)
print("mapped", flush=True); time.sleep(60)' nv.img >mapped2.out &
	pid=$!
	wait_for mapped2.out
	run "$L" check nv.img
	run2=$output
	run "$L" zero --force -l 128K nv.img
	kill "$pid"
	assert_success
	[[ $run2 == *"mapped by running process $pid (python3)"* ]] || fail "$run2"
}

@test "--dimm: the area from a configuration FILE or -- QEMU-ARGS (nvd-plan's model)" {
	truncate -s 1G nv0.img
	args="-machine nvdimm=on -m 512M,slots=4,maxmem=8G -object memory-backend-file,id=mem0,share=on,mem-path=nv0.img,size=1G -device nvdimm,id=nv0,memdev=mem0,label-size=256K"
	echo "$args" >vm.args
	run "$L" init -V 1.2 --dimm nv0 vm.args
	assert_success
	assert_output "nv0.img: initialised the 256 KiB label area at 0x3ffc0000: v1.2, 1022 slots of 256 bytes"
	# shellcheck disable=SC2086
	run "$L" check --dimm nv0 -- $args
	assert_success
	run "$L" check -l 256K nv0.img
	assert_success
	run --separate-stderr "$L" check --dimm nv9 vm.args
	assert_failure 2
	assert_equal "$stderr" "nvd-label: vm.args: no device with id=nv9"
}

@test "bad input: one line on stderr, the documented exit code, nothing written" {
	truncate -s 128K ok.lsa
	: >empty
	mkdir dir
	mkfifo fifo
	head -c 64K /dev/zero >small
	truncate -s 32M big
	cp ok.lsa ro.lsa
	chmod 000 ro.lsa
	while IFS='|' read -r code want args; do
		# shellcheck disable=SC2086
		run --separate-stderr "$L" $args
		assert_equal "$status" "$code"
		[[ $(head -n 1 <<<"$stderr") == "nvd-label: $want"* ]] || fail "$args: $stderr"
		[[ -z $output ]] || fail "$args printed: $output"
	done <<'T'
3|empty: empty file|check empty
3|dir: is a directory|dump dir
3|fifo: not a regular file or block device|dump fifo
3|/dev/zero: not a regular file or block device|check /dev/zero
3|nonexistent: cannot open|check nonexistent
3|small: 65536 bytes, smaller than the smallest label area|check small
2|invalid --size (5000 bytes): not a multiple of 4 KiB|check --size 5000 -l 128K ok.lsa
2|invalid --label-size (65536 bytes): below QEMU's minimum of 128 KiB|init -l 64K ok.lsa
2|invalid --label-size 'x'|check -l x ok.lsa
3|ok.lsa: the label area (262144 bytes) does not fit|init -l 256K ok.lsa
3|ok.lsa: 131072 bytes, smaller than the backend's offset + size (65536 + 131072): QEMU refuses it|check --offset 64K --size 128K -l 128K ok.lsa
2|big: 33554432 bytes: give --label-size (a file of at most 16 MiB without it is taken as a label area on its own)|check big
2|ok.lsa: give --label-size (or --dimm)|zero ok.lsa
2|--dimm takes the area from the configuration|check --dimm nv0 -l 128K ok.lsa
2|--json is for dump and check|init --json -l 128K ok.lsa
2|--label-version is for init|check -V 1.2 ok.lsa
2|invalid --label-version '2.0'|init -V 2.0 -l 128K ok.lsa
2|unknown command 'frob'|frob ok.lsa
2|no command|
2|no BACKEND given|check
2|one BACKEND|check ok.lsa ok.lsa
2|write needs -i FILE|write -l 128K ok.lsa
2|-i is for write|init -i ok.lsa -l 128K ok.lsa
2|QEMU arguments after -- need --dimm ID|check ok.lsa -- -m 1G
T
	if ((EUID != 0)); then
		run --separate-stderr "$L" check ro.lsa
		assert_equal "$status" 3
	fi
	assert_equal "$(stat -c %s ok.lsa)" 131072
	assert_equal "$(tr -d '\0' <ok.lsa | wc -c)" 0
}

@test "--help, --version, --list-opts; -V is the label version" {
	run "$L" --help
	assert_success
	assert_output --partial "Commands: dump, check, init, zero, read -o FILE, write -i FILE."
	assert_output --partial "-V, --label-version=1.1|1.2"
	run "$L" --version
	assert_success
	assert_output --regexp '^nvd-label \(nvd toolkit\) '
	run "$L" --list-opts
	assert_success
	assert_line -- --label-size=
	assert_line -- --all-slots
	assert_line -- --json
}

@test "check --json: one object of the documented shape" {
	$LSA guest-v11 g.lsa
	run "$L" check --json g.lsa
	assert_success
	jq -e '.tool == "nvd-label" and .version == 1 and .label_size == 131072 and .current == 0 and (.index | length) == 2 and (.labels | length) == 1 and (.namespaces | length) == 1 and .findings == []' <<<"$output"
	jq -e '.index[0] | has("signature") and has("major") and has("minor") and has("labelsize") and has("seq") and has("nslot")' <<<"$output"
	truncate -s 128K z.lsa
	run "$L" check --json z.lsa
	assert_failure 1
	jq -e '.current == null and .findings[0].id == "label-area-zero" and .findings[0].level == "fail"' <<<"$output"
}

# complete WORD...: complete the last WORD of "nvd-label WORD..." as bash would.
complete_words() {
	COMP_WORDS=(nvd-label "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_nvd_label
}

@test "completion: commands first, then options from --list-opts, then values and files" {
	PATH=$BIN:$PATH
	# shellcheck source=../completions/nvd-label
	source "$REPO/completions/nvd-label"
	complete_words ''
	assert_equal "${COMPREPLY[*]}" "dump check init zero read write"
	complete_words d
	assert_equal "${COMPREPLY[*]}" "dump"
	complete_words init --label-v
	assert_equal "${COMPREPLY[*]}" "--label-version="
	complete_words init -V ''
	assert_equal "${COMPREPLY[*]}" "1.1 1.2 2.1"
	complete_words init --label-version = 1.
	assert_equal "${COMPREPLY[*]}" "1.1 1.2"
	complete_words dump --format ''
	assert_equal "${COMPREPLY[*]}" "auto nvdimm cxl"
	complete_words dump --format = c
	assert_equal "${COMPREPLY[*]}" "cxl"
	touch 0x1.img
	complete_words dump --lsa --serial 0
	assert_equal "${COMPREPLY[*]}" ""
	complete_words dump --
	[ "$(printf '%s\n' "${COMPREPLY[@]}" | sort)" = "$( (nvd-label --list-opts; echo --) | sort)" ]
	touch backend.img
	complete_words dump back
	assert_equal "${COMPREPLY[*]}" "backend.img"
}

@test "a backend another process holds a lock on is refused; read -o shares a lock" {
	area nv.img 128K
	python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "rb"); fcntl.flock(f, fcntl.LOCK_EX)
print("locked", flush=True); time.sleep(60)' nv.img >locked.out &
	pid=$!
	wait_for locked.out
	sum=$(checksums <nv.img)
	run --separate-stderr "$L" zero -l 128K nv.img
	assert_failure 3
	assert_equal "$stderr" "nvd-label: nv.img: cannot lock: another process holds a lock on it"
	assert_equal "$(checksums <nv.img)" "$sum"
	# read -o takes a shared lock: never a copy of an area being written
	run --separate-stderr "$L" read -l 128K -o out.lsa nv.img
	assert_failure 3
	assert_equal "$stderr" "nvd-label: nv.img: cannot lock: another process holds a lock on it"
	[[ ! -e out.lsa ]]
	kill "$pid"
	# beside another reader's shared lock it reads
	python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "rb"); fcntl.flock(f, fcntl.LOCK_SH)
print("locked", flush=True); time.sleep(60)' nv.img >shared.out &
	pid=$!
	wait_for shared.out
	run "$L" read -l 128K -o out.lsa nv.img
	assert_success
	run --separate-stderr "$L" init --force -l 128K nv.img
	kill "$pid"
	assert_failure 3
	cmp out.lsa nv.img
}

# race_inputs: start.lsa (ndctl's guest area: index 0 current, demo-label in slot 1) and two
# updates of it as the kernel makes them, each adding a namespace in a free slot and making
# index 1 current (seq 3): add2.lsa adds n2 in slot 2, add3.lsa adds n3 in slot 3.
race_inputs() {
	$LSA guest-v11 start.lsa
	local n slot
	for n in 2 3; do
		cp start.lsa add$n.lsa
		$LSA label add$n.lsa $((512 + n * 128)) $n 128 uuid=11111111-2222-3333-4444-55555555555$n dpa=$((0x3f000000 + n * 0x200000)) rawsize=0x200000 name=n$n
		$LSA set add$n.lsa 276 u32 3
		$LSA busy add$n.lsa 256 $n
		$LSA index-sum add$n.lsa 256 256
	done
	"$L" check -q add2.lsa
	"$L" check -q add3.lsa
}

@test "two write -i started together: every write reported done is in the area (300 races)" {
	race_inputs
	local runs=${NVD_RACE_RUNS:-300} ok2 ok3 names both=0 one=0 none=0 locked=0 moved=0
	for ((r = 0; r < runs; r++)); do
		cp start.lsa nv.lsa
		"$L" write -q -l 128K -i add2.lsa nv.lsa 2>/dev/null &
		p2=$!
		# one run in three the second starts a little later: it may find the first done
		((r % 3 != 1)) || sleep 0.00$((RANDOM % 4))
		"$L" write -q -l 128K -i add3.lsa nv.lsa 2>/dev/null &
		p3=$!
		ok2=0 ok3=0
		wait $p2 || ok2=$?
		wait $p3 || ok3=$?
		"$L" check -q -l 128K nv.lsa || fail "run $r: the area is not valid (exits $ok2 $ok3)"
		names=$("$L" dump --json -l 128K nv.lsa | jq -r '[.namespaces[].name] | join(" ")')
		if ((ok2 == 0)); then [[ " $names " == *" n2 "* ]] || fail "run $r: n2 reported written, the area has: $names (exits $ok2 $ok3)"; fi
		if ((ok3 == 0)); then [[ " $names " == *" n3 "* ]] || fail "run $r: n3 reported written, the area has: $names (exits $ok2 $ok3)"; fi
		# the one that did not write was refused: the lock (3) or the area moved on (1)
		for s in $ok2 $ok3; do [[ $s == [013] ]] || fail "run $r: exit $s"; done
		case $((!ok2 + !ok3)) in 2) both=$((both + 1)) ;; 1) one=$((one + 1)) ;; 0) none=$((none + 1)) ;; esac
		((ok2 + ok3 != 3)) || locked=$((locked + 1))
		((ok2 + ok3 != 1)) || moved=$((moved + 1))
	done
	# never both: the second, whenever it comes, finds the area moved on from its input
	((both == 0)) || fail "$both runs where both wrote"
	((one == runs)) || fail "$none runs where neither wrote"
	echo "# $runs races: one writer done each time; the other found the lock held $locked times, the area moved on $moved times" >&3
}

@test "write -i refuses an input made from an area that has moved on since" {
	race_inputs
	cp start.lsa nv.lsa
	"$L" write -q -l 128K -i add2.lsa nv.lsa
	sum=$(checksums <nv.lsa)
	run --separate-stderr "$L" write -l 128K -i add3.lsa nv.lsa
	assert_failure 1
	assert_equal "$stderr" "nvd-label: add3.lsa: not an update of the area on the backend (index 1 current, seq 3): the area changed since the file was made from it, or the file is not an update of it (read the area again, or use --force)"
	assert_equal "$(checksums <nv.lsa)" "$sum"
	# the same generation again (a repeated write) is no change and is accepted
	run "$L" write -q -l 128K -i add2.lsa nv.lsa
	assert_success
	assert_equal "$(checksums <nv.lsa)" "$sum"
}

@test "--dimm: the real reason a device has no label area to work on" {
	truncate -s 1G nv0.img
	base="-machine nvdimm=on -m 512M,slots=4,maxmem=8G -object memory-backend-file,id=mem0,share=on,mem-path=nv0.img,size=1G"
	while IFS='|' read -r dev want; do
		# shellcheck disable=SC2086
		run --separate-stderr "$L" check --dimm nv0 -- $base -object memory-backend-ram,id=ram0,size=1G -device "$dev"
		assert_equal "$status" 2
		assert_equal "$stderr" "nvd-label: --: device nv0$want"
		[[ -z $output ]] || fail "$dev printed: $output"
	done <<'T'
nvdimm,id=nv0,memdev=mem0,label-size=64K|: label-size below QEMU's minimum of 128 KiB: QEMU refuses it: Property 'nvdimm.label-size' (0x10000) is required at least 0x20000
nvdimm,id=nv0,memdev=mem0,label-size=0|: label-size below QEMU's minimum of 128 KiB: QEMU refuses it: Property 'nvdimm.label-size' (0x0) is required at least 0x20000
nvdimm,id=nv0,memdev=mem0,label-size=big|: QEMU refuses its label-size: Parameter 'label-size' expects size
nvdimm,id=nv0,memdev=mem0| has no label-size: the guest sees it without a label area (give it label-size=128K or more)
pc-dimm,id=nv0,memdev=mem0| is a pc-dimm: only an nvdimm or a cxl-type3 with lsa= has a label area
virtio-pmem-pci,id=nv0,memdev=mem0| is a virtio-pmem-pci: only an nvdimm or a cxl-type3 with lsa= has a label area
nvdimm,id=nv0,memdev=ram0,label-size=128K|: its memdev ram0 is a memory-backend-ram, not a memory-backend-file: the label area is in the VM's memory, not in a file
nvdimm,id=nv0,memdev=nothere,label-size=128K|: no memory backend with id=nothere in the configuration
T
	assert_equal "$(tr -d '\0' <nv0.img | wc -c)" 0
}

huge_free() { awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo; }

@test "hugetlbfs: the area is written through a shared mapping (no write() there), as QEMU does" {
	HUGE=$BATS_TEST_TMPDIR/huge
	mkdir -p "$HUGE"
	mount -t hugetlbfs -o pagesize=2M none "$HUGE" 2>/dev/null || { HUGE=; skip "cannot mount hugetlbfs (needs root)"; }
	hugepages_lock
	truncate -s 4M "$HUGE/nv.img"
	if (($(huge_free) == 0)); then
		# no page to map: refused up front, naming the cause and the fix
		run --separate-stderr "$L" init -l 128K "$HUGE/nv.img"
		assert_failure 3
		assert_equal "$stderr" "nvd-label: $HUGE/nv.img: cannot map the label area to write it (hugetlbfs has no write(); the area is written through a shared mapping, as QEMU does): Cannot allocate memory (no free huge page: raise /proc/sys/vm/nr_hugepages)"
		[[ -z $output ]]
	fi
	if (($(huge_free) < 2)); then
		OLD_NR_HUGEPAGES=$(cat /proc/sys/vm/nr_hugepages)
		echo $((OLD_NR_HUGEPAGES + 2)) >/proc/sys/vm/nr_hugepages 2>/dev/null || :
		(($(huge_free) >= 2)) || skip "no free 2 MiB huge page, and /proc/sys/vm/nr_hugepages cannot be raised"
	fi
	run --separate-stderr "$L" init -l 128K -V 1.2 "$HUGE/nv.img"
	assert_success
	assert_equal "$stderr" ""
	"$L" check -q -l 128K "$HUGE/nv.img"
	"$L" read -l 128K -o saved.lsa "$HUGE/nv.img"
	run "$L" zero -l 128K --backup b.lsa "$HUGE/nv.img"
	assert_success
	cmp b.lsa saved.lsa
	run "$L" check -l 128K "$HUGE/nv.img"
	assert_failure 1
	run "$L" write -l 128K -i saved.lsa "$HUGE/nv.img"
	assert_success
	"$L" read -l 128K -o back.lsa "$HUGE/nv.img"
	cmp back.lsa saved.lsa
	assert_equal "$(stat -c %s "$HUGE/nv.img")" 4194304
	assert_equal "$(head -c $((4 * 1048576 - 131072)) "$HUGE/nv.img" | tr -d '\0' | wc -c)" 0
}

@test "read -o - | write -i -: the writer reads its input before it locks the backend" {
	race_inputs
	cp start.lsa nv.lsa
	for _ in $(seq 30); do
		"$L" read -l 128K -o - nv.lsa | "$L" write -q -l 128K -i - nv.lsa ||
			fail "the pipeline failed"
	done
	cmp nv.lsa start.lsa
	# an input that moved the area on, through a pipe
	"$L" write -q -l 128K -i - nv.lsa <add2.lsa
	cmp nv.lsa add2.lsa
}

@test "read -o racing write -i: every copy saved is the old area or the new one, whole (200 races)" {
	race_inputs
	local runs=${NVD_RACE_RUNS:-200} sr sw saved=0
	for ((r = 0; r < runs; r++)); do
		cp start.lsa nv.lsa
		rm -f copy.lsa
		"$L" write -q -l 128K -i add2.lsa nv.lsa 2>/dev/null &
		pw=$!
		((r % 2)) || sleep 0.00$((RANDOM % 3))
		"$L" read -l 128K -o copy.lsa nv.lsa 2>/dev/null &
		pr=$!
		sw=0 sr=0
		wait $pw || sw=$?
		wait $pr || sr=$?
		[[ $sw == [03] && $sr == [03] ]] || fail "run $r: exits $sw (write) $sr (read)"
		if ((sr == 0)); then
			saved=$((saved + 1))
			cmp -s copy.lsa start.lsa || cmp -s copy.lsa add2.lsa ||
				fail "run $r: the copy is neither the old area nor the new one"
		fi
	done
	echo "# $runs races of read -o with write -i: $saved copies saved, each whole" >&3
}
