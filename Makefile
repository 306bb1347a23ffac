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

export XENUSB_CACHE ?= $(HOME)/.cache/xen-pvusb
export XENUSB_BUILD ?= $(CURDIR)/build
export KDIR

.PHONY: all modules test-modules clean deps check lint sparse checkpatch kunit sim \
	fuzz fuzz-cov bench-sim e2e demo bench-e2e help

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

clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) clean; \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/e2e/hostile clean; fi
	rm -rf $(XENUSB_BUILD)

deps:
	bash tools/deps.sh

help:
	@echo "make deps       install every Debian package needed (idempotent)"
	@echo "make            build usbback.ko and usbfront.ko (KDIR=$(KDIR))"
	@echo "make check      the test suite: build, lint, simulator, KUnit, e2e"
	@echo "make demo       boot Xen under QEMU and pass a USB stick to a guest"
	@echo "make lint       checkpatch --strict, sparse, W=1, modpost"
	@echo "make sim        user-space ring simulator scenarios (ASan/UBSan)"
	@echo "make fuzz       libFuzzer harnesses on fresh inputs (FUZZ_SECONDS=)"
	@echo "make fuzz-cov   line coverage of usbfront's ring core by the corpus"
	@echo "make kunit      KUnit suites under UML (KASAN, UBSAN, lockdep)"
	@echo "make e2e        end-to-end matrix on Xen 4.17 under QEMU"
	@echo "make bench-sim  simulator ring throughput benchmark"
	@echo "make bench-e2e  end-to-end throughput and latency benchmark"

check: deps
	bash tests/check.sh

lint: modules
	bash tests/lint.sh

sim:
	$(MAKE) -C tools/sim check

fuzz:
	$(MAKE) -C tools/sim fuzz

fuzz-cov:
	$(MAKE) -C tools/sim fuzz-cov

kunit:
	bash tests/kunit/run.sh

bench-sim:
	$(MAKE) -C tools/sim bench

e2e:
	bash tests/e2e/run.sh

demo: deps modules
	bash tests/e2e/demo.sh

bench-e2e:
	bash tests/e2e/bench.sh
