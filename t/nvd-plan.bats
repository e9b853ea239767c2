#!/usr/bin/env bats
# nvd-plan: golden outputs, JSON shape, exit codes, input sources, host checks, bad input.

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	PLAN=$BIN/nvd-plan
	cd "$BATS_TEST_TMPDIR"
	truncate -s 4G nv0.img
	truncate -s 2G nv1.img
}

golden() {
	local name=$1
	shift
	cp "$FIXTURES/plan/$name.args" .
	run --separate-stderr "$PLAN" --qemu-version 7.2 "$@" "$name.args"
	diff -u "$FIXTURES/plan/$name.out" <(printf '%s\n' "$output") ||
		fail "output differs from $name.out"
}

@test "golden: the example VM is accepted, with slots, addresses, pmem sizes and label offsets" {
	golden example
	assert_equal "$status" 0
}

@test "golden: every mistake is reported, the first one with QEMU's message" {
	golden mistakes
	assert_equal "$status" 1
}

@test "golden: a hot-plug plan that does not fit is a warning" {
	golden hotplug --hotplug 1G,1G
	assert_equal "$status" 0
}

@test "golden: libvirt's JSON option syntax" {
	golden json-syntax
	assert_equal "$status" 0
}

@test "--strict turns warnings into exit 1, shows them with -q, and fails them in JUnit" {
	cp "$FIXTURES/plan/hotplug.args" .
	run "$PLAN" --qemu-version 7.2 --strict --hotplug 1G,1G hotplug.args
	assert_equal "$status" 1
	run "$PLAN" --qemu-version 7.2 --strict --hotplug 1G hotplug.args
	assert_equal "$status" 0
	run "$PLAN" --qemu-version 7.2 -q --hotplug 1G,1G hotplug.args
	assert_equal "$status" 0
	refute_output --partial "hotplug-fails"
	run "$PLAN" --qemu-version 7.2 -q --strict --hotplug 1G,1G hotplug.args
	assert_equal "$status" 1
	assert_output --partial "[hotplug-fails]"
	run "$PLAN" --qemu-version 7.2 --strict --junit - --hotplug 1G,1G hotplug.args
	assert_equal "$status" 1
	assert_line --index 0 '<?xml version="1.0" encoding="UTF-8"?>'
	assert_output --partial 'failures="1"'
}

@test "JSON: one object with the documented keys, sizes as numbers" {
	cp "$FIXTURES/plan/example.args" .
	run --separate-stderr "$PLAN" --qemu-version 7.2 --json example.args
	assert_success
	jq -e '.tool == "nvd-plan" and .version == 1 and .qemu_version == "7.2" and .verdict == "accept"' <<<"$output"
	jq -e '.memory | .ram_size == 4294967296 and .maxmem == 21474836480 and .slots == 4' <<<"$output"
	jq -e '.memory.window | .base == 6442450944 and .size == 21474836480' <<<"$output"
	jq -e '.dimms | length == 3' <<<"$output"
	jq -e '.dimms[0] | .id == "nv0" and .slot == 0 and .addr == 6442450944 and .pmem_size == 4294836224 and .label_size == 131072 and .label_offset == 4294836224' <<<"$output"
	jq -e '.dimms[1] | .id == "nv1" and .align == 2097152 and .unarmed == true and .label_offset == null' <<<"$output"
	jq -e '.dimms[2] | .type == "pc-dimm" and .addr == 12884901888' <<<"$output"
	jq -e '.findings | type == "array"' <<<"$output"
}

@test "JSON: a refused configuration lists findings with id, level, message, qemu, object" {
	cp "$FIXTURES/plan/mistakes.args" .
	run --separate-stderr "$PLAN" --qemu-version 7.2 --json mistakes.args
	assert_equal "$status" 1
	jq -e '.verdict == "reject"' <<<"$output"
	jq -e '[.findings[] | select(.level == "fail")] | length == 4' <<<"$output"
	jq -e '.findings[0] | .id == "nvdimm-label-size-min" and .object == "nv0" and .qemu == "Property '"'nvdimm.label-size'"' (0x10000) is required at least 0x20000"' <<<"$output"
	jq -e '.findings | map(keys) | all(. == ["id", "level", "message", "object", "qemu"])' <<<"$output"
}

@test "JSON: several files give one object per line" {
	cp "$FIXTURES/plan/example.args" "$FIXTURES/plan/mistakes.args" .
	run --separate-stderr "$PLAN" --qemu-version 7.2 --json example.args mistakes.args
	assert_equal "$status" 1
	assert_equal "${#lines[@]}" 2
	jq -e '.verdict == "accept"' <<<"${lines[0]}"
	jq -e '.verdict == "reject"' <<<"${lines[1]}"
	# one per line even when only one of several files could be read
	run --separate-stderr "$PLAN" --qemu-version 7.2 --json example.args missing.args
	assert_equal "$status" 3
	assert_equal "${#lines[@]}" 1
}

