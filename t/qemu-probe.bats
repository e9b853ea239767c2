#!/usr/bin/env bats
# --qemu PATH and the QEMU on PATH: the binary asked once (QMP), its answers cached, used where
# they differ from the release table. Real binaries (7.2 in /usr/bin, 10.0 and 11.1 from
# t/qemu/setup-qemu10/11) and wrappers around them whose answers are edited: a build without
# libpmem (no pmem), a dropped machine type, CPU model, device type or device property.

bats_require_minimum_version 1.5.0
load lib/common

QEMU72=/usr/bin/qemu-system-x86_64

setup() {
	load_bats_libs
	PLAN=$BIN/nvd-plan
	cd "$BATS_TEST_TMPDIR"
	export XDG_CACHE_HOME=$BATS_TEST_TMPDIR/cache
	CACHE=$XDG_CACHE_HOME/nvd-toolkit
}

need72() {
	[ -x "$QEMU72" ] || skip "no QEMU at $QEMU72"
	[[ $("$QEMU72" --version) == "QEMU emulator version 7.2."* ]] || skip "$QEMU72 is not 7.2"
}

# release10 / release11: the path of that QEMU (t/qemu/setup-qemu*), or skip with its reason.
release() {
	run "$REPO/t/qemu/setup-qemu$1" --quiet
	[ "$status" -eq 0 ] || skip "$(tail -n 1 <<<"$output")"
	QEMU=$(tail -n 1 <<<"$output")
}

# wrap NAME REAL [SED-EXPR...]: an executable NAME that runs REAL with its output edited by
# the sed expressions (its QMP answers: a property, a machine type, a CPU model renamed away)
# and appends a line to NAME.log at each run. sed -u: each answer passed on as it comes, as
# QEMU gives it (nvd-plan says quit once it has them all).
wrap() {
	local name=$1 real=$2 e
	shift 2
	{
		echo '#!/bin/sh'
		echo "echo run >> '$PWD/$name.log'"
		printf "'%s' \"\$@\" | sed -u" "$real"
		for e in "$@"; do printf " -e '%s'" "$e"; done
		[ $# -gt 0 ] || printf " -e p -n"
		echo
	} >"$name"
	chmod +x "$name"
}

runs() { if [ -f "$1.log" ]; then wc -l <"$1.log"; else echo 0; fi; }

NOPMEM='s/"name": "pmem"/"name": "x-dropped"/'
PMEM_VM=(-M pc -object memory-backend-file,id=m0,size=16M,mem-path=nv.img,pmem=on,share=on)

@test "the real 7.2, 10.0 and 11.1: asked, checked as their release, in agreement with the table" {
	need72
	truncate -s 16M nv.img
	local rel q v
	for rel in 7.2 10.0 11.1; do
		case $rel in 7.2) q=$QEMU72 ;; 10.0) release 10; q=$QEMU ;; 11.1) release 11; q=$QEMU ;; esac
		run --separate-stderr "$PLAN" --json --qemu "$q" -- -M q35,nvdimm=on -cpu qemu64 \
			-m 1G,slots=1,maxmem=2G "${PMEM_VM[@]:2}" -device nvdimm,id=nv0,memdev=m0,label-size=128K,unarmed=off
		assert_success
		v=$(jq -r .qemu_binary.version <<<"$output")
		[[ $v == "$rel".* ]] || fail "$q: version $v"
		jq -e --arg rel "$rel" '.qemu_version == $rel and .qemu_binary.asked' <<<"$output"
		jq -e '[.findings[] | select(.id == "qemu-binary-differs")] | length == 0' <<<"$output"
	done
}

