#!/bin/bash
# tools/bench-map.sh: nvd-map digest and prealloc against what a user would otherwise run.
# It prints figures and ratios, never a verdict: no threshold.
#
#   sparse:   16 GiB, 1 GiB of random data in 4 extents of 256 MiB, the rest holes;
#             nvd-map digest against sha256sum, xxhsum (XXH64), b3sum
#   dense:    2 GiB of random data; nvd-map digest against cat FILE >/dev/null
#   prealloc: 4 GiB sparse file, fresh for every run; nvd-map prealloc --threads N against
#             QEMU's prealloc=on,prealloc-threads=N (qemu-system-x86_64 -S, QMP quit; the
#             time is QEMU's start to exit); a prealloc=off run gives QEMU's own start cost
#
# Page cache: "warm" figures are the best of BENCH_RUNS runs after one read of the file
# (holes are never cached: they cost what the reader makes of them); "cold" figures are one
# run after `echo 3 >/proc/sys/vm/drop_caches` (root only, otherwise not shown; nvd-map
# and cat only: a cold b3sum of the sparse file costs ~20 s).
# sha256sum is CPU-bound (coreutils has no SHA-NI path) at ~0.2 GB/s: one run only, ~90 s of
# the bench, which takes about 2.5 minutes on 2 CPUs. GiB/s is the window size over the wall time, so holes count as bytes digested,
# as they do for a reader that must compare whole backends. "ratio" is the tool's time over
# nvd-map's (above 1: nvd-map is faster).
#
# Environment: NVD_BIN (default REPO/bin), BENCH_DIR (default a temp dir on the file system
# of TMPDIR; put it on the backend's file system for real figures), BENCH_SPARSE_GIB (16),
# BENCH_DATA_MIB (1024), BENCH_DENSE_GIB (2), BENCH_PREALLOC_GIB (4), BENCH_THREADS (default
# nvd-map's: online CPUs, at most 16), BENCH_RUNS (3), BENCH_SHA256 (1; 0 skips sha256sum),
# BENCH_PREALLOC_RUNS (1: QEMU's prealloc=on of 4 GiB takes ~20 s on 2 CPUs), BENCH_QEMU.
# xxhsum and b3sum (Debian packages xxhash, b3sum) are installed with apt-get when missing
# and we are root; otherwise their rows are skipped.
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
BIN=${NVD_BIN:-$REPO/bin}
SPARSE_GIB=${BENCH_SPARSE_GIB:-16}
DATA_MIB=${BENCH_DATA_MIB:-1024}
DENSE_GIB=${BENCH_DENSE_GIB:-2}
PRE_GIB=${BENCH_PREALLOC_GIB:-4}
RUNS=${BENCH_RUNS:-3}
NPROC=$(nproc)
THREADS=${BENCH_THREADS:-$((NPROC > 16 ? 16 : NPROC))}
QEMU=${BENCH_QEMU:-qemu-system-x86_64}
DIR=${BENCH_DIR:-$(mktemp -d)}
cleanup() {
	rm -f "$DIR/sparse.img" "$DIR/dense.img" "$DIR/prealloc.img"
	[ -n "${BENCH_DIR:-}" ] || rmdir "$DIR"
}
trap cleanup EXIT

[ -x "$BIN/nvd-map" ] || { echo "bench-map: no $BIN/nvd-map (run make)" >&2; exit 3; }
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

# The hashers to compare with: install the Debian packages only when missing.
missing=
command -v xxhsum >/dev/null || missing="$missing xxhash"
command -v b3sum >/dev/null || missing="$missing b3sum"
if [ -n "$missing" ]; then
	if [ $ROOT = 1 ] && command -v apt-get >/dev/null; then
		echo "bench-map: installing$missing" >&2
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
			>/dev/null 2>&1 || echo "bench-map: could not install$missing; skipping" >&2
	else
		echo "bench-map: missing$missing (not root); those rows are skipped" >&2
	fi
fi

now() { date +%s.%N; }
fsub() { echo "$1 - $2" | bc -l; }
fmin() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc -l)" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# secs N CMD...: wall seconds of the best of N runs, output discarded.
secs() {
	local n=$1 best='' s e
	shift
	for _ in $(seq "$n"); do
		s=$(now)
		"$@" >/dev/null || { echo "bench-map: failed: $*" >&2; return 1; }
		e=$(now)
		best=$(fmin "$best" "$(fsub "$e" "$s")")
	done
	echo "$best"
}

# cold CMD...: one run after dropping the page cache.
cold() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	secs 1 "$@"
}

# row CASE TOOL CACHE SECONDS GIB [BASE-SECONDS]
row() {
	local ratio=-
	[ -n "${6:-}" ] && ratio=$(printf '%.1fx' "$(echo "$4 / $6" | bc -l)")
	printf '%-9s %-38s %-5s %8.3f %8.2f  %7s\n' "$1" "$2" "$3" "$4" "$(echo "$5 / $4" | bc -l)" "$ratio"
}