@test "--junit writes one testcase per file and a failure for the refused one" {
	cp "$FIXTURES/plan/example.args" "$FIXTURES/plan/mistakes.args" .
	run "$PLAN" --qemu-version 7.2 --junit report.xml example.args mistakes.args
	assert_equal "$status" 1
	grep -q '<testsuite name="nvd-plan" tests="2" failures="1">' report.xml
	assert_equal "$(grep -c '<testcase ' report.xml)" 2
	grep -q "<failure message=\"Property 'nvdimm.label-size' (0x10000) is required at least 0x20000\" type=\"nvdimm-label-size-min\">" report.xml
}

@test "-- QEMU-ARGS, with or without the program name" {
	run "$PLAN" --qemu-version 7.2 -- qemu-system-x86_64 -machine pc,nvdimm=on -m 1G,slots=1,maxmem=2G \
		-object memory-backend-file,id=m0,share=on,mem-path=nv1.img,size=2G -device nvdimm,memdev=m0
	assert_equal "$status" 1
	assert_output --partial "QEMU: not enough space, currently 0x0 in use of total space for memory devices 0x40000000"
	run "$PLAN" --qemu-version 7.2 -- -machine pc,nvdimm=on -m 1G,slots=1,maxmem=3G \
		-object memory-backend-file,id=m0,share=on,mem-path=nv1.img,size=2G -device nvdimm,memdev=m0
	assert_success
	assert_output --partial "(unnamed)"
}

@test "'-' reads the configuration from stdin" {
	run "$PLAN" --qemu-version 7.2 --json - < "$FIXTURES/plan/json-syntax.args"
	assert_success
	jq -e '.source == "<stdin>" and .dimms[0].slot == 1 and .dimms[0].addr == 4294967296' <<<"$output"
}

@test "--pid reads a running QEMU's command line" {
	qemu-system-x86_64 -S -display none -nodefaults -no-user-config -accel tcg -monitor none \
		-machine pc,nvdimm=on -m 512M,slots=2,maxmem=4G \
		-object memory-backend-file,id=m0,share=on,mem-path=nv1.img,size=2G \
		-device nvdimm,id=nv0,memdev=m0,label-size=256K 3>&- &
	local pid=$!
	for _ in $(seq 50); do
		grep -q nvdimm "/proc/$pid/cmdline" 2>/dev/null && break
		sleep 0.1
	done
	run "$PLAN" --qemu-version 7.2 --json --pid "$pid"
	kill "$pid"
	wait "$pid" || true
	assert_success
	jq -e '.source == "pid '"$pid"'" and .dimms[0].label_size == 262144 and .dimms[0].pmem_size == 2147221504' <<<"$output"
}

@test "host checks: a backend file smaller than size= is refused with QEMU's message per version" {
	truncate -s 512M small.img
	run "$PLAN" --qemu-version 7.2 -- -M pc,nvdimm=on -m 1G,slots=1,maxmem=3G \
		-object memory-backend-file,id=m0,share=on,mem-path=small.img,size=1G -device nvdimm,memdev=m0
	assert_equal "$status" 1
	assert_output --partial "QEMU: backing store size 0x20000000 does not match 'size' option 0x40000000"
	run "$PLAN" --qemu-version 10.0 -- -M pc,nvdimm=on -m 1G,slots=1,maxmem=3G \
		-object memory-backend-file,id=m0,share=on,mem-path=small.img,size=1G -device nvdimm,memdev=m0
	assert_equal "$status" 1
	assert_output --partial "QEMU: m0 backing store size 0x20000000 is too small for 'size' option 0x40000000 plus 'offset' option 0x0"
	# --offline does not look
	run "$PLAN" --qemu-version 7.2 --offline -- -M pc,nvdimm=on -m 1G,slots=1,maxmem=3G \
		-object memory-backend-file,id=m0,share=on,mem-path=small.img,size=1G -device nvdimm,memdev=m0
	assert_success
}

@test "host checks: a missing directory is refused, --offline accepts" {
	run "$PLAN" --qemu-version 7.2 -- -M pc,nvdimm=on -m 1G,slots=1,maxmem=3G \
		-object memory-backend-file,id=m0,share=on,mem-path=no/such/dir/nv.img,size=1G -device nvdimm,memdev=m0
	assert_equal "$status" 1
	assert_output --partial "QEMU: can't open backing store no/such/dir/nv.img for guest RAM: No such file or directory"
	run "$PLAN" --qemu-version 7.2 --offline -- -M pc,nvdimm=on -m 1G,slots=1,maxmem=3G \
		-object memory-backend-file,id=m0,share=on,mem-path=no/such/dir/nv.img,size=1G -device nvdimm,memdev=m0
	assert_success
}

@test "host checks: pmem=on on a file that is not on DAX gets QEMU's two warnings" {
	run "$PLAN" --qemu-version 7.2 --json -- -M pc,nvdimm=on -m 1G,slots=1,maxmem=3G \
		-object memory-backend-file,id=m0,share=on,pmem=on,mem-path=nv1.img,size=2G -device nvdimm,memdev=m0
	assert_success
	jq -e --arg p "$PWD/nv1.img" '[.findings[] | select(.level == "warn") | .qemu] ==
		["Warning: requesting persistence across crashes for backend file \($p) failed. Proceeding without persistence, data might become corrupted in case of host crash.",
		 "warning: Using non DAX backing file with '"'pmem=on'"' option is deprecated"]' <<<"$output"
}

