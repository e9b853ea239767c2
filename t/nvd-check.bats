#!/usr/bin/env bats
# nvd-check: the machine's real file systems (no DAX here: MAP_SYNC refused), captured
# sysfs/procfs trees replayed with --sysroot (t/fixtures/check, made by make-trees.sh),
# verdicts for option combinations, JSON and Prometheus shapes, bad input.

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	CHECK=$BIN/nvd-check
	cd "$BATS_TEST_TMPDIR"
}

# sysroot: the host tree in $BATS_TEST_TMPDIR/root, its mountinfo naming mount points
# under $BATS_TEST_TMPDIR/mnt (real directories here, so files can be probed there).
sysroot() {
	local mnt=$BATS_TEST_TMPDIR/mnt
	cp -a "$FIXTURES/check/host" root
	sed "s|@ROOT@|$mnt|g" "$FIXTURES/check/mountinfo.in" >root/proc/self/mountinfo
	mkdir -p "$mnt/pmem0" "$mnt/xfs" "$mnt/nodax" "$mnt/plain" "$mnt/never"
	SR=(--sysroot "$BATS_TEST_TMPDIR/root")
}

# jqe FILTER: the JSON in $output satisfies FILTER.
jqe() {
	jq -e "$1" <<<"$output" >/dev/null || fail "jq: $1 is not true of: $output"
}

@test "--help, --version and --list-opts" {
	run --separate-stderr "$CHECK" --help
	assert_success
	assert_output --partial 'Usage: nvd-check [OPTIONS] [PATH... | --pid PID... | --running]'
	assert_output --partial '--pid, --running, --qmp: 0 every memory device persistent'
	assert_output --partial 'Exit status: 0 persistent'
	run "$CHECK" --version
	assert_success
	assert_output --regexp '^nvd-check \(nvd toolkit\) '
	run "$CHECK" --list-opts
	assert_success
	for o in --object= --share= --pmem= --readonly= --align= --size= --sync= --qemu-version= \
		--prometheus --sysroot= --libs= --json --color= --pid= --running --textfile= --qmp=; do
		assert_line -- "$o"
	done
	refute_line -- --list-opts
}

@test "real ext4 (this repository): no MAP_SYNC, NOT PERSISTENT with QEMU's two warnings" {
	[[ $(findmnt -n -o FSTYPE -T "$REPO") == ext4 ]] || skip "the repository is not on ext4"
	run --separate-stderr "$CHECK" --qemu-version 7.2 "$REPO"
	assert_equal "$status" 1
	assert_output --partial "Checking the file system"
	assert_output --regexp 'MAP_SYNC +: FAIL \(refused: EOPNOTSUPP'
	assert_output --partial 'Verdict: NOT PERSISTENT'
	assert_output --partial "QEMU: Warning: requesting persistence across crashes for backend file $REPO/qemu_back_mem.mem0.XXXXXX (deleted) failed. Proceeding without persistence, data might become corrupted in case of host crash."
	assert_output --partial "QEMU: warning: Using non DAX backing file with 'pmem=on' option is deprecated"
	assert_output --partial 'fix: move the backend to a DAX file system'
	assert_equal "$stderr" ""
}

@test "real tmpfs (/dev/shm): no MAP_SYNC, NOT PERSISTENT, tmpfs cannot do DAX" {
	[[ $(findmnt -n -o FSTYPE -T /dev/shm 2>/dev/null) == tmpfs ]] || skip "no tmpfs on /dev/shm"
	run --separate-stderr "$CHECK" --qemu-version 10.0 --json /dev/shm
	assert_equal "$status" 1
	jqe '.paths[0].facts.mount.fstype == "tmpfs" and .paths[0].facts.map_sync.granted == false'
	jqe '.paths[0].facts.map_sync.error == "EOPNOTSUPP" and .paths[0].verdict == "not-persistent"'
	jqe '.paths[0].qemu_messages | length == 2'
	jqe '.paths[0].facts.store_granularity == "page"'
}

