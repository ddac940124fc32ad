#!/bin/bash
# timeout: 400
# remapd (tools/remapd, remapd(8)) on the real module:
#  - a configuration with an error is refused, naming its file and line
#    (at start, with --check-config, and at SIGHUP, where the daemon keeps
#    the configuration it has);
#  - remapd --foreground with a test configuration; devices created after
#    it starts are found (device_added) and removed ones noticed;
#  - a manual remap, and bad sectors (dm-error segments under the main and
#    spare devices, lib-baddisk.sh): remap, auto_remap, pending,
#    uncorrectable_read, lost_sectors, spare_error reach the log and the
#    program within a second, with the right environment (device, UUID,
#    counts, the sectors the kernel logged, the counters);
#  - thresholds: spare_warning, spare_critical (per-device override),
#    spare_exhausted; reminders;
#  - the textfile and /metrics parse with prometheus_client's parser and
#    carry the status values; --oneshot's summary and exit status; --test;
#  - a device suspended: the daemon keeps running and reading;
#  - a device removed while events are pending; a restart announces only
#    what is new; 200 devices at once (memory and CPU printed);
#  - null_blk badblocks under a device: auto_remap and pending, with
#    their sectors, as with dm-error segments;
#  - --wait-event (DM_DEVICE_WAITEVENT threads, the path for kernels
#    without DM_DEV_ARM_POLL): events within a second, new devices found
#    by the periodic scan, a removal neither hangs nor goes unannounced;
#  - scrub events (scrub_started, scrub_found with the sectors the kernel
#    logged, scrub_finished) and the scrub metrics; the scrub schedule
#    (scrub_interval, scrub_window, scrub_rate): a pass started in the
#    window, paused outside it, resumed inside it; a user's pause and
#    cancel are left alone.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"

RD=$REPO/tools/remapd/remapd
# On failure, the daemon's log says what it saw.
fail() {
	echo "FAIL: $*" >&2
	for f in "$T/remapd.log" "$T/many.log"; do
		[[ -s $f ]] && { echo "--- tail of $f" >&2; tail -n 40 "$f" >&2; }
	done
	exit 1
}
PY=/usr/bin/python3
[[ -x $RD ]] || fail "$RD not built (make tools)"
U=8
EV=$T/ev
mkdir -p "$EV" "$T/tf" "$T/state"

# The program: one line per run in $T/prog.log, its whole environment in
# $EV/<n>.<event>.<device>.  Bash builtins only (but the slow device's
# sleep): two programs started together once stalled for 10 s in a guest
# whose every exec goes over 9p to a loaded host.
cat > "$T/prog.sh" <<'EOF'
#!/bin/bash
now=$EPOCHREALTIME
f=$REMAPD_TEST_EV/$BASHPID.${now/./}.$REMAPD_EVENT.$REMAPD_DEVICE
for v in "${!REMAPD_@}"; do printf '%s=%s\n' "$v" "${!v}"; done > "$f"
if [[ /proc/$$/fd/0 -ef /dev/null ]]; then echo "STDIN=/dev/null"; else echo "STDIN=other"; fi >> "$f"
echo "$now $REMAPD_EVENT $REMAPD_DEVICE uuid=$REMAPD_UUID count=$REMAPD_COUNT sectors=${REMAPD_SECTORS:-} reminder=$REMAPD_REMINDER pct=${REMAPD_SPARE_PERCENT:-}" >> "$REMAPD_TEST_EV/../prog.log"
[[ $REMAPD_DEVICE == slow ]] && sleep 10
exit 0
EOF
# The program sees no environment of remapd's but its own variables and
# PATH: it finds its directory through a fixed path.
sed -i "s|\$REMAPD_TEST_EV|$EV|g" "$T/prog.sh"
chmod +x "$T/prog.sh"
: > "$T/prog.log"

log "a configuration with an error is refused with its file and line"
cat > "$T/bad.conf" <<EOF
# a comment
spare_warning = 70
spare_critical = 60x
EOF
if res=$($RD --check-config -c "$T/bad.conf" 2>&1); then
	fail "--check-config accepted a bad file: $res"
fi
[[ $res == *"$T/bad.conf:3: spare_critical: '60x' is not a number from 1 to 100"* ]] ||
	fail "error without file:line: $res"
printf 'program = %s\n[device x]\nevents = remap, nonsense\n' "$T/prog.sh" > "$T/bad2.conf"
res=$($RD --foreground -c "$T/bad2.conf" -s "$T/state" 2>&1) && fail "daemon started with a bad file"
[[ $res == *"$T/bad2.conf:3: events: unknown event 'nonsense'"* ]] || fail "bad2: $res"
printf 'spare_warning = 90\nspare_critical = 80\n' > "$T/bad3.conf"
res=$($RD -n -c "$T/bad3.conf" 2>&1) && fail "warning above critical accepted"
[[ $res == *"spare_warning (90) is above spare_critical (80)"* ]] || fail "bad3: $res"
$RD -n -c /dev/null >/dev/null && fail "a non-regular file accepted"
echo "refused as expected: $(head -c 200 <<<"$res")"

