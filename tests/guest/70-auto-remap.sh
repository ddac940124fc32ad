#!/bin/bash
# Automatic remapping on I/O errors (docs/dm-remap.rst, "Error handling"),
# on simulated failing disks (lib-baddisk.sh: dm-error and dm-flakey
# segments swapped into a dm-linear table under the target):
#  - a write to a bad sector succeeds, lands on the spare and reads back;
#    a write smaller than the unit carries the rest of the unit over, and
#    what cannot be read of it is zeroed and counted as lost;
#  - a read of a bad sector fails upward once, the unit turns pending
#    (persisted across re-creation), and a later write remaps it;
#  - a spare unit whose write fails is retired and the next one is used,
#    for a new remap and for a unit already on the spare;
#  - the status counters and the stats message say all of it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"

U=8
mloop=$(new_loop 16)
sloop=$(new_loop 4)
bad_disk bm "$mloop"
bad_disk bs "$sloop"
len=$(sectors "$mloop")
slen=$(sectors "$sloop")
table="0 $len remap /dev/mapper/bm 0 /dev/mapper/bs 0 $slen 2 unit_sectors $U"
dm_create ra "$table"
dev=/dev/mapper/ra
$SECTAG write $dev 0 "$len" 1 --direct
expect_eq "fresh device" "$(status_of ra remapped auto_remaps pending lost health)" \
	"remapped=0 auto_remaps=0 pending=0 lost=0 health=ok"

# spare_of SECTOR: the spare sector of the unit holding SECTOR (from list).
spare_of() {
	msg ra list | awk -v s="$1" -v u=$U '$1 <= s && s < $1 + u {print $2 + s - $1}'
}
BAD=()
add_bad() { BAD+=("$@"); set_bad bm "${BAD[@]}"; }

log "a write to a bad unit succeeds and lands on the spare"
add_bad "1000 8 error"
ev=$(events ra)
$SECTAG write $dev 1000 8 2 --direct || fail "write to a bad unit failed"
expect_eq "after the write" "$(status_of ra remapped realloc_events auto_remaps lost)" \
	"remapped=1 realloc_events=1 auto_remaps=1 lost=0"
s=$(spare_of 1000)
[[ -n $s ]] || fail "unit 1000 is not in the list: $(msg ra list)"
$SECTAG verify $dev 1000 8 2 --direct || fail "read back through the target"
$SECTAG verify /dev/mapper/bs "$s" 8 2 1000 --direct || fail "data on the spare"
(($(events ra) > ev)) || fail "no table event for the automatic remap"

log "a one-sector write to a unit with one bad sector: the rest is carried over"
add_bad "2001 1 error"
$SECTAG write $dev 2001 1 3 --direct || fail "512-byte write to a bad sector failed"
$SECTAG verify $dev 2000 1 1 --direct || fail "sector 2000 not carried over"
$SECTAG verify $dev 2001 1 3 --direct || fail "sector 2001: the new data"
$SECTAG verify $dev 2002 6 1 --direct || fail "sectors 2002-2007 not carried over"
expect_eq "nothing lost" "$(status_of ra remapped auto_remaps lost)" \
	"remapped=2 auto_remaps=2 lost=0"

log "a two-sector write to an unreadable unit: six sectors lost, zeroed, logged"
add_bad "3000 8 error"
mark=$(kmsg_mark)
$SECTAG write $dev 3002 2 4 --direct || fail "write to an unreadable unit failed"
expect_eq "lost" "$(status_of ra remapped lost)" "remapped=3 lost=6"
$SECTAG verify $dev 3002 2 4 --direct || fail "sectors 3002-3003"
zeros=$($DD if=$dev bs=512 skip=3000 count=2 iflag=direct status=none | tr -d '\0' | wc -c)
expect_eq "lost sectors 3000-3001 read as zeroes" "$zeros" 0
zeros=$($DD if=$dev bs=512 skip=3004 count=4 iflag=direct status=none | tr -d '\0' | wc -c)
expect_eq "lost sectors 3004-3007 read as zeroes" "$zeros" 0
kmsg_since "$mark" | grep -q "$(devno ra): sectors 3000-3001 unreadable; replaced by zeroes" ||
	fail "no log line for lost sectors 3000-3001"
kmsg_since "$mark" | grep -q "$(devno ra): sectors 3004-3007 unreadable; replaced by zeroes" ||
	fail "no log line for lost sectors 3004-3007"

log "a read of a bad unit fails upward once; the unit turns pending"
add_bad "4000 8 error"
mark=$(kmsg_mark)
if $DD if=$dev of=/dev/null bs=4096 skip=500 count=1 iflag=direct status=none 2>/dev/null; then
	fail "a read of an unreadable unit succeeded"
fi
expect_eq "pending" "$(status_of ra remapped pending uncorrectable)" \
	"remapped=3 pending=1 uncorrectable=1"
