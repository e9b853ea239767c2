#!/usr/bin/env bats
# nvd-plan --explain MESSAGE: a message pasted from a QEMU, libvirt or kernel log, with the
# prefixes those logs put before it, maps to its finding(s) of the catalogue.

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	cd "$BATS_TEST_TMPDIR"
}

# ids MESSAGE: the finding ids --explain gives, one a line (its text's "ID (LEVELS): SUMMARY"
# lines); fails unless it exits 0
ids() {
	local out rc=0
	out=$("$BIN/nvd-plan" --explain "$1") || rc=$?
	((rc == 0)) || { echo "exit $rc: $1" >&2; return 1; }
	sed -n 's/^\([a-z0-9-]*\) (.*): .*/\1/p' <<< "$out"
}

# QEMU's messages no finding has yet (nvd-plan does not predict them): CASE<TAB>RELEASE
KNOWN_GAPS=''

# corpus REL: every refusal and warning recorded from real QEMU REL, with QEMU's prefixes
# (program, and the last -device of the case as the option location), maps to a finding,
# and to the one nvd-plan's own JSON for the case gives that text to.
corpus() {
	local rel=$1 name kind text args loc prog msg got id n=0 bad=0 i=0 paired step=1
	# the sanitizer build (make check-asan sets NVD_BIN) takes every 8th message: the matcher's
	# code is the same for each, and the whole corpus costs minutes there
	[[ -n ${NVD_BIN:-} ]] && step=8
	awk -F'\t' -v step="$step" '($2 == "refuse" || $2 == "warning") && (k++ % step) == 0' \
		"$REPO/t/qemu/recorded-$rel.txt" > messages.tsv
	# nvd-plan on every case with a recorded message, each in its own directory (setup lines run)
	: > plan.json
	while IFS=$'\t' read -r name kind text; do
		[[ -d case-$name ]] && continue
		mkdir "case-$name"
		(cd "case-$name" && sed -n 's/^#! //p' "$REPO/t/qemu/cases/$name.args" | bash &&
			"$BIN/nvd-plan" --json --qemu-version "$rel" "$REPO/t/qemu/cases/$name.args" >> ../plan.json) || true
	done < messages.tsv
	jq -r '(.source | sub(".*/"; "") | sub("\\.args$"; "")) as $c | .findings[] | select(.qemu != null) | [$c, .id, .qemu] | @tsv' plan.json > plan.tsv
	# each message as a log has it, and the ids --explain gives it: CASE<TAB>TEXT<TAB>ID lines
	: > got.tsv
	while IFS=$'\t' read -r name kind text; do
		args=$(< "$REPO/t/qemu/cases/$name.args")
		args=${args//[$'\\\n']/ }
		[[ $args == '#!'* ]] && args=-${args#*-}
		loc=
		[[ " $args" =~ .*\ (-device\ [^ ]*) ]] && loc=${BASH_REMATCH[1]}
		# the program as a bare name and as a path, in turn
		prog=qemu-system-x86_64
		((i++ % 2)) && prog=/usr/bin/qemu-system-x86_64
		[[ $kind == warning ]] && text="warning: $text"
		msg="$prog: ${loc:+$loc: }$text"
		n=$((n + 1))
		if grep -qxF "$name"$'\t'"$rel" <<< "$KNOWN_GAPS"; then
			ids "$msg" 2>/dev/null && { bad=$((bad + 1)); echo "$rel $name: known gap now known: drop it"; }
			continue
		fi
		if ! got=$(ids "$msg"); then
			bad=$((bad + 1))
			echo "$rel $name: unknown: $msg"
			continue
		fi
		for id in $got; do
			printf '%s\t%s\t%s\n' "$name" "$text" "$id" >> got.tsv
		done
		printf '%s\t%s\t-\n' "$name" "$text" >> got.tsv
	done < messages.tsv
	# every finding nvd-plan gives a message's text to is among the ids --explain gives it
	paired=$(awk -F'\t' '
		FILENAME == ARGV[1] && $3 == "-" { msgs[$1] = msgs[$1] SUBSEP $2; next }
		FILENAME == ARGV[1] { have[$1 FS $2 FS $3] = 1; next }
		{
			k = split(msgs[$1], t, SUBSEP)
			for (j = 2; j <= k; j++) {
				if (t[j] != $3 && t[j] != "warning: " $3)
					continue
				p++
				if (!have[$1 FS t[j] FS $2]) print "MISS " $1 ": " $2 " not among the ids of: " t[j]
			}
		}
		END { print p + 0 }' got.tsv plan.tsv)
	grep '^MISS ' <<< "$paired" && bad=$((bad + $(grep -c '^MISS ' <<< "$paired")))
	paired=$(tail -n 1 <<< "$paired")
	echo "$rel: $n messages, $paired given to a finding by nvd-plan, $bad misses"
	((n * step > 250 && paired * step > 200 && bad == 0))
}

@test "every refusal and warning recorded from real QEMU 7.2 maps to its finding" {
	corpus 7.2
}

@test "every refusal and warning recorded from real QEMU 10.0 maps to its finding" {
	corpus 10.0
}

@test "every refusal and warning recorded from real QEMU 11.1 maps to its finding" {
	corpus 11.1
}

@test "every libvirt refusal of t/libvirt that nvd-plan reports maps to libvirt-refuses" {
	local n=0 f msg
	for f in "$REPO"/t/libvirt/recorded/*.txt; do
		msg=$(sed -n 's/^error: //p' "$f")
		[[ -n $msg ]] || continue
		# nvd-plan reports it (as t/libvirt/compare checks) ...
		run "$BIN/nvd-plan" --offline --qemu-version 7.2 --json "$REPO/t/libvirt/cases/$(basename "$f" .txt).xml"
		[[ $(jq -r '.findings[0].id' <<< "$output") == libvirt-refuses ]] || fail "$f: nvd-plan does not report it"
		# ... as virsh prints it and as the journal has it
		run ids "error: $msg"
		assert_success
		assert_line libvirt-refuses
		run ids "Dec 07 18:00:00 host libvirtd[812]: $msg"
		assert_success
		assert_line libvirt-refuses
		n=$((n + 1))
	done
	((n >= 14))
}

@test "kernel messages: dmesg, journal and syslog prefixes" {
	run ids '[    1.234567] nd_pmem namespace0.0: unable to guarantee persistence of writes'
	assert_success
	assert_output persistence-domain
	run ids 'Dec  7 18:00:01 guest kernel: [    2.5] nd_pmem namespace1.0: unable to guarantee persistence of writes'
	assert_output persistence-domain
	# drivers/dax/device.c: "%s: %s: fail, unaligned vma (%#lx - %#lx, %#lx)" (comm, __func__)
	run ids 'dax0.0: qemu-system-x86: dax_mmap: fail, unaligned vma (0x7f0000000000 - 0x7f0040000000, 0x1fffff)'
	assert_success
	assert_line backend-devdax-align
	assert_line devdax-align
	# drivers/nvdimm/label.c (dynamic debug): index blocks and labels
	run ids '2026-12-07T18:00:01.000000+00:00 guest kernel: nvdimm nmem0: nsindex0 signature invalid'
	assert_line label-no-index
	assert_line label-index-invalid
	run ids '[    3.1] nvdimm nmem0: nsindex1 nslot: 4294967295 invalid, config_size: 0x20000'
	assert_output label-index-invalid
	run ids 'nvdimm nmem0: fail checksum. slot: 3 expect: 0x1234'
	assert_output label-checksum
	run ids 'nvdimm nmem0: namespace label checksum fail. slot: 3'
	assert_output label-checksum
	# drivers/nvdimm/namespace_devs.c create_namespace_pmem() (dynamic debug): CXL region cookies
	run ids '[    4.2] nd_region region0: invalid interleave-set-cookie'
	assert_output label-cxl-cookie
	run ids 'nd_region region0: invalid cookie in label: 45d0904f-32fd-4b02-902a-d4a97b44962b'
	assert_output label-cxl-cookie
}

@test "the messages of a QEMU binary's own answers (--qemu): CPU models, pmem compiled out" {
	run ids "qemu-system-x86_64: unable to find CPU model 'Skylake-Client'"
	assert_success
	assert_output cpu-model-unknown
	run ids "qemu-system-x86_64: -object memory-backend-file,id=m0,size=16M,mem-path=nv.img,pmem=on: Invalid parameter 'pmem'"
	assert_success
	assert_line option-invalid
}

@test "QEMU's prefixes: JSON option location, -m location, warning, journal" {
	run ids 'qemu-system-x86_64: -object {"qom-type":"memory-backend-file","id":"m0","size":"0"}: property '\''size'\'' of memory-backend-file doesn'\''t take value '\''0'\'''
	assert_success
	assert_line backend-size-zero
	run ids 'Dec 07 18:00:00 host qemu-system-x86_64[4242]: qemu-system-x86_64: -m 1G,slots=2,maxmem=0x10M: warning: Using a multiplier suffix on hex numbers is deprecated: 0x10M'
	assert_output size-hex-suffix
	# without the warning: prefix, and with none at all
	run ids 'Using a multiplier suffix on hex numbers is deprecated: 0x10M'
	assert_output size-hex-suffix
}

@test "a message several rows have lists them all, in text and JSON" {
	run "$BIN/nvd-plan" --explain "qemu-system-x86_64: -device nvdimm,id=nv0,slot=x: Parameter 'slot' expects integer"
	assert_success
	assert_line --partial 'option-invalid (fail): '
	assert_line --partial 'dimm-property-invalid (fail): '
	assert_line --partial '  Fix: '
	assert_line "  qemu (every release modelled): Parameter '...' expects ..."
	run "$BIN/nvd-plan" --json --explain "Parameter 'slot' expects integer"
	assert_success
	jq -e '.message == "Parameter '\''slot'\'' expects integer" and .text == .message and (.findings | length) >= 2
		and all(.findings[]; .levels == ["fail"] and .source == "qemu" and (.meaning | length) > 0)' <<< "$output"
	run "$BIN/nvd-plan" --json --explain 'unsupported machine type: "pc-q35-1.0"'
	jq -e '.findings[0].id == "machine-type-unknown" and .findings[0].when == "8.2 on"' <<< "$output"
}

@test "an unknown message exits 1 with one line, and no output" {
	run --separate-stderr "$BIN/nvd-plan" --explain 'qemu-system-x86_64: something else entirely'
	assert_failure 1
	assert_output ''
	[[ $stderr == 'nvd-plan: no finding of nvd-plan has this message' ]]
	run --separate-stderr "$BIN/nvd-plan" --json --explain 'hello'
	assert_failure 1
	jq -e '.findings == [] and .text == null and .message == "hello"' <<< "$output"
}

@test "--explain: bad usage exits 2" {
	run --separate-stderr "$BIN/nvd-plan" --explain ''
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'nvd-plan: --explain needs a message: paste the line from the log'
	run --separate-stderr "$BIN/nvd-plan" --explain 'x' vm.args
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'nvd-plan: --explain takes the message only: no configuration, --junit or --hotplug'
	run --separate-stderr "$BIN/nvd-plan" --explain
	assert_failure 2
}
