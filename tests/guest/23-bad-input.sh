#!/bin/bash
# Bad table lines and bad messages: each is refused with its own message in
# the kernel log, and the device they were aimed at does not change.
source "$(dirname "$0")/lib.sh"

main=$(new_loop 16)
spare=$(new_loop 4)
main4k=$(new_loop 16 --sector-size 4096)
spare4k=$(new_loop 4 --sector-size 4096)
len=$(sectors "$main")
good="0 $len remap $main 0 $spare 0 8192"
dm_create rb "$good"
dev=/dev/mapper/rb
$SECTAG write $dev 0 "$len" 9 --direct
msg rb remap 100
msg rb remap 4000 8

snapshot() {
	{ dmsetup table rb; dmsetup status rb; msg rb list
	  dmsetup info rb | grep -E 'State|Tables present'; } > "$1"
}
snapshot "$T/before"

# bad_table EXPECTED_MESSAGE TABLE: a reload of rb with TABLE is refused.
n=0
bad_table() {
	expect_refused "table: $2" "$1" dmsetup reload rb --table "$2"
	n=$((n + 1))
}
bad_table "Not enough arguments" "0 $len remap $main 0 $spare 0"
bad_table "Not enough arguments" "0 $len remap"
bad_table "Invalid main_start" "0 $len remap $main abc $spare 0 8192"
bad_table "Invalid main_start" "0 $len remap $main -1 $spare 0 8192"
bad_table "Invalid spare_start" "0 $len remap $main 0 $spare 0x10 8192"
bad_table "Invalid spare_len" "0 $len remap $main 0 $spare 0 12a"
bad_table "Invalid spare_len" "0 $len remap $main 0 $spare 0 18446744073709551616"
bad_table "Main device lookup failed" "0 $len remap /dev/nonexistent 0 $spare 0 8192"
bad_table "Spare device lookup failed" "0 $len remap $main 0 /dev/nonexistent 0 8192"
bad_table "Invalid number of feature arguments" "$good 3 unit_sectors 8"
bad_table "Invalid number of feature arguments" "$good x"
bad_table "Unrecognised feature argument" "$good 1 fast"
bad_table "Duplicate feature argument volatile" "$good 2 volatile volatile"
bad_table "unit_sectors must be a power of two" "$good 2 unit_sectors 3"
bad_table "unit_sectors must be a power of two" "$good 2 unit_sectors 4096"
bad_table "Duplicate feature argument unit_sectors" "$good 4 unit_sectors 8 unit_sectors 8"
bad_table "Missing value for feature unit_sectors" "$good 1 unit_sectors"
bad_table "Main device too small" "0 $((len + 8)) remap $main 0 $spare 0 8192"
bad_table "Main device too small" "0 $len remap $main 8 $spare 0 8192"
bad_table "Spare device too small" "0 $len remap $main 0 $spare 8 8192"
bad_table "Spare area smaller than one unit" "0 $len remap $main 0 $spare 0 4 2 unit_sectors 8"
bad_table "Spare area overlaps the target on the same device" "0 16384 remap $main 0 $main 8000 1000"
bad_table "Logical block sizes of main and spare devices differ" "0 $len remap $main 0 $spare4k 0 8192"
bad_table "Unit smaller than the logical block size" "0 $len remap $main4k 0 $spare4k 0 8192 2 unit_sectors 1"
bad_table "main_start not a multiple of the logical block size" "0 8192 remap $main4k 1 $spare4k 0 8192"
bad_table "Reload changes main device, main_start, unit size or persistence of a remapped device" "0 $len remap $main 0 $spare 0 8192 2 unit_sectors 8"
bad_table "Reload shortens the target below a remapped unit" "0 1024 remap $main 0 $spare 0 8192"
bad_table "Spare area too small for its metadata and one unit" "0 $len remap $main 0 $spare 0 4"
bad_table "Reload changes main device, main_start, unit size or persistence of a remapped device" "$good 1 volatile"

# bad_msg EXPECTED_MESSAGE ARGS...: dmsetup message rb 0 ARGS is refused.
bad_msg() {
	local text=$1
	shift
	expect_refused "message: $*" "$text" msg rb "$@"
	n=$((n + 1))
}
bad_msg "Unrecognised message" frobnicate
bad_msg "Usage: remap <sector> [<nr_sectors>]" remap
bad_msg "Usage: remap <sector> [<nr_sectors>]" remap 1 2 3
bad_msg "Usage: unremap <sector> [<nr_sectors>]" unremap
bad_msg "Invalid sector" remap abc
bad_msg "Invalid sector" remap -5
bad_msg "Invalid sector" remap 18446744073709551616
bad_msg "Invalid sector" remap 5x
bad_msg "Sector beyond end of device" remap "$len"
bad_msg "Number of sectors must not be zero" remap 0 0
bad_msg "Sector range beyond end of device" remap $((len - 1)) 2
bad_msg "Invalid number of sectors" remap 10 x
bad_msg "is not remapped" unremap 5
bad_msg "is not remapped" unremap 99 2
bad_msg "already remapped" remap 100
bad_msg "already remapped" remap 3990 20
bad_msg "Usage: clear (no arguments)" clear now
bad_msg "Usage: list (no arguments)" list all
log "$n bad inputs refused"

snapshot "$T/after"
diff "$T/before" "$T/after" || fail "a refused input changed the device"
$SECTAG verify $dev 0 "$len" 9 --direct
echo "bad input: ok"
