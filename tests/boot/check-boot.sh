#!/bin/bash
# make check-boot: dm-remap devices come back at boot from /etc/remaptab,
# and the raw main disk is never mounted or written by mistake (issue 16).
#
# A Debian bookworm root file system (tests/boot/mkimage.sh: mmdebstrap,
# Debian packages only, cached in /var/cache/dm-remap/boot-image/) gets
# this tree's dm-remap-tools files (make install-tools DESTDIR=..., what
# debian/rules installs into the package), ./dm_remap.ko in
# /lib/modules/<kver>/updates (depmod -b), /etc/remaptab and the guest side
# of the test (agent.sh, run by a unit after multi-user.target), and an
# initramfs made in the image by its initramfs-tools (with dm-remap's hook).
# It boots under QEMU TCG with systemd as init, on the host's Debian 6.1
# kernel, the root on the first virtio disk and main and spare on two more
# (serial main0 and spare0: /dev/disk/by-id/virtio-main0 ...):
#   setup   udev assembles "data-1" (a name with a "-", whose unit name is
#           escaped) at first boot; mkfs.ext4 (label stale),
#           unit 0 remapped, label changed to "remapped" through the device
#           (the raw main keeps the old superblock: same UUID, label
#           stale); fstab gets UUID=<uuid> /mnt/data (ro)
#   boot1   main disk before spare; the guest checks the mount source,
#           by-uuid, the claim (udev properties), the remap table; the
#           host checks the raw main's bytes did not change
#   boot2   spare before main; the same, plus: the previous boot's
#           shutdown removed the device (its journal)
#   boot3   the same order as boot1 again, after boot2's clean shutdown
#   scan1   /etc/remaptab without entries (in the root and the initramfs):
#           udev finds the spare by its metadata (at format time the module
#           recorded the name, and remapctl assemble the main's serial,
#           main0), claims the main by the identity recorded there and
#           dm-remap-scan@data\x2d1.service assembles it (remapctl
#           assemble --scan); the same checks as boot1
#   scan2   the same, spare before main
# And (BOOT_ROOT=0 leaves it out) the root file system on a remapped
# device, through the initramfs: a second root image "rootmain" with the
# same files, its own /etc/remaptab entry "rootdm" (option initramfs, spare
# "rootspare", blank: formatted at the first assembly) and fstab, and its
# own initramfs; the kernel's root= names the file system's UUID, which
# the raw disk carries too:
#   rootboot1  the root disk first; the guest checks / comes from
#              /dev/mapper/rootdm, by-uuid, the claim; remaps units (the
#              file system's superblock among them) and writes a file
#   rootboot2  the spare disk first; the remaps and the file came back;
#              the previous shutdown left the root device to its end;
#              mkinitramfs in the guest finds rootdm under / (the hook's
#              DM_REMAP_ROOT)
#   rootscan   root=/dev/mapper/rootdm with the scan initramfs (remaptab
#              without entries there): assembled by the name the metadata
#              records (remapctl assemble --scan)
# In each boot after setup, remapd.service (enabled as the package does)
# must be active (Type=notify: it said READY=1), must announce a remap the
# agent makes in the journal within 5 s (its sandbox lets it reach
# /dev/mapper/control), and must reload on systemctl reload.
# Also (BOOT_LVM=0 leaves it out): a second entry "lvdata", with the
# remaptab option protect, and LVM on it (pvcreate, vgcreate, lvcreate with
# Debian's default lvm.conf) at "lvmsetup", and a boot "lvmboot" (in place
# of boot3, with its checks) that must activate the VG on the remapped
# device.  Without protect, vgcreate fails ("Cannot use device
# /dev/mapper/lvdata with duplicates"): LVM scans /dev itself and reads the
# PV label on the raw main disk too, and the udev claim does not reach it.
#
# Environment: KVER (default: newest 6.1 kernel), BOOT_TIMEOUT (s per boot,
# default 300), BOOT_KEEP=1 (keep build/boot/), BOOT_SCAN_ONLY=1 (setup,
# then the scan boots only), BOOT_ROOT_ONLY=1 (the root boots only).  Root, QEMU; no KVM needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
kver=${KVER:-$(ls /boot/vmlinuz-6.1.*-amd64 | sed 's|/boot/vmlinuz-||' | grep -v cloud | sort -V | tail -n 1)}
timeout=${BOOT_TIMEOUT:-300}
w=$top/build/boot
t0=$(date +%s)
log() { echo "check-boot: $*"; }
die() { echo "check-boot: $*" >&2; exit 2; }

