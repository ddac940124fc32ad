#!/bin/bash
# Automatic remapping over disks whose errors come from real block drivers,
# not from device-mapper: null_blk's configfs badblocks (reads and writes
# fail with an I/O error) and scsi_debug's medium errors (reads fail with
# MEDIUM ERROR sense data, as from a real disk, through the SCSI layer).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"

U=8

log "null_blk with badblocks: a write is remapped, a read turns the unit pending"
modprobe null_blk nr_devices=0
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
nb=/sys/kernel/config/nullb/remaptest
mkdir "$nb"
cleanup_nullb() { echo 0 > "$nb/power" 2>/dev/null || true; rmdir "$nb" 2>/dev/null || true; }
trap 'cleanup; cleanup_nullb' EXIT
echo 1 > "$nb/memory_backed"
echo 16 > "$nb/size"
echo 512 > "$nb/blocksize"
echo 1 > "$nb/power"
ndev=/dev/${nb##*/}	# configfs devices take their directory name
[[ -b $ndev ]] || fail "no $ndev"
len=$(sectors "$ndev")
spare=$(new_loop 2)
$SECTAG write "$ndev" 0 "$len" 1 --direct
echo "+2000-2007" > "$nb/badblocks"
echo "+6000-6007" > "$nb/badblocks"
if $DD if="$ndev" of=/dev/null bs=4096 skip=250 count=1 iflag=direct status=none 2>/dev/null; then
	fail "null_blk read of a bad block succeeded: the simulation does not work"
fi
dm_create rz "0 $len remap $ndev 0 $spare 0 $(sectors "$spare") 2 unit_sectors $U"
$SECTAG write /dev/mapper/rz 2000 8 2 --direct || fail "write over null_blk badblocks"
$SECTAG verify /dev/mapper/rz 2000 8 2 --direct || fail "read back"
if $DD if=/dev/mapper/rz of=/dev/null bs=4096 skip=750 count=1 iflag=direct status=none 2>/dev/null; then
	fail "a read of a null_blk bad block succeeded through the target"
fi
expect_eq "null_blk" "$(status_of rz remapped auto_remaps pending uncorrectable)" \
	"remapped=1 auto_remaps=1 pending=1 uncorrectable=1"
$SECTAG write /dev/mapper/rz 6000 8 3 --direct || fail "write to the pending unit"
$SECTAG verify /dev/mapper/rz 6000 8 3 --direct || fail "read back the pending unit"
$SECTAG verify /dev/mapper/rz 0 2000 1 --direct || fail "good sectors"
$SECTAG verify /dev/mapper/rz 2008 3992 1 --direct || fail "good sectors"
expect_eq "null_blk, after the write" "$(status_of rz remapped pending)" "remapped=2 pending=0"
dmsetup remove rz && forget_dm rz

log "scsi_debug with medium errors: MEDIUM ERROR reads, retried, pending, remapped on write"
modprobe sd_mod
modprobe scsi_debug dev_size_mb=16 opts=2 medium_error_start=4000 medium_error_count=8
cleanup_sd() { rmmod scsi_debug 2>/dev/null || true; }
trap 'cleanup; cleanup_nullb; cleanup_sd' EXIT
sd=
for i in $(seq 50); do
	sd=$(ls /sys/bus/pseudo/drivers/scsi_debug/adapter*/host*/target*/*/block 2>/dev/null | head -1)
	[[ -n $sd && -b /dev/$sd ]] && break
	sleep 0.2
done
[[ -n $sd && -b /dev/$sd ]] || fail "no scsi_debug disk"
sdev=/dev/$sd
len=$(sectors "$sdev")
$SECTAG write "$sdev" 0 "$len" 1 --direct
spare2=$(new_loop 2)
dm_create rs "0 $len remap $sdev 0 $spare2 0 $(sectors "$spare2") 2 unit_sectors $U"
mark=$(kmsg_mark)
if $DD if=/dev/mapper/rs of=/dev/null bs=4096 skip=500 count=1 iflag=direct status=none 2>/dev/null; then
	fail "a read of a medium error succeeded through the target"
fi
kmsg_since "$mark" | grep -qi "medium error" || { kmsg_since "$mark"; fail "no medium error in the kernel log"; }
kmsg_since "$mark" | grep -q "$(devno rs): sectors 4000-4007 unreadable after 3 retries; pending until written" ||
	{ kmsg_since "$mark"; fail "no pending line"; }
expect_eq "scsi_debug" "$(status_of rs remapped pending uncorrectable)" \
	"remapped=0 pending=1 uncorrectable=1"
$SECTAG write /dev/mapper/rs 4000 8 4 --direct || fail "write to the pending unit"
$SECTAG verify /dev/mapper/rs 4000 8 4 --direct || fail "read back after the remap"
expect_eq "scsi_debug, after the write" "$(status_of rs remapped pending auto_remaps)" \
	"remapped=1 pending=0 auto_remaps=1"
$SECTAG verify /dev/mapper/rs 0 4000 1 --direct || fail "good sectors"
dmsetup remove rs && forget_dm rs
