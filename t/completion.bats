#!/usr/bin/env bats
# completions/nvd-plan: the bash completion, called as bash calls it
# (COMP_WORDS/COMP_CWORD set, then the function), against the binary in
# ${NVD_BIN:-REPO/bin}.

load lib/common	# REPO (the top, from this file's directory), BIN=${NVD_BIN:-$REPO/bin}

setup() {
	load_bats_libs
	PATH=$BIN:$PATH
	[ -x "$BIN/nvd-plan" ] || fail "no $BIN/nvd-plan (run make)"
	# shellcheck source=../completions/nvd-plan
	source "$REPO/completions/nvd-plan"
}

# complete WORD...: complete the last WORD of "nvd-plan WORD..."; the replies
# go to $output (one a line) and $lines.
complete_words() {
	COMP_WORDS=(nvd-plan "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_nvd_plan
	output=$(printf '%s\n' "${COMPREPLY[@]}")
	lines=("${COMPREPLY[@]}")
}

@test "the completion is registered for nvd-plan" {
	run complete -p nvd-plan
	assert_success
	assert_output --partial '-F _nvd_plan'
}

@test "--q offers --qemu=, --qemu-version= and --quiet" {
	complete_words --q
	assert_line -- '--qemu='
	assert_line -- '--qemu-version='
	assert_line -- '--quiet'
	[ "${#COMPREPLY[@]}" -eq 3 ]
}

@test "--qemu takes a file: the qemu-system-* binary" {
	cd "$BATS_TEST_TMPDIR" && mkdir -p bin && touch bin/qemu-system-x86_64 other
	complete_words --qemu bin/q
	assert_equal "${COMPREPLY[*]}" 'bin/qemu-system-x86_64'
	complete_words --qemu=bin/
	assert_equal "${COMPREPLY[*]}" '--qemu=bin/qemu-system-x86_64'
}

@test "every option comes from nvd-plan --list-opts" {
	complete_words --
	# "--" itself is offered too (QEMU arguments follow it).
	expected=$( (nvd-plan --list-opts; echo --) | sort)
	[ "$(printf '%s\n' "${COMPREPLY[@]}" | sort)" = "$expected" ]
}

@test "--explain is offered, and its message is not completed as a file name" {
	complete_words --exp
	assert_equal "${COMPREPLY[*]}" '--explain='
	cd "$BATS_TEST_TMPDIR" && touch explain-me
	complete_words --explain ex
	assert_equal "${#COMPREPLY[@]}" 0
}

@test "--color= offers auto always never (= a word of its own, as bash splits it)" {
	complete_words --color = ''
	assert_equal "$(printf '%s ' "${COMPREPLY[@]}")" 'auto always never '
	complete_words --color = al
	assert_equal "${COMPREPLY[*]}" 'always'
}

@test "--color= offers auto always never (one word, = not a word break)" {
	complete_words --color=
	assert_equal "$(printf '%s ' "${COMPREPLY[@]}")" '--color=auto --color=always --color=never '
	complete_words --color=n
	assert_equal "${COMPREPLY[*]}" '--color=never'
}

@test "--color VALUE as a separate word" {
	complete_words --color a
	assert_equal "$(printf '%s ' "${COMPREPLY[@]}")" 'auto always '
}

@test "--qemu-version= offers the modelled releases" {
	complete_words --qemu-version = ''
	assert_line '7.2'
	assert_line '10.0'
	assert_line '10.2'
	assert_line '11.1'
	complete_words --qemu-version=10
	assert_equal "$(printf '%s ' "${COMPREPLY[@]}")" '--qemu-version=10.0 --qemu-version=10.1 --qemu-version=10.2 '
}

@test "a plain word offers file names" {
	cd "$BATS_TEST_TMPDIR"
	mkdir cfgdir
	: > vm1.args
	: > vm2.args
	: > other.txt
	complete_words vm
	assert_equal "$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')" 'vm1.args vm2.args '
	complete_words --json cf
	assert_equal "${COMPREPLY[*]}" 'cfgdir'
}

@test "--junit offers file names" {
	cd "$BATS_TEST_TMPDIR"
	: > report.xml
	complete_words --junit = rep
	assert_equal "${COMPREPLY[*]}" 'report.xml'
	complete_words --junit rep
	assert_equal "${COMPREPLY[*]}" 'report.xml'
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
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	[[ $replies == *" $pid "* ]] || fail "pid $pid not offered for --pid=: '$replies'"
	[[ $short == *" $pid "* ]] || fail "pid $pid not offered for -p: '$short'"
	[[ $replies != *" $$ "* ]] || fail "the test shell itself was offered"
}

@test "after -- nothing of ours: no options, only file names" {
	cd "$BATS_TEST_TMPDIR"
	: > nv0.img
	complete_words -- -machine pc,nvdimm=on --q
	assert_equal "${#COMPREPLY[@]}" 0
	complete_words -- -object nv
	assert_equal "${COMPREPLY[*]}" 'nv0.img'
}
