#!/bin/bash
# timeout: 240
# A scrub of a 64 GiB null_blk without data (memory_backed 0: reads
# complete at once, nothing is stored) ends, at 100% (issue 13).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"

modprobe null_blk nr_devices=0
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
nb=/sys/kernel/config/nullb/scrubbig
cleanup_nullb() { echo 0 > "$nb/power" 2>/dev/null || true; rmdir "$nb" 2>/dev/null || true; }
trap 'cleanup; cleanup_nullb' EXIT
mkdir "$nb"
echo 0 > "$nb/memory_backed"
echo $((64 * 1024)) > "$nb/size"
echo 512 > "$nb/blocksize"
echo 1 > "$nb/power"
[[ -b /dev/scrubbig ]] || fail "no /dev/scrubbig"

# ---------------------------------------------------------------------
log "R: a scrub of a 64 GiB null_blk (no data) ends at 100%"
big=/dev/scrubbig
blen=$(sectors $big)
s2=$(new_loop 4)
dm_create rb "0 $blen remap $big 0 $s2 0 $(sectors "$s2") 2 unit_sectors 2048"
msg rb scrub_rate 0
t0=$(date +%s.%N)
msg rb scrub start
wait_idle rb 240
t1=$(date +%s.%N)
expect_eq "R" "$(status_of rb scrub_state scrub_passes scrub_position scrub_end scrub_read_errors)" \
	"scrub_state=idle scrub_passes=1 scrub_position=$blen scrub_end=$blen scrub_read_errors=0"
log "R: $((blen / 2097152)) GiB scrubbed in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f s, %.0f MiB/s", b - a, '"$blen"' / 2048 / (b - a)}') (1 MiB units, 1 MiB reads)"
dmsetup remove rb && forget_dm rb
echo "scrub-large: ok"
