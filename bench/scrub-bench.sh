#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scrub-bench.sh - "make bench-scrub": what the scrubber costs and gives
# (issue 13, "Performance"), measured in one guest booted with -icount
# (virtual time follows the instructions executed, one vCPU: the ratios
# are measurements, not guesses; bench/README.md):
#   1. an unthrottled scrub (scrub_rate 0) of a null_blk main device
#      (no data), against dd of the same null_blk through dm-linear with
#      the scrubber's I/O size (128 KiB, O_DIRECT, one read in flight),
#      each timed by itself (dd's report; the kernel log's pass start and
#      end): bench/README.md says why the shell's times are not used;
#   2. fio 4k randread at QD1 (psync) and QD32 (libaio) on the remap
#      device, with no scrub and with a scrub at the default rate (64
#      MiB/s), alternating, ROUNDS times each.
# Writes bench/results/scrub.md (and the raw numbers next to it).
#
# Env: KVER (guest kernel), ROUNDS (default 5), FIO_RUNTIME (s, default
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
		--results "$res" --env "SB_WORK=$work" --env "ROUNDS=${ROUNDS:-5}" \
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
ROUNDS=${ROUNDS:-5}
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
# Bash's own clock: no fork of date(1) inside a measured interval.
now() { echo "$EPOCHREALTIME"; }
rate() { awk -v b="$1" -v a="$2" -v c="$3" 'BEGIN { printf "%.1f", b / 1048576 / (c - a) }'; }
event_nr() { dmsetup info -c --noheadings -o events "$1"; }
# Start a scrub of rs (message arguments "$@") and wait for its pass to
# end, sleeping in DM_DEV_WAIT (the target raises an event when a pass
# ends), not polling: a poller would take the one vCPU from the scrubber.
scrub_pass() {
	local ev
	msg rs scrub start "$@"
	while :; do
		ev=$(event_nr rs)
		[[ $(stat_of rs scrub_state) == idle ]] && break
		dmsetup wait rs "$ev" >/dev/null
	done
}
: > "$O/out.tsv"

# 1. unthrottled scrub against dd through dm-linear, 128 KiB reads.
# Under -icount the guest clock also runs while the vCPU waits for the
# host, e.g. for a binary paged in over 9p: a warm-up runs every program
# and code path of a round once, unmeasured, so that no round waits on
# the host (the first make bench-scrub run, without it, read 694 MiB/s
# for dd in round 1 and 5150 in round 3).
bytes=$((len * 512))
# The pass's own time, from the kernel log's times of its start and end
# (as 78-scrub measures it): dd's own report of its copy time is the
# matching figure for dd.  Both are printed with the times seen from the
# shell (start to end, with the programs' start-up and the waiting).
pass_seconds() {
	local i lines
	for ((i = 0; i < 100; i++)); do	# the state turns idle just before the log line
		lines=$(dmesg | sed -n 's/^\[ *\([0-9.]*\)\].*scrub of sectors 0-'$((len - 1))' \(started\|done\).*/\1 \2/p')
		[[ ${lines##* } == "done" ]] && break
		sleep 0.1
	done
	awk '$2 == "started" { a = $1 } $2 == "done" { b = $1 } END { printf "%.6f", b - a }' <<<"$lines"
}
msg rs scrub_rate 0
/usr/bin/dd if=/dev/mapper/lin of=/dev/null bs=128k count=8192 iflag=direct status=none
scrub_pass 0 2097152
# kmark TEXT: a line in the kernel log, to see the shell's times there.
kmark() { echo "scrub-bench: $*" > /dev/kmsg; }
for ((r = 1; r <= ROUNDS; r++)); do
	kmark "round $r: dd"
	t0=$(now)
	/usr/bin/dd if=/dev/mapper/lin of=/dev/null bs=128k iflag=direct 2> /tmp/dd.err
	t1=$(now)
	dd_mb=$(rate "$bytes" "$t0" "$t1")
	dd_own=$(awk '/copied/ { sub(/.*copied, /, ""); sub(/ s,.*/, ""); print }' /tmp/dd.err)
	dd_own_mb=$(rate "$bytes" 0 "$dd_own")
	kmark "round $r: scrub"
	t0=$(now)
	scrub_pass
	t1=$(now)
	kmark "round $r: scrub seen idle"
	sc_mb=$(rate "$bytes" "$t0" "$t1")
	sc_own_mb=$(rate "$bytes" 0 "$(pass_seconds)")
	printf 'read\t%d\tdd_linear_MiBps\t%s\tscrub_MiBps\t%s\tdd_own_MiBps\t%s\tscrub_own_MiBps\t%s\n' \
		"$r" "$dd_mb" "$sc_mb" "$dd_own_mb" "$sc_own_mb" >> "$O/out.tsv"
done
rm -f /tmp/dd.err

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
print("Own time: dd's report of its copy time; the scrub pass's start and end")
print("in the kernel log.  Seen from the shell: from before the program (or")
print("the start message) to after it ended (or the pass was seen idle).")
print()
print("| round | dd, own time (MiB/s) | scrub, own time (MiB/s) | ratio | dd, from the shell | scrub, from the shell | ratio |")
print("| --- | --- | --- | --- | --- | --- | --- |")
own, shell = [], []
for r in rd:
    d, s, do, so = float(r[3]), float(r[5]), float(r[7]), float(r[9])
    own.append(so / do)
    shell.append(s / d)
    print("| %s | %.1f | %.1f | %.3f | %.1f | %.1f | %.3f |" % (r[1], do, so, so / do, d, s, s / d))
print()
for name, rs in (("own times", own), ("seen from the shell", shell)):
    srt = sorted(rs)
    print("Ratio, %s: median %.3f, worst %.3f, best %.3f (goal >= 0.90)." %
          (name, srt[len(srt) // 2], srt[0], srt[-1]))
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
