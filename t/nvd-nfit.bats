#!/usr/bin/env bats
# nvd-nfit: QEMU's test vectors byte for byte, the decoder on valid and broken tables, --diff.

bats_require_minimum_version 1.5.0
load lib/common

# QEMU's tests/data/acpi NFIT blobs, kept in the repository (t/fixtures/qemu-acpi/README.md).
VECTORS=$REPO/t/fixtures/qemu-acpi

# The configuration of QEMU's bios-tables-test "dimmpxm" (tests/qtest/bios-tables-test.c).
dimmpxm() {
	DIMMPXM=(-machine "$1,nvdimm=on,nvdimm-persistence=cpu" -smp 4,sockets=4 -m 128M,slots=3,maxmem=1G)
	for n in 0 1 2 3; do
		DIMMPXM+=(-object "memory-backend-ram,id=ram$n,size=32M" -numa "node,memdev=ram$n,nodeid=$n")
	done
	DIMMPXM+=(-object memory-backend-ram,id=ram4,size=128M -device pc-dimm,id=dimm0,memdev=ram4,node=1
		-object memory-backend-ram,id=nvm0,size=128M -device nvdimm,id=dimm1,memdev=nvm0,node=2)
}

setup() {
	load_bats_libs
	NFIT=$BIN/nvd-nfit
	cd "$BATS_TEST_TMPDIR"
}

@test "QEMU's vector x86/pc/NFIT.dimmpxm, byte for byte" {
	dimmpxm pc
	"$NFIT" --qemu-version 7.2 --raw -- "${DIMMPXM[@]}" > pc.nfit
	cmp pc.nfit "$VECTORS/x86/pc/NFIT.dimmpxm"
	"$NFIT" --qemu-version 10.0 --raw -- "${DIMMPXM[@]}" | cmp - "$VECTORS/x86/pc/NFIT.dimmpxm"
}

@test "QEMU's vector x86/q35/NFIT.dimmpxm, byte for byte" {
	dimmpxm q35
	"$NFIT" --qemu-version 7.2 --raw -- "${DIMMPXM[@]}" | cmp - "$VECTORS/x86/q35/NFIT.dimmpxm"
}

@test "QEMU's vector aarch64/virt/NFIT.memhp, byte for byte (--target aarch64)" {
	# bios-tables-test boots UEFI: with firmware virt has its GED device, which the pc-dimm needs
	"$NFIT" --qemu-version 10.2 --target aarch64 --raw -- -M virt,nvdimm=on -cpu cortex-a57 -bios QEMU_EFI.fd \
		-m 256M,slots=3,maxmem=1G -object memory-backend-ram,id=ram0,size=128M \
		-object memory-backend-ram,id=ram1,size=128M -numa node,memdev=ram0 -numa node,memdev=ram1 \
		-numa dist,src=0,dst=1,val=21 -object memory-backend-ram,id=ram2,size=128M \
		-device pc-dimm,id=dimm0,memdev=ram2,node=0 -object memory-backend-ram,id=nvm0,size=128M \
		-device nvdimm,id=dimm1,memdev=nvm0,node=1 | cmp - "$VECTORS/aarch64/virt/NFIT.memhp"
}

@test "decode: QEMU's vectors are valid, fields named as iasl -d names them" {
	run "$NFIT" --decode "$VECTORS/x86/pc/NFIT.dimmpxm"
	assert_success
	assert_line "[000h 0000   4]                    Signature : \"NFIT\"    [NVDIMM Firmware Interface Table]"
	assert_line "[009h 0009   1]                     Checksum : D5"
	assert_line "[048h 0072   8]           Address Range Base : 0000000108000000"
	assert_line "[0A8h 0168   4]                Serial Number : 00123457"
	assert_line "                       Cache Flush to NVDIMM : 1"
	run "$NFIT" --json --decode "$VECTORS/aarch64/virt/NFIT.memhp"
	assert_success
	jq -e '.valid == true and .length == 224 and (.structures | map(.type)) == [0, 1, 4]' <<<"$output"
	jq -e '.structures[0].fields | .address == 2281701376 and .proximity_domain == 1 and .region_type_guid == "66F0D379-B4F3-4074-AC43-0D3318B78CDB"' <<<"$output"
}

