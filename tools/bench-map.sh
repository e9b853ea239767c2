#!/bin/bash
# tools/bench-map.sh: nvd-map digest throughput against the hashers a user
# would otherwise run, on a 2 GiB sparse backend holding some data and on a
# dense one. It prints figures and ratios, never a verdict: no threshold.
#
#   sparse: 2 GiB, 256 MiB of random data in 8 extents, the rest holes
#   dense:  2 GiB of random data (page cache warm: each run reads it once first)
#
# GiB/s is the window size (2 GiB) over the wall time, so holes count as
# bytes digested, as they do for a reader that must compare whole backends.
# Environment: NVD_BIN (default REPO/bin), BENCH_DIR (default a temp dir on
# the file system of TMPDIR; put it on the backend's file system for real
# figures), BENCH_SIZE_MIB (default 2048), BENCH_THREADS (default: nvd-map's).
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
BIN=${NVD_BIN:-$REPO/bin}
SIZE_MIB=${BENCH_SIZE_MIB:-2048}
DIR=${BENCH_DIR:-$(mktemp -d)}
THREADS=${BENCH_THREADS:+--threads $BENCH_THREADS}
trap 'rm -f "$DIR/sparse.img" "$DIR/dense.img"; [ -z "${BENCH_DIR:-}" ] && rmdir "$DIR"' EXIT

[ -x "$BIN/nvd-map" ] || { echo "bench-map: no $BIN/nvd-map (run make)" >&2; exit 3; }

truncate -s "${SIZE_MIB}M" "$DIR/sparse.img"
step=$((SIZE_MIB / 8))
for i in 0 1 2 3 4 5 6 7; do
	head -c 32M /dev/urandom |
		dd of="$DIR/sparse.img" bs=1M seek=$((i * step)) conv=notrunc status=none
done
head -c "${SIZE_MIB}M" /dev/urandom >"$DIR/dense.img"
sync

# secs CMD...: wall seconds of the best of 3 runs.
secs() {
	local best='' t s e
	for _ in 1 2 3; do
		s=$(date +%s.%N)
		"$@" >/dev/null
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
	done
	echo "$best"
}

gibs() { echo "scale=2; $SIZE_MIB / 1024 / $1" | bc -l; }

for f in sparse dense; do
	file=$DIR/$f.img
	cat "$file" >/dev/null	# warm the page cache
	ours=$(secs "$BIN/nvd-map" digest $THREADS "$file")
	printf '%-6s %-28s %8s GiB/s  %6s s\n' "$f" "nvd-map digest" "$(gibs "$ours")" "$ours"
	for tool in "sha256sum" "b2sum" "xxhsum -H64" "b3sum" "cat"; do
		command -v "${tool%% *}" >/dev/null || continue
		t=$(secs $tool "$file")
		printf '%-6s %-28s %8s GiB/s  %6s s  (nvd-map %sx)\n' "$f" "$tool" "$(gibs "$t")" \
			"$t" "$(echo "scale=1; $t / $ours" | bc -l)"
	done
done
