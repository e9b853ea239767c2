#!/usr/bin/env bats
# The test suite runs from a fresh clone alone: nothing it reads lives outside the repository.

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
}

@test "no test, Makefile or tool reads ../shared: what the tests need is in t/fixtures" {
	cd "$REPO"
	run grep -rnE '(\.\./|/work/)shared' t Makefile tools --include='*.bats' --include='*.bash' \
		--include='*.sh' --include='*.mk' --include=Makefile --include=conform \
		--exclude=self-contained.bats
	assert_failure 1
	assert_output ''
}

@test "the QEMU test vectors the tests read are tracked, with where they came from" {
	cd "$REPO"
	command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout"
	for f in x86/pc/NFIT.dimmpxm x86/q35/NFIT.dimmpxm aarch64/virt/NFIT.memhp README.md; do
		git ls-files --error-unmatch "t/fixtures/qemu-acpi/$f" >/dev/null ||
			fail "t/fixtures/qemu-acpi/$f is not in the repository"
	done
	grep -q 'ece408818d27f745ef1b05fb3cc99a1e7a5bf580' t/fixtures/qemu-acpi/README.md
	grep -q 'GPL' t/fixtures/qemu-acpi/README.md
}
