#!/bin/bash
# remapctl import --zero-fill ("remap_many zero_fill ..."): units the caller
# knows are unreadable are not copied from the main device; their spare
# units are zero-filled, their sectors counted in lost_sectors and logged.
# On a volatile and on a persistent table: the zero-filled units read
# zeroes, a unit remapped before keeps its bytes (skipped), the neighbours
# and every other unit keep theirs, the main device is not written, and the
# persistent table brings back the remaps, the zeroes, new writes and the
# counter after remove and create.
source "$(dirname "$0")/lib.sh"

RC=$REPO/tools/remapctl/remapctl
[[ -x $RC ]] || fail "$RC not built (make tools)"
U=8

# zero_check DEV START NR: those sectors of DEV read zeroes.
zero_check() {
	cmp <($DD if="$1" bs=512 skip="$2" count="$3" iflag=direct status=none) \
	    <(head -c $(($3 * 512)) /dev/zero) ||
		fail "sectors $2+$3 of $1 are not zeroes"
}

# tags_except DEV TAG: every sector of the dm device carries TAG except
# the zero-filled units 101, 102, 500 and the last one.
tags_except() {
	local dev=$1 tag=$2 last=$(($3 - U))
	$SECTAG verify "$dev" 0 808 "$tag" --direct || fail "sectors 0-807 (unit 100 kept)"
	$SECTAG verify "$dev" 824 $((4000 - 824)) "$tag" --direct || fail "sectors 824-3999"
	$SECTAG verify "$dev" 4008 $((last - 4008)) "$tag" --direct || fail "sectors 4008-$((last - 1))"
}

one_mode() {
	local mode=$1 feat=$2 name=rz$1 main spare len slen table out lost0 mark dev
	main=$(new_loop 16)	# 32768 sectors, 4096 units of 8
	spare=$(new_loop 4)
	len=$(sectors "$main")
	slen=$(sectors "$spare")
	table="0 $len remap $main 0 $spare 0 $slen $feat"
	dev=/dev/mapper/$name
	dm_create "$name" "$table"
	$SECTAG write "$dev" 0 "$len" 41 --direct

	log "$mode: unit 100 remapped (copied) first"
	msg "$name" remap 800
	lost0=$(field_of "$name" lost_sectors)

	log "$mode: --zero-fill of units 100 (skipped), 101-102 (a run), 500 and the last"
	printf '800\n808\n816\n823\n4000\n%s\n' $((len - 1)) > "$T/list"
	mark=$(kmsg_mark)
	out=$("$RC" import "$name" --sectors --zero-fill "$T/list") ||
		fail "$mode: import --zero-fill: $out"
	echo "$out"
	[[ $out == *"remapped 4 (zero-filled, counted as lost), skipped 1 "* ]] ||
		fail "$mode: want remapped 4, skipped 1: $out"
	kmsg_since "$mark" | grep -F -e zero -e unreadable || true
	expect_eq "$mode: lost_sectors grew by 4 units" \
		"$(field_of "$name" lost_sectors)" $((lost0 + 4 * U))
	expect_eq "$mode: remapped" "$(field_of "$name" remapped_units)" 5
	expect_eq "$mode: list" "$(msg "$name" list | awk '{printf "%s ", $1}')" \
		"800 808 816 4000 $((len - U)) "
	kmsg_since "$mark" | grep -qF "sectors 808-823 unreadable; replaced by zeroes" ||
		fail "$mode: the run 808-823 is not in the kernel log"
	kmsg_since "$mark" | grep -qF "sectors 4000-4007 unreadable; replaced by zeroes" ||
		fail "$mode: unit 500 is not in the kernel log"
	kmsg_since "$mark" | grep -qF "remap_many zero_fill: 4 units zero-filled" ||
		fail "$mode: no summary line in the kernel log"

	zero_check "$dev" 808 16
	zero_check "$dev" 4000 8
	zero_check "$dev" $((len - U)) $U
	tags_except "$dev" 41 "$len"
	log "$mode: the main device was not written (it still holds the old bytes)"
	$SECTAG verify "$main" 808 16 41 --direct || fail "$mode: main written"
	$SECTAG verify "$main" 4000 8 41 --direct || fail "$mode: main written"

	log "$mode: a zero-filled unit takes new data"
	$SECTAG write "$dev" 4000 8 42 --direct
	$SECTAG verify "$dev" 4000 8 42 --direct || fail "$mode: new data in unit 500"

	log "$mode: refusals change nothing"
	expect_refused "$mode: zero_fill without extents" \
		"Usage: remap_many [zero_fill] <sector>[+<nr_sectors>]..." \
		msg "$name" remap_many zero_fill
	expect_refused "$mode: zero_fill after an extent" \
		"Invalid extent (want <sector>[+<nr_sectors>])" \
		msg "$name" remap_many 1600 zero_fill
	expect_eq "$mode: remapped after refusals" "$(field_of "$name" remapped_units)" 5
	expect_eq "$mode: an extent of remapped units only" \
		"$(msg "$name" remap_many zero_fill 800+24)" "0 3"
	expect_eq "$mode: lost_sectors unchanged" \
		"$(field_of "$name" lost_sectors)" $((lost0 + 4 * U))

	[[ $mode == persistent ]] || return 0
	log "$mode: remove and create: remaps, zeroes, data and lost_sectors are back"
	local l1
	l1=$(msg "$name" list)
	dmsetup remove "$name"
	forget_dm "$name"
	dm_create "$name" "$table"
	expect_eq "$mode: list after re-create" "$(msg "$name" list)" "$l1"
	expect_eq "$mode: lost_sectors after re-create" \
		"$(field_of "$name" lost_sectors)" $((lost0 + 4 * U))
	zero_check "$dev" 808 16
	zero_check "$dev" $((len - U)) $U
	$SECTAG verify "$dev" 4000 8 42 --direct || fail "$mode: unit 500 after re-create"
	$SECTAG verify "$dev" 0 808 41 --direct || fail "$mode: sectors 0-807 after re-create"
	$SECTAG verify "$dev" 824 $((4000 - 824)) 41 --direct || fail "$mode: 824-3999 after re-create"
	$SECTAG verify "$dev" 4008 $((len - U - 4008)) 41 --direct ||
		fail "$mode: 4008- after re-create"
}

one_mode volatile "3 unit_sectors 8 volatile"
one_mode persistent "2 unit_sectors 8"
echo "import --zero-fill: ok"
