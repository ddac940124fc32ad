#!/bin/bash
# timeout: 240
# remapctl scrub (tools/remapctl/scrub.c, remapctl(8)) and the scrub
# progress of remapctl status, on the real module:
#  - start (whole device and a range), pause, resume, cancel, rate,
#    slow-ms, each checked in the target's status afterwards;
#  - every refusal: bad words and numbers (refused by the target's own
#    parser before anything is sent), a start while a scrub runs, a
#    resume while none is paused, a range beyond the device, exit 2 or 3;
#  - remapctl status: scrub_progress, and while a scrub runs at a capped
#    rate, scrub_speed near that rate and a scrub_eta that agrees with
#    it; the same in --json (parsed with python3's json);
#  - start --wait and wait: progress, the pass's findings (a dm-error
#    range under the main device), exit 0 at the end, exit 2 when the
#    pass is cancelled while waited for.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"

RC=$REPO/tools/remapctl/remapctl
[[ -x $RC ]] || fail "$RC not built (make tools)"
U=8
mloop=$(new_loop 32)
sloop=$(new_loop 4)
bad_disk sm "$mloop"
len=$(sectors "$mloop")
slen=$(sectors "$sloop")
dm_create sc "0 $len remap /dev/mapper/sm 0 $sloop 0 $slen 2 unit_sectors $U"

# field NAME KEY: one field of remapctl status, read by name.
field() { "$RC" status --no-speed "$1" | awk -v k="$2:" '$1 == k {print $2}'; }
# try CMD...: run CMD; its exit status in $r, its output in $cmdout.
try() { r=0; cmdout=$("$@" 2>&1) || r=$?; }

log "refusals: bad words and numbers (the target's parser, nothing sent)"
ev0=$(events sc)
try "$RC" scrub sc begin
expect_eq "unknown verb" "$r" 3
[[ $cmdout == *"unknown scrub command 'begin'"* ]] || fail "unknown verb: $cmdout"
try "$RC" scrub sc rate 16777217
expect_eq "rate too large" "$r" 3
[[ $cmdout == *"scrub_rate must be a number from 0 to 16777216"* ]] || fail "rate: $cmdout"
try "$RC" scrub sc rate fast
expect_eq "rate not a number" "$r" 3
try "$RC" scrub sc slow-ms 60001
expect_eq "slow-ms too large" "$r" 3
try "$RC" scrub sc start 8
expect_eq "start with half a range" "$r" 3
try "$RC" scrub sc start "$len" 8
expect_eq "start beyond the device" "$r" 3
try "$RC" scrub sc pause now
expect_eq "pause with an argument" "$r" 3
try "$RC" scrub sc pause --wait
expect_eq "--wait without start" "$r" 3
try "$RC" scrub nosuchdev start
expect_eq "no such device" "$r" 3
[[ $cmdout == *"no such device-mapper device"* ]] || fail "no such device: $cmdout"
expect_eq "nothing was sent (no table event)" "$(events sc)" "$ev0"
try "$RC" scrub sc resume
expect_eq "resume with no scrub paused" "$r" 2
[[ $cmdout == *"refused"* ]] || fail "resume: $cmdout"
try "$RC" scrub sc pause
expect_eq "pause with no scrub running" "$r" 2
expect_eq "state after the refusals" "$(field sc scrub_state)" idle

log "rate and slow-ms reach the target"
try "$RC" scrub sc rate 2048
expect_eq "rate" "$r" 0
expect_eq "stats scrub_rate" "$(stat_of sc scrub_rate)" 2048
try "$RC" scrub sc slow-ms 250
expect_eq "slow-ms" "$r" 0
expect_eq "stats scrub_slow_ms" "$(stat_of sc scrub_slow_ms)" 250
"$RC" scrub sc slow-ms 0 >/dev/null

log "start at 2048 KiB/s: progress, speed and time left in remapctl status"
try "$RC" scrub sc start
expect_eq "start" "$r" 0
try "$RC" scrub sc start
expect_eq "a second start is refused" "$r" 2
[[ $cmdout == *"already running"* ]] || fail "second start: $cmdout"
sleep 2
st=$("$RC" status sc)
echo "$st" | grep scrub_
speed=$(awk '$1 == "scrub_speed:" {print $2}' <<<"$st")
eta=$(awk '$1 == "scrub_eta:" {print $2}' <<<"$st")
pr=$(awk '$1 == "scrub_progress:" {print $2}' <<<"$st")
[[ -n $speed && -n $eta && -n $pr ]] || fail "no progress, speed or eta: $st"
# The cap is a token bucket; a second of TCG time is noisy: within 50%.
awk -v s="$speed" 'BEGIN { exit !(s >= 1024 && s <= 3072) }' ||
	fail "scrub_speed $speed KiB/s with a 2048 KiB/s cap"
# 32 MiB at about 2 MiB/s: between 1 and 16 s left.
[[ $eta =~ ^([0-9]+)s$ ]] || fail "scrub_eta '$eta' is not a few seconds"
((BASH_REMATCH[1] >= 1 && BASH_REMATCH[1] <= 16)) || fail "scrub_eta $eta"
awk -v p="${pr%\%}" 'BEGIN { exit !(p > 0 && p < 100) }' || fail "scrub_progress $pr"
python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
assert d["device"] == "sc" and d["scrub_state"] == "running", d
assert 0 < d["scrub_progress"] < 1, d
assert d["scrub_speed_kib_s"] > 0 and d["scrub_eta_seconds"] >= 0, d
' <<<"$("$RC" status --json sc)" || fail "status --json: $("$RC" status --json sc)"

log "pause keeps the place, resume goes on, cancel stops"
try "$RC" scrub sc pause
expect_eq "pause" "$r" 0
p1=$(field sc scrub_position)
expect_eq "state" "$(field sc scrub_state)" paused
sleep 1
expect_eq "a paused scrub does not move" "$(field sc scrub_position)" "$p1"
"$RC" status sc | grep -q '^scrub_speed:' && fail "a speed for a paused scrub"
try "$RC" scrub sc resume
expect_eq "resume" "$r" 0
expect_eq "state" "$(field sc scrub_state)" running
# wait, cancelled from elsewhere: exit 2, and it says so.
( sleep 2; "$RC" scrub sc cancel >/dev/null ) &
try "$RC" scrub sc wait
wait
expect_eq "wait on a cancelled scrub" "$r" 2
[[ $cmdout == *"was cancelled at sector"* ]] || fail "wait: $cmdout"
expect_eq "state after cancel" "$(field sc scrub_state)" idle
expect_eq "passes after cancel" "$(field sc scrub_passes)" 0
try "$RC" scrub sc wait
expect_eq "wait with no scrub" "$r" 2

log "start --wait over a range with a bad unit: the findings, exit 0"
"$RC" scrub sc rate 0 >/dev/null
set_bad sm "4096 8 error"
try "$RC" scrub sc start 2048 4096 --wait
expect_eq "start --wait" "$r" 0
echo "$cmdout"
[[ $cmdout == *"pass done: "*"1 pending"* ]] || fail "start --wait: $cmdout"
expect_eq "range start" "$(field sc scrub_start)" 2048
expect_eq "range end" "$(field sc scrub_end)" 6144
expect_eq "passes" "$(field sc scrub_passes)" 1
expect_eq "pending" "$(field sc pending_units)" 1
expect_eq "progress of the finished pass" \
	"$("$RC" status sc | awk '$1 == "scrub_progress:" {print $2}')" "100.0%"
set_bad sm
echo "ok"
