# t/guest/helpers.bash: what guest tests share.

bats_load_library bats-support
bats_load_library bats-assert

GUEST_DIR=$(cd "$BATS_TEST_DIRNAME" && pwd)

# Load it with `load helpers`; then in the test file:
#   setup_file() { guest_setup_file; }  setup() { guest_setup; }  teardown() { guest_teardown; }

# Build or check the guest once per file. Where it cannot be had (exit 77) every test of the
# file is skipped with setup's reason (bats 1.8 cannot skip from setup_file itself).
guest_setup_file() {
	local out rc=0
	out=$("$GUEST_DIR/setup" --quiet 2>&1) || rc=$?
	case $rc in
	0) ;;
	77) export GUEST_SKIP="guest unavailable: ${out//$'\n'/; }" ;;
	*) echo "$out" >&2; return "$rc" ;;
	esac
}

guest_setup() {
	[[ -z ${GUEST_SKIP:-} ]] || skip "$GUEST_SKIP"
	OUT=$BATS_TEST_TMPDIR/out
}

# After a failed test: the script's stderr (`run --separate-stderr` keeps it apart from
# $output, and bats-assert does not show it) and the end of the guest's console.
guest_teardown() {
	[[ -n ${BATS_TEST_COMPLETED:-} || -n ${GUEST_SKIP:-} ]] && return 0
	[[ -n ${stderr:-} ]] && printf '# guest stderr:\n%s\n' "$stderr"
	local log=$BATS_TEST_TMPDIR/guest/console.log
	[[ -f $log ]] && { echo "# guest console ($log):"; tail -n 30 "$log"; }
	return 0
}

# guest [RUN-OPTIONS] [QEMU-ARGS...] -- SCRIPT|-|-c COMMANDS: t/guest/run, with the files of
# $OUT brought back to $OUT here, and console.log, qemu.log, dmesg and the QEMU command line
# kept in $BATS_TEST_TMPDIR/guest (`bats --no-tempdir-cleanup` keeps them after the run).
guest() {
	"$GUEST_DIR/run" --keep "$BATS_TEST_TMPDIR/guest" --out "$OUT" "$@"
}

# The devices t/guest/run adds before QEMU-ARGS (its result channel). The debugcon has no id,
# so it is device[0] in /machine/peripheral-anon and moves the anonymous NVDIMMs to device[1]...:
# a prediction of their order must be given it too (harness.bats checks run still adds it).
RUN_DEVICES=(-chardev file,id=nvdresult,path=/dev/null -device isa-debugcon,iobase=0xe9,chardev=nvdresult)

# The usual VM: -machine nvdimm=on[,MACHINE-OPTS] and room for four DIMMs.
# vm_args [MACHINE-OPTS] sets the array VM.
vm_args() {
	# shellcheck disable=SC2054
	VM=(-machine "nvdimm=on${1:+,$1}" -m 512M,slots=4,maxmem=8G)
}

# nvdimm N BACKEND-OPTS [DEVICE-OPTS]: append NVDIMM nvN, backed by the sparse file
# $BATS_TEST_TMPDIR/nvN.img (QEMU creates it), to the array VM.
nvdimm() {
	local n=$1 backend=$2 device=${3:-}
	VM+=(-object "memory-backend-file,id=mem$n,share=on,mem-path=$BATS_TEST_TMPDIR/nv$n.img,$backend"
		-device "nvdimm,id=nv$n,memdev=mem$n${device:+,$device}")
}

# opt_value OPTS KEY: the value of KEY in a QemuOpts string "a=b,c=d" (empty if absent).
opt_value() {
	local IFS=, kv
	for kv in $1; do
		[[ $kv == "$2="* ]] && { echo "${kv#*=}"; return; }
	done
}

# expected_dimm FIELD QEMU-ARGS...: what nvd-plan predicts the guest sees for the first DIMM
# of the configuration, by the field names of its JSON (dimms[]: pmem_size, label_size,
# label_offset, addr, slot). The guest tests compare the real guest against it.
expected_dimm() {
	local field=$1
	shift
	"${NVD_BIN:-$GUEST_DIR/../../bin}/nvd-plan" --json --offline --qemu-version 7.2 -- "$@" |
		jq -er ".dimms[0].$field"
}

# acpi_checksum_ok FILE: the bytes of an ACPI table sum to 0 modulo 256.
acpi_checksum_ok() {
	local sum
	sum=$(od -An -tu1 -v "$1" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s % 256 }')
	[[ $sum == 0 ]]
}
