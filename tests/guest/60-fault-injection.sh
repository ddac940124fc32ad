#!/bin/bash
# needs: dm_remap
# timeout: 1200
# The kernel's "kmemleak: N new suspected memory leaks" line is allowed: the
# test itself fails on any new kmemleak entry except the known kernel leak
# (KMEMLEAK_ALLOW) that an injected failure under bioset_init causes.
# allow-dmesg: Call Trace|FAULT_INJECTION|kmemleak: [0-9]+ new suspected memory leaks
# Fault injection aimed at dm-remap's own allocations and I/O (debug kernel:
# CONFIG_FAILSLAB, CONFIG_FAIL_MAKE_REQUEST, CONFIG_FAULT_INJECTION_DEBUG_FS;
# SKIPs elsewhere).
#
# Part 1, every failure point of each operation in turn: build/dmfail runs
# one operation (table load on a blank and on a used spare, reload with a
# grown spare, suspend, resume, the messages remap, remap range, unremap,
# clear, remap_many, stats, list, direct reads and writes, remove) with
# /proc/thread-self/fail-nth = N, so the Nth fault-injection check of that
# task fails: a slab allocation (failslab, ignore-gfp-wait=N) or a bio to
# the spare (and, for I/O, the main) loop device (fail_make_request with
# the devices' make-it-fail=1).  A probe run counts the checks C each
# operation makes; N then takes FI_POINTS (default 6; 0 = all) values
# spread evenly over 1..C.  After every attempt: the operation succeeded or
# returned an error, status and list agree, the device reads back exactly
# the data it was created over, or, when metadata went "failed", it tears
# down and a reload brings the same data back.
# Part 2, random failures: a chain of FI_RANDOM_OPS (default 40) random
# operations, each with a failure at a random check (fail-nth) and no
# return to a base state in between; then fail_make_request with
# probability 25 and `times` on the
# main device while the whole device is rewritten (auto-remap must absorb
# every write error), then on the spare.
# At the end: no kmemleak entry newer than the test's start.
# Prints how many failures were injected, and at how many distinct places
# in dm_remap.ko they hit.
source "$(dirname "$0")/lib.sh"

FI=/sys/kernel/debug
if [[ ! -d $FI/failslab || ! -d $FI/fail_make_request || ! -e /proc/self/fail-nth ]]; then
	echo "no failslab/fail_make_request in debugfs or no /proc/self/fail-nth: this kernel lacks CONFIG_FAILSLAB/CONFIG_FAIL_MAKE_REQUEST/CONFIG_FAULT_INJECTION_DEBUG_FS (run it on the debug kernel: make check-debug)"
	exit 77
fi
DMFAIL=$REPO/build/dmfail
[[ -x $DMFAIL ]] || fail "$DMFAIL missing (make test-tools)"
KMEMLEAK=$FI/kmemleak

fi_set() { # fi_set failslab|fail_make_request KEY=VALUE...
	local a=$1 kv
	shift
	for kv in "$@"; do echo "${kv#*=}" >"$FI/$a/${kv%%=*}"; done
}
fi_off() {
	fi_set failslab probability=0 times=-1 task-filter=N
	fi_set fail_make_request probability=0 times=-1 task-filter=N
	for d in ${mainb:-} ${spareb:-}; do echo 0 >"/sys/block/$d/make-it-fail" 2>/dev/null || true; done
	echo 0 >/proc/self/fail-nth 2>/dev/null || true
}
# The serial console is slow under TCG: keep the reports in the log only.
dmesg -n 1
trap 'fi_off; dmesg -n 7; cleanup' EXIT
devfail() { # devfail MAIN SPARE: make-it-fail of the two loop devices
	echo "$1" >"/sys/block/$mainb/make-it-fail"
	echo "$2" >"/sys/block/$spareb/make-it-fail"
}

# kmemleak: suspects before the test, by address
leaks_now() { { grep -o '^unreferenced object 0x[0-9a-f]*' "$KMEMLEAK" 2>/dev/null || true; } | sort -u; }
if [[ -e $KMEMLEAK ]]; then
	echo scan >"$KMEMLEAK"
	leaks_now >"$T/leaks.before"
fi