@test "an existing file is probed, not changed; statx is read; its size is a number" {
	truncate -s 1M vm.img
	before=$(stat -c '%s %Y %i' vm.img; checksums vm.img)
	run --separate-stderr "$CHECK" --qemu-version 7.2 --json vm.img
	assert_equal "$status" 1
	jqe '.paths[0].facts.kind == "file" and .paths[0].facts.file_size == 1048576'
	jqe '.paths[0].facts.statx_dax == false or .paths[0].facts.statx_dax == null'
	jqe ".paths[0].qemu_messages[0] | contains(\"backend file $BATS_TEST_TMPDIR/vm.img failed\")"
	assert_equal "$(stat -c '%s %Y %i' vm.img; checksums vm.img)" "$before"
}

@test "a probed directory is left as it was (O_TMPFILE), and a missing file is not created" {
	mkdir d
	touch d/keep
	run "$CHECK" --qemu-version 7.2 d d/new.img
	assert_equal "$status" 1
	assert_equal "$(ls -A d)" keep
	assert_output --partial 'd/new.img (missing)'
	assert_output --partial "does not exist: QEMU creates it in d"
}

@test "share=off and pmem=off: NOT PERSISTENT, and QEMU is silent" {
	run "$CHECK" --qemu-version 7.2 --share=off --pmem=on .
	assert_equal "$status" 1
	assert_output --partial 'share=off maps the backend privately'
	assert_output --partial 'QEMU: says nothing (silent)'
	assert_output --partial 'fix: share=on'
	run "$CHECK" --qemu-version 7.2 --share --pmem=off --json .
	assert_equal "$status" 1
	jqe '.paths[0].qemu_silent == true and .paths[0].qemu_messages == []'
	jqe '.paths[0].fixes[0] == "pmem=on" and (.paths[0].reason | startswith("pmem=off"))'
}

@test "the deprecation warning comes with QEMU 6.1 and later" {
	run "$CHECK" --qemu-version 6.0 --json .
	jqe '.paths[0].qemu_messages | length == 1'
	run "$CHECK" --qemu-version 6.1 --json .
	jqe '.paths[0].qemu_messages[1] == "warning: Using non DAX backing file with '"'pmem=on'"' option is deprecated"'
}

@test "replay: device-DAX 2M without align= is REFUSED with QEMU's message; align=2M is PERSISTENT" {
	sysroot
	run --separate-stderr "$CHECK" "${SR[@]}" --qemu-version 7.2 /dev/dax1.0
	assert_equal "$status" 1
	assert_output --partial 'Verdict: REFUSED'
	assert_output --partial "QEMU: backing store align 0x200000 is larger than 'align' option 0x0"
	assert_output --partial 'fix: align=2M'
	run --separate-stderr "$CHECK" "${SR[@]}" --share=on --pmem=on --align=2M /dev/dax1.0
	assert_success
	assert_output --partial 'Verdict: PERSISTENT'
	assert_output --partial 'fix: -machine nvdimm-persistence=mem-ctrl (region1: memory_controller)'
	run "$CHECK" "${SR[@]}" --share --pmem --align 1M /dev/dax1.0
	assert_equal "$status" 1
	assert_output --partial "QEMU: backing store align 0x200000 is larger than 'align' option 0x100000"
}

@test "replay: device-DAX 4K and 1G alignments, share=off is refused by the kernel" {
	sysroot
	run "$CHECK" "${SR[@]}" --json --share --pmem --align 4K /dev/dax4.0
	assert_success
	jqe '.paths[0].facts.devdax | .align == 4096 and .region_align == 4096 and .driver == "device_dax" and .source == "sysfs"'
	jqe '.paths[0].facts.region | .name == "region4" and .namespace == "namespace4.0" and .mode == "devdax" and .persistence_domain == "cpu_cache"'
	jqe '.paths[0].fixes == ["-machine nvdimm-persistence=cpu (region4: cpu_cache)"]'
	run "$CHECK" "${SR[@]}" --share --pmem --align 2M /dev/dax5.0
	assert_equal "$status" 1
	assert_output --partial "backing store align 0x40000000 is larger than 'align' option 0x200000"
	assert_output --partial 'fix: align=1G'
	run "$CHECK" "${SR[@]}" --share=off --align 2M /dev/dax1.0
	assert_equal "$status" 1
	assert_output --partial 'QEMU: unable to map backing store for guest RAM: Invalid argument'
}

