#!/usr/bin/env bats
# nvd-plan on libvirt domain XML: 39 domains (t/libvirt/cases) against what libvirt 9.0 made of
# them (t/libvirt/recorded: virsh domxml-to-native qemu-argv, or its refusal), and the XML reader
# on broken documents.

bats_require_minimum_version 1.5.0
load lib/common

setup() {
	load_bats_libs
	PLAN=$BIN/nvd-plan
	CASES=$REPO/t/libvirt/cases
	cd "$BATS_TEST_TMPDIR" || return
}

@test "every domain: nvd-plan on the XML agrees with nvd-plan on libvirt's command line, or with libvirt's refusal" {
	run "$REPO/t/libvirt/compare" --nvd-plan "$PLAN"
	assert_success
	assert_output --partial "39 cases, 39 agree, 0 disagree"
}

@test "the comparison sees a difference" {
	mkdir -p cases recorded
	cp "$CASES/nvdimm-ok.xml" cases/
	# libvirt's command line with the NVDIMM in slot 2 instead of 0
	sed 's/"slot":0/"slot":2/' "$REPO/t/libvirt/recorded/nvdimm-ok.txt" >recorded/nvdimm-ok.txt
	cp "$REPO/t/libvirt/compare" .
	run ./compare --nvd-plan "$PLAN"
	assert_failure 1
	assert_output --partial "DISAGREE nvdimm-ok"
}

@test "what a libvirt user gets: the fix said in the domain's terms" {
	run "$PLAN" --offline --qemu-version 7.2 "$CASES/nvdimm-no-acpi.xml"
	assert_failure 1
	assert_output --partial "fail: nvdimm0: DIMMs and NVDIMMs need ACPI: add <features><acpi/></features> to the domain [machine-acpi-off]"
	run "$PLAN" --offline --qemu-version 7.2 "$CASES/nvdimm-access-default.xml"
	assert_success
	assert_output --partial "set access='shared' on the <memory model='nvdimm'> device [nvdimm-share-off]"
	run "$PLAN" --offline --qemu-version 7.2 --json "$CASES/no-numa.xml"
	assert_failure 1
	jq -e '.findings[0] == {"id": "libvirt-refuses", "level": "fail", "object": null, "qemu": null,
		"message": "libvirt refuses the domain: unsupported configuration: At least one numa node has to be configured when enabling memory hotplug"}' <<<"$output" ||
		jq -c '.findings[0]' <<<"$output"
	# the DIMMs as libvirt names and places them
	run "$PLAN" --offline --qemu-version 7.2 --json "$CASES/nvdimm-private-pmem-readonly.xml"
	jq -e '[.dimms[] | [.id, .slot]] == [["nvdimm3", 3], ["dimm0", 0], ["ua-pmem1", 5]]' <<<"$output"
}

