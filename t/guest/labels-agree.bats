#!/usr/bin/env bats
# nvd-label check against the guest kernel: corrupted label areas and writes killed after each
# step (t/fault/nvdfault.so, kill:N:fdatasync), prepared on the host, one NVDIMM per case, up to
# four per boot.
# For every DIMM, what nvd-label predicts (index valid or not, available_slots, the namespaces
# assembled from labels) must be what the kernel shows; the kernel's reasons for refusing an
# index block (dev_dbg of __nd_label_validate, via libnvdimm.dyndbg) must match check's.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { guest_setup_file; }
setup() {
	guest_setup
	L=${NVD_BIN:-$GUEST_DIR/../../bin}/nvd-label
	SHIM=${NVD_FAULT_LIB:-$GUEST_DIR/../../build/t/nvdfault.so}
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	LSA=lsa
	cd "$BATS_TEST_TMPDIR" || return
}
teardown() { guest_teardown; }

# lsa ARGS...: queue a t/fixtures/label/lsa.py command; lsa_run runs the queue in one python (a
# python start costs 0.1-0.3 s on a loaded machine, and the tests need dozens of edits).
lsa() { printf '%q ' "$@" >>lsa.cmds; echo >>lsa.cmds; }
lsa_run() {
	python3 -c 'import shlex, sys
path = sys.argv[1]
code = compile(open(path).read(), path, "exec")
for line in open(sys.argv[2]):
    if line.strip():
        sys.argv = [path] + shlex.split(line)
        exec(code, {"__name__": "lsa"})' "$GUEST_DIR/../fixtures/label/lsa.py" lsa.cmds
	rm lsa.cmds
}

# cookie 1.1|1.2 SLOT: the interleave-set cookie the kernel expects for QEMU's NVDIMM in SLOT, alone
# in its region (labels-and-libs.md 1.12: fletcher64 of {region_offset 0, serial 0x123456 + slot}
# for v1.1, and of {0, serial, vendor 0x8086, date 0, location 0, reserved} for v1.2).
cookie() {
	local s=$((0x123456 + $2)) w lo=0 hi=0 words=()
	words=(0 0 "$s" 0)
	[[ $1 == 1.2 ]] && words=(0 0 "$s" $((0x8086)) 0 0 0 0 0 0 0 0)
	for w in "${words[@]}"; do
		lo=$(((lo + w) & 0xffffffff))
		hi=$((hi + lo))
	done
	printf '%#x\n' $(((hi << 32) | lo))
}

# guest_v11 FILE SLOT: the 128K v1.1 area ndctl wrote in a guest (namespace demo-label, labels in
# slots 0 and 1), its cookies made those of the DIMM in SLOT.
guest_v11() {
	local c
	c=$(cookie 1.1 "$2")
	$LSA guest-v11 "$1"
	$LSA set "$1" $((0x200 + 88)) u64 "$c"
	$LSA set "$1" $((0x280 + 88)) u64 "$c"
}