@test "replay: size= larger than the device: QEMU's message per version" {
	sysroot
	run "$CHECK" "${SR[@]}" --qemu-version 7.2 --share --align 2M --size 2G /dev/dax1.0
	assert_equal "$status" 1
	assert_output --partial "QEMU: backing store size 0x3ee00000 does not match 'size' option 0x80000000"
	run "$CHECK" "${SR[@]}" --qemu-version 10.0 --object "memory-backend-file,id=nvm1,mem-path=/dev/dax1.0,size=2G,share=on,align=2M"
	assert_equal "$status" 1
	assert_output --partial "QEMU: nvm1 backing store size 0x3ee00000 is too small for 'size' option 0x80000000 plus 'offset' option 0x0"
}

@test "replay: mountinfo ext4 dax=always on an fsdax namespace, but the kernel here refuses MAP_SYNC" {
	sysroot
	truncate -s 1M mnt/pmem0/vm.img
	run "$CHECK" "${SR[@]}" --qemu-version 7.2 --json mnt/pmem0/vm.img
	assert_equal "$status" 1
	jqe '.paths[0].facts.mount | .fstype == "ext4" and .dax == "always" and .source == "/dev/pmem0"'
	jqe '.paths[0].facts.region | .name == "region0" and .namespace == "namespace0.0" and .mode == "fsdax" and .persistence_domain == "cpu_cache"'
	run "$CHECK" "${SR[@]}" --qemu-version 7.2 mnt/pmem0/vm.img
	assert_output --partial 'although the mount or statx says DAX'
}

@test "replay: xfs with the legacy dax option, ext4 without dax, dax=never, plain ext4" {
	sysroot
	run "$CHECK" "${SR[@]}" --json mnt/xfs mnt/nodax mnt/never mnt/plain
	jqe '[.paths[].facts.mount.dax] == ["always", "none", "never", "none"]'
	jqe '[.paths[].facts.mount.fstype] == ["xfs", "ext4", "ext4", "ext4"]'
	jqe '.paths[0].facts.region.mode == "raw" and .paths[0].facts.region.persistence_domain == null'
	jqe '.paths[1].facts.region.mode == "sector"'
	jqe '.paths[3].facts.region == null'
	jqe '.paths[1].fixes[0] | startswith("remount '"$BATS_TEST_TMPDIR"'/mnt/nodax with -o dax=always")'
	jqe '.paths[3].fixes[0] | startswith("move the backend to a DAX file system")'
}

@test "replay: persistence domains cpu_cache, memory_controller, empty and absent" {
	sysroot
	run "$CHECK" "${SR[@]}" /dev/pmem0 /dev/dax1.0 /dev/pmem3s /dev/pmem2
	assert_output --regexp 'persistence domain +: PASS \(cpu_cache\)'
	assert_output --regexp 'persistence domain +: PASS \(memory_controller\)'
	assert_output --partial 'unknown: region3 has an empty persistence_domain'
	assert_output --partial 'unknown: region2 has no persistence_domain'
	assert_output --partial 'block devices never grant it'
}

@test "store granularity in libpmem2's terms: page, cache line, byte with eADR" {
	sysroot
	run "$CHECK" --json .
	jqe '.paths[0].facts.store_granularity == "page"'
	run "$CHECK" "${SR[@]}" --json /dev/dax1.0
	jqe '.paths[0].facts.store_granularity == "cache-line"'
	run "$CHECK" --sysroot "$FIXTURES/check/eadr" --json --share --pmem --align 2M /dev/dax0.0
	assert_success
	jqe '.paths[0].facts.store_granularity == "byte"'
}

