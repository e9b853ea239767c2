# shellcheck shell=bash
# What every t/qemu/*.bats needs: bats-support and bats-assert, and where things are.
# HERE (t/qemu), REPO, NVD_PLAN (NVD_BIN's or the tree's), QEMU72 (the host's QEMU 7.2).
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
HERE=$BATS_TEST_DIRNAME
REPO=$(cd "$HERE/../.." && pwd)
NVD_PLAN=${NVD_BIN:-$REPO/bin}/nvd-plan
QEMU72=${NVD_QEMU72:-/usr/bin/qemu-system-x86_64}
