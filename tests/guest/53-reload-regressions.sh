#!/bin/bash
# timeout: 600
# Regression tests for issue 12, defects 7, 8 and 9: identity checks at
# table load and the holes around table reloads, seen as a user sees them
# (docs/dm-remap.rst "Persistence" and "Table reloads"; DESIGN.md
# invariants 1, 3 and 4):
#   7     re-creating over a spare formatted for another main_start is
#         refused, naming main_start, and nothing is written to the spare;
#   8a    a shorter table (target length, or spare_len) loaded while the
#         live table still remaps beyond it: the resume succeeds, nothing
#         lies beyond the new length, the data is intact;
#   8b    a volatile reload that changes the unit size, with an automatic
#         remap in the window before the resume: the acknowledged write
#         reads back after the resume;
#   8c    two remap targets of one table sharing one spare area: refused,
#         or no spare unit is ever given to two units;
#   8d    a reload that changes only the spare device of a remapped device
#         is refused and the live table is unchanged (volatile, persistent);
#   8e    a spare area another dm-remap device uses is refused when named
#         through another block device or overlapping the other one (a
#         partition against its whole disk is refused by the block layer's
#         exclusive claim already, "Spare device lookup failed"; two
#         overlapping partitions of one disk, or two areas of one device
#         at different starts, reach the target);
#   9     a small spare_len on a huge spare device: the table is created
#         quickly, memory follows spare_len, and it works.
# Each item runs in its own subshell with its own devices, so one failing
# item does not hide the others; REMAP53_ITEMS="7 8a_length 8a_spare 8b
# 8c 8d 8e 9" (any of them) runs a subset.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"

U=8
REMAPCTL=$REPO/tools/remapctl/remapctl
nbad=0

# bad WHAT: a check failed; the item goes on (to show the whole picture)
# and fails at its end.
bad() { echo "FAIL: $*" >&2; nbad=$((nbad + 1)); }
item_end() { ((nbad == 0)) || fail "$1: $nbad check(s) failed"; echo "$1: ok"; }

# dev_state NAME: ACTIVE or SUSPENDED.
dev_state() { dmsetup info "$1" | awk '$1 == "State:" {print $2}'; }
# md5 of a whole device, read around the page cache.
dev_sum() { $DD if="$1" bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1; }
# Logical sectors of the remapped units, from the "list" message.
listed() { msg "$1" list | awk '{print $1}'; }
# remap_dump SPARE: "<logical_sector> <spare_sector>" of every remap in
# the on-disk table (remapctl dump), read around the page cache.
remap_dump() {
	blockdev --flushbufs "$1"
	"$REMAPCTL" dump "$1" |
		awk '/^remapped /{f = 1; next} /^(retired|pending) /{f = 0}
		     f && $1 !~ /^#/ {print $3, $4}'
}

# refused_re WHAT ERE CMD...: 0 when CMD fails and the kernel log has a
# dm-remap error matching ERE (egrep); 1 when CMD is accepted; 2 when it
# is refused without such a message.  Says which.
refused_re() {
	local what=$1 re=$2 mark out
	shift 2
	mark=$(kmsg_mark)
	if out=$("$@" 2>&1); then
		echo "ACCEPTED: $what ($*)" >&2
		return 1
	fi
	if kmsg_since "$mark" | grep -E 'remap' | grep -qE -- "$re"; then
		echo "refused as expected: $what: $(kmsg_since "$mark" | grep -E -- "$re" | head -1)"
		return 0
	fi
	echo "$out" >&2
	kmsg_since "$mark" >&2
	echo "REFUSED WITHOUT A CLEAR MESSAGE (want /$re/): $what" >&2
	return 2
}

# try_create NAME TABLE: dmsetup create, remembered for cleanup when it
# succeeds; when refused, the kernel's reason is shown.
try_create() {
	local mark
	mark=$(kmsg_mark)
	if ! dmsetup create "$1" --table "$2"; then
		kmsg_since "$mark" | grep -E 'remap' >&2
		return 1
	fi
	_dms+=("$1")
}

# create_lines NAME TABLE...: dmsetup create from table lines (several
# targets), remembered for cleanup when it succeeds.
create_lines() {
	local name=$1
	shift
	printf '%s\n' "$@" > "$T/$name.table"
	dmsetup create "$name" "$T/$name.table" || return
	_dms+=("$name")
}