@test "inventory: buses, regions, namespaces of every mode, device-DAX, DAX-capable mounts" {
	sysroot
	run --separate-stderr "$CHECK" "${SR[@]}"
	assert_success
	assert_line 'NVDIMM buses: 1'
	assert_line 'Regions: 6'
	assert_output --regexp 'namespace0.0 +fsdax +size 1054867456 /dev/pmem0 region0'
	assert_output --regexp 'namespace1.0 +devdax +size 1054867456 /dev/dax1.0 region1'
	assert_output --regexp 'namespace2.0 +raw +size 1073741824 /dev/pmem2 region2'
	assert_output --regexp 'namespace3.0 +sector +size 1071644672 /dev/pmem3s region3'
	refute_output --partial 'namespace0.1'
	assert_output --regexp 'dax5.0 +devdax +size 3221225472 align 1073741824'
	assert_output --partial '/dev/pmem3s dax=none (not DAX: remount with -o dax)'
	refute_output --partial 'tmpfs'
	refute_output --partial '/dev/sda2'
	run --separate-stderr "$CHECK" "${SR[@]}" --json
	assert_success
	jqe '.tool == "nvd-check" and .version == 1 and .paths == [] and .verdict == null'
	jqe '.inventory.buses == [{"name": "ndbus0", "provider": "ACPI.NFIT"}]'
	jqe '[.inventory.regions[].persistence_domain] == ["cpu_cache", "memory_controller", null, null, "cpu_cache", "cpu_cache"]'
	jqe '[.inventory.regions[].persistence_domain_present] == [true, true, false, true, true, true]'
	jqe '[.inventory.regions[].nvdimm_persistence] == ["cpu", "mem-ctrl", "unset", "unset", "cpu", "cpu"]'
	jqe '[.inventory.namespaces[].mode] == ["fsdax", "devdax", "raw", "sector", "devdax", "devdax"]'
	jqe '[.inventory.dax_devices[].align] == [2097152, 4096, 1073741824]'
	jqe '[.inventory.dax_mounts[].dax] == ["always", "always", "none", "never"]'
}

@test "JSON: one object with the same keys for every path kind" {
	sysroot
	run --separate-stderr "$CHECK" "${SR[@]}" --json --qemu-version 7.2 . /dev/dax1.0 missing.img
	assert_equal "$status" 1
	jqe '.tool == "nvd-check" and .qemu_version == "7.2" and .kernel == "6.1.0-56-amd64" and .inventory == null'
	jqe '.options.assumed == true and .options.share == true and .options.pmem == true and .options.align == null'
	jqe '.paths | length == 3'
	jqe '[.paths[] | keys] | all(. == ["checks", "facts", "fixes", "path", "persistence_model", "proposal", "qemu_messages", "qemu_silent", "reason", "verdict"])'
	jqe '[.paths[].facts | keys] | all(. == ["devdax", "file_size", "kind", "map_sync", "mount", "probed", "real_path", "region", "statx_dax", "store_granularity"])'
	jqe '[.paths[].checks[] | keys] | all(. == ["check", "detail", "id", "result"])'
	jqe '.verdict == "refused"'
	jqe '[.paths[].persistence_model] == ["map-sync", "map-sync", "map-sync"]'
}

@test "Prometheus: node_exporter textfile format, every family once" {
	sysroot
	run --separate-stderr "$CHECK" "${SR[@]}" --prometheus --share --pmem --align 2M . /dev/dax1.0
	assert_equal "$status" 1
	assert_line 'nvd_check_persistent{path="."} 0'
	assert_line 'nvd_check_persistent{path="/dev/dax1.0"} 1'
	assert_line 'nvd_check_verdict{path=".",verdict="not-persistent"} 1'
	assert_line 'nvd_check_devdax_align_bytes{path="/dev/dax1.0"} 2097152'
	assert_line 'nvd_check_persistence_domain{path="/dev/dax1.0",domain="memory_controller"} 1'
	# every sample line is NAME{LABELS} VALUE, and each family has one HELP and one TYPE
	run bash -c "grep -v '^#' <<<\"\$0\" | grep -cvE '^[a-z_]+(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\\})? [0-9]+\$'" "$output"
	assert_output 0
	run "$CHECK" "${SR[@]}" --prometheus
	assert_success
	assert_line 'nvd_nvdimm_buses 1'
	assert_line 'nvd_region_persistence_domain{region="region1",domain="memory_controller"} 1'
	assert_line 'nvd_devdax_align_bytes{device="dax5.0"} 1073741824'
	[ "$(grep -c '^# TYPE' <<<"$output")" = "$(grep '^# TYPE' <<<"$output" | sort -u | wc -l)" ]
}

