#!/usr/bin/env bats
# nvd-plan's size of the ACPI tables (JSON acpi_tables, finding acpi-table-size)
# against real QEMU 7.2. QEMU prints the size only over 64 KiB ("ACPI table size
# N exceeds 65536 bytes"); a 65400-byte -acpitable (65440 bytes with its header
# and RSDT entry) lifts every configuration over that, so QEMU prints the exact
# size of the rest, which nvd-plan must give to the byte. The t/qemu cases
# acpi-* check the warning itself on 7.2, 10.0 and 11.1 (-nodefaults only).

bats_require_minimum_version 1.5.0
load lib/common

QEMU72=${NVD_QEMU72:-/usr/bin/qemu-system-x86_64}

setup() {
	load_bats_libs
	cd "$BATS_TEST_TMPDIR"
	truncate -s 256M nv0.img nv1.img nv2.img
	truncate -s 1G vp.img
	head -c 65400 /dev/zero >pad.dat
}

# qemu_size ARGS...: the size QEMU 7.2 reports for ARGS (without the pad)
qemu_size() {
	local out n
	out=$(LC_ALL=C timeout -k 5 30 "$QEMU72" -S -display none -no-user-config -accel tcg \
		-qmp stdio "$@" -acpitable sig=ZZZZ,data=pad.dat 2>&1 >/dev/null <<<'{"execute":"qmp_capabilities"}
{"execute":"quit"}')
	n=$(sed -n 's/.*ACPI table size \([0-9]*\) exceeds.*/\1/p' <<<"$out")
	[ -n "$n" ] || { echo "QEMU printed no size: $out" >&2; return 1; }
	echo $((n - 65440))
}

# plan_size ARGS...: nvd-plan's size; fails unless it says the figure is exact
plan_size() {
	"$BIN/nvd-plan" --qemu-version 7.2 --offline --json -- "$@" >plan.json || true
	jq -e '.acpi_tables.exact == true' plan.json >/dev/null ||
		{ echo "not exact: $(jq -c .acpi_tables plan.json)" >&2; return 1; }
	jq -r .acpi_tables.size plan.json
}

NV0="-object memory-backend-file,id=m0,mem-path=nv0.img,size=256M,share=on -device nvdimm,id=nv0,memdev=m0"
NV1="-object memory-backend-file,id=m1,mem-path=nv1.img,size=256M,share=on -device nvdimm,id=nv1,memdev=m1"
# every CPU on node 2: a longer _PXM moves where \_SB outgrows 4 KiB (35 CPUs, not 36)
NODES3="-object memory-backend-ram,id=r0,size=1G -numa node,nodeid=0,memdev=r0 -object memory-backend-ram,id=r1,size=1G -numa node,nodeid=1,memdev=r1 -object memory-backend-ram,id=r2,size=1G -numa node,nodeid=2,memdev=r2"
# pc-dimms have no SRAT entry of their own (NVDIMMs do)
DIMMS="-object memory-backend-ram,id=d0,size=256M -device pc-dimm,id=dimm0,memdev=d0 -object memory-backend-ram,id=d1,size=256M -device pc-dimm,id=dimm1,memdev=d1 -object memory-backend-ram,id=d2,size=256M -device pc-dimm,id=dimm2,memdev=d2"
NODES2="-object memory-backend-ram,id=r0,size=1G -numa node,nodeid=0,memdev=r0 -object memory-backend-ram,id=r1,size=3G -numa node,nodeid=1,memdev=r1"

# Configurations of every part the size is made of (the machine's base with
# and without default devices, CPUs and their nodes, slots, nvdimm=on, NVDIMMs,
# NUMA nodes and RAM around the 4 GiB hole, virtio-pmem, old machine types).
CONFIGS=(
	"-nodefaults -machine pc"
	"-machine pc"
	"-machine q35"
	"-nodefaults -machine q35,nvdimm=on -m 512M,slots=1,maxmem=4G"
	"-nodefaults -machine pc,nvdimm=on -m 512M,slots=9,maxmem=4G $NV0"
	"-nodefaults -machine pc,nvdimm=on -m 8G,slots=27,maxmem=64G $NV0 $NV1"
	"-nodefaults -machine pc -smp 1,maxcpus=40 -m 512M,slots=4,maxmem=4G"
	"-nodefaults -machine pc -smp 4,maxcpus=37"
	"-nodefaults -machine q35,nvdimm=on -smp 8,sockets=8 -m 4G,slots=16,maxmem=64G $NODES2 $NV0"
	"-nodefaults -machine pc,nvdimm=on -smp 6,sockets=2,cores=3 -m 4G,slots=200,maxmem=64G $NODES2"
	"-nodefaults -machine pc-i440fx-5.2,nvdimm=on -smp 8 -m 3584M,slots=64,maxmem=64G $NV0"
	"-nodefaults -machine pc-q35-4.2,nvdimm=on,nvdimm-persistence=mem-ctrl -m 2G,slots=255,maxmem=64G $NV0"
	"-nodefaults -machine q35 -m 2G,slots=8,maxmem=64G -object memory-backend-file,id=v0,mem-path=vp.img,size=1G,share=on -device virtio-pmem-pci,id=vp0,memdev=v0"
	"-nodefaults -machine pc -smp 34 -m 3G $NODES3,cpus=0-33"
	"-nodefaults -machine pc -smp 36 -m 3G $NODES3,cpus=0-35"
	"-nodefaults -machine pc-i440fx-2.10"
	"-machine pc-q35-2.9 -m 1G,maxmem=4G"
	"-nodefaults -machine pc,nvdimm=on -m 1G,slots=130,maxmem=64G $NV0 $DIMMS"
	"-nodefaults -machine q35 -smp 4,maxcpus=8 -smp threads=2"
	"-nodefaults -machine pc -smp 6 -m 3G $NODES3,cpus=0x0-0x5"
	"-nodefaults -machine pc-i440fx-2.10 -m 1G,slots=3,maxmem=8G"
	"-nodefaults -machine pc-i440fx-2.10 -m 4G,slots=3,maxmem=8G $NODES2"
)

@test "nvd-plan's ACPI tables are QEMU 7.2's size to the byte" {
	[ -x "$QEMU72" ] || skip "no QEMU 7.2 at $QEMU72"
	[[ $("$QEMU72" --version | head -n 1) == "QEMU emulator version 7.2."* ]] || skip "$QEMU72 is not 7.2"
	local c q p bad=0
	for c in "${CONFIGS[@]}"; do
		# shellcheck disable=SC2086
		q=$(qemu_size $c) || { bad=1; continue; }
		# shellcheck disable=SC2086
		p=$(plan_size $c) || { echo "$c: nvd-plan: not exact" >&2; bad=1; continue; }
		[ "$q" = "$p" ] || { echo "$c: QEMU $q bytes, nvd-plan $p" >&2; bad=1; }
	done
	[ "$bad" = 0 ]
}

@test "acpi-table-size: QEMU 7.2's text when the size is exact" {
	# shellcheck disable=SC2086
	run -0 "$BIN/nvd-plan" --qemu-version 7.2 --offline --json -- \
		-nodefaults -machine pc,nvdimm=on -m 512M,slots=256,maxmem=2G $NV0
	jq -e '[.findings[] | select(.id == "acpi-table-size")] | length == 1 and .[0].level == "warn" and
		.[0].qemu == "warning: ACPI table size 138259 exceeds 65536 bytes, migration may not work"' <<<"$output"
}

@test "acpi-table-size: an estimate, and why, when a device's AML is not modelled" {
	# shellcheck disable=SC2086
	run -0 "$BIN/nvd-plan" --qemu-version 7.2 --offline --json -- \
		-nodefaults -machine pc,nvdimm=on -m 512M,slots=256,maxmem=2G -device e1000,netdev=n0
	jq -e '.acpi_tables.exact == false and .acpi_tables.not_counted == "a -device that is not a memory device"' <<<"$output"
	jq -e '[.findings[] | select(.id == "acpi-table-size")][0] | .qemu == null and
		(.message | test("about 138031 bytes here \\(an estimate: nvd-plan does not model a -device that is not a memory device\\)"))' <<<"$output"
	# options that add AML nvd-plan does not count
	run -0 "$BIN/nvd-plan" --qemu-version 7.2 --offline --json -- \
		-machine pc,nvdimm=on -m 512M,slots=256,maxmem=2G -serial null
	jq -e '.acpi_tables.not_counted == "an option that adds devices (-vga, -serial, -drive...)"' <<<"$output"
	# the first thing not modelled is the one said
	run -0 "$BIN/nvd-plan" --qemu-version 7.2 --offline --json -- \
		-machine pc-i440fx-2.5 -serial null -smp 250
	jq -e '.acpi_tables.not_counted == "an option that adds devices (-vga, -serial, -drive...)"' <<<"$output"
	run -0 "$BIN/nvd-plan" --qemu-version 7.2 --offline --json -- -nodefaults -machine pc -smp 4 \
		-object memory-backend-ram,id=r0,size=128M -numa node,memdev=r0,cpus=0-1
	jq -e '.acpi_tables.not_counted == "CPUs in no -numa node"' <<<"$output"
	# a topology QEMU refuses: no tables at all
	run -1 "$BIN/nvd-plan" --qemu-version 7.2 --offline --json -- -nodefaults -machine pc -smp 4 \
		-object memory-backend-ram,id=r0,size=128M -numa node,memdev=r0,cpus=0-7
	jq -e '.acpi_tables == null and .findings[0].id == "numa-cpu-index"' <<<"$output"
	# a libvirt domain: libvirt adds controllers and ports nvd-plan does not translate
	run -0 "$BIN/nvd-plan" --qemu-version 7.2 --offline --json "$REPO/t/libvirt/cases/nvdimm-ok.xml"
	jq -e '.acpi_tables.exact == false and .acpi_tables.not_counted == "the controllers and devices libvirt adds"' <<<"$output"
	# a release other than the one measured
	run -0 "$BIN/nvd-plan" --qemu-version 8.0 --offline --json -- -nodefaults -machine pc
	jq -e '.acpi_tables.exact == false' <<<"$output"
}

@test "acpi-table-size: QEMU up to 8.0 warns; 8.1 only for pc-i440fx-2.2 and older; 9.1 never" {
	local v args="-nodefaults -machine pc,nvdimm=on -m 512M,slots=256,maxmem=2G"
	for v in 7.2 8.0; do
		# shellcheck disable=SC2086
		run -0 "$BIN/nvd-plan" --qemu-version "$v" --offline --json -- $args
		jq -e 'any(.findings[]; .id == "acpi-table-size")' <<<"$output"
	done
	for v in 8.1 9.0 10.0 11.1; do
		# shellcheck disable=SC2086
		run -0 "$BIN/nvd-plan" --qemu-version "$v" --offline --json -- $args
		jq -e 'all(.findings[]; .id != "acpi-table-size")' <<<"$output"
	done
	run -0 "$BIN/nvd-plan" --qemu-version 8.1 --offline --json -- \
		-nodefaults -machine pc-i440fx-2.2,nvdimm=on -m 512M,slots=256,maxmem=2G
	jq -e '[.findings[] | select(.id == "acpi-table-size")][0].message | test("about [0-9]+ bytes here \\(an estimate: nvd-plan does not model how this release.s tables differ from 7.2.s\\)")' <<<"$output"
}

@test "acpi_tables: null for a machine without a model (virt, ACPI off, refused)" {
	run -0 "$BIN/nvd-plan" --qemu-version 7.2 --offline --json -- -machine pc,acpi=off
	jq -e '.acpi_tables == null' <<<"$output"
	run -1 "$BIN/nvd-plan" --qemu-version 7.2 --offline --json -- -machine pc -m 1G,slots=300,maxmem=8G
	jq -e '.acpi_tables == null' <<<"$output"
}
