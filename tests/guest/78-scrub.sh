#!/bin/bash
# timeout: 420
# The scrubber (issue 13; docs/dm-remap.rst, "Scrubbing"): it reads every
# unit in the background and hands what it finds to the error path before
# a user reads it.  Main device: a loop device under a faultseq device
# (count-based read faults) under a dm-linear "bad disk" (dm-delay
# segments: slow sectors); spare: a loop device under a faultseq device.
# Every sector carries a sectag tag, and what each case expects is read
# back through the target and on the spare device.
#
#  A  a range that never reads: pending after a scrub, with no user read
#     (uncorrectable_reads stays 0), logged; a write then remaps it;
#  B  a unit that fails twice and then reads: relocated with its bytes;
#  C  a dm-delay segment with scrub_slow_ms: its units are weak, relocated
#     while they read, and read back intact;
#  D  a spare unit in use that fails once: moved to a new spare unit, the
#     old one retired; one that never reads: pending, its data kept (not
#     zero-filled), and relocated by the next scrub once it reads again;
#  E  pause, resume, cancel, the rate cap, events, and every refusal;
#  F  suspend and resume during a scrub: it stops, and goes on from where
#     it was;  G  a table reload during a scrub: the same;
#  H  defect 2 of issue 12 for the scrubber: a write acknowledged between
#     the scrub's read of a failing unit and its relocation is not lost
#     (the finding waits for st->lock, held by a remap over a slow spare);
#  I  fio verify=crc32c writing while a scrub finds and relocates units:
#     no verify error; and the back-off: while a reader is busy the scrub
#     slows to about 1 MiB/s;
#  J  status: the scrub fields are appended and agree with stats; the
#     unthrottled read rate of a whole pass is printed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"
source "$(dirname "$0")/lib-faultseq.sh"

U=8

mloop=$(new_loop 16)
sloop=$(new_loop 4)
faultseq_dev fm "$mloop"
faultseq_dev fs "$sloop"
bad_disk bm /dev/mapper/fm
len=$(sectors "$mloop")
slen=$(sectors "$sloop")
TABLE="0 $len remap /dev/mapper/bm 0 /dev/mapper/fs 0 $slen 2 unit_sectors $U"
dm_create r "$TABLE"
dev=/dev/mapper/r
$SECTAG write $dev 0 "$len" 1 --direct


# scrub_pass NAME [FIRST NR]: a whole scrub of that range, unthrottled.
scrub_pass() {
	local n=$1 p
	shift
	p=$(sc "$n" scrub_passes)
	msg "$n" scrub_rate 0
	msg "$n" scrub start "$@"
	wait_idle "$n" 120
	expect_eq "$n: passes after a scrub" "$(sc "$n" scrub_passes)" $((p + 1))
}

spare_of() { msg "$1" list | awk -v s="$2" '$1 == s {print $2}'; }

expect_zero_user_errors() {
	expect_eq "$1: no user error, nothing lost" "$(status_of r uncorrectable lost)" \
		"uncorrectable=0 lost=0"
}

# ---------------------------------------------------------------------
log "A: a range that never reads becomes pending, with no user read"
expect_eq "fresh" "$(status_of r scrub_state scrub_passes scrub_pending)" \
	"scrub_state=idle scrub_passes=0 scrub_pending=0"
id=$(faultseq_fail fm read 2000 8 0 -1 medium)
mark=$(kmsg_mark)
ev=$(events r)
t0=$(date +%s.%N)
scrub_pass r
t1=$(date +%s.%N)
expect_eq "A" "$(status_of r pending scrub_pending scrub_relocated remapped)" \
	"pending=1 scrub_pending=1 scrub_relocated=0 remapped=0"
expect_zero_user_errors A
# The run's read, the unit's own, three retries while held: no more.
faultseq_expect fm "$id" 0 5
(($(sc r scrub_read_errors) >= 1)) || fail "A: no scrub read error counted"
kmsg_since "$mark" | grep -q "$(devno r): scrub: sectors 2000-2007 unreadable after 3 retries; pending until written" ||
	{ kmsg_since "$mark"; fail "A: no log line for the pending unit"; }
