#!/usr/bin/env bats
# A fleet through Prometheus: nvd-check --running --textfile on real QEMU 7.2
# processes, the file checked by promtool and served by a real node_exporter
# (Debian's prometheus-node-exporter, on 127.0.0.1) read back over HTTP; the
# shipped alerting rules checked and unit-tested with promtool; the systemd
# service and timer installed by make install, verified and their command run.

bats_require_minimum_version 1.5.0
load lib/common

QEMU=${NVD_QEMU72:-/usr/bin/qemu-system-x86_64}

setup() {
	load_bats_libs
	CHECK=$BIN/nvd-check
	cd "$BATS_TEST_TMPDIR"
	PIDS=()
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
}

need() {
	command -v "$1" >/dev/null || skip "no $1 (tools/deps.sh installs it)"
}

# qemu NAME FILE SHARE: a QEMU named NAME with an NVDIMM nv0 on FILE, share=SHARE.
qemu() {
	[[ -x $QEMU ]] || skip "no $QEMU"
	truncate -s 16M "$2"
	"$QEMU" -S -display none -nodefaults -accel tcg -name "guest=$1" \
		-M pc,nvdimm=on -m 64M,slots=1,maxmem=1G \
		-object memory-backend-file,id=m0,share="$3",mem-path="$PWD/$2",size=16M \
		-device nvdimm,id=nv0,memdev=m0 >/dev/null 2>&1 3>&- &
	QPID=$!
	PIDS+=("$QPID")
	for _ in $(seq 100); do
		grep -q "$2" "/proc/$QPID/maps" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "QEMU did not map $2"
}

@test "the alerting rules: promtool check rules, and promtool test rules fires them" {
	need promtool
	run promtool check rules "$REPO/dist/prometheus/nvd-running.rules.yml"
	assert_success
	assert_output --partial "SUCCESS: 4 rules found"
	run promtool test rules "$REPO/t/prometheus/nvd-running.test.yml"
	assert_success
}

@test "--textfile: promtool check metrics passes, the file is replaced whole" {
	need promtool
	qemu 'vm "one"' a.img on
	A=$QPID
	qemu vm-two b.img off
	B=$QPID
	rm a.img
	mkdir tf
	echo old > tf/nvd-running.prom
	ino=$(stat -c %i tf/nvd-running.prom)
	run --separate-stderr "$CHECK" --running --textfile tf/nvd-running.prom
	[[ $status == 1 || $status == 3 ]] || fail "exit $status: $stderr"
	[[ -z $output ]] || fail "stdout: $output"
	[[ $(stat -c %i tf/nvd-running.prom) != "$ino" ]] || fail "written in place"
	[[ $(ls -A tf) == nvd-running.prom ]] || fail "left behind: $(ls -A tf)"
	run promtool check metrics < tf/nvd-running.prom
	assert_success
	run cat tf/nvd-running.prom
	assert_line "nvd_running_device_backend_deleted{vm=\"vm \\\"one\\\"\",pid=\"$A\",device=\"nv0\",memdev=\"m0\",path=\"$PWD/a.img\"} 1"
	assert_line "nvd_running_device_shared{vm=\"vm-two\",pid=\"$B\",device=\"nv0\",memdev=\"m0\",path=\"$PWD/b.img\"} 0"
	assert_line "nvd_running_vm_persistent{vm=\"vm-two\",pid=\"$B\"} 0"
	# the same as --prometheus on stdout (this test's VMs: other QEMUs, of tests running
	# beside this one, may come and go between the two scans)
	"$CHECK" --running --prometheus > stdout.prom || true
	diff <(grep -e "pid=\"$A\"" -e "pid=\"$B\"" stdout.prom) \
		<(grep -e "pid=\"$A\"" -e "pid=\"$B\"" tf/nvd-running.prom)
	[[ $(grep -c -e "pid=\"$A\"" -e "pid=\"$B\"" stdout.prom) -ge 4 ]]
}

@test "--textfile: bad uses exit 2, an unwritable place exits 3, nothing written" {
	run --separate-stderr "$CHECK" --running --json --textfile x.prom
	[[ $status == 2 && ${stderr%%$'\n'*} == "nvd-check: --json and --textfile: --textfile writes Prometheus metrics" ]] ||
		fail "$status $stderr"
	run --separate-stderr "$CHECK" --running --textfile ''
	[[ $status == 2 ]] || fail "$status $stderr"
	run --separate-stderr "$CHECK" --running --textfile nodir/x.prom
	[[ $status == 3 ]] || fail "$status $stderr"
	[[ $stderr == "nvd-check: nodir/x.prom: cannot create: No such file or directory" ]] || fail "$stderr"
	[[ ! -e x.prom ]]
}

