#!/bin/bash
# tools/bench-running.sh: the cost of nvd-check on running QEMU processes.
#
# Starts N real qemu-system-x86_64 processes (-S -accel tcg: no guest code runs), each
# with two NVDIMMs on 16 MiB files in a temporary directory, then measures
#   (a) nvd-check --pid PID      one VM
#   (b) nvd-check --running      every VM on the host (the N here, and any other QEMU)
#   (c) nvd-check --running --prometheus
# Each is run RUNS times (default 50) after 3 warm-up runs; the figure is the mean wall
# time per process, fork to exit, in ms (bash EPOCHREALTIME around the loop / RUNS).
# Environment: NVD_BIN (default REPO/bin), NVD_QEMU72 (default /usr/bin/qemu-system-x86_64),
# RUNS. Usage: tools/bench-running.sh [N...] (default 1 10 30). Prints figures only.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
CHECK=${NVD_BIN:-$REPO/bin}/nvd-check
QEMU=${NVD_QEMU72:-/usr/bin/qemu-system-x86_64}
RUNS=${RUNS:-50}

[ -x "$CHECK" ] || { echo "bench-running: no $CHECK (run make first)" >&2; exit 3; }
[ -x "$QEMU" ] || { echo "bench-running: no $QEMU" >&2; exit 3; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nvd-bench-running.XXXXXX") || exit 3
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

start_vms() {
	local i n=$1
	for ((i = ${#PIDS[@]}; i < n; i++)); do
		truncate -s 16M "$WORK/a$i.img" "$WORK/b$i.img"
		"$QEMU" -S -display none -nodefaults -accel tcg -name "guest=bench$i" \
			-M pc,nvdimm=on -m 64M,slots=2,maxmem=1G \
			-object memory-backend-file,id=m0,share=on,pmem=on,mem-path="$WORK/a$i.img",size=16M \
			-device nvdimm,id=nv0,memdev=m0 \
			-object memory-backend-file,id=m1,share=on,mem-path="$WORK/b$i.img",size=16M \
			-device nvdimm,id=nv1,memdev=m1 >/dev/null 2>&1 3>&- &
		PIDS+=("$!")
	done
	for ((i = 0; i < n; i++)); do
		until grep -q "b$i.img" "/proc/${PIDS[$i]}/maps" 2>/dev/null; do sleep 0.05; done
	done
}

mean_ms() {
	local i s e
	for ((i = 0; i < 3; i++)); do "$CHECK" "$@" >/dev/null 2>&1; done
	s=$EPOCHREALTIME
	for ((i = 0; i < RUNS; i++)); do "$CHECK" "$@" >/dev/null 2>&1; done
	e=$EPOCHREALTIME
	awk -v s="$s" -v e="$e" -v n="$RUNS" 'BEGIN { printf "%.2f", (e - s) * 1000 / n }'
}

printf '%-6s %-12s %-14s %-14s %s\n' VMs "--pid (ms)" "--running (ms)" "--prometheus" "per VM (ms)"
for n in "${@:-1 10 30}"; do
	for m in $n; do
		start_vms "$m"
		a=$(mean_ms --pid "${PIDS[0]}")
		b=$(mean_ms --running)
		c=$(mean_ms --running --prometheus)
		vms=$("$CHECK" --running --json 2>/dev/null | jq '.vms | length')
		printf '%-6s %-12s %-14s %-14s %s\n' "$vms" "$a" "$b" "$c" \
			"$(awk -v b="$b" -v n="$vms" 'BEGIN { printf "%.2f", b / n }')"
	done
done