@test "the t/qemu corpus: --qemu BINARY says what --qemu-version RELEASE says, for 7.2, 10.0 and 11.1" {
	need72
	local cases=("$REPO"/t/qemu/cases/*.args) rel q
	for rel in 7.2 10.0 11.1; do
		case $rel in 7.2) q=$QEMU72 ;; 10.0) release 10; q=$QEMU ;; 11.1) release 11; q=$QEMU ;; esac
		"$PLAN" --json --qemu-version "$rel" "${cases[@]}" 2>/dev/null | jq -c 'del(.qemu_binary)' >table
		"$PLAN" --json --qemu "$q" "${cases[@]}" 2>/dev/null | jq -c 'del(.qemu_binary)' >binary
		assert_equal "$(wc -l <binary)" "${#cases[@]}"
		diff table binary || fail "QEMU $rel: the binary and the table disagree"
	done
}

@test "a QEMU built without libpmem (no pmem property): pmem= is refused with QEMU's parser message" {
	need72
	truncate -s 16M nv.img
	wrap nopmem "$QEMU72" "$NOPMEM"
	run --separate-stderr "$PLAN" --json --qemu ./nopmem -- "${PMEM_VM[@]}"
	assert_failure 1
	jq -e '.verdict == "reject" and .findings[0].qemu == "Invalid parameter '"'pmem'"'" and .findings[0].object == "m0"' <<<"$output"
	jq -e '.findings[] | select(.id == "qemu-binary-differs") | .message | contains("/nopmem (QEMU 7.2.") and contains("its memory-backend-file has no property pmem")' <<<"$output"
	# the JSON syntax's message; pmem=off is refused too (the member is not in the schema)
	run "$PLAN" --json --qemu ./nopmem -- -M pc -object '{"qom-type":"memory-backend-file","id":"m0","size":16777216,"mem-path":"nv.img","pmem":false}'
	jq -e '.findings[0].qemu == "Parameter '"'pmem'"' is unexpected"' <<<"$output"
	# the text names the binary and the release it checks as
	run "$PLAN" --qemu ./nopmem -- "${PMEM_VM[@]}"
	assert_output --partial "QEMU 7.2: reject"
	assert_output --regexp "^command line: QEMU 7\\.2: reject
  checked as /[^ ]*/nopmem \\(QEMU 7\\.2\\.[0-9]+, Debian [^)]*\\), where it differs from the 7\\.2 table: its memory-backend-file has no property pmem
"
	# the real binary has pmem: the same configuration is accepted
	run "$PLAN" --json --qemu "$QEMU72" -- "${PMEM_VM[@]}"
	assert_success
	# nvd-nfit, nvd-check --object and nvd-map validate ask the binary too
	run --separate-stderr "$BIN/nvd-nfit" --qemu ./nopmem -- -M pc,nvdimm=on -m 1G,slots=1,maxmem=2G "${PMEM_VM[@]:2}" -device nvdimm,id=nv0,memdev=m0
	assert_failure 1
	assert_line "      QEMU: Invalid parameter 'pmem'"
	run --separate-stderr "$BIN/nvd-nfit" --qemu "$QEMU72" -- -M pc,nvdimm=on -m 1G,slots=1,maxmem=2G "${PMEM_VM[@]:2}" -device nvdimm,id=nv0,memdev=m0
	assert_success
	run --separate-stderr "$BIN/nvd-check" --json --qemu ./nopmem --object memory-backend-file,id=m0,size=16M,mem-path=nv.img,pmem=on,share=on
	assert_failure 1
	[[ $output == *"Invalid parameter 'pmem'"* ]] || fail "nvd-check: $output"
	run --separate-stderr "$BIN/nvd-map" validate --json --qemu ./nopmem --object memory-backend-file,id=m0,size=16M,mem-path=nv.img,pmem=on,share=on
	assert_failure 1
	jq -e '[.findings[] | select(.qemu == "Invalid parameter '"'pmem'"'")] | length == 1' <<<"$output"
}

