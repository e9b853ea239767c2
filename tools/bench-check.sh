#!/bin/bash
# tools/bench-check.sh: start-up cost of nvd-check, with and without the NVDIMM libraries.
#
#   (a) nvd-check PATH                 libndctl/libdaxctl/libpmem not loaded (a file needs none)
#   (b) nvd-check --libs=always PATH   the three dlopen()ed at start, as a tool linked
#                                      against them would pay on every run
#   (c) nvd-check (inventory)          sysfs only
#
# Each is run RUNS times (default 200) in a row after 10 warm-up runs; the figure is
# the mean wall time per process, fork to exit, in ms (bash EPOCHREALTIME around a loop,
# divided by RUNS), output to /dev/null. PATH is a 1 MiB file in a temporary directory.
# Environment: NVD_BIN (directory of nvd-check, default REPO/bin), RUNS.
# It prints figures, never a verdict.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
CHECK=${NVD_BIN:-$REPO/bin}/nvd-check
RUNS=${RUNS:-200}

[ -x "$CHECK" ] || { echo "bench-check: no $CHECK (run make first)" >&2; exit 3; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nvd-bench-check.XXXXXX") || exit 3
trap 'rm -rf "$WORK"' EXIT
truncate -s 1M "$WORK/vm.img"

# mean_ms ARGS...: mean wall ms of one nvd-check run with ARGS.
mean_ms() {
	local i s e
	for ((i = 0; i < 10; i++)); do "$CHECK" "$@" >/dev/null 2>&1; done
	s=$EPOCHREALTIME
	for ((i = 0; i < RUNS; i++)); do "$CHECK" "$@" >/dev/null 2>&1; done
	e=$EPOCHREALTIME
	awk -v s="$s" -v e="$e" -v n="$RUNS" 'BEGIN { printf "%.2f", (e - s) * 1000 / n }'
}

a=$(mean_ms --qemu-version 7.2 "$WORK/vm.img")
b=$(mean_ms --qemu-version 7.2 --libs=always "$WORK/vm.img")
c=$(mean_ms --qemu-version 7.2)
loaded=$("$CHECK" --qemu-version 7.2 --libs=always --json "$WORK/vm.img" 2>/dev/null |
	 tr -d ' \n' | grep -o '"libraries":{[^}]*}')

echo "nvd-check start-up, mean of $RUNS runs each (wall time per process)"
printf '%-52s %8s ms\n' "(a) nvd-check FILE (no NVDIMM library loaded)" "$a"
printf '%-52s %8s ms\n' "(b) nvd-check --libs=always FILE (dlopen all three)" "$b"
printf '%-52s %8s ms\n' "(c) nvd-check (inventory, sysfs only)" "$c"
awk -v a="$a" -v b="$b" 'BEGIN { printf "cost of loading libndctl, libdaxctl, libpmem: %+.2f ms per start\n", b - a }'
echo "(b) loaded: ${loaded:-unknown}"