# ---------------------------------------------------------------------------
item_7() {
	log "7: main_start is part of the metadata's identity"
	local main spare len slen t1 t2 l1 sum
	main=$(new_loop 16)
	spare=$(new_loop 4)
	len=$(($(sectors "$main") - 64))
	slen=$(sectors "$spare")
	t1="0 $len remap $main 0 $spare 0 $slen 2 unit_sectors $U"
	t2="0 $len remap $main 64 $spare 0 $slen 2 unit_sectors $U"
	dm_create r7 "$t1"
	$SECTAG write /dev/mapper/r7 0 "$len" 71 --direct
	for s in 0 800 $((len - 1)); do msg r7 remap "$s"; done
	# Sectors 800-807 from now on live on the spare only.
	$SECTAG write /dev/mapper/r7 800 8 72 --direct
	l1=$(msg r7 list)
	dmsetup remove r7 && forget_dm r7
	sum=$(dev_sum "$spare")

	if refused_re "main_start 64 over metadata formatted for main_start 0" \
		'main_start' dmsetup create r7 --table "$t2"; then
		:
	else
		[[ $? == 1 ]] && _dms+=(r7)
		bad "7: a table with main_start 64 was not refused over metadata formatted with main_start 0"
		if dmsetup info r7 >/dev/null 2>&1; then
			echo "list of the new table (remaps of main_start 0 applied at main_start 64):"
			msg r7 list
			echo "logical sectors 0-15 should read main sectors 64-79 (tag 71); they read:"
			$SECTAG verify /dev/mapper/r7 0 16 71 64 --direct || true
			dmsetup remove r7 && forget_dm r7
		fi
	fi
	dmsetup remove r7 2>/dev/null && forget_dm r7
	[[ $(dev_sum "$spare") == "$sum" ]] ||
		bad "7: the spare changed although the table was to be refused"

	log "7: the right main_start still loads every remap"
	dm_create r7 "$t1"
	[[ $(msg r7 list) == "$l1" ]] || bad "7: remaps after re-create: $(msg r7 list)"
	$SECTAG verify /dev/mapper/r7 0 800 71 --direct || bad "7: data 0-799"
	$SECTAG verify /dev/mapper/r7 800 8 72 --direct || bad "7: data 800-807"
	$SECTAG verify /dev/mapper/r7 808 $((len - 808)) 71 --direct || bad "7: data 808-"
	item_end 7
}

# ---------------------------------------------------------------------------
# After a window in which the live table may have remapped beyond the
# table waiting to go live: the device must be live and consistent.
# check_after_window NAME SPARE TAG: data in [0, length) written with TAG
# except the acknowledged window writes in ACKED ("sector tag" words).
check_after_window() {
	local name=$1 spare=$2 tag=$3 live_len live_slen state s t a first=0 l1 l2
	local dev=/dev/mapper/$name line
	state=$(dev_state "$name")
	live_len=$(dmsetup table "$name" | awk '{print $2}')
	live_slen=$(dmsetup table "$name" | awk '{print $8}')
	echo "after the resume: state $state, table: $(dmsetup table "$name")"
	echo "status: $(dmsetup status "$name")"
	[[ $state == ACTIVE ]] || bad "$name: device left $state by the resume"
	for s in $(listed "$name"); do
		((s < live_len)) || bad "$name: unit at sector $s remapped, beyond the length $live_len"
	done
	# Spare units lie within spare_start (0) + spare_len.
	for s in $(msg "$name" list | awk '{print $2}'); do
		((s + U <= live_slen)) || bad "$name: spare sector $s in use, beyond spare_len $live_slen"
	done
	if [[ $state == ACTIVE ]]; then
		# Sectors written in the window (ACKED) are checked on their own.
		for a in "${ACKED[@]}"; do
			read -r s t <<<"$a"
			((s >= first && s < live_len)) || continue
			((s == first)) || $SECTAG verify "$dev" "$first" $((s - first)) "$tag" --direct ||
				bad "$name: data $first-$((s - 1))"
			$SECTAG verify "$dev" "$s" $U "$t" --direct ||
				bad "$name: acknowledged write at $s"
			first=$((s + U))
		done
		$SECTAG verify "$dev" "$first" $((live_len - first)) "$tag" --direct ||
			bad "$name: data $first-$((live_len - 1))"
	else
		echo "(data not read: the device is suspended)"
	fi
	l1=$(msg "$name" list)
	line=$(dmsetup table "$name")
	dmsetup remove "$name" && forget_dm "$name"
	echo "on-disk table after remove: $(remap_dump "$spare" | tr '\n' ' ')"
	while read -r s _; do
		[[ -n $s ]] || continue
		((s < live_len)) || bad "$name: on-disk remap of sector $s, beyond the length $live_len"
	done < <(remap_dump "$spare")
	if try_create "$name" "$line"; then
		l2=$(msg "$name" list)
		[[ $l1 == "$l2" ]] || bad "$name: re-created, list '$l2' differs from '$l1'"
	else
		bad "$name: the live table line no longer loads from the metadata"
	fi
}

