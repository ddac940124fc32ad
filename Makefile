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
#                   faultseq), messages (protect and zero_fill import
#                   included), suspends, reloads and re-creations
#                   come and go; TORTURE_SEED=S replays a seed, KVER=6.12
#                   another kernel, TORTURE_DEBUG=1 the debug kernel,
#                   TORTURE_ARGS="..." more options (tests/vm/README.md)
#   make w1         dm_remap.ko at W=1 for 6.1 and 6.12, no warning allowed
#                   (make lint runs it too)
#   make install    the module into /lib/modules/<kver>/updates/ (kbuild's
#                   modules_install, then depmod, so "modprobe dm_remap"
#                   loads dm-mod and the rest first), remapctl and the seed
#                   scripts into $(PREFIX)/sbin, the man pages into
#                   $(PREFIX)/share/man; DESTDIR=dir stages it there (no
#                   depmod); PREFIX (default /usr); KVER/KDIR as for make;
#                   make install-module / install-tools do one half
#   make uninstall  removes what make install put there (same variables)
#   make dkms-install, dkms-uninstall
#                   the module's source into /usr/src/dm-remap-<version>/
#                   and DKMS builds and installs it (dkms.conf), for KVER or
#                   else the running kernel, or every installed kernel with
#                   headers when the running one has none; rebuilt by DKMS on
#                   each kernel update; dkms-uninstall removes all of it
#   make deb        the Debian packages dm-remap-dkms and dm-remap-tools
#                   (dpkg-buildpackage -us -uc -b on a copy of the tracked
#                   files in build/deb/src/) into build/deb/
#   make man        build/man/dm-remap.4 from docs/dm-remap.rst (rst2man)
#   make check-man  every man page renders without a groff warning, and the
#                   seed scripts' man pages name every key, option and exit
#                   code their --help does (scripts/check-man.sh)
#   make check-version
#                   core/remap_version.h, debian/changelog and, when built,
#                   dm_remap.ko and remapctl agree (scripts/check-version.sh)
#   make check-install
#                   make install DESTDIR=... gives exactly the documented tree,
#                   and make uninstall removes it (tests/host/install-tree.sh)
#   make check-packages
#                   make deb on a clean clone, lintian, dpkg -i (DKMS builds
#                   for 6.1 and 6.12), modprobe and a smoke test from the
#                   installed paths in a guest on each kernel, purge, nothing
#                   left (tests/packages/check-packages.sh; root; changes the
#                   machine's packages while it runs; not in make check)
#   make check-boot
#                   boots a Debian image (mmdebstrap, cached in
#                   /var/cache/dm-remap/boot-image/) with systemd, udev and
#                   lvm2 under QEMU: /etc/remaptab devices assembled at boot
#                   in either disk order, and with remaptab empty by their
#                   metadata (assemble --scan), fstab mounts them by UUID,
#                   the raw main disk claimed and unchanged, removal at
#                   shutdown, LVM on a protected device (tests/boot/check-boot.sh;
#                   BOOT_LVM=0 leaves LVM out)
#   make print-version
#                   the version (core/remap_version.h)
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

.PHONY: all module clean check demo lint setup test-tools test-kmod tools fuzz bench-index bench-scrub bench w1 check-debug debug-kernel stress torture print-kver
.PHONY: clean-tools install install-module install-tools uninstall uninstall-module uninstall-tools
.PHONY: install-dkms-src dkms-install dkms-uninstall deb man check-man check-version check-install check-packages check-boot print-version

# The version: core/remap_version.h is the one place it is written.
VERSION := $(shell awk '/^\#define DM_REMAP_VERSION_(MAJOR|MINOR|PATCH) /{v = v s $$3; s = "."} END {print v}' $(TOP)/core/remap_version.h)

all: module tools

tools:
	@set -e; for d in $(TOOL_DIRS); do $(MAKE) -C $$d; done

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