cat > "$T/remapd.conf" <<EOF
# remapd test configuration
startup_grace = 1
program = $T/prog.sh
program_timeout = 10
reminder = once

[device thr]
spare_warning = 50
spare_critical = 75

[uuid REMAPD-TEST-pend]
reminder = daily
reminder_interval = 3

[device quiet]
ignore = yes

[device slow]
program_timeout = 3
EOF
$RD -n -c "$T/remapd.conf" || fail "the test configuration is refused"

PORT=9469
start_remapd() {
	local n0 i
	n0=$(grep -c " remapd: watching " "$T/remapd.log" 2>/dev/null || true)
	$RD --foreground -c "$T/remapd.conf" -s "$T/state" -t "$T/tf" \
		--listen 127.0.0.1:$PORT >> "$T/remapd.log" 2>&1 &
	RPID=$!
	for ((i = 0; i < 300; i++)); do
		(($(grep -c " remapd: watching " "$T/remapd.log") > n0)) && return 0
		sleep 0.05
	done
	fail "remapd did not start: $(cat "$T/remapd.log")"
}
stop_remapd() {
	kill -TERM "$RPID"
	local rc=0
	wait "$RPID" || rc=$?
	expect_eq "remapd exit status after SIGTERM" "$rc" 0
	RPID=
}
RPID=
trap 'if [[ -n $RPID ]]; then kill "$RPID" 2>/dev/null; fi; cleanup' EXIT