@test "nvd-check --pmem, --share... and --device against the binary: what a build lacks is QEMU's refusal" {
	need72
	truncate -s 16M nv.img
	local CHECK=$BIN/nvd-check
	wrap nopmem "$QEMU72" "$NOPMEM"
	# --pmem=on, and --pmem=off too (the member is not in the schema): QEMU's parser refuses it
	for v in on off; do
		run --separate-stderr "$CHECK" --json --qemu ./nopmem --pmem=$v --share nv.img
		assert_failure 1
		jq -e '.paths[0].verdict == "refused" and .paths[0].qemu_messages == ["Invalid parameter '"'pmem'"'"]' <<<"$output"
		jq -e '.paths[0].reason | contains("/nopmem (QEMU 7.2.") and contains("has no memory-backend-file property pmem")' <<<"$output"
	done
	# no options: the best this QEMU can do is pmem=off, said so; the real binary assumes pmem=on
	run --separate-stderr "$CHECK" --json --qemu ./nopmem nv.img
	jq -e '.options.assumed and .options.pmem == false and .paths[0].verdict == "not-persistent"' <<<"$output"
	jq -e '[.paths[0].fixes[] | select(startswith("pmem=on, with a QEMU built with libpmem: "))] | length == 1' <<<"$output"
	run --separate-stderr "$CHECK" --qemu ./nopmem nv.img
	assert_line "options: share=on,pmem=off,readonly=off (assumed: no QEMU options given; this QEMU has no pmem)"
	run --separate-stderr "$CHECK" --json --qemu "$QEMU72" nv.img
	jq -e '.options.pmem == true and .paths[0].verdict != "refused"' <<<"$output"
	run --separate-stderr "$CHECK" --json --qemu "$QEMU72" --pmem=on nv.img
	jq -e '.paths[0].verdict != "refused"' <<<"$output"
	# a build without the device type: -device's message; the real 7.2 has each of them
	local drv
	for drv in nvdimm virtio-pmem-pci cxl-type3; do
		wrap "no-$drv" "$QEMU72" "/\"type:$drv\"/s/\"return\"/\"error\"/"
		run --separate-stderr "$CHECK" --json --qemu "./no-$drv" --device "$drv" nv.img
		assert_failure 1
		jq -e --arg d "$drv" '.paths[0].verdict == "refused" and .paths[0].qemu_messages == ["'"'"'\($d)'"'"' is not a valid device model name"]' <<<"$output"
		jq -e --arg d "$drv" '.paths[0].fixes == ["use a QEMU built with \($d)"]' <<<"$output"
		run --separate-stderr "$CHECK" --json --qemu "$QEMU72" --device "$drv" nv.img
		jq -e '.paths[0].verdict != "refused"' <<<"$output"
	done
	# without --device the device is an nvdimm: a build without one refuses that too
	run --separate-stderr "$CHECK" --json --qemu ./no-nvdimm nv.img
	jq -e '.paths[0].qemu_messages == ["'"'"'nvdimm'"'"' is not a valid device model name"]' <<<"$output"
	# the backend's refusal comes first, as QEMU creates backends before devices
	wrap nopmem-nocxl "$QEMU72" "$NOPMEM" '/"type:cxl-type3"/s/"return"/"error"/'
	run --separate-stderr "$CHECK" --json --qemu ./nopmem-nocxl --device cxl-type3 --pmem nv.img
	jq -e '.paths[0].qemu_messages == ["Invalid parameter '"'pmem'"'"]' <<<"$output"
}

@test "a machine type the binary lacks: QEMU's unsupported machine type message of its release" {
	need72
	wrap noq35 "$QEMU72" 's/"name": "pc-q35-7.1"/"name": "x-dropped"/'
	run "$PLAN" --json --qemu ./noq35 -- -M pc-q35-7.1
	assert_failure 1
	jq -e '.findings[0].id == "machine-type-unknown" and .findings[0].qemu == "unsupported machine type"' <<<"$output"
	jq -e '.findings[] | select(.id == "qemu-binary-differs") | .message | contains("it has no machine type pc-q35-7.1")' <<<"$output"
	run "$PLAN" --json --qemu "$QEMU72" -- -M pc-q35-7.1
	assert_success
	# the alias: pc is the type -machine help says (here pc-i440fx-7.1: a vendor's older default)
	wrap oldpc "$QEMU72" 's/"alias": "pc"//' 's/"name": "pc-i440fx-7.1"/"alias": "pc", "name": "pc-i440fx-7.1"/'
	run "$PLAN" --json --qemu ./oldpc -- -M pc
	assert_success
	jq -e '.findings[] | select(.id == "qemu-binary-differs") | .message | contains("its pc is pc-i440fx-7.1")' <<<"$output"
	release 11
	wrap no100 "$QEMU" 's/"name": "pc-q35-10.0"/"name": "x-dropped"/'
	run "$PLAN" --json --qemu ./no100 -- -M pc-q35-10.0
	jq -e '.findings[0].qemu == "unsupported machine type: \"pc-q35-10.0\""' <<<"$output"
}