@test "host checks: a label area that holds data but no namespace index is a warning" {
	head -c 4096 /dev/urandom | dd of=nv1.img bs=4096 seek=$((2 * 1024 * 1024 / 4 - 1)) conv=notrunc status=none
	run "$PLAN" --qemu-version 7.2 --json -- -M pc,nvdimm=on -m 1G,slots=1,maxmem=3G \
		-object memory-backend-file,id=m0,share=on,mem-path=nv1.img,size=2G -device nvdimm,memdev=m0,label-size=128K
	assert_success
	jq -e '[.findings[] | .id] | index("nvdimm-label-area-data") != null' <<<"$output"
	# without labels nothing is said
	run "$PLAN" --qemu-version 7.2 --json -- -M pc,nvdimm=on -m 1G,slots=1,maxmem=3G \
		-object memory-backend-file,id=m0,share=on,mem-path=nv1.img,size=2G -device nvdimm,memdev=m0
	jq -e '[.findings[] | .id] | index("nvdimm-label-area-data") == null' <<<"$output"
}

@test "a pc-dimm off the 128 MiB memory-block grid is a warning" {
	run "$PLAN" --qemu-version 7.2 --json -- -M pc,nvdimm=on -m 1G,slots=2,maxmem=4G \
		-object memory-backend-file,id=m0,share=on,mem-path=nv1.img,size=64M -device nvdimm,memdev=m0 \
		-object memory-backend-ram,id=r0,size=512M -device pc-dimm,id=d0,memdev=r0
	assert_success
	jq -e '.dimms[1].addr == 4362076160' <<<"$output"
	jq -e '[.findings[] | select(.id == "dimm-block-align") | .object] == ["d0"]' <<<"$output"
}

@test "--target aarch64: the virt machine, its window and its messages" {
	run "$PLAN" --qemu-version 7.2 --target aarch64 --json -- -m 1G
	assert_failure 1
	jq -e '.findings[0].qemu == "No machine specified, and there is no default"' <<<"$output"
	run "$PLAN" --qemu-version 7.2 --target aarch64 --json -- -M pc
	assert_failure 1
	jq -e '.findings[0].qemu == "unsupported machine type"' <<<"$output"
	run "$PLAN" --qemu-version 10.0 --target aarch64 --json -- -M virt -cpu max -bios efi.fd \
		-m 1G,slots=2,maxmem=4G -object memory-backend-ram,id=r0,size=1G -device nvdimm,id=nv0,memdev=r0
	assert_failure 1
	jq -e '.findings[0].qemu == "nvdimm is not enabled: add '"'nvdimm=on'"' to '"'-M'"'"' <<<"$output"
	run "$PLAN" --qemu-version 10.0 --target aarch64 --json -- -M virt,nvdimm=on -m 1G,slots=2,maxmem=4G \
		-object memory-backend-ram,id=r0,size=1G -device nvdimm,id=nv0,memdev=r0
	jq -e '.memory.window == {"base": 2147483648, "size": 5368709120} and .dimms[0].addr == 2147483648' <<<"$output"
	# DIMMs need virt's GED device: a 64-bit CPU, firmware and ACPI (real QEMU: t/qemu/cases-aarch64)
	local nv=(-m 1G,slots=2,maxmem=4G -object memory-backend-ram,id=r0,size=1G -device nvdimm,id=nv0,memdev=r0)
	run "$PLAN" --qemu-version 10.0 --target aarch64 --json -- -M virt,nvdimm=on "${nv[@]}"
	jq -e '.verdict == "reject" and .findings[0].id == "machine-no-ged" and (.findings[0].message | test("32-bit CPU"))' <<<"$output"
	jq -e '.findings[0].qemu == "memory hotplug is not enabled: missing acpi-ged device"' <<<"$output"
	run "$PLAN" --qemu-version 10.0 --target aarch64 --json -- -M virt,nvdimm=on -cpu max,sve=off "${nv[@]}"
	jq -e '.findings[0].id == "machine-no-ged" and (.findings[0].message | test("without firmware"))' <<<"$output"
	run "$PLAN" --qemu-version 10.0 --target aarch64 --json -- -M virt,nvdimm=on,acpi=off -cpu max -bios efi.fd "${nv[@]}"
	jq -e '.findings[0].id == "machine-acpi-off"' <<<"$output"
	for fw in "-bios efi.fd" "-drive if=pflash,format=raw,file=f.img" "-machine pflash0=fw"; do
		# shellcheck disable=SC2086
		run "$PLAN" --qemu-version 10.0 --target aarch64 --json -- -M virt,nvdimm=on -cpu cortex-a72 $fw "${nv[@]}"
		jq -e '.verdict == "accept"' <<<"$output" || fail "$fw: $output"
	done
	# cold plug without GED is allowed since 10.2
	run "$PLAN" --qemu-version 10.2 --target aarch64 --json -- -M virt,nvdimm=on "${nv[@]}"
	jq -e '.verdict == "accept"' <<<"$output"
	run "$PLAN" --qemu-version 10.0 --json -- -M virt
	jq -e '.verdict == "reject" and .findings[0].id == "machine-type-unknown"' <<<"$output"
	run --separate-stderr "$PLAN" --target riscv64 -- -M virt
	assert_failure 2
}