@test "bad XML: one line with the line number, exit 2, nothing on stdout" {
	while IFS='|' read -r want text; do
		printf '%b' "$text" >bad.xml
		run --separate-stderr "$PLAN" --offline bad.xml
		assert_equal "$status" 2
		assert_equal "$stderr" "nvd-plan: bad.xml: $want"
		[[ -z $output ]] || fail "printed: $output"
	done <<'T'
line 1: <domain> (line 1) is not closed|<domain>
line 2: </memory> expected (for line 2)|<domain>\n<memory>1</domain>
line 1: unknown entity (only &lt; &gt; &amp; &quot; &apos; and &#N;)|<domain>&nbsp;</domain>
line 1: attribute repeated in <a>|<a x='1' x='2'/>
line 1: a DOCTYPE with an internal subset is not read|<!DOCTYPE d [<!ENTITY e "x">]><d/>
line 1: content after the root element|<a/><b/>
not a libvirt domain: the root element is <network>|<network/>
line 1: bad character reference|<domain>&#0;</domain>
not a libvirt domain: the root element is <a>|<a>&#x41;&lt;<![CDATA[<b>]]><!-- c --></a>
arch 'aarch64': domain XML is read for x86_64 only (give the QEMU arguments, with --target aarch64 for virt)|<domain><os><type arch='aarch64'>hvm</type></os></domain>
line 1: <memory>: unknown unit 'parsecs'|<domain><memory unit='parsecs'>1</memory></domain>
line 1: <memory>: a number is expected, not '-1'|<domain><memory>-1</memory></domain>
T
	# deeper than 64 elements
	{ for _ in $(seq 70); do printf '<a>'; done; } >deep.xml
	run --separate-stderr "$PLAN" --offline deep.xml
	assert_equal "$status" 2
	[[ $stderr == *"elements nested deeper than 64"* ]]
}

@test "translation edges: decimal numbers, a cpus list, huge counts and sizes" {
	dom() {
		cat <<EOF
<domain><memory unit='GiB'>2</memory><vcpu>4</vcpu>$1<features><acpi/></features>
<cpu><numa><cell id='0' cpus='0,2-3' memory='1' unit='GiB'/></numa></cpu>
<devices>$2</devices></domain>
EOF
	}
	local nv="<memory model='nvdimm' access='shared'><source><path>nv.img</path></source><target><size unit='MiB'>512</size><node>0</node></target>"
	# slot='010' is slot 10, as libvirt reads it (not octal 8)
	dom "<maxMemory slots='4' unit='GiB'>8</maxMemory>" "$nv<address type='dimm' slot='010'/></memory>" >a.xml
	run "$PLAN" --offline --qemu-version 7.2 --json a.xml
	jq -e '.findings[0].message | endswith("memory device slot '"'10'"' exceeds slots count '"'4'"'")' <<<"$output"
	# a cpus list with a comma is QEMU's repeated cpus=: accepted
	dom "<maxMemory slots='4' unit='GiB'>8</maxMemory>" "$nv</memory>" >b.xml
	run "$PLAN" --offline --qemu-version 7.2 --json b.xml
	jq -e '.verdict == "accept"' <<<"$output"
	# a slot count no machine has: QEMU's refusal, not an allocation of that size
	dom "<maxMemory slots='100000000000' unit='GiB'>8</maxMemory>" "$nv</memory>" >c.xml
	run --separate-stderr "$PLAN" --offline --qemu-version 7.2 --json c.xml
	assert_equal "$status" 1
	jq -e '.verdict == "reject"' <<<"$output"
	# sizes over libvirt's limit (LLONG_MAX bytes)
	dom "<maxMemory slots='4' unit='EiB'>15</maxMemory>" "$nv</memory>" >d.xml
	run --separate-stderr "$PLAN" --offline d.xml
	assert_equal "$status" 2
	assert_equal "$stderr" "nvd-plan: d.xml: line 1: <maxMemory>: 15 EiB is too large"
}

@test "vCPUs: -smp as libvirt 9.0 writes it, its refusals of the cells' CPUs, the CPUs no cell names in cell 0" {
	# each domain's outcome is what real libvirt 9.0 (virsh domxml-to-native) made of it
	dom() {
		cat <<EOF
<domain><memory unit='GiB'>2</memory>$1<features><acpi/></features>
<cpu>$3<numa><cell id='0' cpus='$2' memory='2' unit='GiB'/></numa></cpu></domain>
EOF
	}
	# no <vcpu> is one vCPU: "Number of CPUs ... exceeds"
	dom "" "0,2-3" >a.xml
	run -1 "$PLAN" --offline --qemu-version 7.2 --json a.xml
	jq -e '.findings[0].id == "libvirt-refuses" and (.findings[0].message | endswith("internal error: Number of CPUs in <numa> exceeds the <vcpu> count"))' <<<"$output"
	dom "<vcpu>3</vcpu>" "0,2-3" >b.xml
	run -1 "$PLAN" --offline --qemu-version 7.2 --json b.xml
	jq -e '.findings[0].message | endswith("internal error: CPU IDs in <numa> exceed the <vcpu> count")' <<<"$output"
	# -smp 2,maxcpus=4,sockets=4,cores=1,threads=1 and cpus=0-3: CPU 1 filled in, no warning
	dom "<vcpu current='2'>4</vcpu>" "0,2-3" >c.xml
	run -0 "$PLAN" --offline --qemu-version 7.2 --json c.xml
	jq -e '[.findings[] | select(.id | startswith("numa-") or startswith("smp-"))] == []' <<<"$output"
	# <topology>: -smp 8,sockets=2,dies=1,cores=2,threads=2
	dom "<vcpu>8</vcpu>" "0-7" "<topology sockets='2' dies='1' cores='2' threads='2'/>" >d.xml
	run -0 "$PLAN" --offline --qemu-version 7.2 --json d.xml
	dom "<vcpu>8</vcpu>" "0-7" "<topology sockets='3' dies='1' cores='2' threads='2'/>" >e.xml
	run -1 "$PLAN" --offline --qemu-version 7.2 --json e.xml
	jq -e '.findings[0].id == "smp-topology-mismatch"' <<<"$output"
	# more vCPUs than pc takes: QEMU's refusal
	dom "<vcpu>300</vcpu>" "0" >f.xml
	run -1 "$PLAN" --offline --qemu-version 7.2 --json f.xml
	jq -e '.findings[0].message | endswith("unsupported configuration: Maximum CPUs greater than specified machine type limit 255")' <<<"$output"
}

@test "sizes that overflow once libvirt aligns them: libvirt's refusal first, the summary the sizes given" {
	run -1 "$PLAN" --offline --qemu-version 7.2 "$CASES/overflow-node.xml"
	assert_line --index 2 "  memory 8 EiB, maxmem 8 EiB, slots 4"
	assert_line --index 3 "fail: libvirt refuses the domain: unsupported configuration: memory size of NUMA node '0' overflowed after alignment [libvirt-refuses]"
	# QEMU's own refusal of maxmem leaves the summary with the maxmem given, not 0 B
	printf -- '-m 6G,slots=4,maxmem=4G\n' >m.args
	run -1 "$PLAN" --offline --qemu-version 7.2 m.args
	assert_line --index 2 "  memory 6 GiB, maxmem 4 GiB, slots 4"
}

@test "virtio-pmem and virtio-mem: named, backed and placed as libvirt 9.0 does, with libvirt's refusals" {
	run --separate-stderr "$PLAN" --offline --qemu-version 7.2 --json "$CASES/virtio-mem-pmem-dimm.xml"
	assert_success
	assert_equal "$(jq -c '[.memory_devices[] | [.id, .type, .slot, .memdev]]' <<<"$output")" \
		'[["dimm0","pc-dimm",0,"memdimm0"],["virtiopmem0","virtio-pmem-pci",null,"memvirtiopmem0"],["virtiomem0","virtio-mem-pci",null,"memvirtiomem0"]]'
	run --separate-stderr "$PLAN" --offline --qemu-version 7.2 "$CASES/virtio-pmem-private.xml"
	assert_failure 1
	assert_output --partial "shared access mode required for virtio-pmem device"
}