@test "a CPU model or an nvdimm property the binary lacks: QEMU's messages" {
	need72
	wrap nosky "$QEMU72" 's/"name": "Skylake-Client"/"name": "x-dropped"/'
	run "$PLAN" --json --qemu ./nosky -- -M pc -cpu Skylake-Client,phys-bits=40
	assert_failure 1
	jq -e '.findings[0].id == "cpu-model-unknown" and .findings[0].qemu == "unable to find CPU model '"'Skylake-Client'"'"' <<<"$output"
	run "$PLAN" --json --qemu "$QEMU72" -- -M pc -cpu Skylake-Client
	assert_success
	wrap nounarmed "$QEMU72" 's/"name": "unarmed"/"name": "x-dropped"/'
	local nv=(-M pc,nvdimm=on -m 1G,slots=1,maxmem=2G -object memory-backend-ram,id=m0,size=16M
		-device nvdimm,id=nv0,memdev=m0,unarmed=off)
	run "$PLAN" --json --qemu ./nounarmed -- "${nv[@]}"
	assert_failure 1
	jq -e '.findings[0].id == "dimm-property-unknown" and .findings[0].qemu == "Property '"'nvdimm.unarmed'"' not found"' <<<"$output"
	run "$PLAN" --json --qemu "$QEMU72" -- "${nv[@]}"
	assert_success
	# cxl-type3's properties are asked too (bus= is -device's own, taken by every device)
	wrap nolsa "$QEMU72" 's/"name": "lsa"/"name": "x-dropped"/'
	run "$PLAN" --json --qemu ./nolsa "$REPO/t/qemu/cases/cxl-basic-memdev.args"
	assert_failure 1
	jq -e '[.findings[] | select(.level == "fail")] | .[0].id == "cxl-property-unknown" and .[0].qemu == "Property '"'cxl-type3.lsa'"' not found"' <<<"$output"
	jq -e '.findings[] | select(.id == "qemu-binary-differs") | .message | contains("its cxl-type3 has no property lsa")' <<<"$output"
	run "$PLAN" --json --qemu "$QEMU72" "$REPO/t/qemu/cases/cxl-basic-memdev.args"
	assert_success
}

@test "QEMU's messages for what a binary lacks, confirmed by the real 7.2 and 11.1" {
	need72
	local q rel line
	for rel in 7.2 11.1; do
		if [ "$rel" = 11.1 ]; then release 11; q=$QEMU; else q=$QEMU72; fi
		# a CPU model no binary has: QEMU's first line is the finding's text, and --explain knows it
		line=$("$q" -nodefaults -display none -M none -cpu Nosuch 2>&1 | head -n 1)
		run "$PLAN" --json --qemu "$q" -- -M pc -cpu Nosuch,phys-bits=40
		jq -e --arg l "${line#qemu-system-x86_64: }" '.findings[0].id == "cpu-model-unknown" and .findings[0].qemu == $l' <<<"$output"
		run "$PLAN" --explain "$line"
		assert_output --partial "cpu-model-unknown"
		# a machine type: the same message whether the table or the binary lacks it
		line=$("$q" -nodefaults -display none -M pc-q35-1.0 2>&1 | head -n 1)
		run "$PLAN" --json --qemu "$q" -- -M pc-q35-1.0
		jq -e --arg l "${line#qemu-system-x86_64: }" '.findings[0].qemu == $l' <<<"$output"
		# a memory-backend-file member the schema lacks (as pmem without libpmem): QEMU's wording
		line=$("$q" -nodefaults -display none -M none -object memory-backend-file,id=m0,size=1M,mem-path=/nonexistent/x,x-nopmem=on 2>&1 | head -n 1)
		[[ $line == *": Invalid parameter 'x-nopmem'" ]] || fail "QEMU $rel: $line"
		# a device type the build lacks (nvd-check --device)
		line=$("$q" -nodefaults -display none -M pc -device x-nopmem-pci,id=d0 2>&1 | head -n 1)
		[[ $line == *": 'x-nopmem-pci' is not a valid device model name" ]] || fail "QEMU $rel: $line"
	done
}