(($(events r) >= ev + 3)) || fail "A: events: start, finding and end should raise 3, got $(($(events r) - ev))"
(($(sc r scrub_last_pass_end) >= ${t0%.*})) || fail "A: scrub_last_pass_end $(sc r scrub_last_pass_end) before the start ${t0%.*}"
expect_eq "A: position at the end" "$(sc r scrub_position) $(sc r scrub_end)" "$len $len"
# The pass's read rate, from the kernel log's times of its start and end.
rate_idle=$(kmsg_since "$mark" | awk -v l="$len" '
	function t(s) { sub(/^\[ */, "", s); sub(/\].*/, "", s); return s + 0 }
	/scrub of sectors .* started/ { a = t($0) }
	/scrub of sectors .* done/ { b = t($0) }
	END { if (b > a) printf "%.1f", l / 2048 / (b - a); else print "?" }')
log "A: the pass read $((len / 2048)) MiB at $rate_idle MiB/s (kernel log times; one unit failing, read 5 times)"
log "A: start to idle as dmsetup saw it: $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') s"
$SECTAG write $dev 2000 8 2 --direct || fail "A: the write to the pending unit failed"
expect_eq "A: the write remapped it" "$(status_of r pending remapped)" "pending=0 remapped=1"
$SECTAG verify $dev 2000 8 2 --direct || fail "A: the written unit"
faultseq_clear fm

# ---------------------------------------------------------------------
log "B: a unit that fails twice and then reads is relocated with its data"
id=$(faultseq_fail fm read 4000 8 0 2 medium)
mark=$(kmsg_mark)
scrub_pass r
expect_eq "B" "$(status_of r scrub_relocated remapped auto_remaps pending)" \
	"scrub_relocated=1 remapped=2 auto_remaps=2 pending=0"
faultseq_expect fm "$id" 1 2
s=$(spare_of r 4000)
[[ -n $s ]] || fail "B: 4000 not remapped: $(msg r list)"
$SECTAG verify /dev/mapper/fs "$s" 8 1 4000 --direct || fail "B: the relocated data on the spare"
$SECTAG verify $dev 3992 24 1 --direct || fail "B: read back through the target"
kmsg_since "$mark" | grep -q "$(devno r): scrub: sectors 4000-4007 failed a read and then read: relocated with their data" ||
	{ kmsg_since "$mark"; fail "B: no log line"; }
expect_zero_user_errors B
faultseq_clear fm

# ---------------------------------------------------------------------
log "C: slow sectors (dm-delay, 1 s a read) with scrub_slow_ms 500 are weak"
set_bad bm "6000 16 slow1000"
msg r scrub_slow_ms 500
expect_eq "C: scrub_slow_ms" "$(sc r scrub_slow_ms)" 500
scrub_pass r 5632 1024
set_bad bm
msg r scrub_slow_ms 0
weak=$(sc r scrub_weak)
((weak >= 2)) || fail "C: scrub_weak $weak, want 2"
((weak == 2)) || echo "note: $((weak - 2)) more unit(s) read slower than 500 ms and were relocated"
for u in 6000 6008; do
	s=$(spare_of r $u)
	[[ -n $s ]] || fail "C: $u not relocated: $(msg r list)"
	$SECTAG verify /dev/mapper/fs "$s" 8 1 $u --direct || fail "C: unit $u on the spare"
done
$SECTAG verify $dev 5632 1024 1 --direct || fail "C: read back through the target"
expect_eq "C: position" "$(sc r scrub_position)" 6656
expect_zero_user_errors C

# ---------------------------------------------------------------------
log "D: a spare unit in use that fails once moves to a new one; the old is retired"
msg r remap 8000
s=$(spare_of r 8000)
read -r e0 t0 <<<"$(status_of r spare_errors retired | sed 's/[a-z_]*=//g')"
id=$(faultseq_fail fs read "$s" 8 0 2 medium)
scrub_pass r 8000 8
faultseq_expect fs "$id" 1 2
s2=$(spare_of r 8000)
[[ -n $s2 && $s2 != "$s" ]] || fail "D: 8000 still on spare sector $s"
expect_eq "D: counters" "$(status_of r spare_errors retired scrub_relocated)" \
	"spare_errors=$((e0 + 1)) retired=$((t0 + 1)) scrub_relocated=2"
$SECTAG verify /dev/mapper/fs "$s2" 8 1 8000 --direct || fail "D: the new spare unit"
$SECTAG verify $dev 8000 8 1 --direct || fail "D: read back"
faultseq_clear fs

log "D: a spare unit in use that never reads: pending, its data kept"
msg r remap 8200
s=$(spare_of r 8200)
faultseq_fail fs read "$s" 8 0 -1 medium >/dev/null
scrub_pass r 8200 8
expect_eq "D: pending" "$(status_of r pending scrub_pending spare_errors retired)" \
	"pending=1 scrub_pending=2 spare_errors=$((e0 + 2)) retired=$((t0 + 1))"
expect_eq "D: still on its spare unit" "$(spare_of r 8200)" "$s"
faultseq_clear fs
$SECTAG verify $dev 8200 8 1 --direct || fail "D: the pending unit's data, once its spare unit reads"
log "D: the next scrub finds it readable and relocates it"
scrub_pass r 8200 8
expect_eq "D: relocated" "$(status_of r pending scrub_relocated retired)" \
	"pending=0 scrub_relocated=3 retired=$((t0 + 2))"
s2=$(spare_of r 8200)
[[ $s2 != "$s" ]] || fail "D: 8200 still on spare sector $s"
$SECTAG verify /dev/mapper/fs "$s2" 8 1 8200 --direct || fail "D: its new spare unit"
expect_zero_user_errors D

# ---------------------------------------------------------------------
log "E: pause, resume, cancel, the rate cap and the refusals"
msg r scrub_rate 256
expect_eq "E: scrub_rate" "$(sc r scrub_rate)" 256
ev=$(events r)
t0=$(date +%s.%N)
msg r scrub start
expect_eq "E: running" "$(sc r scrub_state)" running
expect_refused "start while running" "scrub start: a scrub is running (scrub cancel first)" msg r scrub start
reply=$(msg r scrub start 2>&1) && fail "E: a second start accepted"
[[ $reply == *"Device or resource busy"* ]] || fail "E: a second start: want EBUSY, got: $reply"
expect_refused "resume while running" "scrub resume: no paused scrub to resume (the scrub is running)" msg r scrub resume
sleep 2
msg r scrub pause
t1=$(date +%s.%N)
p=$(sc r scrub_position)
# 256 KiB/s: a 128 KiB run at once, then one every 0.5 s.
max=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%d", (2 * (b - a) + 2) * 256}')
((p > 0 && p <= max)) || fail "E: $p sectors scrubbed in $(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}') s at 256 KiB/s (max $max)"
log "E: at 256 KiB/s: $p sectors in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') s"
expect_eq "E: paused" "$(sc r scrub_state)" paused
sleep 1
expect_eq "E: a paused scrub does not move" "$(sc r scrub_position)" "$p"
expect_refused "start while paused" "scrub start: a scrub is paused (scrub cancel first, or scrub resume)" msg r scrub start
expect_refused "pause while paused" "scrub pause: no running scrub to pause (the scrub is paused)" msg r scrub pause
msg r scrub_rate 1024
msg r scrub resume
expect_eq "E: running again" "$(sc r scrub_state)" running
sleep 1
p2=$(sc r scrub_position)
((p2 > p)) || fail "E: resumed at $p, still at $p2"
msg r scrub cancel
p3=$(sc r scrub_position)
expect_eq "E: cancelled" "$(sc r scrub_state)" idle
sleep 1
expect_eq "E: a cancelled scrub does not move" "$(sc r scrub_position)" "$p3"
expect_refused "cancel while idle" "scrub cancel: no scrub to cancel (the scrub is idle)" msg r scrub cancel
expect_refused "resume while idle" "scrub resume: no paused scrub to resume (the scrub is idle)" msg r scrub resume
(($(events r) >= ev + 4)) || fail "E: start, pause, resume, cancel: $(($(events r) - ev)) events"
expect_refused "zero sectors" "Number of sectors must not be zero" msg r scrub start 0 0
expect_refused "beyond the end" "Sector beyond end of device" msg r scrub start "$len" 1
expect_refused "range beyond the end" "Sector range beyond end of device" msg r scrub start 0 $((len + 1))
expect_refused "one number" "Usage: scrub start [<first_sector> <nr_sectors>]|pause|resume|cancel" msg r scrub start 5
expect_refused "unknown" "Usage: scrub start [<first_sector> <nr_sectors>]|pause|resume|cancel" msg r scrub stop
expect_refused "rate too large" "scrub_rate must be a number from 0 to 16777216" msg r scrub_rate 16777217
expect_refused "slow_ms too large" "scrub_slow_ms must be a number from 0 to 60000" msg r scrub_slow_ms 60001
expect_eq "E: nothing changed by refusals" "$(sc r scrub_state) $(sc r scrub_rate)" "idle 1024"
msg r scrub start 100 1 2>/dev/null
expect_eq "E: a range is widened to whole units" "$(sc r scrub_start) $(sc r scrub_end)" "96 104"
wait_idle r 30

# ---------------------------------------------------------------------
log "F: suspend and resume during a scrub: it stops and goes on"
passes=$(sc r scrub_passes)
msg r scrub_rate 512
msg r scrub start
sleep 1.5
dmsetup suspend r
p1=$(status_of r scrub_position | sed 's/.*=//')
sleep 1
p2=$(status_of r scrub_position | sed 's/.*=//')
expect_eq "F: no scrub while suspended" "$p2" "$p1"
expect_eq "F: still running" "$(status_of r scrub_state)" "scrub_state=running"
((p1 > 0)) || fail "F: nothing scrubbed in 1.5 s at 512 KiB/s"
dmsetup resume r
sleep 0.5
p3=$(sc r scrub_position)
((p3 > p1)) || fail "F: after resume at $p3, it was at $p1 (restarted or stopped)"

log "G: a reload during a scrub keeps its place"
dmsetup reload r --table "$TABLE"
dmsetup suspend r
p1=$(status_of r scrub_position | sed 's/.*=//')
dmsetup resume r
sleep 0.5
p2=$(sc r scrub_position)
((p2 > p1)) || fail "G: after the reload at $p2, it was at $p1"
msg r scrub_rate 0
wait_idle r 60
expect_eq "G: the pass ended" "$(sc r scrub_passes) $(sc r scrub_position)" "$((passes + 1)) $len"
msg r scrub_rate 0

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
log "I: scrub with a reader busy (fio, 100 reads/s): $busy MiB/s; idle and unthrottled in A: $rate_idle MiB/s"
# About 1 MiB/s; a loaded guest's reader leaves gaps of over 500 ms in
# which the scrub goes unthrottled (15-117 MiB/s measured in A), so the
# check allows 3.
awk -v b="$busy" 'BEGIN {exit !(b <= 3)}' ||
	fail "I: with a reader busy the scrub read $busy MiB/s, more than the 1 MiB/s back-off allows"
dmsetup remove rb && forget_dm rb

# ---------------------------------------------------------------------
log "J: status ends with the scrub fields, as stats says them"
read -r -a f <<<"$(dmsetup status r | cut -d' ' -f4-)"
expect_eq "J: fields" "${#f[@]}" 24
keys=(scrub_state scrub_position scrub_end scrub_passes scrub_last_pass_end
	scrub_read_errors scrub_relocated scrub_weak scrub_pending scrub_start)
for i in "${!keys[@]}"; do
	expect_eq "J: status field $((15 + i)) ${keys[i]}" "${f[14 + i]}" "$(sc r "${keys[i]}")"
done
"$REPO"/tools/remapctl/remapctl status r | grep -q "^scrub_pending: *2$" ||
	{ "$REPO"/tools/remapctl/remapctl status r; fail "J: remapctl status lacks scrub_pending"; }

log "every unit holds what was written"
$SECTAG verify $dev 0 2000 1 --direct || fail "sectors 0-1999"
$SECTAG verify $dev 2000 8 2 --direct || fail "sectors 2000-2007"
$SECTAG verify $dev 2008 $((9728 - 2008)) 1 --direct || fail "sectors 2008-9727"
$SECTAG verify $dev $((9728 + 8192)) $((len - 9728 - 8192)) 1 --direct || fail "sectors past fio's range"
expect_zero_user_errors end
before=$(status_of r scrub_state scrub_passes scrub_last_pass_end scrub_relocated scrub_weak scrub_pending remapped)
dmsetup remove r && forget_dm r
dm_create r "$TABLE"
expect_eq "re-created: the scrub's state and counters are kept (the checkpoint; 79 tests it)" \
	"$(status_of r scrub_state scrub_passes scrub_last_pass_end scrub_relocated scrub_weak scrub_pending remapped)" "$before"
echo "scrub: ok"
