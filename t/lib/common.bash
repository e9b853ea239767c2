# Shared by the bats files: the binaries under test and a scratch directory.
REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BIN=${NVD_BIN:-$REPO/bin}
FIXTURES=$REPO/t/fixtures
export NO_COLOR=1

load_bats_libs() {
	bats_load_library bats-support
	bats_load_library bats-assert
}

# sha256 of every file given, to show that a run left them unchanged.
checksums() {
	sha256sum "$@"
}
