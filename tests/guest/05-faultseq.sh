#!/bin/bash
# needs: none
# timeout: 300
# The test-only faultseq target (tests/kmod/dm-faultseq.c, lib-faultseq.sh)
# counts exactly: pass-through by default; a rule lets SKIP matching bios
# through, fails the next TIMES and lets the rest through; only bios of its
# class that touch its range match; each status name gives its errno; drop
# leaves the disk as it was, land writes and still fails; flushes and
# discards are their own classes; concurrent bios are counted once each;
# clear and a reload start again; bad messages are refused.  Does not need
# dm_remap.ko.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-faultseq.sh"

loop=$(new_loop 1)
faultseq_dev fs "$loop"
dev=/dev/mapper/fs
len=$(sectors "$loop")

# wr SECTOR BYTE: one 512-byte O_DIRECT write of BYTE repeated; its status.
wr() {
	printf "%512s" "" | tr ' ' "$2" |
		$DD of=$dev bs=512 seek="$1" count=1 oflag=direct status=none 2>"$T/err"
}
# on_disk SECTOR: the first byte of that sector on the loop device.
on_disk() { $DD if="$loop" bs=512 skip="$1" count=1 iflag=direct status=none | head -c 1; }
# errmsg: the reason of the last failed dd.
errmsg() { sed -n "s/^[^ ]*dd: [^:]*: //p" "$T/err" | tail -n 1; }

log "table and pass-through"
expect_eq "table" "$(dmsetup table fs)" "0 $len faultseq $(lsblk -dno MAJ:MIN "$loop" | tr -d ' ') 0"
head -c $((len * 512)) /dev/urandom > "$T/pattern"
$DD if="$T/pattern" of=$dev bs=64k oflag=direct status=none
cmp "$T/pattern" "$loop" || fail "data written through faultseq differs on the device"
cmp <($DD if=$dev bs=64k iflag=direct status=none) "$T/pattern" || fail "read back through faultseq"
read -r p f n <<<"$(dmsetup status fs | cut -d' ' -f4-)"
expect_eq "no rule, nothing failed" "$f $n" "0 0"
((p > 0)) || fail "no bio counted as passed"

log "skip 2, fail 3, then pass again"
faultseq_clear fs
expect_eq "status after clear" "$(dmsetup status fs | cut -d' ' -f4-)" "0 0 0"
expect_eq "rule id" "$(faultseq_fail fs write 100 8 2 3)" 0
results=
for i in 1 2 3 4 5 6; do
	if wr 100 "$i"; then results+=ok; else results+=E; fi
	results+=" "
done
expect_eq "write outcomes" "$results" "ok ok E E E ok "
faultseq_expect fs 0 3 3
expect_eq "failed writes did not land (drop)" "$(on_disk 100)" 6
wr 99 a || fail "sector 99 is outside the rule"
wr 108 a || fail "sector 108 is outside the rule"
$DD if=/dev/zero of=$dev bs=512 seek=200 count=8 oflag=direct status=none || fail "write elsewhere"
$DD if=$dev of=/dev/null bs=512 skip=100 count=8 iflag=direct status=none || fail "a read of the range is not a write"
faultseq_expect fs 0 3 3
log "a bio that overlaps the range by one sector matches"
$DD if=/dev/zero of=$dev bs=512 seek=93 count=8 oflag=direct status=none || fail "overlapping write (times used up)"
$DD if=/dev/zero of=$dev bs=512 seek=107 count=8 oflag=direct status=none || fail "overlapping write (times used up)"
faultseq_expect fs 0 5 3
expect_eq "bios failed in all" "$(faultseq_totals fs | cut -d' ' -f2)" 3

log "each status gives its errno"
faultseq_clear fs
declare -A want=(
	[ioerr]="Input/output error" [medium]="No data available"
	[target]="Remote I/O error" [nospc]="No space left on device"
	[notsupp]="Operation not supported"
	[protection]="Invalid or incomplete multibyte or wide character"
	[transport]="Link has been severed")
id=0
for st in ioerr medium target nospc notsupp protection transport; do
	expect_eq "rule id" "$(faultseq_fail fs write 300 1 0 1 "$st")" $id
	wr 300 x && fail "$st: the write succeeded"
	expect_eq "$st: errno" "$(errmsg)" "${want[$st]}"
	wr 300 y || fail "$st: the rule fails only once"
	id=$((id + 1))
done
for ((i = 0; i < id; i++)); do
	# Rule i saw the two writes of its own turn and two of each later one.
	faultseq_expect fs $i $((1 + 2 * (id - 1 - i))) 1