# wait_for REGEX FILE SECONDS: until a line of FILE matches.
wait_for() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		grep -qE -- "$1" "$2" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
# prog_line EVENT DEVICE [MORE]: the program's line for it, waited for.
prog_line() {
	wait_for "^[0-9.]+ $1 $2 ${3:-}" "$T/prog.log" 5 ||
		fail "no program run for $1 on $2 ${3:-} (log: $(tail -5 "$T/remapd.log"))"
	grep -E "^[0-9.]+ $1 $2 ${3:-}" "$T/prog.log" | tail -1
}
# env_of EVENT DEVICE: the environment of the newest run.
env_of() {
	local f
	f=$(ls -t "$EV"/*."$1"."$2" 2>/dev/null | head -1)
	[[ -n $f ]] || fail "no environment recorded for $1 $2"
	cat "$f"
}
LAT=()
# latency T0 EVENT DEVICE: seconds from T0 (taken when the command that
# caused the event returned) to remapd's log line, which must be under a
# second, and to the program's first line (bash started over 9p in a TCG
# guest), which must be under a second too unless the guest is starved:
# then up to 2.5 s, with a note (a loaded 2-core host took 1.24 s once).
# Every measure is printed at the end.
latency() {
	local line t l ll tl
	line=$(prog_line "$2" "$3")
	t=${line%% *}
	tl=$(grep -E "remapd: $2: device $3 " "$T/remapd.log" | tail -1 | cut -d' ' -f1)
	[[ -n $tl ]] || fail "$2 on $3 not logged"
	tl=$(date -d "today $tl" +%s.%N)
	l=$(awk -v a="$1" -v b="$t" 'BEGIN { printf "%.3f", b - a }')
	ll=$(awk -v a="$1" -v b="$tl" 'BEGIN { printf "%.3f", b - a }')
	LAT+=("$2=log:$ll/program:$l")
	awk -v l="$ll" 'BEGIN { exit !(l < 1.0) }' || fail "$2 on $3 reached the log after $ll s"
	if ! awk -v l="$l" 'BEGIN { exit !(l < 1.0) }'; then
		awk -v l="$l" 'BEGIN { exit !(l < 2.5) }' || fail "$2 on $3 reached the program after $l s"
		echo "note: $2 on $3 reached the program after $l s (logged after $ll s)"
	fi
}
count_runs() { grep -cE "^[0-9.]+ $1 $2 " "$T/prog.log" || true; }

# Warm the program's binaries (the guest reads them over 9p).
REMAPD_EVENT=warm REMAPD_DEVICE=up "$T/prog.sh"
: > "$T/prog.log"
start_remapd

log "a device created after remapd started is found"
mloop=$(new_loop 16)
sloop=$(new_loop 4)
bad_disk bm "$mloop"
bad_disk bs "$sloop"
len=$(sectors "$mloop")
slen=$(sectors "$sloop")
dmsetup create ra -u REMAPD-TEST-ra --table "0 $len remap /dev/mapper/bm 0 /dev/mapper/bs 0 $slen 2 unit_sectors $U"
t0=$(date +%s.%N)
_dms+=(ra)
dev=/dev/mapper/ra
latency "$t0" device_added ra
e=$(env_of device_added ra)
grep -qx "REMAPD_UUID=REMAPD-TEST-ra" <<<"$e" || fail "device_added: uuid: $e"
grep -qx "REMAPD_DEVNO=$(devno ra)" <<<"$e" || fail "device_added: devno: $e"
grep -qx "REMAPD_REMAPPED_UNITS=0" <<<"$e" || fail "device_added: counters: $e"
grep -qx "STDIN=/dev/null" <<<"$e" || fail "the program's stdin: $e"
grep -q "device_added: device ra uuid REMAPD-TEST-ra" "$T/remapd.log" || fail "device_added not logged"

log "a manual remap"
msg ra remap 100
t0=$(date +%s.%N)
latency "$t0" remap ra
e=$(env_of remap ra)
for kv in REMAPD_EVENT=remap REMAPD_DEVICE=ra REMAPD_COUNT=1 REMAPD_REMAPPED_UNITS=1 \
	REMAPD_SPARE_USED=1 REMAPD_REALLOCATION_EVENTS=1 REMAPD_AUTO_REMAPS=0 \
	REMAPD_METADATA=ok REMAPD_REMINDER=0; do
	grep -qx "$kv" <<<"$e" || fail "remap: $kv missing in: $e"
done

log "a write to a bad sector: auto_remap, with the sectors the kernel logged"
set_bad bm "1000 8 error"
$DD if=/dev/zero of=$dev bs=4096 seek=125 count=1 oflag=direct status=none
t0=$(date +%s.%N)
latency "$t0" auto_remap ra
e=$(env_of auto_remap ra)
for kv in REMAPD_COUNT=1 REMAPD_SECTORS=1000-1007 REMAPD_AUTO_REMAPS=1 \
	REMAPD_REALLOCATION_EVENTS=2 REMAPD_UUID=REMAPD-TEST-ra; do
	grep -qx "$kv" <<<"$e" || fail "auto_remap: $kv missing in: $e"
done
grep -qE "auto_remap: device ra uuid REMAPD-TEST-ra: 1 units remapped after an I/O error; sectors 1000-1007 \[.*auto_remaps=1 " \
	"$T/remapd.log" || fail "auto_remap log line: $(grep auto_remap "$T/remapd.log")"
[[ $(count_runs remap ra) == 1 ]] || fail "an automatic remap was also announced as a manual one"

log "a read of a bad unit: uncorrectable_read and pending"
set_bad bm "1000 8 error" "4000 8 error"
$DD if=$dev of=/dev/null bs=4096 skip=500 count=1 iflag=direct status=none 2>/dev/null &&
	fail "a read of a bad unit succeeded"
t0=$(date +%s.%N)
latency "$t0" uncorrectable_read ra
latency "$t0" pending ra
e=$(env_of pending ra)
for kv in REMAPD_COUNT=1 REMAPD_SECTORS=4000-4007 REMAPD_PENDING_UNITS=1 REMAPD_UNCORRECTABLE_READS=1; do
	grep -qx "$kv" <<<"$e" || fail "pending: $kv missing in: $e"
done

log "a small write to an unreadable unit: lost_sectors"
set_bad bm "1000 8 error" "3000 8 error" "4000 8 error"
$SECTAG write $dev 3002 2 4 --direct || fail "write to an unreadable unit failed"
t0=$(date +%s.%N)
latency "$t0" lost_sectors ra
e=$(env_of lost_sectors ra)
for kv in REMAPD_COUNT=6 REMAPD_SECTORS=3000-3001,3004-3007 REMAPD_LOST_SECTORS=6; do
	grep -qx "$kv" <<<"$e" || fail "lost_sectors: $kv missing in: $e"
done

log "a spare unit that fails a write: spare_error"
last=$(msg ra list | awk '{print $2}' | sort -n | tail -1)
set_bad bs "$((last + U)) 8 error"
set_bad bm "1000 8 error" "3000 8 error" "4000 8 error" "5000 8 error"
$SECTAG write $dev 5000 8 6 --direct || fail "write with a failing spare unit failed"
t0=$(date +%s.%N)
latency "$t0" spare_error ra
e=$(env_of spare_error ra)
for kv in REMAPD_COUNT=1 REMAPD_SPARE_ERRORS=1 REMAPD_RETIRED_UNITS=1; do
	grep -qx "$kv" <<<"$e" || fail "spare_error: $kv missing in: $e"
done

log "the textfile and /metrics parse and carry the status"
sleep 1
cat > "$T/check_prom.py" <<'EOF'
import sys, urllib.request
from prometheus_client.parser import text_string_to_metric_families
src, dev, want = sys.argv[1], sys.argv[2], dict(a.split("=") for a in sys.argv[3:])
uuid = want.pop("uuid", "REMAPD-TEST-ra")
text = (urllib.request.urlopen(src, timeout=5).read().decode() if src.startswith("http")
        else open(src).read())
got, types = {}, {}
for fam in text_string_to_metric_families(text):
    types[fam.name] = fam.type
    for s in fam.samples:
        if s.labels.get("device") == dev:
            got[s.name] = (s.value, s.labels)
bad = []
for k, v in want.items():
    if k not in got:
        bad.append("%s missing" % k)
    elif got[k][0] != float(v):
        bad.append("%s=%s, want %s" % (k, got[k][0], v))
if got.get("dmremap_info", (0, {}))[1].get("uuid") != uuid:
    bad.append("dmremap_info uuid label: %r" % (got.get("dmremap_info"),))
for t, kind in (("dmremap_auto_remaps", "counter"), ("dmremap_remapped_units", "gauge")):
    if types.get(t) != kind:
        bad.append("%s is a %s, want %s" % (t, types.get(t), kind))
if bad:
    print("\n".join(bad)); sys.exit(1)
print("%s: %d samples of %s agree" % (src, len(got), dev))
EOF
read -r -a st <<<"$(dmsetup status ra | cut -d' ' -f4-)"
want=(dmremap_info=1 "dmremap_remapped_units=${st[1]}" "dmremap_spare_used_units=${st[2]%/*}"
	"dmremap_spare_units=${st[2]#*/}" "dmremap_lost_sectors_total=${st[3]}" dmremap_metadata_ok=1
	"dmremap_pending_units=${st[5]}" "dmremap_reallocation_events_total=${st[6]}"
	"dmremap_auto_remaps_total=${st[7]}" "dmremap_uncorrectable_reads_total=${st[8]}"
	"dmremap_spare_errors_total=${st[9]}")