# window_remaps NAME DEV MSG_SECTOR WRITE_SECTOR: in the window between
# load and resume, remap MSG_SECTOR by message and write one unit at
# WRITE_SECTOR (a failing main range: an automatic remap); an accepted
# write is added to ACKED.
window_remaps() {
	local name=$1 dev=$2 ms=$3 ws=$4
	if msg "$name" remap "$ms"; then
		echo "window: remap $ms accepted"
	else
		echo "window: remap $ms refused"
	fi
	if $SECTAG write "$dev" "$ws" $U 82 --direct; then
		echo "window: write at $ws acknowledged"
		ACKED+=("$ws 82")
	else
		echo "window: write at $ws failed (not acknowledged)"
	fi
	echo "window: list of the live table: $(listed "$name" | tr '\n' ' ')"
}

item_8a_length() {
	log "8a: the target length shrinks while the live table remaps beyond it"
	local mloop spare len short slen
	mloop=$(new_loop 16)
	spare=$(new_loop 4)
	bad_disk m8a "$mloop"
	len=$(sectors "$mloop")
	short=$((len / 2))
	slen=$(sectors "$spare")
	dm_create r8a "0 $len remap /dev/mapper/m8a 0 $spare 0 $slen 2 unit_sectors $U"
	$SECTAG write /dev/mapper/r8a 0 "$len" 81 --direct
	msg r8a remap 800
	set_bad m8a "$((short + 64)) $U error"
	dmsetup reload r8a --table "0 $short remap /dev/mapper/m8a 0 $spare 0 $slen 2 unit_sectors $U"
	ACKED=()
	window_remaps r8a /dev/mapper/r8a $((short + 8)) $((short + 64))
	dmsetup resume r8a || bad "8a length: resume failed"
	set_bad m8a	# healed: a failed window write left the old data there
	check_after_window r8a "$spare" 81
	item_end 8a-length
}

item_8a_spare() {
	log "8a: spare_len shrinks while the live table takes spare units beyond it"
	local mloop spare len slen data_off keep
	mloop=$(new_loop 16)
	spare=$(new_loop 4)
	bad_disk m8s "$mloop"
	len=$(sectors "$mloop")
	slen=$(sectors "$spare")
	dm_create r8s "0 $len remap /dev/mapper/m8s 0 $spare 0 $slen 2 unit_sectors $U"
	$SECTAG write /dev/mapper/r8s 0 "$len" 83 --direct
	msg r8s remap 0 $((4 * U))	# spare units 0-3
	data_off=$(msg r8s list | awk 'NR == 1 {print $2}')
	keep=$((data_off + 4 * U))	# exactly the four units in use
	set_bad m8s "2000 $U error"
	dmsetup reload r8s --table "0 $len remap /dev/mapper/m8s 0 $spare 0 $keep 2 unit_sectors $U"
	ACKED=()
	window_remaps r8s /dev/mapper/r8s 800 2000
	dmsetup resume r8s || bad "8a spare_len: resume failed"
	set_bad m8s	# healed: a failed window write left the old data there
	check_after_window r8s "$spare" 83
	item_end 8a-spare_len
}

