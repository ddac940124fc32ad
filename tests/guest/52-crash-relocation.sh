#!/bin/bash
# timeout: 900
# Crash consistency of automatic remaps (docs/metadata-format.md,
# "Relocations"), as 51-crash-replay.sh does it for messages: the spare's
# writes are recorded with dm-log-writes while the error path remaps a bad
# main unit, moves units whose spare unit failed (from slot block 1 to
# block 0 and back: the two-pass commit) and turns a unit pending and then
# remaps it; then they are replayed one write at a time.  At every write
# boundary the image must load read-only, name no logical unit and no spare
# sector twice, hold every remap acknowledged before that point, read back
# every sector intact, and pass remapctl check (repairable at worst).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"
modprobe dm-log-writes

U=8
main=$(new_loop 16)
spare=$(new_loop 4)
logdev=$(new_loop 64)
len=$(sectors "$main")
slen=$(sectors "$spare")
$SECTAG write "$main" 0 "$len" 7 --direct
bad_disk bm "$main"

log "setup, not recorded: 512 units remapped (spare units 0-511, both slot blocks), 2 freed"
table="0 $len remap /dev/mapper/bm 0 $spare 0 $slen 2 unit_sectors $U"
dm_create rc "$table"
msg rc remap 0 4096
msg rc unremap 800 16
dmsetup remove rc && forget_dm rc
$DD if="$spare" of="$T/img" bs=1M iflag=direct status=none

log "recorded: the error path at work"
dm_create lw "0 $slen log-writes $spare $logdev"
bad_disk bs /dev/mapper/lw
dm_create rc "0 $len remap /dev/mapper/bm 0 /dev/mapper/bs 0 $slen 2 unit_sectors $U"
state() { msg rc list | cut -d' ' -f1 | sort > "$T/state.$1"; }
spare_of() { msg rc list | awk -v s="$1" '$1 == s {print $2}'; }
mark() { state "$1"; dmsetup message lw 0 mark "op$1"; }
mark 0
# 1: a write error on the main device: lunit 1000 to the lowest free unit.
set_bad bm "8000 8 error"
$SECTAG write /dev/mapper/rc 8000 8 7 --direct
mark 1
# 2: spare unit 510 (slot block 1) fails a write: lunit 510 moves to a
# free unit of slot block 0.
old=$(spare_of 4080)
set_bad bs "$old 8 error"
$SECTAG write /dev/mapper/rc 4080 8 7 --direct
[[ $(spare_of 4080) != "$old" ]] || fail "unit 510 did not move"
mark 2
# 3: spare unit 5 (slot block 0) fails: lunit 5 moves to slot block 1.
old2=$(spare_of 40)
set_bad bs "$old 8 error" "$old2 8 error"
$SECTAG write /dev/mapper/rc 40 8 7 --direct
[[ $(spare_of 40) != "$old2" ]] || fail "unit 5 did not move"
mark 3
# 4: a read error: lunit 1125 pending; then a write remaps it.
set_bad bm "8000 8 error" "9000 8 error"
if $DD if=/dev/mapper/rc of=/dev/null bs=4096 skip=1125 count=1 iflag=direct status=none 2>/dev/null; then
	fail "a read of a bad unit succeeded"
fi
expect_eq "pending" "$(status_of rc pending)" "pending=1"
mark 4
$SECTAG write /dev/mapper/rc 9000 8 7 --direct
mark 5
expect_eq "at the end" "$(status_of rc remapped pending auto_remaps retired)" \
	"remapped=512 pending=0 auto_remaps=4 retired=2"
dmsetup remove rc && forget_dm rc
dmsetup remove bs && forget_dm bs
dmsetup remove lw && forget_dm lw

img=$(losetup -f --show "$T/img")
_loops+=("$img")
# The check at every crash point (tests/guest/lib-replay-check.sh), with
# remapctl check: an interrupted relocation is repairable, never broken.
export CHK_DIR=$T CHK_LEN=$len CHK_SECTAG=$SECTAG CHK_REMAPCTL_IMG=$img \
	CHK_REMAPCTL=$REPO/tools/remapctl/remapctl \
	CHK_TABLE="0 $len remap $main 0 $img 0 $slen 2 unit_sectors $U"
log "replaying the spare's writes one at a time"
python3 "$REPO/tests/tools/logreplay.py" "$logdev" "$T/img" "$REPO/tests/guest/lib-replay-check.sh" | tee "$T/replay"
n=$(awk '{print $1}' "$T/replay")
((n >= 15)) || fail "only $n prefixes checked"
seen=$(wc -l < "$T/interrupted" 2>/dev/null || echo 0)
((seen >= 2)) || fail "no prefix showed an interrupted relocation ($seen): the two passes were not seen"
echo "crash replay of the error path: ok ($n crash points, $seen with an interrupted relocation)"
