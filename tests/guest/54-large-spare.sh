#!/bin/bash
# timeout: 900
# A large spare device (issue 12, defect 9; docs/metadata-format.md,
# "Initialized slot blocks"): the slot capacity reaches to the end of a
# 2 TiB spare device, but creating a table writes and keeps in memory only
# the slot blocks its spare_len needs, so it is fast and small; a reload
# or a new table with a larger spare_len initializes more blocks first; a
# crash before the superblock records them loses nothing; a read-only
# table that would need more is refused; a spare_len whose slots would not
# fit in memory is refused before anything is written.
#
# Before the fix, creating the first table wrote every slot block of the
# capacity (over 8 GiB here) and then failed allocating over INT_MAX bytes.
source "$(dirname "$0")/lib.sh"
META="python3 $REPO/tests/tools/metatool.py"
REMAPCTL=$REPO/tools/remapctl/remapctl
U=8
MiB=2048	# sectors

# The spare device: a sparse file on /tmp (tmpfs) a little over 2 TiB;
# this test writes about 100 MiB of it.
avail=$(df -k --output=avail /tmp | tail -n 1)
((avail > 300 * 1024)) || fail "/tmp has ${avail} KiB free, this test needs 300 MiB"
main=$(new_loop 32)
spare=$(new_loop $((2 * 1024 * 1024 + 4096)))
spare_file=$(losetup -nO BACK-FILE "$spare")
len=$(sectors "$main")
sdev=$(sectors "$spare")
dev=/dev/mapper/ls

# sb_get OFFSET: a superblock field (u64 unless SIZE given), read past
# the loop device's page cache.
sb_get() { blockdev --flushbufs "$spare"; $META get "$spare" 0 0 "$1" "${2:-8}"; }
allocated_mib() { echo $(( $(stat -c '%b * %B' "$spare_file") / 1048576 )); }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
table() { echo "0 $len remap $main 0 $spare 0 $1 2 unit_sectors $U"; }
# blocks_for SPARE_LEN: slot blocks its units need (docs: remap_meta_blocks_for).
blocks_for() { local n=$((($1 - DATA) / U)); echo $(((n + 507) / 508)); }
verify() { $SECTAG verify $dev 0 "$len" 5 --direct || fail "$1: data"; }
recreate() {
	dmsetup remove ls && forget_dm ls
	dm_create ls "$(table "$1")"
}

# The layout a capacity to the device's end gives (docs: "Layout").
CAP=$((sdev / U))
S=$(((CAP + 507) / 508))
DATA=$(((2 + 2 + 2 * S) * 8))
log "spare device: $sdev sectors, slot capacity $CAP units, $S slot blocks a copy, spare unit 0 at sector $DATA ($((DATA / MiB)) MiB)"

log "a 16 GiB spare area: the capacity reaches to the end, only spare_len's blocks are written"
L16=$((16 * 1024 * MiB))
before=$(allocated_mib)
t0=$(now)
dm_create ls "$(table $L16)"
t=$(elapsed "$t0")
written=$(($(allocated_mib) - before))
N16=$(blocks_for $L16)
log "created in $t s; $written MiB of the spare file allocated; $N16 slot blocks initialized of $S"
expect_eq "slot_capacity (to the device's end)" "$(sb_get 104)" "$CAP"
expect_eq "data_offset" "$(sb_get 96)" "$DATA"
expect_eq "version" "$(sb_get 48 4)" 2
expect_eq "slot_blocks_init" "$(sb_get 272)" "$N16"
((written < 64)) || fail "format wrote $written MiB, want under 64 (two copies of $N16 blocks)"
total=$(status_field ls 3)
expect_eq "spare units" "${total#*/}" $(((L16 - DATA) / U))

$SECTAG write $dev 0 "$len" 5 --direct
for s in 0 808 4096 $((len - 1)); do msg ls remap "$s"; done
L1=$(msg ls list)
expect_eq "remapped" "$(status_field ls 2)" 4
dmsetup reload ls --table "$(table $L16)" && dmsetup resume ls
expect_eq "after reload: list" "$(msg ls list)" "$L1"
verify "after reload"
recreate $L16
expect_eq "after re-create: list" "$(msg ls list)" "$L1"
verify "after re-create"
dmsetup remove ls && forget_dm ls
$REMAPCTL check "$spare" > "$T/check" || { cat "$T/check"; fail "remapctl check"; }
grep -q "($S slot blocks, $N16 initialized)" "$T/check" ||
	{ cat "$T/check"; fail "remapctl check does not show $N16 initialized blocks"; }
$REMAPCTL dump --json "$spare" > "$T/dump.json"
grep -q "\"slot_blocks_init\": $N16," "$T/dump.json" || fail "remapctl dump --json: slot_blocks_init"

