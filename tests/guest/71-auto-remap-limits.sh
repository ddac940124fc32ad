#!/bin/bash
# The edges of automatic remapping (docs/dm-remap.rst, "Error handling"):
#  - a sector that fails once and then reads is relocated with its data;
#  - no_auto_remap / "auto_remap off": errors pass up, nothing is remapped;
#    read_retries as a feature and a message;
#  - a full spare pool: writes to bad sectors fail upward, the status says
#    "exhausted", a table event and a kernel message, no hang, the units
#    already remapped unaffected; growing the pool clears it;
#  - remap_many: extents, what it answers, all or nothing when full.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"
modprobe dm-delay

U=8
remapctl=$REPO/tools/remapctl/remapctl

# ---------------------------------------------------------------------
log "a read that fails once and then succeeds: the unit moves with its data"
# The error path runs one bio at a time under the device's lock.  A remap
# message over a slow spare (dm-delay, 2 s per write) holds that lock for
# several seconds; a read that fails on the main device meanwhile waits
# for the lock, and the bad range is repaired before it gets it, so its
# first retry reads.
m1=$(new_loop 16)
s1=$(new_loop 4)
bad_disk b1 "$m1"
len=$(sectors "$m1")
dm_create d1 "0 $(sectors "$s1") delay $s1 0 0 $s1 0 2000"
dm_create rt "0 $len remap /dev/mapper/b1 0 /dev/mapper/d1 0 $(sectors "$s1") 2 unit_sectors $U"
$SECTAG write /dev/mapper/rt 4000 8 6 --direct
set_bad b1 "4000 8 error"
msg rt remap 6000 &
mpid=$!
sleep 1
$SECTAG verify /dev/mapper/rt 4000 8 6 --direct > "$T/rt.out" 2>&1 &
rpid=$!
sleep 1
kill -0 $mpid 2>/dev/null || fail "the remap message ended before the read was queued: no stall"
kill -0 $rpid 2>/dev/null || fail "the read ended while its unit was still bad: $(cat "$T/rt.out")"
set_bad b1
wait $rpid || fail "the read failed although its retry could read: $(cat "$T/rt.out")"
wait $mpid || fail "remap message failed"
expect_eq "relocated" "$(status_of rt remapped auto_remaps uncorrectable pending)" \
	"remapped=2 auto_remaps=1 uncorrectable=0 pending=0"
s=$(msg rt list | awk '$1 == 4000 {print $2}')
[[ -n $s ]] || fail "unit 4000 not remapped: $(msg rt list)"
$SECTAG verify "$s1" "$s" 8 6 4000 --direct || fail "the relocated data on the spare"
dmsetup remove rt d1 && forget_dm rt && forget_dm d1

# ---------------------------------------------------------------------
log "no_auto_remap: errors pass up unchanged; auto_remap on turns it back on"
m2=$(new_loop 8)
s2=$(new_loop 1)
bad_disk b2 "$m2"
len=$(sectors "$m2")
tbl="0 $len remap /dev/mapper/b2 0 $s2 0 64 6 unit_sectors $U volatile no_auto_remap read_retries 0"
dm_create rn "$tbl"
expect_eq "table" "$(dmsetup table rn | cut -d' ' -f8-)" "64 6 unit_sectors 8 volatile no_auto_remap read_retries 0"
expect_eq "status" "$(status_of rn auto_remap)" "auto_remap=no_auto_remap"
$SECTAG write /dev/mapper/rn 0 "$len" 1 --direct
set_bad b2 "800 8 error"
if $SECTAG write /dev/mapper/rn 800 8 2 --direct 2>/dev/null; then
	fail "a write to a bad sector succeeded with no_auto_remap"
fi
if $DD if=/dev/mapper/rn of=/dev/null bs=4096 skip=100 count=1 iflag=direct status=none 2>/dev/null; then
	fail "a read of a bad sector succeeded with no_auto_remap"
fi
expect_eq "nothing remapped" "$(status_of rn remapped auto_remaps pending uncorrectable)" \
	"remapped=0 auto_remaps=0 pending=0 uncorrectable=0"
msg rn auto_remap on
expect_eq "stats" "$(stat_of rn auto_remap)" on
expect_eq "status" "$(status_of rn auto_remap)" "auto_remap=auto_remap"
expect_refused "read_retries too large" "read_retries must be a number from 0 to 16" msg rn read_retries 17
expect_refused "auto_remap maybe" "Usage: auto_remap on|off" msg rn auto_remap maybe
msg rn read_retries 5
expect_eq "stats read_retries" "$(stat_of rn read_retries)" 5
mark=$(kmsg_mark)
if $DD if=/dev/mapper/rn of=/dev/null bs=4096 skip=100 count=1 iflag=direct status=none 2>/dev/null; then
	fail "a read of a bad sector succeeded"
