#!/usr/bin/env bats
# Text that came from a guest or a file (label names, mem-paths, ids, file names,
# /proc/PID/cmdline, libvirt XML, NFIT fields, sysfs and mountinfo strings) never
# reaches a terminal raw: in text, control characters (ESC, BEL, C1) and bytes that
# are not UTF-8 are shown as \xNN; JSON and XML stay valid UTF-8 (U+FFFD for such a
# byte); Prometheus label values too.

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	cd "$BATS_TEST_TMPDIR"
	# ESC [31m, BEL, an invalid byte, a C1 CSI (U+009B)
	E=$'\e[31m\a\xff\xc2\x9b'
	SHOWN='\x1b[31m\x07\xff\xc2\x9b'
}

# clean FILE...: no control character but newline and tab, no C1, valid UTF-8.
clean() {
	python3 - "$@" <<'PY' || fail "raw control characters or invalid UTF-8 in $*"
import re, sys
for f in sys.argv[1:]:
    b = open(f, 'rb').read()
    b.decode('utf-8')
    m = re.search(rb'[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]', b)
    assert not m, (f, b[max(0, m.start() - 40):m.end() + 40])
PY
}

# text FILE: clean, and the hostile string is shown escaped.
text() {
	clean "$1"
	grep -qF "$SHOWN" "$1" || fail "$1 does not show $SHOWN: $(cat -A "$1" | head -20)"
}

# json FILE: jq parses it and it is valid UTF-8 (json-c escapes C0 controls).
json() {
	jq -e . "$1" > /dev/null || fail "$1: not JSON: $(head -c 500 "$1")"
	python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1" ||
		fail "$1: not UTF-8"
	grep -q $'\xef\xbf\xbd' "$1" || fail "$1: the invalid byte is not U+FFFD"
}

@test "label names written by the guest: dump and check, text and JSON" {
	python3 "$FIXTURES/label/lsa.py" guest-v11 g.lsa
	for off in 0x210 0x290; do
		python3 "$FIXTURES/label/lsa.py" bytes g.lsa $((off)) 1b5b33316d07ffc29b00
	done
	"$BIN/nvd-label" dump g.lsa > dump.txt
	"$BIN/nvd-label" dump --all-slots g.lsa > slots.txt
	"$BIN/nvd-label" check -v g.lsa > check.txt
	"$BIN/nvd-label" dump --json g.lsa > dump.json
	text dump.txt
	text slots.txt
	text check.txt
	json dump.json
	[[ $(jq -r '.namespaces[0].name' dump.json) == $'\e[31m\a\xef\xbf\xbd\xc2\x9b' ]] ||
		fail "name: $(jq .namespaces[0].name dump.json)"
}

@test "mem-paths, ids and file names from a configuration: every tool, text, JSON, XML, stderr" {
	truncate -s 16M "nv$E.img"
	printf -- '-M pc,nvdimm=on -m 1G,slots=1,maxmem=3G -object memory-backend-file,id=m0,share=on,mem-path=%s,size=1G -device nvdimm,id=nv0,memdev=m0,label-size=128K\n' "nv$E.img" > "vm$E.args"
	run -1 bash -c '"$@" > plan.txt' _ "$BIN/nvd-plan" --qemu-version 7.2 "vm$E.args"
	run -1 bash -c '"$@" > plan.json' _ "$BIN/nvd-plan" --qemu-version 7.2 --json "vm$E.args"
	run -1 "$BIN/nvd-plan" --qemu-version 7.2 --junit report.xml "vm$E.args"
	run -1 bash -c '"$@" > nfit.txt' _ "$BIN/nvd-nfit" --qemu-version 7.2 "vm$E.args"
	text plan.txt
	json plan.json
	text nfit.txt
	clean report.xml
	python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' report.xml
	"$BIN/nvd-map" digest "nv$E.img" > digest.txt
	"$BIN/nvd-map" digest --json "nv$E.img" > digest.json
	run -1 bash -c '"$@" > validate.txt' _ "$BIN/nvd-map" validate --qemu-version 7.2 \
		--object "memory-backend-file,id=m0,mem-path=nv$E.img,size=1G"
	"$BIN/nvd-label" init -l 128K "nv$E.img" > init.txt
	text digest.txt
	json digest.json
	text validate.txt
	text init.txt
	run -1 bash -c '"$@" > check.txt' _ "$BIN/nvd-check" "nv$E.img"
	run -1 bash -c '"$@" > check.json' _ "$BIN/nvd-check" --json "nv$E.img"
	run -1 bash -c '"$@" > check.prom' _ "$BIN/nvd-check" --prometheus "nv$E.img"
	text check.txt
	json check.json
	clean check.prom
	# an id QEMU refuses is quoted in the finding
	run -1 bash -c '"$@" > id.txt' _ "$BIN/nvd-plan" --qemu-version 7.2 -- -object "memory-backend-ram,id=a$E,size=1M"
	text id.txt
	# and in the JUnit XML, where the object of each finding is named too
	run -1 "$BIN/nvd-plan" --qemu-version 7.2 --junit id.xml -- -object "memory-backend-ram,id=<a$E,size=1M"
	clean id.xml
	python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' id.xml
	# messages on stderr
	for cmd in "nvd-label dump -l 128K missing$E.img" "nvd-plan missing$E.args" \
		"nvd-map digest missing$E.img" "nvd-nfit --decode missing$E" \
		"nvd-label dump --dimm nv0 vm$E.args"; do
		run -- bash -c "$BIN/$cmd 2> err.txt"
		text err.txt
	done
}