@test "README: the make demo output it shows is what nvd-plan prints" {
	truncate -s 4G nv0.img
	truncate -s 2G nv1.img
	want=$(sed -n '/^    \$ make demo$/,/^$/p' "$REPO/README.md" | sed -e '1d' -e '/^$/d' -e 's/^    //')
	[[ -n $want ]] || fail "no make demo block in README.md"
	run "$PLAN" --qemu-version 7.2 "$REPO/examples/vm-nvdimm.args"
	assert_success
	assert_equal "$(sed 1d <<<"$output")" "$(sed 1d <<<"$want")"
	[[ $(head -n 1 <<<"$want") == *"vm-nvdimm.args: QEMU 7.2: accept" ]]
}

@test "README: the findings it shows for examples/vm-mistakes.args are nvd-plan's" {
	want=$(sed -n '/^    \$ nvd-plan examples\/vm-mistakes.args$/,/^$/p' "$REPO/README.md" |
		grep -E '^    (fail|warn|      QEMU):|^          QEMU:' | sed 's/^    //')
	[[ -n $want ]] || fail "no vm-mistakes block in README.md"
	cd "$REPO"
	run "$PLAN" --qemu-version 7.2 examples/vm-mistakes.args
	assert_failure 1
	assert_equal "$(grep -E '^(fail|warn)|^      QEMU:' <<<"$output")" "$want"
	# and its JSON excerpt: the same object with machine, memory and other findings left out
	want=$(sed -n '/^```json$/,/^```$/p' "$REPO/README.md" | sed '1d;$d' | head -n 200)
	got=$("$PLAN" --qemu-version 7.2 --json examples/vm-mistakes.args |
		jq --argjson ids "$(jq -c '[.findings[].id]' <<<"$want")" \
			'del(.machine, .memory) | .findings |= [.[] | select(.id as $i | $ids | index($i))]')
	assert_equal "$(jq -S . <<<"$got")" "$(jq -S . <<<"$want")"
}

@test "the QEMU version: --qemu-version, else the QEMU on PATH" {
	run "$PLAN" --json -- -M pc
	jq -e '.qemu_version == "7.2"' <<<"$output"
	run "$PLAN" --json --qemu-version 10.0.13 -- -M pc
	jq -e '.qemu_version == "10.0"' <<<"$output"
	PATH=/nonexistent run "$PLAN" --json -- -M pc
	jq -e '.qemu_version == "11.1"' <<<"$output"
	run "$PLAN" --json --qemu-version 11.0 -- -M pc
	jq -e '.qemu_version == "11.0"' <<<"$output"
}

@test "a QEMU on PATH newer than modelled: said on stderr and as a warn finding, checked as the newest" {
	mkdir -p "$BATS_TEST_TMPDIR/newq"
	printf '#!/bin/sh\necho "QEMU emulator version 12.0.1 (Debian 1:12.0.1+ds-1)"\n' \
		>"$BATS_TEST_TMPDIR/newq/qemu-system-x86_64"
	chmod +x "$BATS_TEST_TMPDIR/newq/qemu-system-x86_64"
	PATH=$BATS_TEST_TMPDIR/newq:$PATH run --separate-stderr "$PLAN" --json -- -M pc
	assert_success
	assert_equal "$stderr" "nvd-plan: qemu-system-x86_64 on PATH is 12.0, newer than modelled: checking as 11.1"
	jq -e '.qemu_version == "11.1" and .verdict == "accept"' <<<"$output"
	jq -e '[.findings[] | select(.id == "qemu-version-unmodelled" and .level == "warn")] | length == 1' <<<"$output"
	jq -e '.findings[] | select(.id == "qemu-version-unmodelled") | .message | contains("QEMU 12.0, newer than every release modelled: checked as QEMU 11.1")' <<<"$output"
	PATH=$BATS_TEST_TMPDIR/newq:$PATH run --separate-stderr "$PLAN" -- -M pc
	assert_output --partial "QEMU 11.1: accept"
	assert_output --partial "/newq/qemu-system-x86_64 is QEMU 12.0, newer than every release modelled: checked as QEMU 11.1"
	# it answered --version only (no QMP): the release table decides the rest
	PATH=$BATS_TEST_TMPDIR/newq:$PATH run --separate-stderr "$PLAN" --json -- -M pc
	jq -e '.qemu_binary.asked == false and .qemu_binary.version == "12.0.1" and .qemu_binary.package == "Debian 1:12.0.1+ds-1"' <<<"$output"
	# --qemu-version chooses: no warning then
	PATH=$BATS_TEST_TMPDIR/newq:$PATH run --separate-stderr "$PLAN" --json --qemu-version 11.1 -- -M pc
	assert_equal "$stderr" ""
	jq -e '[.findings[] | select(.id == "qemu-version-unmodelled")] | length == 0' <<<"$output"
}

