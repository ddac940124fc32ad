#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# remap_test_driver.sh - run fio with data verification on a fresh dm-remap
# device while "bad sectors appear" (random sectors are remapped with
# `dmsetup message <name> 0 remap <sector>`, and random sectors of the main
# device start failing writes, which the target remaps on its own), log
# every change of the
# device's lines in /sys/kernel/debug/dm_remap/remap_table, and print a
# summary.  One run (single) or a matrix of runs (batch).
#
# Each run makes its own backing files (in a temporary directory), loop
# devices and mapping (via remap_create_safe.sh), and removes all of them at
# the end, also when interrupted.  See --help and docs/remap_test_driver.md.

set -u -o pipefail

readonly EXIT_OK=0
readonly EXIT_RUN_FAILED=1
readonly EXIT_USAGE=2
readonly EXIT_NOT_ROOT=3
readonly EXIT_NO_TOOL=4
readonly EXIT_NO_TARGET=5
readonly EXIT_SETUP=6
readonly EXIT_MAPPING=7

PROG=${0##*/}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || exit 1
CREATE_SAFE=${REMAP_CREATE_SAFE:-$HERE/remap_create_safe.sh}
readonly DEBUGFS_TABLE=/sys/kernel/debug/dm_remap/remap_table
readonly DEFAULT_MATRIX="32:10:4k 64:10:8k 128:10:64k"
readonly SPARE_PERCENT=25 # spare device: 25% of the main device ...
readonly SPARE_MIN_MB=4   # ... and at least 4 MiB
readonly POLL_INTERVAL=0.5
readonly MAX_SIZE_MB=1048576 # 1 TiB (sparse files)
readonly MAX_SECONDS=86400
readonly MAX_BS=$((16 * 1024 * 1024))
readonly SUMMARY_RULE="=============================="
readonly VERIFY_ERR_RE='verify: bad|verify failed|verify type mismatch'

usage_short() {
	cat <<EOF
Usage: $PROG single <size_MB> <seconds> <block_size> [--dm-name=NAME] [--log-dir=DIR]
       $PROG batch [--pause] [--dm-name-prefix=PREFIX] [--log-dir=DIR]
       $PROG --help | -h
EOF
}

usage() {
	usage_short
	cat <<EOF

Runs fio (direct I/O, randrw, verify=crc32c with verify_backlog) on a fresh
dm-remap device while every 1-2 s a bad sector appears: either a random
sector is remapped with 'dmsetup message <name> 0 remap <sector>', or
(every second time, on a fresh device) 8 random sectors of the main device
start failing writes (a dm-linear "failing disk" <name>-disk between the
loop device and the target, with dm-flakey error_writes segments swapped in),
and the target remaps them automatically at the next write; logs every
[ADDED]/[REMOVED] line
of the device in $DEBUGFS_TABLE (polled every ${POLL_INTERVAL}s), captures
dmesg before and after, prints a summary, then removes the mapping, the loop
devices and the backing files (also on Ctrl-C / SIGTERM).

Each run makes a main device of <size_MB> MiB and a spare device of
${SPARE_PERCENT}% of that (at least ${SPARE_MIN_MB} MiB): sparse files in a temporary
directory (\$TMPDIR, default /tmp), loop devices (losetup -f), and the
mapping with remap_create_safe.sh (its exit codes 0 and 1 are success).
If the dm name is taken by an idle remap device over loop devices (e.g. one
just made with remap_create_safe.sh, as in the README's quick start), that
device is tested in place instead: fio overwrites its first <size_MB> MiB,
the remaps the run made are undone at the end, and the device is kept.
Any other device with that name is left alone and the run fails (code 6).

Modes:
  single <size_MB> <seconds> <block_size>
        One run.  size_MB: 1..$MAX_SIZE_MB, seconds: 1..$MAX_SECONDS, block_size:
        fio's, e.g. 512, 4k, 64k, 1m (a multiple of 512, at most 16m and
        at most the device size).
  batch One run per entry of the matrix (below), each with its summary,
        then a table of all runs.  With stdin on a terminal, pressing q
        (also during a run, which is then stopped) quits early with a
        summary of the runs done.

Options:
  --dm-name=NAME           single: device-mapper name
                           (default remap_<size>MB_<seconds>s_<bs>)
  --dm-name-prefix=PREFIX  batch: each run is <PREFIX>_<size>MB_<seconds>s_<bs>
                           (default remap)
  --pause                  batch: wait between runs for Enter ("Press Enter
                           for the next run, q to quit"); ignored when stdin
                           is not a terminal
  --log-dir=DIR            where the log files go (default: the current
                           directory; created if missing)
  -h, --help               this text

Files of a run, in the log directory (<tag> = <size>MB_<seconds>s_<bs>,
<stamp> = YYYYMMDD_HHMMSS of the run's start):
  remap_changes_<tag>_<stamp>.log   change log: '# ' comment lines, and
      [YYYY-MM-DD HH:MM:SS] [ADDED] <dm_name> <logical> <spare> <nr_sectors>
      [YYYY-MM-DD HH:MM:SS] [REMOVED] <dm_name> <logical> <spare> <nr_sectors>
  fio_<tag>_<stamp>.log             fio's output
  dmesg_before_<tag>_<stamp>.log    dmesg before the run
  dmesg_after_<tag>_<stamp>.log     dmesg after the run

Batch matrix: entries <size_MB>:<seconds>:<block_size>, separated by blanks.
  Default: "$DEFAULT_MATRIX"

Environment:
  REMAP_BATCH_MATRIX  batch matrix instead of the default, e.g.
                      REMAP_BATCH_MATRIX="16:5:4k 32:5:8k"
  REMAP_CREATE_SAFE   path of remap_create_safe.sh (default: next to this
                      script)
  TMPDIR              where the backing files go (default /tmp)
  DM_DISABLE_UDEV     passed on to dmsetup (set it where udev is not running)

Requires root, dmsetup, losetup, fio, coreutils, the 'remap' target
(sudo insmod dm_remap.ko) and debugfs (mounted at /sys/kernel/debug).

Exit codes:
  0    every run passed (batch: also after quitting with q)
  1    a run failed: fio exited non-zero or reported verify errors
  2    usage error (unknown mode or option, bad number or block size, bad
       name, bad REMAP_BATCH_MATRIX)
  3    not running as root
  4    a required program is missing (fio, dmsetup, losetup, ...) or
       remap_create_safe.sh is not found
  5    device-mapper is not usable, the 'remap' target is not loaded, or
       $DEBUGFS_TABLE is not readable
  6    setup failed: a log file cannot be written, the dm name is taken
       by a device that cannot be tested in place, the backing files or
       loop devices cannot be made
  7    the mapping could not be made (remap_create_safe.sh failed)
  130  interrupted (SIGINT), 143 (SIGTERM), 129 (SIGHUP), after tearing down
Batch: the code of the first run that failed (1, 6 or 7), else 0.
Every error is one line on stderr that starts with "ERROR:".
EOF
}

err() { printf 'ERROR: %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }

usage_error() {
	err "$*"
	usage_short >&2
	echo "Try '$PROG --help' for more information." >&2
	exit "$EXIT_USAGE"
}

# ------------------------------------------------------------- arguments --

for arg in "$@"; do
	case $arg in
	-h | --help)
		usage
		exit "$EXIT_OK"
		;;
	esac
done

MODE=
POS=()
DM_NAME_OPT=
HAVE_DM_NAME=0
PREFIX=remap
HAVE_PREFIX=0
PAUSE=0
LOG_DIR=.
for arg in "$@"; do
	case $arg in
	--dm-name=*)
		DM_NAME_OPT=${arg#*=}
		HAVE_DM_NAME=1
		;;
	--dm-name-prefix=*)
		PREFIX=${arg#*=}
		HAVE_PREFIX=1
		;;
	--pause) PAUSE=1 ;;
	--log-dir=*)
		LOG_DIR=${arg#*=}
		[[ -n $LOG_DIR ]] || usage_error "--log-dir is empty"
		;;
	--dm-name | --dm-name-prefix | --log-dir)
		usage_error "option $arg needs a value: $arg=VALUE"
		;;
	-*) usage_error "unknown option '$arg'" ;;
	*)
		if [[ -z $MODE ]]; then
			MODE=$arg
		else
			POS+=("$arg")
		fi
		;;
	esac
