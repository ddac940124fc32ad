#!/bin/bash
# timeout: 600
# Crash consistency of the scrubber (issue 13), as 51 and 52 do it for
# messages and the error path: the spare's writes are recorded with
# dm-log-writes while a scrub checkpoints (periodically, at pause, resume
# and cancel), relocates units that fail and then read, and rewrites a
# corrupted metadata copy; then they are replayed one write at a time.  At
# every write boundary the image must load read-only, name no logical unit
# and no spare sector twice, hold every relocation acknowledged before that
# point, read back every sector intact, pass remapctl check (repairable at
# worst) and hold a consistent scrub checkpoint.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-faultseq.sh"
modprobe dm-log-writes

U=8
main=$(new_loop 8)
spare=$(new_loop 4)
logdev=$(new_loop 64)
len=$(sectors "$main")
slen=$(sectors "$spare")
$SECTAG write "$main" 0 "$len" 7 --direct
faultseq_dev fm "$main"

log "setup, not recorded: the metadata formatted, 2 units remapped"
dm_create rc "0 $len remap /dev/mapper/fm 0 $spare 0 $slen 2 unit_sectors $U"
msg rc remap 0 16
dmsetup remove rc && forget_dm rc
$DD if="$spare" of="$T/img" bs=1M iflag=direct status=none

log "recorded: the scrubber at work"
dm_create lw "0 $slen log-writes $spare $logdev"
dm_create rc "0 $len remap /dev/mapper/fm 0 /dev/mapper/lw 0 $slen 2 unit_sectors $U"
sc() { stat_of rc "$1"; }
stat_of() { msg "$1" stats | awk -v k="$2" '$1 == k {print $2}'; }
wait_idle() {
	local i
	for ((i = 0; i < 600; i++)); do
		[[ $(sc scrub_state) == idle ]] && return 0
		sleep 0.1
	done
	fail "the scrub did not finish within 60 s"
}
state() { msg rc list | cut -d' ' -f1 | sort > "$T/state.$1"; }
mark() { state "$1"; dmsetup message lw 0 mark "op$1"; }
mark 0
# 1: a slow scrub, checkpointed every 5 s, paused.
msg rc scrub_rate 256
msg rc scrub start
sleep 6
msg rc scrub pause
(($(sc scrub_position) > 0)) || fail "the scrub did not move"
mark 1
# 2: resumed, then cancelled.
msg rc scrub resume
msg rc scrub cancel
mark 2
# 3-4: units that fail twice and then read: relocated by the scrub.
msg rc scrub_rate 0
op=3
for x in 4000 12000; do
	faultseq_fail fm read "$x" 8 0 2 medium >/dev/null
	msg rc scrub start $((x - 64)) 128
	wait_idle
	faultseq_clear fm
	mark $op
	op=$((op + 1))
done
expect_eq "relocated" "$(stat_of rc scrub_relocated)" 2
# 5: a slot block's copy B corrupted (through log-writes, so the replay
# has it too); a scrub rewrites it.
blockdev --flushbufs "$spare"
"$REPO"/tools/remapctl/remapctl dump --json "$spare" > "$T/dump"
slot_b=$((2 + 2 * $(jq .pending_blocks "$T/dump") + $(jq .slot_blocks "$T/dump")))
$DD if=/dev/urandom of=/dev/mapper/lw bs=4096 seek="$slot_b" count=1 oflag=direct conv=notrunc status=none
mark 5
msg rc scrub start 0 8
wait_idle
expect_eq "repaired" "$(stat_of rc scrub_meta_repaired)" 1
mark 6
# 7: a whole pass, running at the end (a remove checkpoints it).
msg rc scrub_rate 1024
msg rc scrub start
mark 7
dmsetup remove rc && forget_dm rc
dmsetup remove lw && forget_dm lw

img=$(losetup -f --show "$T/img")
_loops+=("$img")
export CHK_DIR=$T CHK_LEN=$len CHK_SECTAG=$SECTAG CHK_REMAPCTL_IMG=$img \
	CHK_REMAPCTL=$REPO/tools/remapctl/remapctl CHK_SCRUB=1 \
	CHK_TABLE="0 $len remap $main 0 $img 0 $slen 2 unit_sectors $U"
log "replaying the spare's writes one at a time"
python3 "$REPO/tests/tools/logreplay.py" "$logdev" "$T/img" "$REPO/tests/guest/lib-replay-check.sh" | tee "$T/replay"
n=$(awk '{print $1}' "$T/replay")
((n >= 20)) || fail "only $n prefixes checked"
seen=$(wc -l < "$T/scrubbing" 2>/dev/null || echo 0)
((seen >= 4)) || fail "only $seen prefixes with a running or paused scrub checkpoint"
echo "crash replay of the scrubber: ok ($n crash points, $seen with a scrub running or paused)"