@test "--help and --version go to stdout and exit 0; --list-opts lists every long option" {
	run --separate-stderr "$PLAN" --help
	assert_success
	assert_output --partial "Usage: nvd-plan [OPTIONS] [FILE... | -- QEMU-ARGS | --pid PID | --explain MESSAGE]"
	assert_output --partial "--qemu-version=X.Y"
	assert_equal "$stderr" ""
	run "$PLAN" --version
	assert_success
	assert_output --regexp '^nvd-plan \(nvd toolkit\) '
	run "$PLAN" --list-opts
	assert_success
	for o in --qemu-version= --pid= --offline --hotplug= --junit= --explain= --json --quiet --verbose --color= --strict --help --version; do
		assert_line "$o"
	done
}

# Bad input: one line on stderr (plus the --help hint for usage errors), the exit code, nothing on stdout.
bad() {
	local want=$1
	shift
	run --separate-stderr "$PLAN" "$@"
	assert_equal "$status" "$want"
	assert_equal "$output" ""
	[[ $stderr == nvd-plan:* ]] || fail "stderr does not start with 'nvd-plan:': $stderr"
	local n
	n=$(printf '%s\n' "$stderr" | grep -vc "^Try 'nvd-plan --help'")
	assert_equal "$n" 1
}

@test "bad input: usage errors exit 2" {
	bad 2 --bogus x.args
	bad 2
	bad 2 --qemu-version 7 x.args
	bad 2 --qemu-version 5.2 x.args
	bad 2 --qemu-version abc x.args
	bad 2 --qemu-version 9.9 x.args
	bad 2 --hotplug 1Q x.args
	bad 2 --hotplug -1G x.args
	bad 2 --hotplug , x.args
	bad 2 --color=sometimes x.args
	bad 2 --pid 0
	bad 2 --pid abc
	bad 2 --pid 1 x.args
	bad 2 x.args -- -m 1G
}

@test "bad input: malformed configuration files exit 2" {
	printf -- "-machine 'pc\n" > quote.args
	bad 2 quote.args
	printf -- '-machine "pc\n' > dquote.args
	bad 2 dquote.args
	printf -- '-machine pc -m\n' > noarg.args
	bad 2 noarg.args
	head -c 100000 /dev/urandom > garbage.args
	printf '\0' >> garbage.args
	bad 2 garbage.args
}

@test "bad input: unreadable sources exit 3, and the input files stay unchanged" {
	bad 3 no-such-file.args
	mkdir adir
	bad 3 adir
	bad 3 /dev/zero
	head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' 'x' > huge.args
	bad 3 huge.args
	bad 3 --pid 999999999
	sleep 30 &
	bad 2 --pid $!
	kill $!
	cp "$FIXTURES/plan/example.args" .
	local before after
	before=$(checksums example.args nv0.img nv1.img)
	run "$PLAN" --qemu-version 7.2 example.args
	after=$(checksums example.args nv0.img nv1.img)
	assert_equal "$after" "$before"
	assert_equal "$(stat -c %s nv0.img)" 4294967296
}

@test "bad input: a full stdout is an error, not silence" {
	cp "$FIXTURES/plan/example.args" .
	run --separate-stderr "$PLAN" --qemu-version 7.2 example.args
	assert_success
	run --separate-stderr bash -c "'$PLAN' --qemu-version 7.2 example.args > /dev/full"
	assert_equal "$status" 3
	assert_equal "$stderr" "nvd-plan: write error: No space left on device"
}

@test "an NVDIMM on a RAM backend is a warning: its contents die with QEMU" {
	run "$PLAN" --qemu-version 7.2 --json -- -M pc,nvdimm=on -m 1G,slots=1,maxmem=3G \
		-object memory-backend-ram,id=r0,size=1G -device nvdimm,id=nv0,memdev=r0
	assert_success
	jq -e '[.findings[] | select(.level == "warn") | .id] == ["nvdimm-volatile-backend"]' <<<"$output"
}

@test "a refused -object adds no finding to the DIMM that uses it" {
	run "$PLAN" --qemu-version 7.2 --json -- -M pc,nvdimm=on -m 1G,slots=1,maxmem=3G \
		-object memory-backend-file,id=m0,share=on,mem-path=nv1.img,size=2G,rom=off -device nvdimm,id=nv0,memdev=m0
	assert_equal "$status" 1
	jq -e '[.findings[] | select(.level == "fail") | .qemu] == ["Invalid parameter '"'rom'"'"]' <<<"$output"
}

@test "an unknown option of QEMU's is kept and ignored; names with spaces and commas work" {
	mkdir "a dir"
	truncate -s 1G "a dir/nv,x.img"
	run "$PLAN" --qemu-version 7.2 --json -- -display none -serial mon:stdio -M pc,nvdimm=on \
		-m 1G,slots=1,maxmem=3G -object 'memory-backend-file,id=m0,share=on,mem-path=a dir/nv,,x.img,size=1G' \
		-device nvdimm,memdev=m0
	assert_success
	jq -e '.dimms[0].mem_path == "a dir/nv,x.img"' <<<"$output"
}

