#!/bin/bash
# timeout: 240
# The scrub checkpoint and the metadata scrub (issue 13; docs/dm-remap.rst,
# "Scrubbing"; docs/metadata-format.md, "Scrub checkpoint").  Main device: a
# loop device under a faultseq device (count-based read faults); spare: a
# loop device, so that remapctl reads its metadata and dd corrupts it.
#
#  K  a paused scrub, the device removed and created again: still paused,
#     at the very sector (remapctl check shows the checkpoint meanwhile);
#     resume goes on from there;
#  L  a running scrub, the device removed and created again: it goes on
#     from its checkpoint, not from zero: a unit that fails before it is
#     not read again, one after it is found; the pass ends at 100%;
#  M  the periodic checkpoint: the superblock's position moves while a
#     scrub runs, with no change of state;
#  N  a metadata copy corrupted under the live device (superblock B,
#     pending A, a slot block's B): the scrub rewrites each from the good
#     copy, counts them, and remapctl check says healthy;
#  O  volatile: the scrub works, its place does not survive removal.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"
source "$(dirname "$0")/lib-faultseq.sh"

U=8
REMAPCTL=$REPO/tools/remapctl/remapctl
mloop=$(new_loop 16)
spare=$(new_loop 4)
faultseq_dev fm "$mloop"
len=$(sectors "$mloop")
slen=$(sectors "$spare")
TABLE="0 $len remap /dev/mapper/fm 0 $spare 0 $slen 2 unit_sectors $U"
dm_create r "$TABLE"
dev=/dev/mapper/r
$SECTAG write $dev 0 "$len" 1 --direct

# wait_pos NAME SECTOR: until the scrub has passed SECTOR (20 s at most).
wait_pos() {
	local i
	for ((i = 0; i < 200; i++)); do
		(($(sc "$1" scrub_position) > $2)) && return 0
		sleep 0.1
	done
	fail "$1: the scrub did not pass sector $2 in 20 s (at $(sc "$1" scrub_position))"
}
# ckpt WORD: superblock counter WORD as it is on the spare device now.
ckpt() {
	blockdev --flushbufs "$spare"
	"$REMAPCTL" dump --json "$spare" | jq ".counters[$1]"
}
recreate() {
	dmsetup remove r && forget_dm r
	dm_create r "$TABLE"
}

# ---------------------------------------------------------------------
log "K: a paused scrub stays paused, at its sector, across remove and create"
msg r scrub_rate 512
msg r scrub start
wait_pos r 2048
msg r scrub pause
p=$(sc r scrub_position)
expect_eq "K: checkpoint on disk at pause" "$(ckpt 11) $(ckpt 13) $(ckpt 14)" "2 $p $len"
dmsetup remove r && forget_dm r
blockdev --flushbufs "$spare"
"$REMAPCTL" check "$spare" > "$T/check" || { cat "$T/check"; fail "K: remapctl check"; }
grep -q "scrub checkpoint: paused at sector $p of sectors 0-$((len - 1))" "$T/check" ||
	{ cat "$T/check"; fail "K: remapctl check does not show the checkpoint"; }
grep -q "status: healthy" "$T/check" || { cat "$T/check"; fail "K: not healthy"; }
mark=$(kmsg_mark)
dm_create r "$TABLE"
kmsg_since "$mark" | grep -q "$(devno r): scrub of sectors 0-$((len - 1)) paused at sector $p (checkpoint)" ||
	{ kmsg_since "$mark"; fail "K: no log line of the checkpoint"; }
expect_eq "K: after create" "$(status_of r scrub_state scrub_position scrub_end)" \
	"scrub_state=paused scrub_position=$p scrub_end=$len"
sleep 1
expect_eq "K: still paused" "$(sc r scrub_position)" "$p"
expect_refused "K: start while paused" "scrub start: a scrub is paused (scrub cancel first, or scrub resume)" msg r scrub start
# 64 KiB/s: a scrub that started again from 0 would need over 30 s to
# pass $p (wait_pos gives up after 20 s).
msg r scrub_rate 64
msg r scrub resume
wait_pos r "$p"
(($(sc r scrub_position) < p + 4096)) || fail "K: resumed at $(sc r scrub_position), not near $p"
msg r scrub cancel
expect_eq "K: cancelled, on disk" "$(ckpt 11)" 0

# ---------------------------------------------------------------------
log "L: a running scrub goes on from its checkpoint after remove and create"
msg r scrub_rate 1024
passes=$(sc r scrub_passes)
msg r scrub start
wait_pos r 12288
dmsetup suspend r
p=$(status_of r scrub_position | sed 's/.*=//')
((p < len - 2048)) || fail "L: the scrub went too far ($p of $len) to test"
expect_eq "L: checkpoint at presuspend" "$(ckpt 11) $(ckpt 13)" "1 $p"
dmsetup resume r
# A unit before the checkpoint, one after it: only the second is read.
before=$(((p / 2 / U) * U))
after=$((((p + len) / 2 / U) * U))
id1=$(faultseq_fail fm read "$before" 8 0 -1 medium)
id2=$(faultseq_fail fm read "$after" 8 0 -1 medium)
mark=$(kmsg_mark)
recreate
p2=$(kmsg_since "$mark" | sed -n "s/.*$(devno r): scrub of sectors 0-$((len - 1)) running at sector \([0-9]*\) (checkpoint).*/\1/p" | head -1)
[[ -n $p2 ]] || { kmsg_since "$mark"; fail "L: no log line of the checkpoint"; }
((p2 >= p && p2 < len)) || fail "L: went on from $p2, checkpointed at $p before the resume"
wait_idle r 60
expect_eq "L: one pass more, at 100%" "$(status_of r scrub_passes scrub_position scrub_end)" \
	"scrub_passes=$((passes + 1)) scrub_position=$len scrub_end=$len"
