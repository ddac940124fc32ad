#!/bin/bash
# Build (or find) the Debian root file system the boot tests start from:
# mmdebstrap of bookworm with systemd, udev, lvm2 and what dm-remap-tools
# needs, from Debian packages only, plus the modules of the guest kernel
# copied from the host (/lib/modules/<kver>: the guest boots the host's
# /boot/vmlinuz-<kver> and initrd).  Cached in
# /var/cache/dm-remap/boot-image/<kver>/rootfs/ (BOOT_IMAGE_CACHE), a directory,, built
# again only when this script or the kernel changes.
#
# Usage: tests/boot/mkimage.sh <kver>     prints the directory's path
set -euo pipefail
kver=${1:?usage: mkimage.sh <kver>}
cache=${BOOT_IMAGE_CACHE:-/var/cache/dm-remap/boot-image}/$kver
root=$cache/rootfs
stamp=$cache/stamp
want="$(sha256sum "$0" | cut -d' ' -f1) $(stat -c %Y "/lib/modules/$kver/modules.dep")"
if [[ -d $root && -f $stamp && $(cat "$stamp") == "$want" ]]; then
	echo "$root"
	exit 0
fi
command -v mmdebstrap >/dev/null || { echo "mkimage: mmdebstrap missing (apt-get install mmdebstrap)" >&2; exit 1; }
[[ -d /lib/modules/$kver ]] || { echo "mkimage: no /lib/modules/$kver" >&2; exit 1; }
mkdir -p "$cache"
rm -rf "$stamp" "$root" "$root.tmp"
pkgs=systemd,systemd-sysv,udev,lvm2,kmod,e2fsprogs,dmsetup,libdevmapper1.02.1,util-linux,mount,procps,initramfs-tools,zstd
# The kernel's modules: the guest has the host's kernel, so the host's
# modules (without firmware-heavy driver trees it never loads).
# shellcheck disable=SC2016 # the hooks' $1 is mmdebstrap's, not ours
mmdebstrap --variant=minbase --include="$pkgs" \
	--customize-hook='mkdir -p "$1/lib/modules"' \
	--customize-hook="tar -C /lib/modules -cf - --exclude=$kver/kernel/drivers/gpu --exclude=$kver/kernel/drivers/net/wireless --exclude=$kver/kernel/drivers/media --exclude=$kver/kernel/drivers/infiniband --exclude=$kver/kernel/sound --exclude=$kver/build --exclude=$kver/source $kver | tar -C \"\$1/lib/modules\" -xf -" \
	--customize-hook='echo dm-remap-boot > "$1/etc/hostname"' \
	--customize-hook='echo "root:root" | chroot "$1" chpasswd' \
	--customize-hook='printf "/dev/vda / ext4 defaults 0 1\n" > "$1/etc/fstab"' \
	--customize-hook='rm -f "$1/etc/machine-id"; touch "$1/etc/machine-id"' \
	bookworm "$root.tmp" http://deb.debian.org/debian
mv "$root.tmp" "$root"
echo "$want" > "$stamp"
echo "$root"