@test "the cache: written once, reused, asked again when the binary changes or the file is corrupt" {
	need72
	wrap q "$QEMU72"
	"$PLAN" --qemu ./q -- -M pc >/dev/null
	"$PLAN" --qemu ./q -- -M pc >/dev/null
	assert_equal "$(runs q)" 1
	local f=("$CACHE"/qemu-*.caps)
	assert_equal "${#f[@]}" 1
	[ "$(stat -c %a "$CACHE")" = 700 ] && [ "$(stat -c %a "${f[0]}")" = 600 ]
	grep -qx "binary $PWD/q" "${f[0]}"
	grep -qx 'machine pc-i440fx-7.2' "${f[0]}"
	# a changed binary (its mtime) is asked again, and the new answer kept
	touch -d '2001-01-01' q
	"$PLAN" --qemu ./q -- -M pc >/dev/null
	"$PLAN" --qemu ./q -- -M pc >/dev/null
	assert_equal "$(runs q)" 2
	# a corrupt file, a torn one, another format: asked again, rewritten
	sed -i 's/^machine pc-i440fx-7.2$/machine pc i440fx/' "${f[0]}"
	"$PLAN" --qemu ./q -- -M pc >/dev/null
	assert_equal "$(runs q)" 3
	head -c 500 "${f[0]}" >torn && cat torn >"${f[0]}"
	"$PLAN" --qemu ./q -- -M pc >/dev/null
	echo 'nvd-toolkit qemu-caps 99' >"${f[0]}"
	run "$PLAN" --json --qemu ./q -- -M pc
	assert_success
	jq -e '.qemu_binary.asked' <<<"$output"
	assert_equal "$(runs q)" 5
	"$PLAN" --qemu ./q -- -M pc >/dev/null
	assert_equal "$(runs q)" 5
	# the default binary: the qemu-system-x86_64 on PATH, cached the same way
	mkdir -p onpath && cp q onpath/qemu-system-x86_64 && sed -i "s|$PWD/q.log|$PWD/onpath.log|" onpath/qemu-system-x86_64
	PATH=$PWD/onpath:$PATH run "$PLAN" --json -- -M pc
	PATH=$PWD/onpath:$PATH run "$PLAN" --json -- -M pc
	jq -e --arg p "$PWD/onpath/qemu-system-x86_64" '.qemu_binary.path == $p and .qemu_version == "7.2"' <<<"$output"
	assert_equal "$(runs onpath)" 1
}

@test "the cache: a symbolic link in its place is not followed, a foreign owner's file not trusted" {
	need72
	wrap q "$QEMU72"
	"$PLAN" --qemu ./q -- -M pc >/dev/null
	local f=("$CACHE"/qemu-*.caps)
	echo precious >target
	rm "${f[0]}"
	ln -s "$PWD/target" "${f[0]}"
	run "$PLAN" --json --qemu ./q -- -M pc
	assert_success
	assert_equal "$(cat target)" precious
	[ -f "${f[0]}" ] && [ ! -L "${f[0]}" ] || fail "the link was not replaced by a file"
	assert_equal "$(runs q)" 2
	# another user's file in the cache: ignored (as root: chown works)
	if [ "$(id -u)" = 0 ]; then
		chown 65534 "${f[0]}"
		"$PLAN" --qemu ./q -- -M pc >/dev/null
		assert_equal "$(runs q)" 3
		assert_equal "$(stat -c %u "${f[0]}")" 0
	fi
	# the cache directory a link to elsewhere, or another user's: nothing written there
	mkdir elsewhere
	rm -rf "$CACHE"
	ln -s "$PWD/elsewhere" "$CACHE"
	"$PLAN" --qemu ./q -- -M pc >/dev/null
	[[ -z $(ls -A elsewhere) ]] || fail "written through the link: $(ls -A elsewhere)"
	if [ "$(id -u)" = 0 ]; then
		rm "$CACHE"
		mkdir "$CACHE"
		chown 65534 "$CACHE"
		"$PLAN" --qemu ./q -- -M pc >/dev/null
		[[ -z $(ls -A "$CACHE") ]] || fail "written into another user's directory"
	fi
}

