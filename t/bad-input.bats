#!/usr/bin/env bats
# The bad-input catalogue: for each tool, inputs it must refuse with one line on stderr
# ("tool: what: why", plus the --help hint for usage errors), the documented exit code,
# nothing on stdout, no crash, and every input file byte-identical afterwards.

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	cd "$BATS_TEST_TMPDIR"
	: > empty
	printf -- "-machine 'pc\n" > unterminated.args
	mkdir adir
	mkfifo fifo
	head -c 100000 /dev/urandom > garbage
	printf 'x\0y' >> garbage
	truncate -s 1G backend.img
	printf 'label data' | dd of=backend.img bs=1 seek=$((1024 * 1024 * 1024 - 4096)) conv=notrunc status=none
	printf -- '-M pc,nvdimm=on -m 1G,slots=1,maxmem=3G -object memory-backend-file,id=m0,share=on,mem-path=backend.img,size=1G -device nvdimm,id=nv0,memdev=m0,label-size=128K\n' > good.args
	BEFORE=$(checksums empty unterminated.args garbage backend.img good.args)
}

teardown() {
	[[ -z ${BEFORE:-} ]] && return 0
	local after
	after=$(checksums empty unterminated.args garbage backend.img good.args)
	[[ $after == "$BEFORE" ]] || { echo "an input file changed" >&2; return 1; }
	[[ $(stat -c %s backend.img) == 1073741824 ]] || { echo "backend.img changed size" >&2; return 1; }
}

# refuses EXIT TOOL ARGS...: the tool, from bin/, must refuse ARGS with EXIT.
refuses() {
	local want=$1 tool=$2 n
	shift 2
	run --separate-stderr timeout 20 "$BIN/$tool" "$@"
	if [[ $status != "$want" ]]; then
		fail "$tool $*: exit $status, want $want; stderr: $stderr"
	fi
	[[ -z $output ]] || fail "$tool $*: wrote to stdout: ${output:0:200}"
	[[ $stderr == "$tool: "* ]] || fail "$tool $*: stderr does not start with '$tool: ': $stderr"
	n=$(printf '%s\n' "$stderr" | grep -vc "^Try '$tool --help' for more information.$")
	[[ $n == 1 ]] || fail "$tool $*: $n lines on stderr: $stderr"
}

@test "nvd-plan: the bad-input catalogue" {
	refuses 2 nvd-plan
	refuses 2 nvd-plan --bogus good.args
	refuses 2 nvd-plan empty
	refuses 2 nvd-plan fifo
	refuses 2 nvd-plan unterminated.args
	refuses 2 nvd-plan garbage
	refuses 3 nvd-plan adir
	refuses 3 nvd-plan /dev/zero
	refuses 3 nvd-plan no-such.args
	refuses 3 nvd-plan "a name with spaces.args"
	refuses 3 nvd-plan "comma,in,name.args"
	refuses 3 nvd-plan $'invalid-\xff\xfe-utf8.args'
	refuses 2 nvd-plan --hotplug -1G good.args
	refuses 2 nvd-plan --hotplug 99999999999999999999G good.args
	refuses 2 nvd-plan --hotplug 16E good.args
	refuses 2 nvd-plan --qemu-version 99.1 good.args
	refuses 2 nvd-plan --qemu-version -7.2 good.args
	refuses 2 nvd-plan --pid 1 good.args
	refuses 2 nvd-plan --pid -3
	refuses 3 nvd-plan --pid 2147483647
	refuses 2 nvd-plan good.args -- -M pc
	refuses 2 nvd-plan --
	refuses 3 nvd-plan --junit adir good.args
	refuses 2 nvd-plan --color=sometimes good.args
}