# A q35 VM with an nvdimm, a virtio-pmem device, a pc-dimm and a virtio-mem device.
virtio_vm() {
	truncate -s 256M n0.img p0.img
	cat >virtio.args <<'ARGS'
-machine q35,nvdimm=on
-m 512M,slots=2,maxmem=4G
-object memory-backend-file,id=n0,mem-path=n0.img,size=256M,share=on
-object memory-backend-file,id=p0,mem-path=p0.img,size=256M,share=on
-object memory-backend-ram,id=r1,size=256M
-object memory-backend-ram,id=r2,size=512M
-device nvdimm,id=nv0,memdev=n0
-device virtio-pmem-pci,id=vp0,memdev=p0
-device pc-dimm,id=d1,memdev=r1
-device virtio-mem-pci,id=vm2,memdev=r2,requested-size=128M
ARGS
}

@test "--json: memory_devices lists every memory device in command-line order; dimms the DIMMs" {
	virtio_vm
	run --separate-stderr "$PLAN" --qemu-version 10.0 --json virtio.args
	assert_success
	assert_equal "$(jq -c '[.memory_devices[] | [.id, .type, .memdev, .addr, .size, .slot]]' <<<"$output")" \
		'[["nv0","nvdimm","n0",4294967296,268435456,0],["vp0","virtio-pmem-pci","p0",4563402752,268435456,null],["d1","pc-dimm","r1",4831838208,268435456,1],["vm2","virtio-mem-pci","r2",5100273664,536870912,null]]'
	assert_equal "$(jq -c '[.dimms[].id]' <<<"$output")" '["nv0","d1"]'
	assert_equal "$(jq -c '.memory_devices[3] | [.block_size, .requested_size]' <<<"$output")" '[2097152,134217728]'
	# the text table names every device and its type; virtio devices have no slot
	run "$PLAN" --qemu-version 10.0 virtio.args
	assert_success
	assert_output --regexp 'DEVICE +TYPE +SLOT'
	assert_output --regexp 'vp0 +virtio-pmem-pci +- +0x110000000'
	assert_output --regexp 'vm2 +virtio-mem-pci +- +0x130000000'
}

@test "virtio-pmem: the warnings for what QEMU starts but loses data" {
	truncate -s 256M p0.img
	base=(-machine pc -m 512M,maxmem=2G)
	run --separate-stderr "$PLAN" --json -- "${base[@]}" \
		-object memory-backend-file,id=p0,mem-path=p0.img,size=256M \
		-device virtio-pmem-pci,id=vp0,memdev=p0
	assert_success
	jq -e '[.findings[] | select(.level == "warn") | .id] == ["virtio-pmem-share-off"]' <<<"$output"
	run --separate-stderr "$PLAN" --json -- "${base[@]}" \
		-object memory-backend-memfd,id=p0,size=256M -device virtio-pmem-pci,id=vp0,memdev=p0
	assert_success
	jq -e '[.findings[] | select(.level == "warn") | .id] == ["virtio-pmem-volatile-backend"]' <<<"$output"
	run --separate-stderr "$PLAN" --json -- "${base[@]}" \
		-object memory-backend-file,id=p0,mem-path=p0.img,size=256M,share=on,readonly=on \
		-device virtio-pmem-pci,id=vp0,memdev=p0
	assert_success
	jq -e '[.findings[] | select(.level == "warn") | .id] == ["virtio-pmem-readonly"]' <<<"$output"
	run --separate-stderr "$PLAN" --json -- "${base[@]}" \
		-object memory-backend-file,id=p0,mem-path=p0.img,size=256M,share=on \
		-device virtio-pmem-pci,id=vp0,memdev=p0
	assert_success
	jq -e '[.findings[] | select(.level == "warn")] == []' <<<"$output"
}

@test "nvd-nfit: a virtio-pmem device is not in the NFIT; only the NVDIMM after it moves" {
	truncate -s 256M n0.img p0.img
	args=(-machine pc,nvdimm=on -m 512M,slots=2,maxmem=2G
		-object memory-backend-file,id=n0,mem-path=n0.img,size=256M,share=on
		-object memory-backend-file,id=p0,mem-path=p0.img,size=256M,share=on)
	"$BIN/nvd-nfit" --json -- "${args[@]}" -device nvdimm,id=nv0,memdev=n0 >alone.json
	"$BIN/nvd-nfit" --json -- "${args[@]}" -device virtio-pmem-pci,id=vp0,memdev=p0 \
		-device nvdimm,id=nv0,memdev=n0 >after.json
	# the same structures but for the NVDIMM's address: 256 MiB higher
	spa='[.structures[] | select(.type == 0) | .fields.address]'
	assert_equal "$(jq -c "$spa" alone.json)" '[4294967296]'
	assert_equal "$(jq -c "$spa" after.json)" '[4563402752]'
	assert_equal "$(jq -S 'del(.structures[].fields.address, .header.checksum)' alone.json)" \
		"$(jq -S 'del(.structures[].fields.address, .header.checksum)' after.json)"
}