done

# parse_num WHAT VALUE MAX: a decimal 1..MAX (leading zeros allowed), printed
# normalised.  Exits with the usage code otherwise.
parse_num() {
	local what=$1 v=$2 max=$3
	[[ $v =~ ^[0-9]+$ ]] || usage_error "$what '$v' is not a positive decimal number"
	v=${v#"${v%%[!0]*}"}
	[[ -n $v ]] || usage_error "$what must be at least 1"
	((${#v} <= 9 && v <= max)) || usage_error "$what $2 is too large (at most $max)"
	printf '%s' "$v"
}

# bs_bytes BS: fio block size (digits, optional k/m suffix) in bytes, or fail.
bs_bytes() {
	local n mult=1
	[[ $1 =~ ^([1-9][0-9]{0,8})([kKmM]?)$ ]] || return 1
	n=${BASH_REMATCH[1]}
	case ${BASH_REMATCH[2]} in
	k | K) mult=1024 ;;
	m | M) mult=$((1024 * 1024)) ;;
	esac
	printf '%s' $((n * mult))
}

# check_bs WHAT BS SIZE_MB: exits with the usage code unless BS suits.
check_bs() {
	local what=$1 bs=$2 size=$3 bytes
	bytes=$(bs_bytes "$bs") || usage_error "$what '$bs' is not a block size (e.g. 512, 4k, 64k, 1m)"
	((bytes % 512 == 0)) || usage_error "$what $bs is not a multiple of 512 bytes"
	((bytes <= MAX_BS)) || usage_error "$what $bs is too large (at most 16m)"
	((bytes <= size * 1024 * 1024)) || usage_error "$what $bs is larger than the device (${size} MiB)"
}

# check_dm_name WHAT NAME: what remap_create_safe.sh accepts.
check_dm_name() {
	local what=$1 n=$2
	if [[ -z $n ]]; then
		usage_error "$what is empty"
	elif ((${#n} > 127)); then
		usage_error "$what '$n' is longer than 127 characters"
	elif [[ $n == */* || $n == "." || $n == ".." || $n =~ [[:space:][:cntrl:]] ]]; then
		usage_error "$what '$n' is not a valid device-mapper name (no '/', blanks, '.' or '..')"
	fi
}

RUN_SIZES=() RUN_SECS=() RUN_BSS=() RUN_NAMES=()

case $MODE in
single)
	((${#POS[@]} == 3)) || usage_error "single needs <size_MB> <seconds> <block_size> (got ${#POS[@]} arguments)"
	((HAVE_PREFIX == 0)) || usage_error "--dm-name-prefix is for batch mode (single takes --dm-name=NAME)"
	((PAUSE == 0)) || usage_error "--pause is for batch mode"
	size=$(parse_num size_MB "${POS[0]}" "$MAX_SIZE_MB") || exit "$?"
	secs=$(parse_num seconds "${POS[1]}" "$MAX_SECONDS") || exit "$?"
	bs=${POS[2]}
	check_bs block_size "$bs" "$size"
	name=remap_${size}MB_${secs}s_${bs}
	((HAVE_DM_NAME)) && name=$DM_NAME_OPT
	check_dm_name "--dm-name" "$name"
	RUN_SIZES=("$size") RUN_SECS=("$secs") RUN_BSS=("$bs") RUN_NAMES=("$name")
	;;
batch)
	((${#POS[@]} == 0)) || usage_error "batch takes no arguments (got '${POS[*]}'); set REMAP_BATCH_MATRIX for other runs"
	((HAVE_DM_NAME == 0)) || usage_error "--dm-name is for single mode (batch takes --dm-name-prefix=PREFIX)"
	MATRIX=${REMAP_BATCH_MATRIX-$DEFAULT_MATRIX}
	read -r -a entries <<<"$MATRIX"
	((${#entries[@]})) || usage_error "REMAP_BATCH_MATRIX is empty"
	for e in "${entries[@]}"; do
		[[ $e =~ ^([^:]+):([^:]+):([^:]+)$ ]] ||
			usage_error "REMAP_BATCH_MATRIX entry '$e' is not <size_MB>:<seconds>:<block_size>"
		size=$(parse_num "size_MB in matrix entry '$e':" "${BASH_REMATCH[1]}" "$MAX_SIZE_MB") || exit "$?"
		secs=$(parse_num "seconds in matrix entry '$e':" "${BASH_REMATCH[2]}" "$MAX_SECONDS") || exit "$?"
		bs=${BASH_REMATCH[3]}
		check_bs "block_size in matrix entry '$e':" "$bs" "$size"
		name=${PREFIX}_${size}MB_${secs}s_${bs}
		check_dm_name "dm name (--dm-name-prefix)" "$name"
		for n in "${RUN_NAMES[@]}"; do
			[[ $n != "$name" ]] || usage_error "REMAP_BATCH_MATRIX has '$e' twice"
		done
		RUN_SIZES+=("$size") RUN_SECS+=("$secs") RUN_BSS+=("$bs") RUN_NAMES+=("$name")
	done
	;;
"") usage_error "no mode given (single or batch)" ;;
*) usage_error "unknown mode '$MODE' (single or batch)" ;;
esac

# --------------------------------------------------------- prerequisites --

# Every missing prerequisite gets its own ERROR line; the exit code is the
# first one's.
check_prereqs() {
	local code=0 t targets why
	if ((EUID != 0)); then
		err "must be run as root (try: sudo $PROG ...)"
		code=$EXIT_NOT_ROOT
	fi
	for t in dmsetup losetup fio dmesg truncate mktemp sleep grep rm mkdir; do
		if ! command -v "$t" >/dev/null 2>&1; then
			err "required program '$t' not found in PATH"
			((code)) || code=$EXIT_NO_TOOL
		fi
	done
	if [[ ! -r $CREATE_SAFE ]]; then
		err "remap_create_safe.sh not found at $CREATE_SAFE (set REMAP_CREATE_SAFE)"
		((code)) || code=$EXIT_NO_TOOL
	fi
	if ((EUID == 0)) && command -v dmsetup >/dev/null 2>&1; then
		if ! targets=$(dmsetup targets 2>&1); then
			why=${targets%%$'\n'*}
			err "device-mapper is not usable: ${why:-dmsetup targets failed} (sudo modprobe dm_mod)"
			((code)) || code=$EXIT_NO_TARGET
		elif [[ $'\n'$targets != *$'\n'remap[[:space:]]* ]]; then
			err "the device-mapper target 'remap' is not loaded (sudo insmod dm_remap.ko)"
			((code)) || code=$EXIT_NO_TARGET
		elif [[ ! -r $DEBUGFS_TABLE ]]; then
			err "$DEBUGFS_TABLE is not readable (mount debugfs: sudo mount -t debugfs none /sys/kernel/debug)"
			((code)) || code=$EXIT_NO_TARGET
		fi
	fi
	((code == 0)) || exit "$code"
}

check_prereqs

if [[ ! -d $LOG_DIR ]] && ! mkdir -p -- "$LOG_DIR" 2>/dev/null; then
	err "cannot create the log directory '$LOG_DIR'"
	exit "$EXIT_SETUP"
fi
if [[ ! -w $LOG_DIR ]]; then
	err "the log directory '$LOG_DIR' is not writable"
	exit "$EXIT_SETUP"
fi
# How file names are shown: bare in the current directory, else DIR/name.
if [[ $LOG_DIR == . ]]; then
	SHOW_DIR=
else
	SHOW_DIR=${LOG_DIR%/}/
fi

# ------------------------------------------------------------ run state --

SIGNALLED=0 # exit code of a signal that arrived (handled cooperatively)
QUIT=0      # q pressed (batch)
KEYS=0      # read keys from the terminal (batch, stdin a tty)
if [[ $MODE == batch && -t 0 ]]; then
	KEYS=1
fi
STTY_SAVED= # terminal settings to restore (batch on a terminal: no echo)

# Resources of the current run, released by teardown_run.
RUN_DM=       # dm name we own (it was free before we created it)
RUN_TMP=      # temporary directory with the backing files
RUN_LOOPS=()  # loop devices we attached
RUN_DISK=     # the dm-linear "failing disk" under a fresh device's main side
FIO_PID=
INJ_PID=
CHANGES=      # change log path

# Results of the last run.
R_ADDED=0 R_REMOVED=0 R_RESULT='' R_LOG='' R_DMESG_AFTER=''

# Monitor state.
declare -A PREV_SET=()
PREV_LINES=()
FIRST_SNAP='' LAST_SNAP='' SNAPS=0 MON_WARNED=0

# shellcheck disable=SC2317  # invoked by the traps
on_signal() {
	((SIGNALLED)) || SIGNALLED=$1
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

ts_full() { printf '%(%Y-%m-%d %H:%M:%S)T' "${1:-$EPOCHSECONDS}"; }

# clog LINE: append to the change log.
clog() {
	[[ -n $CHANGES ]] || return 0
	printf '%s\n' "$1" >>"$CHANGES" 2>/dev/null
}

# reap PID: wait until PID has ended (waits interrupted by a trapped signal
# are resumed); returns its exit status.
reap() {
	local pid=$1
	while kill -0 "$pid" 2>/dev/null; do
		wait "$pid" 2>/dev/null
	done
	wait "$pid" 2>/dev/null
}

# stop_pid PID: SIGTERM, up to 10 s grace, then SIGKILL; returns its status.
stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	reap "$pid"
}

# teardown_run: release everything of the current run; safe to call twice.
teardown_run() {
	local l f dev done_what=()
	if [[ -n $INJ_PID ]]; then
		stop_pid "$INJ_PID"
		INJ_PID=
	fi
	if [[ -n $FIO_PID ]]; then
		stop_pid "$FIO_PID"
		FIO_PID=
	fi
	if [[ -n $RUN_DM ]]; then
		if dmsetup info "$RUN_DM" >/dev/null 2>&1; then
			if dmsetup remove --retry "$RUN_DM" >/dev/null 2>&1; then
				done_what+=("$RUN_DM")
			else
				err "could not remove device $RUN_DM: remove it with 'dmsetup remove $RUN_DM'"
			fi
		fi
		RUN_DM=
	fi
	if [[ -n $RUN_DISK ]]; then
		if dmsetup info "$RUN_DISK" >/dev/null 2>&1; then
			if dmsetup remove --retry "$RUN_DISK" >/dev/null 2>&1; then
				done_what+=("$RUN_DISK")
			else
				err "could not remove device $RUN_DISK: remove it with 'dmsetup remove $RUN_DISK'"
			fi
		fi
		RUN_DISK=
	fi
	for l in "${RUN_LOOPS[@]}"; do
		if losetup -d "$l" 2>/dev/null; then
			done_what+=("$l")
		fi
	done
	RUN_LOOPS=()
	if [[ -n $RUN_TMP ]]; then
		# Loop devices attached to our files that we never learnt about (a
		# signal between attaching and noting the device).
		for f in "$RUN_TMP"/*.img; do
			[[ -e $f ]] || continue
			while IFS=: read -r dev _; do
				[[ -n $dev ]] && losetup -d "$dev" 2>/dev/null && done_what+=("$dev")
			done < <(losetup -j "$f" 2>/dev/null)
		done
		rm -rf -- "$RUN_TMP"
		RUN_TMP=
	fi
	((${#done_what[@]})) && echo "Torn down: ${done_what[*]}"
	return 0
}

BATCH_ACTIVE=0
BATCH_TABLE_DONE=0

# shellcheck disable=SC2317  # invoked by the trap
on_exit() {
	local rc=$?
	trap '' INT TERM HUP
	teardown_run
	if ((BATCH_ACTIVE && !BATCH_TABLE_DONE)); then
		print_batch_table
	fi
	if [[ -n $STTY_SAVED ]]; then
		trap '' TTOU # also from the background
		stty "$STTY_SAVED" 2>/dev/null
	fi
	exit "$rc"
}
trap on_exit EXIT

# ---------------------------------------------------------------- monitor --

# poll_table: one snapshot of this device's debugfs lines; logs the lines
# that appeared and disappeared since the previous snapshot.
poll_table() {
	local line now stamp
	local -a cur_lines=()
	local -A cur_set=()
	if ! { while IFS= read -r line; do
		[[ ${line%% *} == "$RUN_NAME" ]] || continue
		cur_lines+=("$line")
		cur_set[$line]=1
	done <"$DEBUGFS_TABLE"; } 2>/dev/null; then
		if ((!MON_WARNED)); then
			warn "cannot read $DEBUGFS_TABLE"
			clog "# WARNING: cannot read $DEBUGFS_TABLE at $(ts_full)"
			MON_WARNED=1
		fi
		return 0
	fi
	now=$EPOCHSECONDS
	printf -v stamp '%(%H:%M:%S)T' "$now"
	LAST_SNAP=$stamp
	SNAPS=$((SNAPS + 1))
	[[ -n $FIRST_SNAP ]] || FIRST_SNAP=$stamp
	printf -v stamp '%(%Y-%m-%d %H:%M:%S)T' "$now"
	if ((SNAPS == 1)); then
		# The first snapshot is the baseline (empty on a fresh device).
		clog "# [$stamp] first snapshot: ${#cur_lines[@]} lines"
		for line in "${cur_lines[@]}"; do
			clog "# initial: $line"
		done
	fi
	for line in "${PREV_LINES[@]}"; do
		if [[ -z ${cur_set[$line]+x} ]]; then
			R_REMOVED=$((R_REMOVED + 1))
			clog "[$stamp] [REMOVED] $line"
			echo "[$stamp] [REMOVED] $line"
		fi
	done
	for line in "${cur_lines[@]}"; do
		if ((SNAPS > 1)) && [[ -z ${PREV_SET[$line]+x} ]]; then
			R_ADDED=$((R_ADDED + 1))
			clog "[$stamp] [ADDED] $line"
			echo "[$stamp] [ADDED] $line"
		fi
	done
	PREV_LINES=("${cur_lines[@]}")
	PREV_SET=()
	for line in "${cur_lines[@]}"; do
		PREV_SET[$line]=1
	done
}

# in_foreground: this process group owns the terminal (reading it from the
# background would stop the script with SIGTTIN).
in_foreground() {
	local stat pgrp tpgid
	read -r stat <"/proc/$$/stat" 2>/dev/null || return 0
	# after "pid (comm) ": state ppid pgrp session tty_nr tpgid ...
	read -r _ _ pgrp _ _ tpgid _ <<<"${stat##*) }"
	[[ $pgrp == "$tpgid" ]]
}

# tick: wait one poll interval; in batch mode on a terminal, a q typed
# meanwhile sets QUIT.
tick() {
	local key=
	if ((KEYS)) && in_foreground; then
		if read -rsn1 -t "$POLL_INTERVAL" key 2>/dev/null; then
			[[ $key == [qQ] ]] && QUIT=1
		elif (($? <= 128)); then # end of input: no more keys
			KEYS=0
		fi
	else
		sleep "$POLL_INTERVAL"
	fi
}

# ------------------------------------------------------- bad sector feed --

# fail_writes DISK LOOP BAD...: load DISK's table: LOOP, with each BAD
# range ("<start> <len>", sorted, disjoint) failing writes (dm-flakey
# error_writes; reads still work).
fail_writes() {
	local disk=$1 loop=$2 pos=0 st n spec table=
	shift 2
	for spec in "$@"; do
		read -r st n <<<"$spec"
		((st > pos)) && table+="$pos $((st - pos)) linear $loop $pos"$'\n'
		table+="$st $n flakey $loop $st 0 1 1 error_writes"$'\n'
		pos=$((st + n))
	done
	n=$(blockdev --getsz "$loop")
	((pos < n)) && table+="$pos $((n - pos)) linear $loop $pos"$'\n'
	printf '%s' "$table" | dmsetup reload "$disk" 2>/dev/null &&
		dmsetup resume "$disk" 2>/dev/null
}

# injector NAME LEN [DISK LOOP]: every 1-2 s, until SIGTERM, a bad sector
# appears in 0..LEN-1: a remap message for a random sector, or (with a
# failing disk, every second time, starting with a message) 8 sectors of
# DISK that fail writes from then on, which the target remaps on the next write to them.  Runs in the
# background; notes each event in the change log and keeps its counters in
# $RUN_TMP/injector (sent accepted exists nospc failed bad_ranges).
injector() {
	local name=$1 len=$2 disk=${3:-} loop=${4:-} stop=0 spid s out res
	local sent=0 accepted=0 exists=0 nospc=0 failed=0 nbad=0 bad=() turn=0
	trap 'stop=1' TERM
	# Ctrl-C and hangups are the driver's to handle; it stops us with TERM.
	trap '' INT HUP
	trap - EXIT
	while ((!stop)); do
		sleep "1.$((RANDOM % 10))" &
		spid=$!
		wait "$spid" 2>/dev/null
		if ((stop)); then
			kill "$spid" 2>/dev/null
			break
		fi
		s=$(((RANDOM << 30 | RANDOM << 15 | RANDOM) % len))
		turn=$((turn + 1))
		if [[ -n $disk ]] && ((turn % 2 == 0 && len >= 8)); then
			s=$((s / 8 * 8))
			((s + 8 <= len)) || s=$((len / 8 * 8 - 8))
			if [[ " ${bad[*]/%/,} " != *" $s 8, "* ]]; then
				bad+=("$s 8")
				mapfile -t bad < <(printf '%s\n' "${bad[@]}" | sort -n)
				if fail_writes "$disk" "$loop" "${bad[@]}"; then
					nbad=$((nbad + 1))
					clog "# [$(ts_full)] sectors $s-$((s + 7)) go bad: writes fail from now on"
				else
					clog "# [$(ts_full)] sectors $s-$((s + 7)): FAILED to make them fail writes"
				fi
			fi
			printf '%s %s %s %s %s %s\n' "$sent" "$accepted" "$exists" "$nospc" "$failed" "$nbad" \
				>"$RUN_TMP/injector.new" 2>/dev/null &&
				mv -f "$RUN_TMP/injector.new" "$RUN_TMP/injector" 2>/dev/null
			continue
		fi
		sent=$((sent + 1))
		if out=$(dmsetup message "$name" 0 remap "$s" 2>&1); then
			accepted=$((accepted + 1))
			res=accepted
		elif [[ $out == *"File exists"* ]]; then
			exists=$((exists + 1))
			res="refused: already remapped"
		elif [[ $out == *"No space left"* ]]; then
			nospc=$((nospc + 1))
			res="refused: spare full"
		else
			failed=$((failed + 1))
			out=${out%%$'\n'*}
			res="FAILED: ${out:-unknown error}"
		fi
		clog "# [$(ts_full)] remap $s: $res"
		printf '%s %s %s %s %s %s\n' "$sent" "$accepted" "$exists" "$nospc" "$failed" "$nbad" \
			>"$RUN_TMP/injector.new" 2>/dev/null &&
			mv -f "$RUN_TMP/injector.new" "$RUN_TMP/injector" 2>/dev/null
	done
	exit 0
}

# ------------------------------------------------------------------ runs --

# run_abort RESULT CODE: end a run that did not get to fio.
run_abort() {
	R_RESULT=$1
	if [[ -n $R_DMESG_AFTER ]]; then
		dmesg >"$LOG_DIR/${R_DMESG_AFTER##*/}" 2>&1 || warn "dmesg failed, see $R_DMESG_AFTER"
		echo "dmesg after:   $R_DMESG_AFTER"
	fi
	clog "# result: $R_RESULT"
	teardown_run
	CHANGES=
	return "$2"
}

# check_existing NAME SIZE_MB: may the existing device NAME be tested in
# place?  Only an idle, single-target remap device over loop devices, at
# least SIZE_MB large.  Prints the reason (ERROR) when not.
check_existing() {
	local name=$1 size=$2 table lines start len target main spare open mm
	table=$(dmsetup table "$name" 2>/dev/null) || table=
	lines=$(grep -c . <<<"$table")
	read -r start len target main _ spare _ <<<"$table"
	if [[ $lines != 1 || $start != 0 || $target != remap ]]; then
		err "dm name '$name' is already in use by a device that is not a remap device (remove it with 'dmsetup remove $name', or choose another name)"
		return 1
	fi
	for mm in "$main" "$spare"; do
		if [[ ! $mm =~ ^[0-9]+:[0-9]+$ || ! -d /sys/dev/block/$mm/loop ]]; then
			err "dm name '$name' is a remap device on $mm, not on loop devices: refusing to overwrite its data (choose another name to test a fresh device)"
			return 1
		fi
	done
	open=$(dmsetup info -c --noheadings -o open "$name" 2>/dev/null)
	open=${open//[[:space:]]/}
	if [[ $open != 0 ]]; then
		err "the existing device '$name' is open (mounted or in use): refusing to write to it"
		return 1
	fi
	if ((len < size * 2048)); then
		err "the existing device '$name' has $((len / 2048)) MiB, less than size_MB $size"
		return 1
	fi
	if [[ ! -b /dev/mapper/$name ]]; then
		err "the existing device '$name' has no node /dev/mapper/$name (dmsetup mknodes $name)"
		return 1
	fi
	return 0
}

# make_devices NAME SIZE_MB: backing files, loop devices and the mapping for
# a fresh run; sets CREATE_RC (0 or 1) and CREATE_TABLE.  On failure the run
# is aborted (run_abort) and its code returned.
# make_failing_disk NAME LOOP: /dev/mapper/NAME, dm-linear over LOOP, for
# the injector to make sectors of it fail writes.  Without dm-flakey the
# run makes manual remaps only (a warning says so).
make_failing_disk() {
	local name=$1 loop=$2 i
	if ! modprobe dm-flakey 2>/dev/null &&
		! dmsetup targets 2>/dev/null | grep -q '^flakey '; then
		warn "no dm-flakey (modprobe dm-flakey failed): sectors will not go bad on their own, only remap messages"
		return 1
	fi
	dmsetup info "$name" >/dev/null 2>&1 && return 1
	if ! dmsetup create "$name" --table "0 $(blockdev --getsz "$loop") linear $loop 0" 2>/dev/null; then
		warn "could not create the failing-disk layer $name: only remap messages"
		return 1
	fi
	RUN_DISK=$name
	for ((i = 0; i < 50; i++)); do
		[[ -b /dev/mapper/$name ]] && return 0
		sleep 0.1
	done
	warn "/dev/mapper/$name did not appear: only remap messages"
	return 1
}

make_devices() {
	local name=$1 size=$2 spare_mb main_img spare_img f dev out rc line i main_dev
	CREATE_RC=0 CREATE_TABLE=
	spare_mb=$((size * SPARE_PERCENT / 100))
	((spare_mb >= SPARE_MIN_MB)) || spare_mb=$SPARE_MIN_MB
	main_img=$RUN_TMP/main.img
	spare_img=$RUN_TMP/spare.img
	if ! out=$(truncate -s "${size}M" "$main_img" 2>&1 && truncate -s "${spare_mb}M" "$spare_img" 2>&1); then
		err "cannot create the backing files in $RUN_TMP: ${out%%$'\n'*}"
		run_abort "setup failed: backing files" "$EXIT_SETUP"
		return
	fi
	for f in "$main_img" "$spare_img"; do
		if ! dev=$(losetup -f --show "$f" 2>&1) || [[ $dev != /dev/* ]]; then
			err "cannot attach a loop device to $f: ${dev%%$'\n'*}"
			run_abort "setup failed: loop device" "$EXIT_SETUP"
			return
		fi
		RUN_LOOPS+=("$dev")
	done
	if ((SIGNALLED)); then
		run_abort interrupted "$SIGNALLED"
		return
	fi
	echo "Main device:   ${RUN_LOOPS[0]} (${size} MiB)"
	echo "Spare device:  ${RUN_LOOPS[1]} (${spare_mb} MiB)"
	clog "# main: ${RUN_LOOPS[0]} (${size} MiB), spare: ${RUN_LOOPS[1]} (${spare_mb} MiB), backing files in $RUN_TMP"

	# The main side goes through a dm-linear device whose table the
	# injector swaps for one with write-failing ranges (dm-flakey), so
	# that sectors also go bad on their own and the target remaps them.
	main_dev=${RUN_LOOPS[0]}
	if make_failing_disk "$name-disk" "${RUN_LOOPS[0]}"; then
		main_dev=/dev/mapper/$name-disk
		echo "Failing disk:  $main_dev (dm-linear over ${RUN_LOOPS[0]}; sectors go bad during the run)"
		clog "# failing disk: $main_dev, dm-linear over ${RUN_LOOPS[0]}"
	fi

	# The mapping, via the safe wrapper (0: created, 1: created with
	# adjustments; anything else: not created).
	RUN_DM=$name
	out=$(bash "$CREATE_SAFE" "main_dev=$main_dev" "spare_dev=${RUN_LOOPS[1]}" \
		"dm_name=$name" "logfile=$RUN_TMP/remap_create_safe.log" 2>&1)
	rc=$?
	while IFS= read -r line; do
		clog "# create: $line"
		[[ $line == "dmsetup create $name with: "* ]] && CREATE_TABLE=${line#"dmsetup create $name with: "}
	done <<<"$out"
	clog "# create: exit $rc"
	if ((rc != 0 && rc != 1)); then
		err "the mapping could not be made: remap_create_safe.sh exited with $rc"
		while IFS= read -r line; do
			[[ -n $line ]] && printf '  %s\n' "$line" >&2
		done <<<"$out"
		run_abort "mapping failed (remap_create_safe.sh exit $rc)" "$EXIT_MAPPING"
		return
	fi
	CREATE_RC=$rc
	# udev (when running) makes the node; without it dmsetup already has.
	for ((i = 0; i < 50; i++)); do
		[[ -b /dev/mapper/$name ]] && break
		sleep 0.1
	done
	if [[ ! -b /dev/mapper/$name ]]; then
		err "/dev/mapper/$name did not appear (no udev? set DM_DISABLE_UDEV=1)"
		run_abort "setup failed: no device node" "$EXIT_SETUP"
		return
	fi
	return 0
}

# undo_remaps NAME: unremap what this run's remap messages remapped (their
# sectors are noted as accepted in the change log), on an existing device.
undo_remaps() {
	local name=$1 s n=0 ok=0
	while read -r s; do
		n=$((n + 1))
		dmsetup message "$name" 0 unremap "$s" >/dev/null 2>&1 && ok=$((ok + 1))
	done < <(sed -n 's/^# \[[^]]*\] remap \([0-9][0-9]*\): accepted$/\1/p' "$CHANGES" 2>/dev/null)
	clog "# undone: $ok of the $n remaps of this run"
	echo "Undone:        $ok of the $n remaps this run made on $name (the device is kept)"
}

# run_one SIZE SECS BS NAME: one run.  Sets R_ADDED, R_REMOVED, R_RESULT and
# R_LOG; returns 0, EXIT_RUN_FAILED, EXIT_SETUP, EXIT_MAPPING, or the signal's
# code when interrupted.
run_one() {
	local size=$1 secs=$2 bs=$3 name=$4
	local tag=${1}MB_${2}s_${3} stamp start tries=0 existing io_sectors
	local rc=0 table='' len fio_log fio_show dmesg_before dmesg_after
	local fio_rc verify_errs stopped='' deadline fio_desc inj i
	local s_acc s_ex s_nospc s_fail
	local -a fio_cmd

	R_ADDED=0 R_REMOVED=0 R_RESULT='' R_LOG='' R_DMESG_AFTER=''
	RUN_NAME=$name
	PREV_SET=() PREV_LINES=() FIRST_SNAP='' LAST_SNAP='' SNAPS=0 MON_WARNED=0

	# File names carry the start time; never overwrite an earlier run's.
	while :; do
		start=$EPOCHSECONDS
		printf -v stamp '%(%Y%m%d_%H%M%S)T' "$start"
		[[ -e $LOG_DIR/remap_changes_${tag}_$stamp.log ]] || break
		((++tries < 5)) || break
		sleep 1
	done
	R_LOG=${SHOW_DIR}remap_changes_${tag}_$stamp.log
	fio_show=${SHOW_DIR}fio_${tag}_$stamp.log
	dmesg_before=${SHOW_DIR}dmesg_before_${tag}_$stamp.log
	dmesg_after=${SHOW_DIR}dmesg_after_${tag}_$stamp.log
	fio_log=$LOG_DIR/fio_${tag}_$stamp.log

	echo "=== RUN ${size}MB, ${secs}s, ${bs}, dm_name=$name ==="
	CHANGES=$LOG_DIR/remap_changes_${tag}_$stamp.log
	if ! { : >"$CHANGES"; } 2>/dev/null; then
		err "cannot write the change log $CHANGES"
		CHANGES=
		R_RESULT="setup failed"
		return "$EXIT_SETUP"
	fi
	clog "# remap_test_driver.sh change log"
	clog "# run: ${size}MB, ${secs}s, ${bs}, dm_name=$name"
	clog "# started: $(ts_full "$start")"
	clog "# fio log: ${fio_log##*/}"
	clog "# dmesg before: ${dmesg_before##*/}"
	clog "# dmesg after: ${dmesg_after##*/}"
	clog "# lines: [YYYY-MM-DD HH:MM:SS] [ADDED|REMOVED] <dm_name> <logical_sector> <spare_sector> <nr_sectors>"
	echo "Change log:    $R_LOG"

	if ! dmesg >"$LOG_DIR/${dmesg_before##*/}" 2>&1; then
		warn "dmesg failed, see $dmesg_before"
	fi
	echo "dmesg before:  $dmesg_before"
	R_DMESG_AFTER=$dmesg_after # from here on, also when the run fails

	# A free name: everything is made here, and whatever carries the name
	# later is ours to remove.  A taken name: only an idle remap device over
	# loop devices (a test setup, as in the README's quick start) is tested
	# in place, and kept.
	existing=0
	if dmsetup info "$name" >/dev/null 2>&1; then
		if ! check_existing "$name" "$size"; then
			run_abort "setup failed: dm name in use" "$EXIT_SETUP"
			return
		fi
		existing=1
	fi

	if ! RUN_TMP=$(mktemp -d "${TMPDIR:-/tmp}/remap_test_driver.XXXXXX"); then
		RUN_TMP=
		err "cannot create a temporary directory in ${TMPDIR:-/tmp}"
		run_abort "setup failed: temporary directory" "$EXIT_SETUP"
		return
	fi
	if ((existing)); then
		table=$(dmsetup table "$name" 2>/dev/null)
		echo "Device:        /dev/mapper/$name (existing remap device over loop devices, kept after the run)"
		warn "fio overwrites the first ${size} MiB of the existing device $name"
		clog "# existing device $name: tested in place and kept; the remaps this run makes are undone at the end"
	else
		make_devices "$name" "$size" || return
		rc=$CREATE_RC table=$CREATE_TABLE
	fi
	if ((SIGNALLED)); then
		run_abort interrupted "$SIGNALLED"
		return
	fi
	len=
	read -r _ len _ < <(dmsetup table "$name" 2>/dev/null)
	if [[ ! $len =~ ^[1-9][0-9]*$ ]]; then
		err "cannot read the table of $name"
		run_abort "setup failed: no table" "$EXIT_SETUP"
		return
	fi
	if ((rc == 1)); then
		echo "Mapping:       ${table:-?} (remap_create_safe.sh adjusted values: see the change log)"
	else
		echo "Mapping:       ${table:-?}"
	fi
	clog "# table: ${table:-?} ($len sectors)"
	# fio and the remaps cover the first size_MB MiB (all of a fresh device).
	io_sectors=$((size * 2048))
	((io_sectors <= len)) || io_sectors=$len

	# fio with verification, the bad-sector feed, and the monitor.
	fio_cmd=(fio --name=remap_test "--filename=/dev/mapper/$name" --direct=1
		--ioengine=psync --rw=randrw "--bs=$bs" "--size=$((io_sectors * 512))"
		--time_based "--runtime=${secs}s"
		--verify=crc32c --verify_backlog=32 --verify_fatal=1
		--verify_state_save=0 --randrepeat=0)
	clog "# fio command: ${fio_cmd[*]}"
	echo "fio log:       $fio_show"
	fio_desc="randrw, bs=$bs, verify=crc32c"
	echo "Running fio for ${secs}s ($fio_desc) while bad sectors appear every 1-2 s ..."
	"${fio_cmd[@]}" >"$fio_log" 2>&1 </dev/null &
	FIO_PID=$!
	injector "$name" "$io_sectors" "$RUN_DISK" "${RUN_LOOPS[0]:-}" </dev/null >/dev/null 2>&1 &
	INJ_PID=$!

	poll_table
	deadline=$((SECONDS + secs + 60))
	while kill -0 "$FIO_PID" 2>/dev/null; do
		if ((SIGNALLED)); then
			stopped=interrupted
			break
		fi
		if ((QUIT)); then
			stopped=quit
			break
		fi
		if ((SECONDS > deadline)); then
			err "fio is still running 60 s after its run time: stopping it"
			stopped=timeout
			break
		fi
		tick
		poll_table
	done
	# Ctrl-C on the terminal reaches fio too (it has its own handler): when
	# fio ends because of it, the run was interrupted all the same.
	if [[ -z $stopped ]] && ((SIGNALLED)); then
		stopped=interrupted
	fi

	# Stop the feed first, then fio (when stopped early), then the last
	# snapshot.
	stop_pid "$INJ_PID"
	INJ_PID=
	if [[ -n $stopped ]]; then
		case $stopped in
		quit) echo "Stopping the run (q pressed) ..." ;;
		interrupted) echo "Interrupted: stopping the run and tearing down ..." ;;
		esac
		stop_pid "$FIO_PID"
	else
		reap "$FIO_PID"
	fi
	fio_rc=$?
	FIO_PID=
	poll_table

	verify_errs=$(grep -ciE "$VERIFY_ERR_RE" "$fio_log" 2>/dev/null)
	verify_errs=${verify_errs:-0}
	if ((verify_errs > 0)); then
		R_RESULT="VERIFY ERRORS"
		rc=$EXIT_RUN_FAILED
	elif [[ $stopped == timeout ]]; then
		R_RESULT="FAILED (fio did not finish)"
		rc=$EXIT_RUN_FAILED
	elif [[ $stopped == quit ]]; then
		R_RESULT=quit
		rc=$EXIT_OK
	elif [[ $stopped == interrupted ]]; then
		R_RESULT=interrupted
		rc=$SIGNALLED
	elif ((fio_rc != 0)); then
		R_RESULT="FAILED (fio exit $fio_rc)"
		rc=$EXIT_RUN_FAILED
	else
		R_RESULT=ok
		rc=$EXIT_OK
	fi
	echo "fio:           $R_RESULT (exit $fio_rc, $verify_errs verify errors)"
	if ((verify_errs > 0)); then
		err "fio reported $verify_errs verify errors, see $fio_show:"
		grep -iE "$VERIFY_ERR_RE" "$fio_log" | head -n 5 | sed 's/^/  /' >&2
	elif [[ $R_RESULT == FAILED* ]]; then
		err "fio failed (exit $fio_rc), see $fio_show:"
		tail -n 5 "$fio_log" | sed 's/^/  /' >&2
	fi

	inj="0 0 0 0 0 0"
	[[ -r $RUN_TMP/injector ]] && read -r inj <"$RUN_TMP/injector"
	read -r i s_acc s_ex s_nospc s_fail s_bad <<<"$inj"
	echo "Remap messages: $i sent, $s_acc accepted, $s_ex refused (already remapped), $s_nospc refused (spare full), $s_fail failed"
	# The target's own count of automatic remaps (status field 8).
	s_auto=$(dmsetup status "$name" 2>/dev/null | awk '{print $11}')
	if [[ -n $RUN_DISK ]]; then
		echo "Bad sectors:   ${s_bad:-0} ranges of 8 sectors went bad, ${s_auto:-?} units remapped automatically"
	fi
	((s_fail == 0)) || warn "$s_fail remap messages failed unexpectedly, see the '# ' lines of $R_LOG and $dmesg_after"

	if ! dmesg >"$LOG_DIR/${dmesg_after##*/}" 2>&1; then
		warn "dmesg failed, see $dmesg_after"
	fi
	echo "dmesg after:   $dmesg_after"

	clog "# first snapshot: ${FIRST_SNAP:--}, last snapshot: ${LAST_SNAP:--}, $SNAPS snapshots"
	clog "# total added: $R_ADDED, removed: $R_REMOVED"
	clog "# remap messages: $i sent, $s_acc accepted, $s_ex already remapped, $s_nospc spare full, $s_fail failed"
	[[ -n $RUN_DISK ]] && clog "# bad sectors: ${s_bad:-0} ranges went bad, ${s_auto:-?} automatic remaps"
	clog "# fio result: exit $fio_rc, $verify_errs verify errors"
	clog "# result: $R_RESULT"

	echo "=== SUMMARY for ${size}MB, ${secs}s, ${bs}, dm_name=$name ==="
	echo "First snapshot: ${FIRST_SNAP:--}"
	echo "Last snapshot:  ${LAST_SNAP:--}"
	printf 'Total added lines:   %d\n' "$R_ADDED"
	printf 'Total removed lines: %d\n' "$R_REMOVED"
	echo "Log file: $R_LOG"
	echo "$SUMMARY_RULE"

	((existing)) && undo_remaps "$name"
	teardown_run
	CHANGES=
	return "$rc"
}

# ----------------------------------------------------------------- batch --

B_NAMES=() B_ADDED=() B_REMOVED=() B_RESULTS=() B_LOGS=()

print_batch_table() {
	local i w=7 n=${#B_NAMES[@]} total=${#RUN_NAMES[@]} failed=0 passed=0 head
	BATCH_TABLE_DONE=1
	for ((i = 0; i < n; i++)); do
		((${#B_NAMES[i]} > w)) && w=${#B_NAMES[i]}
	done
	head="=== BATCH SUMMARY: $n of $total runs"
	if ((SIGNALLED)); then
		head+=" (interrupted)"
	elif ((QUIT)); then
		head+=" (quit early)"
	fi
	echo "$head ==="
	printf '%-4s %-*s %7s %9s  %s\n' run "$w" dm_name added removed fio
	for ((i = 0; i < n; i++)); do
		printf '%-4s %-*s %7s %9s  %s\n' "$((i + 1))" "$w" "${B_NAMES[i]}" \
			"${B_ADDED[i]}" "${B_REMOVED[i]}" "${B_RESULTS[i]}"
		case ${B_RESULTS[i]} in
		ok) passed=$((passed + 1)) ;;
		quit | interrupted) ;;
		*) failed=$((failed + 1)) ;;
		esac
	done
	for ((i = 0; i < n; i++)); do
		echo "Log file $((i + 1)): ${B_LOGS[i]}"
	done
	if ((failed)); then
		echo "Result: $failed of $n runs FAILED"
	elif ((passed == n)); then
		echo "Result: all $n runs passed"
	else
		echo "Result: no run failed ($passed passed, $((n - passed)) stopped early)"
	fi
	echo "$SUMMARY_RULE"
}

# pause_prompt: 0 = go on, 1 = quit.
pause_prompt() {
	local key rc
	printf 'Press Enter for the next run, q to quit '
	while :; do
		key=
		read -rsn1 -t 1 key
		rc=$?
		if ((SIGNALLED)); then
			echo
			return 1
		fi
		if ((rc == 0)); then
			if [[ -z $key ]]; then
				echo
				return 0
			elif [[ $key == [qQ] ]]; then
				echo q
				QUIT=1
				return 1
			fi
		elif ((rc <= 128)); then # end of input
			echo
			return 0
		fi
	done
}

run_batch() {
	local i rc first_fail=0
	BATCH_ACTIVE=1
	if ((PAUSE && !KEYS)); then
		echo "Note: --pause ignored: stdin is not a terminal"
	fi
	echo "Batch: ${#RUN_NAMES[@]} runs (matrix: ${REMAP_BATCH_MATRIX-$DEFAULT_MATRIX})"
	if ((KEYS)); then
		echo "Press q at any time to quit after a partial summary."
		# Keys typed between two reads are not echoed either.
		if in_foreground && STTY_SAVED=$(stty -g 2>/dev/null); then
			stty -echo 2>/dev/null || STTY_SAVED=
		fi
	fi
	for ((i = 0; i < ${#RUN_NAMES[@]}; i++)); do
		if ((i > 0 && PAUSE && KEYS)); then
			pause_prompt || break
		fi
		((SIGNALLED || QUIT)) && break
		((i > 0)) && echo
		run_one "${RUN_SIZES[i]}" "${RUN_SECS[i]}" "${RUN_BSS[i]}" "${RUN_NAMES[i]}"
		rc=$?
		B_NAMES+=("${RUN_NAMES[i]}") B_ADDED+=("$R_ADDED") B_REMOVED+=("$R_REMOVED")
		B_RESULTS+=("${R_RESULT:-?}") B_LOGS+=("$R_LOG")
		if ((rc != 0 && !SIGNALLED && first_fail == 0)); then
			first_fail=$rc
		fi
		((SIGNALLED || QUIT)) && break
	done
	echo
	print_batch_table
	((SIGNALLED)) && exit "$SIGNALLED"
	exit "$first_fail"
}

# ------------------------------------------------------------------ main --

if [[ $MODE == single ]]; then
	run_one "${RUN_SIZES[0]}" "${RUN_SECS[0]}" "${RUN_BSS[0]}" "${RUN_NAMES[0]}"
	rc=$?
	((SIGNALLED)) && exit "$SIGNALLED"
	exit "$rc"
fi
run_batch
