#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tests/guest/30-create-safe.sh - remap_create_safe.sh against the real
# target, inside the test VM (tests/vm/vm-run.sh), as root, with dm_remap.ko
# already loaded by the runner.
#
# Checks every exit code of the wrapper (0..10), the printed parameter block
# and dmsetup line line by line, `dmsetup table`, the log file, the defaults
# (dm_name test_remap, spare_total, the log file name) and that no error
# leaves a device behind.
#
# Needs: util-linux losetup (--sector-size), dmsetup, blockdev, coreutils;
# the loop driver (module or built in); scsi_debug only when loop devices
# cannot give two different physical sector sizes.
#
# Last line: "create-safe: N passed, N failed"; exit 1 when anything failed.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WRAP=${REMAP_CREATE_SAFE:-$REPO/remap_create_safe.sh}

pass=0
fail=0
ok() {
	pass=$((pass + 1))
	echo "ok - $*"
}
bad() {
	fail=$((fail + 1))
	echo "not ok - $*"
}
finish() {
	echo "create-safe: $pass passed, $fail failed"
	((fail == 0))
}
fatal() {
	bad "setup: $*"
	finish || true
	exit 1
}

# ----------------------------------------------------------------- setup --

[[ $(id -u) -eq 0 ]] || fatal "must run as root (in the test VM)"
[[ -f $WRAP ]] || fatal "wrapper not found: $WRAP"
command -v dmsetup >/dev/null || fatal "dmsetup not found"
REAL_DMSETUP=$(command -v dmsetup)
# (no "dmsetup | grep -q": under pipefail grep's early exit can fail the pipe)
grep -q '^remap[[:space:]]' <<<"$(dmsetup targets 2>&1)" ||
	fatal "the 'remap' target is not registered: load dm_remap.ko first"

# No udev in the VM: let libdevmapper make the /dev/mapper nodes itself.
if [[ -z ${DM_DISABLE_UDEV-} && ! -S /run/udev/control ]]; then
	export DM_DISABLE_UDEV=1
fi

modprobe loop 2>/dev/null || true

T=$(mktemp -d /tmp/30-create-safe.XXXXXX)
LOOPS=()
NAMES=() # every dm name a wrapper run might create
SCSI_DEBUG_LOADED=0
DEFAULT_LOGS=()

