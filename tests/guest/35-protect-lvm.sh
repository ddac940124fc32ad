#!/bin/bash
# LVM on a protected remapped device, with Debian's default lvm.conf and
# no udev (the guest runs none; DM_DISABLE_UDEV=1 as for every guest
# test, which LVM honours by creating its own /dev nodes):
#  - without protection, vgcreate on /dev/mapper/<name> is refused because
#    the raw main disk carries the same PV label (what issue 16 reports;
#    it shows that this test can fail);
#  - remapctl protect, then vgcreate, lvcreate, mkfs and a file on the LV;
#  - vgchange -an, remove and re-create the remap device (a reboot), then
#    vgscan and vgchange -ay: the VG comes up on the remapped device, never
#    on the raw disk, with no duplicate-PV message, and the file is there.
source "$(dirname "$0")/lib.sh"

RC=$REPO/tools/remapctl/remapctl
[[ -x $RC ]] || fail "$RC not built (make tools)"
command -v pvcreate > /dev/null || fail "lvm2 is not installed on the host (tests/vm/setup.sh)"
# LVM writes its locks, hints, archives and backups; the guest's / (the
# host's, over 9p) is read-only.  /etc/lvm, Debian's lvm.conf untouched,
# is copied to a writable directory that LVM_SYSTEM_DIR names (archives
# and backups go under it by default).
for d in /run/lvm /run/lock/lvm; do mkdir -p "$d"; done
cp -a /etc/lvm "$T/lvm"
export LVM_SYSTEM_DIR=$T/lvm
export LVM_SUPPRESS_FD_WARNINGS=1
main=$(new_loop 48)
spare=$(new_loop 8)
len=$(sectors "$main")
slen=$(sectors "$spare")
table="0 $len remap $main 0 $spare 0 $slen 2 unit_sectors 8"
dev=/dev/mapper/lvr
vg=prvg$$
lvm_off() { vgchange -an "$vg" > /dev/null 2>&1 || true; }
trap 'lvm_off; cleanup' EXIT

dm_create lvr "$table"
log "pvcreate on the remapped device; unprotected, vgcreate sees the PV twice"
pvcreate -y "$dev" 2>&1 | tee "$T/out"
if vgcreate "$vg" "$dev" > "$T/out" 2>&1; then
	cat "$T/out"
	fail "vgcreate without protection: accepted (the raw disk should show the same PV)"
fi
cat "$T/out"
grep -q "duplicate" "$T/out" || fail "vgcreate without protection: refused, but not for duplicates"

log "remapctl protect: the raw disk shows no PV label"
"$RC" protect lvr
if blkid -p "$main"; then fail "blkid -p finds something on the protected raw disk"; fi
vgcreate "$vg" "$dev" 2>&1 | tee "$T/out"
grep -qi "duplicate" "$T/out" && fail "vgcreate: duplicate message"
lvcreate -y -n data -l 100%FREE "$vg" 2>&1 | tee "$T/out"
mkfs.ext4 -q -F "/dev/$vg/data"
mkdir -p "$T/mnt"
mount "/dev/$vg/data" "$T/mnt"
head -c 1000000 /dev/urandom > "$T/mnt/file"
md5sum < "$T/mnt/file" > "$T/file.md5"
umount "$T/mnt"
vgchange -an "$vg"

log "a reboot: remove and re-create the remap device"
dmsetup remove lvr && forget_dm lvr
dm_create lvr "$table"
vgscan 2>&1 | tee "$T/scan"
vgchange -ay "$vg" 2>&1 | tee -a "$T/scan"
pvs 2>&1 | tee -a "$T/scan"
grep -qi "duplicate" "$T/scan" && fail "duplicate-PV message after the reboot"
expect_eq "the VG's only PV" "$(pvs --noheadings -o pv_name --select "vg_name=$vg" | tr -d ' ')" "$dev"
# The LV's table names the remap device, not the raw disk.
deps=$(dmsetup deps -o devname "$vg-data")
echo "$deps"
[[ $deps == *"(lvr)"* ]] || fail "the LV is not on the remapped device: $deps"
mount -o ro "/dev/$vg/data" "$T/mnt"
md5sum < "$T/mnt/file" | cmp -s - "$T/file.md5" || fail "file on the LV"
umount "$T/mnt"
vgchange -an "$vg"
log "ok"
