#!/bin/bash
# timeout: 300
# The scrubber against user I/O (issue 13; docs/dm-remap.rst, "Scrubbing"):
#  H  defect 2 of issue 12 for the scrubber: a write acknowledged between
#     the scrub's read of a failing unit and its relocation is not lost
#     (the finding waits for st->lock, held by a remap over a slow spare);
#  I  fio verify=crc32c writing while a scrub finds and relocates units:
#     no verify error; and the back-off: while a reader is busy the scrub
#     slows to about 1 MiB/s.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"
source "$(dirname "$0")/lib-faultseq.sh"

U=8

mloop=$(new_loop 16)
sloop=$(new_loop 4)
faultseq_dev fm "$mloop"
len=$(sectors "$mloop")
slen=$(sectors "$sloop")
dm_create r "0 $len remap /dev/mapper/fm 0 $sloop 0 $slen 2 unit_sectors $U"
dev=/dev/mapper/r
$SECTAG write $dev 0 "$len" 1 --direct

# ---------------------------------------------------------------------
log "H: a write acknowledged between the scrub's read and its relocation is kept"
# A remap message over a spare whose writes take 8 s holds st->lock; the
# scrub's read of X fails meanwhile and its finding waits for the lock; a
# write of tag 2 to X is acknowledged (the unit is not held yet); then the
# finding reads X again, held, and relocates it: X must hold tag 2.
m2=$(new_loop 8)
s2=$(new_loop 2)
faultseq_dev fm2 "$m2"
dm_create d2 "0 $(sectors "$s2") delay $s2 0 0 $s2 0 8000 $s2 0 0"
l2=$(sectors "$m2")
dm_create r2 "0 $l2 remap /dev/mapper/fm2 0 /dev/mapper/d2 0 $(sectors "$s2") 3 unit_sectors $U volatile"
X=4000
$SECTAG write /dev/mapper/r2 0 "$l2" 1 --direct
msg r2 scrub_rate 0
faultseq_fail fm2 read "$X" 8 0 1 medium >/dev/null
msg r2 remap 6000 &
mpid=$!
sleep 0.5
msg r2 scrub start "$X" 8
sleep 0.5
read -r _ nfail <<<"$(faultseq_count fm2 0)"
((nfail == 1)) || fail "H: the scrub's read of X did not fail ($(faultseq_count fm2 0))"
$SECTAG write /dev/mapper/r2 $((X + 3)) 1 2 --direct || fail "H: the write of tag 2"
kill -0 $mpid 2>/dev/null || fail "H: the remap message ended before the write: no race"
wait $mpid || fail "H: the remap message failed"
wait_idle r2 30
expect_eq "H" "$(status_of r2 scrub_relocated remapped)" "scrub_relocated=1 remapped=2"
$SECTAG verify /dev/mapper/r2 $((X + 3)) 1 2 --direct || fail "H: the acknowledged write of tag 2 is lost"
$SECTAG verify /dev/mapper/r2 "$X" 3 1 --direct || fail "H: the rest of the unit"
$SECTAG verify /dev/mapper/r2 $((X + 4)) 4 1 --direct || fail "H: the rest of the unit"
dmsetup remove r2 d2 fm2 && forget_dm r2 && forget_dm d2 && forget_dm fm2

# ---------------------------------------------------------------------
log "I: fio verify=crc32c writes while the scrub finds and relocates units"
# The dm device's completed reads and writes (/sys/block/dm-N/stat).
minor=$(dmsetup info -c --noheadings -o minor r | tr -d ' ')
io_done() { awk -v f="$1" '{print $f}' "/sys/block/dm-$minor/stat"; }
# wait_io FIELD: until the device has done 10 more of those (fio started).
wait_io() {
	local n0 i
	n0=$(io_done "$1")
	for ((i = 0; i < 600; i++)); do
		(($(io_done "$1") > n0 + 10)) && return 0
		sleep 0.1
	done
	fail "I: fio did no I/O in 60 s"
}
# fio writes (and reads back: verify_backlog) sectors 9728-17919 for 15 s;
# the scrub covers 9728-26111 at the busy rate.  Units that fail twice and
# then read lie in fio's range (fio's reads may meet them first: the error
# path relocates them then) and past it (only the scrub meets them).
for s in 10000 12000 18000 20000 24000; do
	faultseq_fail fm read "$s" 8 0 2 medium >/dev/null