# The scrubber's read rate against dd through dm-linear, and fio's IOPS
# with and without a scrub running (bench/results/scrub.md).
bench-scrub:
	bench/scrub-bench.sh

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
	-$(MAKE) clean-tools
	rm -f core/*.o kernel/*.o kernel/.*.cmd core/.*.cmd
	rm -rf build

setup:
	tests/vm/setup.sh

lint:
	scripts/lint.sh

w1:
	scripts/w1.sh

print-version:
	@echo $(VERSION)

clean-tools:
	for d in $(TOOL_DIRS); do $(MAKE) -C $$d clean; done

# ---------------------------------------------------------------- install --
# What make install puts where (tests/host/install-tree.sh checks the tree
# against its own list; docs in README.md, "Install").
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= /lib/systemd/system
UDEVRULESDIR ?= /lib/udev/rules.d
INSTALL ?= install

# Userspace, by kind: the programs (built in TOOL_DIRS by "make tools"),
# man pages by section, systemd units, configuration files (installed only
# where none exists yet: an admin's edits are kept).
TOOL_DIRS := tools/remapctl
INSTALL_SBIN := tools/remapctl/remapctl remap_create_safe.sh remap_test_driver.sh
INSTALL_MAN4 := build/man/dm-remap.4
INSTALL_MAN5 :=
INSTALL_MAN8 := docs/remapctl.8 docs/remap_create_safe.sh.8 docs/remap_test_driver.sh.8
INSTALL_UNITS :=
INSTALL_CONF :=
INSTALL_RULES :=

# remapd (tools/remapd/, issue 14): make tools builds it; make install,
# make uninstall and the dm-remap-tools package (debian/rules installs
# through make install-tools; dh_installsystemd enables and starts the unit
# it finds there) ship it.  It runs without a configuration file, so none
# is installed in /etc (the example is in docs/remapd.conf.5 and
# tools/remapd/remapd.conf.example); its state directory /var/lib/remapd
# comes from the unit's StateDirectory= and is removed on purge
# (debian/dm-remap-tools.postrm).
TOOL_DIRS += tools/remapd
INSTALL_SBIN += tools/remapd/remapd
INSTALL_MAN5 += docs/remapd.conf.5
INSTALL_MAN8 += docs/remapd.8
INSTALL_UNITS += tools/remapd/remapd.service

# Boot integration (issue 16, system/): /etc/remaptab (comments only, kept
# when it exists), the udev rules that claim main devices and start
# assembly, and the units that assemble one device (from remaptab, or
# found by its metadata: --scan) and remove it at shutdown (remaptab(5)).
INSTALL_MAN5 += docs/remaptab.5
INSTALL_UNITS += system/dm-remap@.service system/dm-remap-scan@.service
INSTALL_RULES += system/61-dm-remap.rules
INSTALL_CONF += system/remaptab
# the initramfs-tools hook that puts the rules, remapctl and the module
# into the initramfs too, and the boot script that assembles a root file
# system's device there (one file, run as local-top and as local-block)
INITRAMFS_HOOKDIR ?= /usr/share/initramfs-tools/hooks
INITRAMFS_SCRIPTDIR ?= /usr/share/initramfs-tools/scripts
INSTALL_HOOKS := system/initramfs-tools/hooks/dm-remap
INSTALL_INITRAMFS_SCRIPT := system/initramfs-tools/scripts/local-top/dm-remap

# The kernel release make install-module installs for: KDIR's (KVER's), as
# its modules_install and the module's vermagic name it (UTS_RELEASE: on
# Debian's 6.1 headers include/config/kernel.release says 6.1.<n> instead).
KREL = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MODDIR = /lib/modules/$(KREL)/updates

install: install-module install-tools

install-module: module
	@if [ -z "$(KREL)" ]; then echo "dm-remap: no UTS_RELEASE in $(KDIR)/include/generated/utsrelease.h"; exit 1; fi
	$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_PATH=$(abspath $(DESTDIR)) INSTALL_MOD_DIR=updates DEPMOD=true modules_install
	@# depmod only for the real system: a staged tree is the packager's
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KREL); fi

install-tools: tools man
	$(INSTALL) -d $(DESTDIR)$(SBINDIR)
	$(INSTALL) -m 0755 $(INSTALL_SBIN) $(DESTDIR)$(SBINDIR)/
	$(INSTALL) -d $(DESTDIR)$(MANDIR)/man4 $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 0644 $(INSTALL_MAN4) $(DESTDIR)$(MANDIR)/man4/
	$(INSTALL) -m 0644 $(INSTALL_MAN8) $(DESTDIR)$(MANDIR)/man8/
	$(if $(INSTALL_MAN5),$(INSTALL) -d $(DESTDIR)$(MANDIR)/man5 && $(INSTALL) -m 0644 $(INSTALL_MAN5) $(DESTDIR)$(MANDIR)/man5/)
	$(if $(INSTALL_UNITS),$(INSTALL) -d $(DESTDIR)$(SYSTEMDUNITDIR) && $(INSTALL) -m 0644 $(INSTALL_UNITS) $(DESTDIR)$(SYSTEMDUNITDIR)/)
	@# the rules and units name remapctl where this install puts it
	$(if $(INSTALL_RULES),$(INSTALL) -d $(DESTDIR)$(UDEVRULESDIR) && for f in $(INSTALL_RULES); do \
		sed 's|/usr/sbin/remapctl|$(SBINDIR)/remapctl|g' $$f > $(DESTDIR)$(UDEVRULESDIR)/$${f##*/} && \
		chmod 0644 $(DESTDIR)$(UDEVRULESDIR)/$${f##*/}; done)
	sed -i 's|/usr/sbin/remapctl|$(SBINDIR)/remapctl|g' $(DESTDIR)$(SYSTEMDUNITDIR)/dm-remap@.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/dm-remap-scan@.service
	$(INSTALL) -d $(DESTDIR)$(INITRAMFS_HOOKDIR)
	$(INSTALL) -m 0755 $(INSTALL_HOOKS) $(DESTDIR)$(INITRAMFS_HOOKDIR)/
	for d in local-top local-block; do \
		$(INSTALL) -d $(DESTDIR)$(INITRAMFS_SCRIPTDIR)/$$d && \
		$(INSTALL) -m 0755 $(INSTALL_INITRAMFS_SCRIPT) $(DESTDIR)$(INITRAMFS_SCRIPTDIR)/$$d/; done
	$(if $(INSTALL_CONF),$(INSTALL) -d $(DESTDIR)$(SYSCONFDIR) && for f in $(INSTALL_CONF); do \
		[ -e $(DESTDIR)$(SYSCONFDIR)/$${f##*/} ] || $(INSTALL) -m 0644 $$f $(DESTDIR)$(SYSCONFDIR)/; done)

uninstall: uninstall-module uninstall-tools

uninstall-module:
	@if [ -z "$(KREL)" ]; then echo "dm-remap: no UTS_RELEASE in $(KDIR)/include/generated/utsrelease.h"; exit 1; fi
	rm -f $(addprefix $(DESTDIR)$(MODDIR)/dm_remap,.ko .ko.xz .ko.gz .ko.zst)
	rmdir --ignore-fail-on-non-empty $(DESTDIR)$(MODDIR) 2>/dev/null || true
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KREL); fi

# Configuration files are left in place, as dpkg does on remove.
uninstall-tools:
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(INSTALL_SBIN)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man4/,$(notdir $(INSTALL_MAN4)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(INSTALL_MAN5)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(INSTALL_MAN8)))
	rm -f $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(notdir $(INSTALL_UNITS)))
	rm -f $(addprefix $(DESTDIR)$(UDEVRULESDIR)/,$(notdir $(INSTALL_RULES)))
	rm -f $(addprefix $(DESTDIR)$(INITRAMFS_HOOKDIR)/,$(notdir $(INSTALL_HOOKS)))
	rm -f $(DESTDIR)$(INITRAMFS_SCRIPTDIR)/local-top/dm-remap $(DESTDIR)$(INITRAMFS_SCRIPTDIR)/local-block/dm-remap

# ---------------------------------------------------------------- man --
man: build/man/dm-remap.4

# dm-remap(4) is docs/dm-remap.rst itself, with a man page's title block:
# it cannot drift from the reference.
build/man/dm-remap.4: docs/dm-remap.rst core/remap_version.h scripts/mkman-dm-remap.sh
	@mkdir -p build/man
	scripts/mkman-dm-remap.sh $(VERSION) $< $@

check-man: man
	scripts/check-man.sh

check-version:
	scripts/check-version.sh

check-install:
	tests/host/install-tree.sh

check-packages:
	tests/packages/check-packages.sh

# Boots of a Debian image with systemd, udev and lvm2 under QEMU: remaptab
# devices assembled at boot in either disk order, then the same with an
# empty remaptab (assemble --scan), the raw main disk claimed, removal at
# shutdown (tests/boot/check-boot.sh; not in make check).
check-boot:
	tests/boot/check-boot.sh

# ---------------------------------------------------------------- DKMS --
# The module's source as DKMS builds it: /usr/src/dm-remap-<version>/ with
# Kbuild, kernel/, core/ and dkms.conf (PACKAGE_VERSION filled in, as
# dh_dkms -V does for the package).
DKMS_SRC = $(DESTDIR)/usr/src/dm-remap-$(VERSION)
DKMS_FILES = Kbuild $(wildcard kernel/*.[ch] core/*.[ch])

install-dkms-src:
	$(INSTALL) -d $(DKMS_SRC)/kernel $(DKMS_SRC)/core
	$(INSTALL) -m 0644 Kbuild $(DKMS_SRC)/
	$(INSTALL) -m 0644 $(wildcard kernel/*.[ch]) $(DKMS_SRC)/kernel/
	$(INSTALL) -m 0644 $(wildcard core/*.[ch]) $(DKMS_SRC)/core/

# DKMS_KERNELS: the kernels to build for (default: KVER; else the running
# kernel when its headers are installed; else every kernel in /lib/modules
# with headers, as DKMS's own postinst does on such a machine).
DKMS_KERNELS ?= $(or $(KVER),$(if $(wildcard $(RUNNING_KDIR)/Makefile),$(shell uname -r),$(patsubst /lib/modules/%/build/Makefile,%,$(wildcard /lib/modules/*/build/Makefile))))

