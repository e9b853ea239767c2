#!/usr/bin/env bats
# The Debian package: `dpkg-buildpackage -us -uc -b` on a copy of the tree (the build must not
# call `make deps`), lintian on the result (no tag at all, pedantic and info included), then the
# .deb installed into a clean Debian 12 root (debootstrap minbase plus exactly the packages the
# .deb depends on, and man-db/bash-completion to try those): each tool's --version, man -w,
# the bash completion, the example configuration; `apt-get remove` leaves no file of the
# package behind (deb-systemd-helper's state goes with purge), `apt-get purge` nothing at all.
# Needs root and debootstrap (make deps); the root is cached in /var/cache/nvd-toolkit.

bats_require_minimum_version 1.5.0
load lib/common

CACHE=${NVD_CACHE:-/var/cache/nvd-toolkit}

setup_file() {
	[[ $(id -u) == 0 && -z ${NVD_BIN:-} ]] || return 0
	export DEB_DIR=$BATS_FILE_TMPDIR/pkg
	mkdir -p "$DEB_DIR/src"
	# the tree as a clean checkout has it (tracked and new files, nothing ignored)
	(cd "$REPO" && git ls-files -co --exclude-standard -z | xargs -0 tar cf - --no-recursion) |
		tar xf - -C "$DEB_DIR/src"
	(cd "$DEB_DIR/src" && dpkg-buildpackage -us -uc -b) >"$DEB_DIR/build.log" 2>&1 ||
		{ tail -n 30 "$DEB_DIR/build.log" >&3; return 1; }
}

setup() {
	load_bats_libs
	[[ $(id -u) == 0 ]] || skip "building and installing a package needs root"
	# make check-asan runs the suite again with NVD_BIN: the package is built from the source
	[[ -z ${NVD_BIN:-} ]] || skip "NVD_BIN is set: the package is built from the source, run once without it"
	DEB=$(echo "$DEB_DIR"/nvd-toolkit_*_amd64.deb)
	[[ -f $DEB ]] || fail "no .deb built: $(tail -n 20 "$DEB_DIR/build.log")"
}

teardown() {
	[[ -n ${ROOT:-} ]] && mountpoint -q "$ROOT/proc" && umount "$ROOT/proc"
	return 0
}

@test "dpkg-buildpackage: the .deb has the binaries, man pages, completions and examples" {
	grep -q 'make.* check-unit' "$DEB_DIR/build.log" || fail "the unit tests did not run in the build"
	grep -q 'tools/deps.sh' "$DEB_DIR/build.log" && fail "the build called make deps"
	run dpkg-deb -c "$DEB"
	local f
	for f in /usr/bin/nvd-{plan,nfit,label,check,map} \
		/usr/share/man/man1/nvd-{plan,nfit,label,check,map}.1.gz \
		/usr/share/man/man7/nvd-findings.7.gz \
		/usr/share/bash-completion/completions/nvd{,-plan,-nfit,-label,-check,-map} \
		/usr/share/doc/nvd-toolkit/{copyright,changelog.gz} \
		/usr/share/doc/nvd-toolkit/examples/vm-nvdimm.args \
		/lib/systemd/system/nvd-check-running.{service,timer} \
		/usr/share/nvd-toolkit/prometheus/nvd-running.rules.yml; do
		assert_output --partial " .$f"
	done
	# built with Debian's hardening flags, and linked only against what it loads
	run dpkg-deb -f "$DEB" Depends
	assert_output --regexp '^libc6 \([^)]*\), libjson-c5 \([^)]*\), libpopt0 \([^)]*\)$'
	grep -q -- '-D_FORTIFY_SOURCE=2' "$DEB_DIR/build.log" || fail "no dpkg-buildflags in the build"
}

@test "lintian: no tag at all (errors, warnings, info, pedantic)" {
	run --separate-stderr lintian --pedantic -I -E --fail-on error,warning,info,pedantic \
		"$DEB_DIR"/nvd-toolkit_*_amd64.changes
	assert_success
	assert_output ''
}