@test "--object: QEMU's parser; sync= is not upstream QEMU's" {
	run "$CHECK" --qemu-version 7.2 --object "memory-backend-file,id=m0,mem-path=$BATS_TEST_TMPDIR,size=1G,share=on,pmem=on" --json
	assert_equal "$status" 1
	jqe '.options.assumed == false and .options.size == 1073741824 and .paths[0].path == "'"$BATS_TEST_TMPDIR"'"'
	jqe '.paths[0].qemu_messages[0] | contains("qemu_back_mem.m0.XXXXXX (deleted)")'
	run "$CHECK" --qemu-version 7.2 --object "memory-backend-file,id=m0,mem-path=.,size=1G,share=on,sync=on"
	assert_equal "$status" 1
	assert_output --partial 'Verdict: REFUSED'
	assert_output --partial "QEMU: Invalid parameter 'sync'"
}

@test "--sync: the seeds' proposal, explained as not upstream" {
	run "$CHECK" --qemu-version 7.2 --share --sync=on .
	assert_equal "$status" 1
	assert_output --partial 'Verdict: REFUSED'
	assert_output --partial "note: sync=on is the seeds' proposal"
	assert_output --partial "never merged: upstream QEMU says \"Invalid parameter 'sync'\""
	run "$CHECK" --qemu-version 7.2 --share --sync=auto --json .
	jqe '.paths[0].verdict == "not-persistent" and .paths[0].qemu_silent == true and .options.sync == "auto"'
}

@test "bad input: usage errors exit 2 with one clear line" {
	for args in "--align 2X ." "--size 0 ." "--share=maybe ." "--sync=yes ." "--json --prometheus ." \
		"--qemu-version 5.0 ." "--libs=some ." "--object memory-backend-file,id=m,mem-path=.,size=1G --share" \
		"--object memory-backend-ram,id=m,size=1G" "--object memory-backend-file,id=m,mem-path=/a,size=1G /b" \
		"--no-such-option"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$CHECK" $args
		assert_equal "$status" 2
		assert_equal "${#stderr_lines[@]}" 2
		[[ ${stderr_lines[0]} == nvd-check:* ]] || fail "$args: $stderr"
		assert_equal "${stderr_lines[1]}" "Try 'nvd-check --help' for more information."
	done
}

@test "bad input: missing path, FIFO, socket: exit 3, one line, nothing created" {
	run --separate-stderr "$CHECK" /nonexistent/dir/vm.img
	assert_equal "$status" 3
	assert_equal "$stderr" "nvd-check: /nonexistent/dir/vm.img: No such file or directory (nor is /nonexistent/dir a directory)"
	[ ! -e /nonexistent ]
	mkdir w && cd w
	mkfifo fifo
	run --separate-stderr timeout 5 "$CHECK" fifo
	assert_equal "$status" 3
	assert_equal "$stderr" "nvd-check: fifo: a FIFO: QEMU can map a file, a directory or a device-DAX node"
	python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' sock
	run --separate-stderr "$CHECK" --json sock
	assert_equal "$status" 3
	jqe '.paths[0].verdict == "error" and (.paths[0].error | startswith("a socket"))'
	run --separate-stderr "$CHECK" /dev/null
	assert_equal "$status" 3
	assert_equal "$(ls -A | sort | tr '\n' ' ')" "fifo sock "
}

