#!/bin/bash
# timeout: 900
# Crash consistency, for real: every write the spare device received during
# a workload of remaps, range remaps, unremaps and a clear is recorded with
# dm-log-writes, then replayed one write at a time onto a blank image.  At
# every write boundary (a power cut right after that write) the image must
# load (read-only, nothing repaired), hold every remap acknowledged before
# that point and nothing an unfinished operation could not explain, give no
# spare unit to two logical units, and read back every sector intact.
source "$(dirname "$0")/lib.sh"
modprobe dm-log-writes

main=$(new_loop 16)
spare=$(new_loop 4)
logdev=$(new_loop 128)
len=$(sectors "$main")
slen=$(sectors "$spare")
$SECTAG write "$main" 0 "$len" 7 --direct
dm_create lw "0 $slen log-writes $spare $logdev"
dm_create rc "0 $len remap $main 0 /dev/mapper/lw 0 $slen 2 unit_sectors 8"

state() { msg rc list | cut -d' ' -f1 | sort > "$T/state.$1"; }
ops=("remap 0" "remap 800" "remap 808 16" "remap 4000 80" "unremap 800"
	"remap 20000" "remap 30000 160" "unremap 4000 40" "remap 800"
	"remap 12000 8" "unremap 30000 160" "clear" "remap 5" "remap 31000 240")
state 0
dmsetup message lw 0 mark op0
for i in "${!ops[@]}"; do
	# shellcheck disable=SC2086
	msg rc ${ops[i]}
	state $((i + 1))
	dmsetup message lw 0 mark op$((i + 1))
done
log "${#ops[@]} operations acknowledged; $(wc -l < "$T/state.${#ops[@]}") units remapped at the end"
dmsetup remove rc && forget_dm rc
dmsetup remove lw && forget_dm lw

truncate -s $((slen * 512)) "$T/img"
img=$(losetup -f --show "$T/img")
_loops+=("$img")
# The check at every crash point: tests/guest/lib-replay-check.sh.  Before
# the first mark the new metadata area may not be written yet.
export CHK_DIR=$T CHK_LEN=$len CHK_SECTAG=$SECTAG CHK_EARLY_REFUSAL=1 \
	CHK_TABLE="0 $len remap $main 0 $img 0 $slen 2 unit_sectors 8"
log "replaying the spare's writes one at a time"
python3 "$REPO/tests/tools/logreplay.py" "$logdev" "$T/img" "$REPO/tests/guest/lib-replay-check.sh" | tee "$T/replay"
n=$(awk '{print $1}' "$T/replay")
((n >= 50)) || fail "only $n prefixes checked"
echo "crash replay: ok ($n crash points)"