main=$(new_loop 4)
spare=$(new_loop 2)
mainb=${main#/dev/} spareb=${spare#/dev/}
len=$(sectors "$main")
$DD if=/dev/urandom of="$main" bs=1M count=4 oflag=direct status=none
ref=$(md5sum <"$main")
SPARE_SMALL=3072 SPARE_FULL=4096
table() { echo "0 $len remap $main 0 $spare 0 ${1:-$SPARE_FULL}"; }

fi_off
fi_set failslab ignore-gfp-wait=N interval=1 space=0 verbose=2
fi_set fail_make_request interval=1 space=0 verbose=2
mark=$(kmsg_mark)

exists() { dmsetup info rfi >/dev/null 2>&1; }
ensure_removed() { if exists; then dmsetup remove --retry rfi; fi; }
ensure_created() { # ensure_created [SPARE_LEN]
	exists && return 0
	dmsetup create rfi --table "$(table "${1:-}")"
}

# check_dev: the device is usable, consistent and holds the data; when its
# metadata has failed, it must tear down and load again with the data.
nrecreate=0 nresumed=0
check_dev() {
	local st nlist sum slen
	if dmsetup info rfi | grep -q SUSPENDED; then
		nresumed=$((nresumed + 1))
		dmsetup resume rfi || fail "fi left suspended and does not resume (after: $last)"
	fi
	st=$(dmsetup status rfi) || fail "status of fi fails after: $last"
	if [[ $(awk '{print $8}' <<<"$st") == failed ]]; then
		nrecreate=$((nrecreate + 1))
		slen=$(dmsetup table rfi | awk '{print $8}')
		dmsetup remove --retry rfi || fail "fi with failed metadata does not tear down (after: $last)"
		dmsetup create rfi --table "$(table "$slen")" ||
			fail "fi does not load again after its metadata failed (after: $last)"
		st=$(dmsetup status rfi)
	fi
	nlist=$(msg rfi list | grep -c . || true)
	[[ $(awk '{print $5}' <<<"$st") == "$nlist" ]] || fail "status says $(awk '{print $5}' <<<"$st") remapped units, list has $nlist (after: $last)"
	[[ $(awk '{print $7}' <<<"$st") == 0 ]] || fail "lost sectors: $st (after: $last)"
	sum=$(md5sum </dev/mapper/rfi) || fail "reading fi fails after: $last"
	[[ $sum == "$ref" ]] || fail "fi's data changed after: $last"
}

# The remaps every sweep starts from: 100..109 and 5000.
BASE="100 101 102 103 104 105 106 107 108 109 5000"
restore_base() {
	local have s
	have=" $(msg rfi list | awk '{print $1}' | tr '\n' ' ') "
	for s in $have; do
		[[ " $BASE " == *" $s "* ]] || msg rfi unremap "$s" >/dev/null
	done
	for s in $BASE; do
		[[ $have == *" $s "* ]] || msg rfi remap "$s" >/dev/null
	done
}

total_fired=0 total_err=0 total_absorbed=0 total_checks=0
declare -A errnos=()
# sweep LABEL PREPARE CHECK RESTORE -- DMFAIL-ARGS...: a probe run (NTH
# too large to fire) counts the fault-injection checks C the operation
# makes; then failures are injected at FI_POINTS (default 6) checks
# spread evenly over 1..C (all of them when C <= FI_POINTS; FI_POINTS=0:
# every check).  A run where the failure did not fire (the operation made
# fewer checks that time) must succeed.
sweep() {
	local label=$1 prep=$2 chk=$3 rest=$4 n out rc fired=0 errs=0 c step pts=${FI_POINTS:-6}
	shift 5
	$prep
	last="$label (probe)"
	rc=0
	out=$("$DMFAIL" -n 1000000 "$@" 2>>"$T/dmfail.err") || rc=$?
	[[ $rc == 0 && $out == *" injected=0 "* ]] || fail "$label: probe run failed: $out $(tail -n 3 "$T/dmfail.err")"
	c=$(sed -n 's/.* checks=\([0-9]*\).*/\1/p' <<<"$out" | head -n 1)
	$chk
	$rest
	step=1
	((pts > 0 && c > pts)) && step=$(((c + pts - 1) / pts))
	for ((n = 1; n <= c; n += step)); do
		$prep
		last="$label with failure $n of $c"
		rc=0
		out=$("$DMFAIL" -n "$n" "$@" 2>>"$T/dmfail.err") || rc=$?
		((rc < 2)) || fail "dmfail $*: set-up error (rc $rc): $(tail -n 3 "$T/dmfail.err")"
		if [[ $out != *" injected=1 "* ]]; then
			[[ $rc == 0 ]] || fail "$label: failed with nothing injected: $out"
			$chk
			$rest
			continue
		fi
		fired=$((fired + 1))
		if ((rc)); then
			errs=$((errs + 1))
			e=$(sed -n 's/.* rc=\([0-9]*\) .*/\1/p' <<<"$out" | head -n 1)
			errnos[$e]=$((${errnos[$e]:-0} + 1))
		fi
		$chk
		$rest
	done
	log "$label: $c checks, failures injected at $fired of them (every ${step}th), $errs returned an error, $((fired - errs)) absorbed"
	total_fired=$((total_fired + fired)) total_err=$((total_err + errs))
	total_absorbed=$((total_absorbed + fired - errs)) total_checks=$((total_checks + c))
}

none() { :; }
created_check() { if exists; then check_dev; fi; }

# ---- table load --------------------------------------------------------
blank_spare() { ensure_removed; $DD if=/dev/zero of="$spare" bs=1M count=2 oflag=direct status=none; }
# A table load into a device created without a table: the ioctl is the
# table's construction and the target's constructor (formatting a blank
# spare, or loading its metadata), then a resume.  (Creating the device in
# the same sweep adds a thousand checks of device-mapper's own.)
notable() { ensure_removed; dmsetup create rfi --notable; }
blank_notable() { blank_spare; notable; }
loaded_check() {
	if [[ -n $(dmsetup table rfi) ]] || dmsetup info rfi | grep -q 'Tables present:.*INACTIVE'; then
		dmsetup resume rfi || fail "resume after a table load fails (after: $last)"
		check_dev
	fi
}
devfail 0 0
sweep "table load, blank spare (format), allocations" blank_notable loaded_check ensure_removed -- reload rfi "$(table)"
devfail 0 1
sweep "table load, blank spare (format), allocations and spare bios" blank_notable loaded_check ensure_removed -- reload rfi "$(table)"
ensure_created
restore_base
ensure_removed
devfail 0 0
sweep "table load, spare with 11 remaps, allocations" notable loaded_check ensure_removed -- reload rfi "$(table)"
devfail 0 1
sweep "table load, spare with 11 remaps, allocations and spare bios" notable loaded_check ensure_removed -- reload rfi "$(table)"
sweep "create (device and table)" ensure_removed created_check ensure_removed -- create rfi "$(table)"

# ---- reload with a grown spare, suspend, resume -------------------------
small() { blank_spare; ensure_created $SPARE_SMALL; }
reload_check() {
	dmsetup resume rfi || fail "resume after a reload fails (after: $last)"
	check_dev
}
sweep "reload with a grown spare" small reload_check ensure_removed -- reload rfi "$(table)"
ensure_created
resume_check() {
	if dmsetup info rfi | grep -q SUSPENDED; then dmsetup resume rfi || fail "resume fails (after: $last)"; fi
	check_dev
}
sweep "suspend" none resume_check none -- suspend rfi
suspend_it() { dmsetup suspend rfi; }
sweep "resume" suspend_it resume_check none -- resume rfi

# ---- messages ------------------------------------------------------------
sweep "message remap" restore_base check_dev restore_base -- message rfi remap 3000
sweep "message remap range" restore_base check_dev restore_base -- message rfi remap 4000 16
sweep "message unremap" restore_base check_dev restore_base -- message rfi unremap 100
sweep "message clear" restore_base check_dev restore_base -- message rfi clear
sweep "message remap_many" restore_base check_dev restore_base -- message rfi remap_many 2000+4 2100 2200+8
sweep "message stats" none check_dev none -- message rfi stats
sweep "message list" none check_dev none -- message rfi list

# ---- the I/O path (main and spare bios fail too) -------------------------
devfail 1 1
sweep "write to remapped units" restore_base check_dev restore_base -- write /dev/mapper/rfi $((100 * 512)) 4096
sweep "write across main and spare" restore_base check_dev restore_base -- write /dev/mapper/rfi $((64 * 512)) 65536
sweep "read across main and spare" restore_base check_dev restore_base -- read /dev/mapper/rfi $((64 * 512)) 65536
devfail 0 1
sweep "remove" ensure_created created_check ensure_created -- remove rfi

points=$(kmsg_since "$mark" | awk '
	function flush() { if (inblk && site != "") sites[site] = 1; if (inblk && site != "") inmod++; inblk = 0; site = "" }
	/FAULT_INJECTION: forcing a failure/ { flush(); inblk = 1; n++; next }
	inblk && /\[dm_remap\]/ && site == "" { s = $0; sub(/^.*\] +/, "", s); sub(/^ *(\? )?/, "", s); sub(/ .*/, "", s); site = s }
	inblk && /<\/TASK>/ { flush() }
	END { flush(); m = 0; for (s in sites) m++; printf "%d %d %d\n", n, inmod, m }')
read -r nlog nmod nsites <<<"$points"
log "part 1: $total_checks fault-injection checks in the operations swept, $total_fired failures injected ($total_err returned an error: $(for e in "${!errnos[@]}"; do printf 'errno %s x%s ' "$e" "${errnos[$e]}"; done); $total_absorbed absorbed); kernel logged $nlog, $nmod of them with dm_remap.ko on the stack, at $nsites distinct places in it; $nrecreate reloads after failed metadata, $nresumed resumes of a device left suspended"
kmsg_since "$mark" | awk '
	/FAULT_INJECTION: forcing a failure/ { inblk = 1; site = ""; next }
	inblk && /\[dm_remap\]/ && site == "" { s = $0; sub(/^.*\] +/, "", s); sub(/^ *(\? )?/, "", s); sub(/ .*/, "", s); site = s; c[site]++ }
	inblk && /<\/TASK>/ { inblk = 0 }
	END { for (s in c) printf "   %4d  %s\n", c[s], s }' | sort -k2 >"$T/sites"