[[ -f /boot/vmlinuz-$kver ]] || die "no /boot/vmlinuz-$kver"
log "kernel $kver"
make -s module KVER="$kver" >/dev/null
make -s tools >/dev/null
base=$(tests/boot/mkimage.sh "$kver" | tail -n 1)
log "base image $base ($(($(date +%s) - t0)) s)"

rm -rf "$w"
mkdir -p "$w"
stage=$w/root
cp -a "$base" "$stage"
make -s install-tools DESTDIR="$stage" PREFIX=/usr >/dev/null
install -D -m 0644 dm_remap.ko "$stage/lib/modules/$kver/updates/dm_remap.ko"
depmod -b "$stage" "$kver"
install -m 0755 tests/boot/agent.sh "$stage/usr/local/sbin/boot-agent"
cat >"$stage/etc/systemd/system/boot-agent.service" <<'EOF'
[Unit]
Description=dm-remap boot test agent
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/boot-agent
StandardOutput=journal+console
[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/boot-agent.service "$stage/etc/systemd/system/multi-user.target.wants/boot-agent.service"
# remapd as the package enables it (dh_installsystemd): under systemd, with
# its unit's sandboxing, Type=notify.
ln -sf /lib/systemd/system/remapd.service "$stage/etc/systemd/system/multi-user.target.wants/remapd.service"
# Quieter, faster boots: no getty on the console, a persistent journal
# (the next boot reads the previous one's shutdown).
rm -f "$stage/etc/systemd/system/getty.target.wants/"*
mkdir -p "$stage/var/log/journal"
cat >>"$stage/etc/remaptab" <<'EOF'
data-1  /dev/disk/by-id/virtio-main0  /dev/disk/by-id/virtio-spare0
EOF
if [[ ${BOOT_LVM:-1} == 1 ]]; then
	echo "lvdata  /dev/disk/by-id/virtio-main1  /dev/disk/by-id/virtio-spare1  protect" >>"$stage/etc/remaptab"
fi

# The image's own initramfs, made by its initramfs-tools with the hooks
# installed above (dm-remap's puts the udev rules in), small: only the
# modules the root needs.
cp "/boot/config-$kver" "$stage/boot/"
printf 'MODULES=list\nCOMPRESS=zstd\n' >"$stage/etc/initramfs-tools/conf.d/boot-test.conf"
printf 'virtio_pci\nvirtio_blk\next4\ncrc32c_generic\n' >>"$stage/etc/initramfs-tools/modules"
chroot "$stage" mkinitramfs -o "/boot/initrd.img-$kver" "$kver" >"$w/mkinitramfs.log" 2>&1 ||
	{ cat "$w/mkinitramfs.log"; die "mkinitramfs in the image failed"; }
initrd=$w/initrd.img
cp "$stage/boot/initrd.img-$kver" "$initrd"
# (the lists in files: grep -q ending a pipe early fails it under pipefail)
lsinitramfs "$initrd" >"$w/initrd.list"
grep -q 'rules.d/61-dm-remap.rules$' "$w/initrd.list" || die "the initramfs has no 61-dm-remap.rules"
# The scan boots' initramfs: made with a remaptab without entries (the
# hook copies the rules and remapctl all the same).
grep '^#' "$stage/etc/remaptab" >"$w/remaptab.scan"
cp "$stage/etc/remaptab" "$w/remaptab.full"
cp "$w/remaptab.scan" "$stage/etc/remaptab"
chroot "$stage" mkinitramfs -o "/boot/initrd.img-$kver" "$kver" >"$w/mkinitramfs-scan.log" 2>&1 ||
	{ cat "$w/mkinitramfs-scan.log"; die "mkinitramfs (scan) in the image failed"; }
cp "$stage/boot/initrd.img-$kver" "$w/initrd-scan.img"
cp "$w/remaptab.full" "$stage/etc/remaptab"
lsinitramfs "$w/initrd-scan.img" >"$w/initrd-scan.list"
grep -q 'rules.d/61-dm-remap.rules$' "$w/initrd-scan.list" || die "the scan initramfs has no 61-dm-remap.rules"
grep -q 'sbin/remapctl$' "$w/initrd-scan.list" || die "the scan initramfs has no remapctl"

# The root on a remapped device: the same files in a second image, with
# fstab and remaptab of their own, and an initramfs made with them.
if [[ ${BOOT_ROOT:-1} == 1 ]]; then
	rootuuid=$(cat /proc/sys/kernel/random/uuid)
	cp "$stage/etc/fstab" "$w/fstab.orig"
	echo "UUID=$rootuuid / ext4 defaults 0 1" >"$stage/etc/fstab"
	cat >"$stage/etc/remaptab" <<-EOF
		# the root file system, assembled in the initramfs
		rootdm  /dev/disk/by-id/virtio-rootmain  /dev/disk/by-id/virtio-rootspare  initramfs
	EOF
	chroot "$stage" mkinitramfs -o "/boot/initrd.img-$kver" "$kver" >"$w/mkinitramfs-root.log" 2>&1 ||
		{ cat "$w/mkinitramfs-root.log"; die "mkinitramfs (root) in the image failed"; }
	cp "$stage/boot/initrd.img-$kver" "$w/initrd-root.img"
	lsinitramfs "$w/initrd-root.img" >"$w/initrd-root.list"
	for f in 'dm_remap.ko' 'scripts/local-top/dm-remap' 'scripts/local-block/dm-remap' \
		'conf/conf.d/dm-remap' 'sbin/remapctl' 'etc/remaptab'; do
		grep -q "$f\$" "$w/initrd-root.list" || die "the root initramfs has no $f"
	done
	truncate -s 1536M "$w/rootmain.img"
	mkfs.ext4 -q -F -U "$rootuuid" -L remaproot -d "$stage" "$w/rootmain.img"
	truncate -s 64M "$w/rootspare.img"
	cp "$w/fstab.orig" "$stage/etc/fstab"
	cp "$w/remaptab.full" "$stage/etc/remaptab"
	cp "$w/initrd.img" "$stage/boot/initrd.img-$kver"
fi

rootimg=$w/root.img
truncate -s 1536M "$rootimg"
mkfs.ext4 -q -F -L bootroot -d "$stage" "$rootimg"
rm -rf "$stage"
for d in main0 spare0 main1 spare1; do truncate -s 64M "$w/$d.img"; done
log "root image built ($(($(date +%s) - t0)) s)"

fails=0
# boot PHASE DISK... : one boot; the agent's lines in $w/PHASE.out.  The
# first disk is root.img (BOOTDISK=... another), root= is /dev/vda
# (ROOTARG=... another).
boot() {
	local phase=$1 b0 drives=() d
	shift
	for d in "${BOOTDISK:-root}" "$@"; do
		drives+=(-drive "file=$w/$d.img,format=raw,if=none,id=$d,cache=writethrough"
			-device "virtio-blk-pci,drive=$d,serial=$d")
	done
	b0=$(date +%s)
	timeout "$timeout" qemu-system-x86_64 -accel tcg -nographic -no-reboot -nodefaults \
		-no-user-config -machine pc -cpu qemu64,-cx16 -m 1024 -smp 1 \
		-kernel "/boot/vmlinuz-$kver" -initrd "$initrd" \
		-append "root=${ROOTARG:-/dev/vda} rw console=ttyS0 nokaslr mitigations=off panic=-1 8250.nr_uarts=2 no_timer_check tsc=unstable random.trust_cpu=on systemd.show_status=0 dmremap.phase=$phase${BOOT_DEBUG:+ dmremap.debug=1}" \
		-monitor none -serial "file:$w/$phase.console" -serial "file:$w/$phase.out" \
		"${drives[@]}" </dev/null >"$w/$phase.qemu" 2>&1 || true
	grep -a '^BOOTTEST' "$w/$phase.out" | sed "s/^/  /" || true
	if ! grep -aq "^BOOTTEST DONE $phase" "$w/$phase.out"; then
		echo "  BOOTTEST FAIL $phase: the guest did not finish (console: $w/$phase.console)"
		tail -n 30 "$w/$phase.console" 2>&1 | sed 's/^/    /' || true
		fails=$((fails + 1))
	fi
	fails=$((fails + $(grep -ac '^BOOTTEST FAIL' "$w/$phase.out" || true)))
	log "$phase: $(($(date +%s) - b0)) s"
}
raw_same() { # raw_same PHASE: main0's bytes as before the boot
	local now
	now=$(sha256sum <"$w/main0.img")
	if [[ $now == "$sum" ]]; then
		echo "  BOOTTEST PASS $1: raw main bytes unchanged"
	else
		echo "  BOOTTEST FAIL $1: raw main bytes changed"
		fails=$((fails + 1))
	fi
}

root_boots() {
	[[ ${BOOT_ROOT:-1} == 1 ]] || return 0
	local i=$initrd
	initrd=$w/initrd-root.img
	BOOTDISK=rootmain ROOTARG=UUID=$rootuuid boot rootboot1 rootspare
	BOOTDISK=rootspare ROOTARG=UUID=$rootuuid boot rootboot2 rootmain
	initrd=$w/initrd-scan.img
	BOOTDISK=rootmain ROOTARG=/dev/mapper/rootdm boot rootscan rootspare
	initrd=$i
}
if [[ ${BOOT_ROOT_ONLY:-0} == 1 ]]; then
	root_boots
	log "$fails failure(s), $(($(date +%s) - t0)) s in all"
	((fails == 0))
	exit
fi

boot setup main0 spare0 main1 spare1
[[ ${BOOT_ONLY:-} == setup ]] && exit 0
sum=$(sha256sum <"$w/main0.img")
if [[ ${BOOT_SCAN_ONLY:-0} == 1 ]]; then
	:
elif [[ ${BOOT_LVM:-1} == 1 ]]; then
	boot lvmsetup main0 spare0 main1 spare1
	sum=$(sha256sum <"$w/main0.img")
fi
if [[ ${BOOT_SCAN_ONLY:-0} != 1 ]]; then
	boot boot1 main0 spare0 main1 spare1
	raw_same boot1
	[[ ${BOOT_ONLY:-} == boot1 ]] && exit 0
	boot boot2 spare1 spare0 main1 main0
	raw_same boot2
	if [[ ${BOOT_LVM:-1} == 1 ]]; then
		boot lvmboot main0 spare0 main1 spare1
	else
		boot boot3 main0 spare0 main1 spare1
	fi
	raw_same boot3
fi

# remaptab without entries, in the root file system and the initramfs:
# assembly by --scan from the metadata alone, in both disk orders.
debugfs -w -R "rm /etc/remaptab" "$w/root.img" >/dev/null 2>&1
debugfs -w -R "write $w/remaptab.scan /etc/remaptab" "$w/root.img" >/dev/null 2>&1
[[ $(debugfs -R "cat /etc/remaptab" "$w/root.img" 2>/dev/null | grep -vc '^#') == 0 ]] ||
	die "could not empty /etc/remaptab in the root image"
initrd=$w/initrd-scan.img
boot scan1 main0 spare0 main1 spare1
raw_same scan1
boot scan2 spare1 spare0 main1 main0
raw_same scan2
root_boots

[[ ${BOOT_KEEP:-0} == 1 ]] || rm -f "$w"/*.img
log "$fails failure(s), $(($(date +%s) - t0)) s in all"
((fails == 0))
