#!/bin/bash
# The boot test's guest side: run by boot-agent.service (after
# multi-user.target) in the Debian image tests/boot/check-boot.sh builds.
# The phase comes from the kernel command line (dmremap.phase=...); each
# check prints "BOOTTEST PASS|FAIL <what>" to /dev/ttyS1, which the host
# reads; then the guest powers off (a clean shutdown: systemd unmounts and
# stops dm-remap@*.service).
#
# /etc/remaptab (written by the host):
#   data-1 /dev/disk/by-id/virtio-main0 /dev/disk/by-id/virtio-spare0
# (a name with a "-": its unit is dm-remap@data\x2d1.service, escaped)
#   lvdata /dev/disk/by-id/virtio-main1 /dev/disk/by-id/virtio-spare1 protect
set -u
NAME=data-1
out=/dev/ttyS1
BOOT_DEBUG=$(sed -n 's/.*dmremap\.debug=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
phase=$(sed -n 's/.*dmremap\.phase=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
# The scan boots have no remaptab entry: the device is found by its
# metadata and assembled by dm-remap-scan@.service.
case $phase in
scan*) UNIT=$(systemd-escape --template=dm-remap-scan@.service "$NAME") ;;
*) UNIT=$(systemd-escape --template=dm-remap@.service "$NAME") ;;
esac
say() { echo "$*" >"$out"; }
pass() { say "BOOTTEST PASS $phase: $*"; }
fail() { say "BOOTTEST FAIL $phase: $*"; }
check() { # check WHAT CMD...
	local what=$1
	shift
	if "$@" >/tmp/check.out 2>&1; then pass "$what"; else
		fail "$what: $(tr '\n' ' ' </tmp/check.out | cut -c1-300)"; fi
}
diag() {
	{
		echo "--- udev $raw"; udevadm info -q property -n "$raw"
		echo "--- units"; systemctl list-units --all --no-legend 'dm-remap@*' 'dm-remap-scan@*' 'mnt-*' 'blockdev@*'
		echo "--- journal dm-remap"; journalctl -b -q -o short-monotonic -u 'dm-remap@*' -u 'dm-remap-scan@*' --no-pager
		echo "--- dmsetup"; dmsetup table
		echo "--- links"; ls -l /dev/disk/by-label/ /dev/disk/by-uuid/
		echo "--- spare"; udevadm info -q property -n /dev/disk/by-id/virtio-spare0 | grep ID_FS
		if [[ -n ${BOOT_DEBUG:-} ]]; then
			for d in /sys/block/vd*; do
				[[ $(cat "$d/serial" 2>/dev/null) == main0 ]] || continue
				echo "--- udevadm info ${d##*/}"; udevadm info -q property -p "$d"
				echo "--- udevadm test ${d##*/}"
				udevadm test --action=add "$d" 2>&1 | grep -E "61-dm-remap|LINK|DM_REMAP|links"
			done
		fi
	} 2>&1 | sed 's/^/BOOTTEST DIAG /' >"$out"
}
finish() {
	diag
	say "BOOTTEST DONE $phase"
	sync
	systemctl poweroff --no-block
	exit 0
}

say "BOOTTEST START $phase $(cut -d' ' -f1 /proc/uptime)"
raw=$(readlink -f /dev/disk/by-id/virtio-main0)