@test "without a writable home or any home: still works, asked at each start" {
	need72
	wrap q "$QEMU72"
	echo file >home
	HOME=$PWD/home XDG_CACHE_HOME='' run --separate-stderr "$PLAN" --json --qemu ./q -- -M pc
	assert_success
	assert_equal "$stderr" ""
	jq -e '.qemu_binary.asked and .qemu_version == "7.2"' <<<"$output"
	env -u HOME -u XDG_CACHE_HOME "$PLAN" --qemu ./q -- -M pc >/dev/null
	# a relative XDG_CACHE_HOME is ignored (the specification): HOME's .cache is used
	mkdir h2
	HOME=$PWD/h2 XDG_CACHE_HOME=rel "$PLAN" --qemu ./q -- -M pc >/dev/null
	[ ! -e rel ] && [ -d h2/.cache/nvd-toolkit ]
	assert_equal "$(runs q)" 3
}

@test "--offline never runs a QEMU nor writes the cache; --qemu's bad uses" {
	wrap qemu-system-x86_64 /bin/false
	PATH=$PWD:$PATH run "$PLAN" --offline --json -- -M pc
	assert_success
	jq -e '.qemu_version == "11.1" and .qemu_binary == null' <<<"$output"
	assert_equal "$(runs qemu-system-x86_64)" 0
	[ ! -e "$CACHE" ]
	run --separate-stderr "$PLAN" --offline --qemu ./qemu-system-x86_64 -- -M pc
	assert_failure 2
	assert_equal "$output" ""
	[[ $stderr == "nvd-plan: --offline runs no QEMU: give --qemu-version instead of --qemu"* ]]
	run --separate-stderr "$PLAN" --qemu-version 7.2 --qemu ./qemu-system-x86_64 -- -M pc
	assert_failure 2
	[[ $stderr == "nvd-plan: give --qemu or --qemu-version, not both"* ]]
	assert_equal "$(runs qemu-system-x86_64)" 0
	# a name without '/' is looked up on PATH, as a shell does
	PATH=$PWD:$PATH run --separate-stderr "$PLAN" --qemu qemu-system-x86_64 -- -M pc
	assert_failure 3
	assert_equal "$stderr" "nvd-plan: --qemu qemu-system-x86_64: it does not say which QEMU it is (QMP, --version)"
	assert_equal "$(runs qemu-system-x86_64)" 2
	run --separate-stderr "$PLAN" --qemu no-such-qemu -- -M pc
	assert_failure 3
	assert_equal "$stderr" "nvd-plan: --qemu no-such-qemu: No such file or directory"
	run --separate-stderr "$PLAN" --qemu ./nonexistent -- -M pc
	assert_failure 3
	assert_equal "$output" ""
	assert_equal "$stderr" "nvd-plan: --qemu ./nonexistent: No such file or directory"
	# a binary that says nothing QEMU-like
	run --separate-stderr "$PLAN" --qemu ./qemu-system-x86_64 -- -M pc
	assert_failure 3
	assert_equal "$stderr" "nvd-plan: --qemu ./qemu-system-x86_64: it does not say which QEMU it is (QMP, --version)"
	assert_equal "$(runs qemu-system-x86_64)" 4
	run --separate-stderr "$PLAN" --qemu "$PWD" -- -M pc
	assert_failure 3
	assert_equal "$stderr" "nvd-plan: --qemu $PWD: Is a directory"
	[ ! -e "$CACHE" ]
	run --separate-stderr "$BIN/nvd-check" --running --qemu ./qemu-system-x86_64
	assert_failure 2
}

@test "a wrapper that sends QEMU's output elsewhere: QEMU killed at the deadline, no hang, nothing cached" {
	need72
	printf '#!/bin/sh\nexec %s "$@" >/dev/null\n' "$QEMU72" > quiet-qemu
	chmod +x quiet-qemu
	SECONDS=0
	run --separate-stderr timeout 60 "$PLAN" --qemu ./quiet-qemu -- -M pc -m 1G
	assert_equal "$status" 3
	[[ $stderr == *"quiet-qemu"* ]] || fail "stderr: $stderr"
	((SECONDS < 50)) || fail "took $SECONDS s"
	[[ ! -e $CACHE ]] || [[ -z $(ls -A "$CACHE") ]] || fail "cached: $(ls -A "$CACHE")"
}