echo "status: ${st[*]}"
$PY "$T/check_prom.py" "$T/tf/dmremap.prom" ra "${want[@]}" || fail "the textfile: $(cat "$T/tf/dmremap.prom")"
$PY "$T/check_prom.py" "http://127.0.0.1:$PORT/metrics" ra "${want[@]}" || fail "/metrics"
for f in "$T"/tf/.dmremap*; do
	[[ -e $f ]] && fail "a temporary textfile was left behind: $f"
done

log "thresholds: spare_warning at 50%, spare_critical at 75% ([device thr]), spare_exhausted"
tl=$(new_loop 1)
ts=$(new_loop 1)
bad_disk tm "$tl"
dm_create thr "0 $(sectors "$tl") remap /dev/mapper/tm 0 $ts 0 32 3 volatile unit_sectors $U"
prog_line device_added thr >/dev/null
msg thr remap 0
sleep 0.3
[[ $(count_runs spare_warning thr) == 0 ]] || fail "spare_warning at 25%"
msg thr remap 8
prog_line spare_warning thr "uuid= count=50 " >/dev/null
msg thr remap 16
prog_line spare_critical thr "uuid= count=75 " >/dev/null
msg thr remap 24
set_bad tm "32 8 error"
$DD if=/dev/zero of=/dev/mapper/thr bs=4096 seek=4 count=1 oflag=direct status=none 2>/dev/null &&
	fail "a write with an exhausted pool succeeded"
prog_line spare_exhausted thr "uuid= count=0 " >/dev/null
[[ $(count_runs spare_warning thr) == 1 && $(count_runs spare_critical thr) == 1 ]] ||
	fail "a threshold announced twice: $(grep thr "$T/prog.log")"
res=$($RD --oneshot -c "$T/remapd.conf" 2>&1) && fail "--oneshot: exit 0 with unhealthy devices: $res"
grep -q "^thr uuid -: UNHEALTHY (spare_warning,spare_critical,spare_exhausted)" <<<"$res" ||
	fail "--oneshot summary: $res"
grep -q "^ra uuid REMAPD-TEST-ra: UNHEALTHY (pending)" <<<"$res" || fail "--oneshot ra: $res"
echo "$res"

log "reminders: daily with a 3 s interval for [uuid REMAPD-TEST-pend]"
pm=$(new_loop 1)
ps_=$(new_loop 1)
bad_disk pm_ "$pm"
dmsetup create pend -u REMAPD-TEST-pend --table "0 $(sectors "$pm") remap /dev/mapper/pm_ 0 $ps_ 0 64 3 volatile unit_sectors $U"
_dms+=(pend)
set_bad pm_ "8 8 error"
$DD if=/dev/mapper/pend of=/dev/null bs=4096 skip=1 count=1 iflag=direct status=none 2>/dev/null || true
prog_line pending pend "uuid=REMAPD-TEST-pend count=1 .* reminder=0" >/dev/null
wait_for " pending pend .* reminder=1 " "$T/prog.log" 8 || fail "no reminder after 3 s: $(grep pend "$T/prog.log")"
grep -q "pending (reminder): device pend" "$T/remapd.log" || fail "reminder not logged"
[[ $(count_runs pending ra) == 1 ]] || fail "ra (reminder once) reminded: $(grep ' pending ra' "$T/prog.log")"
dmsetup remove pend
forget_dm pend

