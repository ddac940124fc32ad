#!/bin/bash
# timeout: 400
# Regression tests for the racy defects of the error path (issue 12), the
# companion of 74-error-path-regressions.sh, written against what a user
# sees (DESIGN.md, "Invariants"), one function per defect.  Each race is
# bounded in time and made likely by a slow device, as a real disk is:
#
#  defect2  a read that fails once and reads on a retry relocates its unit
#           with the retried bytes: a write acknowledged meanwhile must not
#           be lost (invariant 1).  The main device is scsi_debug: reads of
#           one unit fail with MEDIUM ERROR while "opts" says so (writes
#           never fail), every command takes 5 jiffies.
#  defect5  a read held while its unit moves, then sent on, must not return
#           another unit's bytes when the unit is unremapped and its spare
#           unit given to another unit meanwhile.  The reader runs in a
#           cgroup whose reads of the spare device are throttled (io.max
#           riops), so the read waits in the block layer for about a second.
#
# REGRESS_CASES="defect2 ..." runs only those (default: defect2 defect5);
# defect5_plain is the same race without the throttle (not run by default:
# it did not reproduce that way).  REGRESS_SECONDS bounds each race loop.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"

U=8
TAGIO=$REPO/build/tagio
CASES=${REGRESS_CASES:-defect2 defect5}
SECONDS_MAX=${REGRESS_SECONDS:-40}