# The root file system on /dev/mapper/rootdm (check-boot's root boots):
# assembled by the initramfs before it mounted the root.
root_phase() {
	local rraw ruuid n
	rraw=$(readlink -f /dev/disk/by-id/virtio-rootmain)
	ruuid=$(findmnt -n -o UUID /)
	# udev's coldplug starts the entry's unit, which finds it assembled.
	for ((n = 0; n < 300; n++)); do
		systemctl is-active --quiet dm-remap@rootdm.service && break
		sleep 0.1
	done
	check "/ mounted from /dev/mapper/rootdm" test "$(findmnt -n -o SOURCE /)" = /dev/mapper/rootdm
	check "/ is read-write" findmnt -n -O rw /
	check "/ is the file system root= names (label remaproot)" \
		test "$(findmnt -n -o LABEL /)" = remaproot
	check "by-uuid of / points to the remapped device" \
		test "$(readlink -f "/dev/disk/by-uuid/$ruuid")" = "$(readlink -f /dev/mapper/rootdm)"
	check "raw root disk claimed: ID_FS_TYPE=dm_remap_member" \
		udevadm info -q property -n "$rraw" --property=ID_FS_TYPE --value | grep -qx dm_remap_member
	check "raw root disk not mounted" sh -c "! findmnt -n -S $rraw"
	check "dm-remap@rootdm.service active" systemctl is-active --quiet dm-remap@rootdm.service
	check "its assemble found rootdm assembled (by the initramfs)" \
		sh -c "journalctl -b -u dm-remap@rootdm.service -o cat | grep -qx 'rootdm: already assembled'"
	check "no file system error in the kernel log" sh -c "! dmesg | grep -E 'EXT4-fs (error|warning)'"
	case $phase in
	rootboot1)
		# The file system's superblock unit and a MiB of its metadata
		# to the spare, then a file written over the remapped device.
		check "remapctl remap rootdm 0+8" remapctl remap rootdm 0+8
		check "remapctl remap rootdm 2048+2048" remapctl remap rootdm 2048+2048
		head -c 1048576 /dev/urandom >/var/tmp/root-file
		md5sum /var/tmp/root-file >/var/tmp/root-file.md5
		remapctl list rootdm | wc -l >/var/tmp/root-remaps
		sync
		check "remapped units listed" test "$(cat /var/tmp/root-remaps)" -gt 0
		;;
	*)
		check "the remaps came back" \
			test "$(remapctl list rootdm | wc -l)" = "$(cat /var/tmp/root-remaps 2>/dev/null)"
		check "the file written in rootboot1" md5sum -c --quiet /var/tmp/root-file.md5
		check "the previous shutdown left rootdm to its end" \
			sh -c "journalctl -b -1 -u dm-remap@rootdm.service -o cat | grep -q 'rootdm: holds the root file system: left for the end of the shutdown'"
		check "the previous shutdown: no failed dm-remap unit" \
			sh -c "! journalctl -b -1 -o cat | grep -E 'Failed (to stop|deactivating).*dm-remap|dm-remap@rootdm.service: Failed'"
		;;
	esac
	case $phase in
	rootboot2)
		# update-initramfs on the running system: the hook finds
		# rootdm under / by itself.
		rm -rf /var/tmp/ird /var/tmp/ird.img
		if mkinitramfs -o /var/tmp/ird.img >/var/tmp/ird.log 2>&1 &&
			unmkinitramfs /var/tmp/ird.img /var/tmp/ird; then
			check "mkinitramfs here: DM_REMAP_ROOT=rootdm" \
				grep -rqx 'DM_REMAP_ROOT="rootdm"' /var/tmp/ird --include=dm-remap
		else
			fail "mkinitramfs in the guest: $(tail -n 3 /var/tmp/ird.log | tr '\n' ' ')"
		fi
		rm -rf /var/tmp/ird /var/tmp/ird.img
		;;
	rootscan)
		# The initramfs's remaptab had no entry: only --scan (by the
		# name the metadata records) could have made the root device.
		check "booted with root=/dev/mapper/rootdm" grep -q 'root=/dev/mapper/rootdm ' /proc/cmdline
		;;
	esac
}
case $phase in
root*)
	root_phase
	finish
	;;
esac

# multi-user.target does not wait for the assembly (nor for the nofail
# mount): give them up to 90 s, as the unit's own --wait does.  On a fast
# boot (6.12) the agent started while the unit still ran.
for ((i = 0; i < 900; i++)); do
	if systemctl is-active --quiet "$UNIT" &&
		{ [[ $phase == setup ]] || ! grep -q ' /mnt/data ' /etc/fstab ||
			findmnt -n /mnt/data >/dev/null; }; then
		break
	fi
	sleep 0.1
