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
# timed by tools/bench-exec.c; the figures of (e) and (g) (and of (f)'s 1 and 10) take their
# rounds in turn, so that on a shared machine other work does not weigh on one figure alone.
# With valgrind, the instructions each start executes (callgrind): repeatable where the
# times are not.

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
# ir COMMAND...: the instructions it executes (callgrind, the program's total), or "-" without
# valgrind: the same on every run, whatever else the machine does
ir() {
	command -v valgrind >/dev/null || { echo -; return; }
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
		sed -n 's/.*refs: *\([0-9,]*\).*/\1/p' | tr -d , | grep . || echo -
}
echo "bench-start: $N execs x $R rounds per figure..." >&2
# (e) and (g) in one call, their rounds in turn: a burst of other work lands on each alike
asks_cold=- asks_warm=- warm=()
if command -v qemu-system-x86_64 >/dev/null; then
	XDG_CACHE_HOME=$WORK/cache "$NVD_PLAN" "$one" >/dev/null
	warm=(';' "XDG_CACHE_HOME=$WORK/cache" "$NVD_PLAN" "$one")
fi
mapfile -t e < <(t "$WORK/floor-static" ';' "$WORK/floor-dynamic" ';' "$NVD_PLAN" --version \
	';' "$NVD_PLAN" --offline --qemu-version 7.2 "$one" ';' "$NVD_PLAN" --qemu-version 7.2 "$one" \
	"${warm[@]}")
((${#e[@]} >= 5)) || die "cannot time the starts"
static_us=${e[0]} dynamic_us=${e[1]} version_us=${e[2]} one_us=${e[3]} given_us=${e[4]}
[ ${#warm[@]} -eq 0 ] || asks_warm=${e[5]}
mapfile -t f < <(t "$NVD_PLAN" --offline --qemu-version 7.2 "${corpus[0]}" \
	';' "$NVD_PLAN" --offline --qemu-version 7.2 "${corpus[@]:0:10}")
((${#f[@]} == 2)) || die "cannot time 1 and 10 configurations"
f1=${f[0]} f10=${f[1]}
f100=$(BENCH_EXECS=$((N / 4)) t "$NVD_PLAN" --offline --qemu-version 7.2 "${corpus[@]:0:100}")
if [ ${#warm[@]} -gt 0 ]; then
	# cold: a cache directory that cannot be made (a file in its way), so every start asks
	touch "$WORK/no-cache"
	asks_cold=$(XDG_CACHE_HOME=$WORK/no-cache/x "$WORK/bench-exec" $(((N + 9) / 10)) "$R" \
		"$NVD_PLAN" "$one") || die "cannot time the cold start"
fi
dynamic_ir=$(ir "$WORK/floor-dynamic")
version_ir=$(ir "$NVD_PLAN" --version)
one_ir=$(ir "$NVD_PLAN" --offline --qemu-version 7.2 "$one")
given_ir=$(ir "$NVD_PLAN" --qemu-version 7.2 "$one")
warm_ir=-
[ ${#warm[@]} -eq 0 ] || warm_ir=$(XDG_CACHE_HOME=$WORK/cache ir "$NVD_PLAN" "$one")

x() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == 0) print "-"; else printf "%.2fx", a / b }'; }
per() { awk -v a="$1" -v n="$2" 'BEGIN { printf "%.1f", a / n }'; }
k() { awk -v a="$1" 'BEGIN { if (a == "-") print "-"; else printf "%.0fk", a / 1000 }'; }
row() { printf '    %-52s %9s us %8s %9s\n' "$1" "$2" "$(x "$2" "$dynamic_us")" "$(k "${3:--}")"; }
echo
echo "(e) start time, one process each (us, spawn to exit; ratio to the dynamic floor;"
echo "    instructions executed, callgrind: the same whatever else runs)"
row "static do-nothing" "$static_us"
row "dynamic do-nothing, popt + json-c (the floor)" "$dynamic_us" "$dynamic_ir"
row "nvd-plan --version" "$version_us" "$version_ir"
row "nvd-plan --offline, one configuration (goal 1.5x)" "$one_us" "$one_ir"
echo "(f) configurations per process (nvd-plan --offline --qemu-version 7.2, t/qemu/cases)"
printf '    %-52s %9s us %8s us/config\n' "1 file" "$f1" "$f1"
printf '    %-52s %9s us %8s us/config\n' "10 files" "$f10" "$(per "$f10" 10)"
printf '    %-52s %9s us %8s us/config\n' "100 files" "$f100" "$(per "$f100" 100)"
echo "(g) one configuration, host checks on: the QEMU on PATH asked, or its cache read"
row "nvd-plan --qemu-version 7.2 (nothing asked)" "$given_us" "$given_ir"
row "nvd-plan, warm cache (goal 1.5x)" "$asks_warm" "$warm_ir"
row "nvd-plan, cold: QEMU asked at each start (QMP)" "$asks_cold"
