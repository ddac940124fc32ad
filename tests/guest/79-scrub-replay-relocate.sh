#!/bin/bash
# timeout: 300
# Crash consistency of the scrub's findings (issue 13): replayed at every
# write while the scrub relocates two units that fail twice and then read,
# and rewrites a corrupted copy of a slot block (lib-scrub-replay.sh says
# what every prefix must satisfy; 79-scrub-replay does the checkpoints).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-scrub-replay.sh"

srp_setup
srp_mark 0
# 1-2: units that fail twice and then read: relocated by the scrub.
msg rc scrub_rate 0
op=1
for x in 4000 12000; do
	faultseq_fail fm read "$x" 8 0 2 medium >/dev/null
	msg rc scrub start $((x - 64)) 128
	wait_idle rc 60
	faultseq_clear fm
	srp_mark $op
	op=$((op + 1))
done
expect_eq "relocated" "$(stat_of rc scrub_relocated)" 2
# 3: a slot block's copy B corrupted (through log-writes, so the replay
# has it too); a scrub rewrites it.
blockdev --flushbufs "$srp_spare"
"$REPO"/tools/remapctl/remapctl dump --json "$srp_spare" > "$T/dump"
slot_b=$((2 + 2 * $(jq .pending_blocks "$T/dump") + $(jq .slot_blocks "$T/dump")))
$DD if=/dev/urandom of=/dev/mapper/lw bs=4096 seek="$slot_b" count=1 oflag=direct conv=notrunc status=none
srp_mark 3
msg rc scrub start 0 8
wait_idle rc 60
expect_eq "repaired" "$(stat_of rc scrub_meta_repaired)" 1
srp_mark 4
srp_replay 8 2