@test "nvd-nfit: the bad-input catalogue" {
	refuses 2 nvd-nfit
	refuses 2 nvd-nfit --bogus
	refuses 2 nvd-nfit empty
	refuses 2 nvd-nfit garbage
	refuses 2 nvd-nfit unterminated.args
	refuses 2 nvd-nfit good.args good.args
	refuses 2 nvd-nfit --raw --hex good.args
	refuses 2 nvd-nfit --json --raw good.args
	refuses 2 nvd-nfit --decode garbage good.args
	refuses 2 nvd-nfit --decode garbage --diff garbage
	refuses 2 nvd-nfit --qemu-version 5.2 good.args
	refuses 2 nvd-nfit --pid 0
	refuses 3 nvd-nfit --pid 2147483647
	refuses 3 nvd-nfit adir
	refuses 3 nvd-nfit --decode adir
	refuses 3 nvd-nfit --decode /dev/zero
	refuses 3 nvd-nfit --decode "no such file"
	refuses 3 nvd-nfit --decode $'\xff\xfe'
	refuses 3 nvd-nfit --diff adir good.args
	refuses 3 nvd-nfit --diff missing good.args
}

@test "nvd-label: the bad-input catalogue" {
	refuses 2 nvd-label
	refuses 2 nvd-label frobnicate backend.img
	refuses 2 nvd-label dump
	refuses 2 nvd-label dump -l 64K backend.img
	refuses 2 nvd-label dump -l -1 backend.img
	refuses 2 nvd-label dump -l 99999999999999999999 backend.img
	refuses 2 nvd-label dump -l 1.5 backend.img
	refuses 2 nvd-label dump -l 128K --dimm nv0 backend.img good.args
	refuses 2 nvd-label dump -l 128K -V 1.3 backend.img
	refuses 2 nvd-label init backend.img
	refuses 2 nvd-label init -l 128K -V 2.0 backend.img
	refuses 2 nvd-label write -l 128K -i garbage backend.img
	refuses 2 nvd-label read -l 128K backend.img
	refuses 3 nvd-label dump empty
	refuses 3 nvd-label dump adir
	refuses 3 nvd-label dump fifo
	refuses 3 nvd-label dump /dev/zero
	refuses 3 nvd-label dump "no such.img"
	refuses 3 nvd-label dump $'\xff.img'
	refuses 3 nvd-label dump -l 128K -s 2G backend.img
	refuses 3 nvd-label write -l 128K -i missing backend.img
	refuses 3 nvd-label read -l 128K -o /dev/full backend.img
}

@test "nvd-check: the bad-input catalogue" {
	refuses 2 nvd-check --bogus
	refuses 2 nvd-check --align 3Q .
	refuses 2 nvd-check --align -2M .
	refuses 2 nvd-check --size 99999999999999999999G .
	refuses 2 nvd-check --size 0 .
	refuses 2 nvd-check --qemu-version 1.1 .
	refuses 2 nvd-check --qemu-version x .
	refuses 2 nvd-check --libs=sometimes .
	refuses 2 nvd-check --share=maybe .
	refuses 2 nvd-check --pmem=yes-please .
	refuses 2 nvd-check --sync=bogus .
	refuses 2 nvd-check --object 'memory-backend-file,id=m0,size=1G' --share .
	refuses 2 nvd-check --sysroot /nonexistent
	refuses 2 nvd-check --sysroot ""
	refuses 2 nvd-check --color=rainbow .
	refuses 2 nvd-check --json --prometheus .
	refuses 2 nvd-check --pid 0
	refuses 2 nvd-check --pid -5
	refuses 2 nvd-check --pid 12x
	refuses 2 nvd-check --pid ''
	refuses 2 nvd-check --pid 99999999999999999999
	refuses 2 nvd-check --pid $$
	refuses 2 nvd-check --pid 1 --running
	refuses 2 nvd-check --pid 1 .
	refuses 2 nvd-check --running --object 'memory-backend-file,id=m0,size=1G'
	refuses 2 nvd-check --running --share=on
	refuses 2 nvd-check --qmp ''
	refuses 2 nvd-check --running --qmp x.sock
	refuses 2 nvd-check --pid 1 --pid 2 --qmp x.sock
	refuses 3 nvd-check --qmp no-such.sock
	refuses 3 nvd-check --qmp backend.img
	refuses 2 nvd-check --textfile '' --running
	refuses 2 nvd-check --textfile x.prom --json --running
	mkdir -p sr/proc/self && : > sr/proc/self/mountinfo	# a host without QEMU processes
	refuses 3 nvd-check --sysroot sr --textfile no-dir/x.prom --running
}

