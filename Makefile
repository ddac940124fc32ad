# dm-remap: top-level build.
#
#   make            build ./dm_remap.ko, tools/remapctl/remapctl and
#                   tools/remapd/remapd
#   make demo       boot a guest kernel in QEMU and show dm-remap at work
#   make check      the whole test suite: host unit tests, fuzz corpora,
#                   and the guest tests on the real module in QEMU
#   make lint       checkpatch.pl over the kernel C, cppcheck, shellcheck, w1
#   make fuzz       run each libFuzzer harness for FUZZ_SECONDS (default 60)
#   make bench      fio side by side with dm-linear in a QEMU -icount guest
#                   (bench/README.md); results in bench/results/
#   make module-6.12, module-6.1
#                   ./dm_remap.ko for the newest installed Debian kernel of
#                   that series (same as make module KVER=6.12)
#   make check-6.12, check-6.1
#                   make check with the guest tests on that kernel only
#   make check-debug
#                   the guest suite on the debug kernel (KASAN, lockdep,
#                   kmemleak, debug objects, fault injection), built from
#                   Debian's linux-source-6.1 on first use (~13 min at -j2)
#                   and cached in /var/cache/dm-remap/debug-kernel/
#   make debug-kernel
#                   only build (or find) that kernel; prints its directory
#   make stress     fio verify=crc32c for STRESS_SECONDS (default 600) under
#                   random remaps, reloads, suspends and injected write
#                   errors; STRESS_DEBUG=1 on the debug kernel
#   make torture    the model-based concurrent checker (build/torture) for
#                   SECONDS (default 600) in a guest: tagged O_DIRECT I/O
#                   from several threads against a model of every sector,
#                   while faults on main and spare (dm-error, dm-flakey,
#                   faultseq), messages, suspends, reloads and re-creations
#                   come and go; TORTURE_SEED=S replays a seed, KVER=6.12
#                   another kernel, TORTURE_DEBUG=1 the debug kernel,
#                   TORTURE_ARGS="..." more options (tests/vm/README.md)
#   make w1         dm_remap.ko at W=1 for 6.1 and 6.12, no warning allowed
#                   (make lint runs it too)
#   make test-kmod  the test-only modules of tests/kmod (dm-faultseq.ko, the
#                   count-based fault injection target) for each guest
#                   kernel into build/kmod/<kver>/ (KVER=...: that kernel
#                   only; no compiler warning allowed, W=1 passed on)
#
# KDIR: the kernel build tree to build the module against.  Default: the
# running kernel's headers; where those are missing (as on a build host whose
# kernel cannot load modules), the headers of the kernel the tests boot.
# KVER: build for that installed kernel instead (/lib/modules/KVER/build):
# a full version (6.12.117+deb12-amd64) or a series (6.12: the newest
# installed Debian -amd64 kernel of it).  There is one ./dm_remap.ko: a
# build for another kernel rebuilds every object.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
# $(call newest_kver,SERIES): the newest installed Debian SERIES.*-amd64 kernel.
newest_kver = $(shell ls /boot/vmlinuz-$(1).*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | grep -v -e '-cloud-' -e '-rt-' | sort -V | tail -n 1)
# The kernel the guest tests boot by default: newest Debian 6.1 amd64 kernel.
TEST_KVER ?= $(call newest_kver,6.1)
ifneq ($(KVER),)
  # A series (6.12) names its newest installed kernel.
  ifeq ($(wildcard /lib/modules/$(KVER)/build/Makefile),)
    override KVER := $(or $(call newest_kver,$(KVER)),$(KVER))
  endif
endif
ifeq ($(origin KDIR),undefined)
  ifneq ($(KVER),)
    KDIR := /lib/modules/$(KVER)/build
  else ifneq ($(wildcard $(RUNNING_KDIR)/Makefile),)
    KDIR := $(RUNNING_KDIR)
  else
    KDIR := /lib/modules/$(TEST_KVER)/build
    KDIR_NOTE := no headers for the running kernel $(shell uname -r); building against $(TEST_KVER), the kernel the tests boot
  endif
