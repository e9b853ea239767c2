# t/guest/guest.mk: the guest tests, included by the top Makefile (which defines `all`, the
# target that builds bin/nvd-*). The guest boots whatever bin/nvd-* exist (NVD_BIN to use
# another directory); t/guest/README.md says more.

GUEST_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
BATS ?= bats

.PHONY: guest-setup check-guest

# Kernel and initramfs from Debian packages, cached in NVD_GUEST_CACHE
# (/var/cache/nvd-toolkit/guest); a no-op (~0.2 s) when nothing changed.
guest-setup:
	$(GUEST_DIR)/setup

# Each test file runs setup itself, and skips with the reason when no guest can be had.
check-guest: all $(FAULT_LIB)
	$(BATS) $(GUEST_DIR)
	@echo "# the NFIT again under QEMU 10.0 (t/qemu/setup-qemu10):"
	@NVD_GUEST_QEMU="$$(t/qemu/setup-qemu10 --quiet 2>&1 | tail -n 1)" \
		NVD_GUEST_QEMU_VERSION=10.0 $(BATS) $(GUEST_DIR)/nfit.bats
