#!/bin/bash
# fio with verify=crc32c while remap/unremap messages arrive, then while
# the device is suspended, resumed and reloaded; then rmmod and insmod.
# Every acknowledged write must read back intact: zero verify errors.
source "$(dirname "$0")/lib.sh"

main=$(new_loop 64)
spare=$(new_loop 16)
len=$(sectors "$main")

# run_fio NAME DEV SIZE EXTRA...: random writes, each block verified soon
# after (verify_backlog) and all of them again at the end.
run_fio() {
	local name=$1 dev=$2 size=$3
	shift 3
	fio --name="$name" --filename="$dev" --direct=1 --ioengine=libaio \
		--iodepth=8 --rw=randwrite --bsrange=512-64k \
		--size="$size" --verify=crc32c --verify_backlog=64 \
		--verify_fatal=1 --do_verify=1 --randrepeat=0 \
		--output="$T/$name.log" "$@"
}

fio_ok() {
	if grep -qiE 'verify: bad|crc32c: verify failed|bad magic' "$T/$1.log"; then
		cat "$T/$1.log"
		fail "fio $1 reported verify errors"
	fi
}

# churn DEV_NAME UNIT LEN: remap and unremap random sectors until stopped;
# writes the number of successful messages to $T/churn.
churn() {
	local name=$1 len=$2 ops=0 s
	while [[ ! -e $T/stop ]]; do
		s=$(((RANDOM * 32768 + RANDOM) % len))
		msg "$name" remap "$s" 2>/dev/null && ops=$((ops + 1))
		if ((RANDOM % 3 == 0)); then
			s=$(msg "$name" list | shuf -n 1 | cut -d' ' -f1)
			[[ -n $s ]] && msg "$name" unremap "$s" && ops=$((ops + 1))
		fi
	done
	echo "$ops" > "$T/churn"
}

log "phase 1: 512-byte units, fio verify while remaps come and go"
dm_create rv "0 $len remap $main 0 $spare 0 32768"
rm -f "$T/stop"
churn rv "$len" &
cpid=$!
run_fio p1 /dev/mapper/rv 48M || { cat "$T/p1.log"; fail "fio phase 1 failed"; }
touch "$T/stop"
wait $cpid
fio_ok p1
ops=$(cat "$T/churn")
log "phase 1: $ops remap/unremap messages during fio, $(field_of rv remapped_units) units remapped at the end"
((ops >= 10)) || fail "only $ops messages went through during fio"
dmsetup remove rv
forget_dm rv
# A new metadata area for phase 2, which uses another unit size.
$DD if=/dev/zero of="$spare" bs=4096 count=2 oflag=direct status=none

log "phase 2: 4 KiB units, suspend/resume and reloads under fio"
dm_create rs "0 $len remap $main 0 $spare 0 16384 2 unit_sectors 8"
msg rs remap 0 $((64 * 8))
first=$(msg rs list | head -1)
run_fio p2 /dev/mapper/rs 48M &
fpid=$!
cycles=0
spare_len=16384
while kill -0 $fpid 2>/dev/null; do
	dmsetup suspend rs
	dmsetup resume rs
	spare_len=$((spare_len < 32768 ? spare_len + 8 : spare_len))
	dmsetup reload rs --table "0 $len remap $main 0 $spare 0 $spare_len 2 unit_sectors 8"
	dmsetup resume rs
	msg rs remap $(((RANDOM * 32768 + RANDOM) % len)) 2>/dev/null || true
	cycles=$((cycles + 1))
done
wait $fpid || { cat "$T/p2.log"; fail "fio phase 2 failed"; }
fio_ok p2
log "phase 2: $cycles suspend/resume + reload cycles; spare now $(field_of rs spare)"
((cycles >= 3)) || fail "only $cycles cycles ran during fio"
expect_eq "remaps survive reloads" "$(msg rs list | head -1)" "$first"
table="0 $len remap $main 0 $spare 0 $spare_len 2 unit_sectors 8"
before=$(msg rs list)

log "phase 3: rmmod refused while in use, then rmmod and insmod"
if rmmod dm_remap 2>/dev/null; then fail "rmmod succeeded with a device in use"; fi
dmsetup remove rs
forget_dm rs
rmmod dm_remap
[[ ! -e /sys/kernel/debug/dm_remap ]] || fail "debugfs dir left after rmmod"
insmod "${DM_REMAP_KO:-$REPO/dm_remap.ko}"
log "the remaps come back from the spare's metadata after insmod"
dm_create rs2 "$table"
expect_eq "list after rmmod/insmod" "$(msg rs2 list)" "$before"
expect_eq "debugfs after insmod" "$(wc -l < /sys/kernel/debug/dm_remap/remap_table)" "$(wc -l <<< "$before")"
run_fio p3 /dev/mapper/rs2 8M || fail "fio after insmod failed"
fio_ok p3
echo "fio concurrent: ok"