@test "the text is what iasl -d prints, field for field" {
	command -v iasl >/dev/null || skip "iasl (acpica-tools) is not installed"
	"$NFIT" --qemu-version 7.2 --offline --raw -- -M q35,nvdimm=on,nvdimm-persistence=mem-ctrl \
		-m 512M,slots=4,maxmem=8G -object memory-backend-ram,id=r0,size=256M \
		-device nvdimm,id=a,memdev=r0,unarmed=on -object memory-backend-ram,id=r1,size=512M \
		-device nvdimm,id=b,memdev=r1 > x.dat
	for t in x.dat "$VECTORS/x86/pc/NFIT.dimmpxm" "$VECTORS/aarch64/virt/NFIT.memhp"; do
		[[ -f $t ]] || fail "$t: missing"
		cp "$t" t.dat
		iasl -d t.dat >/dev/null 2>&1
		sed -n '/^\[000h/,/^Raw Table Data/p' t.dsl | sed '$d' > iasl.txt
		"$NFIT" --decode t.dat | tail -n +2 > ours.txt
		diff -u iasl.txt ours.txt || fail "$t: nvd-nfit's text differs from iasl -d"
	done
}

@test "generate: slots, addresses, pmem sizes, not-armed and capabilities in the JSON" {
	run "$NFIT" --qemu-version 7.2 --offline --json -- -M q35,nvdimm=on,nvdimm-persistence=mem-ctrl \
		-m 512M,slots=4,maxmem=8G \
		-object memory-backend-file,id=m0,share=on,mem-path=a.img,size=1G -device nvdimm,id=nv0,memdev=m0,label-size=128K \
		-object memory-backend-file,id=m1,share=on,mem-path=b.img,size=1G -device nvdimm,id=nv1,memdev=m1,unarmed=on,slot=3
	assert_success
	jq -e '.length == 424 and .valid' <<<"$output"
	jq -e '[.structures[] | select(.type == 0) | .fields | [.range_index, .address, .length]] | sort == [[2, 4294967296, 1073610752], [8, 5368578048, 1073741824]]' <<<"$output"
	jq -e '[.structures[] | select(.type == 1) | .fields | [.device_handle, .flags]] | sort == [[1, 0], [4, 8]]' <<<"$output"
	jq -e '[.structures[] | select(.type == 7) | .fields.capabilities] == [2]' <<<"$output"
}

# handles CONFIG...: the device handles (slot + 1) of the memory device maps, in table order.
handles() {
	"$NFIT" --qemu-version 7.2 --offline --json -- "$@" |
		jq -c '[.structures[] | select(.type == 1) | .fields.device_handle]'
}

@test "structure order: GLib's table of ids and of anonymous devices, grown and rehashed" {
	# The orders a real guest read under QEMU 7.2 and 10.0 (t/guest/nfit.bats); inserting the
	# 8 ids straight into the grown table (nvd-nfit before) gave [1,7,2,6,8,4,3,5].
	local ids=(pmem13 dl nv12 nv23 nv37 nv15 pmem2 de) n args=()
	for n in 0 1 2 3 4 5 6 7; do
		args+=(-object "memory-backend-ram,id=mem$n,size=256M" -device "nvdimm,id=${ids[n]},memdev=mem$n")
	done
	assert_equal "$(handles -machine nvdimm=on -m 512M,slots=8,maxmem=16G "${args[@]}")" '[1,7,2,8,4,3,5,6]'
	# anonymous devices are device[N] in order, all of them: one before the NVDIMMs moves them
	args=()
	for n in 0 1 2 3 4 5 6 7; do
		args+=(-object "memory-backend-ram,id=mem$n,size=256M" -device "nvdimm,memdev=mem$n")
	done
	assert_equal "$(handles -machine nvdimm=on -m 512M,slots=8,maxmem=16G "${args[@]}")" '[4,3,2,1,8,7,6,5]'
	assert_equal "$(handles -machine nvdimm=on -m 512M,slots=8,maxmem=16G -chardev null,id=c \
		-device isa-debugcon,chardev=c "${args[@]}")" '[3,2,1,8,7,6,5,4]'
}

@test "--hex prints the table as iasl's raw dump does" {
	run "$NFIT" --qemu-version 7.2 --offline --hex -- -M pc,nvdimm=on -m 512M,slots=1,maxmem=2G \
		-object memory-backend-ram,id=r0,size=128M -device nvdimm,memdev=r0
	assert_success
	assert_line --index 0 --regexp '^    0000: 4E 46 49 54 E0 00 00 00 01 [0-9A-F]{2} 42 4F 43 48 53 20  // NFIT\.\.\.\.\.\.BOCHS $' 
	assert_equal "${#lines[@]}" 14
}

