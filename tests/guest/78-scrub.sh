#!/bin/bash
# timeout: 300
# The scrubber's findings (issue 13; docs/dm-remap.rst, "Scrubbing"): it
# reads every unit in the background and hands what it finds to the error
# path before a user reads it.  Main device: a loop device under a
# faultseq device (count-based read faults) under a dm-linear "bad disk"
# (dm-delay segments: slow sectors); spare: a loop device under a faultseq
# device.  Every sector carries a sectag tag, and what each case expects
# is read back through the target and on the spare device.
#
#  A  a range that never reads: pending after a scrub, with no user read
#     (uncorrectable_reads stays 0), logged; a write then remaps it;
#  B  a unit that fails twice and then reads: relocated with its bytes;
#  C  a dm-delay segment with scrub_slow_ms: its units are weak, relocated
#     while they read, and read back intact;
#  D  a spare unit in use that fails once: moved to a new spare unit, the
#     old one retired; one that never reads: pending, its data kept (not
#     zero-filled), and relocated by the next scrub once it reads again;
#  J  status: the scrub fields are appended and agree with stats; the
#     unthrottled read rate of a whole pass is printed.
# 78-scrub-control tests pause, resume, cancel, the rate cap, refusals,
# suspend and reload; 78-scrub-races the races with user writes and fio.
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
expect_no_user_errors r A
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
expect_no_user_errors r B
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
expect_no_user_errors r C

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
expect_no_user_errors r D

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
$SECTAG verify $dev 2008 $((len - 2008)) 1 --direct || fail "sectors 2008-$((len - 1))"
expect_no_user_errors r end
before=$(status_of r scrub_state scrub_passes scrub_last_pass_end scrub_relocated scrub_weak scrub_pending remapped)
dmsetup remove r && forget_dm r
dm_create r "$TABLE"
expect_eq "re-created: the scrub's state and counters are kept (the checkpoint; 79 tests it)" \
	"$(status_of r scrub_state scrub_passes scrub_last_pass_end scrub_relocated scrub_weak scrub_pending remapped)" "$before"
echo "scrub: ok"
