#!/bin/bash
# fio verify=crc32c over the whole device while sectors go bad every half
# second: every acknowledged write must read back intact.  The sectors
# that go bad fail writes and still read (lib-baddisk.sh's "wfail"), as a
# drive's failing sectors often do; a write to one is remapped with the
# rest of its unit carried over.  Sectors that fail reads too would lose
# data written before they failed, on any disk: 70-auto-remap.sh covers
# those.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"

U=8
mloop=$(new_loop 48)
sloop=$(new_loop 8)
bad_disk bm "$mloop"
len=$(sectors "$mloop")
dm_create rf "0 $len remap /dev/mapper/bm 0 $sloop 0 $(sectors "$sloop") 2 unit_sectors $U"

# inject: a new write-failing unit every half second until $T/stop exists.
inject() {
	local bad=() n=0 u
	while [[ ! -e $T/stop ]]; do
		sleep 0.5
		u=$(((RANDOM * 32768 + RANDOM) % (len / U)))
		printf '%s\n' "${bad[@]}" | grep -q "^$((u * U)) " && continue
		bad+=("$((u * U)) $U wfail")
		set_bad bm "${bad[@]}"
		n=$((n + 1))
	done
	echo "$n" > "$T/injected"
}

mark=$(kmsg_mark)
rm -f "$T/stop"
inject &
ipid=$!
fio --name=bad --filename=/dev/mapper/rf --direct=1 --ioengine=libaio \
	--iodepth=8 --rw=randwrite --bsrange=512-64k --size=$((len / 2048))M \
	--verify=crc32c --verify_backlog=64 --verify_fatal=1 --do_verify=1 \
	--loops=8 --randrepeat=0 --output="$T/fio.log" || { cat "$T/fio.log"; fail "fio failed"; }
touch "$T/stop"
wait $ipid
if grep -qiE 'verify: bad|crc32c: verify failed|bad magic|err= *[1-9]' "$T/fio.log"; then
	cat "$T/fio.log"
	fail "fio reported errors"
fi
injected=$(cat "$T/injected")
remapped=$(field_of rf remapped_units)
auto=$(field_of rf auto_remaps)
lost=$(field_of rf lost_sectors)
uncorr=$(field_of rf uncorrectable_reads)
logged=$(kmsg_since "$mark" | grep -c "$(devno rf): sectors [0-9]*-[0-9]* remapped to spare unit" || true)
log "$injected units went bad during fio; $auto automatic remaps, $lost sectors lost, $uncorr uncorrectable reads"
((injected >= 3)) || fail "only $injected bad units injected"
((auto >= 1)) || fail "no automatic remap during fio"
((auto <= injected)) || fail "$auto automatic remaps for $injected bad units"
expect_eq "remapped units" "$remapped" "$auto"
expect_eq "lost sectors" "$lost" 0
expect_eq "uncorrectable reads" "$uncorr" 0
# The message is rate limited: at least one, at most one per remap.
((logged >= 1 && logged <= auto)) || fail "$logged kernel log lines for $auto remaps"

log "the remap table survives re-creation and the data reads the same"
list=$(msg rf list)
sum=$($DD if=/dev/mapper/rf bs=1M iflag=direct status=none | md5sum)
dmsetup remove rf && forget_dm rf
dm_create rf "0 $len remap /dev/mapper/bm 0 $sloop 0 $(sectors "$sloop") 2 unit_sectors $U"
expect_eq "list after re-creation" "$(msg rf list)" "$list"
expect_eq "data after re-creation" "$($DD if=/dev/mapper/rf bs=1M iflag=direct status=none | md5sum)" "$sum"
