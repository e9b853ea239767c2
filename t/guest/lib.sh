# shellcheck shell=bash disable=SC2154 # prog is set by the script that sources this
# t/guest/lib.sh: what setup and run share (sourced, bash).
#
# The cache (NVD_GUEST_CACHE) holds:
#   current              shell assignments naming the guest run boots (written last by setup)
#   kernel/              vmlinux + the module subset, keyed by kernel.key
#   initramfs.cpio       the base initramfs, keyed by initramfs.key; initramfs.files lists it
#   initrd-KEY.cpio      base + the toolkit's bin/nvd-* layer, one per content of those binaries

guest_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$guest_dir/../.." && pwd)
cache=${NVD_GUEST_CACHE:-/var/cache/nvd-toolkit/guest}
nvd_bin=${NVD_BIN:-$repo_dir/bin}

warn() { echo "$prog: $*" >&2; }
die() { warn "$*"; exit 1; }
# Exit status 77 means "the guest cannot be had on this machine": tests skip with the reason.
unavailable() { warn "$*"; exit 77; }

sha() { sha256sum | cut -c1-16; }

# Absolute paths of the shared objects FILE... need (ldd), the loader included; nothing for
# static executables and scripts.
shared_libs() {
	local f
	for f; do
		ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3; next }
		                          $1 ~ /^\// { print $1 }' || true
	done | sort -u
}

# Copy FILE into ROOT at the same path (symlinks followed).
install_file() {
	local root=$1 f=$2
	mkdir -p "$root${f%/*}"
	cp -L --remove-destination "$f" "$root$f"
}

# The initrd to boot: the base initramfs, with the toolkit's binaries (bin/nvd-* under
# NVD_BIN) and the libraries they need appended as a second cpio archive (the kernel unpacks
# concatenated archives). Keyed by the binaries' content, so a rebuilt tool is picked up by the
# next boot while the big base archive is built once. Prints the path.
toolkit_initrd() {
	local base=$cache/initramfs.cpio bins=() f key out tmp stage lib
	for f in "$nvd_bin"/nvd-*; do
		[[ -f $f && -x $f ]] && bins+=("$f")
	done
	if ((${#bins[@]} == 0)); then
		echo "$base"
		return
	fi
	local libs
	libs=$(shared_libs "${bins[@]}" | grep -vxF -f "$cache/initramfs.files" || true)
	key=$({
		cat "$cache/initramfs.key"
		for f in "${bins[@]}"; do echo "${f##*/}"; sha256sum <"$f"; done
		for lib in $libs; do stat -L -c '%n %s %Y' "$lib"; done
	} | sha)
	out=$cache/initrd-$key.cpio
	if [[ -f $out ]]; then
		touch "$out"
		echo "$out"
		return
	fi
	stage=$(mktemp -d "$cache/layer.XXXXXX")
	mkdir -p "$stage/nvd/bin"
	cp "${bins[@]}" "$stage/nvd/bin/"
	for lib in $libs; do install_file "$stage" "$lib"; done
	tmp=$(mktemp "$cache/initrd.XXXXXX")
	{
		cat "$base"
		(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --quiet)
	} >"$tmp"
	rm -rf "$stage"
	chmod 644 "$tmp"
	mv -f "$tmp" "$out"
	# Keep the two most recent layers; older ones are builds nobody boots any more.
	# shellcheck disable=SC2012 # our own file names
	ls -t "$cache"/initrd-*.cpio 2>/dev/null | tail -n +3 | xargs -r rm -f
	echo "$out"
}
