#!/usr/bin/env bats
# Closed standard descriptors (issue 14, item 2): a tool started with fd 0, 1 or 2 closed must
# never let a file it opens take that number. A backend that became fd 2 would receive the
# tool's own error message at offset 0 of the guest's data; a --junit file that became fd 1
# would receive the report.

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	cd "$BATS_TEST_TMPDIR"
}

# closing REDIRECTIONS CMD...: CMD run with those standard descriptors closed (bats' `run`
# captures through its own descriptors, so the closing happens inside).
closing() {
	local redir=$1
	shift
	sh -c "exec \"\$@\" $redir" sh "$@"
}

teardown() {
	[[ -z ${BGPID:-} ]] || kill "$BGPID" 2>/dev/null || true
}

@test "nvd-label init refused over a valid index with stderr closed: the backend is unchanged" {
	truncate -s 16M nv.img
	"$BIN/nvd-label" init -q --label-size 128K nv.img
	before=$(checksums nv.img)
	run closing "2>&-" "$BIN/nvd-label" init --label-size 128K nv.img
	assert_equal "$status" 1
	assert_equal "$(checksums nv.img)" "$before"
	# and the same with every standard descriptor closed
	run closing "<&- >&- 2>&-" "$BIN/nvd-label" init --label-size 128K nv.img
	assert_equal "$status" 1
	assert_equal "$(checksums nv.img)" "$before"
}

@test "nvd-label write refused with stderr closed: neither the backend nor the input changes" {
	truncate -s 16M nv.img
	"$BIN/nvd-label" init -q --label-size 128K nv.img
	head -c 131072 /dev/urandom >bad.lsa
	before=$(checksums nv.img bad.lsa)
	run closing "2>&-" "$BIN/nvd-label" write -i bad.lsa --label-size 128K nv.img
	assert_equal "$status" 1
	assert_equal "$(checksums nv.img bad.lsa)" "$before"
}

@test "nvd-map prealloc refusing a mapped backend with stderr closed: the backend is unchanged" {
	head -c 4M /dev/urandom >m.img
	python3 -c 'import mmap,sys,time
f=open(sys.argv[1],"r+b"); m=mmap.mmap(f.fileno(),0); print("ready",flush=True); time.sleep(30)' m.img >ready &
	BGPID=$!
	for _ in $(seq 50); do [[ -s ready ]] && break; sleep 0.1; done
	before=$(checksums m.img)
	run closing "2>&-" "$BIN/nvd-map" prealloc m.img
	assert_equal "$status" 3
	assert_equal "$(checksums m.img)" "$before"
}

@test "nvd-plan --junit with stdout closed: the report never lands in the JUnit file" {
	cp "$FIXTURES/plan/example.args" "$FIXTURES/plan/mistakes.args" .
	run --separate-stderr closing ">&-" "$BIN/nvd-plan" --qemu-version 7.2 --junit report.xml example.args mistakes.args
	# the report could not be written, and it is not in the file; the JUnit file was
	# written, so the status is the verdict's (mistakes.args: 1), not 3 (nothing written)
	assert_equal "$status" 1
	[[ $stderr == *"nvd-plan: report.xml: the JUnit report was written, but the report could not be: write error: "* ]] ||
		fail "stderr: $stderr"
	head -c 5 report.xml | grep -qx '<?xml' || fail "report.xml does not start with the XML declaration"
	! grep -q 'nvdimm-label-size-min.*fail\|^fail' report.xml
	xmllint --noout report.xml 2>/dev/null || python3 -c 'import sys,xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' report.xml
}

@test "every tool with stdout closed fails its report instead of writing it elsewhere" {
	for t in "nvd-plan --offline --qemu-version 7.2 $FIXTURES/plan/example.args" \
		 "nvd-nfit --qemu-version 7.2 $FIXTURES/plan/example.args" \
		 "nvd-check --sysroot $FIXTURES/check/host" \
		 "nvd-map digest $FIXTURES/plan/example.args"; do
		run --separate-stderr closing ">&-" $BIN/$t
		assert_equal "$status" 3
		[[ $stderr == *"write error"* ]] || fail "$t: stderr: $stderr"
	done
}
