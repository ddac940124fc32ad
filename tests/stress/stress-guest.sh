#!/bin/bash
# Stress run, inside the guest (scripts/stress.sh / make stress start it):
# for STRESS_SECONDS (default 600), fio passes with verify=crc32c, four jobs
# over disjoint quarters of the whole remap device (each pass writes every
# block of it once in random order, 4-32 KiB direct I/O, then reads every
# block back and checks it), while a second loop does, at random:
#   remap / remap range / remap_many / unremap messages, suspend+resume,
#   a table reload with a grown spare, and bad sectors: a segment of the
#   main device (a dm-linear table) becomes a dm-flakey "error_writes"
#   segment (writes fail, reads still work: a disk whose writes to that
#   area fail; the target auto-remaps the units and resends the writes),
#   or one or all bad segments are healed.  (dm-flakey fails flushes as
#   well as writes while it errors writes, so unremaps, which flush the
#   main device before they drop the spare copy, are refused with EIO while
#   any bad segment exists: that is correct, and why all are healed at times.)
# Then the last pass is verified twice more: after a final reload, and
# after the device is removed and loaded again from its metadata.
# Prints operations done, mismatches (must be 0) and kernel complaints
# (must be 0, also checked by the runner).
# timeout: 900
source "$(dirname "$0")/../guest/lib.sh"

SECS=${STRESS_SECONDS:-600}
[[ $SECS =~ ^[0-9]+$ ]] || fail "STRESS_SECONDS must be a number of seconds"
MAIN_MB=${STRESS_MAIN_MB:-128}
SPARE_MB=${STRESS_SPARE_MB:-64}
KERR_RE='BUG:|WARNING:|Oops|KASAN|UBSAN|ODEBUG:|general protection fault|Call Trace|possible circular locking|possible recursive locking|inconsistent lock state|blocked for more than|soft lockup|hard LOCKUP|RCU stall|list_(add|del) corruption|refcount_t:|suspected memory leak'

backing=$(new_loop "$MAIN_MB")
spare=$(new_loop "$SPARE_MB")
mlen=$(sectors "$backing")
slen_max=$(sectors "$spare")
slen=$((slen_max / 2))
US=8                            # 4 KiB units
feat="2 unit_sectors $US"

# The main device: dm-linear over the backing loop device, with bad
# segments (dm-flakey, error_writes) swapped in and out.
declare -A bad=()               # start sector -> length
main_table() {
	local s pos=0 len out=''
	for s in $(printf '%s\n' "${!bad[@]}" | sort -n); do
		len=${bad[$s]}
		((s > pos)) && out+="$pos $((s - pos)) linear $backing $pos"$'\n'
		out+="$s $len flakey $backing $s 0 1 1 error_writes"$'\n'
		pos=$((s + len))
	done
	((pos < mlen)) && out+="$pos $((mlen - pos)) linear $backing $pos"$'\n'
	printf '%s' "$out"
}
main_reload() {
	main_table | dmsetup reload smain || return 1
	dmsetup suspend smain && dmsetup resume smain
}
main_table | dmsetup create smain
_dms+=(smain)
st_table() { echo "0 $mlen remap /dev/mapper/smain 0 $spare 0 $1 $feat"; }
dm_create st "$(st_table $slen)"
msg st auto_remap on
dev=/dev/mapper/st
mark=$(kmsg_mark)

# fio: four jobs, each over its quarter; one pass = every block written
# once, then read back and verified.  --verify_only replays a pass.
quarter=$(((mlen / 4 / US) * US * 512))
fio_pass() { # fio_pass SEED OUT [extra fio options]
	local seed=$1 out=$2
	shift 2
	fio --output="$out" --filename="$dev" --direct=1 --ioengine=libaio \
		--iodepth=8 --rw=randwrite --bsrange=4k-32k --blockalign=4k \
		--size="$quarter" --offset_increment="$quarter" --numjobs=4 \
		--verify=crc32c --do_verify=1 --verify_fatal=0 \
		--randseed="$seed" --group_reporting "$@" --name=stress
}
# "wrote N, read N" from a fio output (group reporting)
fio_io() {
	local w r
	w=$(sed -nE 's/^ *WRITE: .*io=([0-9.]+[KMGT]?i?B).*/\1/p' "$1")
	r=$(sed -nE 's/^ *READ: .*io=([0-9.]+[KMGT]?i?B).*/\1/p' "$1")
	echo "wrote ${w:-0}, read ${r:-0}"
}
# mismatches in a fio output: each bad block prints one of these
mismatches() { grep -cE 'verify: bad|verify failed|bad magic|bad header' "$1" || true; }

