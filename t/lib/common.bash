# Shared by the bats files: the binaries under test and a scratch directory.
REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BIN=${NVD_BIN:-$REPO/bin}
FIXTURES=$REPO/t/fixtures
export NO_COLOR=1
# What the QEMU on PATH offers is cached (common/host/qemu-probe.h): in this run's directory,
# never in the user's home.
export XDG_CACHE_HOME=${BATS_RUN_TMPDIR:?}/xdg-cache

load_bats_libs() {
	bats_load_library bats-support
	bats_load_library bats-assert
}

# wait_for FILE: wait (up to 10 s) until a helper started in the background has written FILE
# to say it is ready; fail the test if it never does (the checks after it would be vacuous).
wait_for() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -s $1 ]] && return 0
		sleep 0.1
	done
	fail "a background helper never wrote $1: it did not get ready in 10 s"
}

# hugepages_lock: hold, until the test ends, the lock of the host's huge page pool, which
# tests read and raise (/proc/sys/vm/nr_hugepages): make check runs two suites at once.
hugepages_lock() {
	exec {HUGEPAGES_LOCK_FD}>>"${TMPDIR:-/tmp}/nvd-toolkit-hugepages.lock"
	flock "$HUGEPAGES_LOCK_FD"
}

# A content digest of every file given (or of stdin), to show that a run left them
# unchanged. The backends are sparse GiB files: one with no block allocated is all zeros,
# so its size and block count are its content (a write would allocate); others are read
# with XXH128 (sha256 took minutes of the suite reading zeros). For equality, not security.
checksums() {
	local f
	command -v xxhsum >/dev/null || { echo "checksums: no xxhsum (tools/deps.sh installs xxhash)" >&2; return 1; }
	(($#)) || { xxhsum -H2 2>/dev/null; return; }
	for f; do
		# (1 MiB and up: a file system may keep a small file's data inline, with no block)
		if [[ -f $f && ! -L $f && $(stat -c '%b %s' -- "$f") == 0\ [1-9]??????* ]]; then
			stat -c '%n: %s bytes, no block allocated (all zeros)' -- "$f"
		else
			xxhsum -H2 -- "$f" 2>/dev/null || { echo "checksums: cannot read $f" >&2; return 1; }
		fi
	done
}

# nvdimm_vm: nv.img (16 MiB) and vm.args, a VM with one NVDIMM nv0 on it, label-size=128K.
nvdimm_vm() {
	truncate -s 16M nv.img
	printf -- '-M pc,nvdimm=on -m 1G,slots=1,maxmem=3G -object memory-backend-file,id=m0,share=on,mem-path=nv.img,size=16M -device nvdimm,id=nv0,memdev=m0,label-size=128K\n' > vm.args
}
