#!/bin/bash
# timeout: 180
# The scrubber's controls (issue 13; docs/dm-remap.rst, "Scrubbing"), on a
# healthy device (78-scrub tests what a scrub finds):
#  E  pause, resume, cancel, the rate cap, events, and every refusal;
#  F  suspend and resume during a scrub: it stops, and goes on from where
#     it was;  G  a table reload during a scrub: the same.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"

U=8

mloop=$(new_loop 16)
sloop=$(new_loop 4)
len=$(sectors "$mloop")
slen=$(sectors "$sloop")
TABLE="0 $len remap $mloop 0 $sloop 0 $slen 2 unit_sectors $U"
dm_create r "$TABLE"
dev=/dev/mapper/r
$SECTAG write $dev 0 "$len" 1 --direct

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


log "every unit holds what was written"
$SECTAG verify $dev 0 "$len" 1 --direct || fail "the data after E, F and G"
expect_no_user_errors r end
echo "scrub-control: ok"
