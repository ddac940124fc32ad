#!/bin/bash
# A flush after a write to a remapped unit reaches the spare device, after
# that write.  The spare sits on dm-log-writes, which records every write
# and flush it sees, in order; the log is read back and checked.
source "$(dirname "$0")/lib.sh"
modprobe dm-log-writes

main=$(new_loop 16)
spare=$(new_loop 4)
logdev=$(new_loop 64)
len=$(sectors "$main")
dm_create lw "0 8192 log-writes $spare $logdev"
dm_create rf "0 $len remap $main 0 /dev/mapper/lw 0 8192 2 unit_sectors 8"
dev=/dev/mapper/rf

msg rf remap 800			# unit 100 -> a spare unit of 8 sectors
ss=$(msg rf list | awk '$1 == 800 {print $2}')
dmsetup message lw 0 mark before
$SECTAG write $dev 800 8 5 --direct	# to the spare (sectag fsyncs: flush)
dmsetup message lw 0 mark middle
$DD if=/dev/urandom of=$dev bs=4096 count=1 seek=400 oflag=direct status=none
sync $dev				# fsync of the block device: a flush
dmsetup message lw 0 mark after
dmsetup remove rf
forget_dm rf
dmsetup remove lw			# completes the log
forget_dm lw

# One line per log entry: "<index> <sector> <nr_sectors> <flags> <mark>".
python3 - "$logdev" > "$T/log" <<'EOF'
import struct, sys
f = open(sys.argv[1], 'rb')
magic, version, nr, ss = struct.unpack('<QQQI', f.read(28))
assert magic == 0x6a736677736872, 'not a dm-log-writes log'
pos = ss
for i in range(nr):
    f.seek(pos)
    block = f.read(ss)
    sector, nsec, flags, dlen = struct.unpack('<QQQQ', block[:32])
    # A mark's name is inline after the entry; write data follows it.
    mark = block[32:32 + dlen].decode() if flags & 8 else '-'
    pos += ss
    if not flags & 4:
        pos += nsec * ss
    print(i, sector, nsec, flags, mark)
EOF
cat "$T/log"

idx() { awk -v m="$1" '$5 == m {print $1}' "$T/log"; }
before=$(idx before) middle=$(idx middle) after=$(idx after)
[[ -n $before && -n $middle && -n $after ]] || fail "marks missing from the log"

# Between "before" and "middle": the write to the spare unit, then a flush.
w=$(awk -v a="$before" -v b="$middle" -v s="$ss" '$1 > a && $1 < b && $2 == s && $3 == 8 && $4 % 2 == 0 {print $1; exit}' "$T/log")
[[ -n $w ]] || fail "the write to the remapped unit never reached the spare"
f=$(awk -v a="$w" -v b="$middle" '$1 > a && $1 < b && $4 % 2 == 1 {print $1; exit}' "$T/log")
[[ -n $f ]] || fail "no flush reached the spare after the write to the remapped unit"
log "write to the remapped unit: log entry $w, flush after it: entry $f"

# Between "middle" and "after": only main was written, yet the flush
# reaches the spare as well (a flush goes to both devices).
f2=$(awk -v a="$middle" -v b="$after" '$1 > a && $1 < b && $4 % 2 == 1 {print $1; exit}' "$T/log")
[[ -n $f2 ]] || fail "a flush of the device did not reach the spare"
log "flush after a write to main only: reached the spare as entry $f2"
echo "flush: ok"
