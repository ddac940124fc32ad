#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# remap_create_safe.sh - create a dm-remap device with checked, aligned
# parameters.  See --help, and docs/remap_create_safe.md.
#
# Nothing is created unless every check passes; when `dmsetup create`
# itself fails, whatever it may have left behind is removed again.

set -uo pipefail

readonly EXIT_OK=0
readonly EXIT_ADJUSTED=1
readonly EXIT_PBS_MISMATCH=2
readonly EXIT_USAGE=3
readonly EXIT_NUMBER=4
readonly EXIT_NODEV=5
readonly EXIT_RANGE=6
readonly EXIT_NAME_BUSY=7
readonly EXIT_NO_TARGET=8
readonly EXIT_CREATE=9
readonly EXIT_LOGFILE=10

PROG=${0##*/}

usage() {
	cat <<EOF
Usage: $PROG main_dev=<dev> spare_dev=<dev> [key=value ...]
       $PROG --help | -h

Create a device-mapper 'remap' target (dm_remap.ko must be loaded) over
main_dev, with a spare area on spare_dev.  Arguments are key=value pairs
in any order.  All offsets and lengths are in 512-byte sectors.

Keys:
  main_dev=<dev>      main block device (required)
  spare_dev=<dev>     block device holding the spare area (required)
  main_start=<n>      first sector of main_dev to map (default 0)
  spare_start=<n>     first sector of the spare area (default 0)
  spare_total=<n>     length of the spare area (default: the rest of
                      spare_dev after spare_start)
  unit_sectors=<n>    remap unit size, passed to the target as the feature
                      arguments "2 unit_sectors <n>" (default: not passed,
                      the target uses the physical sector size)
  volatile=yes|no     keep the remap table in memory only (the target's
                      "volatile" feature); default no: the table is stored
                      at the start of the spare area and survives reboots
  auto_remap=yes|no   remap units automatically on main-device I/O errors
                      (default yes; no passes the "no_auto_remap" feature)
  read_retries=<n>    times a failed read of the main device is retried
                      before it fails upward, 0-16 (target default 3;
                      passed as the feature "read_retries <n>")
  dm_name=<name>      device-mapper name, /dev/mapper/<name> (default
                      test_remap)
  logfile=<path>      log file, appended to (default
                      /tmp/remap_wrapper_YYYYMMDD_HHMMSS.log)

Both devices must have the same physical (and logical) sector size.  main_start and
spare_start are rounded up, spare_total and the target length (the rest of
main_dev after main_start) rounded down, to a multiple of it; each change
is reported on its own line.

The table passed to 'dmsetup create <dm_name>' is
  0 <length> remap <main_dev> <main_start> <spare_dev> <spare_start> <spare_total> [<#features> [unit_sectors <n>] [volatile] [no_auto_remap] [read_retries <n>]]
DM_DISABLE_UDEV, when set in the environment, is honoured by dmsetup.

Exit codes:
  0   device created, nothing adjusted
  1   device created, some values were adjusted (see the output or log)
  2   sector sizes differ: "ERROR: Physical sector sizes differ" (or
      "ERROR: Logical sector sizes differ", which the target refuses too)
  3   usage error: unknown key, malformed argument, key given twice,
      missing required key, invalid dm_name
  4   a value is not a non-negative decimal number (or is too large)
  5   a device does not exist or is not a block device
  6   a start lies beyond the end of its device, a length does not fit,
      or nothing is left after alignment
  7   dm_name is already in use
  8   device-mapper or its 'remap' target is not available (dm_remap
      module not loaded, or no permission: run as root)
  9   dmsetup create failed (its message is shown)
  10  the log file cannot be written
Errors are printed on stderr as one line starting with "ERROR:"; in every
error case no device is left behind.  Once the arguments are valid,
everything printed also goes to the log file, with timestamps.
EOF
}

# ---------------------------------------------------------------- output --

LOGFILE=
LOG_OPEN=0

log_line() {
	((LOG_OPEN)) || return 0
	printf '[%(%Y-%m-%d %H:%M:%S)T] %s\n' -1 "$1" >>"$LOGFILE" 2>/dev/null
}

# Print on stdout and log.
out() {
	printf '%s\n' "$1"
	log_line "$1"
}

# Print on stderr and log.
err() {
	printf '%s\n' "$1" >&2
	log_line "$1"
}

# Log only (details that would clutter the terminal).
note() {
	log_line "# $1"
}

die() {
	local code=$1
	shift
	err "ERROR: $*"
	note "exit $code"
	exit "$code"
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

declare -A ARGS=()
readonly KNOWN_KEYS=" main_dev spare_dev main_start spare_start spare_total unit_sectors volatile auto_remap read_retries dm_name logfile "

for arg in "$@"; do
	case $arg in
	-*)
		die "$EXIT_USAGE" "unknown option '$arg' (arguments are key=value pairs; see --help)"
		;;
	*=*) ;;
	*)
		die "$EXIT_USAGE" "malformed argument '$arg': expected key=value (see --help)"
		;;
	esac
	key=${arg%%=*}
	val=${arg#*=}
	if [[ -z $key ]]; then
		die "$EXIT_USAGE" "malformed argument '$arg': empty key (see --help)"
	fi
	if [[ $KNOWN_KEYS != *" $key "* ]]; then
		die "$EXIT_USAGE" "unknown key '$key' (known keys:${KNOWN_KEYS% }; see --help)"
	fi
	if [[ -n ${ARGS[$key]+set} ]]; then
		die "$EXIT_USAGE" "key '$key' given more than once"
	fi
	ARGS[$key]=$val
done

for key in main_dev spare_dev; do
	if [[ -z ${ARGS[$key]+set} ]]; then
		die "$EXIT_USAGE" "missing required argument $key=<device> (see --help)"
	fi
	if [[ -z ${ARGS[$key]} ]]; then
		die "$EXIT_USAGE" "$key is empty: expected $key=<device>"
	fi
done

# Strict non-negative decimal, leading zeros allowed; prints it normalised.
# Capped at 18 digits so that shell arithmetic (signed 64-bit) stays exact.
parse_uint() { # parse_uint <key> <value>
	local v=$2
	if [[ ! $v =~ ^[0-9]+$ ]]; then
		die "$EXIT_NUMBER" "$1='$v' is not a non-negative decimal number"
	fi
	v=${v#"${v%%[!0]*}"}
	[[ -n $v ]] || v=0
	if ((${#v} > 18)); then
		die "$EXIT_NUMBER" "$1=$2 is too large"
	fi
	printf '%s' "$v"
}

# parse_uint runs in a subshell here, so its die() exits only that: pass the
# code on.
get_uint() { # get_uint <var> <key> <default>
	local v
	if [[ -n ${ARGS[$2]+set} ]]; then
		v=$(parse_uint "$2" "${ARGS[$2]}") || exit "$?"
	else
		v=$3
	fi
	printf -v "$1" '%s' "$v"
}

MAIN_DEV=${ARGS[main_dev]}
SPARE_DEV=${ARGS[spare_dev]}
get_uint MAIN_START main_start 0
get_uint SPARE_START spare_start 0
SPARE_TOTAL=
SPARE_TOTAL_GIVEN=0
if [[ -n ${ARGS[spare_total]+set} ]]; then
	get_uint SPARE_TOTAL spare_total ""
	SPARE_TOTAL_GIVEN=1
fi
UNIT_SECTORS=
if [[ -n ${ARGS[unit_sectors]+set} ]]; then
	get_uint UNIT_SECTORS unit_sectors ""
fi
VOLATILE=0
case ${ARGS[volatile]-0} in
0 | no) ;;
1 | yes) VOLATILE=1 ;;
*) die "$EXIT_USAGE" "volatile must be yes or no (or 1 or 0), not '${ARGS[volatile]}'" ;;
esac
AUTO_REMAP=1
case ${ARGS[auto_remap]-1} in
1 | yes) ;;
0 | no) AUTO_REMAP=0 ;;
*) die "$EXIT_USAGE" "auto_remap must be yes or no (or 1 or 0), not '${ARGS[auto_remap]}'" ;;
esac
READ_RETRIES=
if [[ -n ${ARGS[read_retries]+set} ]]; then
	get_uint READ_RETRIES read_retries ""
	((READ_RETRIES <= 16)) ||
		die "$EXIT_USAGE" "read_retries must be 0 to 16, not $READ_RETRIES"