done
rel0=$(sc r scrub_relocated)
fio --name=v --filename=$dev --direct=1 --ioengine=libaio --iodepth=4 \
	--rw=randwrite --bs=4k --offset=$((9728 * 512)) --size=4M \
	--time_based --runtime=15 --verify=crc32c --verify_backlog=64 \
	--verify_fatal=1 --output="$T/fio.out" &
fpid=$!
wait_io 5
msg r scrub start 9728 16384
wait $fpid || { cat "$T/fio.out"; fail "I: fio verify failed"; }
during=$(($(sc r scrub_relocated) - rel0))
busy_pos=$(sc r scrub_position)
wait_idle r 120
rel=$(($(sc r scrub_relocated) - rel0))
log "I: when fio ended the scrub was at sector $busy_pos and had relocated $during units; $rel in all; $(status_of r auto_remaps remapped)"
grep -E "verify|err=" "$T/fio.out" | head -3
((during >= 3)) || fail "I: $during units relocated by the scrub while fio wrote, want 3 or more"
# Every fault was met by the scrub or by one of fio's reads.
expect_eq "I: every failing unit relocated" "$(msg r list | awk '$1 >= 10000 && $1 <= 24000' | wc -l)" 5
$SECTAG verify $dev 17920 8192 1 --direct || fail "I: the units the scrub relocated past fio's range"
faultseq_clear fm

log "I: the back-off: while a reader is busy the scrub slows to about 1 MiB/s"
# On a device of its own, 64 MiB: a minute of scrubbing at 1 MiB/s, while
# a guest under TCG may take seconds a dmsetup command.
mb=$(new_loop 64)
sb=$(new_loop 1)
lb=$(sectors "$mb")
dm_create rb "0 $lb remap $mb 0 $sb 0 $(sectors "$sb") 3 unit_sectors $U volatile"
minor=$(dmsetup info -c --noheadings -o minor rb | tr -d ' ')
msg rb scrub_rate 0
fio --name=fg --filename=/dev/mapper/rb --direct=1 --rw=randread --bs=4k --rate_iops=100 \
	--time_based --runtime=300 --output="$T/fg.out" &
fpid=$!
wait_io 1
msg rb scrub start
p0=$(sc rb scrub_position)
t0=$(date +%s.%N)
sleep 8
p1=$(sc rb scrub_position)
t1=$(date +%s.%N)
kill $fpid
wait $fpid || true
((p1 > p0 && p1 < lb)) || fail "I: busy: from $p0 to $p1 of $lb: not measured"
busy=$(awk -v a="$p0" -v b="$p1" -v s="$t0" -v e="$t1" 'BEGIN {printf "%.2f", (b - a) / 2048 / (e - s)}')
wait_idle rb 120
log "I: scrub with a reader busy (fio, 100 reads/s): $busy MiB/s"
# About 1 MiB/s; a loaded guest's reader leaves gaps of over 500 ms in
# which the scrub goes unthrottled (15-117 MiB/s measured in A), so the
# check allows 3.
awk -v b="$busy" 'BEGIN {exit !(b <= 3)}' ||
	fail "I: with a reader busy the scrub read $busy MiB/s, more than the 1 MiB/s back-off allows"
dmsetup remove rb && forget_dm rb


log "every unit outside fio's range holds what was written"
$SECTAG verify $dev 0 9728 1 --direct || fail "sectors 0-9727"
$SECTAG verify $dev $((9728 + 8192)) $((len - 9728 - 8192)) 1 --direct || fail "sectors past fio's range"
expect_no_user_errors r end
echo "scrub-races: ok"
