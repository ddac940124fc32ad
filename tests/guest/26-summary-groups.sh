#!/bin/bash
# The I/O path's summary with groups of several units: a main device of
# 2^29 units of one sector (a 256 GiB memory-backed null_blk, sparse) has
# a summary of 2^25 bits, so a bit stands for 16 units (core/
# remap_summary.h).  The smaller devices of the other tests have a bit per
# unit.  A bio to a unit that shares its group with a remapped unit takes
# the slow path and must still reach the main device; a bio across groups
# is cut at the remapped unit; unremapping one of two remapped units of a
# group leaves the group marked, so the other still goes to the spare.
# Each case is checked on the raw devices, sector by sector.
source "$(dirname "$0")/lib.sh"

modprobe null_blk nr_devices=0
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
nb=/sys/kernel/config/nullb/sumnb
cleanup_nullb() {
	echo 0 > "$nb/power" 2>/dev/null || true
	rmdir "$nb" 2>/dev/null || true
}
trap 'cleanup; cleanup_nullb' EXIT
mkdir "$nb"
echo 1 > "$nb/memory_backed"
echo $((256 << 10)) > "$nb/size"	# MiB
echo 512 > "$nb/blocksize"
echo 1 > "$nb/power"
main=/dev/sumnb
[[ -b $main ]] || fail "no $main"
spare=$(new_loop 4)
len=$(sectors "$main")
expect_eq "main sectors" "$len" $((1 << 29))
dm_create sg "0 $len remap $main 0 $spare 0 $(sectors "$spare") 3 unit_sectors 1 volatile"
dev=/dev/mapper/sg

# Groups of 16 units: 1024-1039 is group 64.  Sectors 0-4095 tagged 61.
$SECTAG write $dev 0 4096 61 --direct

log "remap 1029 and 1030 (group 64); their neighbours 1024-1028, 1031-1039 stay on main"
msg sg remap 1029
msg sg remap 1030
$SECTAG verify $dev 0 4096 61 --direct || fail "data after the remaps"

log "one bio over groups 63-65 (sectors 1010-1049)"
$SECTAG write $dev 1010 40 62 --direct
$SECTAG verify $dev 0 1010 61 --direct || fail "before the bio"
$SECTAG verify $dev 1010 40 62 --direct || fail "the bio's sectors"
$SECTAG verify $dev 1050 3046 61 --direct || fail "after the bio"
# On the raw main: the group's other units were written there; the two
# remapped units were not (their main sectors keep tag 61).
$SECTAG verify $main 1010 19 62 --direct || fail "raw main 1010-1028"
$SECTAG verify $main 1029 2 61 --direct || fail "raw main 1029-1030 written"
$SECTAG verify $main 1031 19 62 --direct || fail "raw main 1031-1049"

log "single-sector bios to each unit of group 64"
for s in $(seq 1024 1039); do
	$SECTAG write $dev "$s" 1 63 --direct
done
$SECTAG verify $dev 1024 16 63 --direct || fail "group 64 read back"
$SECTAG verify $main 1024 5 63 --direct || fail "raw main 1024-1028"
$SECTAG verify $main 1029 2 61 --direct || fail "raw main 1029-1030 after single writes"
$SECTAG verify $main 1031 9 63 --direct || fail "raw main 1031-1039"

log "unremap 1029: 1030 stays remapped, the group stays marked"
msg sg unremap 1029
expect_eq "list" "$(msg sg list | awk '{print $1, $3}')" "1030 1"
$SECTAG verify $main 1029 1 63 --direct || fail "unremap copied 1029 back"
$SECTAG write $dev 1029 2 64 --direct
$SECTAG verify $dev 1029 2 64 --direct || fail "1029-1030 read back"
$SECTAG verify $main 1029 1 64 --direct || fail "raw main 1029 after unremap"
$SECTAG verify $main 1030 1 61 --direct ||
	fail "raw main 1030 written: the group lost its mark with 1030 remapped"

log "unremap 1030: nothing left in the group"
msg sg unremap 1030
$SECTAG write $dev 1024 16 65 --direct
$SECTAG verify $main 1024 16 65 --direct || fail "raw main of group 64 after the last unremap"
$SECTAG verify $dev 0 1010 61 --direct || fail "data before, at the end"
$SECTAG verify $dev 1050 3046 61 --direct || fail "data after, at the end"
echo "summary groups: ok"