case_cleanup() {
	local i
	[[ -n ${STOP:-} ]] && touch "$STOP"
	wait
	for ((i = ${#_dms[@]} - 1; i >= 0; i--)); do
		timeout 30 dmsetup remove --retry "${_dms[i]}" >/dev/null 2>&1 || true
	done
	losetup -nO NAME,BACK-FILE | awk -v t="$T/" 'index($2, t) == 1 {print $1}' |
		while read -r i; do losetup -d "$i" 2>/dev/null || true; done
	[[ -n ${CG:-} && -d $CG ]] && rmdir "$CG" 2>/dev/null
	rm -rf "$T"
}

case_main() {
	set -euo pipefail
	T=$(mktemp -d /tmp/remap-case.XXXXXX)
	_dms=() _loops=()
	trap case_cleanup EXIT
	"$1"
}

run_case() {
	local rc
	set +e
	(case_main "$1")
	rc=$?
	set -e
	if ((rc)); then
		echo "CASE FAILED: $1 (exit $rc)"
		failed+=("$1")
	else
		echo "CASE PASSED: $1"
	fi
}

st_field() { status_of "$1" "$2" | sed 's/.*=//'; }

# ---------------------------------------------------------------------
# Defect 2: a relocated read can overwrite a newer acknowledged write.
# One writer writes sector X of unit A again and again with increasing
# tags.  Reads of A are made to fail (scsi_debug medium errors on A's
# sectors), one read of X is issued, and the errors stop while the target
# retries it: a retry reads and A is relocated.  Then the writer stops:
# X must hold the last tag whose write was acknowledged.  A is unremapped
# and it starts again, until REGRESS_SECONDS have passed.
SDEBUG=/sys/bus/pseudo/drivers/scsi_debug

defect2() {
	local X=4096 d disk="" main sp len first=1 n=0 lost=0 pend=0 t_end acked a0 a1 u0 u1 ok
	log "defect 2: a write acknowledged while a read is relocated is not lost"
	if ! modprobe scsi_debug dev_size_mb=16 delay=5 opts=0 \
		medium_error_start=$X medium_error_count=$U 2>"$T/modprobe.err"; then
		echo "SKIP-CASE: defect2: no scsi_debug: $(cat "$T/modprobe.err")"
		return 0
	fi
	for ((i = 0; i < 100; i++)); do
		for d in "$SDEBUG"/adapter*/host*/target*/*/block/*; do
			[[ -e $d ]] && disk=${d##*/}
		done
		[[ -n $disk && -b /dev/$disk ]] && break
		sleep 0.1
	done
	[[ -n $disk && -b /dev/$disk ]] || fail "no scsi_debug disk appeared"
	main=/dev/$disk
	sp=$(new_loop 4)
	len=$(sectors "$main")
	dm_create r2 "0 $len remap $main 0 $sp 0 $(sectors "$sp") 4 unit_sectors $U read_retries 16"
	$SECTAG write /dev/mapper/r2 $((X - U)) $((3 * U)) 1 --direct
	STOP=$T/stop
	t_end=$((SECONDS + SECONDS_MAX))
	while ((SECONDS < t_end)); do
		rm -f "$STOP"
		"$TAGIO" writeloop /dev/mapper/r2 "$X" "$first" "$STOP" >"$T/writer.out" 2>&1 &
		wpid=$!
		sleep 0.2
		read -r a0 u0 <<<"$(st_field r2 auto_remaps) $(st_field r2 uncorrectable)"
		echo 2 >"$SDEBUG/opts"		# reads of A fail with MEDIUM ERROR
		$DD if=/dev/mapper/r2 of=/dev/null bs=512 skip="$X" count=1 iflag=direct \
			status=none 2>/dev/null &
		rpid=$!
		sleep 0.15
		echo 0 >"$SDEBUG/opts"
		ok=0
		wait "$rpid" || ok=$?
		for ((i = 0; i < 50; i++)); do
			a1=$(st_field r2 auto_remaps)
			((a1 > a0)) && break
			sleep 0.1
		done
		touch "$STOP"
		wait "$wpid" || { cat "$T/writer.out" >&2; fail "the writer's writes failed"; }
		read -r _ acked _ <"$T/writer.out"
		u1=$(st_field r2 uncorrectable)
		if ((ok != 0 || u1 > u0)); then
			# Every retry failed: the unit went pending and the writer's
			# next write relocated it; not this race.
			pend=$((pend + 1))
		elif ((a1 > a0)); then
			n=$((n + 1))
			if ! $SECTAG verify /dev/mapper/r2 "$X" 1 "$acked" --direct >"$T/verify.out"; then
				lost=$((lost + 1))
				echo "relocation $n: the last acknowledged write (tag $acked) is lost: $(head -1 "$T/verify.out")"
			fi
		fi
		first=$((acked + 1))
		if [[ -n $(msg r2 list) ]]; then
			msg r2 unremap "$X"
		fi
	done
	log "defect 2: $n relocations after a successful retry, $lost lost an acknowledged write; $pend times every retry failed (the unit went pending)"
	$SECTAG verify /dev/mapper/r2 $((X - U)) "$U" 1 --direct || fail "the unit before A changed"
	$SECTAG verify /dev/mapper/r2 $((X + U)) "$U" 1 --direct || fail "the unit after A changed"
	((n > 0)) || fail "no relocation after a successful retry in $SECONDS_MAX s: the race was not exercised"
	((lost == 0)) || fail "$lost of $n relocations lost an acknowledged write"
}

# ---------------------------------------------------------------------
# Defect 5: a read held while its unit moves and then sent on must hold
# the unit's place until it completes.  A reader reads sector A again and
# again (it always holds tag 1 for A); a controller loops remap A, unremap
# A, remap B, unremap B: B gets the spare unit A just gave back.  A read of
# A that returns B's bytes is the failure.

# race5 THROTTLE: the loop; THROTTLE 1 puts the reader in a cgroup whose
# reads of the spare device are limited to one a second, with a second
# reader in that cgroup keeping the budget spent.
race5() {
	local throttle=$1 A=1000 B=2000 m sp len t_end cycles=0 wrong rc=0 cg=/sys/fs/cgroup
	m=$(new_loop 16)
	sp=$(new_loop 4)
	len=$(sectors "$m")
	dm_create r5 "0 $len remap $m 0 $sp 0 $(sectors "$sp") 3 unit_sectors $U volatile"
	$SECTAG write /dev/mapper/r5 0 4096 1 --direct
	STOP=$T/stop
	rm -f "$STOP"
	if ((throttle)); then
		if [[ ! -e $cg/cgroup.controllers ]]; then
			mount -t cgroup2 none "$cg" || fail "cannot mount cgroup2"
		fi
		grep -qw io "$cg/cgroup.controllers" || fail "no io controller"
		echo +io >"$cg/cgroup.subtree_control"
		CG=$cg/remap-race5
		mkdir -p "$CG"
		echo "$(devno_of "$sp") riops=1" >"$CG/io.max"
		log "reader cgroup io.max: $(cat "$CG/io.max")"
		sh -c 'echo $$ >"$1/cgroup.procs"; exec "$2" readloop "$3" 0 any "$4"' _ \
			"$CG" "$TAGIO" "$sp" "$STOP" >"$T/burner.out" 2>&1 &
		sh -c 'echo $$ >"$1/cgroup.procs"; exec "$2" readloop "$3" "$4" 1 "$5"' _ \
			"$CG" "$TAGIO" /dev/mapper/r5 "$A" "$STOP" >"$T/reader.out" 2>&1 &
	else
		"$TAGIO" readloop /dev/mapper/r5 "$A" 1 "$STOP" >"$T/reader.out" 2>&1 &
	fi
	rpid=$!
	sleep 0.5
	t_end=$((SECONDS + SECONDS_MAX))
	while ((SECONDS < t_end)); do
		msg r5 remap "$A"
		msg r5 unremap "$A"
		msg r5 remap "$B"
		msg r5 unremap "$B"
		cycles=$((cycles + 1))
		grep -q '^wrong read' "$T/reader.out" && break
	done
	touch "$STOP"
	wait "$rpid" || rc=$?
	wait
	cat "$T/reader.out"
	read -r _ _ _ _ _ wrong < <(tail -1 "$T/reader.out")
	log "defect 5 (throttle $throttle): $cycles cycles of remap A, unremap A, remap B, unremap B; $(tail -1 "$T/reader.out")"
	$SECTAG verify /dev/mapper/r5 0 4096 1 --direct || fail "the device's data changed"
	[[ ${wrong:-0} == 0 && $rc != 1 ]] || fail "a read of sector $A returned another unit's bytes"
	[[ $rc == 0 ]] || fail "the reader's reads failed (exit $rc)"
}

devno_of() { printf '%d:%d\n' "0x$(stat -c %t "$1")" "0x$(stat -c %T "$1")"; }

defect5() {
	log "defect 5: a reissued deferred read does not return another unit's bytes (throttled reader)"
	race5 1
}

defect5_plain() {
	log "defect 5: a reissued deferred read does not return another unit's bytes (plain reader)"
	race5 0
}

failed=()
for c in $CASES; do
	run_case "$c"
done
((${#failed[@]} == 0)) || fail "failed: ${failed[*]}"
echo "error-path races: ok"