# debroot: a clean Debian 12 root with the .deb's dependencies, from the cache, in $ROOT.
debroot() {
	local pkgs key tar
	command -v debootstrap >/dev/null || skip "no debootstrap (make deps)"
	pkgs=libpopt0,libjson-c5,man-db,bash-completion
	key=$(echo "bookworm minbase $pkgs" | sha256sum | cut -c1-16)
	tar=$CACHE/deb-root-$key.tar
	if [[ ! -f $tar ]]; then
		local work
		mkdir -p "$CACHE"
		work=$(mktemp -d "$CACHE/deb-root.XXXXXX")
		debootstrap --variant=minbase --include="$pkgs" bookworm "$work/root" \
			http://deb.debian.org/debian >"$work/log" 2>&1 ||
			{ tail -n 20 "$work/log"; rm -rf "$work"; fail "debootstrap bookworm failed"; }
		rm -rf "$work/root/var/cache/apt/archives/"*.deb
		tar cf "$work/root.tar" -C "$work/root" .
		mv "$work/root.tar" "$tar"
		rm -rf "$work"
	fi
	ROOT=$BATS_TEST_TMPDIR/root
	mkdir "$ROOT"
	tar xf "$tar" -C "$ROOT"
	mount -t proc proc "$ROOT/proc"
}

# files: every file, link and directory of the root outside dpkg's and apt's own state
files() {
	(cd "$ROOT" && find . -xdev \( -path ./proc -o -path ./var/lib/dpkg -o -path ./var/lib/apt -o -path ./var/log \
		-o -path ./var/cache -o -path ./tmp \) -prune -o -print | sort)
}

@test "the .deb in a clean Debian 12 root: the tools, man pages, completion, the example; removed cleanly" {
	debroot
	files >"$BATS_TEST_TMPDIR/before"
	cp "$DEB" "$ROOT/tmp/nvd-toolkit.deb"
	run chroot "$ROOT" dpkg -i /tmp/nvd-toolkit.deb
	assert_success
	local t v
	v=$(dpkg-deb -f "$DEB" Version)
	for t in nvd-plan nvd-nfit nvd-label nvd-check nvd-map; do
		run chroot "$ROOT" "$t" --version
		assert_success
		assert_output --partial "$v"
		run chroot "$ROOT" man -w "$t"
		assert_output "/usr/share/man/man1/$t.1.gz"
	done
	run chroot "$ROOT" man -w nvd-findings
	assert_output "/usr/share/man/man7/nvd-findings.7.gz"
	# the completion, loaded on demand by bash-completion as an interactive shell does
	run chroot "$ROOT" bash -c '. /usr/share/bash-completion/bash_completion
		_completion_loader nvd-plan
		COMP_WORDS=(nvd-plan --qemu-v); COMP_CWORD=1; COMP_LINE="nvd-plan --qemu-v"; COMP_POINT=${#COMP_LINE}
		$(complete -p nvd-plan | sed "s/.*-F \([^ ]*\).*/\1/")
		printf "%s\n" "${COMPREPLY[@]}"'
	assert_success
	assert_output -- '--qemu-version='
	# the example configuration, as `make demo` runs it
	run chroot "$ROOT" sh -c 'mkdir /tmp/demo && cd /tmp/demo && truncate -s 4G nv0.img &&
		truncate -s 2G nv1.img && nvd-plan /usr/share/doc/nvd-toolkit/examples/vm-nvdimm.args'
	assert_success
	assert_output --partial 'nv0'
	chroot "$ROOT" rm -rf /tmp/demo
	# apt-get remove: no file of the package is left; only deb-systemd-helper's record of the
	# timer (never enabled) stays, as Debian keeps a removed package's state until purge
	run chroot "$ROOT" apt-get remove -y nvd-toolkit
	assert_success
	files >"$BATS_TEST_TMPDIR/after"
	run diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	assert_output --regexp '^[0-9a-c,]+
> ./var/lib/systemd/deb-systemd-helper-enabled/nvd-check-running.timer.dsh-also$'
	# apt-get purge: the tree is as it was
	run chroot "$ROOT" apt-get purge -y nvd-toolkit
	assert_success
	files >"$BATS_TEST_TMPDIR/after"
	run diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	assert_success
	run chroot "$ROOT" dpkg -s nvd-toolkit
	assert_failure
}

@test "make install and make uninstall with PREFIX and DESTDIR" {
	local d=$BATS_TEST_TMPDIR/dest
	make -s -C "$DEB_DIR/src" install DESTDIR="$d" PREFIX=/opt/nvd >/dev/null
	[[ -x $d/opt/nvd/bin/nvd-plan && -f $d/opt/nvd/share/man/man1/nvd-map.1 &&
		-f $d/opt/nvd/share/bash-completion/completions/nvd &&
		-f $d/opt/nvd/lib/systemd/system/nvd-check-running.timer ]] || fail "$(find "$d")"
	make -s -C "$DEB_DIR/src" uninstall DESTDIR="$d" PREFIX=/opt/nvd >/dev/null
	run find "$d" -type f
	assert_output ''
}