# ---------------------------------------------------------------------------
item_8b() {
	log "8b: volatile reload to another unit size, auto-remap before the resume"
	local mloop spare len slen acked=0
	mloop=$(new_loop 16)
	spare=$(new_loop 4)
	bad_disk m8b "$mloop"
	len=$(sectors "$mloop")
	slen=$(sectors "$spare")
	dm_create r8b "0 $len remap /dev/mapper/m8b 0 $spare 0 $slen 3 unit_sectors $U volatile"
	$SECTAG write /dev/mapper/r8b 0 "$len" 85 --direct
	set_bad m8b "4000 $U error"
	# Nothing is remapped: the new unit size is allowed.
	dmsetup reload r8b --table "0 $len remap /dev/mapper/m8b 0 $spare 0 $slen 3 unit_sectors 16 volatile"
	if $SECTAG write /dev/mapper/r8b 4000 $U 86 --direct; then
		acked=1
		echo "window: write at 4000 acknowledged; list: $(listed r8b | tr '\n' ' ')"
		$SECTAG verify /dev/mapper/r8b 4000 $U 86 --direct ||
			bad "8b: the write does not even read back before the resume"
	else
		echo "window: write at 4000 failed (not acknowledged)"
	fi
	dmsetup resume r8b || bad "8b: resume failed"
	[[ $(dev_state r8b) == ACTIVE ]] || bad "8b: device left $(dev_state r8b)"
	echo "after the resume: $(dmsetup table r8b); list: $(listed r8b | tr '\n' ' ')"
	if ((acked)) && [[ $(dev_state r8b) == ACTIVE ]]; then
		$SECTAG verify /dev/mapper/r8b 4000 $U 86 --direct ||
			bad "8b: an acknowledged write (sectors 4000-4007) is lost after the resume"
	fi
	if [[ $(dev_state r8b) == ACTIVE ]]; then
		$SECTAG verify /dev/mapper/r8b 0 4000 85 --direct || bad "8b: data 0-3999"
		$SECTAG verify /dev/mapper/r8b 4008 $((len - 4008)) 85 --direct ||
			bad "8b: data 4008-"
	fi
	item_end 8b
}

# ---------------------------------------------------------------------------
# Two targets of device NAME (lines given), halves of 2*HALF sectors,
# sharing one spare area: refused, or each keeps its own data.
two_targets() {
	local name=$1 half=$2 rc=0 s1 s2
	shift 2
	refused_re "$name: two targets sharing one spare area" '[Ss]pare' \
		create_lines "$name" "$@" || rc=$?
	case $rc in
	0) return ;;
	2) bad "$name: refused without a message about the spare"; return ;;
	esac
	echo "accepted: checking that no spare unit serves two units"
	local dev=/dev/mapper/$name
	$SECTAG write "$dev" 0 $((2 * half)) 87 --direct
	dmsetup message "$name" 0 remap 0 || bad "$name: remap in target 1"
	dmsetup message "$name" "$half" remap 0 || bad "$name: remap in target 2"
	s1=$(dmsetup message "$name" 0 list | awk 'NR == 1 {print $2}')
	s2=$(dmsetup message "$name" "$half" list | awk 'NR == 1 {print $2}')
	echo "target 1 unit 0 -> spare sector $s1; target 2 unit 0 -> spare sector $s2"
	$SECTAG verify "$dev" 0 $U 87 --direct ||
		bad "$name: target 1's remapped unit reads another unit's data"
	$SECTAG verify "$dev" "$half" $U 87 --direct ||
		bad "$name: target 2's remapped unit reads another unit's data"
	$SECTAG write "$dev" 0 $U 88 --direct
	$SECTAG write "$dev" "$half" $U 89 --direct
	$SECTAG verify "$dev" 0 $U 88 --direct ||
		bad "$name: target 1's acknowledged write reads back another's"
	$SECTAG verify "$dev" "$half" $U 89 --direct ||
		bad "$name: target 2's acknowledged write reads back another's"
}

