#!/bin/bash
# tools/bigconfig.sh N: print a QEMU configuration of about N options for
# nvd-plan, of every kind whose reading could grow faster than linearly:
# memory backends (ids looked up by every device and NUMA node), devices
# (ids that must stay unique), -object options QEMU refuses (their ids are
# remembered), NUMA nodes, and three options with N/10 keys each (QemuOpts
# keys, QemuOpts short-form booleans, JSON members: each checked for
# repeats). N=100000 gives about 3.8 MiB, under nvd-plan's 4 MiB limit.
# Used by tools/bench.sh and t/scale.bats.
set -eu
n=${1:?usage: bigconfig.sh N}
awk -v n="$n" 'BEGIN {
	k = int(n / 10)
	print "-machine pc,nvdimm=on -m 1G,slots=256,maxmem=512G"
	printf "-object memory-backend-ram,id=keys,size=1M"
	for (i = 0; i < k; i++) printf ",x%d=1", i
	printf "\n-object memory-backend-ram,id=flags,size=1M"
	for (i = 0; i < k; i++) printf ",f%d", i
	printf "\n-object '\''{\"qom-type\":\"memory-backend-ram\",\"id\":\"json\",\"size\":1048576"
	for (i = 0; i < k; i++) printf ",\"j%d\":1", i
	print "}'\''"
	for (i = 0; i < (n - 6) / 4; i++) {
		printf "-object memory-backend-ram,id=m%d,size=1M\n", i
		printf "-device pc-dimm,id=d%d,memdev=m%d\n", i, i
		printf "-object memory-backend-ram,id=r%d,size=1M,x=1\n", i
		printf "-numa node,memdev=m%d\n", i
	}
}'
