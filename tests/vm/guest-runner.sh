#!/bin/bash
# Runs INSIDE the test VM (started by run-guest-suite.sh / vm-run.sh).
#
# Usage: guest-runner.sh [TEST...]     (default: $REPO/tests/guest/[0-9]*.sh)
#
# Loads dm-mod and $REPO/dm_remap.ko (override: DM_REMAP_KO=path,
# module parameters: DM_REMAP_KO_PARAMS), then runs each test with a timeout.
# Test protocol: exit 0 = pass, 77 = skip, anything else = fail.
# Header comments a test may carry (first 30 lines):
#   # needs: none              does not need dm_remap.ko (default: needs it)
#   # needs: dm_remap scsi_debug   other names are modprobe'd; failure = SKIP
#   # timeout: 120             seconds (default $TEST_TIMEOUT or 600)
#   # allow-dmesg: REGEX       kernel-log lines matching REGEX are not errors
# A test fails as well when new BUG/WARNING/Oops/KASAN/lockdep/hung-task
# lines appear in the kernel log while it runs.  On a debug kernel the run
# stops after the first test that left a KASAN report or turned lockdep off
# (debug_locks 0 in /proc/lockdep_stats): the kernel checks nothing after
# that, so later tests are recorded as failed, not run.  With kmemleak
# (/sys/kernel/debug/kmemleak) the leaks suspected at start are cleared and
# a last result line, "kmemleak", scans twice after the module is unloaded
# and fails on any entry ($RESULTS/tests/kmemleak.log).
# TEST_TIMEOUT_SCALE (integer, default 1) multiplies every test's timeout.
# Per test: $RESULTS/tests/NAME.log (stdout+stderr), NAME.dmesg (kernel log
# of that test).  $RESULTS/results.tsv: name<TAB>status<TAB>seconds.
# Environment given to tests: REPO, TEST_NAME, TEST_TMPDIR (fresh scratch
# dir, also the cwd), TEST_LOG_DIR, DM_REMAP_KO, DM_REMAP_LOADED (1/0),
# DM_DISABLE_UDEV=1.
set -uo pipefail
{ # the whole script is parsed before it runs: editing it meanwhile is safe

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=${REPO:-$(cd "$HERE/../.." && pwd)}
export REPO
RESULTS=${VM_RESULTS:-/tmp/dm-remap-guest-results}
LOGDIR=$RESULTS/tests
TEST_TIMEOUT=${TEST_TIMEOUT:-600}
TEST_TIMEOUT_SCALE=${TEST_TIMEOUT_SCALE:-1}
[[ $TEST_TIMEOUT_SCALE =~ ^[1-9][0-9]*$ ]] || TEST_TIMEOUT_SCALE=1
KMEMLEAK=/sys/kernel/debug/kmemleak
# Known leaks of the kernel itself, not of dm-remap: reported, not failed.
#  sysfs_slab_add: 6.1's mm/slub.c returns without kobject_put() when
#  kobject_init_and_add() fails, leaking the kobject's name; device-mapper
#  reaches it through bioset_init() when fault injection fails that
#  allocation during a table load (tests/guest/60-fault-injection.sh).
KMEMLEAK_ALLOW=${KMEMLEAK_ALLOW:-sysfs_slab_add}
DM_REMAP_KO=${DM_REMAP_KO:-$REPO/dm_remap.ko}
export DM_REMAP_KO DM_DISABLE_UDEV=1
KERR_RE='BUG:|WARNING:|Oops|KASAN|ODEBUG:|suspected memory leak|UBSAN|general protection fault|kernel BUG|Call Trace|possible circular locking|possible recursive locking|inconsistent lock state|blocked for more than|hung_task|soft lockup|hard LOCKUP|rcu_sched self-detected|RCU stall|list_(add|del) corruption|refcount_t:'

if [[ -z ${IN_TEST_VM:-} && -z ${GUEST_RUNNER_ALLOW_HOST:-} ]]; then
	echo "guest-runner.sh: refusing to run outside the test VM (it loads modules and removes all dm/loop devices); use tests/vm/run-guest-suite.sh" >&2
	exit 2
fi

mkdir -p "$LOGDIR"
RESULTS_TSV=$RESULTS/results.tsv
: >"$RESULTS_TSV"
: >"$RESULTS/summary.txt"
rm -f "$RESULTS/current"

say() { echo "$*"; echo "$*" >>"$RESULTS/summary.txt"; }
kmsg() { echo "guest-runner: $*" >/dev/kmsg 2>/dev/null || true; }
# Process creation is slow under TCG (~40 ms per dynamically linked exec), so
# the per-test bookkeeping below sticks to bash builtins where it can.
now_us() { local t=${EPOCHREALTIME/./}; echo "${t#0}"; }
fmt_secs() { printf '%d.%d' $(($1 / 1000000)) $((($1 / 100000) % 10)); }

# ---- tests to run -----------------------------------------------------------
tests=()
if (($#)); then
	for t in "$@"; do
		[[ $t == /* ]] || t=$PWD/$t
		tests+=("$t")
	done
else
	shopt -s nullglob
	tests=("$REPO"/tests/guest/[0-9]*.sh)
	shopt -u nullglob
fi
names=()
for t in "${tests[@]}"; do names+=("${t##*/}"); done
printf '%s\n' "${names[@]}" >"$RESULTS/plan.txt"

# ---- module -----------------------------------------------------------------
echo "guest-runner: kernel $(uname -r), $(nproc) cpu(s), $(awk '/MemTotal/{print int($2/1024)" MB"}' /proc/meminfo), ${#tests[@]} test(s)"
modprobe dm-mod || echo "guest-runner: warning: modprobe dm-mod failed"
module_loaded=0
module_err=
if [[ ! -f $DM_REMAP_KO ]]; then
	module_err="dm_remap.ko not built ($DM_REMAP_KO missing)"
	echo "guest-runner: dm_remap.ko not built ($DM_REMAP_KO missing); tests that need it will fail"
else
	vm=$(modinfo -F vermagic "$DM_REMAP_KO" 2>/dev/null | awk '{print $1}')
	if lsmod | grep -q '^dm_remap '; then
		rmmod dm_remap 2>/dev/null || true
	fi
	# shellcheck disable=SC2086
	if out=$(insmod "$DM_REMAP_KO" ${DM_REMAP_KO_PARAMS:-} 2>&1); then
		module_loaded=1
		echo "guest-runner: loaded $DM_REMAP_KO (vermagic $vm)"
	else
		module_err="insmod $DM_REMAP_KO failed: ${out:-unknown error}"
		[[ -n $vm && $vm != "$(uname -r)" ]] && module_err+=" (module built for $vm, guest runs $(uname -r))"
		echo "guest-runner: $module_err"
	fi
fi
export DM_REMAP_LOADED=$module_loaded

# debug_locks: 1 while lockdep checks (it turns itself off after a report,
# and so does the first KASAN report).  Empty without lockdep.
debug_locks() { awk '$1 == "debug_locks:" {print $2}' /proc/lockdep_stats 2>/dev/null; }
locks_at_start=$(debug_locks)
[[ -n $locks_at_start ]] && echo "guest-runner: lockdep on (debug_locks $locks_at_start)"
kmemleak_ok=0
if [[ -e $KMEMLEAK ]]; then
	# what the boot left: not ours to report
	if echo scan >"$KMEMLEAK" 2>/dev/null && echo clear >"$KMEMLEAK" 2>/dev/null; then
		kmemleak_ok=1
		echo "guest-runner: kmemleak on; suspects from boot cleared"
	else
		echo "guest-runner: kmemleak present but not usable (disabled at boot?)"
	fi
fi

# ---- helpers ----------------------------------------------------------------
# parse_header FILE: sets h_needs, h_timeout, h_allow from '# key: value'
# comments in the first 30 lines.
parse_header() {
	local line n=0 re='^#[[:space:]]*(needs|timeout|allow-dmesg):[[:space:]]*(.*[^[:space:]])?[[:space:]]*$'
	h_needs='' h_timeout='' h_allow=''
	while ((n++ < 30)) && IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		case ${BASH_REMATCH[1]} in
		needs) h_needs=${BASH_REMATCH[2]} ;;
		timeout) h_timeout=${BASH_REMATCH[2]} ;;
		allow-dmesg) h_allow=${BASH_REMATCH[2]} ;;
		esac
	done <"$1"
}

# kernel_log_since MARKER OUTFILE ALLOW: write the kernel log after MARKER to
# OUTFILE, print the lines that look like kernel problems.
kernel_log_since() {
	dmesg 2>/dev/null | awk -v m="$1" -v out="$2" -v re="$KERR_RE" -v allow="$3" '
		found { print > out; if ($0 ~ re && $0 !~ /\] guest-runner: / && !(allow != "" && $0 ~ allow)) print }
		index($0, m) { found = 1 }
		END { if (!found) printf "" > out }'
}