faultseq_expect fm "$id1" 0 0
read -r _ n2 <<<"$(faultseq_count fm "$id2")"
((n2 >= 1)) || fail "L: the unit at $after (past the checkpoint) was not read"
expect_eq "L: found past the checkpoint" "$(status_of r pending)" "pending=1"
faultseq_clear fm
$SECTAG write $dev "$after" 8 1 --direct
expect_eq "L: on disk: idle, a pass more" "$(ckpt 11) $(ckpt 9) $(ckpt 13)" "0 $((passes + 1)) $len"

# ---------------------------------------------------------------------
log "M: the checkpoint moves while a scrub runs"
msg r scrub_rate 256
msg r scrub start
sleep 1
c0=$(ckpt 13)
sleep 7
c1=$(ckpt 13)
expect_eq "M: no change of state" "$(sc r scrub_state)" running
((c1 > c0)) || fail "M: the superblock's position stayed at $c0 for 7 s"
log "M: the superblock's position went from $c0 to $c1 in 7 s"
msg r scrub cancel

# ---------------------------------------------------------------------
log "N: a corrupted metadata copy is rewritten by the scrub"
blockdev --flushbufs "$spare"
"$REMAPCTL" dump --json "$spare" > "$T/dump"
S=$(jq .slot_blocks "$T/dump")
P=$(jq .pending_blocks "$T/dump")
slot_b=$((2 + 2 * P + S))
# Superblock B (block 1), pending copy A (block 2), slot block 0 copy B.
# (A pass scrubs the metadata first, before its first checkpoint writes
# the superblock, which would rewrite both copies.)
for b in 1 2 "$slot_b"; do
	$DD if=/dev/urandom of="$spare" bs=4096 seek="$b" count=1 oflag=direct conv=notrunc status=none
done
blockdev --flushbufs "$spare"
"$REMAPCTL" check "$spare" > "$T/check" && { cat "$T/check"; fail "N: check finds nothing wrong after the corruption"; }
grep -q "status: repairable" "$T/check" || { cat "$T/check"; fail "N: not repairable"; }
rep0=$(sc r scrub_meta_repaired)
ev=$(events r)
mark=$(kmsg_mark)
msg r scrub_rate 0
msg r scrub start 0 8
wait_idle r 30
expect_eq "N: three copies rewritten" "$(($(sc r scrub_meta_repaired) - rep0))" 3
for b in 1 2 "$slot_b"; do
	kmsg_since "$mark" | grep -q "scrub: metadata block $b rewritten from its other copy" ||
		{ kmsg_since "$mark"; fail "N: no log line for block $b"; }
done
(($(events r) >= ev + 3)) || fail "N: events: start, the repairs and the end: $(($(events r) - ev))"
blockdev --flushbufs "$spare"
"$REMAPCTL" check "$spare" > "$T/check" || { cat "$T/check"; fail "N: remapctl check after the scrub"; }
grep -q "status: healthy" "$T/check" || { cat "$T/check"; fail "N: not healthy"; }
expect_eq "N: counted on disk" "$(ckpt 15)" "$(sc r scrub_meta_repaired)"
log "N: a second scrub finds nothing more"
msg r scrub start 0 8
wait_idle r 30
expect_eq "N: nothing more" "$(($(sc r scrub_meta_repaired) - rep0))" 3
$SECTAG verify $dev 0 "$len" 1 --direct || fail "N: the data"
log "N: a slot block wrong in both copies: nothing to rewrite it from, the metadata fails"
# The module keeps no slot table in memory (docs/metadata-format.md, "What
# the module keeps in memory"): such a block is known nowhere any more, so
# the scrub writes no guess; the table makes no further change.
slot_a=$((2 + 2 * P))
for b in "$slot_a" "$slot_b"; do
	$DD if=/dev/urandom of="$spare" bs=4096 seek="$b" count=1 oflag=direct conv=notrunc status=none
done
mark=$(kmsg_mark)
msg r scrub start 0 8
wait_idle r 30
kmsg_since "$mark" | grep -q "scrub: metadata block $slot_a is wrong in both copies, and a slot block is not kept in memory" ||
	{ kmsg_since "$mark"; fail "N: no log line for the slot block wrong in both copies"; }
expect_eq "N: the metadata failed" "$(status_of r metadata)" "metadata=failed"
$SECTAG verify $dev 0 "$len" 1 --direct || fail "N: the data, metadata failed"

# ---------------------------------------------------------------------
log "O: volatile: the scrub's place does not survive removal"
m2=$(new_loop 8)
s2=$(new_loop 1)
VT="0 $(sectors "$m2") remap $m2 0 $s2 0 $(sectors "$s2") 3 unit_sectors $U volatile"
dm_create v "$VT"
msg v scrub_rate 0
msg v scrub start
wait_idle v 30
expect_eq "O: a pass, no metadata" "$(sc v scrub_passes) $(sc v scrub_meta_repaired)" "1 0"
msg v scrub_rate 256
msg v scrub start
msg v scrub pause
dmsetup remove v && forget_dm v
dm_create v "$VT"
expect_eq "O: forgotten" "$(status_of v scrub_state scrub_passes)" "scrub_state=idle scrub_passes=0"
dmsetup remove v && forget_dm v

$SECTAG verify $dev 0 "$len" 1 --direct || fail "every unit holds what was written"
expect_eq "no user error" "$(status_of r uncorrectable lost)" "uncorrectable=0 lost=0"
echo "scrub-persist: ok"
