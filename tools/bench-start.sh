#!/bin/bash
# tools/bench-start.sh: nvd-plan's start time against the floor of any C tool, and the cost of
# a configuration per process. `make bench` runs it. Figures only, no threshold.
#
#   (e) exec of a static do-nothing program, and of a dynamic one that loads popt and json-c
#       (the floor: what nvd-plan links), then nvd-plan --version and nvd-plan --offline on
#       one configuration, each as one process; the ratio to the dynamic floor (goal: 1.5x
#       for one configuration per process);
#   (f) nvd-plan --offline on 1, 10 and 100 configuration files in one process;
#   (g) nvd-plan on one configuration without --qemu-version: it asks the QEMU on PATH what it
#       offers (one QMP run) unless its cache has the answer. Cold: no cache directory, asked
#       at each start; warm: the cache written by the first; against --qemu-version 7.2 (no
#       QEMU asked, no cache read) with the same host checks (goal: warm within 1.5x of the
#       dynamic floor, about what --qemu-version costs).
# Each figure: the best of BENCH_ROUNDS (3) means of BENCH_EXECS (200) runs, spawn to exit,
# timed by tools/bench-exec.c.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
NVD_PLAN=${NVD_BIN:-$REPO/bin}/nvd-plan
N=${BENCH_EXECS:-200}
R=${BENCH_ROUNDS:-3}
CC=${CC:-cc}

die() { echo "bench-start: $*" >&2; exit 3; }
[ -x "$NVD_PLAN" ] || die "no $NVD_PLAN (run make first)"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nvd-bench-start.XXXXXX") || die "cannot make a temporary directory"
trap 'rm -rf "$WORK"' EXIT

$CC -O2 -o "$WORK/bench-exec" "$HERE/bench-exec.c" || die "cannot build tools/bench-exec.c"
$CC -O2 -static -o "$WORK/floor-static" "$HERE/bench-floor.c" 2>/dev/null ||
	die "cannot link a static program (libc6-dev's libc.a)"
# shellcheck disable=SC2046
$CC -O2 -DFLOOR_DYNAMIC $(pkg-config --cflags json-c) -o "$WORK/floor-dynamic" \
	"$HERE/bench-floor.c" -lpopt -ljson-c || die "cannot build the dynamic floor"

# The configurations: the corpus's, in a directory where their mem-paths do not exist.
shopt -s nullglob
corpus=("$REPO"/t/qemu/cases/*.args)
((${#corpus[@]} >= 100)) || die "fewer than 100 cases in t/qemu/cases"
cd "$WORK" || die "cannot enter $WORK"
one=$REPO/examples/vm-nvdimm.args

t() { "$WORK/bench-exec" "$N" "$R" "$@" || die "cannot time: $*"; }
echo "bench-start: $N execs x $R rounds per figure..." >&2
static_us=$(t "$WORK/floor-static")
dynamic_us=$(t "$WORK/floor-dynamic")
version_us=$(t "$NVD_PLAN" --version)
one_us=$(t "$NVD_PLAN" --offline --qemu-version 7.2 "$one")
f1=$(t "$NVD_PLAN" --offline --qemu-version 7.2 "${corpus[0]}")
f10=$(t "$NVD_PLAN" --offline --qemu-version 7.2 "${corpus[@]:0:10}")
f100=$(BENCH_EXECS=$((N / 4)) t "$NVD_PLAN" --offline --qemu-version 7.2 "${corpus[@]:0:100}")
asks_cold=- asks_warm=- given_us=-
given_us=$(t "$NVD_PLAN" --qemu-version 7.2 "$one")
if command -v qemu-system-x86_64 >/dev/null; then
	# cold: a cache directory that cannot be made (a file in its way), so every start asks
	touch "$WORK/no-cache"
	asks_cold=$(XDG_CACHE_HOME=$WORK/no-cache/x "$WORK/bench-exec" $(((N + 9) / 10)) "$R" \
		"$NVD_PLAN" "$one") || die "cannot time the cold start"
	XDG_CACHE_HOME=$WORK/cache "$NVD_PLAN" "$one" >/dev/null
	asks_warm=$(XDG_CACHE_HOME=$WORK/cache t "$NVD_PLAN" "$one")
fi

x() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == 0) print "-"; else printf "%.2fx", a / b }'; }
per() { awk -v a="$1" -v n="$2" 'BEGIN { printf "%.1f", a / n }'; }
echo
echo "(e) start time, one process each (us, spawn to exit; ratio to the dynamic floor)"
printf '    %-52s %9s us %8s\n' "static do-nothing" "$static_us" "$(x "$static_us" "$dynamic_us")"
printf '    %-52s %9s us %8s\n' "dynamic do-nothing, popt + json-c (the floor)" "$dynamic_us" "1.00x"
printf '    %-52s %9s us %8s\n' "nvd-plan --version" "$version_us" "$(x "$version_us" "$dynamic_us")"
printf '    %-52s %9s us %8s\n' "nvd-plan --offline, one configuration (goal 1.5x)" "$one_us" "$(x "$one_us" "$dynamic_us")"
echo "(f) configurations per process (nvd-plan --offline --qemu-version 7.2, t/qemu/cases)"
printf '    %-52s %9s us %8s us/config\n' "1 file" "$f1" "$f1"
printf '    %-52s %9s us %8s us/config\n' "10 files" "$f10" "$(per "$f10" 10)"
printf '    %-52s %9s us %8s us/config\n' "100 files" "$f100" "$(per "$f100" 100)"
echo "(g) one configuration, host checks on: the QEMU on PATH asked, or its cache read"
printf '    %-52s %9s us %8s\n' "nvd-plan --qemu-version 7.2 (nothing asked)" "$given_us" "$(x "$given_us" "$dynamic_us")"
printf '    %-52s %9s us %8s\n' "nvd-plan, warm cache (goal 1.5x)" "$asks_warm" "$(x "$asks_warm" "$dynamic_us")"
printf '    %-52s %9s us %8s\n' "nvd-plan, cold: QEMU asked at each start (QMP)" "$asks_cold" "$(x "$asks_cold" "$dynamic_us")"