@test "--textfile replaces the name itself: a symbolic link there is never followed, a FIFO or device never written" {
	mkdir tf
	# as the root service in a directory another user can write: a planted link to a file
	echo precious > victim
	ln -s "$PWD/victim" tf/nvd-running.prom
	run --separate-stderr "$CHECK" --running --textfile tf/nvd-running.prom
	[[ $status == 0 || $status == 1 || $status == 3 ]] || fail "exit $status: $stderr"
	assert_equal "$(cat victim)" precious
	[[ -f tf/nvd-running.prom && ! -L tf/nvd-running.prom ]] || fail "$(ls -l tf)"
	grep -q '^# TYPE nvd_running_' tf/nvd-running.prom
	# a link to a device, and a FIFO: replaced by the file, never opened (a FIFO would block)
	rm tf/nvd-running.prom
	ln -s /dev/full tf/nvd-running.prom
	run --separate-stderr timeout 20 "$CHECK" --running --textfile tf/nvd-running.prom
	[[ $status == 0 || $status == 1 || $status == 3 ]] || fail "exit $status: $stderr"
	[[ -f tf/nvd-running.prom && ! -L tf/nvd-running.prom ]] || fail "$(ls -l tf)"
	rm tf/nvd-running.prom
	mkfifo tf/nvd-running.prom
	run --separate-stderr timeout 20 "$CHECK" --running --textfile tf/nvd-running.prom
	[[ $status == 0 || $status == 1 || $status == 3 ]] || fail "exit $status: $stderr"
	[[ -f tf/nvd-running.prom ]] || fail "$(ls -l tf)"
	[[ $(ls -A tf) == nvd-running.prom ]] || fail "left behind: $(ls -A tf)"
}

@test "node_exporter serves the textfile: the samples read back over HTTP" {
	need prometheus-node-exporter
	need curl
	qemu vm-ne c.img on
	mkdir tf
	run --separate-stderr "$CHECK" --running --textfile tf/nvd-running.prom
	[[ $status == 1 || $status == 3 ]] || fail "exit $status: $stderr"
	for _ in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 20000))
		prometheus-node-exporter --web.listen-address="127.0.0.1:$port" \
			--collector.disable-defaults --collector.textfile \
			--collector.textfile.directory="$PWD/tf" >ne.log 2>&1 3>&- &
		PIDS+=("$!")
		for _ in $(seq 50); do
			curl -sf "http://127.0.0.1:$port/metrics" >metrics.txt 2>/dev/null && break 2
			kill -0 "$!" 2>/dev/null || break
			sleep 0.1
		done
	done
	[[ -s metrics.txt ]] || fail "node_exporter did not serve: $(cat ne.log)"
	run cat metrics.txt
	assert_line "node_textfile_scrape_error 0"
	assert_line "nvd_running_device_persistent{device=\"nv0\",memdev=\"m0\",path=\"$PWD/c.img\",pid=\"$QPID\",vm=\"vm-ne\"} 0"
	assert_line "nvd_running_device_shared{device=\"nv0\",memdev=\"m0\",path=\"$PWD/c.img\",pid=\"$QPID\",vm=\"vm-ne\"} 1"
	assert_line --regexp "^node_textfile_mtime_seconds\\{file=\"(.*/)?nvd-running.prom\"\\} [0-9.e+]+$"
	# the stale alert's selector matches the label node_exporter gives the file
	file=$(sed -n 's/^node_textfile_mtime_seconds{file="\(.*\)"} .*/\1/p' metrics.txt)
	[[ $file =~ ^(.*/)?nvd-running\.prom$ ]] || fail "file label '$file'"
}

@test "make install: the service and timer, disabled, verified, and the service's command run" {
	need systemd-analyze
	make -C "$REPO" install PREFIX="$BATS_TEST_TMPDIR/usr" >/dev/null
	u=$BATS_TEST_TMPDIR/usr/lib/systemd/system
	[[ -f $u/nvd-check-running.service && -f $u/nvd-check-running.timer ]] || fail "not installed"
	[[ -f $BATS_TEST_TMPDIR/usr/share/nvd-toolkit/prometheus/nvd-running.rules.yml ]] || fail "no rules"
	[[ -z $(find "$BATS_TEST_TMPDIR/usr" -name '*.wants') ]] || fail "enabled"
	run systemd-analyze verify --man=no "$u/nvd-check-running.service" "$u/nvd-check-running.timer"
	assert_success
	[[ -z $output ]] || fail "systemd-analyze: $output"
	grep -qx 'OnUnitActiveSec=1min' "$u/nvd-check-running.timer"
	# ExecStart as written, ${NVD_TEXTFILE} set as the unit sets it (to a scratch file here)
	exec_start=$(sed -n 's/^ExecStart=//p' "$u/nvd-check-running.service")
	[[ $exec_start == "$BATS_TEST_TMPDIR/usr/bin/nvd-check --running "* ]] || fail "$exec_start"
	qemu vm-unit d.img on
	NVD_TEXTFILE=$BATS_TEST_TMPDIR/unit.prom
	# shellcheck disable=SC2086
	run ${exec_start//'${NVD_TEXTFILE}'/$NVD_TEXTFILE}
	grep -q "^SuccessExitStatus=1 3$" "$u/nvd-check-running.service"
	[[ $status == 0 || $status == 1 || $status == 3 ]] || fail "exit $status: $output"
	grep -q "nvd_running_device_persistent{vm=\"vm-unit\",pid=\"$QPID\"" unit.prom
}