fi
kmsg_since "$mark" | grep -q "$(devno rn): sectors 800-807 unreadable after 5 retries; pending until written" ||
	{ kmsg_since "$mark"; fail "read_retries 5 not used"; }
$SECTAG write /dev/mapper/rn 800 8 2 --direct || fail "write to a bad sector with auto_remap on"
$SECTAG verify /dev/mapper/rn 800 8 2 --direct || fail "read back"
expect_eq "remapped" "$(status_of rn remapped auto_remaps pending uncorrectable)" \
	"remapped=1 auto_remaps=1 pending=0 uncorrectable=1"

# ---------------------------------------------------------------------
log "a full spare pool: errors pass up, status exhausted, an event, no hang"
# 64 sectors of volatile spare: 8 units; 1 is in use.
for s in 1000 1100 1200 1300 1400 1500 1600; do
	msg rn remap "$s"
done
expect_eq "pool full" "$(status_of rn spare health)" "spare=8/8 health=ok"
set_bad b2 "800 8 error" "2000 8 error"
ev=$(events rn)
mark=$(kmsg_mark)
if timeout 60 "$SECTAG" write /dev/mapper/rn 2000 8 3 --direct 2>/dev/null; then
	fail "a write to a bad sector succeeded with no spare unit left"
fi
expect_eq "exhausted" "$(status_of rn remapped health)" "remapped=8 health=exhausted"
expect_eq "stats" "$(stat_of rn spare_exhausted)" yes
(($(events rn) > ev)) || fail "no table event when the pool ran out"
kmsg_since "$mark" | grep -q "$(devno rn): spare pool exhausted: I/O errors now pass up unchanged" ||
	{ kmsg_since "$mark"; fail "no kernel message for the exhausted pool"; }
if timeout 60 "$SECTAG" write /dev/mapper/rn 2000 8 3 --direct 2>/dev/null; then
	fail "second write to a bad sector succeeded with no spare unit left"
fi
$SECTAG verify /dev/mapper/rn 800 8 2 --direct || fail "a remapped unit after exhaustion"
$SECTAG verify /dev/mapper/rn 1000 8 1 --direct || fail "a manually remapped unit after exhaustion"
$SECTAG write /dev/mapper/rn 1000 8 4 --direct || fail "write to a remapped unit after exhaustion"
$SECTAG verify /dev/mapper/rn 1000 8 4 --direct || fail "read back a remapped unit after exhaustion"
$SECTAG verify /dev/mapper/rn 3000 1000 1 --direct || fail "plain sectors after exhaustion"

log "growing the spare pool clears the exhaustion"
truncate -s 2M "$(losetup -nO BACK-FILE "$s2")"
losetup -c "$s2"
dmsetup reload rn --table "0 $len remap /dev/mapper/b2 0 $s2 0 128 5 unit_sectors $U volatile read_retries 5"
dmsetup resume rn
expect_eq "grown" "$(status_of rn spare health)" "spare=8/16 health=ok"
$SECTAG write /dev/mapper/rn 2000 8 3 --direct || fail "write to a bad sector after growing"
$SECTAG verify /dev/mapper/rn 2000 8 3 --direct || fail "read back after growing"
dmsetup remove rn && forget_dm rn

# ---------------------------------------------------------------------
log "remap_many: extents in one message"
m3=$(new_loop 16)
s3=$(new_loop 1)
len=$(sectors "$m3")
dm_create rm "0 $len remap $m3 0 $s3 0 2048 2 unit_sectors $U"
$SECTAG write /dev/mapper/rm 0 "$len" 1 --direct
expect_eq "answer" "$(msg rm remap_many 0+64 100 1000+1)" "10 0"
expect_eq "remapped" "$(status_of rm remapped)" "remapped=10"
# Units 7-9 and 13: unit 7 is remapped already.
expect_eq "answer, overlapping and already remapped" "$(msg rm remap_many 60+16 104)" "3 1"
expect_eq "remapped" "$(status_of rm remapped)" "remapped=13"
expect_refused "beyond the end" "Sector beyond end of device" msg rm remap_many 10+1 "$len"
expect_refused "zero length" "Number of sectors must not be zero" msg rm remap_many 200+0
expect_refused "not a number" "Invalid extent (want <sector>[+<nr_sectors>])" msg rm remap_many 12x
expect_eq "nothing changed by refusals" "$(status_of rm remapped)" "remapped=13"
free=$(stat_of rm spare_free)
expect_refused "more than the pool holds" "fewer than needed" \
	msg rm remap_many 8000+$(((free + 1) * U))
expect_eq "all or nothing" "$(status_of rm remapped)" "remapped=13"
$SECTAG verify /dev/mapper/rm 0 "$len" 1 --direct || fail "data after remap_many"
dmsetup remove rm && forget_dm rm
$remapctl check "$s3" > "$T/check" || { cat "$T/check"; fail "remapctl check"; }