item_8c() {
	log "8c: two targets of one table share one spare area"
	local main spare half slen
	main=$(new_loop 16)
	spare=$(new_loop 4)
	half=$(($(sectors "$main") / 2))
	slen=$(sectors "$spare")
	log "8c: both volatile, main_start 0 and $half"
	two_targets r8c "$half" \
		"0 $half remap $main 0 $spare 0 $slen 3 unit_sectors $U volatile" \
		"$half $half remap $main $half $spare 0 $slen 3 unit_sectors $U volatile"
	dmsetup remove r8c 2>/dev/null && forget_dm r8c
	log "8c: volatile, then persistent (its metadata where the first puts spare unit 0)"
	$DD if=/dev/zero of="$spare" bs=1M count=1 oflag=direct status=none
	two_targets r8d "$half" \
		"0 $half remap $main 0 $spare 0 $slen 3 unit_sectors $U volatile" \
		"$half $half remap $main $half $spare 0 $slen 2 unit_sectors $U"
	if dmsetup info r8d >/dev/null 2>&1; then
		dmsetup remove r8d && forget_dm r8d
		blockdev --flushbufs "$spare"
		"$REMAPCTL" check "$spare" > "$T/check" 2>&1 ||
			{ cat "$T/check"; bad "8c: the persistent target's metadata is damaged"; }
	fi
	item_end 8c
}

# ---------------------------------------------------------------------------
# spare_swap KIND FEATURES: remap units, then reload with another spare
# device: refused, the live table, its remaps and data unchanged.
spare_swap() {
	local kind=$1 features=$2 main spare1 spare2 len slen before sum2 rc=0
	main=$(new_loop 16)
	spare1=$(new_loop 4)
	spare2=$(new_loop 4)
	len=$(sectors "$main")
	slen=$(sectors "$spare1")
	dm_create r8e "0 $len remap $main 0 $spare1 0 $slen $features"
	$SECTAG write /dev/mapper/r8e 0 "$len" 91 --direct
	msg r8e remap 800
	msg r8e remap 4000 16
	$SECTAG write /dev/mapper/r8e 800 $U 92 --direct	# on the spare only
	before=$(dmsetup table r8e; msg r8e list; dmsetup status r8e)
	sum2=$(dev_sum "$spare2")
	refused_re "$kind: reload with only the spare device changed" '[Ss]pare' \
		dmsetup reload r8e --table "0 $len remap $main 0 $spare2 0 $slen $features" || rc=$?
	case $rc in
	1)
		bad "8d $kind: a reload changing only the spare device was accepted"
		dmsetup resume r8e
		echo "after the resume: $(dmsetup table r8e); list: $(listed r8e | tr '\n' ' ')"
		$SECTAG verify /dev/mapper/r8e 800 $U 92 --direct ||
			bad "8d $kind: the acknowledged write at 800 is lost"
		;;
	2) bad "8d $kind: refused without a message about the spare" ;;
	esac
	[[ $(dev_sum "$spare2") == "$sum2" ]] || bad "8d $kind: the other spare device was written"
	if ((rc != 1)); then
		dmsetup clear r8e 2>/dev/null || true
		[[ $(dmsetup table r8e; msg r8e list; dmsetup status r8e) == "$before" ]] ||
			bad "8d $kind: the live table changed"
		$SECTAG verify /dev/mapper/r8e 0 800 91 --direct || bad "8d $kind: data 0-799"
		$SECTAG verify /dev/mapper/r8e 800 $U 92 --direct || bad "8d $kind: data 800-807"
		$SECTAG verify /dev/mapper/r8e 808 $((len - 808)) 91 --direct ||
			bad "8d $kind: data 808-"
	fi
	dmsetup remove r8e && forget_dm r8e
}

item_8d() {
	log "8d: a reload that changes only the spare device of a remapped device"
	spare_swap volatile "3 unit_sectors $U volatile"
	spare_swap persistent "2 unit_sectors $U"
	item_end 8d
}

# ---------------------------------------------------------------------------
# A spare area named twice: A first, then B over the same sectors; B must
# be refused.  If it is not, one unit remapped in each shows the damage.
same_area() {
	local what=$1 a=$2 b=$3 aspare=${4:-} rc=0
	dm_create r8a1 "$a"
	refused_re "$what" '[Ss]pare' dmsetup create r8a2 --table "$b" || rc=$?
	case $rc in
	1)
		_dms+=(r8a2)
		bad "8e: $what: accepted"
		$SECTAG write /dev/mapper/r8a1 0 $((2 * U)) 93 --direct
		$SECTAG write /dev/mapper/r8a2 0 $U 94 --direct
		msg r8a1 remap 0 $((2 * U)) && msg r8a2 remap 0
		echo "A: $(msg r8a1 list | tr '\n' ' ') B: $(msg r8a2 list)"
		$SECTAG verify /dev/mapper/r8a1 0 $((2 * U)) 93 --direct ||
			bad "8e: $what: A's remapped units read B's data"
		dmsetup remove r8a2 && forget_dm r8a2
		if [[ -n $aspare ]]; then
			dmsetup remove r8a1 && forget_dm r8a1
			blockdev --flushbufs "${aspare%% *}"
			# shellcheck disable=SC2086 # device and options
			"$REMAPCTL" check $aspare > "$T/check" 2>&1 ||
				{ tail -4 "$T/check"; bad "8e: $what: A's metadata damaged"; }
		fi
		;;
	2) bad "8e: $what: refused without a message about the spare" ;;
	esac
	dmsetup remove r8a1 2>/dev/null && forget_dm r8a1
	return 0
}

