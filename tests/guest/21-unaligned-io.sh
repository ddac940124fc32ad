#!/bin/bash
# I/O of 512 B to 1 MiB at offsets that are not unit aligned, across the
# boundaries of remapped units, direct and buffered, checked against a
# reference image that receives the same writes.
source "$(dirname "$0")/lib.sh"

main=$(new_loop 16)
spare=$(new_loop 4)
len=$(sectors "$main")
U=8			# 4 KiB units on 512-byte-sector devices
dm_create ru "0 $len remap $main 0 $spare 0 8192 2 unit_sectors $U"
dev=/dev/mapper/ru
ref=$T/ref.img
truncate -s $((len * 512)) "$ref"

log "remap a scatter of units and a run, around the offsets used below"
for u in 1 3 4 5 64 65 66 67 100 250 251 1000 1031 2048 3000 4095; do
	msg ru remap $((u * U))
done
msg ru remap $((500 * U)) $((40 * U))
expect_eq "remapped units" "$(field_of ru remapped_units)" 56

# write_at OFFSET_BYTES SIZE MODE: random bytes to the device and the ref.
write_at() {
	local off=$1 size=$2 mode=$3 flags=seek_bytes
	head -c "$size" /dev/urandom > "$T/chunk"
	[[ $mode == direct ]] && flags=seek_bytes,direct
	$DD if="$T/chunk" of=$dev bs="$size" count=1 seek="$off" \
		oflag=$flags conv=notrunc,fsync status=none
	$DD if="$T/chunk" of="$ref" bs="$size" count=1 seek="$off" \
		oflag=seek_bytes conv=notrunc status=none
}

# read_check OFFSET_BYTES SIZE MODE: the device reads like the ref.
read_check() {
	local off=$1 size=$2 mode=$3 flags=skip_bytes end
	if [[ $mode == direct ]]; then
		# Direct I/O needs whole sectors: widen to the sectors covered.
		end=$(((off + size + 511) / 512 * 512))
		off=$((off / 512 * 512))
		size=$((end - off))
		flags=skip_bytes,direct
	fi
	$DD if=$dev of="$T/got" bs="$size" count=1 skip="$off" iflag=$flags status=none
	$DD if="$ref" of="$T/want" bs="$size" count=1 skip="$off" iflag=skip_bytes status=none
	cmp -s "$T/got" "$T/want" ||
		fail "$mode read of $size bytes at $off differs from the reference"
}

sizes=(512 1024 3584 4096 4608 8704 65536 130560 524288 1048576)
# Starting points: just before, at and after remapped units, and a sector
# inside a unit, so every size crosses plain/remapped boundaries.
bases=($((1 * 4096 - 512)) $((64 * 4096 - 1024)) $((500 * 4096 - 3072))
	$((1031 * 4096 - 512)) $((4095 * 4096 - 1048576)))
n=0
for mode in direct buffered; do
	for base in "${bases[@]}"; do
		for size in "${sizes[@]}"; do
			off=$base
			# Buffered I/O may start anywhere, even mid-sector.
			[[ $mode == buffered ]] && off=$((base + 100))
			((off + size <= len * 512)) || off=$((len * 512 - size - 512))
			write_at "$off" "$size" "$mode"
			read_check "$off" "$size" direct
			read_check "$((off > 4096 ? off - 4096 : 0))" "$size" "$mode"
			n=$((n + 1))
		done
	done
done
log "$n writes, each read back twice"

log "whole device equals the reference, read direct and buffered"
blockdev --flushbufs $dev
cmp $dev "$ref" || fail "device differs from reference"
$DD if=$dev of="$T/all" bs=1M iflag=direct status=none
cmp "$T/all" "$ref" || fail "direct read of the device differs"

log "after unremapping everything the main device alone holds the data"
msg ru clear
blockdev --flushbufs "$main"
$DD if="$main" of="$T/main" bs=1M iflag=direct status=none
cmp "$T/main" "$ref" || fail "main device differs from reference after clear"
echo "unaligned I/O: ok"
