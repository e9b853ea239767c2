#!/bin/sh
# Install the Debian packages the build and the tests need, only those missing.
set -e
pkgs="build-essential pkg-config libpopt-dev libjson-c-dev libndctl-dev libdaxctl-dev
libpmem-dev bats bats-support bats-assert qemu-system-x86 qemu-system-arm jq clang debootstrap
debhelper lintian
busybox-static ndctl daxctl cpio kmod e2fsprogs valgrind acpica-tools xxhash b3sum strace
prometheus prometheus-node-exporter curl python3 perl groff-base"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run 'make deps' as root)" >&2
	exit 3
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