item_8e() {
	log "8e: one spare area named through two block devices"
	local img disk p1 p2 mainA mainB lenA i
	img=$(mktemp "$T/disk.XXXXXX")
	truncate -s 16M "$img"
	# An MBR with two Linux partitions that overlap (the kernel's msdos
	# parser allows it): p1 sectors 2048-18431, p2 sectors 4096-20479.
	printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x08\x00\x00\x00\x40\x00\x00' |
		$DD of="$img" bs=1 seek=446 conv=notrunc status=none
	printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x10\x00\x00\x00\x40\x00\x00' |
		$DD of="$img" bs=1 seek=462 conv=notrunc status=none
	printf '\x55\xaa' | $DD of="$img" bs=1 seek=510 conv=notrunc status=none
	disk=$(losetup -f --show -P "$img")
	_loops+=("$disk")
	p1=${disk}p1 p2=${disk}p2
	for ((i = 0; i < 50; i++)); do
		[[ -b $p1 && -b $p2 ]] && break
		sleep 0.1
	done
	[[ -b $p1 && -b $p2 ]] || fail "8e: no $p1 and $p2 after losetup -P"
	expect_eq "p1 start" "$(cat "/sys/class/block/${p1#/dev/}/start")" 2048
	expect_eq "p2 start" "$(cat "/sys/class/block/${p2#/dev/}/start")" 4096
	mainA=$(new_loop 8)
	mainB=$(new_loop 8)
	lenA=$(sectors "$mainA")
	same_area "partition at 0, then its whole disk at 2048 (volatile)" \
		"0 $lenA remap $mainA 0 $p1 0 8192 3 unit_sectors $U volatile" \
		"0 $lenA remap $mainB 0 $disk 2048 8192 3 unit_sectors $U volatile"
	same_area "whole disk at 2048, then its partition at 0 (volatile)" \
		"0 $lenA remap $mainA 0 $disk 2048 8192 3 unit_sectors $U volatile" \
		"0 $lenA remap $mainB 0 $p1 0 8192 3 unit_sectors $U volatile"
	same_area "p1 at 2048 (persistent), then p2 at 0 (volatile): disk sector 4096 both" \
		"0 $lenA remap $mainA 0 $p1 2048 8192 2 unit_sectors $U" \
		"0 $lenA remap $mainB 0 $p2 0 8192 3 unit_sectors $U volatile" "$p1 --spare-start 2048"
	same_area "one device, spare areas at 0 and 8 (volatile)" \
		"0 $lenA remap $mainA 0 $p1 0 8192 3 unit_sectors $U volatile" \
		"0 $lenA remap $mainB 0 $p1 8 8192 3 unit_sectors $U volatile"
	item_end 8e
}

# ---------------------------------------------------------------------------
# vmalloc'ed kernel memory, KiB.
vmalloc_kb() { awk '$1 == "VmallocUsed:" {print $2}' /proc/meminfo; }
# Microseconds since the epoch.
now_us() { local t=${EPOCHREALTIME/./}; echo "${t#0}"; }
# SECONDS.TENTHS of a span of microseconds.
secs_of() { printf '%d.%d' $(($1 / 1000000)) $((($1 / 100000) % 10)); }

# zero_spare NAME SECTORS: a spare device of SECTORS whose first 64 MiB
# are a loop device and the rest dm-zero (reads zeroes, drops writes), for
# sizes whose metadata (as 40f29a8 formats it) would not fit in memory.
zero_spare() {
	local real
	real=$(new_loop 64)
	create_lines "$1" "0 131072 linear $real 0" "131072 $(($2 - 131072)) zero"
}

# small_area NAME SPARE SPARE_LEN: create a persistent table with
# spare_len SPARE_LEN at spare_start 0 of the device SPARE; it must be
# quick, use memory in proportion to spare_len, and work.
small_area() {
	local name=$1 spare=$2 slen=$3 ssec main len t0 us kb0 kb1 allow total
	local table
	ssec=$(sectors "$spare")
	main=$(new_loop 16)
	len=$(sectors "$main")
	table="0 $len remap $main 0 $spare 0 $slen 2 unit_sectors $U"
	$SECTAG write "$main" 0 "$len" 95 --direct
	kb0=$(vmalloc_kb)
	t0=$(now_us)
	if ! try_create "$name" "$table"; then
		bad "9: spare device of $ssec sectors, spare_len $slen: creation failed after $(secs_of $(($(now_us) - t0))) s"
		return
	fi
	us=$(($(now_us) - t0))
	kb1=$(vmalloc_kb)
	total=$(field_of "$name" spare)
	echo "spare device $ssec sectors, spare_len $slen: created in $(secs_of "$us") s, vmalloc +$((kb1 - kb0)) KiB, spare units ${total#*/}"
	((us < 30000000)) || bad "9: creation took $(secs_of "$us") s"
	# 8 bytes of slot table per spare unit of spare_len, twice over, and
	# 16 MiB for everything else.
	allow=$((2 * 8 * (slen / U) / 1024 + 16384))
	((kb1 - kb0 <= allow)) ||
		bad "9: creation took $((kb1 - kb0)) KiB of vmalloc memory, more than $allow for spare_len $slen"
	msg "$name" remap 800
	$SECTAG write "/dev/mapper/$name" 800 $U 96 --direct
	$SECTAG verify "/dev/mapper/$name" 0 800 95 --direct || bad "9: data 0-799"
	$SECTAG verify "/dev/mapper/$name" 800 $U 96 --direct || bad "9: remapped unit"
	dmsetup remove "$name" && forget_dm "$name"
	t0=$(now_us)
	try_create "$name" "$table" || { bad "9: re-create from the metadata failed"; return; }
	echo "re-created from the metadata in $(secs_of $(($(now_us) - t0))) s"
	$SECTAG verify "/dev/mapper/$name" 800 $U 96 --direct || bad "9: remapped unit after re-create"
	dmsetup remove "$name" && forget_dm "$name"
}

item_9() {
	log "9: a small spare area at the start of a huge spare device"
	# Sparse files on the guest's tmpfs: 2 TiB with 64 MiB of spare, and
	# 16 GiB with 256 MiB (at 40f29a8, whose slot table covers the
	# device to its end when that fits in spare_len: 32 MiB of memory
	# and 64 MiB of metadata for 65536 spare units).
	small_area r9a "$(new_loop $((2 << 20)))" $((64 << 11))
	small_area r9b "$(new_loop $((16 << 10)))" $((256 << 11))
	# 1 TiB, 4.5 GiB of spare: 40f29a8 formats 4 GiB of metadata, then
	# its 2 GiB slot table is beyond kvmalloc's INT_MAX.
	zero_spare z9c $((1 << 31))
	small_area r9c /dev/mapper/z9c $((9 << 20))
	item_end 9
}

# ---------------------------------------------------------------------------
items=(7 8a_length 8a_spare 8b 8c 8d 8e 9)
if [[ -n ${REMAP53_ITEMS:-} ]]; then
	read -r -a items <<<"$REMAP53_ITEMS"
fi
failed=()
for it in "${items[@]}"; do
	t0=$EPOCHSECONDS
	set +e
	(
		set -e
		T=$(mktemp -d /tmp/remap-test.XXXXXX)
		_loops=() _dms=()
		trap cleanup EXIT
		"item_$it"
	)
	rc=$?
	set -e
	echo "-- item $it: $((EPOCHSECONDS - t0)) s, $( ((rc == 0)) && echo ok || echo FAILED)"
	((rc == 0)) || failed+=("$it")
done
((${#failed[@]} == 0)) || fail "items failed: ${failed[*]}"
echo "reload regressions: ok"