cleanup() {
	local i n l
	set +e
	# Newest first: a device may sit on top of an older one.
	for ((i = ${#NAMES[@]} - 1; i >= 0; i--)); do
		n=${NAMES[i]}
		dmsetup info "$n" >/dev/null 2>&1 && dmsetup remove --retry "$n" >/dev/null 2>&1
	done
	for l in "${LOOPS[@]}"; do
		losetup -d "$l" 2>/dev/null
	done
	((SCSI_DEBUG_LOADED)) && modprobe -r scsi_debug 2>/dev/null
	rm -f "${DEFAULT_LOGS[@]}"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkloop() { # mkloop <size> [<sector size>] -> prints /dev/loopN
	local img dev
	img=$(mktemp "$T/img.XXXXXX")
	truncate -s "$1" "$img"
	if [[ -n ${2-} ]]; then
		dev=$(losetup -f --show --sector-size "$2" "$img")
	else
		dev=$(losetup -f --show "$img")
	fi
	echo "$dev"
}

majmin() { # majmin <dev> -> "maj:min", as DM prints devices in tables
	local hex
	hex=$(stat -L -c '%t %T' "$1")
	echo "$((16#${hex% *})):$((16#${hex#* }))"
}

sysq() { # sysq <dev> <attribute of queue/>
	local sys
	sys=$(readlink -f "/sys/dev/block/$(majmin "$1")")
	[[ -f $sys/partition ]] && sys=${sys%/*}
	cat "$sys/queue/$2"
}

M512=$(mkloop 16M) && LOOPS+=("$M512")     # 32768 sectors
S512=$(mkloop 8M) && LOOPS+=("$S512")      # 16384 sectors
M4K=$(mkloop 16M 4096) && LOOPS+=("$M4K")  # 32768 sectors
S4K=$(mkloop 8M 4096) && LOOPS+=("$S4K")   # 16384 sectors
[[ -b $M512 && -b $S512 && -b $M4K && -b $S4K ]] || fatal "could not set up loop devices"
echo "# loops: $M512 $S512 (512 B), $M4K $S4K (4096 B)"

for d in "$M512" "$S512" "$M4K" "$S4K"; do
	echo "# $d: physical $(sysq "$d" physical_block_size) B, logical $(sysq "$d" logical_block_size) B, $(blockdev --getsz "$d") sectors"
done
[[ $(sysq "$M4K" physical_block_size) == 4096 && $(sysq "$S4K" physical_block_size) == 4096 ]] ||
	fatal "loop --sector-size 4096 did not give a 4096 B physical block size"
[[ $(sysq "$M512" physical_block_size) == 512 && $(sysq "$S512" physical_block_size) == 512 ]] ||
	fatal "plain loop devices do not have a 512 B physical block size"

# A device whose physical sector size differs from $M512's.  Loop devices
# set logical = physical = --sector-size, so $S4K does; scsi_debug with
# physblk_exp=3 (512 B logical, 4096 B physical) is the fallback.
MISMATCH_DEV=
if [[ $(sysq "$S4K" physical_block_size) != "$(sysq "$M512" physical_block_size)" ]]; then
	MISMATCH_DEV=$S4K
elif modprobe scsi_debug dev_size_mb=16 physblk_exp=3 2>/dev/null; then
	SCSI_DEBUG_LOADED=1
	sleep 1
	for b in /sys/bus/pseudo/drivers/scsi_debug/adapter*/host*/target*/*/block/*; do
		[[ -e $b ]] && MISMATCH_DEV=/dev/${b##*/}
	done
fi
[[ -b $MISMATCH_DEV ]] || fatal "no device with a physical sector size other than 512 B"

# ---------------------------------------------------------------- helpers --

RUN_ENV=()
RC=0
run() { # run <args...>: the wrapper's stdout, stderr, exit code -> $T/out, $T/err, RC
	# Every case starts from blank spares: a mapping persists its remap
	# table at the start of the spare area, and a later case with another
	# geometry would (rightly) be refused over that metadata.
	local d
	for d in "$S512" "$S4K"; do
		if ! dmsetup deps -o blkdevname 2>/dev/null | grep -q "(${d#/dev/})"; then
			/usr/bin/dd if=/dev/zero of="$d" bs=1M count=1 oflag=direct status=none
		fi
	done
	set +e
	env "${RUN_ENV[@]}" "$WRAP" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
}

show_run() {
	echo "#   exit $RC; stdout:"
	sed 's/^/#     /' "$T/out"
	echo "#   stderr:"
	sed 's/^/#     /' "$T/err"
}

expect_rc() { # expect_rc <label> <code>
	if [[ $RC == "$2" ]]; then
		ok "$1: exit $2"
	else
		bad "$1: exit $RC, expected $2"
		show_run
	fi
}

expect_text() { # expect_text <label> <file> <expected text>
	if diff -u <(printf '%s\n' "$3") "$2" >"$T/diff"; then
		ok "$1"
	else
		bad "$1"
		sed 's/^/#   /' "$T/diff"
	fi
}

expect_empty() { # expect_empty <label> <file>
	if [[ ! -s $2 ]]; then
		ok "$1"
	else
		bad "$1"
		sed 's/^/#   /' "$2"
	fi
}

# One line on stderr, starting with ERROR: (and, if given, containing <text>).
expect_error_line() { # expect_error_line <label> [<text>]
	local n first
	n=$(wc -l <"$T/err")
	first=$(head -n 1 "$T/err")
	if [[ $n -eq 1 && $first == ERROR:* && $first == *"${2-}"* ]]; then
		ok "$1: $first"
	else
		bad "$1: expected one ERROR: line on stderr${2:+ containing \"$2\"}"
		show_run
	fi
}

expect_no_device() { # expect_no_device <label> <name>
	if dmsetup info "$2" >/dev/null 2>&1; then
		bad "$1: device $2 exists"
		dmsetup remove --retry "$2" >/dev/null 2>&1 || true
	else
		ok "$1: no device $2 left"
	fi
}

expect_table() { # expect_table <label> <name> <expected table line>
	local got
	got=$(dmsetup table "$2" 2>&1) || true
	if [[ $got == "$3" ]]; then
		ok "$1: dmsetup table $2"
	else
		bad "$1: dmsetup table $2: got '$got', expected '$3'"
	fi
}

# The log holds every printed line (timestamped), plus '# ' detail lines.
log_body() {
	sed -E 's/^\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\] //' "$1" | grep -v '^# ' || true
}

expect_log() { # expect_log <label> <logfile> <expected printed text>
	if [[ ! -f $2 ]]; then
		bad "$1: log file $2 missing"
		return
	fi
	if ! grep -qvE '^\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\] ' "$2"; then
		ok "$1: every log line is timestamped"
	else
		bad "$1: log lines without a timestamp"
	fi
	if diff -u <(printf '%s\n' "$3") <(log_body "$2") >"$T/diff"; then
		ok "$1: log has the printed lines"
	else
		bad "$1: log differs from the printed lines"
		sed 's/^/#   /' "$T/diff"
	fi
}

block() { # block <main> <mstart> <spare> <sstart> <stotal> <pbs> <name> <log>
	printf '%s\n' \
		"=== remap_create_safe.sh parameters ===" \
		"Main device:   $1" \
		"Main start:    $2 sectors" \
		"Spare device:  $3" \
		"Spare start:   $4 sectors" \
		"Spare total:   $5 sectors" \
		"Main phys size:  $6 B" \
		"Spare phys size: $6 B" \
		"DM name:       $7" \
		"Log file:      $8" \
		"======================================="
}

created() { # created <name> <table> -> the lines after the block
	printf '%s\n' \
		"Creating device-mapper target..." \
		"dmsetup create $1 with: $2" \
		"Mapping created successfully via wrapper."
}

remove_dev() {
	dmsetup remove --retry "$1" >/dev/null 2>&1 || true
}

MM512=$(majmin "$M512")
SM512=$(majmin "$S512")
MM4K=$(majmin "$M4K")
SM4K=$(majmin "$S4K")

# ------------------------------------------------------------------ help --

if [[ -x $WRAP ]]; then ok "wrapper is executable"; else bad "wrapper is not executable"; fi

for h in --help -h; do
	run "$h"
	expect_rc "$h" 0
	expect_empty "$h: nothing on stderr" "$T/err"
	missing=
	for c in 0 1 2 3 4 5 6 7 8 9 10; do
		grep -qE "^ +$c +[a-zA-Z]" "$T/out" || missing+=" $c"
	done
	if grep -q '^Usage:' "$T/out" && [[ -z $missing ]]; then
		ok "$h: usage with every exit code"
	else
		bad "$h: usage text incomplete (exit codes missing:${missing:-none})"
	fi
done

# ------------------------------------------------------ 0: the defaults --

if dmsetup info test_remap >/dev/null 2>&1; then
	bad "defaults: a device named test_remap already exists, cannot test the default dm_name"
else
	NAMES+=(test_remap)
	run main_dev="$M512" spare_dev="$S512"
	expect_rc "defaults" 0
	log=$(sed -n 's/^Log file:      //p' "$T/out")
	if [[ $log =~ ^/tmp/remap_wrapper_[0-9]{8}_[0-9]{6}\.log$ ]]; then
		ok "defaults: log file name $log"
		DEFAULT_LOGS+=("$log")
	else
		bad "defaults: log file name '$log'"
	fi
	table="0 32768 remap $M512 0 $S512 0 16384"
	expected="$(block "$M512" 0 "$S512" 0 16384 512 test_remap "$log")
$(created test_remap "$table")"
	expect_text "defaults: output" "$T/out" "$expected"
	expect_empty "defaults: nothing on stderr" "$T/err"
	expect_table "defaults" test_remap "0 32768 remap $MM512 0 $SM512 0 16384"
	expect_log "defaults" "$log" "$expected"
	if [[ $(blockdev --getsz /dev/mapper/test_remap 2>/dev/null) == 32768 ]]; then
		ok "defaults: /dev/mapper/test_remap has 32768 sectors"
	else
		bad "defaults: /dev/mapper/test_remap missing or of the wrong size"
	fi

	# -------------------------------------------- 7: dm_name in use --
	before=$(dmsetup table test_remap)
	run spare_dev="$S4K" main_dev="$M4K" logfile="$T/busy.log"
	expect_rc "name in use" 7
	expect_error_line "name in use" "test_remap"
	expect_empty "name in use: nothing on stdout" "$T/out"
	if [[ $(dmsetup table test_remap) == "$before" ]]; then
		ok "name in use: existing test_remap untouched"
	else
		bad "name in use: existing test_remap changed"
	fi
	expect_log "name in use" "$T/busy.log" "$(cat "$T/err")"
	remove_dev test_remap
fi

# ------------------------------------------------- 1: adjusted values --

NAMES+=(cs30_adj)
# Order-independent keys: deliberately shuffled.
run logfile="$T/adj.log" spare_total=100 dm_name=cs30_adj spare_start=1 \
	spare_dev="$S4K" main_start=3 main_dev="$M4K"
expect_rc "adjusted" 1
table="0 32760 remap $M4K 8 $S4K 8 96"
expected="Adjusted main_start: 3 -> 8 sectors (physical sector size 4096 B)
Adjusted spare_start: 1 -> 8 sectors (physical sector size 4096 B)
Adjusted spare_total: 100 -> 96 sectors (physical sector size 4096 B)
$(block "$M4K" 8 "$S4K" 8 96 4096 cs30_adj "$T/adj.log")
$(created cs30_adj "$table")"
expect_text "adjusted: output" "$T/out" "$expected"
expect_empty "adjusted: nothing on stderr" "$T/err"
expect_table "adjusted" cs30_adj "0 32760 remap $MM4K 8 $SM4K 8 96"
expect_log "adjusted" "$T/adj.log" "$expected"
remove_dev cs30_adj

# Aligned values on 4 KiB devices: nothing to adjust, spare_total default.
NAMES+=(cs30_4k)
run main_dev="$M4K" spare_dev="$S4K" main_start=8 spare_start=16 dm_name=cs30_4k logfile="$T/4k.log"
expect_rc "aligned 4k" 0
table="0 32760 remap $M4K 8 $S4K 16 16368"
expected="$(block "$M4K" 8 "$S4K" 16 16368 4096 cs30_4k "$T/4k.log")
$(created cs30_4k "$table")"
expect_text "aligned 4k: output" "$T/out" "$expected"
expect_table "aligned 4k" cs30_4k "0 32760 remap $MM4K 8 $SM4K 16 16368"
remove_dev cs30_4k

# ---------------------------- sector sizes of partitions and dm devices --

# A partition has no queue/ of its own: the wrapper must read its disk's.
# MBR with one partition at LBA 256, 2048 LBAs long (4 KiB LBAs: 16384
# sectors).
pimg=$(mktemp "$T/img.XXXXXX")
truncate -s 16M "$pimg"
printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x01\x00\x00\x00\x08\x00\x00' |
	dd of="$pimg" bs=1 seek=446 conv=notrunc status=none
printf '\x55\xaa' | dd of="$pimg" bs=1 seek=510 conv=notrunc status=none
PDISK=$(losetup -f --show -P --sector-size 4096 "$pimg")
LOOPS+=("$PDISK")
PART=${PDISK}p1
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[[ -b $PART ]] && break
	sleep 0.2
done
if [[ -b $PART ]]; then
	NAMES+=(cs30_part)
	run main_dev="$PART" spare_dev="$S4K" spare_total=64 dm_name=cs30_part logfile="$T/part.log"
	expect_rc "partition main_dev" 0
	expected="$(block "$PART" 0 "$S4K" 0 64 4096 cs30_part "$T/part.log")
$(created cs30_part "0 16384 remap $PART 0 $S4K 0 64")"
	expect_text "partition main_dev: output" "$T/out" "$expected"
	expect_table "partition main_dev" cs30_part "0 16384 remap $(majmin "$PART") 0 $SM4K 0 64"
	remove_dev cs30_part
else
	bad "partition main_dev: $PART did not appear"
fi

# /dev/mapper/<name> is a link to dm-N: the wrapper must follow it.
NAMES+=(cs30_lin cs30_ondm)
if dmsetup create cs30_lin --table "0 32768 linear $M4K 0" && [[ -b /dev/mapper/cs30_lin ]]; then
	run main_dev=/dev/mapper/cs30_lin spare_dev="$S4K" spare_total=64 dm_name=cs30_ondm logfile="$T/ondm.log"
	expect_rc "dm device as main_dev" 0
	expected="$(block /dev/mapper/cs30_lin 0 "$S4K" 0 64 4096 cs30_ondm "$T/ondm.log")
$(created cs30_ondm "0 32768 remap /dev/mapper/cs30_lin 0 $S4K 0 64")"
	expect_text "dm device as main_dev: output" "$T/out" "$expected"
	expect_table "dm device as main_dev" cs30_ondm \
		"0 32768 remap $(majmin /dev/mapper/cs30_lin) 0 $SM4K 0 64"
	remove_dev cs30_ondm
else
	bad "dm device as main_dev: could not create a linear device over $M4K"
fi
remove_dev cs30_lin

# --------------------------------------------- feature argument (0) --

NAMES+=(cs30_feat)
run main_dev="$M512" spare_dev="$S512" spare_total=1024 unit_sectors=8 \
	dm_name=cs30_feat logfile="$T/feat.log"
expect_rc "unit_sectors" 0
table="0 32768 remap $M512 0 $S512 0 1024 2 unit_sectors 8"
expected="$(block "$M512" 0 "$S512" 0 1024 512 cs30_feat "$T/feat.log")
$(created cs30_feat "$table")"
expect_text "unit_sectors: output" "$T/out" "$expected"
expect_table "unit_sectors" cs30_feat "0 32768 remap $MM512 0 $SM512 0 1024 2 unit_sectors 8"
expect_log "unit_sectors" "$T/feat.log" "$expected"
remove_dev cs30_feat

NAMES+=(cs30_vol)
run main_dev="$M512" spare_dev="$S512" spare_total=1024 unit_sectors=8 \
	volatile=yes dm_name=cs30_vol logfile="$T/vol.log"
expect_rc "volatile" 0
expect_table "volatile" cs30_vol "0 32768 remap $MM512 0 $SM512 0 1024 3 unit_sectors 8 volatile"
if [[ $("$REPO/tools/remapctl/remapctl" status --no-speed cs30_vol | awk '$1 == "metadata:" {print $2}') == volatile ]]; then
	ok "volatile: status says volatile"
else
	bad "volatile: status is '$(dmsetup status cs30_vol)'"
fi
remove_dev cs30_vol
run main_dev="$M512" spare_dev="$S512" volatile=maybe dm_name=cs30_vol logfile="$T/vol.log"
expect_rc "volatile=maybe" 3

NAMES+=(cs30_auto)
run main_dev="$M512" spare_dev="$S512" spare_total=1024 auto_remap=no \
	read_retries=5 volatile=yes dm_name=cs30_auto logfile="$T/auto.log"
expect_rc "auto_remap=no read_retries=5" 0
expect_table "auto_remap=no read_retries=5" cs30_auto \
	"0 32768 remap $MM512 0 $SM512 0 1024 4 volatile no_auto_remap read_retries 5"
remove_dev cs30_auto
run main_dev="$M512" spare_dev="$S512" auto_remap=sometimes dm_name=cs30_auto logfile="$T/auto.log"
expect_rc "auto_remap=sometimes" 3
run main_dev="$M512" spare_dev="$S512" read_retries=17 dm_name=cs30_auto logfile="$T/auto.log"
expect_rc "read_retries=17" 3

# ------------------------------------------ 2: sector sizes differ --

NAMES+=(cs30_mis)
mpbs=$(sysq "$M512" physical_block_size)
spbs=$(sysq "$MISMATCH_DEV" physical_block_size)
run main_dev="$M512" spare_dev="$MISMATCH_DEV" dm_name=cs30_mis logfile="$T/mis.log"
expect_rc "physical mismatch ($M512 $mpbs B, $MISMATCH_DEV $spbs B)" 2
if [[ $(sed -n 1p "$T/err") == "ERROR: Physical sector sizes differ" &&
	$(sed -n 2p "$T/err") == *"$mpbs B"*"$spbs B"* && $(wc -l <"$T/err") -eq 2 ]]; then
	ok "physical mismatch: message and both sizes"
else
	bad "physical mismatch: message"
	show_run
fi
expect_empty "physical mismatch: nothing on stdout" "$T/out"
expect_no_device "physical mismatch" cs30_mis
expect_log "physical mismatch" "$T/mis.log" "$(cat "$T/err")"

# ------------------------------------------------------- 3: usage --

usage_case() { # usage_case <label> <args...>
	local label=$1
	shift
	NAMES+=(cs30_use)
	run "$@"
	expect_rc "usage: $label" 3
	expect_error_line "usage: $label"
	expect_empty "usage: $label: nothing on stdout" "$T/out"
	expect_no_device "usage: $label" cs30_use
}
usage_case "unknown key" main_dev="$M512" spare_dev="$S512" dm_name=cs30_use foo=1
usage_case "no '='" main_dev="$M512" spare_dev="$S512" dm_name=cs30_use bogus
usage_case "missing spare_dev" main_dev="$M512" dm_name=cs30_use
usage_case "missing main_dev" spare_dev="$S512" dm_name=cs30_use
usage_case "no arguments"
usage_case "key twice" main_dev="$M512" spare_dev="$S512" dm_name=cs30_use main_start=0 main_start=8
usage_case "empty main_dev" main_dev= spare_dev="$S512" dm_name=cs30_use
usage_case "option" --force main_dev="$M512" spare_dev="$S512" dm_name=cs30_use

# ----------------------------------------------------- 4: numbers --

number_case() { # number_case <key=value>
	NAMES+=(cs30_num)
	run main_dev="$M512" spare_dev="$S512" dm_name=cs30_num "$1"
	expect_rc "number: $1" 4
	expect_error_line "number: $1" "${1%%=*}"
	expect_no_device "number: $1" cs30_num
}
number_case main_start=-1
number_case main_start=1.5
number_case spare_start=abc
number_case spare_total=0x100
number_case spare_total=
number_case unit_sectors=+8
number_case main_start=99999999999999999999

# ----------------------------------------------------- 5: devices --

NAMES+=(cs30_dev)
run main_dev=/dev/cs30_no_such_device spare_dev="$S512" dm_name=cs30_dev logfile="$T/dev.log"
expect_rc "missing main_dev" 5
expect_error_line "missing main_dev" "/dev/cs30_no_such_device"
expect_no_device "missing main_dev" cs30_dev
expect_log "missing main_dev" "$T/dev.log" "$(cat "$T/err")"

img=$(losetup -n -O BACK-FILE "$S512")
run main_dev="$M512" spare_dev="$img" dm_name=cs30_dev logfile="$T/dev2.log"
expect_rc "spare_dev a regular file" 5
expect_error_line "spare_dev a regular file" "not a block device"
expect_no_device "spare_dev a regular file" cs30_dev

# ------------------------------------------------------ 6: ranges --

range_case() { # range_case <label> <args...>
	local label=$1
	shift
	NAMES+=(cs30_rng)
	run dm_name=cs30_rng logfile="$T/rng.log" "$@"
	expect_rc "range: $label" 6
	expect_error_line "range: $label"
	expect_empty "range: $label: nothing on stdout" "$T/out"
	expect_no_device "range: $label" cs30_rng
}
range_case "main_start at the end" main_dev="$M512" spare_dev="$S512" main_start=32768
range_case "main_start beyond" main_dev="$M512" spare_dev="$S512" main_start=40000
range_case "main_start rounds up to the end" main_dev="$M4K" spare_dev="$S4K" main_start=32761
range_case "spare_start beyond" main_dev="$M512" spare_dev="$S512" spare_start=16384
range_case "spare_total too big" main_dev="$M512" spare_dev="$S512" spare_total=16385
range_case "spare_total too big after spare_start" main_dev="$M512" spare_dev="$S512" spare_start=100 spare_total=16300
range_case "spare_total below one sector" main_dev="$M4K" spare_dev="$S4K" spare_total=7
range_case "spare_total 0" main_dev="$M512" spare_dev="$S512" spare_total=0

# --------------------------------------------- 8: target not there --

# A dmsetup that hides the remap target, as when dm_remap.ko is not loaded.
mkdir -p "$T/shim"
cat >"$T/shim/dmsetup" <<EOF
#!/bin/bash
if [[ \${1-} == targets ]]; then
	$REAL_DMSETUP targets | grep -v '^remap[[:space:]]'
	exit "\${PIPESTATUS[0]}"
fi
exec $REAL_DMSETUP "\$@"
EOF
chmod +x "$T/shim/dmsetup"
NAMES+=(cs30_tgt)
RUN_ENV=("PATH=$T/shim:$PATH")
run main_dev="$M512" spare_dev="$S512" dm_name=cs30_tgt logfile="$T/tgt.log"
RUN_ENV=()
expect_rc "no remap target" 8
expect_error_line "no remap target" "remap"
expect_empty "no remap target: nothing on stdout" "$T/out"
expect_no_device "no remap target" cs30_tgt
expect_log "no remap target" "$T/tgt.log" "$(cat "$T/err")"

# ---------------------------------------------- 9: dmsetup refuses --

# The target refuses unit_sectors above 2048 (core/remap_args.c).
NAMES+=(cs30_bad)
run main_dev="$M512" spare_dev="$S512" spare_total=8192 unit_sectors=4096 \
	dm_name=cs30_bad logfile="$T/bad.log"
expect_rc "dmsetup refuses unit_sectors=4096" 9
if [[ $(head -n 1 "$T/err") == "ERROR: dmsetup create failed: "?* ]]; then
	ok "dmsetup refuses: $(head -n 1 "$T/err")"
else
	bad "dmsetup refuses: no 'ERROR: dmsetup create failed: <message>' line"
	show_run
fi
expected="$(block "$M512" 0 "$S512" 0 8192 512 cs30_bad "$T/bad.log")
Creating device-mapper target...
dmsetup create cs30_bad with: 0 32768 remap $M512 0 $S512 0 8192 2 unit_sectors 4096"
expect_text "dmsetup refuses: output" "$T/out" "$expected"
expect_no_device "dmsetup refuses" cs30_bad
expect_log "dmsetup refuses" "$T/bad.log" "$expected
$(cat "$T/err")"

# The spare area overlapping the target on one device.
NAMES+=(cs30_ovl)
run main_dev="$M512" spare_dev="$M512" spare_total=1024 dm_name=cs30_ovl logfile="$T/ovl.log"
expect_rc "dmsetup refuses an overlapping spare" 9
expect_no_device "dmsetup refuses an overlapping spare" cs30_ovl

# ------------------------------------------------------- 10: log file --

NAMES+=(cs30_log)
run main_dev="$M512" spare_dev="$S512" dm_name=cs30_log logfile=/cs30_no_such_dir/x.log
expect_rc "log file not writable" 10
expect_error_line "log file not writable" "/cs30_no_such_dir/x.log"
expect_no_device "log file not writable" cs30_log

# --------------------------------------------------------------- end --

left=$(dmsetup ls 2>/dev/null | grep -E '^(cs30_|test_remap[[:space:]])' || true)
if [[ -z $left ]]; then
	ok "no devices left over"
else
	bad "devices left over: $left"
fi

finish