@test "nvd-map: the bad-input catalogue" {
	refuses 2 nvd-map
	refuses 2 nvd-map --bogus backend.img
	refuses 2 nvd-map frobnicate backend.img
	refuses 2 nvd-map create new.img
	refuses 2 nvd-map create new.img --size -1G
	refuses 2 nvd-map create new.img --size 99999999999999999999
	refuses 2 nvd-map create new.img --size 16E
	refuses 2 nvd-map prealloc -t 0 backend.img
	refuses 2 nvd-map prealloc -t -4 backend.img
	refuses 2 nvd-map validate --align 3Q backend.img
	refuses 2 nvd-map validate --object 'memory-backend-file,id=m0' --share backend.img
	refuses 2 nvd-map validate --qemu-version 4.2 backend.img
	refuses 1 nvd-map create new.img --size 0
	refuses 1 nvd-map create new.img --size 3K
	refuses 3 nvd-map create backend.img --size 1G
	refuses 3 nvd-map create "no such dir/x.img" --size 1M
	refuses 3 nvd-map create "a,comma/x.img" --size 1M
	refuses 3 nvd-map validate missing.img
	refuses 3 nvd-map digest adir
	refuses 3 nvd-map digest fifo
	refuses 3 nvd-map digest /dev/zero
	refuses 3 nvd-map digest $'\xff\xfe.img'
	refuses 3 nvd-map prealloc missing.img
	[[ ! -e new.img ]] || fail "a refused create left new.img behind"
}

@test "every tool: writing to a full disk is an error, not silence" {
	for cmd in "nvd-plan --qemu-version 7.2 good.args" "nvd-nfit --qemu-version 7.2 good.args" \
		"nvd-label dump -l 128K backend.img" "nvd-check ." "nvd-map digest backend.img" \
		"nvd-map validate --share --pmem backend.img" "nvd-plan --help" "nvd-check --help"; do
		run --separate-stderr bash -c "$BIN/$cmd > /dev/full"
		[[ $status == 3 ]] || fail "$cmd > /dev/full: exit $status"
		[[ $stderr == *"No space left on device"* ]] || fail "$cmd > /dev/full: $stderr"
	done
}

@test "nvd-plan, nvd-nfit: a --pid that is not a process id is named, not taken for no --pid" {
	for tool in nvd-plan nvd-nfit; do
		for v in -3 -1 0 '' abc 12x 99999999999; do
			refuses 2 $tool --pid "$v"
			[[ $stderr == "$tool: invalid --pid '$v': not a process id"* ]] ||
				fail "$tool --pid '$v': $stderr"
		done
		refuses 2 $tool "--pid=-3"
		[[ $stderr == *"invalid --pid '-3'"* ]] || fail "$tool --pid=-3: $stderr"
	done
}

@test "refusals name the real cause: nvd-check --object with two PATHs, nvd-map validate of a path that cannot be looked at, an unreadable /proc/PID/cmdline" {
	refuses 2 nvd-check --object 'memory-backend-file,id=m0,mem-path=backend.img,size=1G' backend.img other.img
	[[ $stderr == "nvd-check: --object is one backend: give its PATH once or not at all (its mem-path is 'backend.img')"* ]] ||
		fail "$stderr"
	# only a missing backend is a matter of --size
	refuses 3 nvd-map validate backend.img/x.img
	[[ $stderr == "nvd-map: backend.img/x.img: cannot look at it: Not a directory" ]] || fail "$stderr"
	refuses 3 nvd-map validate missing.img
	[[ $stderr == *"give --size"* ]] || fail "$stderr"
	mkdir -p root/proc/77/cmdline
	for tool in nvd-plan nvd-nfit; do
		refuses 3 $tool --sysroot root --pid 77
		[[ $stderr == "$tool: process 77: cannot read its command line (root/proc/77/cmdline): Is a directory" ]] ||
			fail "$stderr"
	done
}