@test "bad input: an unreadable file exits 3 (as an unprivileged user)" {
	command -v setpriv >/dev/null || skip "no setpriv"
	truncate -s 4096 secret.img
	chmod 600 secret.img
	chmod 755 "$BATS_TEST_TMPDIR"
	if [ "$(id -u)" = 0 ]; then
		run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$CHECK" secret.img
	else
		chmod 000 secret.img
		run --separate-stderr "$CHECK" secret.img
	fi
	assert_equal "$status" 3
	assert_equal "$stderr" "nvd-check: secret.img: cannot open: Permission denied"
}

@test "bad input: a full stdout is an error, not silence" {
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr bash -c "'$CHECK' . >/dev/full"
	assert_equal "$status" 3
	assert_equal "$stderr" "nvd-check: write error: No space left on device"
}

@test "--quiet keeps the WARN and FAIL lines and the verdict" {
	run "$CHECK" --quiet --qemu-version 7.2 .
	assert_equal "$status" 1
	refute_output --partial ': PASS'
	refute_output --partial ': INFO'
	assert_output --regexp 'MAP_SYNC +: FAIL'
	assert_output --partial 'Verdict: NOT PERSISTENT'
}

@test "colour only when asked or on a terminal, never with NO_COLOR" {
	run env -u NO_COLOR "$CHECK" --color=always .
	assert_output --partial $'\033[1;31mFAIL'
	run env NO_COLOR=1 "$CHECK" --color=always .
	refute_output --partial $'\033['
	run env -u NO_COLOR "$CHECK" .
	refute_output --partial $'\033['
}

@test "libndctl, libdaxctl, libpmem: not linked, not loaded for a file, loaded with --libs=always" {
	run ldd "$CHECK"
	refute_output --regexp 'ndctl|daxctl|pmem'
	run ldd "$BIN/nvd-plan"
	refute_output --regexp 'ndctl|daxctl|pmem'
	run --separate-stderr env LD_DEBUG=files "$CHECK" --json .
	[[ $stderr != *libndctl* && $stderr != *libdaxctl* ]] || fail "a library was loaded for a plain directory"
	jqe '.libraries == {"libdaxctl": false, "libndctl": false, "libpmem": false}'
	ldconfig -p | grep -q libdaxctl.so.1 || skip "libdaxctl not installed"
	run --separate-stderr "$CHECK" --libs=always --json .
	jqe '.libraries.libdaxctl == true and .libraries.libndctl == true'
}

@test "--pmem, --share and --readonly alone mean on, and the next word stays a PATH" {
	run "$CHECK" --json --share --pmem . /dev/shm
	jqe '.options.share == true and .options.pmem == true and ([.paths[].path] | sort) == [".", "/dev/shm"]'
	run "$CHECK" --json --pmem on --share=off .
	jqe '.options.share == false and .options.pmem == true and [.paths[].path] == ["."]'
}

@test "bash completion: options from --list-opts, values for --share, --sync, --align" {
	PATH=$BIN:$PATH
	source "$REPO/completions/nvd-check"
	COMP_WORDS=(nvd-check --)
	COMP_CWORD=1
	_nvd_check
	assert_equal "$(printf '%s\n' "${COMPREPLY[@]}" | sort)" "$({ nvd-check --list-opts; echo --; } | sort)"
	COMP_WORDS=(nvd-check --sync=)
	_nvd_check
	assert_equal "${COMPREPLY[*]}" '--sync=on --sync=off --sync=auto'
	COMP_WORDS=(nvd-check --align '')
	COMP_CWORD=2
	_nvd_check
	assert_equal "${COMPREPLY[*]}" '4K 2M 1G'
	COMP_WORDS=(nvd-check --share = o)
	COMP_CWORD=3
	_nvd_check
	assert_equal "${COMPREPLY[*]}" 'on off'
	# --device: the persistent drivers of the memory-device table (nvd-check --list-values)
	COMP_WORDS=(nvd-check --device '')
	COMP_CWORD=2
	_nvd_check
	assert_equal "${COMPREPLY[*]}" 'nvdimm virtio-pmem-pci cxl-type3'
}

