#!/bin/bash
# Discard and write-zeroes across remapped units: split like any bio, so the
# spare units of remapped sectors are discarded/zeroed too, and the
# sectors around the range keep their data.
source "$(dirname "$0")/lib.sh"

main=$(new_loop 16)
spare=$(new_loop 4)
len=$(sectors "$main")
dm_create rd "0 $len remap $main 0 $spare 0 $(sectors "$spare") 2 unit_sectors 8"
dev=/dev/mapper/rd
dm=dm-$(dmsetup info -c --noheadings -o minor rd | tr -d " ")
expect_eq "discard supported" "$(awk "{print (\$1 > 0)}" /sys/block/$dm/queue/discard_max_bytes)" 1
$SECTAG write $dev 0 "$len" 6 --direct
msg rd remap 800 64
msg rd remap 2000
msg rd remap 5000 24

zero_check() { # zero_check START NR: those sectors read as zeroes
	local got
	got=$($DD if=$dev bs=512 skip="$1" count="$2" iflag=direct status=none | tr -d '\0' | wc -c)
	expect_eq "sectors $1+$2 are zero" "$got" 0
}

log "blkdiscard over plain and remapped units"
blkdiscard -o $((780 * 512)) -l $((1300 * 512)) $dev
zero_check 780 1300
$SECTAG verify $dev 0 780 6 --direct
$SECTAG verify $dev 2080 $((4990 - 2080)) 6 --direct
log "the spare units of the remapped sectors were discarded too"
while read -r l s n; do
	if ((l >= 780 && l < 2080)); then
		got=$($DD if="$spare" bs=512 skip="$s" count="$n" iflag=direct status=none | tr -d '\0' | wc -c)
		expect_eq "spare unit of $l discarded" "$got" 0
	fi
done < <(msg rd list)

log "write-zeroes (blkdiscard -z) across remapped units"
blkdiscard -z -o $((4990 * 512)) -l $((60 * 512)) $dev
zero_check 4990 60
$SECTAG verify $dev 5050 $((len - 5050)) 6 --direct
$SECTAG verify $dev 2080 $((4990 - 2080)) 6 --direct
echo "discard: ok"
