#!/usr/bin/env bats
# Output files (nvd-plan --junit, nvd-label read -o and --backup) are never an input of
# the same run, by any name (symbolic or hard link), and are replaced whole.

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	cd "$BATS_TEST_TMPDIR"
	nvdimm_vm
	ln -s vm.args link.args
	ln vm.args hard.args
	ln -s nv.img link.img
	"$BIN/nvd-label" init -l 128K nv.img > /dev/null
	"$BIN/nvd-label" read -l 128K -o area.bin nv.img
	BEFORE=$(checksums vm.args nv.img area.bin)
}

teardown() {
	[[ $(checksums vm.args nv.img area.bin) == "$BEFORE" ]] || {
		echo "an input changed" >&2
		return 1
	}
}

# refused TOOL ARGS...: exit 2, nothing on stdout, one line naming the clash.
refused() {
	local tool=$1
	shift
	run --separate-stderr "$BIN/$tool" "$@"
	[[ $status == 2 ]] || fail "$tool $*: exit $status: $stderr"
	[[ -z $output ]] || fail "$tool $*: stdout: $output"
	[[ $stderr == "$tool: "*" (the same file): writing it would destroy what is read; name another file"$'\n'"Try '$tool --help' for more information." ]] ||
		fail "$tool $*: $stderr"
}

@test "nvd-plan --junit: never a configuration or backend file of the run" {
	refused nvd-plan --junit vm.args vm.args
	refused nvd-plan --junit link.args vm.args
	refused nvd-plan --junit hard.args vm.args
	refused nvd-plan --junit vm.args link.args
	refused nvd-plan --junit "$PWD/vm.args" vm.args
	refused nvd-plan --junit nv.img vm.args
	refused nvd-plan --junit link.img vm.args
	refused nvd-plan --junit vm.args -- -M pc,nvdimm=on -object memory-backend-file,id=m0,mem-path=vm.args,size=4K
	[[ $stderr == *"--junit vm.args is the backend file vm.args"* ]] || fail "$stderr"
}

@test "nvd-label -o and --backup: never the backend, the configuration or the input" {
	refused nvd-label read -l 128K -o link.img nv.img
	refused nvd-label read --dimm nv0 -o vm.args vm.args
	refused nvd-label read --dimm nv0 -o hard.args vm.args
	refused nvd-label read --dimm nv0 -o link.img vm.args
	refused nvd-label write -l 128K -i area.bin --backup area.bin nv.img
	refused nvd-label zero -l 128K --backup link.img nv.img
	refused nvd-label init --dimm nv0 --force --backup link.args vm.args
	[[ $stderr == *"--backup link.args is the configuration vm.args"* ]] || fail "$stderr"
}

@test "nvd-plan --junit: an existing report is replaced whole, never truncated first" {
	echo '<old report/>' > report.xml
	mkfifo slow.args
	exec 5<> slow.args	# a writer that has written nothing yet: the read waits
	timeout 20 "$BIN/nvd-plan" --junit report.xml slow.args > /dev/null 5>&- &
	local pid=$! child= i
	# nvd-plan is reading the configuration (it has it open) while the report is checked
	for ((i = 0; i < 100; i++)); do
		child=$(pgrep -P "$pid" nvd-plan) &&
			readlink /proc/"$child"/fd/* 2>/dev/null | grep -q '/slow.args$' && break
		sleep 0.1
	done
	((i < 100)) || fail "nvd-plan never opened slow.args"
	[[ $(cat report.xml) == '<old report/>' ]] || fail "truncated while the run goes on: '$(cat report.xml)'"
	cat vm.args >&5
	exec 5>&-
	wait $pid
	grep -q '<testcase classname="nvd-plan" name="slow.args">' report.xml || fail "$(cat report.xml)"
	[[ -z $(find . -name '.report.xml.nvd-*') ]] || fail "a temporary file left"
	# a refused run leaves it as it was
	echo '<old report/>' > report.xml
	run "$BIN/nvd-plan" --junit report.xml vm.args report.xml
	[[ $status == 2 && $(cat report.xml) == '<old report/>' ]] || fail "exit $status: $(cat report.xml)"
}

@test "standard output appended to an input (>>, 1<>) is refused before anything is written" {
	local cmd
	printf -- '-M pc,nvdimm=on -m 1G,slots=1,maxmem=3G -object memory-backend-file,id=m0,share=on,mem-path=nv.img,size=16M -device nvdimm,id=nv0,memdev=m0\n' > plain.args
	"$BIN/nvd-nfit" --qemu-version 7.2 --raw plain.args > t.nfit
	for cmd in "nvd-label dump -l 128K nv.img >> nv.img" "nvd-label read -l 128K -o - nv.img >> nv.img" \
		"nvd-label check --dimm nv0 vm.args >> vm.args" "nvd-map digest nv.img >> nv.img" \
		"nvd-map validate nv.img 1<> nv.img" "nvd-check nv.img >> nv.img" \
		"nvd-plan vm.args >> vm.args" "nvd-plan --qemu-version 7.2 vm.args >> nv.img" \
		"nvd-nfit --qemu-version 7.2 plain.args >> nv.img" "nvd-nfit --decode t.nfit >> t.nfit"; do
		cp t.nfit t.before
		run --separate-stderr bash -c "$BIN/$cmd"
		[[ $status == 2 ]] || fail "$cmd: exit $status: $stderr"
		[[ $stderr == *": standard output is the "*" (the same file): writing it would destroy what is read; redirect it elsewhere"* ]] ||
			fail "$cmd: $stderr"
		cmp t.nfit t.before || fail "$cmd: t.nfit changed"
	done
	# a file that is no input is fine
	"$BIN/nvd-label" dump -l 128K nv.img >> other.txt
}