@test "--device virtio-pmem-pci: persistent through guest flushes on a file that has no DAX" {
	truncate -s 64M vp.img
	# the same file is NOT PERSISTENT for an nvdimm (no MAP_SYNC here)
	run "$CHECK" --json --object memory-backend-file,id=p0,mem-path=vp.img,size=64M,share=on vp.img
	assert_failure 1
	jqe '.paths[0] | .verdict == "not-persistent" and .persistence_model == "map-sync"'
	run "$CHECK" --json --device virtio-pmem-pci,id=vp0,memdev=p0 \
		--object memory-backend-file,id=p0,mem-path=vp.img,size=64M,share=on vp.img
	assert_success
	jqe '.paths[0] | .verdict == "persistent" and .persistence_model == "guest-flush" and (.fixes | length) == 0'
	jqe '.paths[0].reason | test("persistent through guest flushes") and test("MAP_SYNC is refused in the guest") and test("no DAX")'
	jqe '.verdict == "persistent"'
	run "$CHECK" --device virtio-pmem-pci vp.img
	assert_success
	assert_output --partial 'Verdict: PERSISTENT'
	assert_output --partial 'why: virtio-pmem-pci: persistent through guest flushes'
}

@test "--device virtio-pmem-pci: share=off loses the data, pmem=on is not its model, device-DAX not supported" {
	truncate -s 64M vp.img
	run "$CHECK" --json --device virtio-pmem-pci --object memory-backend-file,id=p0,mem-path=vp.img,size=64M vp.img
	assert_failure 1
	jqe '.paths[0] | .verdict == "not-persistent" and (.fixes == ["share=on"]) and (.reason | test("share=off"))'
	run "$CHECK" --json --device virtio-pmem-pci --share on --pmem on vp.img
	assert_success
	jqe '.paths[0] | .verdict == "persistent" and (.fixes[0] | test("^pmem=off"))'
	jqe '.paths[0].qemu_messages | length == 2'
	sysroot
	run "$CHECK" "${SR[@]}" --json --device virtio-pmem-pci --share on --align 2M /dev/dax1.0
	assert_failure 1
	jqe '.paths[0] | .verdict == "not-persistent" and (.reason | test("device-DAX backend is not supported"))'
}

@test "--device cxl-type3: the persistent backend gets the MAP_SYNC rules of any memory-backend-file" {
	truncate -s 256M cm.img
	# no DAX here: pmem=on,share=on is not persistent, as for an nvdimm; share=off loses the data
	run "$CHECK" --json --device cxl-type3,persistent-memdev=cm,lsa=cl \
		--object memory-backend-file,id=cm,mem-path=cm.img,size=256M,share=on,pmem=on cm.img
	assert_failure 1
	jqe '.paths[0] | .verdict == "not-persistent" and .persistence_model == "map-sync"'
	run "$CHECK" --json --device cxl-type3 --object memory-backend-file,id=cm,mem-path=cm.img,size=256M cm.img
	assert_failure 1
	jqe '.paths[0] | .verdict == "not-persistent" and (.reason | test("share=off")) and (.fixes | index("share=on"))'
	sysroot
	run "$CHECK" "${SR[@]}" --json --device cxl-type3 --share on --pmem on --align 2M /dev/dax1.0
	assert_success
	jqe '.paths[0] | .verdict == "persistent" and .persistence_model == "map-sync"'
}

@test "--device: a device that does not persist, or none, is a usage error (exit 2)" {
	truncate -s 64M vp.img
	for d in pc-dimm virtio-mem-pci e1000 'virtio-pmem-pci,,x' ''; do
		run --separate-stderr "$CHECK" --device "$d" vp.img
		assert_failure 2
		[[ $stderr == "nvd-check: --device"* ]] || fail "stderr for '$d': $stderr"
		assert_output ''
	done
	# the persistent devices are listed from the device table
	[[ $stderr == *"use nvdimm|virtio-pmem-pci|cxl-type3"* ]] || fail "stderr: $stderr"
}
