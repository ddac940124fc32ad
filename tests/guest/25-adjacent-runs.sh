#!/bin/bash
# A bio over a run of adjacent remapped units whose spare units are
# adjacent too (a scratched region imported at once) reaches the spare
# device as one piece, counted by the spare's and the main device's
# request and merge counters (/sys/block/*/stat); a bio across the run's edge is two
# pieces; two adjacent units whose spare units are not adjacent are two.
# The bytes are right in every case.
source "$(dirname "$0")/lib.sh"

U=8
main=$(new_loop 16)
spare=$(new_loop 4)
len=$(sectors "$main")
dm_create ra "0 $len remap $main 0 $spare 0 $(sectors "$spare") 3 unit_sectors $U volatile"
dev=/dev/mapper/ra
$SECTAG write $dev 0 "$len" 51 --direct

# reqs DEV: reads and writes the block device has completed, each plus
# the bios merged into them (a bio cut in pieces that the block layer
# merges again still counts every piece).
reqs() { awk '{print $1 + $2, $5 + $6}' "/sys/block/${1#/dev/}/stat"; }

# pieces WHAT WANT_MAIN WANT_SPARE CMD...: CMD's bios to each device.
pieces() {
	local what=$1 wm=$2 ws=$3 m0 s0 m1 s1 a b
	shift 3
	m0=$(reqs "$main") s0=$(reqs "$spare")
	"$@"
	m1=$(reqs "$main") s1=$(reqs "$spare")
	read -r a b <<<"$m0"; read -r c d <<<"$m1"
	local dm=$((c - a + d - b))
	read -r a b <<<"$s0"; read -r c d <<<"$s1"
	local ds=$((c - a + d - b))
	echo "$what: $dm bio(s) to main, $ds to spare"
	expect_eq "$what: bios to main" "$dm" "$wm"
	expect_eq "$what: bios to spare" "$ds" "$ws"
}

log "remap_many of a scratched region: units 1000-1063 (sectors 8000-8511)"
expect_eq "answer" "$(msg ra remap_many 8000+512)" "64 0"
msg ra list | awk 'NR > 1 && ($1 != pl + 8 || $2 != ps + 8) {bad = 1}
	{pl = $1; ps = $2} END {exit bad}' || fail "spare units of the run are not adjacent"

# read64k SECTOR / write64k SECTOR TAG: one 64 KiB direct I/O there.
read64k() { $DD if=$dev of=/dev/null bs=64k count=1 skip=$(($1 * 512)) iflag=direct,skip_bytes status=none; }
log "64 KiB bios inside the run: one piece each, to the spare"
pieces "read inside the run" 0 1 read64k 8000
# sectag syncs at the end (a flush to both devices): dd writes the tags.
truncate -s $((len * 512)) "$T/tags"
$SECTAG write "$T/tags" 8128 128 52
pieces "write inside the run" 0 1 $DD if="$T/tags" of=$dev bs=64k count=1 \
	skip=$((8128 * 512)) seek=$((8128 * 512)) iflag=skip_bytes \
	oflag=direct,seek_bytes conv=notrunc status=none
$SECTAG verify $dev 8128 128 52 --direct || fail "data written over the run"
$SECTAG verify $dev 8000 128 51 --direct || fail "data of the run"
log "across the run's start and end: two pieces"
pieces "read across the start" 1 1 read64k 7936
pieces "read across the end" 1 1 read64k 8448
log "two adjacent units with spare units in the other order: two pieces"
msg ra remap 24008
msg ra remap 24000
pieces "read of units 3000-3001" 0 2 $DD if=$dev of=/dev/null bs=8k count=1 \
	skip=$((24000 * 512)) iflag=direct,skip_bytes status=none
$SECTAG verify $dev 0 8128 51 --direct || fail "data before"
$SECTAG verify $dev 8256 $((len - 8256)) 51 --direct || fail "data after"
echo "adjacent runs: ok"