done
say "BOOTTEST INFO assembled after $((i / 10)) s of waiting (uptime $(cut -d' ' -f1 /proc/uptime))"

case $phase in
setup)
	# First boot: remaptab is there, so udev assembled "data" already
	# (the spare was all zeros: the module formatted it).
	check "data assembled by udev at first boot" test -b /dev/mapper/$NAME
	mkfs.ext4 -q -L stale /dev/mapper/$NAME
	# Unit 0 (the superblock) moves to the spare, then the label changes
	# through the device: the raw main keeps "stale", same UUID.
	check "remap the units of sectors 0-7" remapctl remap "$NAME" 0+8
	check "relabel through the device" e2label /dev/mapper/$NAME remapped
	uuid=$(blkid -o value -s UUID /dev/mapper/$NAME)
	mkdir -p /mnt/data
	[[ -n $uuid ]] && echo "UUID=$uuid /mnt/data ext4 ro,nofail 0 2" >>/etc/fstab
	if mount /mnt/data -o rw; then
		echo hello-remap >/mnt/data/hello
		umount /mnt/data
	else
		fail "mount /mnt/data"
	fi
	sync
	say "BOOTTEST UUID $uuid"
	finish
	;;
lvmsetup)
	check "lvdata assembled by udev" test -b /dev/mapper/lvdata
	# remaptab's protect: the raw main shows no signature (blkid -p: 2)
	check "lvdata protected at assembly" sh -c \
		"dmsetup message lvdata 0 stats | grep -q '^protected_units [1-9]'"
	check "pvcreate on the remapped device" pvcreate -y /dev/mapper/lvdata
	check "the raw main shows no PV (blkid -p)" sh -c \
		"blkid -p /dev/disk/by-id/virtio-main1; test \$? = 2"
	check "vgcreate on it (default lvm.conf)" vgcreate vgr /dev/mapper/lvdata
	check "lvcreate" lvcreate -y -n lv -L 16M vgr
	mkfs.ext4 -q /dev/vgr/lv
	mkdir -p /mnt/lv
	echo "/dev/vgr/lv /mnt/lv ext4 defaults,nofail 0 2" >>/etc/fstab
	mount /mnt/lv && echo lv-data >/mnt/lv/f && umount /mnt/lv
	vgchange -an vgr
	finish
	;;
esac

# Every later boot: what the boot did on its own.
uuid=$(blkid -o value -s UUID /dev/mapper/$NAME 2>/dev/null)
check "data assembled" test -b /dev/mapper/$NAME
check "mounted from /dev/mapper/$NAME" \
	test "$(findmnt -n -o SOURCE /mnt/data)" = /dev/mapper/$NAME
check "file system is the remapped one (label remapped)" \
	test "$(findmnt -n -o LABEL /mnt/data)" = remapped
check "file content" sh -c "findmnt -n /mnt/data >/dev/null && grep -qx hello-remap /mnt/data/hello"
check "by-uuid points to the remapped device" \
	test "$(readlink -f "/dev/disk/by-uuid/$uuid")" = "$(readlink -f /dev/mapper/$NAME)"
check "no by-label link to the stale raw label" \
	sh -c 'test ! -e /dev/disk/by-label/stale || { ls -l /dev/disk/by-label/; exit 1; }'
check "raw main claimed: ID_FS_TYPE=dm_remap_member" \
	udevadm info -q property -n "$raw" --property=ID_FS_TYPE --value | grep -qx dm_remap_member
check "raw main: SYSTEMD_READY=0" \
	sh -c "udevadm info -q property -n $raw | grep -qx SYSTEMD_READY=0"
check "raw main: UDISKS_IGNORE=1" \
	sh -c "udevadm info -q property -n $raw | grep -qx UDISKS_IGNORE=1"
check "raw main: no ID_FS_UUID in the udev database" \
	sh -c "! udevadm info -q property -n $raw | grep -q '^ID_FS_UUID='"
