#!/usr/bin/env bats
# QEMU's rules for a memory-backend-file's options reach all three tools that read one
# (nvd-plan, nvd-map validate --object, nvd-check --object): they share
# common/qemu/qemu-backend.c, and each tool is asked here about every rule, per release.

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	cd "$BATS_TEST_TMPDIR"
	truncate -s 8M nv0.img
}

# RULES: release, -object options after mem-path and size, and what QEMU does with them:
# QEMU's message, or "-" where QEMU dies of SIGSEGV with none (seen with 7.2, 10.0, 11.1).
RULES=(
	"7.2|readonly=on,prealloc=on|-"
	"10.0|readonly=on,prealloc=on|-"
	"11.1|readonly=on,rom=on,prealloc=on|-"
	"7.2|prealloc=on,reserve=off|'prealloc=on' and 'reserve=off' are incompatible"
	"10.0|prealloc-threads=0|property 'prealloc-threads' of memory-backend-file doesn't take value '0'"
	"10.0|rom=on|property 'rom' = 'on' is not supported with 'readonly' = 'off'"
	"11.1|readonly=on,rom=off,share=on|property 'rom' = 'off' is incompatible with 'readonly' = 'on' and 'share' = 'on'"
)
# Accepted: 10.0's rom=off makes a private writable copy that can be preallocated.
ACCEPTED=(
	"10.0|readonly=on,rom=off,prealloc=on"
	"7.2|prealloc=on"
)

object() {
	printf 'memory-backend-file,id=m0,mem-path=nv0.img,size=8M,%s' "$1"
}

@test "nvd-plan: every backend rule, per release" {
	local r v opts msg
	for r in "${RULES[@]}"; do
		IFS='|' read -r v opts msg <<<"$r"
		printf -- '-M pc,nvdimm=on -m 512M,slots=1,maxmem=1G -object %s -device nvdimm,id=nv0,memdev=m0,unarmed=on\n' \
			"$(object "$opts")" > vm.args
		run -1 "$BIN/nvd-plan" --json --qemu-version "$v" vm.args
		if [[ $msg == - ]]; then
			jq -e '[.findings[] | select(.level == "fail")][0] | .id == "backend-prealloc-readonly" and .qemu == null' <<<"$output" >/dev/null ||
				fail "$v $opts: $output"
		else
			jq -e --arg m "$msg" '[.findings[] | select(.level == "fail")][0].qemu == $m' <<<"$output" >/dev/null ||
				fail "$v $opts: $output"
		fi
	done
	for r in "${ACCEPTED[@]}"; do
		IFS='|' read -r v opts <<<"$r"
		printf -- '-M pc,nvdimm=on -m 512M,slots=1,maxmem=1G -object %s -device nvdimm,id=nv0,memdev=m0,unarmed=on\n' \
			"$(object "$opts")" > vm.args
		run -0 "$BIN/nvd-plan" --json --qemu-version "$v" vm.args
	done
}

@test "nvd-map validate --object: every backend rule, per release" {
	local r v opts msg
	for r in "${RULES[@]}"; do
		IFS='|' read -r v opts msg <<<"$r"
		run -1 "$BIN/nvd-map" validate --json --qemu-version "$v" --object "$(object "$opts")"
		if [[ $msg == - ]]; then
			jq -e '.verdict == "reject" and ([.findings[] | select(.level == "fail")][0].id == "backend-prealloc-readonly")' \
				<<<"$output" >/dev/null || fail "$v $opts: $output"
		else
			jq -e --arg m "$msg" '.verdict == "reject" and ([.findings[] | select(.level == "fail")][0].qemu == $m)' \
				<<<"$output" >/dev/null || fail "$v $opts: $output"
		fi
	done
	for r in "${ACCEPTED[@]}"; do
		IFS='|' read -r v opts <<<"$r"
		run -0 "$BIN/nvd-map" validate --json --qemu-version "$v" --object "$(object "$opts")"
	done
}

@test "nvd-check --object: every backend rule, per release" {
	local r v opts msg
	for r in "${RULES[@]}"; do
		IFS='|' read -r v opts msg <<<"$r"
		run -1 "$BIN/nvd-check" --json --qemu-version "$v" --object "$(object "$opts")"
		if [[ $msg == - ]]; then
			jq -e '.paths[0].verdict == "refused" and .paths[0].qemu_silent == true and (.paths[0].reason | test("prealloc=on"))' \
				<<<"$output" >/dev/null || fail "$v $opts: $output"
		else
			jq -e --arg m "$msg" '.paths[0].verdict == "refused" and (.paths[0].qemu_messages | any(endswith($m)))' \
				<<<"$output" >/dev/null || fail "$v $opts: $output"
		fi
	done
	for r in "${ACCEPTED[@]}"; do
		IFS='|' read -r v opts <<<"$r"
		run "$BIN/nvd-check" --json --qemu-version "$v" --object "$(object "$opts")"
		jq -e '.paths[0].verdict != "refused"' <<<"$output" >/dev/null || fail "$v $opts: $output"
	done
}
