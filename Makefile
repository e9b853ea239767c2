# The nvd toolkit. `make` builds bin/nvd-*, `make check` runs every test.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
COMPDIR = $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
DATADIR = $(PREFIX)/share/nvd-toolkit

VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1)
CC ?= cc
CFLAGS ?= -O2 -g
WARN = -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += $(addprefix -I,$(COMMON_DIRS)) -DNVD_VERSION='"$(VERSION)"' -D_GNU_SOURCE $(shell pkg-config --cflags json-c 2>/dev/null)
LDLIBS = -lpopt -ljson-c

# Every cmd/nvd-*.c is a tool.
TOOLS = $(patsubst cmd/%.c,%,$(wildcard cmd/nvd-*.c))
# The core, one folder per part (README, Layout): base (allocation, sizes, findings, output),
# cli (the command-line layer of cmd/), qemu (QEMU's command line, its rules, the memory-device
# table, layout, plan, libvirt), nfit, label, host (backends, probing, running VMs, nvd-map).
COMMON_DIRS = $(sort $(dir $(wildcard common/*/*.c)))
COMMON_SRC = $(wildcard common/*/*.c)
UNIT_SRC = $(wildcard t/unit/*.c)

# One build tree per flavour: build/ for the release, build-asan/ for the sanitizers.
B ?= build
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# nvd-findings(7) is generated from the finding catalogue (common/base/finding-catalogue.c).
FINDINGS_MAN = $(B)/man/nvd-findings.7

all: $(addprefix bin/,$(TOOLS)) $(FINDINGS_MAN)

.SECONDARY:

.PHONY: all asan check check-unit check-bats check-asan bench deps demo install uninstall clean FORCE

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c -o $@ $<

$(B)/libnvd.a: $(COMMON_SRC:%.c=$(B)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

bin/%: $(B)/cmd/%.o $(B)/libnvd.a
	@mkdir -p bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tools/gen-findings: $(B)/tools/gen-findings.o $(B)/libnvd.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(FINDINGS_MAN): $(B)/tools/gen-findings
	@mkdir -p $(dir $@)
	$< --man > $@.tmp && mv $@.tmp $@

build-asan/bin/%: FORCE
	@$(MAKE) --no-print-directory B=build-asan CFLAGS="-O1 -g $(SAN_FLAGS)" \
		LDFLAGS="$(SAN_FLAGS)" build-asan/bin-$*

build-asan/bin-%: build-asan/cmd/%.o build-asan/libnvd.a
	@mkdir -p build-asan/bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o build-asan/bin/$* $^ $(LDLIBS)

asan: $(addprefix build-asan/bin/,$(TOOLS))

# C unit tests of the core, each a program that exits non-zero on failure.
$(B)/t/unit/%: $(B)/t/unit/%.o $(B)/libnvd.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

UNIT_BINS = $(UNIT_SRC:t/unit/%.c=$(B)/t/unit/%)

check-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "unit: $$t"; $$t; done

# The fault-injection shim of t/fault.bats (LD_PRELOAD): test-only, never installed.
FAULT_LIB = build/t/nvdfault.so
$(FAULT_LIB): t/fault/nvdfault.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -g -fPIC -shared -o $@ $< -ldl

check-bats: all $(FAULT_LIB)
	bats t/*.bats

check-asan: asan $(FAULT_LIB) $(FINDINGS_MAN)
	@$(MAKE) --no-print-directory B=build-asan CFLAGS="-O1 -g $(SAN_FLAGS)" \
		LDFLAGS="$(SAN_FLAGS)" check-unit
	NVD_BIN=$(CURDIR)/build-asan/bin ASAN_OPTIONS=detect_leaks=1 \
		UBSAN_OPTIONS=print_stacktrace=1 bats t/*.bats

include t/qemu/qemu.mk
include t/guest/guest.mk
include t/fuzz/fuzz.mk

# Everything: unit tests, the bats suite, both again under ASan/UBSan,
# conformance to real QEMU 7.2, 10.0 and Debian unstable's (11.1), and the guest tests.
# Two lanes run side by side, one CPU each (each is a chain of single-threaded
# processes): the bats suite, conformance and the fuzzers in one, the ASan/UBSan
# suite in the other; each lane's output is printed whole when it ends. The guest
# tests, timing-sensitive under TCG, run after them alone.
check: deps
	@$(MAKE) --no-print-directory all check-unit $(FAULT_LIB)
	@$(MAKE) --no-print-directory -j2 --output-sync=target check-lane-release check-lane-asan
	@$(MAKE) --no-print-directory check-guest

.PHONY: check-lane-release check-lane-asan
check-lane-release:
	@$(MAKE) --no-print-directory check-bats
	@$(MAKE) --no-print-directory check-qemu
	@$(MAKE) --no-print-directory check-fuzz FUZZ_JOBS=1

check-lane-asan:
	@$(MAKE) --no-print-directory check-asan

deps:
	@sh tools/deps.sh

# The main job on a built-in example: sparse backends in build/demo, then nvd-plan.
demo: deps all
	@mkdir -p build/demo
	@cd build/demo && truncate -s 4G nv0.img && truncate -s 2G nv1.img && \
		../../bin/nvd-plan ../../examples/vm-nvdimm.args

bench: all
	@sh tools/bench.sh
	@bash tools/bench-check.sh
	@bash tools/bench-map.sh
	@bash tools/bench-start.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(COMPDIR)
	install -m 755 $(addprefix bin/,$(TOOLS)) $(DESTDIR)$(BINDIR)
	install -m 644 $(addprefix man/,$(TOOLS:=.1)) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(FINDINGS_MAN) $(DESTDIR)$(MANDIR)/man7
	for t in $(TOOLS) nvd; do install -m 644 completions/$$t $(DESTDIR)$(COMPDIR)/$$t; done
	@# nvd-check --running for node_exporter: installed, never enabled here
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DATADIR)/prometheus
	sed 's|@BINDIR@|$(BINDIR)|g' dist/systemd/nvd-check-running.service.in \
		> $(DESTDIR)$(UNITDIR)/nvd-check-running.service
	chmod 644 $(DESTDIR)$(UNITDIR)/nvd-check-running.service
	install -m 644 dist/systemd/nvd-check-running.timer $(DESTDIR)$(UNITDIR)
	install -m 644 dist/prometheus/nvd-running.rules.yml $(DESTDIR)$(DATADIR)/prometheus

# What install put there, and nothing else (the directories stay: others share them).
uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(TOOLS)) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(TOOLS:=.1)) \
		$(DESTDIR)$(MANDIR)/man7/nvd-findings.7 \
		$(addprefix $(DESTDIR)$(COMPDIR)/,$(TOOLS) nvd) \
		$(addprefix $(DESTDIR)$(UNITDIR)/,nvd-check-running.service nvd-check-running.timer) \
		$(DESTDIR)$(DATADIR)/prometheus/nvd-running.rules.yml

clean:
	rm -rf build build-asan build-fuzz bin

-include $(wildcard build/*/*.d build/*/*/*.d build/*/*/*/*.d build-asan/*/*.d build-asan/*/*/*.d build-asan/*/*/*/*.d)