# --- the files
t0=$(now)
echo "bench-map: writing ${DATA_MIB} MiB into a ${SPARSE_GIB} GiB sparse file and ${DENSE_GIB} GiB dense in $DIR" >&2
truncate -s "${SPARSE_GIB}G" "$DIR/sparse.img"
ext=$((DATA_MIB / 4))
step=$((SPARSE_GIB * 1024 / 4))
for i in 0 1 2 3; do
	head -c "${ext}M" /dev/urandom |
		dd of="$DIR/sparse.img" bs=1M seek=$((i * step + step / 2)) conv=notrunc status=none
done
head -c "${DENSE_GIB}G" /dev/urandom >"$DIR/dense.img"
sync

echo "bench-map: $NPROC CPUs, $THREADS threads, $(df -T "$DIR" | awk 'NR == 2 { print $2 }') in $DIR," \
	"$(uname -r), $("$QEMU" --version 2>/dev/null | head -n 1 || echo 'no QEMU')"
printf '%-9s %-38s %-5s %8s %8s  %7s\n' case tool cache seconds GiB/s ratio

# --- digest of the sparse backend
f=$DIR/sparse.img
cat "$f" >/dev/null
ours=$(secs "$RUNS" "$BIN/nvd-map" digest --threads "$THREADS" "$f")
row sparse "nvd-map digest (${SPARSE_GIB}G, ${DATA_MIB}M data)" warm "$ours" "$SPARSE_GIB"
for tool in "sha256sum" "xxhsum -H64" "b3sum"; do
	command -v "${tool%% *}" >/dev/null || continue
	n=$RUNS
	if [ "$tool" = sha256sum ]; then
		[ "${BENCH_SHA256:-1}" = 0 ] && continue
		n=1
	fi
	# shellcheck disable=SC2086
	t=$(secs "$n" $tool "$f")
	row sparse "$tool" warm "$t" "$SPARSE_GIB" "$ours"
done
if [ $ROOT = 1 ]; then
	ours_c=$(cold "$BIN/nvd-map" digest --threads "$THREADS" "$f")
	row sparse "nvd-map digest" cold "$ours_c" "$SPARSE_GIB"
fi
rm -f "$f"

# --- dense digest against reading the file
f=$DIR/dense.img
cat "$f" >/dev/null
ours=$(secs "$RUNS" "$BIN/nvd-map" digest --threads "$THREADS" "$f")
row dense "nvd-map digest (${DENSE_GIB}G)" warm "$ours" "$DENSE_GIB"
row dense "cat >/dev/null" warm "$(secs "$RUNS" cat "$f")" "$DENSE_GIB" "$ours"
if [ $ROOT = 1 ]; then
	ours_c=$(cold "$BIN/nvd-map" digest --threads "$THREADS" "$f")
	row dense "nvd-map digest" cold "$ours_c" "$DENSE_GIB"
	row dense "cat >/dev/null" cold "$(cold cat "$f")" "$DENSE_GIB" "$ours_c"
fi
rm -f "$f"

# --- prealloc of a fresh sparse backend: nvd-map against QEMU at the same thread count
f=$DIR/prealloc.img
fresh() { rm -f "$f"; sync; truncate -s "${PRE_GIB}G" "$f"; }
qemu_prealloc() {
	printf '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n' |
		"$QEMU" -S -display none -nodefaults -no-user-config -accel tcg \
			-m 512M,slots=1,maxmem=$((PRE_GIB * 2))G \
			-object "memory-backend-file,id=m0,mem-path=$f,size=${PRE_GIB}G,share=on,$1" -qmp stdio
}
pre_runs=${BENCH_PREALLOC_RUNS:-1}
best=
for _ in $(seq "$pre_runs"); do
	fresh
	best=$(fmin "$best" "$(secs 1 "$BIN/nvd-map" prealloc --threads "$THREADS" "$f")")
done
ours=$best
row prealloc "nvd-map prealloc --threads $THREADS (${PRE_GIB}G)" - "$ours" "$PRE_GIB"
if command -v "$QEMU" >/dev/null; then
	best=
	for _ in $(seq "$pre_runs"); do
		fresh
		best=$(fmin "$best" "$(secs 1 qemu_prealloc "prealloc=on,prealloc-threads=$THREADS")")
		blocks=$(stat -c %b "$f")
	done
	row prealloc "QEMU prealloc=on,prealloc-threads=$THREADS" - "$best" "$PRE_GIB" "$ours"
	[ "$((blocks * 512))" -ge "$((PRE_GIB << 30))" ] ||
		echo "bench-map: QEMU left $((blocks * 512)) bytes allocated, not ${PRE_GIB} GiB" >&2
	fresh
	t=$(secs 1 qemu_prealloc prealloc=off)
	printf '%-9s %-38s %-5s %8.3f %8s  %7s\n' prealloc "QEMU prealloc=off (start cost)" - "$t" - -
fi
rm -f "$f"
echo "bench-map: $(printf '%.0f' "$(fsub "$(now)" "$t0")") s in all, files deleted"