expect_eq "stats pending_units" "$(stat_of ra pending_units)" 1
expect_eq "stats uncorrectable_reads" "$(stat_of ra uncorrectable_reads)" 1
kmsg_since "$mark" | grep -q "$(devno ra): sectors 4000-4007 unreadable after 3 retries; pending until written" ||
	{ kmsg_since "$mark"; fail "no log line for the pending unit"; }
log "the rest of the device still reads"
$SECTAG verify $dev 0 1000 1 --direct || fail "sectors 0-999"
$SECTAG verify $dev 4008 1000 1 --direct || fail "sectors 4008-5007"

log "pending units and counters survive re-creating the device"
dmsetup remove ra && forget_dm ra
dm_create ra "$table"
expect_eq "after re-creation" \
	"$(status_of ra remapped lost pending realloc_events auto_remaps uncorrectable)" \
	"remapped=3 lost=6 pending=1 realloc_events=3 auto_remaps=3 uncorrectable=1"

log "a write to the pending unit remaps it"
$SECTAG write $dev 4000 8 5 --direct || fail "write to the pending unit failed"
expect_eq "after the write" "$(status_of ra remapped pending auto_remaps)" \
	"remapped=4 pending=0 auto_remaps=4"
$SECTAG verify $dev 4000 8 5 --direct || fail "the pending unit's new data"
s=$(spare_of 4000)
$SECTAG verify /dev/mapper/bs "$s" 8 5 4000 --direct || fail "pending unit's data on the spare"

log "a spare unit that fails a write is retired; the next one is used"
# The allocator hands out the lowest free unit: the one after the last.
last=$(msg ra list | awk '{print $2}' | sort -n | tail -1)
next=$((last + U))
set_bad bs "$next 8 error"
add_bad "5000 8 error"
$SECTAG write $dev 5000 8 6 --direct || fail "write with a failing spare unit failed"
expect_eq "spare unit $next skipped" "$(spare_of 5000)" $((next + U))
expect_eq "retired" "$(status_of ra remapped spare_errors retired)" \
	"remapped=5 spare_errors=1 retired=1"
$SECTAG verify $dev 5000 8 6 --direct || fail "read back after a spare error"

log "a remapped unit whose spare unit fails a write moves to another one"
old=$(spare_of 1000)
set_bad bs "$next 8 error" "$old 8 error"
$SECTAG write $dev 1000 8 7 --direct || fail "write to a remapped unit on a failing spare unit"
new=$(spare_of 1000)
[[ $new != "$old" ]] || fail "unit 1000 still on spare sector $old"
expect_eq "retired" "$(status_of ra remapped spare_errors retired)" \
	"remapped=5 spare_errors=2 retired=2"
$SECTAG verify $dev 1000 8 7 --direct || fail "unit 1000 after the move"
$SECTAG verify /dev/mapper/bs "$new" 8 7 1000 --direct || fail "unit 1000's new spare unit"
expect_eq "stats retired_units" "$(stat_of ra retired_units)" 2
expect_eq "stats spare_errors" "$(stat_of ra spare_errors)" 2

log "retirements survive re-creation: the retired units are never handed out"
dmsetup remove ra && forget_dm ra
set_bad bs
dm_create ra "$table"
expect_eq "after re-creation" "$(status_of ra remapped retired)" "remapped=5 retired=2"
msg ra remap 6000
msg ra remap 6008
for s in $(msg ra list | awk '{print $2}'); do
	[[ $s != "$next" && $s != "$old" ]] || fail "retired spare sector $s handed out again"
done

log "every other sector kept its data"
$SECTAG verify $dev 0 1000 1 --direct || fail "sectors 0-999"
$SECTAG verify $dev 1008 992 1 --direct || fail "sectors 1008-1999"
$SECTAG verify $dev 5008 $((len - 5008)) 1 --direct || fail "sectors 5008-"
log "a pending unit remapped by a message: no longer pending, its loss counted"
add_bad "7000 8 error"
if $DD if=$dev of=/dev/null bs=4096 skip=875 count=1 iflag=direct status=none 2>/dev/null; then
	fail "a read of an unreadable unit succeeded"
fi
lost0=$(field_of ra lost_sectors)
retired0=$(field_of ra retired_units)
expect_eq "pending" "$(status_of ra pending)" "pending=1"
msg ra remap 7000
expect_eq "after the remap message" "$(status_of ra pending lost)" "pending=0 lost=$((lost0 + 8))"
$SECTAG write $dev 7000 8 8 --direct || fail "write to the remapped unit"
$SECTAG verify $dev 7000 8 8 --direct || fail "read back"
expect_eq "no spare unit retired by the write" "$(status_of ra retired)" "retired=$retired0"

remapctl=$REPO/tools/remapctl/remapctl
dmsetup remove ra && forget_dm ra
$remapctl check /dev/mapper/bs > "$T/check" || { cat "$T/check"; fail "remapctl check after the errors"; }
