#!/bin/bash
# The persistent remap table (docs/metadata-format.md): remaps survive
# reloads and module reloads; a bit flip or torn write in one copy of any
# kind of block loses nothing and is repaired; each kind of bad or
# mismatched metadata is refused with its own message and nothing written;
# the spare pool grows with a reload.
source "$(dirname "$0")/lib.sh"
META="python3 $REPO/tests/tools/metatool.py"

main=$(new_loop 16 --sector-size 4096)
spare=$(new_loop 4 --sector-size 4096)
len=$(sectors "$main")
slen=$(sectors "$spare")
U=8
table="0 $len remap $main 0 $spare 0 $slen"
dev=/dev/mapper/rp

log "format a blank spare, remap four units, write tagged data"
dm_create rp "$table"
expect_eq "metadata state" "$(field_of rp metadata)" ok
$SECTAG write $dev 0 "$len" 4 --direct
for s in 0 800 808 $((len - 1)); do msg rp remap "$s"; done
L1=$(msg rp list)
expect_eq "remapped" "$(field_of rp remapped_units)" 4

# Layout, from the superblock (docs: "Layout").
P=$($META get "$spare" 0 0 112 8)
S=$($META get "$spare" 0 0 120 8)
DATA=$($META get "$spare" 0 0 96 8)
META_BLOCKS=$($META get "$spare" 0 0 88 8)
PA=2 PB=$((2 + P)) SA=$((2 + 2 * P)) SB=$((2 + 2 * P + S))
expect_eq "spare unit 0 follows the metadata" "$(head -1 <<<"$L1" | cut -d' ' -f2)" "$DATA"
log "layout: $META_BLOCKS blocks, pending at $PA/$PB, slots at $SA/$SB, data at sector $DATA"

# reopen: remove and create again; the remaps must come back intact.
reopen() {
	dmsetup remove rp
	forget_dm rp
	dm_create rp "$table"
}
check_same() {
	expect_eq "$1: list" "$(msg rp list)" "$L1"
	$SECTAG verify $dev 0 "$len" 4 --direct || fail "$1: data"
}
meta_sum() { $DD if="$spare" bs=4096 count="$META_BLOCKS" iflag=direct status=none | md5sum; }

log "reload, suspend/resume, remove and create, rmmod and insmod"
dmsetup reload rp --table "$table" && dmsetup resume rp
check_same "after reload"
reopen
check_same "after re-create"
dmsetup remove rp && forget_dm rp
rmmod dm_remap && insmod "${DM_REMAP_KO:-$REPO/dm_remap.ko}"
dm_create rp "$table"
check_same "after rmmod/insmod"
dmsetup remove rp && forget_dm rp
$REPO/tools/remapctl/remapctl check "$spare" > "$T/check" ||
	{ cat "$T/check"; fail "remapctl check of a clean area"; }

log "a bit flip in one copy of each kind of block: loaded from the other, repaired"
for b in 0 1 $PA $PB $SA $SB; do
	$META flip "$spare" 0 "$b" 100
	dm_create rp "$table"
	check_same "flip in block $b"
	dmsetup remove rp && forget_dm rp
	$REPO/tools/remapctl/remapctl check "$spare" > "$T/check" ||
		{ cat "$T/check"; fail "block $b not repaired"; }
done

log "torn writes: half a slot block from the new version"
# The new version must differ from the old in both halves of the block, or
# any tear would equal one of them: 260 more units fill slots 4..263, and
# slot 252 starts at byte 32 + 252 * 8 = 2048.
save() { $DD if="$spare" of="$T/$1" bs=4096 skip="$2" count=1 iflag=direct status=none; }
put() { $DD if="$T/$1" of="$spare" bs=4096 seek="$2" conv=notrunc oflag=direct status=none; }
save oldA "$SA"; save oldB "$SB"
dm_create rp "$table"
msg rp remap 16000 $((260 * U))
L2=$(msg rp list)
dmsetup remove rp && forget_dm rp
save newA "$SA"; save newB "$SB"
cmp -s <(tail -c 2048 "$T/oldA") <(tail -c 2048 "$T/newA") &&
	fail "the new slot block does not differ in its second half"
{ head -c 2048 "$T/newA"; tail -c 2048 "$T/oldA"; } > "$T/tornA"
{ head -c 2048 "$T/newB"; tail -c 2048 "$T/oldB"; } > "$T/tornB"
# Crash while copy A was being written: A torn, B still old.
put tornA "$SA"; put oldB "$SB"
dm_create rp "$table"
expect_eq "A torn, B old: the old table" "$(msg rp list)" "$L1"
dmsetup remove rp && forget_dm rp
# Crash while copy B was being written: A new and durable, B torn.
put newA "$SA"; put tornB "$SB"
dm_create rp "$table"
expect_eq "A new, B torn: the new table" "$(msg rp list)" "$L2"
msg rp unremap 16000 $((260 * U))
check_same "after the torn writes"
dmsetup remove rp && forget_dm rp

