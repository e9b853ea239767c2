#!/bin/bash
# tools/bench.sh: how long nvd-plan takes against what a user would otherwise
# run, a QEMU trial start, on the t/qemu/cases corpus. `make bench` runs it
# after `make all`. It prints figures, never a verdict: there is no threshold.
#
#   (a) nvd-plan, one process per configuration         mean ms per config
#   (b) nvd-plan, 1000 FILE arguments in one process     mean us per config
#   (c) QEMU trial start per configuration               mean ms per config
#   (d) nvd-plan reading one large configuration         ms per MiB
#       (tools/bigconfig.sh N: 1k, 10k and 100k options of every kind,
#        best of BENCH_RUNS; linear reading shows the same ms per MiB)
#       (qemu-system-x86_64 -S -display none -nodefaults -no-user-config
#        -accel tcg -qmp stdio ARGS, qmp_capabilities + quit on stdin)
#
# (a) and (c) come from one run of t/qemu/conform, which already knows how to
# run a case (its "#!" setup lines in a fresh directory, then QEMU, then
# nvd-plan --json --qemu-version 7.2 there): conform is given timing wrappers
# instead of QEMU and nvd-plan, so each case is prepared exactly as the
# conformance test prepares it, and only the two programs are timed.
#
# Environment: NVD_BIN (directory of nvd-plan, default REPO/bin), QEMU
# (default qemu-system-x86_64), BENCH_BATCH (default 1000), BENCH_RUNS
# (batch repetitions, default 3).

# make runs "sh tools/bench.sh": this script needs bash (EPOCHREALTIME).
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
NVD_PLAN=${NVD_BIN:-$REPO/bin}/nvd-plan
QEMU=${QEMU:-qemu-system-x86_64}
CASES=$REPO/t/qemu/cases
BATCH=${BENCH_BATCH:-1000}
RUNS=${BENCH_RUNS:-3}
QVER=7.2

die() { echo "bench: $*" >&2; exit 3; }

