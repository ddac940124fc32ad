#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scrub-bench.sh - "make bench-scrub": what the scrubber costs and gives
# (issue 13, "Performance"), measured in one guest booted with -icount
# (virtual time follows the instructions executed, one vCPU: the ratios
# are measurements, not guesses; bench/README.md):
#   1. an unthrottled scrub (scrub_rate 0) of a null_blk main device
#      (no data), against dd of the same null_blk through dm-linear with
#      the scrubber's I/O size (128 KiB, O_DIRECT, one read in flight);
#   2. fio 4k randread at QD1 (psync) and QD32 (libaio) on the remap
#      device, with no scrub and with a scrub at the default rate (64
#      MiB/s), alternating, ROUNDS times each.
# Writes bench/results/scrub.md (and the raw numbers next to it).
#
# Env: KVER (guest kernel), ROUNDS (default 3), FIO_RUNTIME (s, default
# 2), NULLB_GB (size of the main device, default 32: the scrubber starts slow for 0.5 s, as if the device were busy, which a short pass would count).
set -euo pipefail
if [[ ${1:-} != --guest ]]; then
	cd "$(dirname "$0")/.."
	make -s module ${KVER:+KVER="$KVER"} >/dev/null
	work=$(mktemp -d /var/tmp/dm-remap-scrub-bench.XXXXXX)
	# The guest runs copies: the tree may change during a run.
	cp dm_remap.ko "$work/"
	cp bench/scrub-bench.sh "$work/"
	res=$(mktemp -d /tmp/dm-remap-scrub-bench-results.XXXXXX)
	SKIP_SETUP=1 tests/vm/vm-run.sh ${KVER:+--kver "$KVER"} --icount --timeout 3600 \
		--results "$res" --env "SB_WORK=$work" --env "ROUNDS=${ROUNDS:-3}" \
		--env "FIO_RUNTIME=${FIO_RUNTIME:-2}" --env "NULLB_GB=${NULLB_GB:-32}" \
		-- "$work/scrub-bench.sh" --guest
	mkdir -p bench/results
	cp "$res/out.tsv" bench/results/scrub.tsv
	{
		echo "# Scrub: cost and speed (make bench-scrub)"
		echo
		echo "One guest under -icount, kernel $(cat "$res/kver"), $(date -u +%Y-%m-%d); main device:"
		echo "null_blk without data, ${NULLB_GB:-32} GiB; volatile table.  Ratios compare runs"
		echo "of the same guest.  Raw numbers: scrub.tsv."
		echo
		cat "$res/out.md"
	} > bench/results/scrub.md
	cat bench/results/scrub.md
	rm -rf "$work" "$res"
	exit 0
fi

# ---- the guest ----
export DM_DISABLE_UDEV=1
W=${SB_WORK:?}		# inputs (read-only in the guest)
O=${VM_RESULTS:?}	# outputs
ROUNDS=${ROUNDS:-3}
RT=${FIO_RUNTIME:-2}
uname -r > "$O/kver"
modprobe dm-mod
insmod "$W/dm_remap.ko"
modprobe null_blk nr_devices=0
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
nullb() { # nullb NAME SIZE_MB
	local d=/sys/kernel/config/nullb/$1
	mkdir "$d"
	echo "$2" > "$d/size"
	echo 512 > "$d/blocksize"
	echo 1 > "$d/power"
}
nullb sbm $((${NULLB_GB:-32} * 1024))
nullb sbs 1024
len=$(blockdev --getsz /dev/sbm)
slen=$(blockdev --getsz /dev/sbs)
dmsetup create lin --table "0 $len linear /dev/sbm 0"
dmsetup create rs --table "0 $len remap /dev/sbm 0 /dev/sbs 0 $slen 3 volatile unit_sectors 8"
msg() { local n=$1; shift; dmsetup message "$n" 0 "$@"; }
stat_of() { msg "$1" stats | awk -v k="$2" '$1 == k {print $2}'; }
now() { date +%s.%N; }
rate() { awk -v b="$1" -v a="$2" -v c="$3" 'BEGIN { printf "%.1f", b / 1048576 / (c - a) }'; }
: > "$O/out.tsv"

# 1. unthrottled scrub against dd through dm-linear, 128 KiB reads.
bytes=$((len * 512))
for ((r = 1; r <= ROUNDS; r++)); do
	t0=$(now)
	/usr/bin/dd if=/dev/mapper/lin of=/dev/null bs=128k iflag=direct status=none
	t1=$(now)
	dd_mb=$(rate "$bytes" "$t0" "$t1")
	msg rs scrub_rate 0
	t0=$(now)
	msg rs scrub start
	while [[ $(stat_of rs scrub_state) != idle ]]; do sleep 0.2; done
	t1=$(now)
	sc_mb=$(rate "$bytes" "$t0" "$t1")
	printf 'read\t%d\tdd_linear_MiBps\t%s\tscrub_MiBps\t%s\n' "$r" "$dd_mb" "$sc_mb" >> "$O/out.tsv"
done

# 2. fio with and without a scrub at the default rate.
fio_iops() { # fio_iops QD
	local eng=psync
	(($1 > 1)) && eng=libaio
	fio --name=r --filename=/dev/mapper/rs --rw=randread --bs=4k --direct=1 \
		--ioengine=$eng --iodepth="$1" --runtime="$RT" --time_based \
		--norandommap --randrepeat=0 --output-format=json 2>/dev/null |
		python3 -c 'import json,sys; print("%.0f" % json.load(sys.stdin)["jobs"][0]["read"]["iops"])'
}
msg rs scrub_rate 65536
for qd in 1 32; do
	for ((r = 1; r <= ROUNDS; r++)); do
		base=$(fio_iops "$qd")
		msg rs scrub start
		sleep 0.5
		during=$(fio_iops "$qd")
		pos=$(stat_of rs scrub_position)
		msg rs scrub cancel
		printf 'fio\t%d\tqd\t%d\tno_scrub_iops\t%s\tscrub_iops\t%s\tscrub_position\t%s\n' \
			"$r" "$qd" "$base" "$during" "$pos" >> "$O/out.tsv"
	done
done

python3 - "$O/out.tsv" > "$O/out.md" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
rd = [r for r in rows if r[0] == "read"]
print("## Unthrottled scrub against dd through dm-linear (128 KiB reads)")
print()
print("| round | dd, dm-linear (MiB/s) | scrub (MiB/s) | ratio |")
print("| --- | --- | --- | --- |")
rs = []
for r in rd:
    d, s = float(r[3]), float(r[5])
    rs.append(s / d)
    print("| %s | %.1f | %.1f | %.3f |" % (r[1], d, s, s / d))
print()
print("Worst ratio %.3f (goal >= 0.90)." % min(rs))
print()
print("## fio 4k randread with a scrub at the default rate (64 MiB/s)")
print()
print("| QD | round | IOPS, no scrub | IOPS, scrub running | ratio |")
print("| --- | --- | --- | --- | --- |")
worst = {}
for r in (x for x in rows if x[0] == "fio"):
    qd, a, b = r[3], float(r[5]), float(r[7])
    worst[qd] = min(worst.get(qd, 9), b / a)
    print("| %s | %s | %.0f | %.0f | %.3f |" % (qd, r[1], a, b, b / a))
print()
for qd in sorted(worst, key=int):
    print("Worst ratio at QD%s: %.3f (goal >= 0.95)." % (qd, worst[qd]))
EOF
dmsetup remove rs
dmsetup remove lin