echo "dm_remap.ko frames nearest to each injected failure (count, function):"
cat "$T/sites"
((total_fired > 0)) || fail "no failure was injected at all"
((nsites > 0)) || fail "no injected failure hit dm_remap.ko itself"

# ---- part 2: random failures --------------------------------------------
# 2a: a chain of FI_RANDOM_OPS (default 40) random operations, each with
# one failure at a random check N in 1..FI_RANDOM_NTH (default 60) of it
# (fail-nth: an allocation, or a bio to either loop device), and no return
# to the base remaps in between, so failures land on states part 1 never
# builds.  An operation making fewer than N checks has nothing injected
# and may still be refused (a unit already remapped, a full pool).
# (failslab by probability with make-it-fail on the dmfail process, the
# obvious way, broke the guest's 9p root twice: every later exec failed
# with EINVAL; fail-nth confines the failure to the operation's syscall.)
ensure_created
restore_base
devfail 1 1
ops=0 failed_ops=0 rnd_fired=0 rnd_err=0
for ((i = 0; i < ${FI_RANDOM_OPS:-40}; i++)); do
	case $((RANDOM % 9)) in
	0) a=(message rfi remap $((RANDOM % len))) ;;
	1) a=(message rfi remap $((RANDOM % (len - 64))) 32) ;;
	2) a=(message rfi unremap "$(msg rfi list | shuf -n 1 | cut -d' ' -f1 | grep . || echo 100)") ;;
	3) a=(message rfi remap_many $((RANDOM % len)) $((RANDOM % (len - 8)))+8) ;;
	4) a=(message rfi clear) ;;
	5) a=(message rfi stats) ;;
	6) a=(write /dev/mapper/rfi $(((RANDOM % (len / 8 - 16)) * 4096)) 65536) ;;
	7) a=(read /dev/mapper/rfi $(((RANDOM % (len / 8 - 16)) * 4096)) 65536) ;;
	8) a=(reload rfi "$(table)") ;;
	esac
	n=$((1 + RANDOM % ${FI_RANDOM_NTH:-60}))
	last="random chain op $i with failure $n: ${a[*]}"
	rc=0
	out=$("$DMFAIL" -n "$n" "${a[@]}" 2>>"$T/dmfail.err") || rc=$?
	((rc < 2)) || fail "dmfail ${a[*]}: set-up error: $(tail -n 3 "$T/dmfail.err")"
	ops=$((ops + 1))
	((rc == 0)) || failed_ops=$((failed_ops + 1))
	if [[ $out == *" injected=1 "* ]]; then
		rnd_fired=$((rnd_fired + 1))
		((rc == 0)) || rnd_err=$((rnd_err + 1))
	fi
	if [[ ${a[0]} == reload ]]; then
		dmsetup resume rfi || fail "resume after a reload with a failure fails (after: $last)"
	fi
	check_dev