@test "an option that does not parse: named with its text, no follow-on findings, no made-up summary" {
	cd "$BATS_TEST_TMPDIR"
	truncate -s 256M nv0.img
	local args=(-M pc,nvdimm=on -m 6GB,slots=4,maxmem=10G
		-object memory-backend-file,id=m0,mem-path=nv0.img,size=256M -device nvdimm,id=nv0,memdev=m0)
	run "$PLAN" --qemu-version 11.1 --json -- "${args[@]}"
	assert_failure 1
	jq -e '[.findings[] | select(.level == "fail")] | length == 1' <<<"$output"
	jq -e '.findings[0].id == "option-invalid"' <<<"$output"
	jq -e '.findings[0].message == "QEMU refuses -m 6GB,slots=4,maxmem=10G while reading its command line"' <<<"$output"
	jq -e '.findings[0].qemu == "Parameter '"'size'"' expects a non-negative number below 2^64"' <<<"$output"
	jq -e '.memory.parsed == false' <<<"$output"
	run "$PLAN" --qemu-version 11.1 -- "${args[@]}"
	assert_output --partial "memory: -m does not parse (see below)"
	refute_output --partial "maxmem 128 MiB"
	refute_output --partial "slots=N"
	# a -m that parses: parsed is true
	run "$PLAN" --qemu-version 11.1 --json -- -M pc -m 1G
	jq -e '.memory.parsed == true' <<<"$output"
}

@test "sizes in the summary are exact: a binary unit when it divides (t/unit/test_size.c: else bytes)" {
	cd "$BATS_TEST_TMPDIR"
	run "$PLAN" --qemu-version 11.1 -- -M pc -m 1073741826b
	assert_output --partial "memory 1048584 KiB,"	# -m is rounded up to 8 KiB
	run "$PLAN" --qemu-version 11.1 -- -M pc -m 1536M,slots=1,maxmem=4194176K
	assert_output --partial "memory 1536 MiB, maxmem 4194176 KiB, slots 1"
}

# A q35 VM with one CXL type-3 persistent device under a root port, and arguments added.
cxl_run() {
	truncate -s 256M cm.img cl.img
	run --separate-stderr "$PLAN" --qemu-version 10.0 --json -- -machine q35,cxl=on \
		-m 2G,slots=2,maxmem=4G -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 \
		-device cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2 "$@"
}

@test "CXL: cxl_windows after device memory at 256 MiB alignment; the type-3 device outside it" {
	cxl_run -object memory-backend-file,id=cm,mem-path=cm.img,size=256M,share=on \
		-object memory-backend-file,id=cl,mem-path=cl.img,size=1M,share=on \
		-device cxl-type3,bus=rp0,persistent-memdev=cm,lsa=cl,id=t3 \
		-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,cxl-fmw.1.targets.0=cxl.1,cxl-fmw.1.size=512M,cxl-fmw.1.interleave-granularity=4k
	assert_success
	# device memory 0x100000000 + 4 GiB, the 1 MiB register block, then 256 MiB aligned
	assert_equal "$(jq -c '.cxl' <<<"$output")" '{"enabled":true,"host_reg_base":8589934592}'
	assert_equal "$(jq -c '.cxl_windows' <<<"$output")" \
		'[{"index":0,"base":8858370048,"size":4294967296,"targets":["cxl.1"],"interleave_granularity":256},{"index":1,"base":13153337344,"size":536870912,"targets":["cxl.1"],"interleave_granularity":4096}]'
	assert_equal "$(jq -c '.memory_devices[0] | [.type, .in_device_memory, .addr, .slot, .size, .persistent_memdev, .lsa, .lsa_size]' <<<"$output")" \
		'["cxl-type3",false,null,null,268435456,"cm","cl",1048576]'
	jq -e '[.findings[] | select(.level != "info")] == [] and .memory.window.size == 4294967296' <<<"$output"
	run "$PLAN" --qemu-version 10.0 -- -machine q35,cxl=on -m 1G -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=1G \
		-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1
	assert_success
	assert_output --partial 'cxl host registers 0x100000000 (1 MiB)'
	assert_output --partial 'cxl window 0 0x110000000-0x14fffffff (1 GiB), targets cxl.1, granularity 256'
}