@test "--diff: the same table in another structure order agrees; a changed field is named" {
	args=(-M pc,nvdimm=on -m 512M,slots=2,maxmem=4G
		-object memory-backend-ram,id=r0,size=128M -device nvdimm,id=a,memdev=r0
		-object memory-backend-ram,id=r1,size=256M -device nvdimm,id=b,memdev=r1,unarmed=on)
	"$NFIT" --qemu-version 7.2 --raw -- "${args[@]}" > want.nfit
	# swap the two NVDIMMs' 184-byte groups and fix the checksum
	python3 - <<'PY'
t = bytearray(open("want.nfit", "rb").read())
body = t[40:]
t[40:] = body[184:368] + body[:184]
t[9] = 0
t[9] = (-sum(t)) & 0xff
open("swapped.nfit", "wb").write(t)
t[40 + 36] ^= 0x10          # first SPA's base address, bits 32-39
t[9] = 0
t[9] = (-sum(t)) & 0xff
open("changed.nfit", "wb").write(t)
PY
	run "$NFIT" --qemu-version 7.2 --diff swapped.nfit -- "${args[@]}"
	assert_success
	assert_output --partial "the same"
	run "$NFIT" --qemu-version 7.2 --json --diff changed.nfit -- "${args[@]}"
	assert_failure 1
	jq -e '.equal == false and (.findings | length) == 1 and (.findings[0].message | test("Address Range Base"))' <<<"$output"
}

# A broken table: exit 1, the reason, no crash.
broken() {
	run --separate-stderr "$NFIT" --json --decode "$1"
	assert_equal "$status" 1
	jq -e --arg id "$2" '.valid == false and ([.findings[].id] | index($id) != null)' <<<"$output"
}

@test "decode: broken tables give the reason and exit 1" {
	"$NFIT" --qemu-version 7.2 --offline --raw -- -M pc,nvdimm=on -m 512M,slots=1,maxmem=2G \
		-object memory-backend-ram,id=r0,size=128M -device nvdimm,memdev=r0 > good.nfit
	run "$NFIT" --decode good.nfit
	assert_success
	head -c 100 good.nfit > truncated.nfit
	broken truncated.nfit nfit-length
	head -c 20 good.nfit > tiny.nfit
	broken tiny.nfit nfit-truncated
	{ printf 'NFIX'; tail -c +5 good.nfit; } > sig.nfit
	broken sig.nfit nfit-signature
	python3 -c 'import sys; t=bytearray(open("good.nfit","rb").read()); t[50]^=1; open("sum.nfit","wb").write(t)'
	broken sum.nfit nfit-checksum
	# a structure that claims more bytes than the table has
	python3 -c 'import sys; t=bytearray(open("good.nfit","rb").read()); t[42]=0xff; t[43]=0xff; t[9]=0; t[9]=(-sum(t))&0xff; open("lie.nfit","wb").write(t)'
	broken lie.nfit nfit-structure-length
	# a structure shorter than its type allows is shown raw
	python3 -c 'import sys; t=bytearray(open("good.nfit","rb").read()); t[42]=8; t[9]=0; t[9]=(-sum(t))&0xff; open("short.nfit","wb").write(t)'
	broken short.nfit nfit-structure-length
	# an unknown structure type is shown raw and is not an error
	python3 -c 'import struct; t=bytearray(open("good.nfit","rb").read()); t+=struct.pack("<HHI",99,8,0xdeadbeef); t[4:8]=struct.pack("<I",len(t)); t[9]=0; t[9]=(-sum(t))&0xff; open("unknown.nfit","wb").write(t)'
	run "$NFIT" --json --decode unknown.nfit
	assert_success
	jq -e '.structures[-1] | .type == 99 and .raw == "630008" + "00efbeadde"' <<<"$output" || jq -e '.structures[-1].type == 99' <<<"$output"
	: > empty.nfit
	broken empty.nfit nfit-truncated
}

@test "decode: every structure type of ACPI 6.x" {
	python3 - <<'PY'
import struct
def s(t, body): return struct.pack("<HH", t, 4 + len(body)) + body
parts = [
  s(0, struct.pack("<HHIi16sQQQ", 2, 3, 0, 0, bytes(16), 1 << 32, 1 << 30, 0x8008)),
  s(1, struct.pack("<IHHHHQQQHHHH", 1, 0, 0, 2, 3, 1 << 30, 0, 0, 4, 2, 0x48, 0)),
  s(2, struct.pack("<HHIIII", 4, 0, 2, 256, 0, 256)),
  s(3, struct.pack("<I", 0) + b"SMBIOS!!"),
  s(4, struct.pack("<HHHHHHHBBHHIHHQQQQQH6s", 3, 0x8086, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0x1234, 0x301, 1, 4096, 0, 8, 8, 8, 1, bytes(6))),
  s(5, struct.pack("<HHQQQQ", 3, 1, 0, 4096, 1 << 20, 1 << 40)),
  s(6, struct.pack("<IH6sQQ", 1, 2, bytes(6), 0xfee00000, 0xfee01000)),
  s(7, struct.pack("<B3sII", 2, bytes(3), 7, 0)),
]
body = b"".join(parts)
hdr = struct.pack("<4sIBB6s8sI4sII", b"NFIT", 40 + len(body), 1, 0, b"VENDOR", b"TABLE   ", 1, b"TEST", 1, 0)
t = bytearray(hdr + body)
t[9] = (-sum(t)) & 0xff
open("all.nfit", "wb").write(t)
PY
	run --separate-stderr "$NFIT" --json --decode all.nfit
	assert_success
	jq -e '(.structures | map(.type)) == [0, 1, 2, 3, 4, 5, 6, 7]' <<<"$output"
	jq -e '.structures[2].fields | .line_count == 2 and .line_offsets == [0, 256]' <<<"$output"
	jq -e '.structures[6].fields | .hint_count == 2 and .hint_addresses == [4276092928, 4276097024]' <<<"$output"
	jq -e '.structures[5].fields | .start_address == 1099511627776' <<<"$output"
	jq -e '.structures[1].fields.flags == 72' <<<"$output"
	run "$NFIT" --decode all.nfit
	assert_line --partial "[Flush Hint Address]"
	assert_line "                            Device not armed : 1"
	assert_line "                        Memory Mirroring : 1" || assert_line --partial "Memory Mirroring : 1"
}