done
devfail 0 0
log "part 2a: a chain of $ops random operations, each with a failure at a random check: $rnd_fired injected ($rnd_err returned an error, $((rnd_fired - rnd_err)) absorbed), $failed_ops operations failed in all, every one cleanly"
fi_off
fi_set failslab verbose=1
fi_set fail_make_request verbose=1

# fail_make_request on the main device while everything is rewritten: each
# write error must become an auto-remap, the writes all succeed.
msg rfi auto_remap on
cp /dev/null "$T/img"
$DD if=/dev/mapper/rfi of="$T/img" bs=1M iflag=direct status=none
before=$(msg rfi stats | awk '$1 == "auto_remaps" {print $2}')
fi_set fail_make_request task-filter=N probability=25 interval=1 times=20
devfail 1 0
$DD if="$T/img" of=/dev/mapper/rfi bs=64k oflag=direct status=none ||
	fail "rewriting fi failed while the main device returned write errors (auto-remap should absorb them)"
fi_off
after=$(msg rfi stats | awk '$1 == "auto_remaps" {print $2}')
mk_fired=$(kmsg_since "$mark" | grep -c 'name fail_make_request, interval 1, probability 25' || true)
last="rewrite under main-device write errors"
check_dev
log "part 2b: $mk_fired write errors injected on the main device, auto_remaps $before -> $after, every write acknowledged and intact"
((after > before)) || fail "write errors on the main device caused no auto-remap"

