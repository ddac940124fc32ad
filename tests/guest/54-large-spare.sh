#!/bin/bash
# timeout: 900
# A large spare device (issue 12, defect 9; docs/metadata-format.md,
# "Initialized slot blocks"): the slot capacity reaches to the end of a
# 2 TiB spare device, but creating a table writes and loads only
# the slot blocks its spare_len needs, so it is fast and small; a reload
# or a new table with a larger spare_len initializes more blocks first; a
# crash before the superblock records them loses nothing; units in the
# new blocks work and persist; a read-only table that would need more is
# refused; a spare_len whose slots would not fit in memory is refused
# before anything is written.
#
# Before the fix, creating the first table wrote every slot block of the
# capacity (over 8 GiB here) and then failed allocating over INT_MAX bytes.
source "$(dirname "$0")/lib.sh"
META="python3 $REPO/tests/tools/metatool.py"
REMAPCTL=$REPO/tools/remapctl/remapctl
U=8
MiB=2048	# sectors

# The spare device: a sparse file on /tmp (tmpfs) a little over 2 TiB;
# this test writes about 120 MiB of it.
avail=$(df -k --output=avail /tmp | tail -n 1)
((avail > 300 * 1024)) || fail "/tmp has ${avail} KiB free, this test needs 300 MiB"
main=$(new_loop 32)
spare=$(new_loop $((2 * 1024 * 1024 + 4096)))
spare_file=$(losetup -nO BACK-FILE "$spare")
len=$(sectors "$main")
sdev=$(sectors "$spare")
dev=/dev/mapper/ls
START=0		# the spare_start of the area under test

# sb_get OFFSET [SIZE]: a superblock field (u64 unless SIZE given), read
# past the loop device's page cache.
sb_get() { blockdev --flushbufs "$spare"; $META get "$spare" "$START" 0 "$1" "${2:-8}"; }
allocated_mib() { echo $(( $(stat -c '%b * %B' "$spare_file") / 1048576 )); }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
table() { echo "0 $len remap $main 0 $spare $START $1 2 unit_sectors $U"; }
# blocks_for SPARE_LEN: slot blocks its units need (remap_meta_blocks_for).
blocks_for() { local n=$((($1 - DATA) / U)); echo $(((n + 507) / 508)); }
verify() { $SECTAG verify $dev 0 "$len" 5 --direct || fail "$1: data"; }
recreate() {
	dmsetup remove ls && forget_dm ls
	dm_create ls "$(table "$1")"
}
# layout TO_END_SECTORS: CAP, S and DATA of a capacity to the device's end.
layout() { CAP=$(($1 / U)); S=$(((CAP + 507) / 508)); DATA=$(((2 + 2 + 2 * S) * 8)); }

layout "$sdev"
log "spare device: $sdev sectors, slot capacity $CAP units, $S slot blocks a copy, spare unit 0 at sector $DATA ($((DATA / MiB)) MiB)"

log "a 20 GiB spare area: the capacity reaches to the end, only spare_len's blocks are written"
LA=$((20 * 1024 * MiB))
before=$(allocated_mib)
t0=$(now)
dm_create ls "$(table $LA)"
t=$(elapsed "$t0")
written=$(($(allocated_mib) - before))
NA=$(blocks_for $LA)
log "created in $t s; $written MiB of the spare file allocated; $NA slot blocks initialized of $S"
expect_eq "slot_capacity (to the device's end)" "$(sb_get 104)" "$CAP"
expect_eq "data_offset" "$(sb_get 96)" "$DATA"
expect_eq "version" "$(sb_get 48 4)" 2
expect_eq "slot_blocks_init" "$(sb_get 272)" "$NA"
((written < 64)) || fail "format wrote $written MiB, want under 64 (two copies of $NA blocks)"
total=$(field_of ls spare)
expect_eq "spare units" "${total#*/}" $(((LA - DATA) / U))

$SECTAG write $dev 0 "$len" 5 --direct
for s in 0 808 4096 $((len - 1)); do msg ls remap "$s"; done
L1=$(msg ls list)
expect_eq "remapped" "$(field_of ls remapped_units)" 4
dmsetup reload ls --table "$(table $LA)" && dmsetup resume ls
expect_eq "after reload: list" "$(msg ls list)" "$L1"
verify "after reload"
recreate $LA
expect_eq "after re-create: list" "$(msg ls list)" "$L1"
verify "after re-create"
dmsetup remove ls && forget_dm ls
$REMAPCTL check "$spare" > "$T/check" || { cat "$T/check"; fail "remapctl check"; }
grep -q "($S slot blocks, $NA initialized)" "$T/check" ||
	{ cat "$T/check"; fail "remapctl check does not show $NA initialized blocks"; }
$REMAPCTL dump --json "$spare" > "$T/dump.json"
grep -q "\"slot_blocks_init\": $NA," "$T/dump.json" || fail "remapctl dump --json: slot_blocks_init"

log "a read-only table that needs more slot blocks: refused, nothing written"
LB=$((28 * 1024 * MiB))
NB=$(blocks_for $LB)
expect_refused "read-only, larger spare_len" "the table is read-only" \
	dmsetup create --readonly ls --table "$(table $LB)"
dmsetup remove ls 2>/dev/null || true
expect_eq "slot_blocks_init unchanged" "$(sb_get 272)" "$NA"
dmsetup create --readonly ls --table "$(table $LA)"
_dms+=(ls)
expect_eq "read-only at the same spare_len: list" "$(msg ls list)" "$L1"
dmsetup remove ls && forget_dm ls