@test "a configuration QEMU refuses gives nvd-plan's findings and exit 1; no NVDIMM: no NFIT" {
	run --separate-stderr "$NFIT" --qemu-version 7.2 --offline -- -M pc -m 512M,slots=1,maxmem=2G \
		-object memory-backend-ram,id=r0,size=128M -device nvdimm,memdev=r0
	assert_failure 1
	assert_output --partial "QEMU: nvdimm is not enabled: missing 'nvdimm' in '-M'"
	run --separate-stderr "$NFIT" --qemu-version 7.2 --offline --json -- -M pc -m 512M,slots=1,maxmem=2G \
		-object memory-backend-ram,id=r0,size=128M -device nvdimm,memdev=r0
	assert_failure 1
	jq -e '.tool == "nvd-nfit" and .verdict == "reject" and .valid == false and .findings[0].id == "machine-nvdimm-off"' <<<"$output"
	run --separate-stderr "$NFIT" --qemu-version 7.2 --offline -- -M pc,nvdimm=on -m 512M
	assert_failure 1
	assert_line "command line: QEMU 7.2: accept: no NFIT: -m has no slots: QEMU builds neither SSDT nor NFIT"
	run --separate-stderr "$NFIT" --qemu-version 7.2 --offline --json -- -M pc,nvdimm=on -m 512M
	assert_failure 1
	jq -e '.valid == false and ([.findings[].id] | index("nfit-none") != null)' <<<"$output"
	# the configuration's warnings come along, and --strict fails them
	args=(-M pc,nvdimm=on -m 512M,slots=1,maxmem=2G -object memory-backend-file,id=m0,mem-path=x.img,size=128M
		-device nvdimm,id=nv0,memdev=m0)
	run "$NFIT" --qemu-version 7.2 --offline -- "${args[@]}"
	assert_success
	assert_output --partial "[nvdimm-share-off]"
	run "$NFIT" --qemu-version 7.2 --offline --strict -- "${args[@]}"
	assert_failure 1
}

@test "an NFIT given as a configuration: the hint to use --decode" {
	"$NFIT" --qemu-version 7.2 --offline --raw -- -M pc,nvdimm=on -m 512M,slots=1,maxmem=2G \
		-object memory-backend-ram,id=r0,size=128M -device nvdimm,memdev=r0 > t.nfit
	run --separate-stderr "$NFIT" t.nfit
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "nvd-nfit: t.nfit is an NFIT, not a configuration: use --decode t.nfit"
	# --decode --raw passes the bytes through but still says when they are invalid
	head -c 100 t.nfit > cut.nfit
	run --separate-stderr "$NFIT" --decode cut.nfit --hex
	assert_failure 1
	assert_equal "${stderr%%$'\n'*}" "nvd-nfit: cut.nfit: the header says 224 bytes, the table has 100"
}

@test "bad input: one line, the exit code, nothing on stdout" {
	for args in "--bogus" "" "--raw --hex -- -M pc" "--decode x --diff y" "--qemu-version 1.0 -- -M pc" \
		"a.args b.args" "--json --raw -- -M pc"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$NFIT" $args
		assert_equal "$status" 2
		assert_equal "$output" ""
		[[ $stderr == nvd-nfit:* ]]
	done
	run --separate-stderr "$NFIT" --decode no-such-file
	assert_equal "$status" 3
	assert_equal "$stderr" "nvd-nfit: no-such-file: No such file or directory"
	mkdir adir
	run --separate-stderr "$NFIT" --decode adir
	assert_equal "$status" 3
	run --separate-stderr "$NFIT" --decode /dev/zero
	assert_equal "$status" 3
	assert_equal "$stderr" "nvd-nfit: /dev/zero: larger than 1 MiB: not an NFIT"
	run --separate-stderr bash -c "'$NFIT' --decode '$VECTORS/x86/pc/NFIT.dimmpxm' > /dev/full"
	assert_equal "$status" 3
}
