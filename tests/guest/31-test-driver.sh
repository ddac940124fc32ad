#!/bin/bash
# timeout: 300
# remap_test_driver.sh end to end on the real target: a single run (summary
# block line by line, change log against debugfs and the remap messages,
# dmesg files, a REMOVED line from a 'clear' sent mid-run), a batch from
# REMAP_BATCH_MATRIX without a terminal, a batch on a pty (--pause prompt,
# Enter, q), bad invocations, missing prerequisites, a mapping that cannot
# be made, a name in use, fio verify errors, and SIGINT.  After every run no
# dm device, loop device or temporary file may be left.
source "$(dirname "$0")/lib.sh"

DRV=$REPO/remap_test_driver.sh
DBG=/sys/kernel/debug/dm_remap/remap_table
RULE="=============================="
TS_RE='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-2][0-9]:[0-5][0-9]:[0-5][0-9]'
HMS_RE='[0-2][0-9]:[0-5][0-9]:[0-5][0-9]'
REAL_DMSETUP=$(command -v dmsetup)

W=$T/work
mkdir -p "$W" "$T/tmp" "$T/bin"
cd "$W" || exit 1
export TMPDIR=$T/tmp # the driver's backing files: must be gone after each run

# devs: the dm devices and attached loop devices, to compare before/after.
devs() {
	dmsetup ls 2>/dev/null | awk '{print $1}' | sort
	losetup -a 2>/dev/null | cut -d: -f1 | sort
}
BASE_DEVS=$(devs)
no_leftovers() { # no_leftovers WHAT
	expect_eq "$1: devices after the run" "$(devs)" "$BASE_DEVS"
	expect_eq "$1: files left in TMPDIR" "$(ls -A "$TMPDIR")" ""
}

# drv OUT ARGS...: run the driver, output (stdout+stderr) to OUT, CR dropped
# (pty); sets RC.
drv() {
	local out=$1
	shift
	RC=0
	"$DRV" "$@" >"$out.raw" 2>&1 || RC=$?
	tr -d '\r' <"$out.raw" >"$out"
}

show() { echo "----- $1"; cat "$1"; echo "-----"; }
step() { log "[${SECONDS}s] $*"; }

