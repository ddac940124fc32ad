#!/bin/bash
# Install everything the VM test harness and the guest tests need.
# Idempotent; a fast no-op when every package is already installed.
# Works without stdin (CI).  Must run as root (or with sudo available).
#
# Extra packages can be requested via EXTRA_PACKAGES="pkg1 pkg2".
set -euo pipefail

PACKAGES=(
	qemu-system-x86      # qemu-system-x86_64 (TCG)
	linux-image-amd64    # guest kernel + its modules in /lib/modules/<kver>
	linux-headers-amd64  # to build dm_remap.ko against the guest kernel
	linux-image-6.12-amd64    # bookworm's 6.12 (generic flavour: has 9p), the
	linux-headers-6.12-amd64  # second kernel the suite runs on
	busybox-static       # /init of the guest initramfs
	fio
	dmsetup
	libdevmapper-dev
	libudev-dev          # remapctl assemble --scan: block devices and their udev properties
	python3-prometheus-client # 77-remapd: the Prometheus text-format parser
	kmod                 # modprobe/insmod/modinfo (host: module deps; guest: loading)
	cpio                 # initramfs
	coreutils            # dd with iflag/oflag=direct, timeout
	util-linux           # losetup, dmesg, blockdev
	e2fsprogs
	lvm2                 # 35-protect-lvm: LVM over a protected device, no udev
	xz-utils             # newer Debian kernels ship .ko.xz
	python3-docutils     # rst2man: dm-remap(4) from docs/dm-remap.rst (make man, make install)
	groff                # man pages checked with groff -ww (make check-man)
	dpkg-dev             # make deb, make check-packages: dpkg-buildpackage
	debhelper
	dh-dkms              # dh-sequence-dkms
	dkms                 # the dm-remap-dkms package builds the module with it
	lintian
)
# shellcheck disable=SC2206
PACKAGES+=(${EXTRA_PACKAGES:-})

missing=()
for p in "${PACKAGES[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $st == ii* ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	exit 0
fi

echo "setup.sh: installing: ${missing[*]}" >&2
SUDO=
if [[ $(id -u) != 0 ]]; then
	command -v sudo >/dev/null || { echo "setup.sh: need root to install packages" >&2; exit 1; }
	SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

# apt-get update once if the package lists are missing or do not know a
# package we need (a fresh machine has empty lists).
need_update=0
if [[ -z $(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null) ]]; then
	need_update=1
else
	for p in "${missing[@]}"; do
		if ! apt-cache show "$p" >/dev/null 2>&1; then need_update=1; break; fi
	done
fi
if ((need_update)); then
	$SUDO apt-get update -q </dev/null
fi
$SUDO apt-get install "${APT_OPTS[@]}" --no-install-recommends "${missing[@]}" </dev/null