cleanup_devices() { # remove dm/loop devices a test left behind
	local log=$1 d left=()
	for d in /sys/block/dm-*; do [[ -e $d ]] && left+=("${d##*/}"); done
	for d in /sys/block/loop*/loop/backing_file; do [[ -e $d ]] && left+=("$(d=${d%/loop/*}; echo "${d##*/}")"); done
	((${#left[@]})) || return 0
	{
		echo "guest-runner: test left devices behind, removing: ${left[*]}"
		dmsetup ls
		losetup -a
	} >>"$log" 2>&1
	timeout 60 dmsetup remove_all --force >>"$log" 2>&1 || true
	timeout 60 losetup -D >>"$log" 2>&1 || true
}

npass=0 nfail=0 nskip=0
record() { # record NAME STATUS SECONDS [REASON]
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS_TSV"
	case $2 in
	PASS) npass=$((npass + 1)); say "PASS $1 (${3}s)" ;;
	SKIP) nskip=$((nskip + 1)); say "SKIP $1${4:+: $4}" ;;
	*) nfail=$((nfail + 1)); say "FAIL $1 (${3}s)${4:+: $4}" ;;
	esac
}

show_failure() { # show_failure LOG [KERNEL-LINES]
	local shown=$1
	[[ -n ${VM_RESULTS_HOST:-} ]] && shown=$VM_RESULTS_HOST/${1#"$RESULTS"/}
	echo "----- last 40 lines of $shown -----"
	tail -n 40 "$1" 2>/dev/null
	if [[ -n ${2:-} ]]; then
		echo "----- kernel log problems -----"
		echo "$2" | head -n 40
	fi
	echo "-----"
}

# ---- run --------------------------------------------------------------------
i=0
for t in "${tests[@]}"; do
	i=$((i + 1))
	name=${t##*/}
	log=$LOGDIR/$name.log
	echo "$name" >"$RESULTS/current"
	: >"$log"

	if [[ ! -f $t ]]; then
		record "$name" FAIL 0 "no such test: $t"
		continue
	fi
	parse_header "$t"
	tmo=$h_timeout
	[[ $tmo =~ ^[0-9]+$ ]] || tmo=$TEST_TIMEOUT
	tmo=$((tmo * TEST_TIMEOUT_SCALE))
	needs=${h_needs:-dm_remap}

	skip_reason='' fail_reason=''
	for n in $needs; do
		case $n in
		none) ;;
		dm_remap | dm-remap)
			((module_loaded)) || fail_reason=$module_err ;;
		*)
			modprobe "$n" >>"$log" 2>&1 || skip_reason="needs kernel module $n (modprobe failed)" ;;
		esac
	done
	if [[ -n $fail_reason ]]; then
		echo "$fail_reason" >>"$log"
		record "$name" FAIL 0 "$fail_reason"
		continue
	fi
	if [[ -n $skip_reason ]]; then
		echo "$skip_reason" >>"$log"
		record "$name" SKIP 0 "$skip_reason"
		continue
	fi

	tmp=/tmp/guest-tests/$name
	rm -rf "$tmp" && mkdir -p "$tmp"
	marker="guest-runner: [$i/${#tests[@]}] start $name"
	kmsg "[$i/${#tests[@]}] start $name"
	runner=()
	[[ -x $t ]] || runner=(bash)
	t0=$(now_us)
	(
		cd "$tmp" || exit 1
		export TEST_NAME=$name TEST_TMPDIR=$tmp TEST_LOG_DIR=$LOGDIR
		exec timeout -k 10 "$tmo" "${runner[@]}" "$t"
	) </dev/null >>"$log" 2>&1
	rc=$?
	secs=$(fmt_secs $(($(now_us) - t0)))
	kmsg "[$i/${#tests[@]}] end $name rc=$rc"
	if ((rc == 124 || rc == 137)); then
		# timed out: show where tasks are blocked (goes to NAME.dmesg)
		echo w >/proc/sysrq-trigger 2>/dev/null
	fi
	cleanup_devices "$log"
	kerr=$(kernel_log_since "$marker" "$LOGDIR/$name.dmesg" "$h_allow")

	reason=
	case $rc in
	0) status=PASS ;;
	77)
		status=SKIP
		while IFS= read -r line; do [[ -n $line ]] && reason=${line:0:200}; done <"$log" ;;
	124 | 137) status=FAIL reason="timed out after ${tmo}s" ;;
	*) status=FAIL reason="exit status $rc" ;;
	esac
	if [[ -n $kerr ]]; then
		status=FAIL
		first=${kerr%%$'\n'*}
		first=${first#\[*\] }
		reason="${reason:+$reason; }kernel log: ${first:0:160}"
	fi
	record "$name" "$status" "$secs" "$reason"
	[[ $status == FAIL ]] && show_failure "$log" "$kerr"
	rm -rf "$tmp"
	# The first KASAN report (or lockdep's first splat) switches the
	# checkers off: what runs after it would pass unchecked.
	stop=
	[[ $kerr == *KASAN* ]] && stop="KASAN report in $name"
	if [[ $locks_at_start == 1 && $(debug_locks) != 1 ]]; then
		stop="${stop:-lockdep turned itself off (debug_locks 0) during $name}"
	fi
	if [[ -n $stop ]]; then
		echo "guest-runner: stopping: $stop; the kernel's checkers are off from here"
		for ((j = i; j < ${#tests[@]}; j++)); do
			record "${names[j]}" FAIL 0 "not run: $stop"
		done
		break
	fi
done
rm -f "$RESULTS/current"

# Unloading the module catches leaked references.
if ((module_loaded)); then
	name=rmmod-dm_remap
	echo "$name" >>"$RESULTS/plan.txt"
	echo "$name" >"$RESULTS/current"
	marker="guest-runner: rmmod dm_remap"
	kmsg "rmmod dm_remap"
	t0=$(now_us)
	if out=$(timeout 60 rmmod dm_remap 2>&1); then reason=; else reason="rmmod dm_remap failed: $out"; fi
	secs=$(fmt_secs $(($(now_us) - t0)))
	kerr=$(kernel_log_since "$marker" "$LOGDIR/$name.dmesg" "")
	if [[ -n $kerr ]]; then
		first=${kerr%%$'\n'*}
		reason="kernel log: ${first#\[*\] }${reason:+; $reason}"
	fi
	if [[ -z $reason ]]; then record "$name" PASS "$secs"; else record "$name" FAIL "$secs" "$reason"; fi
	rm -f "$RESULTS/current"
fi

# kmemleak: two scans (an object is reported once its checksum is stable
# across scans and it is older than 5 s), after the module is gone.
if ((kmemleak_ok)); then
	name=kmemleak
	echo "$name" >>"$RESULTS/plan.txt"
	echo "$name" >"$RESULTS/current"
	t0=$(now_us)
	reason=
	if echo scan >"$KMEMLEAK" 2>/dev/null && sleep 6 && echo scan >"$KMEMLEAK" 2>/dev/null; then
		cat "$KMEMLEAK" >"$LOGDIR/$name.log" 2>&1
		# one count per entry; entries whose backtrace matches
		# KMEMLEAK_ALLOW are known kernel leaks
		read -r nleak nallow <<<"$(awk -v allow="$KMEMLEAK_ALLOW" '
			function end() { if (inb) { if (allow != "" && blk ~ allow) a++; else n++ } blk = "" }
			/^unreferenced object/ { end(); inb = 1 }
			{ blk = blk "\n" $0 }
			END { end(); print n + 0, a + 0 }' "$LOGDIR/$name.log")"
		((nallow)) && echo "guest-runner: kmemleak: $nallow known kernel leak(s) matching /$KMEMLEAK_ALLOW/ (see tests/$name.log)"
		if ((nleak)); then
			first=$(awk -v allow="$KMEMLEAK_ALLOW" '/^unreferenced object/ { if (blk != "" && !(allow != "" && blk ~ allow)) { print blk; exit } blk = "" } { blk = blk $0 "\n" } END { if (blk != "" && !(allow != "" && blk ~ allow)) print blk }' "$LOGDIR/$name.log" |
				grep -m1 -E '^ +\[<' | sed 's/^ *//')
			reason="$nleak suspected leak(s) (first backtrace top: ${first:-?}); see tests/$name.log"
		fi
	else
		reason="kmemleak scan failed (kmemleak disabled during the run?)"
	fi
	secs=$(fmt_secs $(($(now_us) - t0)))
	if [[ -z $reason ]]; then record "$name" PASS "$secs"; else record "$name" FAIL "$secs" "$reason"; fi
	rm -f "$RESULTS/current"
fi

line="$npass passed, $nfail failed"
((nskip)) && line+=", $nskip skipped"
echo "guest-runner: $line"
((nfail == 0))
}
