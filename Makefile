# SPDX-License-Identifier: GPL-2.0
#
# xen-pvusb: out-of-tree build of usbback.ko and usbfront.ko, plus the
# project's test and benchmark entry points. `make help` lists them.

# The running kernel's build tree when it has one, else the newest Debian
# linux-headers-*-amd64, newest by version (sort -V: 6.12 after 6.9).
# KDIR= overrides.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build/Makefile))
ifneq ($(KDIR),)
KDIR := $(patsubst %/Makefile,%,$(KDIR))
else
KDIR := $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
endif

# The kernel release KDIR builds for (what vermagic says): the modules of
# make install go to /lib/modules/$(KVER)/updates.
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)

include include/xenusb_version.mk
VERSION := $(XENUSB_VERSION)

export XENUSB_CACHE ?= $(HOME)/.cache/xen-pvusb
export XENUSB_BUILD ?= $(CURDIR)/build
export KDIR

.PHONY: all modules test-modules clean deps check lint sparse checkpatch kunit sim \
	fuzz fuzz-cov bench-sim e2e e2e-debug e2e-soak demo bench-e2e help install uninstall deb version

all: modules

modules:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "No kernel build tree: run 'make deps' or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# Test-only modules of the e2e bed (tests/e2e/hostile/: hostile peers that
# attack our drivers); never installed, only packed into the bed's images.
test-modules:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "No kernel build tree: run 'make deps' or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/e2e/hostile modules

# Into /lib/modules/$(KVER)/updates (found before the kernel's own
# modules), then depmod.  DESTDIR= stages elsewhere (no depmod then).
# Also the guest's udev rule that gives usb-storage below a vusb
# controller 1 MiB commands (usbfront/60-xen-vusb-storage.rules).
MODDIR = $(DESTDIR)/lib/modules/$(KVER)/updates
UDEVDIR = $(DESTDIR)/lib/udev/rules.d
install: modules
	@test -n "$(KVER)" || { echo "Cannot tell the kernel release of KDIR=$(KDIR)" >&2; exit 1; }
	install -D -m 644 usbback/usbback.ko $(MODDIR)/usbback.ko
	install -D -m 644 usbfront/usbfront.ko $(MODDIR)/usbfront.ko
	install -D -m 644 usbfront/60-xen-vusb-storage.rules $(UDEVDIR)/60-xen-vusb-storage.rules
	$(if $(DESTDIR),,depmod -a $(KVER))

uninstall:
	@test -n "$(KVER)" || { echo "Cannot tell the kernel release of KDIR=$(KDIR)" >&2; exit 1; }
	rm -f $(MODDIR)/usbback.ko $(MODDIR)/usbfront.ko $(UDEVDIR)/60-xen-vusb-storage.rules
	$(if $(DESTDIR),,depmod -a $(KVER))

# The Debian package xen-pvusb-dkms (tools/debian/, tools/dkms.conf) into
# $(XENUSB_BUILD)/deb/xen-pvusb-dkms_$(VERSION)_all.deb
deb:
	bash tools/mkdeb.sh

version:
	@echo $(VERSION)

clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) clean; \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/e2e/hostile clean; fi
	rm -rf $(XENUSB_BUILD)

deps:
	bash tools/deps.sh

help:
	@echo "make deps       install every Debian package needed (idempotent)"
	@echo "make install    usbback.ko, usbfront.ko into /lib/modules/KVER/updates; depmod; the guest's udev rule"
	@echo "make uninstall  remove them again"
	@echo "make deb        the xen-pvusb-dkms Debian package, under build/deb/"
	@echo "make            build usbback.ko and usbfront.ko (KDIR=$(KDIR))"
	@echo "make check      the test suite: build, lint, install, simulator, KUnit, e2e"
	@echo "make demo       boot Xen under QEMU and pass a USB stick to a guest"
	@echo "make lint       checkpatch --strict; sparse, W=1, modpost per kernel"
	@echo "make sim        user-space ring simulator scenarios (ASan/UBSan)"
	@echo "make kunit      KUnit suites under UML (KASAN, UBSAN, lockdep)"
	@echo "make fuzz       libFuzzer harnesses, FUZZ_SECONDS each (default 12)"
	@echo "make fuzz-cov   line coverage of both sides' ring and request code by the fuzz corpora"
	@echo "make e2e        end-to-end matrix on Xen 4.17 (Debian 12) and 4.20 (Debian 13) under QEMU"
	@echo "make e2e-debug  e2e on a debug kernel (UBSAN, lockdep, kmemleak...) built from Debian's 6.1"
	@echo "make e2e-soak   1000 attach/detach rounds, 100 controller rounds, several guests; counters checked"
	@echo "make bench-sim  simulator ring throughput benchmark"
	@echo "make bench-e2e  end-to-end throughput and latency benchmark"

check: deps
	bash tests/check.sh

lint: modules
	bash tests/lint.sh

sim:
	$(MAKE) -C tools/sim check

kunit:
	bash tests/kunit/run.sh

# Fresh inputs for FUZZ_SECONDS per harness; the corpora in tools/sim/corpus
# (usbback's ring) and tests/fuzz (usbfront's ring) seed them, and make
# check replays both.
fuzz:
	$(MAKE) -C tools/sim fuzz

# Line coverage of each side's ring code by its corpus.
fuzz-cov:
	$(MAKE) -C tools/sim fuzz-cov

bench-sim:
	$(MAKE) -C tools/sim bench

e2e:
	bash tests/e2e/run.sh

e2e-debug:
	E2E_FLAVOUR=bookworm-debug bash tests/e2e/run.sh

e2e-soak:
	bash tests/e2e/soak.sh

demo: deps modules
	bash tests/e2e/demo.sh

bench-e2e:
	bash tests/e2e/bench.sh
