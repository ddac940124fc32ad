#!/bin/bash
# Data integrity: every unit's bytes are where the remap table says.
#
# Devices with 4 KiB sectors (unit = 8 sectors).  Every sector is tagged
# with its logical number (tests/tools/sectag.c), so reading the main and
# spare devices directly shows which logical sector's bytes sit there.
source "$(dirname "$0")/lib.sh"

main=$(new_loop 16 --sector-size 4096)
spare=$(new_loop 2 --sector-size 4096)
len=$(sectors "$main")
U=8
dm_create ri "0 $len remap $main 0 $spare 0 $(sectors "$spare")"
dev=/dev/mapper/ri
expect_eq "unit size from the physical block size" "$(field_of ri unit_sectors)" $U

log "tag 1 on every sector, nothing remapped"
$SECTAG write $dev 0 "$len" 1 --direct
$SECTAG verify "$main" 0 "$len" 1 --direct

# Units: first, last, three neighbours, two around a gap that a 64 KiB bio
# will straddle, and a range.
last=$((len / U - 1))
units=(0 "$last" 100 101 102 200 202 300 301 302 303)
log "remap units ${units[*]} (data moves with them)"
for u in "${units[@]:0:7}"; do msg ri remap $((u * U + 3)); done
msg ri remap $((300 * U)) $((4 * U))
expect_eq "remapped units" "$(field_of ri remapped_units)" 11
$SECTAG verify $dev 0 "$len" 1 --direct

# check_layout TAG_REMAPPED_ON_SPARE TAG_MAIN_OF_REMAPPED TAG_PLAIN: for
# every remapped unit, the spare holds its logical sectors (tag given);
# for every plain unit the main device does.
check_layout() {
	local spare_tag=$1 main_tag=$2 plain_tag=$3 l s n prev=0
	while read -r l s n; do
		$SECTAG verify "$spare" "$s" "$n" "$spare_tag" "$l" --direct ||
			fail "unit at $l: spare sector $s does not hold it"
		if ((l > prev)); then
			$SECTAG verify "$main" "$prev" $((l - prev)) "$plain_tag" --direct ||
				fail "plain sectors $prev..$((l - 1)) not on main"
		fi
		if [[ $main_tag != - ]]; then
			$SECTAG verify "$main" "$l" "$n" "$main_tag" --direct ||
				fail "main copy of remapped unit $l"
		fi
		prev=$((l + n))
	done < <(msg ri list)
	if ((prev < len)); then
		$SECTAG verify "$main" "$prev" $((len - prev)) "$plain_tag" --direct
	fi
}

log "layout after remap: spare holds the copied data"
check_layout 1 1 1

log "tag 2 through the target in 64 KiB bios (straddling remapped units)"
$SECTAG write $dev 0 "$len" 2 --direct --bs 65536
$SECTAG verify $dev 0 "$len" 2 --direct
log "writes to remapped units went to the spare, main keeps the old bytes"
check_layout 2 1 2

log "buffered I/O too: tag 3 with the page cache, then read back direct"
$SECTAG write $dev 0 "$len" 3 --bs 12288
blockdev --flushbufs $dev
$SECTAG verify $dev 0 "$len" 3 --direct
check_layout 3 1 3

log "unremap 100 and 300-303: their data moves back to main"
msg ri unremap $((100 * U))
msg ri unremap $((300 * U)) $((4 * U))
expect_eq "remapped units" "$(field_of ri remapped_units)" 6
$SECTAG verify "$main" $((100 * U)) $U 3 --direct
$SECTAG verify "$main" $((300 * U)) $((4 * U)) 3 --direct
$SECTAG verify $dev 0 "$len" 3 --direct
check_layout 3 1 3

log "clear: everything back on main"
msg ri clear
expect_eq "remapped units" "$(field_of ri remapped_units)" 0
$SECTAG verify "$main" 0 "$len" 3 --direct
$SECTAG verify $dev 0 "$len" 3 --direct
echo "integrity: ok"