[ -x "$NVD_PLAN" ] || die "no $NVD_PLAN (run make first)"
shopt -s nullglob
corpus=("$CASES"/*.args)
[ ${#corpus[@]} -gt 0 ] || die "no cases in $CASES"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nvd-bench.XXXXXX") || die "cannot make a temporary directory"
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

# mean_ms LOG: mean of the "start end" pairs (seconds) in LOG, in ms; and the count.
mean_ms() {
	awk '{ t += $2 - $1; n++ } END { if (n) printf "%.2f %d\n", t * 1000 / n, n; else print "- 0" }' "$1"
}

# ---- (a) and (c): one process per configuration, through t/qemu/conform ----
qemu_ms=- plan_ms=- nq=0 np=0 conform_line=
QEMU_PATH=$(command -v "$QEMU" 2>/dev/null)
if [ -z "$QEMU_PATH" ]; then
	echo "bench: $QEMU not found: (a) and (c) skipped (make deps installs it)" >&2
elif ! command -v jq >/dev/null 2>&1; then
	echo "bench: jq not found (t/qemu/conform reads nvd-plan's JSON with it): (a) and (c) skipped" >&2
else
	# The wrappers time the real program from fork to exit. "--version" is
	# conform asking which QEMU it runs, not a trial start: not counted.
	# QEMU keeps its own path as argv[0], so its messages read as conform expects.
	cat >"$WORK/qemu-system-x86_64" <<EOF
#!/bin/bash
[ "\$1" = --version ] && exec "$QEMU_PATH" "\$@"
s=\$EPOCHREALTIME
"$QEMU_PATH" "\$@"
rc=\$?
echo "\$s \$EPOCHREALTIME" >>"$WORK/qemu.times"
exit \$rc
EOF
	cat >"$WORK/nvd-plan" <<EOF
#!/bin/bash
s=\$EPOCHREALTIME
"$NVD_PLAN" "\$@"
rc=\$?
echo "\$s \$EPOCHREALTIME" >>"$WORK/plan.times"
exit \$rc
EOF
	chmod +x "$WORK/qemu-system-x86_64" "$WORK/nvd-plan"
	: >"$WORK/qemu.times"
	: >"$WORK/plan.times"
	echo "bench: ${#corpus[@]} configurations, QEMU trial start and nvd-plan each (t/qemu/conform)..." >&2
	"$REPO/t/qemu/conform" --qemu "$WORK/qemu-system-x86_64" --nvd-plan "$WORK/nvd-plan" \
		--version "$QVER" --cases "$CASES" >"$WORK/conform.out" 2>"$WORK/conform.err"
	conform_rc=$?
	conform_line=$(grep '^conformance ' "$WORK/conform.out")
	if [ $conform_rc -gt 1 ]; then
		echo "bench: t/qemu/conform failed (exit $conform_rc):" >&2
		head -n 5 "$WORK/conform.err" >&2
	fi
	read -r qemu_ms nq < <(mean_ms "$WORK/qemu.times")
	read -r plan_ms np < <(mean_ms "$WORK/plan.times")
fi

# ---- (b): BATCH configurations in one nvd-plan process ----
files=()
while [ ${#files[@]} -lt "$BATCH" ]; do
	for f in "${corpus[@]}"; do
		[ ${#files[@]} -lt "$BATCH" ] && files+=("$f")
	done
done

# batch_us MODE: mean us per configuration over RUNS runs of one process.
# MODE "offline": --offline (CI, no host access); "host": the backend checks
# on this host, in an empty directory (so the mem-paths do not exist).
batch_us() {
	local mode=$1 extra=() i s e total=0
	[ "$mode" = offline ] && extra=(--offline)
	mkdir -p "$WORK/batch-$mode"
	for ((i = 0; i < RUNS; i++)); do
		s=$EPOCHREALTIME
		(cd "$WORK/batch-$mode" && "$NVD_PLAN" --json --qemu-version "$QVER" "${extra[@]}" \
			"${files[@]}" >/dev/null 2>"$WORK/batch.err")
		e=$EPOCHREALTIME
		total=$(awk -v t="$total" -v s="$s" -v e="$e" 'BEGIN { print t + e - s }')
	done
	awk -v t="$total" -v r="$RUNS" -v n="$BATCH" 'BEGIN { printf "%.1f", t * 1e6 / r / n }'
}
echo "bench: $BATCH configurations in one nvd-plan process, $RUNS runs..." >&2
batch_offline_us=$(batch_us offline)
batch_host_us=$(batch_us host)

# Peak RSS of one batch run (GNU time; the "time" package).
TIME_BIN=/usr/bin/time
if ! [ -x "$TIME_BIN" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "bench: installing the 'time' package for the peak RSS" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends time >/dev/null 2>&1
fi
rss=-
if [ -x "$TIME_BIN" ]; then
	rss=$(cd "$WORK/batch-offline" && "$TIME_BIN" -f %M -o "$WORK/rss" \
		"$NVD_PLAN" --json --qemu-version "$QVER" --offline "${files[@]}" >/dev/null 2>&1;
		# nvd-plan exits 1 (some cases are refused): GNU time says so first.
		tail -n 1 "$WORK/rss")
else
	echo "bench: no $TIME_BIN (apt-get install time): peak RSS not measured" >&2
fi

# ---- (d): one large configuration, 1k to 100k options ----
echo "bench: large configurations (tools/bigconfig.sh), $RUNS runs each..." >&2
big_rows=()
for n in 1000 10000 100000; do
	"$HERE/bigconfig.sh" "$n" >"$WORK/big$n.args"
	bytes=$(wc -c <"$WORK/big$n.args")
	best=
	for ((i = 0; i < RUNS; i++)); do
		s=$EPOCHREALTIME
		"$NVD_PLAN" --json --offline --qemu-version "$QVER" "$WORK/big$n.args" >/dev/null 2>&1
		rc=$?
		e=$EPOCHREALTIME
		[ $rc -le 1 ] || die "nvd-plan exit $rc on $n options (tools/bigconfig.sh $n)"
		best=$(awk -v b="$best" -v s="$s" -v e="$e" 'BEGIN { t = e - s; print (b == "" || t < b) ? t : b }')
	done
	big_rows+=("$(awk -v n="$n" -v by="$bytes" -v t="$best" 'BEGIN {
		printf "%-22s %8.2f MiB %9.1f ms %9.1f ms/MiB", n " options", by / 1048576, t * 1000, t * 1000 / (by / 1048576) }')")
done

# ---- the table ----
ratio() { # QEMU_MS NVD_MS_PER_CONFIG
	awk -v q="$1" -v p="$2" 'BEGIN { if (q == "-" || p == "-" || p == 0) print "-"; else printf "%.0fx", q / p }'
}
echo
echo "nvd-plan $("$NVD_PLAN" --version | awk '{ print $NF }') vs QEMU trial start, ${#corpus[@]} configurations of t/qemu/cases, --qemu-version $QVER"
[ -n "$QEMU_PATH" ] && echo "QEMU: $("$QEMU_PATH" --version | head -n 1)"
[ -n "$conform_line" ] && echo "($conform_line)"
echo
printf '%-48s %14s %14s\n' "" "per config" "QEMU / this"
printf '%-48s %11s ms %14s\n' "(a) nvd-plan, one process per config ($np)" "$plan_ms" "$(ratio "$qemu_ms" "$plan_ms")"
printf '%-48s %11s us %14s\n' "(b) nvd-plan, $BATCH configs in one process" "$batch_offline_us" \
	"$(ratio "$qemu_ms" "$(awk -v u="$batch_offline_us" 'BEGIN { print u / 1000 }')")"
printf '%-48s %11s us %14s\n' "    the same without --offline (host checks)" "$batch_host_us" \
	"$(ratio "$qemu_ms" "$(awk -v u="$batch_host_us" 'BEGIN { print u / 1000 }')")"
printf '%-48s %11s ms %14s\n' "(c) QEMU trial start, one per config ($nq)" "$qemu_ms" "1x"
echo
echo "peak RSS of the $BATCH-config batch (--offline): ${rss} KiB"
echo "(a) and (c) are timed from fork to exit, in the case's prepared directory;"
echo "(b) is wall time of the whole process divided by $BATCH, mean of $RUNS runs."
echo
echo "(d) reading one large configuration (nvd-plan --offline --json, best of $RUNS):"
for r in "${big_rows[@]}"; do
	echo "    $r"
done
echo "    (linear reading: about the same ms/MiB at every size; goal: 4 MiB well under 1 s)"