log "grow to 28 GiB with a reload: $NA -> $NB slot blocks"
dm_create ls "$(table $LA)"
before=$(allocated_mib)
t0=$(now)
dmsetup reload ls --table "$(table $LB)" && dmsetup resume ls
log "reload and resume in $(elapsed "$t0") s, $(($(allocated_mib) - before)) MiB allocated"
expect_eq "slot_blocks_init after the reload" "$(sb_get 272)" "$NB"
total=$(field_of ls spare)
expect_eq "spare units after the reload" "${total#*/}" $(((LB - DATA) / U))
expect_eq "remaps kept" "$(msg ls list)" "$L1"
verify "after growing"
recreate $LB
expect_eq "re-created at 28 GiB: list" "$(msg ls list)" "$L1"
recreate $LA
expect_eq "re-created at 20 GiB again: list" "$(msg ls list)" "$L1"
expect_eq "slot_blocks_init stays" "$(sb_get 272)" "$NB"
verify "after shrinking back"
dmsetup remove ls && forget_dm ls

# A second area near the device's end, whose capacity to the end is 152000
# units (300 slot blocks), so that the numbers stay small: 700 units need
# 2 blocks, 1100 need 3, and remapping 1030 units reaches into block 2.
START=$((sdev - 152000 * U))
layout $((152000 * U))
log "an area at sector $START: $S slot blocks, spare unit 0 at +$DATA; units of a block added by a reload"
L2=$((DATA + 700 * U))
dm_create ls "$(table $L2)"
expect_eq "two slot blocks" "$(sb_get 272)" 2
expect_eq "capacity to the end" "$(sb_get 104)" 152000
$SECTAG write $dev 0 "$len" 5 --direct
msg ls remap 0 $((16 * U))
L3=$((DATA + 1100 * U))
# A crash after the new block is written, before the superblock: save the
# superblocks, extend, put the old ones back.
$DD if="$spare" of="$T/sb" bs=512 skip="$START" count=16 iflag=direct status=none
dmsetup reload ls --table "$(table $L3)" && dmsetup resume ls
expect_eq "three slot blocks" "$(sb_get 272)" 3
dmsetup remove ls && forget_dm ls
$DD if="$T/sb" of="$spare" bs=512 seek="$START" count=16 conv=notrunc oflag=direct status=none
expect_eq "crash before the superblock: two blocks" "$(sb_get 272)" 2
dm_create ls "$(table $L2)"
expect_eq "crash before the superblock: pool" "$(field_of ls spare)" "16/700"
dmsetup reload ls --table "$(table $L3)" && dmsetup resume ls
expect_eq "extended again" "$(sb_get 272)" 3
# Units 16 .. 1029: the last 14 in slot block 2, initialized by the reload.
msg ls remap $((16 * U)) $((1014 * U))
expect_eq "remapped" "$(field_of ls remapped_units)" 1030
LL=$(msg ls list)
grep -qx "$((1029 * U)) $((START + DATA + 1029 * U)) $U" <<<"$LL" ||
	fail "logical unit 1029 is not on spare unit 1029"
verify "after remapping into the new block"
recreate $L3
expect_eq "re-created: list" "$(msg ls list)" "$LL"
verify "after re-create"
dmsetup remove ls && forget_dm ls
$REMAPCTL check "$spare" --spare-start "$START" > "$T/check" ||
	{ cat "$T/check"; fail "remapctl check"; }
grep -q "table: 1030 remapped" "$T/check" || { cat "$T/check"; fail "remapctl check: 1030 remapped"; }
grep -q "($S slot blocks, 3 initialized)" "$T/check" || { cat "$T/check"; fail "remapctl check: 3 initialized"; }
$REMAPCTL dump "$spare" --spare-start "$START" > "$T/dump"
grep -q "^1029 1029 $((1029 * U)) $((START + DATA + 1029 * U))$" "$T/dump" ||
	fail "remapctl dump: logical unit 1029 on spare unit 1029"
expect_refused "shrink below the units in use" "spare_len too small for the spare units the metadata uses" \
	dmsetup create ls --table "$(table $L2)"
dmsetup remove ls 2>/dev/null || true
# Within 256 blocks of the capacity: every block, version 1 again.
L4=$((DATA + (43 * 508 + 1) * U))
dm_create ls "$(table $L4)"
expect_eq "all initialized: slot_blocks_init" "$(sb_get 272)" 0
expect_eq "all initialized: version" "$(sb_get 48 4)" 1
expect_eq "all initialized: list" "$(msg ls list)" "$LL"
dmsetup remove ls && forget_dm ls

log "a spare_len whose slots would not fit in memory: refused before anything is written"
START=0
$DD if=/dev/zero of="$spare" bs=4096 count=2 conv=notrunc oflag=direct status=none
Lhuge=$((600 * 1024 * MiB))
before=$(allocated_mib)
sum=$($DD if="$spare" bs=4096 count=64 iflag=direct status=none | md5sum)
t0=$(now)
expect_refused "600 GiB of 4 KiB units" "more spare units than the slot table can keep in memory" \
	dmsetup create ls --table "$(table $Lhuge)"
dmsetup remove ls 2>/dev/null || true
log "refused in $(elapsed "$t0") s"
expect_eq "nothing written" "$($DD if="$spare" bs=4096 count=64 iflag=direct status=none | md5sum)" "$sum"
expect_eq "nothing allocated" "$(allocated_mib)" "$before"
log "the same spare_len with 1 MiB units fits"
dm_create ls "0 $len remap $main 0 $spare 0 $Lhuge 2 unit_sectors 2048"
expect_eq "1 MiB units: version" "$(sb_get 48 4)" 2
expect_eq "1 MiB units: slot_blocks_init" "$(sb_get 272)" \
	$(( ((Lhuge - $(sb_get 96)) / 2048 + 507) / 508 ))
dmsetup remove ls && forget_dm ls
echo "large spare: ok"
