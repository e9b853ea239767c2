# t/qemu/qemu.mk: conformance of nvd-plan to real QEMU; included by the top
# Makefile (which defines the phony target "all" that builds bin/nvd-plan).
#   make check-qemu   run t/qemu/*.bats against QEMU 7.2 (host) and 10.0
#                     (built by setup-qemu10 on first use; skipped, with the
#                     reason, when it cannot be built)
#   make qemu10       build or check the cached QEMU 10.0 tree only

BATS ?= bats

.PHONY: check-qemu qemu10

check-qemu: all
	$(BATS) t/qemu

qemu10:
	t/qemu/setup-qemu10
