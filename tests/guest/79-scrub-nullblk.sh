#!/bin/bash
# timeout: 240
# The scrubber over null_blk, whose errors come from a real block driver
# (configfs badblocks: reads of those sectors fail with an I/O error), not
# from device-mapper (issue 13; docs/dm-remap.rst, "Scrubbing"):
#
#  P  bad blocks under written units: one scrub finds each, makes it
#     pending, and no user read was needed (uncorrectable_reads 0); a write
#     then remaps it;
#  Q  a unit that fails once and then reads (its bad blocks are cleared
#     between the scrub's failed read and the retry, which waits for the
#     device's lock, held by a remap over a slow spare): relocated with its
#     bytes.
# (79-scrub-large: a 64 GiB null_blk.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"

U=8
modprobe null_blk nr_devices=0
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
nbs=()
cleanup_nullb() {
	local nb
	for nb in "${nbs[@]}"; do
		echo 0 > "$nb/power" 2>/dev/null || true
		rmdir "$nb" 2>/dev/null || true
	done
}
trap 'cleanup; cleanup_nullb' EXIT
# new_nullb NAME SIZE_MB MEMORY_BACKED: a configfs null_blk, /dev/NAME.
new_nullb() {
	local nb=/sys/kernel/config/nullb/$1
	mkdir "$nb"
	nbs+=("$nb")
	echo "$3" > "$nb/memory_backed"
	echo "$2" > "$nb/size"
	echo 512 > "$nb/blocksize"
	echo 1 > "$nb/power"
	[[ -b /dev/$1 ]] || fail "no /dev/$1"
}

# ---------------------------------------------------------------------
log "P: bad blocks under written units: pending after a scrub, no user read"
new_nullb scrubnb 16 1
nb=/sys/kernel/config/nullb/scrubnb
ndev=/dev/scrubnb
len=$(sectors $ndev)
s1=$(new_loop 4)
dm_create d1 "0 $(sectors "$s1") delay $s1 0 0 $s1 0 0"
$SECTAG write $ndev 0 "$len" 1 --direct
for r in 2000-2007 6000-6007 20000-20003; do
	echo "+$r" > "$nb/badblocks"
done
if $DD if=$ndev of=/dev/null bs=4096 skip=250 count=1 iflag=direct status=none 2>/dev/null; then
	fail "null_blk read of a bad block succeeded: the simulation does not work"
fi
dm_create rz "0 $len remap $ndev 0 /dev/mapper/d1 0 $(sectors "$s1") 2 unit_sectors $U"
mark=$(kmsg_mark)
msg rz scrub_rate 0
msg rz scrub start
wait_idle rz 60
expect_eq "P" "$(status_of rz pending scrub_pending remapped uncorrectable lost scrub_passes)" \
	"pending=3 scrub_pending=3 remapped=0 uncorrectable=0 lost=0 scrub_passes=1"
for r in 2000-2007 6000-6007 20000-20007; do
	kmsg_since "$mark" | grep -q "$(devno rz): scrub: sectors $r unreadable after 3 retries; pending until written" ||
		{ kmsg_since "$mark"; fail "P: no log line for sectors $r"; }
done
$SECTAG write /dev/mapper/rz 2000 8 2 --direct || fail "P: the write to a pending unit"
$SECTAG verify /dev/mapper/rz 2000 8 2 --direct || fail "P: read back"
expect_eq "P: the write remapped it" "$(status_of rz pending remapped)" "pending=2 remapped=1"

# ---------------------------------------------------------------------
log "Q: a unit that fails once and then reads is relocated with its bytes"
X=10000
echo "+$X-$((X + 7))" > "$nb/badblocks"
# The remap writes to the slow spare (5 s a write) under the device's lock.
dmsetup reload d1 --table "0 $(sectors "$s1") delay $s1 0 0 $s1 0 5000"
dmsetup suspend d1 && dmsetup resume d1
msg rz remap 12000 &
mpid=$!
sleep 0.5
re=$(sc rz scrub_read_errors)
msg rz scrub start $X 8
for ((i = 0; i < 100; i++)); do
	(($(sc rz scrub_read_errors) > re)) && break
	sleep 0.05
done
(($(sc rz scrub_read_errors) > re)) || fail "Q: the scrub's read of $X did not fail"
kill -0 $mpid 2>/dev/null || fail "Q: the remap ended before the bad blocks were cleared: no race"
echo "-$X-$((X + 7))" > "$nb/badblocks"
# The spare fast again (a suspend of dm-delay sends what it holds at once).
dmsetup reload d1 --table "0 $(sectors "$s1") delay $s1 0 0 $s1 0 0"
dmsetup suspend d1 && dmsetup resume d1
wait $mpid || fail "Q: the remap message failed"
wait_idle rz 30
expect_eq "Q" "$(status_of rz scrub_relocated remapped uncorrectable)" \
	"scrub_relocated=1 remapped=3 uncorrectable=0"
s=$(msg rz list | awk -v u=$X '$1 == u {print $2}')
[[ -n $s ]] || fail "Q: $X not relocated: $(msg rz list)"
$SECTAG verify "$s1" "$s" 8 1 $X --direct || fail "Q: the relocated bytes on the spare"
$SECTAG verify /dev/mapper/rz $((X - 8)) 24 1 --direct || fail "Q: read back through the target"
$SECTAG verify /dev/mapper/rz 0 2000 1 --direct || fail "Q: good sectors"
$SECTAG verify /dev/mapper/rz 2008 3992 1 --direct || fail "Q: good sectors"
dmsetup remove rz d1 && forget_dm rz && forget_dm d1

echo "scrub-nullblk: ok"
