# t/qemu/qemu.mk: conformance of nvd-plan to real QEMU; included by the top
# Makefile (which defines the phony target "all" that builds bin/nvd-plan).
#   make check-qemu   run t/qemu/*.bats against QEMU 7.2 (host), 10.0 and
#                     Debian unstable's (11.1 when written) (built by
#                     setup-qemu10 and setup-qemu11 on first use; skipped, with
#                     the reason, when they cannot be built)
#   make qemu10       build or check the cached QEMU 10.0 tree only
#   make qemu11       the same for Debian unstable's QEMU (prints its version)

BATS ?= bats

.PHONY: check-qemu qemu10 qemu11

check-qemu: all
	$(BATS) t/qemu

qemu10:
	t/qemu/setup-qemu10

qemu11:
	t/qemu/setup-qemu11 --aarch64
