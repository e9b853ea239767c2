#!/usr/bin/env bats
# One way to parse a command line (common/cli/cli.c, cli_parse) for every tool, subcommands
# included, and the completion asking the tool for its subcommands as for its options.

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	cd "$BATS_TEST_TMPDIR"
}

# complete TOOL WORD...: the replies of completions/TOOL for "TOOL WORD..." in $output.
complete_words() {
	local tool=$1
	shift
	COMP_WORDS=("${PROG:-$tool}" "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"_${tool//-/_}"
	output=$(printf '%s\n' "${COMPREPLY[@]}")
	lines=("${COMPREPLY[@]}")
}

@test "--list-commands: nvd-label's and nvd-map's commands, none for the others; hidden from --help and --list-opts" {
	run "$BIN/nvd-label" --list-commands
	assert_success
	assert_output "$(printf '%s\n' dump check init zero read write)"
	run "$BIN/nvd-map" --list-commands
	assert_output "$(printf '%s\n' 'validate (default)' create prealloc digest)"
	for t in nvd-plan nvd-nfit nvd-check; do
		run "$BIN/$t" --list-commands
		assert_success
		assert_output ''
	done
	for t in nvd-plan nvd-nfit nvd-check nvd-label nvd-map; do
		run "$BIN/$t" --help
		refute_output --partial list-commands
		run "$BIN/$t" --list-opts
		refute_output --partial list-commands
	done
}

@test "every listed command is one the parser takes; an unknown or missing one is a usage error naming them" {
	while read -r c; do
		run --separate-stderr "$BIN/nvd-label" "$c"
		assert_failure 2
		refute_output --partial 'unknown command'
		[[ $stderr != *"unknown command"* && $stderr != *"no command"* ]]
	done < <("$BIN/nvd-label" --list-commands)
	run --separate-stderr "$BIN/nvd-label" frob nv.img
	assert_failure 2
	assert_equal "$stderr" "nvd-label: unknown command 'frob': use dump, check, init, zero, read or write
Try 'nvd-label --help' for more information."
	run --separate-stderr "$BIN/nvd-label"
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "nvd-label: no command: give dump, check, init, zero, read or write"
	# nvd-map: without a command word the first word is the BACKEND (validate)
	run --separate-stderr "$BIN/nvd-map" create new.img
	assert_equal "${stderr%%$'\n'*}" "nvd-map: create needs --size"
	truncate -s 2M digest
	run --separate-stderr "$BIN/nvd-map" --json --qemu-version 10.0 --share=on -- digest
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "nvd-map: unexpected '--': nvd-map takes no QEMU arguments"
}

@test "the completion offers the commands the binary lists, not a copy: a binary with other commands gets those" {
	# shellcheck source=../completions/nvd-label
	source "$REPO/completions/nvd-label"
	# shellcheck source=../completions/nvd-map
	source "$REPO/completions/nvd-map"
	PATH=$BIN:$PATH
	complete_words nvd-label ''
	assert_output "$(printf '%s\n' dump check init zero read write)"
	touch nv.img
	complete_words nvd-map n
	assert_output nv.img
	complete_words nvd-map ''
	assert_line validate
	assert_line nv.img
	# A stand-in nvd-label, given by path, with other commands: the completion asks it.
	mkdir -p fake
	cat > fake/nvd-label <<'SH'
#!/bin/sh
case $1 in
--list-commands) printf '%s\n' grow shrink ;;
--list-opts) printf '%s\n' --size= --json ;;
--list-values) [ "$2" = size ] && printf '%s\n' 1G 2G ;;
esac
SH
	chmod +x fake/nvd-label
	PROG=./fake/nvd-label complete_words nvd-label ''
	assert_output "$(printf '%s\n' grow shrink)"
	PROG=./fake/nvd-label complete_words nvd-label grow n
	assert_output nv.img
	PROG=./fake/nvd-label complete_words nvd-label grow --
	assert_output "$(printf '%s\n' --size= --json --)"
	PROG=./fake/nvd-label complete_words nvd-label grow --size ''
	assert_output "$(printf '%s\n' 1G 2G)"
	# and no completion file holds a command list of its own
	run grep -lE "dump.*check.*init|validate.*create.*prealloc" "$REPO"/completions/*
	assert_failure 1
}

@test "--list-values: an option's fixed values, from the binary: releases, the words of a|b|c" {
	run "$BIN/nvd-plan" --list-values qemu-version
	assert_success
	assert_line 7.2
	assert_line 10.0
	# the same releases --qemu-version takes: each listed one is accepted, the message lists them
	run --separate-stderr "$BIN/nvd-plan" --qemu-version 5.9 --offline /dev/null
	assert_failure 2
	[[ ${stderr%%$'\n'*} == *"use one of $("$BIN/nvd-plan" --list-values qemu-version | tr '\n' ' ' | sed 's/ $//')" ]]
	run "$BIN/nvd-check" --list-values sync
	assert_output "$(printf '%s\n' on off auto)"
	run "$BIN/nvd-label" --list-values label-version
	assert_output "$(printf '%s\n' 1.1 1.2 2.1)"
	run "$BIN/nvd-label" --list-values format
	assert_output "$(printf '%s\n' auto nvdimm cxl)"
	run "$BIN/nvd-label" --list-values color
	assert_output "$(printf '%s\n' auto always never)"
	# not a fixed list (a size, a file), or no such option: nothing
	run "$BIN/nvd-label" --list-values label-size
	assert_success
	assert_output ''
	run "$BIN/nvd-label" --list-values no-such
	assert_output ''
	# and no completion file holds such a list
	run grep -nE "always never|'on off'|1\.1 1\.2|10\.0 10\.1" "$REPO"/completions/*
	assert_failure 1
}

@test "the core reads no command-line state and never exits: common/ outside common/cli/" {
	cd "$REPO/common"
	core=$(ls -- */*.c */*.h | grep -v '^cli/')
	# neither the CLI's globals nor its headers, nor a usage error (which exits 2)
	run grep -nE '#include "cli(-config)?\.h"|\bcli\.(json|quiet|verbose|strict|color)\b|cli_usage_error|config_cli|\bcli_args\b' $core
	assert_output ''
	# exit() only where memory runs out (util.c: "out of memory", exit 3); abort() is for
	# programming errors (assertions)
	run grep -nE '\b(_?exit|_Exit|quick_exit) *\(' $core
	assert_output --regexp '^base/util\.c:[0-9]+:	exit\(NVD_EXIT_ENV\);$'
	((${#lines[@]} == 1))
	# the --dimm resolution is nvd-label's, named for it; the label core takes a struct
	run grep -n 'dimm' label/label-io.h
	refute_output --partial 'const char *dimm;'
	grep -q 'label_dimm_resolve' "$REPO/cmd/nvd-label.c"
}

@test "each tool needs only libpopt, libjson-c and libc (and the sanitizers' in the ASan build): no library loaded at every start for nothing" {
	local t needed
	for t in "$BIN"/nvd-*; do
		needed=$(readelf -d "$t" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' | grep -Ev '^lib(asan|ubsan)\.so' | sort | tr '\n' ' ')
		assert_equal "$t: $needed" "$t: libc.so.6 libjson-c.so.5 libpopt.so.0 "
	done
}