# ... and on the spare: writes to remapped units may fail, cleanly.
fi_set fail_make_request task-filter=N probability=25 interval=1 times=10
devfail 0 1
rc=0
$DD if="$T/img" of=/dev/mapper/rfi bs=64k oflag=direct status=none 2>"$T/dd.err" || rc=$?
fi_off
sp_fired=$(kmsg_since "$mark" | grep -c 'name fail_make_request, interval 1, probability 25' || true)
sp_fired=$((sp_fired - mk_fired))
last="rewrite under spare-device write errors"
check_dev
log "part 2c: $sp_fired write errors injected on the spare, dd exit $rc ($(head -c 120 "$T/dd.err")), state $(msg rfi stats | awk '$1 == "metadata" {print $2}')"

ensure_removed
total=$((total_fired + rnd_fired + mk_fired + sp_fired))
log "fault injection: $total failures injected in all ($total_fired at distinct points of $nsites+ dm_remap.ko sites, $rnd_fired in the random chain, $((mk_fired + sp_fired)) random bio errors)"

# ---- leaks ---------------------------------------------------------------
if [[ -e $KMEMLEAK ]]; then
	sleep 6
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	leaks_now >"$T/leaks.after"
	new=$(comm -13 "$T/leaks.before" "$T/leaks.after")
	# new entries, minus known kernel leaks (KMEMLEAK_ALLOW, as the runner:
	# 6.1's sysfs_slab_add leaks a kobject name when an allocation under
	# bioset_init fails)
	nnew=0 nallow=0
	for a in $(awk '{print $3}' <<<"$new"); do
		blk=$(awk -v a="$a" '/^unreferenced object/ { p = ($3 == a) } p' "$KMEMLEAK")
		if [[ -n ${KMEMLEAK_ALLOW-sysfs_slab_add} && $blk =~ ${KMEMLEAK_ALLOW-sysfs_slab_add} ]]; then
			nallow=$((nallow + 1))
		else
			nnew=$((nnew + 1))
			echo "$blk"
		fi
	done
	((nnew == 0)) || fail "kmemleak: $nnew new suspected leak(s) during fault injection"
	log "kmemleak: no new suspected leak of ours ($nallow known kernel leak(s) matching /${KMEMLEAK_ALLOW-sysfs_slab_add}/)"
fi
echo "fault injection: all failures handled cleanly"