@test "CXL: the warnings for what QEMU starts but loses data or cannot map" {
	file='-object memory-backend-file,id=cm,mem-path=cm.img,size=256M,share=on'
	lsa='-object memory-backend-file,id=cl,mem-path=cl.img,size=1M,share=on'
	win='-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=1G'
	warns() { jq -c '[.findings[] | select(.level == "warn") | .id]' <<<"$output"; }
	# shellcheck disable=SC2086
	{
	cxl_run $file $lsa -device cxl-type3,bus=rp0,persistent-memdev=cm,lsa=cl,id=t3 $win
	assert_equal "$(warns)" '[]'
	cxl_run -object memory-backend-ram,id=cm,size=256M $lsa -device cxl-type3,bus=rp0,persistent-memdev=cm,lsa=cl,id=t3 $win
	assert_equal "$(warns)" '["cxl-volatile-backend"]'
	cxl_run -object memory-backend-file,id=cm,mem-path=cm.img,size=256M $lsa -device cxl-type3,bus=rp0,persistent-memdev=cm,lsa=cl,id=t3 $win
	assert_equal "$(warns)" '["cxl-share-off"]'
	cxl_run $file -object memory-backend-memfd,id=cl,size=1M -device cxl-type3,bus=rp0,persistent-memdev=cm,lsa=cl,id=t3 $win
	assert_equal "$(warns)" '["cxl-lsa-not-shared"]'
	cxl_run $file -device cxl-type3,bus=rp0,persistent-memdev=cm,lsa=cm,id=t3 $win
	assert_equal "$(warns)" '["cxl-lsa-same-backend"]'
	cxl_run $file $lsa -device cxl-type3,bus=rp0,memdev=cm,lsa=cl,id=t3 $win
	assert_equal "$(warns)" '["cxl-memdev-deprecated"]'
	cxl_run $file $lsa -device cxl-type3,bus=rp0,persistent-memdev=cm,lsa=cl,id=t3
	assert_equal "$(warns)" '["cxl-no-window"]'
	# a 2-way interleaved 256 MiB window gives each host bridge 128 MiB
	cxl_run $file $lsa -device pxb-cxl,bus_nr=40,bus=pcie.0,id=cxl.2 \
		-device cxl-type3,bus=rp0,persistent-memdev=cm,lsa=cl,id=t3 \
		-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.targets.1=cxl.2,cxl-fmw.0.size=256M
	assert_equal "$(warns)" '["cxl-window-small"]'
	}
	assert_success
}

@test "CXL: a type-3 device under a switch finds its host bridge; memdev= is not deprecated in 7.2" {
	truncate -s 256M cm.img cl.img
	run --separate-stderr "$PLAN" --qemu-version 7.2 --json -- -machine q35,cxl=on -m 1G \
		-object memory-backend-file,id=cm,mem-path=cm.img,size=256M,share=on \
		-object memory-backend-file,id=cl,mem-path=cl.img,size=1M,share=on \
		-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 -device cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2 \
		-device cxl-upstream,bus=rp0,id=us0 -device cxl-downstream,port=0,bus=us0,id=ds0,chassis=0,slot=4 \
		-device cxl-type3,bus=ds0,memdev=cm,lsa=cl,id=t3 -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=256M
	assert_success
	jq -e '[.findings[] | select(.level == "warn")] == []' <<<"$output"
}

@test "-smp: APIC IDs of 255 and more, as each release refuses them (no t/qemu case: 10.0 aborts)" {
	# real QEMU 11.1.3 on -machine q35 -smp 256: "APIC ID 255 requires x2APIC feature in CPU"
	run -1 "$PLAN" --offline --qemu-version 11.1 --json -- -machine q35 -smp 256
	jq -e '.findings[0].id == "smp-apic-id-limit" and
		.findings[0].qemu == "APIC ID 255 requires x2APIC feature in CPU"' <<<"$output"
	# only the CPUs started count from 9.0 on; x2apic=on lifts it
	run -0 "$PLAN" --offline --qemu-version 11.1 -- -machine q35 -smp 2,maxcpus=256
	run -0 "$PLAN" --offline --qemu-version 11.1 -- -machine q35 -cpu qemu64,x2apic=on -smp 256
	# 10.0 aborts on the same: said so
	run -1 "$PLAN" --offline --qemu-version 10.0 -- -machine q35 -smp 256
	assert_output --partial "QEMU 10.x aborts here instead of exiting"
	# 7.2 counts every possible CPU (t/qemu: smp-apic-*)
	run -1 "$PLAN" --offline --qemu-version 7.2 --json -- -machine q35 -smp 2,maxcpus=256
	jq -e '.findings[0].qemu == "current -smp configuration requires kernel irqchip and X2APIC API support."' <<<"$output"
}

@test "-smp: the AMD threads warning depends on the accelerator (TCG filters topoext out)" {
	run -0 "$PLAN" --offline --qemu-version 11.1 --json -- -cpu EPYC -smp 4,threads=2
	jq -e 'any(.findings[]; .id == "smp-amd-threads")' <<<"$output"
	run -0 "$PLAN" --offline --qemu-version 11.1 --json -- -accel kvm -cpu EPYC -smp 4,threads=2
	jq -e 'all(.findings[]; .id != "smp-amd-threads")' <<<"$output"
	run -0 "$PLAN" --offline --qemu-version 11.1 --json -- -enable-kvm -cpu qemu64,topoext=on -smp 4,threads=2
	jq -e 'all(.findings[]; .id != "smp-amd-threads")' <<<"$output"
	run -0 "$PLAN" --offline --qemu-version 11.1 --json -- -enable-kvm -smp 4,threads=2
	jq -e 'any(.findings[]; .id == "smp-amd-threads")' <<<"$output"
}