check "raw main still carries the stale file system (blkid -p)" \
	sh -c "blkid -p -o value -s LABEL $raw | grep -qx stale && blkid -p -o value -s UUID $raw | grep -qx $uuid"
check "raw main not mounted" sh -c "! findmnt -n -S $raw"
check "remap of unit 0 came back" sh -c "remapctl list $NAME | grep -q ."
check "$UNIT active" systemctl is-active --quiet "$UNIT"
if journalctl -b -1 -q -n 1 >/dev/null 2>&1; then
	check "previous boot removed data at shutdown" \
		sh -c "journalctl -b -1 -u 'dm-remap@*' -u 'dm-remap-scan@*' -o cat | grep -q '$NAME: removed'"
fi
case $phase in
scan*)
	check "remaptab has no entry" sh -c "! grep -v '^#' /etc/remaptab | grep -q ."
	check "assembled by --scan (the unit's journal)" \
		sh -c "journalctl -b -u '$UNIT' -o cat | grep -q '$NAME: metadata on /dev/vd.*, main device /dev/vd.* (serial main0, WWN -)'"
	check "raw main claimed through the metadata: DM_REMAP_UNIT=dm-remap-scan@" \
		sh -c "udevadm info -q property -n $raw | grep -qx 'DM_REMAP_UNIT=dm-remap-scan@.*'"
	check "spare: DM_REMAP_ROLE=spare" \
		sh -c "udevadm info -q property -n /dev/disk/by-id/virtio-spare0 | grep -qx DM_REMAP_ROLE=spare"
	;;
esac
case $phase in
lvm*)
	check "VG vgr active on the remapped device" \
		sh -c "pvs --noheadings -o pv_name,vg_name | grep -q '/dev/mapper/lvdata *vgr'"
	check "LV mounted" sh -c "findmnt -n /mnt/lv && grep -qx lv-data /mnt/lv/f"
	check "no duplicate PV warning" sh -c "! pvs 2>&1 | grep -qiE 'duplicate|Not using device'"
	;;
esac
# remapd.service under systemd: running (READY=1 given), an event in the
# journal, a reload.  A unit of its own per boot: 64, 72, 80 (boot1-3).
case $phase in
boot1) sec=64 ;;
boot2) sec=72 ;;
scan1) sec=88 ;;
scan2) sec=96 ;;
*) sec=80 ;;
esac
# shellcheck disable=SC2016 # expanded by the inner shell
check "remapd.service active (Type=notify)" sh -c \
	'systemctl is-active --quiet remapd && test "$(systemctl show -p Type --value remapd)" = notify'
check "remapctl remap $NAME $sec+8" remapctl remap "$NAME" "$sec+8"
check "remapd announced the remap in the journal within 5 s" sh -c \
	"for i in \$(seq 50); do journalctl -b -u remapd -o cat | grep -qE 'remap: device $NAME uuid .*: [0-9]+ units remapped by request' && exit 0; sleep 0.1; done; journalctl -b -u remapd -o cat | tail -5; exit 1"
check "systemctl reload remapd" sh -c \
	"systemctl reload remapd && for i in \$(seq 50); do journalctl -b -u remapd -o cat | grep -q 'configuration /etc/remapd.conf reloaded' && exit 0; sleep 0.1; done; exit 1"
check "remapd did not call $NAME removed while udev assembled it" sh -c \
	"! journalctl -b -u remapd -o cat | grep 'device_removed: device $NAME '"
check "remapd not restarted" test "$(systemctl show -p NRestarts --value remapd)" = 0
udevadm info -q property -n "$raw" >/tmp/raw.prop 2>&1
say "BOOTTEST INFO raw=$raw $(grep -E 'ID_FS|DM_REMAP|SYSTEMD_READY' /tmp/raw.prop | tr '\n' ' ')"
say "BOOTTEST INFO units: $(systemctl list-units --no-legend 'dm-remap@*' 'dm-remap-scan@*' 'mnt-*' | tr -s ' ' | tr '\n' ';')"
finish