log "an ignored device ([device quiet]) is not announced"
qm=$(new_loop 1)
dm_create quiet "0 $(sectors "$qm") remap $qm 0 $(new_loop 1) 0 64 3 volatile unit_sectors $U"
msg quiet remap 0
sleep 1
grep -q " quiet " "$T/prog.log" && fail "the ignored device was announced"

log "a suspended device: the daemon keeps running and sees other devices"
dmsetup suspend ra
sm=$(new_loop 1)
dm_create other "0 $(sectors "$sm") remap $sm 0 $(new_loop 1) 0 64 3 volatile unit_sectors $U"
prog_line device_added other >/dev/null
msg other remap 8
prog_line remap other >/dev/null
kill -0 "$RPID" || fail "remapd died while ra was suspended"
rc=0
$RD --oneshot -c "$T/remapd.conf" >/dev/null 2>&1 || rc=$?
expect_eq "--oneshot while ra is suspended (unhealthy devices)" "$rc" 1
dmsetup resume ra

log "SIGHUP reloads; a bad file at SIGHUP is refused and the old one kept"
cp "$T/remapd.conf" "$T/remapd.conf.good"
echo "bogus line" >> "$T/remapd.conf"
kill -HUP "$RPID"
wait_for "remapd.conf:[0-9]+: expected 'key = value'.*keeping the configuration in use" "$T/remapd.log" 5 ||
	fail "bad config at SIGHUP: $(tail -3 "$T/remapd.log")"
cp "$T/remapd.conf.good" "$T/remapd.conf"
sed -i 's/^program_timeout = 10/program_timeout = 10\nevents = all/' "$T/remapd.conf"
kill -HUP "$RPID"
wait_for "configuration .* reloaded" "$T/remapd.log" 5 || fail "no reload"
msg other remap 16
prog_line remap other "uuid= count=1 " >/dev/null
kill -0 "$RPID" || fail "remapd died at SIGHUP"

log "a device removed while events are pending"
gm=$(new_loop 1)
dm_create slow "0 $(sectors "$gm") remap $gm 0 $(new_loop 1) 0 64 3 volatile unit_sectors $U"
prog_line device_added slow >/dev/null
msg slow remap 0
msg slow remap 8
dmsetup remove slow
forget_dm slow
prog_line device_removed slow >/dev/null
wait_for " remap slow " "$T/prog.log" 5 ||
	grep -q "remap: device slow" "$T/remapd.log" ||
	echo "note: the remaps of slow were not seen before it went (its status was gone)"
wait_for "program $T/prog.sh for device_removed slow timed out, killed by signal 15" "$T/remapd.log" 15 ||
	fail "the slow program was not stopped after its 3 s timeout"
grep -q "program $T/prog.sh for device_added slow: timeout after 3 s, terminating it" "$T/remapd.log" ||
	fail "the slow program's timeout was not logged"
kill -0 "$RPID" || fail "remapd died"

log "restart: nothing announced twice; what changed meanwhile announced once"
sleep 0.5
stop_remapd
grep -q "exiting (signal)" "$T/remapd.log" || fail "no clean exit"
before=$(wc -l < "$T/prog.log")
msg ra remap 200
dmsetup remove other
forget_dm other
start_remapd
wait_for " device_removed other " "$T/prog.log" 5 || true
sleep 2
new=$(tail -n +"$((before + 1))" "$T/prog.log")
echo "after the restart:"
echo "$new"
grep -qE "^[0-9.]+ remap ra uuid=REMAPD-TEST-ra count=1 " <<<"$new" || fail "the remap made while remapd was down was not announced"
grep -qE "^[0-9.]+ device_removed other " <<<"$new" || fail "other, removed while remapd was down, not announced"
n=$(grep -cvE "^[0-9.]+ (remap ra|device_removed other) " <<<"$new" || true)
[[ $n == 0 ]] || fail "announced again after the restart: $(grep -vE " (remap ra|device_removed other) " <<<"$new")"

log "--test runs the program for a test event"
res=$($RD --test -c "$T/remapd.conf" 2>&1) || fail "--test failed: $res"
prog_line test ra "uuid=REMAPD-TEST-ra " >/dev/null
prog_line test thr >/dev/null