# The guest's view, one line per DIMM: nmemN available_slots and the region's namespaces by
# name ("-": a namespace without uuid, the label-less one the kernel makes without a valid index).
# $OUT/why: the kernel's reasons for refusing index blocks.
# shellcheck disable=SC2016
VIEW='reg() { for r in /sys/bus/nd/devices/region*; do case $(cat $r/mapping0) in nmem$1,*) basename $r ;; esac; done; }
for d in /sys/bus/nd/devices/nmem*; do
	i=${d##*nmem}
	ns=$(ndctl list -N -r $(reg $i) | awk -F\" '"'"'/^ *\{/ { n = "-" } /"name":/ { n = $4 } /^ *\}/ { print n }'"'"' | sort | tr "\n" " ")
	echo "nmem$i $(cat $d/available_slots)${ns:+ ${ns% }}"
done | sort
dmesg | grep -o "nmem[0-9]: nsindex[01] .*" >"$OUT/why" || true
dmesg | grep "nmem[0-9]: nsindex[01] " >"$OUT/why-lines" || true'

# predict N IMG [LABEL-SIZE]: the line VIEW prints for nmemN, from nvd-label dump: with a valid
# index available_slots is the current index block's free count minus one and the namespaces are
# those dump assembles; without, the kernel sizes the area for 256-byte labels (C / 257 slots,
# minus one) and makes one label-less namespace.
predict() {
	local n=$1 img=$2 ls=${3:-128K}
	"$L" dump --json -l "$ls" "$img" | jq -r --arg n "$n" --argjson c "$(numfmt --from=iec "$ls")" '
		if .current == null then "nmem\($n) \($c / 257 | floor - 1) -"
		else "nmem\($n) \(.index[.current].free - 1) \([.namespaces[].name] | sort | join(" "))" | sub(" $"; "") end'
}

# agree N...: the guest's lines for nmemN... are nvd-label's predictions for nvN.img.
agree() {
	local n want='' got
	for n in "$@"; do want+=$(predict "$n" "nv$n.img")$'\n'; done
	got=$(grep -E "^nmem($(IFS='|'; echo "$*")) " <<<"$output")$'\n'
	assert_equal "$got" "$want"
}

@test "corrupted index blocks (checksum, signature, nslot): nvd-label check agrees with the kernel" {
	for i in 0 1 2 3; do guest_v11 c$i.lsa $i; done
	for off in 0 256; do
		$LSA set c0.lsa $((off + 64)) u8 0x55                               # checksum
		$LSA bytes c1.lsa $off 58; $LSA index-sum c1.lsa $off 256             # signature "XAMESPACE_INDEX"
		$LSA set c2.lsa $((off + 56)) u32 1021; $LSA index-sum c2.lsa $off 256  # nslot: one too many
		$LSA set c3.lsa $((off + 56)) u32 2; $LSA index-sum c3.lsa $off 256     # nslot 2: still fits
	done
	lsa_run
	for i in 0 1 2 3; do
		truncate -s 1G nv$i.img
		"$L" write -q --force -l 128K -i c$i.lsa nv$i.img
	done
	vm_args
	for i in 0 1 2 3; do nvdimm $i size=1G label-size=128K; done
	run --separate-stderr guest --append libnvdimm.dyndbg=+p "${VM[@]}" -- - <<<"$VIEW"
	assert_success
	agree 0 1 2 3
	assert_equal "$(cut -d' ' -f1,3- <<<"$output")" "nmem0 -
nmem1 -
nmem2 -
nmem3 demo-label"
	# the reasons, each index block: check's and the kernel's first trial (128-byte labels)
	run "$L" check -l 128K nv0.img
	assert_failure 1
	assert_output --partial "index1: index block 1 at offset 0x100 (128-byte labels): checksum"
	grep -qx "nmem0: nsindex0 checksum invalid" "$OUT/why"
	grep -qx "nmem0: nsindex1 checksum invalid" "$OUT/why"
	run "$L" check -l 128K nv1.img
	assert_failure 1
	assert_output --partial 'index1: index block 1 at offset 0x100 (128-byte labels): signature is not "NAMESPACE_INDEX"'
	grep -qx "nmem1: nsindex1 signature invalid" "$OUT/why"
	run "$L" check -l 128K nv2.img
	assert_failure 1
	assert_output --partial "nslot 1021 is too large"
	grep -q "^nmem2: nsindex1 nslot: 1021 invalid" "$OUT/why"
	run "$L" check -l 128K nv3.img
	assert_success
	assert_output --partial "2 slots, 1 free, 1 namespace"
	assert_equal "$(grep -c "^nmem3:" "$OUT/why")" 0
	# each of the kernel's lines, as its log has them, is explained as the label index finding
	explained "$OUT/why-lines" label-index-invalid 4
}

# explained FILE ID MIN: every line of FILE (the guest kernel's log lines) is one nvd-plan
# --explain knows, with finding ID among its answers; FILE has at least MIN lines.
explained() {
	local line n=0
	while IFS= read -r line; do
		echo "kernel: $line"
		run "${NVD_BIN:-$GUEST_DIR/../../bin}/nvd-plan" --explain "$line"
		assert_success
		assert_line --partial "$2 ("
		n=$((n + 1))
	done <"$1"
	((n >= $3)) || fail "$1: $n kernel lines, want at least $3"
}

# v12_area FILE SLOT OK2-SLOT-FIELD: a 128K v1.2 area for the DIMM in SLOT with namespaces good,
# bad (its label checksum 1, wrong) and ok2 (its slot field set to OK2-SLOT-FIELD).
v12_area() {
	local c
	c=$(cookie 1.2 "$2")
	truncate -s 128K "$1"
	"$L" init -q -V 1.2 -l 128K "$1"
	$LSA label "$1" 512 0 256 name=good isetcookie="$c"
	$LSA label "$1" 768 1 256 name=bad uuid=11111111-2222-3333-4444-555555555555 dpa=0x3f000000 rawsize=0x200000 isetcookie="$c" checksum=1
	$LSA label "$1" 1024 2 256 name=ok2 uuid=22222222-2222-3333-4444-555555555555 dpa=0x3f200000 rawsize=0x200000 isetcookie="$c" slotfield="$3"
	for s in 0 1 2; do $LSA busy "$1" 0 $s; done
	$LSA index-sum "$1" 0 256
}

@test "v1.2 label checksum, label slot field, current index block only corrupted: nvd-label agrees with the kernel" {
	# nv0: v1.2, namespaces good, bad, ok2; "bad"'s label checksum is wrong
	# nv1: the same, and the slot field of "ok2"'s label (slot 2) says 3 (checksum right)
	v12_area c0.lsa 0 2
	v12_area c1.lsa 1 3
	# nv2: v1.1, only the current index block's checksum (index 0, seq 2): index 1 (seq 1) takes over
	guest_v11 c2.lsa 2
	$LSA set c2.lsa 64 u8 0x55
	lsa_run
	for i in 0 1 2; do
		truncate -s 1G nv$i.img
		"$L" write -q --force -l 128K -i c$i.lsa nv$i.img
	done
	vm_args
	for i in 0 1 2; do nvdimm $i size=1G label-size=128K; done
	run --separate-stderr guest --append libnvdimm.dyndbg=+p "${VM[@]}" -- - <<<"$VIEW"
	assert_success
	agree 0 1 2
	assert_equal "$(cut -d' ' -f1,3- <<<"$output")" "nmem0 good ok2
nmem1 good
nmem2 demo-label"
	# index valid, the bad labels ignored, the others used: as the kernel does; check exits 0
	# (the index is valid) and warns of the labels the kernel ignores; --strict fails them
	run "$L" check --strict -l 128K nv0.img
	assert_failure 1
	assert_output --partial "slot 1 is in use but its checksum"
	assert_output --partial "index 0 current (seq 3), v1.2"
	run "$L" check -l 128K nv1.img
	assert_success
	assert_output --partial "slot 2 is in use but its label says slot 3"
	# the kernel's only complaint: the 128-byte trial before the 256-byte one that succeeds
	assert_equal "$(grep "^nmem[01]:" "$OUT/why" | sort -u)" "nmem0: nsindex0 labelsize 1 invalid
nmem0: nsindex1 labelsize 1 invalid
nmem1: nsindex0 labelsize 1 invalid
nmem1: nsindex1 labelsize 1 invalid"
	run "$L" check -l 128K nv2.img
	assert_success
	assert_output --partial "index 1 current (seq 1)"
	grep -qx "nmem2: nsindex0 checksum invalid" "$OUT/why"
}

@test "fault injection: nvd-label init --force over a valid area, stopped after each step, accepted by the kernel" {
	local k
	# nv0 keeps the old area; nv1, nv2: init stopped after step 1, 2 (index block 1, then 0);
	# nv3: killed after step 1's write, before its fdatasync
	for k in 0 1 2 3; do guest_v11 old$k.lsa $k; done
	lsa_run
	for k in 0 1 2 3; do
		truncate -s 1G nv$k.img
		"$L" write -q -l 128K -i old$k.lsa nv$k.img
		[[ $k == 0 ]] && continue
		fault=kill:$k:fdatasync
		[[ $k != 3 ]] || fault=kill:1
		run env LD_PRELOAD="$SHIM" NVD_FAULT=$fault "$L" init --force -V 1.1 -l 128K nv$k.img
		assert_equal "$status" 137
		"$L" check -q -l 128K nv$k.img
		echo "step $k: $("$L" dump --json -l 128K nv$k.img | jq -c '[.current, .index[.current].seq, [.namespaces[].name]]')" >>states
	done
	vm_args
	for k in 0 1 2 3; do nvdimm $k size=1G label-size=128K; done
	run --separate-stderr guest "${VM[@]}" -- - <<<"$VIEW"
	assert_success
	agree 0 1 2 3
	# the new, empty area once the new index block 1 is written (step 1, seq 2 like index 0:
	# equal seqs pick index 1, for nvd-label and the kernel alike), then with index 0 (seq 3)
	assert_equal "$(cat states)" 'step 1: [1,2,[]]
step 2: [0,3,[]]
step 3: [1,2,[]]'
	assert_equal "$(cut -d' ' -f1,3- <<<"$output")" "nmem0 demo-label
nmem1
nmem2
nmem3"
}

@test "fault injection: nvd-label write -i, stopped after each step, accepted by the kernel" {
	local k
	# the new area: the guest's, moved on by one update (namespace n2 added; index 1 current, seq 3)
	for k in 1 2 3; do
		guest_v11 new$k.lsa $k
		$LSA label new$k.lsa $((512 + 2 * 128)) 2 128 uuid=11111111-2222-3333-4444-555555555555 dpa=0x3f000000 rawsize=0x200000 name=n2 isetcookie="$(cookie 1.1 $k)"
		$LSA set new$k.lsa 276 u32 3
		$LSA busy new$k.lsa 256 2
		$LSA busy new$k.lsa 256 1
		$LSA set new$k.lsa $((256 + 72)) u8 0xf9
		$LSA index-sum new$k.lsa 256 256
	done
	for k in 0 1 2 3; do guest_v11 old$k.lsa $k; done
	lsa_run
	for k in 1 2 3; do "$L" check -q -l 128K new$k.lsa; done
	for k in 0 1 2 3; do
		truncate -s 1G nv$k.img
		"$L" write -q -l 128K -i old$k.lsa nv$k.img
		[[ $k == 0 ]] && continue
		# steps: the new label, then index block 1; nv3: killed after step 2's write, before its sync
		fault=kill:$k:fdatasync
		[[ $k != 3 ]] || fault=kill:3
		run env LD_PRELOAD="$SHIM" NVD_FAULT=$fault "$L" write -l 128K -i new$k.lsa nv$k.img
		assert_equal "$status" 137
		"$L" check -q -l 128K nv$k.img
		echo "step $k: $("$L" dump --json -l 128K nv$k.img | jq -c '[.current, .index[.current].seq, [.namespaces[].name]]')" >>states
	done
	vm_args
	for k in 0 1 2 3; do nvdimm $k size=1G label-size=128K; done
	run --separate-stderr guest "${VM[@]}" -- - <<<"$VIEW"
	assert_success
	agree 0 1 2 3
	# old state (index 0 current, seq 2) until the new index block 1 (seq 3) is written (step 2)
	assert_equal "$(cat states)" 'step 1: [0,2,["demo-label"]]
step 2: [1,3,["demo-label","n2"]]
step 3: [1,3,["demo-label","n2"]]'
	assert_equal "$(cut -d' ' -f1,3- <<<"$output")" "nmem0 demo-label
nmem1 demo-label
nmem2 demo-label n2
nmem3 demo-label n2"
}

@test "fault injection: nvd-label zero, killed after each step or in the middle of one, seen by the kernel as nvd-label says" {
	local k
	# zero's steps: the stale label in free slot 0, the index block that is not current (1), the
	# current one (0), the label in use (slot 1). nv0: killed after step 2, nv1: after step 3
	# (both index blocks), nv2: after step 4 (the labels too); nv3: killed after step 3's write to
	# the current index block, before its fdatasync
	for k in 0 1 2 3; do guest_v11 old$k.lsa $k; done
	lsa_run
	for k in 0 1 2 3; do
		truncate -s 1G nv$k.img
		"$L" write -q -l 128K -i old$k.lsa nv$k.img
	done
	for k in 0 1 2; do
		run env LD_PRELOAD="$SHIM" NVD_FAULT=kill:$((k + 2)):fdatasync "$L" zero -l 128K nv$k.img
		assert_equal "$status" 137
	done
	rm -f points.log
	NVD_FAULT_LOG=points.log LD_PRELOAD=$SHIM "$L" zero -q -l 128K old3.lsa
	k=$(awk '$2 == "fdatasync" && ++n == 2 { print $1 + 1; exit }' points.log)
	run env LD_PRELOAD="$SHIM" NVD_FAULT=kill:$k "$L" zero -l 128K nv3.img
	assert_equal "$status" 137
	run "$L" dump --json -l 128K nv3.img
	assert_equal "$(jq -c '[.current, [.index[] | .valid]]' <<<"$output")" '[null,[false,false]]'
	vm_args
	for k in 0 1 2 3; do nvdimm $k size=1G label-size=128K; done
	run --separate-stderr guest "${VM[@]}" -- - <<<"$VIEW"
	assert_success
	agree 0 1 2 3
	# the old namespace while one index block is valid, then the kernel's label-less namespace
	assert_equal "$(cut -d' ' -f1,3- <<<"$output")" "nmem0 demo-label
nmem1 -
nmem2 -
nmem3 -"
}
