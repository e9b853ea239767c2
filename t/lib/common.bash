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

# sha256 of every file given, to show that a run left them unchanged.
checksums() {
	sha256sum "$@"
}

# nvdimm_vm: nv.img (16 MiB) and vm.args, a VM with one NVDIMM nv0 on it, label-size=128K.
nvdimm_vm() {
	truncate -s 16M nv.img
	printf -- '-M pc,nvdimm=on -m 1G,slots=1,maxmem=3G -object memory-backend-file,id=m0,share=on,mem-path=nv.img,size=16M -device nvdimm,id=nv0,memdev=m0,label-size=128K\n' > vm.args
}