fi

DM_NAME=${ARGS[dm_name]-test_remap}
# What the kernel accepts (DM_NAME_LEN 128 with its NUL, no '/'), less
# what would break the table or the shell: no blanks or control characters.
if [[ -z $DM_NAME ]]; then
	die "$EXIT_USAGE" "dm_name is empty"
elif ((${#DM_NAME} > 127)); then
	die "$EXIT_USAGE" "dm_name is longer than 127 characters"
elif [[ $DM_NAME == */* || $DM_NAME == "." || $DM_NAME == ".." ||
	$DM_NAME =~ [[:space:][:cntrl:]] ]]; then
	die "$EXIT_USAGE" "dm_name '$DM_NAME' is not a valid device-mapper name (no '/', blanks, '.' or '..')"
fi

LOGFILE=${ARGS[logfile]-/tmp/remap_wrapper_$(date +%Y%m%d_%H%M%S).log}
if [[ -z $LOGFILE ]]; then
	die "$EXIT_USAGE" "logfile is empty"
fi

# ------------------------------------------------------------------ log --

if [[ -d $LOGFILE ]] || ! { : >>"$LOGFILE"; } 2>/dev/null; then
	die "$EXIT_LOGFILE" "cannot write log file '$LOGFILE'"
fi
LOG_OPEN=1
note "$PROG $*"
note "DM_DISABLE_UDEV=${DM_DISABLE_UDEV-<unset>}"

# -------------------------------------------------------------- devices --

# Check one device and read its geometry into <prefix>_SECTORS, _LBS, _PBS.
probe_dev() { # probe_dev <key> <path> <prefix>
	local key=$1 dev=$2 prefix=$3 hex maj min sys queue sectors lbs pbs
	if [[ ! -e $dev ]]; then
		die "$EXIT_NODEV" "$key $dev does not exist"
	fi
	if [[ ! -b $dev ]]; then
		die "$EXIT_NODEV" "$key $dev is not a block device"
	fi

	# sysfs by device number: follows /dev/mapper/X -> dm-N, by-id links,
	# and a partition's physical block size lives in its disk's queue/.
	sys='' queue=''
	if hex=$(stat -L -c '%t %T' "$dev" 2>/dev/null); then
		maj=$((16#${hex% *}))
		min=$((16#${hex#* }))
		sys=$(readlink -f "/sys/dev/block/$maj:$min" 2>/dev/null) || sys=
		if [[ -n $sys && -f $sys/partition ]]; then
			queue=${sys%/*}/queue
		elif [[ -n $sys ]]; then
			queue=$sys/queue
		fi
		note "$key $dev: device $maj:$min, sysfs ${sys:-<none>}"
	fi

	pbs=
	[[ -n $queue ]] && read -r pbs 2>/dev/null <"$queue/physical_block_size"
	[[ $pbs =~ ^[0-9]+$ ]] || pbs=$(blockdev --getpbsz "$dev" 2>/dev/null)
	lbs=$(blockdev --getss "$dev" 2>/dev/null)
	[[ $lbs =~ ^[0-9]+$ ]] || { [[ -n $queue ]] && read -r lbs 2>/dev/null <"$queue/logical_block_size"; }
	sectors=$(blockdev --getsz "$dev" 2>/dev/null)
	[[ $sectors =~ ^[0-9]+$ ]] || { [[ -n $sys ]] && read -r sectors 2>/dev/null <"$sys/size"; }

	if [[ ! $pbs =~ ^[1-9][0-9]*$ || ! $lbs =~ ^[1-9][0-9]*$ || ! $sectors =~ ^[0-9]+$ ]]; then
		die "$EXIT_NODEV" "cannot read the geometry of $key $dev (Permission denied? run as root)"
	fi
	note "$key $dev: $sectors sectors, logical $lbs B, physical $pbs B"
	printf -v "${prefix}_SECTORS" '%s' "$sectors"
	printf -v "${prefix}_LBS" '%s' "$lbs"
	printf -v "${prefix}_PBS" '%s' "$pbs"
}

MAIN_SECTORS='' MAIN_LBS='' MAIN_PBS=''
SPARE_SECTORS='' SPARE_LBS='' SPARE_PBS=''
probe_dev main_dev "$MAIN_DEV" MAIN
probe_dev spare_dev "$SPARE_DEV" SPARE

if ((MAIN_PBS != SPARE_PBS)); then
	err "ERROR: Physical sector sizes differ"
	err "Main phys size: $MAIN_PBS B ($MAIN_DEV), Spare phys size: $SPARE_PBS B ($SPARE_DEV)"
	note "exit $EXIT_PBS_MISMATCH"
	exit "$EXIT_PBS_MISMATCH"
fi
# The target refuses devices whose logical sector sizes differ (I/O moved
# between them must suit both): the same mismatch, caught before dmsetup.
if ((MAIN_LBS != SPARE_LBS)); then
	err "ERROR: Logical sector sizes differ"
	err "Main logical size: $MAIN_LBS B ($MAIN_DEV), Spare logical size: $SPARE_LBS B ($SPARE_DEV)"
	note "exit $EXIT_PBS_MISMATCH"
	exit "$EXIT_PBS_MISMATCH"
fi

# ------------------------------------------------------------ alignment --

# The alignment unit: the physical sector size (never below either logical
# sector size, which the table must respect in any case).
ALIGN_BYTES=$MAIN_PBS
((MAIN_LBS > ALIGN_BYTES)) && ALIGN_BYTES=$MAIN_LBS
((SPARE_LBS > ALIGN_BYTES)) && ALIGN_BYTES=$SPARE_LBS
ALIGN=$((ALIGN_BYTES / 512))
((ALIGN >= 1)) || ALIGN=1

align_up() { echo $((($1 + ALIGN - 1) / ALIGN * ALIGN)); }
align_down() { echo $(($1 / ALIGN * ALIGN)); }

ADJUSTMENTS=()
adjusted() { # adjusted <what> <from> <to>
	ADJUSTMENTS+=("Adjusted $1: $2 -> $3 sectors (physical sector size $ALIGN_BYTES B)")
}

if ((MAIN_START >= MAIN_SECTORS)); then
	die "$EXIT_RANGE" "main_start $MAIN_START is at or beyond the end of main_dev $MAIN_DEV ($MAIN_SECTORS sectors)"
fi
if ((SPARE_START >= SPARE_SECTORS)); then
	die "$EXIT_RANGE" "spare_start $SPARE_START is at or beyond the end of spare_dev $SPARE_DEV ($SPARE_SECTORS sectors)"
fi

main_start_al=$(align_up "$MAIN_START")
((main_start_al != MAIN_START)) && adjusted main_start "$MAIN_START" "$main_start_al"
target_len=$((MAIN_SECTORS - main_start_al))
if ((target_len <= 0)); then
	die "$EXIT_RANGE" "nothing of main_dev $MAIN_DEV ($MAIN_SECTORS sectors) is left after main_start $main_start_al (aligned from $MAIN_START)"
fi
target_len_al=$(align_down "$target_len")
((target_len_al != target_len)) && adjusted "target length" "$target_len" "$target_len_al"
if ((target_len_al == 0)); then
	die "$EXIT_RANGE" "nothing of main_dev $MAIN_DEV is left after main_start $main_start_al: $target_len sectors, less than one physical sector ($ALIGN_BYTES B)"
fi

spare_start_al=$(align_up "$SPARE_START")
((spare_start_al != SPARE_START)) && adjusted spare_start "$SPARE_START" "$spare_start_al"
spare_avail=$((SPARE_SECTORS - spare_start_al))
if ((spare_avail <= 0)); then
	die "$EXIT_RANGE" "nothing of spare_dev $SPARE_DEV ($SPARE_SECTORS sectors) is left after spare_start $spare_start_al (aligned from $SPARE_START)"
fi
if ((SPARE_TOTAL_GIVEN)); then
	if ((SPARE_TOTAL > spare_avail)); then
		from=
		((spare_start_al != SPARE_START)) && from=" (aligned from $SPARE_START)"
		die "$EXIT_RANGE" "spare_total $SPARE_TOTAL does not fit: spare_dev $SPARE_DEV has $spare_avail sectors after spare_start $spare_start_al$from"
	fi
else
	SPARE_TOTAL=$spare_avail
	note "spare_total defaults to $SPARE_TOTAL sectors (the rest of spare_dev after spare_start)"
fi
spare_total_al=$(align_down "$SPARE_TOTAL")
((spare_total_al != SPARE_TOTAL)) && adjusted spare_total "$SPARE_TOTAL" "$spare_total_al"
if ((spare_total_al == 0)); then
	die "$EXIT_RANGE" "spare_total $SPARE_TOTAL leaves no spare area: less than one physical sector ($ALIGN_BYTES B)"
fi

TABLE="0 $target_len_al remap $MAIN_DEV $main_start_al $SPARE_DEV $spare_start_al $spare_total_al"
# The target's feature arguments:
# "<count> [unit_sectors <n>] [volatile] [no_auto_remap] [read_retries <n>]".
FEATURES=()
[[ -n $UNIT_SECTORS ]] && FEATURES+=(unit_sectors "$UNIT_SECTORS")
((VOLATILE)) && FEATURES+=(volatile)
((AUTO_REMAP)) || FEATURES+=(no_auto_remap)
[[ -n $READ_RETRIES ]] && FEATURES+=(read_retries "$READ_RETRIES")
if ((${#FEATURES[@]})); then
	TABLE+=" ${#FEATURES[@]} ${FEATURES[*]}"
fi

# ------------------------------------------------------- device-mapper --

if ! targets=$(dmsetup targets 2>&1); then
	why=$(printf '%s\n' "$targets" | head -n 1)
	if [[ $why == *"Permission denied"* ]]; then
		why+=" (run as root: sudo $PROG ...)"
	else
		why+=" (load device-mapper and the target: sudo modprobe dm_mod; sudo insmod dm_remap.ko)"
	fi
	die "$EXIT_NO_TARGET" "device-mapper is not usable: $why"
fi
if ! grep -q '^remap[[:space:]]' <<<"$targets"; then
	die "$EXIT_NO_TARGET" "the device-mapper target 'remap' is not available: load the module first (sudo insmod dm_remap.ko)"
fi
note "remap target: $(grep '^remap[[:space:]]' <<<"$targets" | awk '{ $1 = $1; print }')"

if dmsetup info "$DM_NAME" >/dev/null 2>&1; then
	die "$EXIT_NAME_BUSY" "dm_name '$DM_NAME' is already in use (remove it with: sudo dmsetup remove $DM_NAME)"
fi

# ---------------------------------------------------------------- create --

for line in "${ADJUSTMENTS[@]}"; do
	out "$line"
done

out "=== remap_create_safe.sh parameters ==="
out "Main device:   $MAIN_DEV"
out "Main start:    $main_start_al sectors"
out "Spare device:  $SPARE_DEV"
out "Spare start:   $spare_start_al sectors"
out "Spare total:   $spare_total_al sectors"
out "Main phys size:  $MAIN_PBS B"
out "Spare phys size: $SPARE_PBS B"
out "DM name:       $DM_NAME"
out "Log file:      $LOGFILE"
out "======================================="
out "Creating device-mapper target..."
out "dmsetup create $DM_NAME with: $TABLE"

# The target's own reason for refusing a table goes to the kernel log, not
# to dmsetup: remember where the log ends so it can be shown on failure.
klog_lines=$(dmesg 2>/dev/null | wc -l) || klog_lines=

if ! dm_out=$(dmsetup create "$DM_NAME" --table "$TABLE" 2>&1); then
	first=$(printf '%s\n' "$dm_out" | grep -m 1 . || true)
	err "ERROR: dmsetup create failed: ${first:-no message}"
	printf '%s\n' "$dm_out" | tail -n +2 | grep . | while IFS= read -r line; do
		err "  $line"
	done
	if [[ -n $klog_lines ]]; then
		dmesg 2>/dev/null | tail -n +"$((klog_lines + 1))" |
			grep -E 'device-mapper|dm[-_]remap' | tail -n 5 |
			sed 's/^\[[^]]*\] *//' |
			while IFS= read -r line; do
				err "  kernel: $line"
			done
	fi
	# The name was free before: anything by that name now is a leftover.
	if dmsetup info "$DM_NAME" >/dev/null 2>&1; then
		note "removing the half-created device $DM_NAME"
		dmsetup remove "$DM_NAME" >/dev/null 2>&1 ||
			err "  could not remove the half-created device $DM_NAME: run 'sudo dmsetup remove $DM_NAME'"
	fi
	note "exit $EXIT_CREATE"
	exit "$EXIT_CREATE"
fi
[[ -n $dm_out ]] && note "dmsetup: $dm_out"

out "Mapping created successfully via wrapper."
if ((${#ADJUSTMENTS[@]})); then
	note "exit $EXIT_ADJUSTED"
	exit "$EXIT_ADJUSTED"
fi
note "exit $EXIT_OK"
exit "$EXIT_OK"