log "a live commit reads its slot block back: a stale copy A is not used"
# The module keeps no slot table in memory (docs/metadata-format.md, "What
# the module keeps in memory"): a commit reads the changed block back.  A
# copy A that lost the last commit's write (valid, an older seq) must not
# be taken for the block's contents: the next commit would write the first
# commit's change away.
junk() { $DD if=/dev/urandom of="$spare" bs=4096 seek="$1" count=1 oflag=direct conv=notrunc status=none; }
dm_create rp "$table"
save staleA "$SA"
msg rp remap 1600
put staleA "$SA"		# as if the device had lost that write of copy A
msg rp remap 2400
L3=$(msg rp list)
expect_eq "six remapped" "$(field_of rp remapped_units)" 6
log "and a copy A that cannot be decoded: copy B is used"
junk "$SA"
msg rp unremap 2400
L4=$(msg rp list)
expect_eq "five remapped" "$(field_of rp remapped_units)" 5
expect_eq "metadata still ok" "$(field_of rp metadata)" ok
reopen
expect_eq "both commits on disk after the stale copy A" "$(msg rp list)" "$L4"
grep -q "1600 " <<<"$L3" || fail "unit 1600 was not in the list"
log "both copies of the block bad under a live table: nothing written, the metadata fails"
save goodA "$SA"; save goodB "$SB"
junk "$SA"; junk "$SB"
expect_refused "a commit of a block wrong in both copies" \
	"metadata slot block 0: neither copy holds what its last commit wrote" msg rp remap 3200
expect_eq "metadata failed" "$(field_of rp metadata)" failed
expect_eq "the live table unchanged" "$(msg rp list)" "$L4"
dmsetup remove rp && forget_dm rp
put goodA "$SA"; put goodB "$SB"
dm_create rp "$table"
expect_eq "the old state, as before the failed commit" "$(msg rp list)" "$L4"
msg rp unremap 1600
check_same "after the read-back checks"
dmsetup remove rp && forget_dm rp

log "bad or mismatched metadata: each refused with its message, nothing written"
$DD if="$spare" of="$T/good" bs=4096 count="$META_BLOCKS" iflag=direct status=none
restore() { $DD if="$T/good" of="$spare" bs=4096 conv=notrunc oflag=direct status=none; }
# refused TEXT TABLE: creating with TABLE fails with TEXT, metadata unchanged.
refused() {
	local sum
	sum=$(meta_sum)
	expect_refused "$1" "$1" dmsetup create rp --table "$2"
	dmsetup remove rp 2>/dev/null || true
	expect_eq "$1: nothing written" "$(meta_sum)" "$sum"
	restore
}
head -c 8192 /dev/urandom | $DD of="$spare" bs=4096 conv=notrunc oflag=direct status=none
refused "Spare area holds foreign data, not dm-remap metadata" "$table"
$META flip "$spare" 0 0 200 && $META flip "$spare" 0 1 200
refused "Both metadata superblock copies are corrupt" "$table"
# Version 3: versions 1 and 2 are known (docs/metadata-format.md).
$META set "$spare" 0 0 48 4 3 && $META set "$spare" 0 1 48 4 3
refused "Unsupported metadata version" "$table"
refused "Metadata unit size differs from the table's" "$table 2 unit_sectors 16"
main2=$(new_loop 20 --sector-size 4096)
refused "Main device size differs from the one the metadata was formatted for" \
	"0 $len remap $main2 0 $spare 0 $slen"
$DD if="$T/good" of="$spare" bs=4096 seek=16 conv=notrunc oflag=direct status=none
refused "Metadata was formatted for another spare_start" \
	"0 $len remap $main 0 $spare 128 $((slen - 128))"
$META flip "$spare" 0 "$SA" 300 && $META flip "$spare" 0 "$SB" 300
refused "Metadata block corrupt in both copies" "$table"
# Spare unit 1's slot names the logical unit of spare unit 0, in both copies.
v=$($META get "$spare" 0 "$SA" 32 8)
$META set "$spare" 0 "$SA" 40 8 "$v" && $META set "$spare" 0 "$SB" 40 8 "$v"
refused "Metadata maps one logical unit to two spare units" "$table"
refused "Metadata remaps a unit beyond the target's length" \
	"0 $((len / 2)) remap $main 0 $spare 0 $slen"
truncate -s 8M "$(losetup -nO BACK-FILE "$spare")" && losetup -c "$spare"
refused "spare_len beyond the metadata's slot capacity" \
	"0 $len remap $main 0 $spare 0 $((2 * slen))"
dm_create rp "$table"
check_same "after all the refusals"
dmsetup remove rp && forget_dm rp

log "the spare pool grows with a reload, within the slot capacity"
$DD if=/dev/zero of="$spare" bs=4096 count="$META_BLOCKS" conv=notrunc oflag=direct status=none
small="0 $len remap $main 0 $spare 0 $((slen / 2))"
dm_create rp "$small"
DATA=$($META get "$spare" 0 0 96 8)	# the spare device grew: a new layout
msg rp remap 0 $((8 * U))
before=$(msg rp list)
total1=$(field_of rp spare)
dmsetup reload rp --table "$table" && dmsetup resume rp
total2=$(field_of rp spare)
expect_eq "remaps kept" "$(msg rp list)" "$before"
expect_eq "units added" "$(( ${total2#*/} - ${total1#*/} ))" $(( slen / 2 / U ))
expect_refused "shrink below a used unit" "below a spare unit in use" \
	dmsetup reload rp --table "0 $len remap $main 0 $spare 0 $((DATA + 4 * U))"
reopen
expect_eq "remaps after re-create with the grown spare" "$(msg rp list)" "$before"
echo "persistence: ok"
