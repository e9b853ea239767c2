#!/usr/bin/env bats
# completions/nvd-nfit: the bash completion, called as bash calls it
# (COMP_WORDS/COMP_CWORD set, then the function), against the binary in
# ${NVD_BIN:-REPO/bin}.

load lib/common	# REPO (the top, from this file's directory), BIN=${NVD_BIN:-$REPO/bin}

setup() {
	load_bats_libs
	PATH=$BIN:$PATH
	[ -x "$BIN/nvd-nfit" ] || fail "no $BIN/nvd-nfit (run make)"
	# shellcheck source=../completions/nvd-nfit
	source "$REPO/completions/nvd-nfit"
}

# complete WORD...: complete the last WORD of "nvd-nfit WORD..." (of
# "$PROG WORD..." when PROG is set); the replies go to $output (one a line)
# and $lines.
complete_words() {
	COMP_WORDS=("${PROG:-nvd-nfit}" "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_nvd_nfit
	output=$(printf '%s\n' "${COMPREPLY[@]}")
	lines=("${COMPREPLY[@]}")
}

# sorted: the replies sorted, on one line, each followed by a space.
sorted() {
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}

@test "the completion is registered for nvd-nfit" {
	run complete -p nvd-nfit
	assert_success
	assert_output --partial '-F _nvd_nfit'
}

@test "every option comes from nvd-nfit --list-opts" {
	complete_words --
	# "--" itself is offered too (QEMU arguments follow it).
	expected=$( (nvd-nfit --list-opts; echo --) | sort)
	[ "$(printf '%s\n' "${COMPREPLY[@]}" | sort)" = "$expected" ]
}

@test "--d offers --decode= and --diff=" {
	complete_words --d
	assert_equal "$(sorted)" '--decode= --diff= '
}

@test "--r offers --raw alone" {
	complete_words --r
	assert_equal "${COMPREPLY[*]}" '--raw'
}

@test "a lone option that takes a value gets no space after it" {
	complete_words --dec
	assert_equal "${COMPREPLY[*]}" '--decode='
	# compopt needs a completion in progress: only check it was asked for.
	run bash -c 'source "$1"; compopt() { echo "compopt $*"; }
		COMP_WORDS=(nvd-nfit --dec); COMP_CWORD=1; _nvd_nfit' - "$REPO/completions/nvd-nfit"
	assert_output --partial 'compopt -o nospace'
}

@test "--decode offers file names (= a word of its own, one word, or a separate word)" {
	cd "$BATS_TEST_TMPDIR"
	: > NFIT.guest1
	: > NFIT.guest2
	: > vm.args
	complete_words --decode = NF
	assert_equal "$(sorted)" 'NFIT.guest1 NFIT.guest2 '
	complete_words --decode=NF
	assert_equal "$(sorted)" '--decode=NFIT.guest1 --decode=NFIT.guest2 '
	complete_words --decode NFIT.guest1
	assert_equal "${COMPREPLY[*]}" 'NFIT.guest1'
}

@test "-d, the short --decode, offers file names" {
	cd "$BATS_TEST_TMPDIR"
	: > guest.nfit
	complete_words -d gu
	assert_equal "${COMPREPLY[*]}" 'guest.nfit'
}

@test "--diff offers file names" {
	cd "$BATS_TEST_TMPDIR"
	mkdir tables
	: > nfit.dat
	complete_words --diff nf
	assert_equal "${COMPREPLY[*]}" 'nfit.dat'
	complete_words --diff = ta
	assert_equal "${COMPREPLY[*]}" 'tables'
	complete_words --json --diff=nf
	assert_equal "${COMPREPLY[*]}" '--diff=nfit.dat'
}

@test "a plain word offers file names (a configuration file)" {
	cd "$BATS_TEST_TMPDIR"
	mkdir cfgdir
	: > vm1.args
	: > vm2.args
	: > other.txt
	complete_words vm
	assert_equal "$(sorted)" 'vm1.args vm2.args '
	complete_words --json cf
	assert_equal "${COMPREPLY[*]}" 'cfgdir'
}

@test "a flag is not taken for an option with a value: after --raw or -x, file names" {
	cd "$BATS_TEST_TMPDIR"
	: > vm1.args
	complete_words --raw vm
	assert_equal "${COMPREPLY[*]}" 'vm1.args'
	complete_words -x vm
	assert_equal "${COMPREPLY[*]}" 'vm1.args'
}

@test "--qemu-version= offers the modelled releases" {
	complete_words --qemu-version = ''
	assert_line '7.2'
	assert_line '10.0'
	assert_line '10.2'
	assert_line '11.1'
	complete_words --qemu-version=10
	assert_equal "$(printf '%s ' "${COMPREPLY[@]}")" '--qemu-version=10.0 --qemu-version=10.1 --qemu-version=10.2 '
	complete_words --qemu-version 9
	assert_equal "$(printf '%s ' "${COMPREPLY[@]}")" '9.0 9.1 9.2 '
}

@test "--qemu-version offers the releases the binary models (--list-values), as nvd-plan's does" {
	complete_words --qemu-version ''
	assert_equal "${COMPREPLY[*]}" "$(nvd-nfit --list-values qemu-version | tr '\n' ' ' | sed 's/ $//')"
	assert_equal "${COMPREPLY[*]}" "$(nvd-plan --list-values qemu-version | tr '\n' ' ' | sed 's/ $//')"
	[[ " ${COMPREPLY[*]} " == *" 7.2 "*" 10.0 "* ]]
	# no completion file holds a list of releases of its own
	run grep -lE "10\.0.*10\.1|7\.2 8\.0" "$REPO"/completions/*
	assert_failure 1
}

@test "--color offers auto always never" {
	complete_words --color = ''
	assert_equal "$(printf '%s ' "${COMPREPLY[@]}")" 'auto always never '
	complete_words --color=n
	assert_equal "${COMPREPLY[*]}" '--color=never'
	complete_words --color a
	assert_equal "$(printf '%s ' "${COMPREPLY[@]}")" 'auto always '
}

@test "--pid and -p offer running qemu-system-* processes only" {
	# A stand-in QEMU: sleep under the name qemu-system-x86_64.
	ln -s "$(command -v sleep)" "$BATS_TEST_TMPDIR/qemu-system-x86_64"
	"$BATS_TEST_TMPDIR/qemu-system-x86_64" 60 3>&- &
	pid=$!
	complete_words --pid = ''
	replies=" ${COMPREPLY[*]} "
	complete_words -p ''
	short=" ${COMPREPLY[*]} "
	complete_words --pid=''
	joined=" ${COMPREPLY[*]} "
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	[[ $replies == *" $pid "* ]] || fail "pid $pid not offered for --pid =: '$replies'"
	[[ $short == *" $pid "* ]] || fail "pid $pid not offered for -p: '$short'"
	[[ $joined == *" --pid=$pid "* ]] || fail "--pid=$pid not offered for --pid=: '$joined'"
	[[ $replies != *" $$ "* ]] || fail "the test shell itself was offered"
}

@test "after -- nothing of ours: no options, only file names" {
	cd "$BATS_TEST_TMPDIR"
	: > nv0.img
	complete_words --diff NFIT -- -machine pc,nvdimm=on --d
	assert_equal "${#COMPREPLY[@]}" 0
	complete_words -- -object nv
	assert_equal "${COMPREPLY[*]}" 'nv0.img'
}

@test "the hidden --sysroot is not offered" {
	complete_words --sys
	assert_equal "${#COMPREPLY[@]}" 0
}

@test "a program given by path is the one asked for its options" {
	# A stand-in nvd-nfit with one option only: the completion must use it.
	mkdir "$BATS_TEST_TMPDIR/other"
	printf '#!/bin/sh\necho --only-here\n' > "$BATS_TEST_TMPDIR/other/nvd-nfit"
	chmod +x "$BATS_TEST_TMPDIR/other/nvd-nfit"
	PROG=$BATS_TEST_TMPDIR/other/nvd-nfit complete_words --o
	assert_equal "${COMPREPLY[*]}" '--only-here'
}