endif

.PHONY: all module clean check demo lint setup test-tools test-kmod tools fuzz bench-index bench w1 check-debug debug-kernel stress torture print-kver

all: module tools

tools:
	$(MAKE) -C tools/remapctl
	$(MAKE) -C tools/remapd

# Host tools the guest tests use (the guest sees the host's file system).
test-tools: build/sectag build/dmfail build/tagio build/torture

# Test-only kernel modules (tests/kmod), per guest kernel (default 6.1 and
# 6.12; KVER=... for one): build/kmod/<kver>/dm-faultseq.ko.
test-kmod:
	scripts/build-test-kmod.sh $(KVER)

build/sectag: tests/tools/sectag.c tests/tools/sector-tag.h
	@mkdir -p build
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

build/tagio: tests/tools/tagio.c tests/tools/sector-tag.h
	@mkdir -p build
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

build/dmfail: tests/tools/dmfail.c
	@mkdir -p build
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $< -ldevmapper

build/torture: tests/tools/torture.c
	@mkdir -p build
	$(CC) -O2 -g -Wall -Wextra -Werror -pthread -o $@ $< -ldevmapper

check:
	scripts/check.sh

demo:
	scripts/demo.sh

# dm-remap against dm-linear with fio in a QEMU -icount guest, load times
# and memory per remapped unit (bench/README.md; not part of make check).
# BENCH_QUICK=1: a short development run into build/bench/quick.
bench:
	bench/bench.sh

# Instructions per index operation at 1k/100k/1M entries (callgrind).
bench-index:
	bench/index-bench.sh

# Each fuzzer for FUZZ_SECONDS (default 60); not part of "make check",
# which only runs them over their corpora.
fuzz:
	$(MAKE) -C tests/fuzz fuzz

# make module-6.12: the module for that kernel series; make check-6.12: the
# whole suite with the guest tests on that series only.
module-%:
	$(MAKE) module KVER=$*

check-%:
	CHECK_KVERS=$* scripts/check.sh

# The guest suite on the debug kernel (KASAN, lockdep, kmemleak, ...),
# built from linux-source-6.1 and cached; see scripts/check-debug.sh.
check-debug:
	scripts/check-debug.sh

debug-kernel:
	tests/vm/debug-kernel/build.sh

# STRESS_SECONDS (default 600) of fio verify under remap churn, reloads and
# injected write errors; STRESS_DEBUG=1 on the debug kernel.
stress:
	scripts/stress.sh

# SECONDS (default 600) of the model-based checker in a guest;
# TORTURE_SEED, KVER, TORTURE_DEBUG=1, TORTURE_ARGS (scripts/torture.sh).
torture:
	TORTURE_SECONDS=$(or $(SECONDS),$(TORTURE_SECONDS),600) TORTURE_SEED=$(TORTURE_SEED) \
		TORTURE_DEBUG=$(TORTURE_DEBUG) TORTURE_ARGS="$(TORTURE_ARGS)" \
		KVER=$(KVER) scripts/torture.sh

# The kernel "make module" builds for (after KVER resolution), for scripts.
print-kver:
	@echo $(or $(KVER),$(notdir $(patsubst %/build,%,$(KDIR))))

module:
	@if [ -n "$(KDIR_NOTE)" ]; then echo "dm-remap: $(KDIR_NOTE)"; fi
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "dm-remap: no kernel build tree at $(KDIR)"; \
		echo "  install headers (apt-get install linux-headers-amd64) or run tests/vm/setup.sh"; \
		exit 1; fi
	$(MAKE) -C $(KDIR) M=$(TOP) modules

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null
	-$(MAKE) -C tests/unit clean
	-$(MAKE) -C tools/remapctl clean
	-$(MAKE) -C tools/remapd clean
	rm -f core/*.o kernel/*.o kernel/.*.cmd core/.*.cmd
	rm -rf build

setup:
	tests/vm/setup.sh

lint:
	scripts/lint.sh

w1:
	scripts/w1.sh