log "a read-only table that needs more slot blocks: refused, nothing written"
L24=$((24 * 1024 * MiB))
N24=$(blocks_for $L24)
expect_refused "read-only, larger spare_len" "the table is read-only" \
	dmsetup create --readonly ls --table "$(table $L24)"
dmsetup remove ls 2>/dev/null || true
expect_eq "slot_blocks_init unchanged" "$(sb_get 272)" "$N16"
dmsetup create --readonly ls --table "$(table $L16)"
_dms+=(ls)
expect_eq "read-only at the same spare_len: list" "$(msg ls list)" "$L1"
dmsetup remove ls && forget_dm ls

log "grow to 24 GiB with a reload: $N16 -> $N24 slot blocks"
dm_create ls "$(table $L16)"
before=$(allocated_mib)
t0=$(now)
dmsetup reload ls --table "$(table $L24)" && dmsetup resume ls
log "reload and resume in $(elapsed "$t0") s, $(($(allocated_mib) - before)) MiB allocated"
expect_eq "slot_blocks_init after the reload" "$(sb_get 272)" "$N24"
total=$(status_field ls 3)
expect_eq "spare units after the reload" "${total#*/}" $(((L24 - DATA) / U))
expect_eq "remaps kept" "$(msg ls list)" "$L1"
verify "after growing"
recreate $L24
expect_eq "re-created at 24 GiB: list" "$(msg ls list)" "$L1"
recreate $L16
expect_eq "re-created at 16 GiB again: list" "$(msg ls list)" "$L1"
expect_eq "slot_blocks_init stays" "$(sb_get 272)" "$N24"
verify "after shrinking back"
dmsetup remove ls && forget_dm ls

log "a small spare area: one slot block, then units of a block added by a reload"
$DD if=/dev/zero of="$spare" bs=4096 count=2 conv=notrunc oflag=direct status=none
Ls=$((DATA + 16 * U))
dm_create ls "$(table $Ls)"
expect_eq "one slot block" "$(sb_get 272)" 1
expect_eq "data_offset (capacity still to the end)" "$(sb_get 96)" "$DATA"
$SECTAG write $dev 0 "$len" 5 --direct
msg ls remap 0 $((16 * U))
expect_eq "pool full" "$(status_field ls 3)" "16/16"
Lb=$((DATA + 600 * U))
# A crash after the new blocks are written, before the superblock: save
# the superblocks, extend, put the old ones back.
$DD if="$spare" of="$T/sb" bs=4096 count=2 iflag=direct status=none
dmsetup reload ls --table "$(table $Lb)" && dmsetup resume ls
expect_eq "two slot blocks" "$(sb_get 272)" 2
dmsetup remove ls && forget_dm ls
$DD if="$T/sb" of="$spare" bs=4096 count=2 conv=notrunc oflag=direct status=none
expect_eq "crash before the superblock: one block" "$(sb_get 272)" 1
dm_create ls "$(table $Ls)"
expect_eq "crash before the superblock: pool" "$(status_field ls 3)" "16/16"
expect_eq "crash before the superblock: remaps" "$(status_field ls 2)" 16
dmsetup reload ls --table "$(table $Lb)" && dmsetup resume ls
expect_eq "extended again" "$(sb_get 272)" 2
# Units 16 .. 535: the last 28 in slot block 1, initialized by the reload.
msg ls remap $((16 * U)) $((520 * U))
expect_eq "remapped" "$(status_field ls 2)" 536
L2=$(msg ls list)
grep -qx "$((535 * U)) $((DATA + 535 * U)) $U" <<<"$L2" ||
	fail "logical unit 535 is not on spare unit 535"
verify "after remapping into the new block"
recreate $Lb
expect_eq "re-created: list" "$(msg ls list)" "$L2"
verify "after re-create"
dmsetup remove ls && forget_dm ls
$REMAPCTL check "$spare" > "$T/check" || { cat "$T/check"; fail "remapctl check"; }
grep -q "table: 536 remapped" "$T/check" || { cat "$T/check"; fail "remapctl check: 536 remapped"; }
$REMAPCTL dump "$spare" > "$T/dump"
grep -q "^535 535 $((535 * U)) $((DATA + 535 * U))$" "$T/dump" ||
	fail "remapctl dump: logical unit 535 on spare unit 535"
expect_refused "shrink below the units in use" "spare_len too small for the spare units the metadata uses" \
	dmsetup create ls --table "$(table $Ls)"
dmsetup remove ls 2>/dev/null || true

log "a spare_len whose slots would not fit in memory: refused before anything is written"
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