dkms-install: install-dkms-src
	@command -v dkms >/dev/null || { echo "dm-remap: dkms is not installed (apt-get install dkms)"; exit 1; }
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf > $(DKMS_SRC)/dkms.conf
	chmod 0644 $(DKMS_SRC)/dkms.conf
	dkms add -m dm-remap -v $(VERSION)
	set -e; for k in $(DKMS_KERNELS); do dkms install -m dm-remap -v $(VERSION) -k $$k; done

dkms-uninstall:
	@command -v dkms >/dev/null || { echo "dm-remap: dkms is not installed"; exit 1; }
	if dkms status -m dm-remap -v $(VERSION) | grep -q .; then dkms remove -m dm-remap -v $(VERSION) --all; fi
	rm -rf $(DESTDIR)/usr/src/dm-remap-$(VERSION)

# ---------------------------------------------------------------- Debian --
# dpkg-buildpackage writes its results next to the source directory, so
# it runs on a copy of the tracked files (git ls-files: what a clone has,
# with the working tree's changes) in build/deb/src/dm-remap-<version>/;
# the .deb, .buildinfo and .changes files end up in build/deb/.
deb:
	@command -v dpkg-buildpackage >/dev/null || { echo "dm-remap: dpkg-buildpackage missing (apt-get install dpkg-dev debhelper dh-dkms python3-docutils)"; exit 1; }
	rm -rf build/deb
	mkdir -p build/deb/src/dm-remap-$(VERSION)
	if git -C $(TOP) rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git -C $(TOP) ls-files -z | tar -C $(TOP) --null --no-recursion -T - -cf - | tar -xf - -C build/deb/src/dm-remap-$(VERSION); \
	else \
		tar -cf - --exclude=./build --exclude=./.git . | tar -xf - -C build/deb/src/dm-remap-$(VERSION); \
	fi
	cd build/deb/src/dm-remap-$(VERSION) && dpkg-buildpackage -us -uc -b
	mv build/deb/src/*.deb build/deb/src/*.buildinfo build/deb/src/*.changes build/deb/
	rm -rf build/deb/src
	@ls -l build/deb/