@test "/proc/PID/cmdline: a process that is not QEMU is named escaped" {
	mkdir -p root/proc/77
	printf '%s\0-m\0' "x$E" > root/proc/77/cmdline
	run -2 bash -c '"$@" 2> err.txt' _ "$BIN/nvd-plan" --sysroot root --pid 77
	text err.txt
	grep -qF "is not QEMU: it runs x$SHOWN" err.txt || fail "$(cat -A err.txt)"
}

@test "libvirt domain XML: paths and names, findings and errors" {
	# XML 1.0 (libvirt reads it with libxml2) has no control character but tab, newline and
	# carriage return, and is UTF-8: ESC, BEL and the invalid byte are refused, raw or as a
	# character reference, with one clean line; a C1 character is XML and is shown escaped.
	local c1=$'\xc2\x9b' c1_shown='\xc2\x9b'
	sed "s|<path>nv0.img</path>|<path>nv$E.img</path>|" \
		"$REPO/t/libvirt/cases/align-above-size.xml" > raw.xml
	run -2 bash -c '"$@" 2> err.txt' _ "$BIN/nvd-plan" --qemu-version 7.2 raw.xml
	clean err.txt
	grep -qF "invalid Char value 27" err.txt || fail "$(cat -A err.txt)"
	sed "s|<path>nv0.img</path>|<path>nv\&#27;.img</path>|" \
		"$REPO/t/libvirt/cases/align-above-size.xml" > ref.xml
	run -2 bash -c '"$@" 2> err.txt' _ "$BIN/nvd-plan" --qemu-version 7.2 ref.xml
	clean err.txt
	grep -qF "character reference to U+001B" err.txt || fail "$(cat -A err.txt)"
	sed "s|<path>nv0.img</path>|<path>nv$c1.img</path>|; s|<name>window-too-small</name>|<name>w$c1</name>|" \
		"$REPO/t/libvirt/cases/align-above-size.xml" > dom.xml
	truncate -s 16M "nv$c1.img"
	run -1 bash -c '"$@" > dom.txt' _ "$BIN/nvd-plan" --qemu-version 7.2 dom.xml
	run -1 bash -c '"$@" > dom.json' _ "$BIN/nvd-plan" --qemu-version 7.2 --json dom.xml
	clean dom.txt
	grep -qF "nv$c1_shown.img" dom.txt || fail "dom.txt does not show nv$c1_shown.img: $(cat -A dom.txt)"
	jq -e . dom.json > /dev/null || fail "dom.json: not JSON"
	sed "s|<memory unit='GiB'>4</memory>|<memory unit='G$c1'>4</memory>|" \
		"$REPO/t/libvirt/cases/align-above-size.xml" > unit.xml
	run -2 bash -c '"$@" 2> err.txt' _ "$BIN/nvd-plan" --qemu-version 7.2 unit.xml
	clean err.txt
	grep -qF "G$c1_shown" err.txt || fail "$(cat -A err.txt)"
}

@test "NFIT fields decoded from a table (OEM ids): text and JSON" {
	printf -- '-M pc,nvdimm=on -m 1G,slots=1,maxmem=3G -object memory-backend-file,id=m0,share=on,mem-path=nv.img,size=16M -device nvdimm,id=nv0,memdev=m0\n' > vm.args
	truncate -s 16M nv.img
	"$BIN/nvd-nfit" --qemu-version 7.2 --raw vm.args > good.nfit
	python3 - <<'PY'
b = bytearray(open('good.nfit', 'rb').read())
b[10:16] = b'\x1b[31m\x07'
b[16:24] = b'\xff\xc2\x9bABCDE'
b[9] = (b[9] - sum(b)) & 0xff
open('oem.nfit', 'wb').write(b)
PY
	"$BIN/nvd-nfit" --decode oem.nfit > oem.txt
	"$BIN/nvd-nfit" --decode oem.nfit --json > oem.json
	"$BIN/nvd-nfit" --decode oem.nfit --hex > oem.hex
	clean oem.txt oem.hex
	jq -e . oem.json > /dev/null
	clean oem.json
}

@test "sysfs and mountinfo strings: the inventory in text, JSON and Prometheus" {
	cp -a "$FIXTURES/check/host" root
	{
		sed "s|@ROOT@|$PWD/mnt|g" "$FIXTURES/check/mountinfo.in"
		printf '46 27 259:0 / %s/mnt/e%s rw,relatime - ext4 /dev/pmem0 rw,dax=always\n' "$PWD" "$E"
		printf '47 27 259:0 / %s/mnt/f rw - xfs%s /dev/pmem%s rw,dax=always\n' "$PWD" "$E" "$E"
	} > root/proc/self/mountinfo
	printf '%s\n' "cpu$E" > "$(find root/sys -path '*region1/persistence_domain')"
	mkdir -p "mnt/e$E" mnt/f
	"$BIN/nvd-check" --sysroot root > inv.txt
	"$BIN/nvd-check" --sysroot root --json > inv.json
	"$BIN/nvd-check" --sysroot root --prometheus > inv.prom
	text inv.txt
	json inv.json
	clean inv.prom
	grep -q $'mountpoint="[^"]*/mnt/e\xef\xbf\xbd\\[31m' inv.prom || fail "$(grep mnt/e inv.prom | cat -A)"
	run -1 bash -c '"$@" > path.txt' _ "$BIN/nvd-check" --sysroot root "mnt/e$E"
	text path.txt
}