declare -A nops=()
op() { nops[$1]=$((${nops[$1]:-0} + 1)); }
disturb() {
	local s n k list i a x
	while [[ ! -e $T/stop ]]; do
		case $((RANDOM % 10)) in
		0 | 1)
			s=$(((RANDOM * 32768 + RANDOM) % mlen))
			if msg st remap "$s" >/dev/null 2>&1; then op remap; else op remap_refused; fi ;;
		2)
			s=$(((RANDOM * 32768 + RANDOM) % (mlen - 512)))
			if msg st remap "$s" $((RANDOM % 64 + 1)) >/dev/null 2>&1; then op remap_range; else op remap_range_refused; fi ;;
		3)
			a=()
			for ((i = 0; i < 4; i++)); do a+=("$(((RANDOM * 32768 + RANDOM) % (mlen - 64)))+$((RANDOM % 16 + 1))"); done
			if msg st remap_many "${a[@]}" >/dev/null 2>&1; then op remap_many; else op remap_many_refused; fi ;;
		4 | 5)
			s=$(msg st list | shuf -n 1 | cut -d' ' -f1)
			[[ -n $s ]] || continue
			# unremap copies back to the main device: refused (EIO)
			# when that unit is in a bad segment, which is fine
			if msg st unremap "$s" >/dev/null 2>&1; then op unremap; else op unremap_refused; fi ;;
		6)
			dmsetup suspend st
			sleep 0.$((RANDOM % 5))
			dmsetup resume st
			op suspend_resume ;;
		7)
			((slen < slen_max)) && slen=$((slen + 2048 < slen_max ? slen + 2048 : slen_max))
			dmsetup reload st --table "$(st_table $slen)"
			dmsetup resume st
			if ((slen >= slen_max)); then op reload_spare_max; else op reload_spare_grown; fi ;;
		8)
			# a new bad segment, away from the others, at most 32
			((${#bad[@]} < 32)) || continue
			n=$(((RANDOM % 32 + 1) * US))
			s=$((((RANDOM * 32768 + RANDOM) % ((mlen - n) / US)) * US))
			for k in "${!bad[@]}"; do
				((s + n + US <= k || k + bad[$k] + US <= s)) || continue 2
			done
			bad[$s]=$n
			main_reload || fail "reloading the main device with a bad segment failed"
			op bad_segment ;;
		9)
			# heal one bad segment, or (one time in three) all of them:
			# a flakey segment fails flushes too, and an unremap, which
			# flushes the main device, can only succeed without any
			((${#bad[@]})) || continue
			if ((RANDOM % 3 == 0)); then
				bad=()
				op healed_all
			else
				list=("${!bad[@]}")
				x=${list[RANDOM % ${#list[@]}]}
				unset "bad[$x]"
				op healed_segment
			fi
			main_reload || fail "reloading the main device (healed segment) failed" ;;
		esac
	done
	for k in "${!nops[@]}"; do echo "$k ${nops[$k]}"; done >"$T/ops"
	main_table >"$T/main-table.final"
	echo "$slen" >"$T/slen"         # this loop runs in a subshell
}

log "stress: $SECS s, remap device $((mlen / 2048)) MiB (4 KiB units), spare $((slen / 2048)) MiB growing to $((slen_max / 2048)) MiB, fio 4 jobs"
units0=$(msg st stats | awk '$1 == "spare_units" {print $2}')
slen0=$slen
rm -f "$T/stop"
disturb &
dpid=$!
t_end=$((SECONDS + SECS))
pass=0 mism=0 fio_fail=0
while ((SECONDS < t_end)); do
	pass=$((pass + 1))
	rc=0
	fio_pass "$pass" "$T/pass.log" || rc=$?
	m=$(mismatches "$T/pass.log")
	mism=$((mism + m))
	if ((rc || m)); then
		fio_fail=$((fio_fail + 1))
		echo "---- fio pass $pass: exit $rc, $m mismatches"
		grep -E 'err=|verify|error' "$T/pass.log" | head -n 20
	fi
	echo "pass $pass: exit $rc, $(fio_io "$T/pass.log"), mismatches $m, $(field_of st remapped_units) remapped units, $((t_end - SECONDS)) s left"
done
touch "$T/stop"
wait $dpid || fail "the disturbance loop failed"
slen=$(<"$T/slen")

log "final: reload (spare $((slen / 2048)) MiB), then verify every block of the last pass"
dmsetup reload st --table "$(st_table $slen)"
dmsetup suspend st
dmsetup resume st
units1=$(msg st stats | awk '$1 == "spare_units" {print $2}')
if ((slen > slen0)); then
	((units1 > units0)) || fail "the spare grew to $slen sectors but the pool still has $units1 units"
fi
rc=0
fio_pass "$pass" "$T/final1.log" --verify_only || rc=$?
m1=$(mismatches "$T/final1.log")
log "final verify 1: exit $rc, $(fio_io "$T/final1.log"), mismatches $m1"
((rc == 0)) || { fio_fail=$((fio_fail + 1)); grep -E 'err=|verify' "$T/final1.log" | head; }
log "final: remove the device and load it again from its metadata, verify again"
remapped=$(field_of st remapped_units)
list_before=$(msg st list | md5sum)
dmsetup remove st
forget_dm st
dm_create st "$(st_table $slen)"
expect_eq "remap list after remove/create" "$(msg st list | md5sum)" "$list_before"
rc=0
fio_pass "$pass" "$T/final2.log" --verify_only || rc=$?
m2=$(mismatches "$T/final2.log")
log "final verify 2: exit $rc, $(fio_io "$T/final2.log"), mismatches $m2"
((rc == 0)) || { fio_fail=$((fio_fail + 1)); grep -E 'err=|verify' "$T/final2.log" | head; }
mism=$((mism + m1 + m2))

stats=$(msg st stats)
kerr=$(kmsg_since "$mark" | grep -E "$KERR_RE" | grep -vc 'guest-runner:' || true)
total_ops=$(awk '{s += $2} END {print s + 0}' "$T/ops")
echo "==== stress results"
echo "duration: $SECS s; fio passes: $pass (each writes and verifies all $((mlen / 2048)) MiB), plus 2 final verify-only passes"
echo "operations: $total_ops"
sort "$T/ops" | sed 's/^/  /'
echo "spare: $((slen0 / 2048)) MiB at first, $((slen / 2048)) MiB at the end; pool $units0 units at first, $units1 after the final reload"
echo "bad segments at the end: $(grep -c flakey "$T/main-table.final" || true)"
echo "remapped units at the end: $remapped; $(grep -E '^(auto_remaps|spare_used|spare_units|retired_units|pending_units|lost_sectors|uncorrectable_reads|metadata)' <<<"$stats" | tr '\n' ' ')"
echo "mismatches: $mism"
echo "fio runs that failed: $fio_fail"
echo "kernel complaints: $kerr"
((mism == 0)) || fail "$mism mismatches"
((fio_fail == 0)) || fail "$fio_fail fio runs failed"
((kerr == 0)) || { kmsg_since "$mark" | grep -E "$KERR_RE" | head -n 20; fail "$kerr kernel complaints"; }
((total_ops > 0)) || fail "no operation ran during the stress run"
grep -q '^bad_segment ' "$T/ops" || ((SECS < 60)) || fail "no bad segment was injected"
echo "stress: ok"