done
log "reads fail too, for ever with times -1"
faultseq_clear fs
faultseq_fail fs read 400 1 0 -1 medium >/dev/null
for i in 1 2 3; do
	$DD if=$dev of=/dev/null bs=512 skip=400 count=1 iflag=direct status=none 2>"$T/err" &&
		fail "read $i of a failing sector succeeded"
	expect_eq "read $i errno" "$(errmsg)" "No data available"
done
wr 400 r || fail "a write is not a read"
faultseq_expect fs 0 0 3

log "land: the write reaches the disk and still fails"
faultseq_clear fs
wr 500 o || fail "write before the rule"
faultseq_fail fs write 500 1 0 1 ioerr land >/dev/null
wr 500 n && fail "land: the write succeeded"
expect_eq "land: the data is on the disk" "$(on_disk 500)" n
faultseq_fail fs write 501 1 0 1 ioerr drop >/dev/null
wr 501 n && fail "drop: the write succeeded"
expect_eq "drop: the data is not on the disk" "$(on_disk 501)" "$(head -c $((501 * 512 + 1)) "$T/pattern" | tail -c 1)"
faultseq_expect fs 0 0 1
faultseq_expect fs 1 0 1

log "flushes are a class of their own"
faultseq_clear fs
faultseq_watch fs write 0 "$len" >/dev/null
faultseq_fail fs flush 0 0 1 2 >/dev/null
for r in ok E E ok; do
	if sync "$dev" 2>"$T/err"; then got=ok; else got=E; fi
	expect_eq "fsync outcome" "$got" "$r"
done
faultseq_expect fs 0 0 0
faultseq_expect fs 1 2 2
wr 600 f || fail "a write is not a flush"
faultseq_expect fs 0 1 0
faultseq_expect fs 1 2 2

log "discards are a class of their own"
faultseq_clear fs
# (not notsupp: blkdev_issue_discard reports EOPNOTSUPP as success)
faultseq_fail fs discard 1024 8 0 1 >/dev/null
faultseq_watch fs write 1024 8 >/dev/null
blkdiscard -o $((1024 * 512)) -l 4096 $dev 2>"$T/err" && fail "the first discard succeeded"
grep -q "Input/output error" "$T/err" || { cat "$T/err"; fail "discard: wrong error"; }
blkdiscard -o $((1024 * 512)) -l 4096 $dev || fail "the second discard failed"
blkdiscard -o $((2048 * 512)) -l 4096 $dev || fail "a discard outside the range failed"
faultseq_expect fs 0 1 1
faultseq_expect fs 1 0 0
expect_eq "the discarded sectors read as zeroes" \
	"$($DD if=$dev bs=512 skip=1024 count=8 iflag=direct status=none | tr -d '\0' | wc -c)" 0

log "concurrent writers: every bio counted once"
faultseq_clear fs
faultseq_fail fs write 0 "$len" 10 25 >/dev/null
faultseq_watch fs rw 0 "$len" >/dev/null
for j in 0 1 2 3; do
	(
		fails=0
		for i in $(seq 0 14); do
			wr $((j * 64 + i)) c || fails=$((fails + 1))
		done
		echo $fails > "$T/fails.$j"
	) &
done
wait
expect_eq "failed writes seen by the writers" "$(cat "$T"/fails.* | awk '{n += $1} END {print n}')" 25
faultseq_expect fs 0 35 25
faultseq_expect fs 1 60 0
expect_eq "totals" "$(faultseq_totals fs)" "35 25"

log "rules message"
msg fs rules > "$T/rules"
cat "$T/rules"
expect_eq "rules" "$(head -n 1 "$T/rules")" "0 write 0 $len 10 25 ioerr drop 35 25"
expect_eq "rules" "$(sed -n 2p "$T/rules")" "1 read+write 0 $len 0 0 ioerr drop 60 0"

log "a reload starts with no rules"
dmsetup reload fs --table "0 $len faultseq $loop 0"
dmsetup resume fs
expect_eq "status after reload" "$(dmsetup status fs | cut -d' ' -f4-)" "0 0 0"

log "bad messages are refused"
for m in "fail bogus 0 8 0 1" "fail write 0 0 0 1" "fail write 0 8 0 -2" \
	"fail write 0 8 0 1 weird" "fail write 0 8 0 1 ioerr maybe" "fail write x 8 0 1" \
	"fail write+ 0 8 0 1" "fail write 18446744073709551615 2 0 1" "count write 0" "frobnicate"; do
	# shellcheck disable=SC2086
	msg fs $m 2>/dev/null && fail "accepted: $m"
done
expect_eq "nothing added" "$(dmsetup status fs | awk '{print $6}')" 0
expect_refused "table without offset" "Invalid argument count" \
	dmsetup create fs-bad --table "0 $len faultseq $loop"

log "unload"
dmsetup remove fs && forget_dm fs
rmmod dm_faultseq || fail "rmmod dm_faultseq"
faultseq_load
echo "faultseq OK"