secs_of() { # HH:MM:SS -> seconds
	local h m s
	IFS=: read -r h m s <<<"$1"
	echo $((10#$h * 3600 + 10#$m * 60 + 10#$s))
}

# check_summary OUT SIZE SECS BS NAME [DIR/]: the seed's summary block, line
# by line.  Sets S_ADDED, S_REMOVED, S_LOG.
check_summary() {
	local out=$1 size=$2 secs=$3 bs=$4 name=$5 dir=${6:-} d
	local head="=== SUMMARY for ${size}MB, ${secs}s, ${bs}, dm_name=$name ==="
	local -a L
	mapfile -t L < <(grep -F -x -A6 -- "$head" "$out")
	((${#L[@]} == 7)) || { show "$out"; fail "$name: no summary block '$head'"; }
	[[ ${L[1]} =~ ^First\ snapshot:\ ($HMS_RE)$ ]] || fail "$name: bad line '${L[1]}'"
	local first=${BASH_REMATCH[1]}
	[[ ${L[2]} =~ ^Last\ snapshot:\ \ ($HMS_RE)$ ]] || fail "$name: bad line '${L[2]}'"
	local last=${BASH_REMATCH[1]}
	[[ ${L[3]} =~ ^Total\ added\ lines:\ \ \ ([0-9]+)$ ]] || fail "$name: bad line '${L[3]}'"
	S_ADDED=${BASH_REMATCH[1]}
	[[ ${L[4]} =~ ^Total\ removed\ lines:\ ([0-9]+)$ ]] || fail "$name: bad line '${L[4]}'"
	S_REMOVED=${BASH_REMATCH[1]}
	[[ ${L[5]} =~ ^Log\ file:\ (${dir}remap_changes_${size}MB_${secs}s_${bs}_[0-9]{8}_[0-9]{6}\.log)$ ]] ||
		fail "$name: bad line '${L[5]}'"
	S_LOG=${BASH_REMATCH[1]}
	expect_eq "$name: closing rule" "${L[6]}" "$RULE"
	d=$((($(secs_of "$last") - $(secs_of "$first") + 86400) % 86400))
	((d <= 120)) || fail "$name: snapshots $first .. $last"
	S_SPAN=$d
	echo "summary ok: $name: $first .. $last (${d}s), added $S_ADDED, removed $S_REMOVED, $S_LOG"
}

# check_changelog FILE NAME ADDED REMOVED: every line a '# ' comment or a
# timestamped [ADDED]/[REMOVED] debugfs line of NAME; the counts match; each
# added unit holds a sector whose remap message was accepted, or one of a
# range the driver made fail writes (the target remapped it by itself).
check_changelog() {
	local f=$1 name=$2 bad
	[[ -f $f ]] || fail "change log $f missing"
	expect_eq "$f: [ADDED] lines" "$(grep -cE '^\[[^]]+\] \[ADDED\] ' "$f" || true)" "$3"
	expect_eq "$f: [REMOVED] lines" "$(grep -cE '^\[[^]]+\] \[REMOVED\] ' "$f" || true)" "$4"
	bad=$(grep -v '^# ' "$f" |
		grep -vE "^\[$TS_RE\] \[(ADDED|REMOVED)\] $name [0-9]+ [0-9]+ [1-9][0-9]*$" || true)
	[[ -z $bad ]] || { show "$f"; fail "$f: malformed lines: $bad"; }
	bad=$(awk '
		/^# \[.*\] remap [0-9]+: accepted$/ { acc[$5 + 0] = 1 }
		/^# \[.*\] sectors [0-9]+-[0-9]+ go bad: / { split($5, r, "-")
			for (s = r[1] + 0; s <= r[2] + 0; s++) acc[s] = 1 }
		/\] \[ADDED\] / { n = split($0, a, " "); added[a[n - 2]] = a[n] }
		END { for (l in added) { ok = 0
			for (s in acc) if (s - s % added[l] == l + 0) ok = 1
			if (!ok) print l } }' "$f")
	[[ -z $bad ]] || { show "$f"; fail "$f: added units without an accepted remap: $bad"; }
}

# check_files LOG: the fio log and dmesg files named in the change log.
check_files() {
	local log=$1 dir=${1%/*} f
	[[ $dir == "$log" ]] && dir=.
	for f in "fio log" "dmesg before" "dmesg after"; do
		local name
		name=$(sed -n "s/^# $f: //p" "$log")
		[[ -n $name ]] || fail "$log: no '# $f:' line"
		[[ -s $dir/$name ]] || fail "$f file $dir/$name missing or empty"
	done
	expect_eq "dmesg file names" "$(sed -n 's/^# dmesg before: dmesg_before_//p' "$log")" \
		"${log##*remap_changes_}"
}

# wait_for FILE REGEX SECONDS: until FILE has a line matching REGEX.
wait_for() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ------------------------------------------------------------- single --

step "single run: 16 MiB, 6 s, 4k, with units unremapped mid-run"
"$DRV" single 16 6 4k --dm-name=drv_single >single.out 2>&1 &
pid=$!
if ! wait_for single.out '^Running fio' 60 || ! wait_for remap_changes_16MB_6s_4k_*.log '\[ADDED\] ' 30; then
	wait $pid || true
	show single.out
	fail "the single run did not get to remapping"
fi
clog=$(echo remap_changes_16MB_6s_4k_*.log)
first_added=$(grep -m1 '\[ADDED\] ' "$clog" | sed 's/^\[[^]]*\] \[ADDED\] //')
grep -qxF -- "$first_added" $DBG || fail "logged line '$first_added' is not in debugfs: $(cat $DBG)"
# Unremap the units of accepted remap messages (the automatic remaps are
# on sectors that fail writes: those could not go back to the main device).
wait_for "$clog" '^# \[.*\] remap [0-9]+: accepted$' 30 ||
	fail "no remap message accepted in 30 s"
# An unremap flushes the main device before it drops the spare copy, and a
# dm-flakey error_writes segment fails flushes too: once the injector has
# made a range go bad, every unremap is refused with EIO, by design.  On a
# slow guest that can happen before the first unremap here; then (and only
# then) mid-run unremaps are not exercised by this run.
# The injector logs a range as gone bad just after its table swap, so the
# log line may follow the EIO it caused by a moment: wait for it.
unremapped=0 eio_after_bad=0
while read -r l; do
	if out=$(msg drv_single unremap "$l" 2>&1); then
		unremapped=$((unremapped + 1))
	elif [[ $out == *"Input/output error"* ]] &&
		wait_for "$clog" '^# \[.*\] sectors [0-9]+-[0-9]+ go bad' 5; then
		eio_after_bad=$((eio_after_bad + 1))
	else
		fail "unremap $l mid-run: $out"
	fi
done < <(sed -n 's/^# \[[^]]*\] remap \([0-9][0-9]*\): accepted$/\1/p' "$clog")
((unremapped >= 1 || eio_after_bad >= 1)) || fail "no unit could be unremapped mid-run"
((unremapped >= 1)) ||
	echo "single: note: every unremap came after a range went bad (EIO: the main device fails flushes); mid-run unremap not exercised this time"
rc=0
wait $pid || rc=$?
show single.out
expect_eq "single: exit code" "$rc" 0
check_summary single.out 16 6 4k drv_single
expect_eq "single: log file" "$S_LOG" "$clog"
((S_SPAN >= 5)) || fail "single: snapshots span ${S_SPAN}s, run was 6s"
((S_ADDED >= 1)) || fail "single: nothing added"
((S_REMOVED >= 1 || unremapped == 0)) || fail "single: the unremaps removed nothing"
check_changelog "$clog" drv_single "$S_ADDED" "$S_REMOVED"
check_files "$clog"
grep -qx 'fio:           ok (exit 0, 0 verify errors)' single.out || fail "single: no fio ok line"
[[ $(grep -c '^\[.*\] \[ADDED\] drv_single ' single.out) == "$S_ADDED" ]] || fail "single: live [ADDED] lines"
grep -q '^Torn down: drv_single ' single.out || fail "single: no teardown line"
grep -q '^Torn down: drv_single drv_single-disk /dev/loop' single.out ||
	fail "single: the failing-disk layer not torn down"
bl=$(grep '^Bad sectors:' single.out) || fail "single: no 'Bad sectors:' line"
[[ $bl =~ ^Bad\ sectors:\ \ \ ([0-9]+)\ ranges\ of\ 8\ sectors\ went\ bad,\ ([0-9]+)\ units\ remapped\ automatically$ ]] ||
	fail "single: bad line '$bl'"
((BASH_REMATCH[1] > 0 || BASH_REMATCH[2] == 0)) || fail "single: automatic remaps without bad sectors: $bl"
echo "single: $bl"
no_leftovers single

# -------------------------------------------------------------- batch --

step "batch from REMAP_BATCH_MATRIX, stdin not a terminal (--pause ignored)"
REMAP_BATCH_MATRIX="16:4:4k 20:4:8k" drv batch.out batch --pause --dm-name-prefix=drvb --log-dir=blogs </dev/null
show batch.out
expect_eq "batch: exit code" "$RC" 0
grep -q 'Press Enter' batch.out && fail "batch: prompted without a terminal"
grep -qx 'Note: --pause ignored: stdin is not a terminal' batch.out || fail "batch: no note on --pause"
declare -A added removed
for e in 16:4:4k 20:4:8k; do
	IFS=: read -r size secs bs <<<"$e"
	name=drvb_${size}MB_${secs}s_${bs}
	check_summary batch.out "$size" "$secs" "$bs" "$name" blogs/
	check_changelog "$S_LOG" "$name" "$S_ADDED" "$S_REMOVED"
	check_files "$S_LOG"
	expect_eq "$name: removed" "$S_REMOVED" 0
	acc=$(grep -c '^# \[.*\] remap [0-9]*: accepted$' "$S_LOG" || true)
	auto=$(sed -n 's/^# bad sectors: [0-9]* ranges went bad, \([0-9]*\) automatic remaps$/\1/p' "$S_LOG")
	[[ -n $auto ]] || fail "$name: no '# bad sectors:' line in $S_LOG"
	expect_eq "$name: one [ADDED] line per accepted or automatic remap" "$S_ADDED" $((acc + auto))
	added[$name]=$S_ADDED removed[$name]=$S_REMOVED
done
mapfile -t tab < <(sed -n '/^=== BATCH SUMMARY/,$p' batch.out)
expect_eq "batch table: head" "${tab[0]:-}" "=== BATCH SUMMARY: 2 of 2 runs ==="
[[ ${tab[1]:-} =~ ^run\ +dm_name\ +added\ +removed\ +fio$ ]] || fail "batch table: header '${tab[1]:-}'"
i=1
for name in drvb_16MB_4s_4k drvb_20MB_4s_8k; do
	[[ ${tab[i + 1]:-} =~ ^$i\ +$name\ +${added[$name]}\ +${removed[$name]}\ +ok$ ]] ||
		fail "batch table: row $i '${tab[i + 1]:-}'"
	i=$((i + 1))
done
grep -qx 'Result: all 2 runs passed' batch.out || fail "batch: no result line"
no_leftovers batch

step "batch on a terminal: --pause prompt, Enter, then q during the second run"
if command -v script >/dev/null; then
	mkfifo "$T/keys"
	REMAP_BATCH_MATRIX="16:1:4k 16:30:8k" script -qefc \
		"$DRV batch --pause --dm-name-prefix=drvt" /dev/null <"$T/keys" >tty.raw 2>&1 &
	pid=$!
	exec 7>"$T/keys"
	wait_for tty.raw 'Press Enter for the next run, q to quit' 60 || { show tty.raw; fail "no pause prompt"; }
	printf '\n' >&7
	wait_for tty.raw 'RUN 16MB, 30s, 8k' 30 || { show tty.raw; fail "Enter did not start run 2"; }
	wait_for tty.raw '^Running fio for 30s' 30 || { show tty.raw; fail "run 2 did not start fio"; }
	sleep 2
	# q again until the run stops (at most 10 times): on a 6.12 guest a
	# single q during a run slowed by failing-disk reloads was once not
	# seen (not explained yet; noted for the driver).
	for ((i = 0; i < 10; i++)); do
		printf q >&7
		wait_for tty.raw 'Stopping the run \(q pressed\)' 2 && break
		kill -0 $pid 2>/dev/null || break
	done
	((i == 0)) || echo "tty batch: q pressed $((i + 1)) times"
	rc=0
	wait $pid || rc=$?
	exec 7>&-
	tr -d '\r' <tty.raw >tty.out
	show tty.out
	expect_eq "tty batch: exit code" "$rc" 0
	grep -qx 'Stopping the run (q pressed) ...' tty.out || fail "tty batch: q did not stop the run"
	check_summary tty.out 16 1 4k drvt_16MB_1s_4k
	check_summary tty.out 16 30 8k drvt_16MB_30s_8k
	((S_SPAN < 25)) || fail "tty batch: run 2 went on for ${S_SPAN}s after q"
	grep -qx '=== BATCH SUMMARY: 2 of 2 runs (quit early) ===' tty.out || fail "tty batch: table head"
	grep -qE '^1 +drvt_16MB_1s_4k +[0-9]+ +0 +ok$' tty.out || fail "tty batch: row 1"
	grep -qE '^2 +drvt_16MB_30s_8k +[0-9]+ +0 +quit$' tty.out || fail "tty batch: row 2"
	grep -qx 'Result: no run failed (1 passed, 1 stopped early)' tty.out || fail "tty batch: result line"
	no_leftovers "tty batch"
else
	echo "script(1) not found: terminal batch not tested"
fi

# ---------------------------------------------------------- bad usage --

step "bad invocations: usage and exit code 2"
for args in "bogus" "single abc 5 4k" "single 16 5" "single 16 5 1000" "single 16 0 4k" \
	"batch extra" "single 16 5 4k --frobnicate" "single 16 5 4k --dm-name=a/b"; do
	# shellcheck disable=SC2086 # split on purpose
	drv bad.out $args
	expect_eq "'$args': exit code" "$RC" 2
	grep -q '^ERROR: ' bad.out || fail "'$args': no ERROR line"
	grep -q '^Usage: ' bad.out || fail "'$args': no usage"
done
REMAP_BATCH_MATRIX="16:x:4k" drv bad.out batch
expect_eq "bad matrix: exit code" "$RC" 2
drv help.out --help
expect_eq "--help: exit code" "$RC" 0
grep -q '^Exit codes:' help.out || fail "--help lacks the exit codes"
grep -q 'REMAP_BATCH_MATRIX' help.out || fail "--help lacks REMAP_BATCH_MATRIX"

# ---------------------------------------------------- prerequisites --

step "prerequisites: not root (3), no fio (4), no remap target (5)"
if command -v setpriv >/dev/null; then
	RC=0
	setpriv --reuid=65534 --regid=65534 --clear-groups "$DRV" single 16 3 4k >nr.out 2>&1 || RC=$?
	expect_eq "not root: exit code" "$RC" 3
	expect_eq "not root: first line" "$(head -n1 nr.out)" "ERROR: must be run as root (try: sudo remap_test_driver.sh ...)"
fi
farm=$T/farm
mkdir "$farm"
cp -s /usr/sbin/* /usr/bin/* "$farm"/ 2>/dev/null || true
rm -f "$farm/fio"
RC=0
PATH=$farm "$DRV" single 16 3 4k >nofio.out 2>&1 || RC=$?
show nofio.out
expect_eq "no fio: exit code" "$RC" 4
expect_eq "no fio: message" "$(cat nofio.out)" "ERROR: required program 'fio' not found in PATH"

# A dmsetup that forwards everything except what FAKE_DM breaks.
cat >"$T/bin/dmsetup" <<EOF
#!/bin/bash
case \${FAKE_DM:-}:\${1:-} in
notarget:targets) "$REAL_DMSETUP" targets | grep -v '^remap' ; exit \$? ;;
nocreate:create) echo "device-mapper: create ioctl on \$2 failed: Injected failure" >&2; exit 1 ;;
esac
exec "$REAL_DMSETUP" "\$@"
EOF
chmod +x "$T/bin/dmsetup"
RC=0
FAKE_DM=notarget PATH=$T/bin:$PATH "$DRV" single 16 3 4k >notarget.out 2>&1 || RC=$?
expect_eq "no target: exit code" "$RC" 5
expect_eq "no target: message" "$(cat notarget.out)" "ERROR: the device-mapper target 'remap' is not loaded (sudo insmod dm_remap.ko)"
no_leftovers prerequisites

# ------------------------------------------------------ setup failures --

step "mapping cannot be made (dmsetup create fails): exit 7, nothing left"
RC=0
FAKE_DM=nocreate PATH=$T/bin:$PATH "$DRV" single 16 3 4k --dm-name=drv_nomap >nomap.out 2>&1 || RC=$?
show nomap.out
expect_eq "no mapping: exit code" "$RC" 7
grep -qx 'ERROR: the mapping could not be made: remap_create_safe.sh exited with 9' nomap.out ||
	fail "no mapping: no ERROR line"
grep -q 'Injected failure' nomap.out || fail "no mapping: the wrapper's reason is not shown"
grep -q '^Running fio' nomap.out && fail "no mapping: fio ran"
grep -qx '# result: mapping failed (remap_create_safe.sh exit 9)' remap_changes_16MB_3s_4k_*.log ||
	fail "no mapping: change log lacks the result"
dmsetup info drv_nomap >/dev/null 2>&1 && fail "drv_nomap exists"
for f in dmesg_before dmesg_after; do
	[[ -s $(echo ${f}_16MB_3s_4k_*.log) ]] || fail "no mapping: no $f file"
done
no_leftovers "no mapping"

step "dm name in use: exit 6, the existing device untouched"
# (not new_loop: its bookkeeping would be lost in the $(...) subshell)
truncate -s 1M "$T/busy.img"
busy_loop=$(losetup -f --show "$T/busy.img")
dm_create drv_busy "0 2048 linear $busy_loop 0"
BASE_DEVS=$(devs)
table=$(dmsetup table drv_busy)
drv busy.out single 16 3 4k --dm-name=drv_busy
show busy.out
expect_eq "name in use: exit code" "$RC" 6
grep -q "^ERROR: dm name 'drv_busy' is already in use" busy.out || fail "name in use: no ERROR line"
expect_eq "drv_busy untouched" "$(dmsetup table drv_busy)" "$table"
no_leftovers "name in use"
dmsetup remove drv_busy
forget_dm drv_busy
losetup -d "$busy_loop"
BASE_DEVS=$(devs)

step "README quick start: an existing remap device over loop devices is tested in place and kept"
truncate -s 16M "$T/qs_main.img"
truncate -s 4M "$T/qs_spare.img"
qs_main=$(losetup -f --show "$T/qs_main.img")
qs_spare=$(losetup -f --show "$T/qs_spare.img")
rc=0
"$REPO/remap_create_safe.sh" "main_dev=$qs_main" "spare_dev=$qs_spare" dm_name=drv_qs \
	"logfile=$T/qs_wrapper.log" >/dev/null || rc=$?
((rc <= 1)) || fail "remap_create_safe.sh exit $rc"
_dms+=(drv_qs)
msg drv_qs remap 100
before=$(msg drv_qs list)
BASE_DEVS=$(devs)
drv qs.out single 16 3 4k --dm-name=drv_qs
show qs.out
expect_eq "existing device: exit code" "$RC" 0
grep -qx 'WARNING: fio overwrites the first 16 MiB of the existing device drv_qs' qs.out ||
	fail "existing device: no warning"
check_summary qs.out 16 3 4k drv_qs
check_changelog "$S_LOG" drv_qs "$S_ADDED" "$S_REMOVED"
grep -qx "# initial: drv_qs $before" "$S_LOG" || fail "existing device: the earlier remap is not the baseline"
acc=$(grep -c '^# \[.*\] remap [0-9]*: accepted$' "$S_LOG" || true)
grep -qx "Undone:        $acc of the $acc remaps this run made on drv_qs (the device is kept)" qs.out ||
	fail "existing device: remaps not undone"
expect_eq "existing device: remaps after the run" "$(msg drv_qs list)" "$before"
no_leftovers "existing device"
dmsetup remove drv_qs
forget_dm drv_qs
losetup -d "$qs_main" "$qs_spare"
BASE_DEVS=$(devs)

step "fio reports a verify error: exit 1"
cat >"$T/bin/fio" <<'EOF'
#!/bin/bash
echo "fake fio $*"
sleep 1
echo "crc32c: verify failed at file /dev/mapper/x offset 4096, length 4096" >&2
exit 1
EOF
chmod +x "$T/bin/fio"
RC=0
PATH=$T/bin:$PATH "$DRV" single 16 1 4k --dm-name=drv_verify >verify.out 2>&1 || RC=$?
show verify.out
rm "$T/bin/fio"
expect_eq "verify error: exit code" "$RC" 1
grep -qx 'fio:           VERIFY ERRORS (exit 1, 1 verify errors)' verify.out || fail "verify error: no fio line"
grep -q '^ERROR: fio reported 1 verify errors' verify.out || fail "verify error: no ERROR line"
check_summary verify.out 16 1 4k drv_verify
no_leftovers "verify error"

# ------------------------------------------------------------ SIGINT --

step "SIGINT 2 s into fio: everything torn down, exit 130"
set -m # own process group: SIGINT is not ignored in a background job
"$DRV" single 16 60 4k --dm-name=drv_int >int.out 2>&1 &
pid=$!
set +m
wait_for int.out '^Running fio' 60 || { kill -INT $pid; wait $pid || true; show int.out; fail "drv_int did not start fio"; }
sleep 2
t0=$SECONDS
kill -INT $pid
rc=0
wait $pid || rc=$?
show int.out
expect_eq "SIGINT: exit code" "$rc" 130
((SECONDS - t0 < 30)) || fail "SIGINT: took $((SECONDS - t0))s to end"
grep -qx 'Interrupted: stopping the run and tearing down ...' int.out || fail "SIGINT: no message"
check_summary int.out 16 60 4k drv_int
grep -q '^Torn down: drv_int ' int.out || fail "SIGINT: no teardown line"
grep -qx '# result: interrupted' "$S_LOG" || fail "SIGINT: change log lacks the result"
dmsetup info drv_int >/dev/null 2>&1 && fail "drv_int left behind"
no_leftovers SIGINT

step "done"
echo "test driver: ok"
