# shellcheck shell=bash
# lib-scrub-replay.sh - crash replay of the scrubber (79-scrub-replay*),
# as 51 and 52 do it for messages and the error path: the spare's writes
# are recorded with dm-log-writes while a scrub works, then replayed one
# write at a time.  At every write boundary the image must load read-only,
# name no logical unit and no spare sector twice, hold every relocation
# acknowledged before that point, read back every sector intact, pass
# remapctl check (repairable at worst) and hold a consistent scrub
# checkpoint (lib-replay-check.sh).
#
# srp_setup: formats the metadata and remaps 2 units (not recorded), then
# creates "rc" (main: faultseq "fm" over a loop device; spare: log-writes
# "lw" over a loop device).  The test then works on rc, calling srp_mark N
# at each point whose state it wants the replay to check, and ends with
# srp_replay MIN_PREFIXES MIN_SCRUBBING.
source "$(dirname "$0")/lib-faultseq.sh"
source "$(dirname "$0")/lib-baddisk.sh"
modprobe dm-log-writes

U=8
srp_setup() {
	srp_main=$(new_loop 8)
	srp_spare=$(new_loop 4)
	srp_log=$(new_loop 64)
	len=$(sectors "$srp_main")
	slen=$(sectors "$srp_spare")
	$SECTAG write "$srp_main" 0 "$len" 7 --direct
	faultseq_dev fm "$srp_main"

	log "setup, not recorded: the metadata formatted, 2 units remapped"
	dm_create rc "0 $len remap /dev/mapper/fm 0 $srp_spare 0 $slen 2 unit_sectors $U"
	msg rc remap 0 16
	dmsetup remove rc && forget_dm rc
	$DD if="$srp_spare" of="$T/img" bs=1M iflag=direct status=none

	log "recorded: the scrubber at work"
	dm_create lw "0 $slen log-writes $srp_spare $srp_log"
	dm_create rc "0 $len remap /dev/mapper/fm 0 /dev/mapper/lw 0 $slen 2 unit_sectors $U"
}

# srp_mark N: a replay point; the list of remapped units there is kept.
srp_mark() {
	msg rc list | cut -d' ' -f1 | sort > "$T/state.$1"
	dmsetup message lw 0 mark "op$1"
}

# srp_replay MIN_PREFIXES MIN_SCRUBBING: remove the devices and replay.
srp_replay() {
	local img n seen
	dmsetup remove rc && forget_dm rc
	dmsetup remove lw && forget_dm lw
	img=$(losetup -f --show "$T/img")
	_loops+=("$img")
	export CHK_DIR=$T CHK_LEN=$len CHK_SECTAG=$SECTAG CHK_REMAPCTL_IMG=$img \
		CHK_REMAPCTL=$REPO/tools/remapctl/remapctl CHK_SCRUB=1 \
		CHK_TABLE="0 $len remap $srp_main 0 $img 0 $slen 2 unit_sectors $U"
	log "replaying the spare's writes one at a time"
	python3 "$REPO/tests/tools/logreplay.py" "$srp_log" "$T/img" \
		"$REPO/tests/guest/lib-replay-check.sh" | tee "$T/replay"
	n=$(awk '{print $1}' "$T/replay")
	((n >= $1)) || fail "only $n prefixes checked"
	seen=$(wc -l < "$T/scrubbing" 2>/dev/null || echo 0)
	((seen >= $2)) || fail "only $seen prefixes with a running or paused scrub checkpoint"
	echo "crash replay of the scrubber: ok ($n crash points, $seen with a scrub running or paused)"
}