log "scrub events reach the log and the program; the scrub metrics"
scm=$(new_loop 8)
bad_disk sbm "$scm"
scs=$(new_loop 2)
dmsetup create scr -u REMAPD-TEST-scr --table "0 $(sectors "$scm") remap /dev/mapper/sbm 0 $scs 0 $(sectors "$scs") 3 volatile unit_sectors $U"
_dms+=(scr)
prog_line device_added scr >/dev/null
set_bad sbm "1024 8 error"
msg scr scrub start
t0=$(date +%s.%N)
latency "$t0" scrub_started scr
prog_line scrub_started scr "uuid=REMAPD-TEST-scr count=$(sectors "$scm") " >/dev/null
line=$(prog_line scrub_found scr "uuid=REMAPD-TEST-scr count=1 ")
[[ $line == *"sectors=1024-1031 "* ]] || fail "scrub_found without the sectors the kernel logged: $line"
prog_line scrub_finished scr "uuid=REMAPD-TEST-scr count=1 " >/dev/null
e=$(env_of scrub_finished scr)
grep -qx "REMAPD_SCRUB_PASSES=1" <<<"$e" || fail "scrub_finished: counters: $e"
grep -q "scrub_found: device scr uuid REMAPD-TEST-scr: 1 units found failing or slow by the scrubber; sectors 1024-1031" "$T/remapd.log" ||
	fail "scrub_found not logged with its sectors"
set_bad sbm
sleep 1
re=$(status_of scr scrub_read_errors)
$PY "$T/check_prom.py" "$T/tf/dmremap.prom" scr uuid=REMAPD-TEST-scr dmremap_info=1 \
	dmremap_scrub_passes_total=1 dmremap_scrub_progress_ratio=1 "dmremap_scrub_read_errors_total=${re#*=}" \
	dmremap_scrub_pending_units_total=1 dmremap_pending_units=1 ||
	fail "scrub metrics: $(grep scr "$T/tf/dmremap.prom")"
grep -q '^dmremap_scrub_state{device="scr",uuid="REMAPD-TEST-scr",state="idle"} 1$' "$T/tf/dmremap.prom" ||
	fail "dmremap_scrub_state: $(grep scrub_state "$T/tf/dmremap.prom")"
end=$(grep '^dmremap_scrub_last_pass_end_timestamp_seconds{device="scr"' "$T/tf/dmremap.prom" | awk '{print $2}')
now=$(date +%s)
awk -v e="$end" -v n="$now" 'BEGIN { exit !(e > n - 60 && e <= n) }' || fail "last pass end $end, now $now"

log "the scrub schedule: started in the window, paused outside, resumed inside"
hm() { date -d "$1 min" +%H:%M; }
IN="$(hm -2)-$(hm +60)"
OUT="$(hm +120)-$(hm +180)"
# sched WINDOW: the good configuration, a schedule for sch, reloaded.
sched() {
	cp "$T/remapd.conf.good" "$T/remapd.conf"
	printf '[device sch]\nscrub_interval = 1d\nscrub_rate = 256\nscrub_window = %s\n' "$1" >> "$T/remapd.conf"
	local n
	n=$(grep -c "configuration .* reloaded" "$T/remapd.log")
	kill -HUP "$RPID"
	for ((i = 0; i < 100; i++)); do
		(($(grep -c "configuration .* reloaded" "$T/remapd.log") > n)) && break
		sleep 0.05
	done
	sleep 0.5
}
hml=$(new_loop 16)
dm_create sch "0 $(sectors "$hml") remap $hml 0 $(new_loop 2) 0 4096 3 volatile unit_sectors $U"
prog_line device_added sch >/dev/null
sched "$OUT"
expect_eq "outside the window: no scrub" "$(status_of sch scrub_state)" scrub_state=idle
sched "$IN"
wait_for "remapd: sch: scrub start \(no pass known yet\)" "$T/remapd.log" 5 || fail "no scheduled start: $(tail -3 "$T/remapd.log")"
expect_eq "in the window: running" "$(status_of sch scrub_state)" scrub_state=running
expect_eq "scrub_rate sent" "$(stat_of sch scrub_rate)" 256
prog_line scrub_started sch >/dev/null
sched "$OUT"
wait_for "remapd: sch: scrub pause \(scrub_window ended\)" "$T/remapd.log" 5 || fail "not paused at the window's end"
expect_eq "outside the window: paused" "$(status_of sch scrub_state)" scrub_state=paused
sched "$IN"
wait_for "remapd: sch: scrub resume \(scrub_window began\)" "$T/remapd.log" 5 || fail "not resumed in the window"
expect_eq "in the window again: running" "$(status_of sch scrub_state)" scrub_state=running
log "a user's pause and cancel are left alone"
msg sch scrub pause
sched "$IN"
expect_eq "paused by a user, in the window: still paused" "$(status_of sch scrub_state)" scrub_state=paused
expect_eq "resumed once only" "$(grep -c "sch: scrub resume" "$T/remapd.log")" 1
msg sch scrub resume
msg sch scrub cancel
wait_for "sch: the scheduled scrub was cancelled; the next one is due in 86400 s" "$T/remapd.log" 5 ||
	fail "the cancel was not noticed"
