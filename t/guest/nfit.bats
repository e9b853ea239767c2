#!/usr/bin/env bats
# nvd-nfit against the NFIT a real guest gets: /sys/firmware/acpi/tables/NFIT from a
# Debian kernel booted under QEMU 7.2, compared structure by structure and byte for byte.
# With NVD_GUEST_QEMU_VERSION=10.0 and NVD_GUEST_QEMU the 10.0 wrapper (t/qemu/setup-qemu10),
# the same tests under QEMU 10.0 against nvd-nfit --qemu-version 10.0 (make check-guest runs
# both).

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	guest_setup_file
	export QV=${NVD_GUEST_QEMU_VERSION:-7.2}
	[[ -n ${GUEST_SKIP:-} || $QV == 7.2 ]] && return
	# the other release must be there and be what it says
	if [[ -z ${NVD_GUEST_QEMU:-} ]] || ! "$NVD_GUEST_QEMU" --version 2>/dev/null | grep -q "version $QV\."; then
		export GUEST_SKIP="QEMU $QV unavailable: ${NVD_GUEST_QEMU:-NVD_GUEST_QEMU is not set}"
	fi
}
setup() {
	guest_setup
	NFIT=${NVD_BIN:-$GUEST_DIR/../../bin}/nvd-nfit
}
teardown() { guest_teardown; }

# Boot VM, bring the guest's NFIT back, and compare it with nvd-nfit's for the same arguments.
check_nfit() {
	run --separate-stderr guest "${VM[@]}" -- -c 'cp /sys/firmware/acpi/tables/NFIT "$OUT/NFIT"'
	assert_success
	run --separate-stderr "$NFIT" --qemu-version "$QV" --diff "$OUT/NFIT" -- "${RUN_DEVICES[@]}" "${VM[@]}"
	assert_success
	assert_output --partial "the same"
	"$NFIT" --qemu-version "$QV" --raw -- "${RUN_DEVICES[@]}" "${VM[@]}" | cmp - "$OUT/NFIT"
}

# backend N SIZE-OPTS: a file backend memN, sparse, QEMU creates it.
backend() {
	VM+=(-object "memory-backend-file,id=mem$1,share=on,mem-path=$BATS_TEST_TMPDIR/nv$1.img,$2")
}

@test "pc, one NVDIMM, no labels" {
	vm_args
	nvdimm 0 size=1G
	check_nfit
}

@test "q35, one NVDIMM with label-size=128K" {
	vm_args
	VM[1]=q35,nvdimm=on
	nvdimm 0 size=1G label-size=128K
	check_nfit
}

@test "pc with 4 GiB of RAM: RAM above 4 GiB moves the window" {
	VM=(-machine pc,nvdimm=on -m 4G,slots=2,maxmem=8G)
	nvdimm 0 size=1G
	check_nfit
}

@test "q35 with 3 GiB of RAM: 2 GiB below 4 GiB, 1 GiB above" {
	VM=(-machine q35,nvdimm=on -m 3G,slots=2,maxmem=8G)
	nvdimm 0 size=512M label-size=256K
	check_nfit
}

@test "two NVDIMMs of different sizes and alignments" {
	vm_args
	nvdimm 0 size=1G label-size=130K
	nvdimm 1 size=512M,align=2M
	check_nfit
}

@test "three NVDIMMs: QEMU's enumeration order" {
	vm_args
	nvdimm 0 size=256M
	nvdimm 1 size=512M label-size=128K
	nvdimm 2 size=256M
	check_nfit
}

@test "four NVDIMMs with other ids: QEMU's enumeration order" {
	vm_args
	for n in 0 1 2 3; do backend "$n" size=256M; done
	VM+=(-device nvdimm,id=pmem-b,memdev=mem0 -device nvdimm,id=pmem-a,memdev=mem1
		-device nvdimm,id=zz,memdev=mem2,label-size=128K -device nvdimm,id=x1,memdev=mem3)
	check_nfit
}

@test "eight NVDIMMs: the order after GLib grows the table (8 ids) and moves its entries" {
	# ids chosen so that inserting them into the grown table directly gives another order
	local ids=(pmem13 dl nv12 nv23 nv37 nv15 pmem2 de) n
	VM=(-machine nvdimm=on -m 512M,slots=8,maxmem=16G)
	for n in 0 1 2 3 4 5 6 7; do
		backend "$n" size=256M
		VM+=(-device "nvdimm,id=${ids[n]},memdev=mem$n")
	done
	check_nfit
}

@test "twenty NVDIMMs, twelve with ids and eight without: both containers past their first growth" {
	local ids=(nv3 dh nv28 pmem16 dd dk nv29 pmem4 dj dn pmem18 nv37) n
	VM=(-machine nvdimm=on -m 512M,slots=20,maxmem=32G)
	for n in $(seq 0 19); do
		backend "$n" size=128M
		if ((n < 12)); then
			VM+=(-device "nvdimm,id=${ids[n]},memdev=mem$n")
		else
			VM+=(-device "nvdimm,memdev=mem$n")
		fi
	done
	check_nfit
}

@test "unarmed=on sets the not-armed flag" {
	vm_args
	nvdimm 0 size=1G unarmed=on
	check_nfit
}

@test "nvdimm-persistence=cpu: platform capabilities 3" {
	vm_args nvdimm-persistence=cpu
	nvdimm 0 size=1G
	check_nfit
}

@test "nvdimm-persistence=mem-ctrl: platform capabilities 2" {
	vm_args nvdimm-persistence=mem-ctrl
	VM[1]=q35,${VM[1]}
	nvdimm 0 size=1G
	check_nfit
}

@test "NUMA: the NVDIMM's node is its proximity domain" {
	VM=(-machine pc,nvdimm=on -m 512M,slots=2,maxmem=4G
		-object memory-backend-ram,id=r0,size=256M -object memory-backend-ram,id=r1,size=256M
		-numa node,nodeid=0,memdev=r0 -numa node,nodeid=1,memdev=r1)
	nvdimm 0 size=1G node=1
	check_nfit
}

@test "explicit slot= and addr=" {
	vm_args
	backend 0 size=512M
	backend 1 size=512M
	VM+=(-device nvdimm,id=nv0,memdev=mem0,slot=3,addr=0x180000000 -device nvdimm,id=nv1,memdev=mem1,slot=1)
	check_nfit
}

@test "a pc-dimm before an NVDIMM" {
	vm_args
	VM+=(-object memory-backend-ram,id=r0,size=128M -device pc-dimm,id=dimm0,memdev=r0)
	nvdimm 0 size=1G label-size=128K
	check_nfit
}

@test "an NVDIMM without id beside one with id" {
	vm_args
	backend 0 size=256M
	backend 1 size=512M
	VM+=(-device nvdimm,id=named,memdev=mem0 -device nvdimm,memdev=mem1)
	check_nfit
}

@test "the machine's x-oem-id and x-oem-table-id, NUL-padded" {
	vm_args x-oem-id=ACME,x-oem-table-id=PMEM1
	nvdimm 0 size=1G
	check_nfit
}

@test "an NVDIMM on a RAM backend (2 MiB granularity) and a 1G-aligned file" {
	VM=(-machine q35,nvdimm=on -m 512M,slots=3,maxmem=16G
		-object memory-backend-ram,id=r0,size=129M -device nvdimm,id=nv9,memdev=r0)
	nvdimm 1 size=2G,align=1G label-size=128K
	check_nfit
}