sched "$IN"
expect_eq "cancelled by a user: not started again" "$(status_of sch scrub_state)" scrub_state=idle
expect_eq "started once only" "$(grep -c "sch: scrub start" "$T/remapd.log")" 1
dmsetup remove sch
forget_dm sch
cp "$T/remapd.conf.good" "$T/remapd.conf"

log "null_blk badblocks (errors from a real block driver): auto_remap and pending with their sectors"
modprobe null_blk nr_devices=0
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
nb=/sys/kernel/config/nullb/remapdtest
mkdir "$nb"
cleanup_nullb() { if [[ -d $nb ]]; then echo 0 > "$nb/power"; rmdir "$nb"; fi; }
trap 'if [[ -n $RPID ]]; then kill "$RPID" 2>/dev/null; fi; cleanup; cleanup_nullb' EXIT
echo 1 > "$nb/memory_backed"
echo 8 > "$nb/size"
echo 1 > "$nb/power"
ndev=/dev/${nb##*/}
[[ -b $ndev ]] || fail "no $ndev"
echo "+1200-1207" > "$nb/badblocks"
echo "+2400-2407" > "$nb/badblocks"
dmsetup create nbr -u REMAPD-TEST-nbr --table "0 $(sectors "$ndev") remap $ndev 0 $(new_loop 1) 0 1024 3 volatile unit_sectors $U"
_dms+=(nbr)
prog_line device_added nbr >/dev/null
$DD if=/dev/zero of=/dev/mapper/nbr bs=4096 seek=150 count=1 oflag=direct status=none ||
	fail "a write over null_blk badblocks failed"
t0=$(date +%s.%N)
latency "$t0" auto_remap nbr
prog_line auto_remap nbr "uuid=REMAPD-TEST-nbr count=1 sectors=1200-1207 " >/dev/null
$DD if=/dev/mapper/nbr of=/dev/null bs=4096 skip=300 count=1 iflag=direct status=none 2>/dev/null &&
	fail "a read of a null_blk bad block succeeded"
t0=$(date +%s.%N)
latency "$t0" pending nbr
prog_line pending nbr "uuid=REMAPD-TEST-nbr count=1 sectors=2400-2407 " >/dev/null
prog_line uncorrectable_read nbr "uuid=REMAPD-TEST-nbr count=1 " >/dev/null
dmsetup remove nbr
forget_dm nbr
prog_line device_removed nbr >/dev/null
cleanup_nullb

log "--wait-event: DM_DEVICE_WAITEVENT threads instead of DM_DEV_ARM_POLL"
stop_remapd
printf 'events = none\n' > "$T/we.conf"
wml=$(new_loop 2)
dm_create we0 "0 $(sectors "$wml") remap $wml 0 $(new_loop 1) 0 64 3 volatile unit_sectors $U"
$RD --foreground --wait-event -c "$T/we.conf" -s "$T/state3" > "$T/we.log" 2>&1 &
RPID=$!
wait_for "remapd: watching [0-9]+ remap device" "$T/we.log" 10 || fail "remapd --wait-event did not start: $(cat "$T/we.log")"
msg we0 remap 8
t0=$(date +%s.%N)
wait_for "remap: device we0 " "$T/we.log" 5 || fail "--wait-event: the remap of we0 not announced"
tl=$(date -d "today $(grep "remap: device we0 " "$T/we.log" | tail -1 | cut -d' ' -f1)" +%s.%N)
awk -v a="$t0" -v b="$tl" 'BEGIN { exit !(b - a < 1.0) }' || fail "--wait-event: the remap reached the log after $(awk -v a="$t0" -v b="$tl" 'BEGIN { print b - a }') s"
# A device created later: found by the periodic scan (every 10 s).
wm2=$(new_loop 2)
dm_create we1 "0 $(sectors "$wm2") remap $wm2 0 $(new_loop 1) 0 64 3 volatile unit_sectors $U"
wait_for "device_added: device we1 " "$T/we.log" 15 || fail "--wait-event: we1 not found within 15 s"
msg we1 remap 0
wait_for "remap: device we1 " "$T/we.log" 5 || fail "--wait-event: the remap of we1 not announced"
# Removing a device a thread waits on must not hang, and is announced.
timeout 30 dmsetup remove we1 || fail "dmsetup remove of a device remapd waits on failed or hung"
forget_dm we1
wait_for "device_removed: device we1 " "$T/we.log" 5 || fail "--wait-event: the removal of we1 not announced"
timeout 30 dmsetup remove we0 || fail "dmsetup remove we0 failed or hung"
forget_dm we0
wait_for "device_removed: device we0 " "$T/we.log" 5 || fail "--wait-event: the removal of we0 not announced"
kill -0 "$RPID" || fail "remapd --wait-event died"
kill -TERM "$RPID"
wait "$RPID" || fail "remapd --wait-event: exit status $? after SIGTERM"
RPID=
echo "--wait-event: $(grep -c "remapd: " "$T/we.log") log lines, threads: ok"
start_remapd

log "200 devices at once"
stop_remapd
# No program for these: remapd's own cost is measured.
printf 'events = none\n' > "$T/many.conf"
N=200
ml=$(new_loop 16)
sl=$(new_loop 8)
spec=""
for ((i = 0; i < N; i++)); do
	spec+="m$i,,,,0 64 remap $ml $((i * 64)) $sl $((i * 32)) 32 3 volatile unit_sectors $U;"
done
$RD --foreground -c "$T/many.conf" -s "$T/state2" -t "$T/tf" > "$T/many.log" 2>&1 &
RPID=$!
wait_for "watching" "$T/many.log" 10 || fail "remapd did not start"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$RPID/status"; }
cpu() { awk '{print $14 + $15}' "/proc/$RPID/stat"; }
rss0=$(rss)
cpu0=$(cpu)
t0=$(date +%s.%N)
dmsetup create --concise "${spec%;}"
for ((i = 0; i < N; i++)); do _dms+=("m$i"); done
wait_for "device_added: device m$((N - 1)) " "$T/many.log" 60 || fail "not every device was found"
t1=$(date +%s.%N)
n=$(grep -c "device_added: device m" "$T/many.log")
expect_eq "devices found" "$n" "$N"
rss1=$(rss)
cpu1=$(cpu)
# ROUNDS x N remap and unremap messages from one process (a dmsetup per
# message would measure dmsetup): DM_TARGET_MSG ioctls.
cat > "$T/msgs.py" <<'EOF'
import fcntl, os, struct, sys
DM_TARGET_MSG = 0xC138FD0E      # _IOWR(0xfd, 14, struct dm_ioctl), 312 bytes
fd = os.open("/dev/mapper/control", os.O_RDWR)
def message(name, text):
    body = struct.pack("=Q", 0) + text.encode() + b"\0"
    size = 312 + len(body)
    size += -size % 8
    hdr = struct.pack("=3IIIIiIIIQ128s129s7s", 4, 0, 0, size, 312, 0, 0, 0, 0, 0, 0,
                      name.encode(), b"", b"")
    buf = bytearray(hdr + body + b"\0" * (size - 312 - len(body)))
    fcntl.ioctl(fd, DM_TARGET_MSG, buf, True)
n, rounds = int(sys.argv[1]), int(sys.argv[2])
for r in range(rounds):
    for i in range(n):
        message("m%d" % i, "remap 0")
    for i in range(n):
        message("m%d" % i, "unremap 0")
print("%d messages" % (2 * n * rounds))
EOF
ROUNDS=5
$PY "$T/msgs.py" "$N" "$ROUNDS" || fail "the messages failed"
# Each remap raises the reallocation counter; remapd may see several in one
# status read (one event, a larger count): the counts must add up.
want_units=$((N * ROUNDS))
for ((i = 0; i < 100; i++)); do
	got=$(grep -E " remapd: remap: device m[0-9]+ uuid -: [0-9]+ units" "$T/many.log" |
		awk '{s += $8} END {print s + 0}')
	((got >= want_units)) && break
	sleep 0.2
done
t2=$(date +%s.%N)
expect_eq "remapped units announced" "$got" "$want_units"
n=$(grep -c " remapd: remap: device m" "$T/many.log")
rss2=$(rss)
cpu2=$(cpu)
hz=$(getconf CLK_TCK)
grep -c "^dmremap_remapped_units{device=\"m" "$T/tf/dmremap.prom" | grep -qx "$N" ||
	fail "the textfile lacks some of the $N devices"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v r0="$rss0" -v r1="$rss1" -v r2="$rss2" \
	-v c0="$cpu0" -v c1="$cpu1" -v c2="$cpu2" -v hz="$hz" -v n="$N" -v w="$want_units" -v ev="$n" 'BEGIN {
	printf "remapd with %d devices: RSS %d KiB idle, %d KiB after finding them, %d KiB after the messages\n", n, r0, r1, r2
	printf "remapd CPU: %.2f s to find %d devices created in %.1f s; %.2f s for %d remap and %d unremap messages (%d events) over %.1f s\n", (c1 - c0) / hz, n, b - a, (c2 - c1) / hz, w, w, ev, c - b
}'
((rss2 < 20000)) || fail "remapd uses $rss2 KiB with $N devices"
for ((i = 0; i < N; i++)); do dmsetup remove "m$i"; done
_dms=("${_dms[@]:0:${#_dms[@]}-N}")
wait_for "device_removed: device m$((N - 1)) " "$T/many.log" 30 || fail "removals not noticed"
stop_remapd
echo "event latency (s), from when the command that caused it returned (negative: before): ${LAT[*]}"
echo "--- what remapd said about ra (first 12 lines):"
grep -E "remapd: [a-z_]+: device ra " "$T/remapd.log" | head -n 12
echo "remapd: PASS"
