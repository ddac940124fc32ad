#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# guest-bench.sh - the guest half of "make bench" (bench/bench.sh boots it
# with vm-run.sh --icount, one vCPU).  Not meant to be run by hand.
#
# For each backing kind (null_blk without data, brd), on the same main
# device in the same boot: one dm-linear device and dm-remap devices with
# 0, 1k, 100k, 1M remapped units scattered over the whole main device, one
# with 10% of the units of the benchmarked region remapped ("hot"), and one
# with 10% of them remapped in runs of adjacent units ("adj", a scratched
# region: a bio inside a run goes to the spare as one piece).
# Each has its own spare area on a second device of the same kind.
#   null_blk: volatile tables, loaded with "remapctl import" (remap_many);
#             plus a persistent 1M import timed on a spare whose metadata
#             part is memory backed.
#   brd:      persistent tables, loaded at table load from metadata that
#             the host wrote with "remapctl restore" (dd'ed into the spare).
# Then fio on every device, alternating (device order forward, backward,
# forward...) for each cell: 4k randread/randwrite, 128k read/write, at
# QD1 (psync) and QD32 (libaio).  Results: $VM_RESULTS (fio JSON, timings,
# meminfo/slabinfo snapshots); bench/report.py makes the tables.
#
# Env (from bench.sh): BENCH_WORK (lists and metadata image), BENCH_ROUNDS,
# BENCH_RUNTIME (fio runtime, e.g. 500ms), BENCH_WORKLOADS, BENCH_QDS,
# BENCH_KINDS, BENCH_COUNTS (names of the remap sets, from areas.txt).
set -euo pipefail
export DM_DISABLE_UDEV=1
# bench.sh runs a copy of this script (so that editing the tree during a
# run cannot change it) and names the tree in BENCH_REPO.
REPO=${BENCH_REPO:-$(cd "$(dirname "$0")/.." && pwd)}
W=${BENCH_WORK:?}
OUT=${VM_RESULTS:?}
RC=$W/remapctl
ROUNDS=${BENCH_ROUNDS:-6}
RUNTIME=${BENCH_RUNTIME:-500ms}
read -r -a WORKLOADS <<<"${BENCH_WORKLOADS:-randread randwrite read write}"
read -r -a QDS <<<"${BENCH_QDS:-1 32}"
read -r -a KINDS <<<"${BENCH_KINDS:-nullb brd}"
# shellcheck source=/dev/null
source "$W/geometry.env"	# DEV_SECTORS REGION_BYTES UNIT_SECTORS
mkdir -p "$OUT/fio" "$OUT/mem"
TIMES=$OUT/times.tsv
: >"$TIMES"

log() { echo "== $(date -u +%H:%M:%S) $*"; }

# Non-idle CPU time in jiffies (user nice system irq softirq steal).
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
now() { date +%s.%N; }

# The host's clock, through the emulated RTC (QEMU's default clock=host),
# in seconds: what a timed command costs in wall time on this host.
rtc() { cat /sys/class/rtc/rtc0/since_epoch 2>/dev/null || echo 0; }

# timed KIND NAME CMD...: run CMD, record its guest elapsed time, the CPU
# busy time, and the host wall time (RTC, 1 s resolution).
timed() {
	local kind=$1 name=$2 t0 b0 r0 t1 b1 r1
	shift 2
	t0=$(now) b0=$(busy) r0=$(rtc)
	"$@"
	t1=$(now) b1=$(busy) r1=$(rtc)
	printf '%s\t%s\t%s\t%s\t%s\n' "$kind" "$name" \
		"$(echo "$t1 - $t0" | bc)" \
		"$(echo "($b1 - $b0) / $(getconf CLK_TCK)" | bc -l)" \
		"$((r1 - r0))" >>"$TIMES"
	echo "$kind $name: $(echo "$t1 - $t0" | bc) s guest, $((r1 - r0)) s host"
}

# snap NAME: kernel memory, with the page cache dropped and RCU settled.
snap() {
	sync
	sleep 1
	echo 3 >/proc/sys/vm/drop_caches
	cat /proc/meminfo >"$OUT/mem/$1.meminfo"
	cat /proc/slabinfo >"$OUT/mem/$1.slabinfo"
}

# warm [FILE]: read the binaries (and FILE) into the page cache, so that
# a timed command does not wait for the host's 9p: under -icount with
# sleep=off an idle guest's clock jumps ahead while it waits.
warm() {
	dmsetup version >/dev/null
	"$RC" --help >/dev/null
	[[ -z ${1:-} ]] || cat "$1" >/dev/null
}

# areas.txt: name count spare_start spare_len meta_blocks, one per set.
declare -A COUNT START LEN META
while read -r n c s l m; do
	[[ $n == \#* || -z $n ]] && continue
	COUNT[$n]=$c START[$n]=$s LEN[$n]=$l META[$n]=$m
done <"$W/areas.txt"
read -r -a SETS <<<"${BENCH_COUNTS:-r0 r1k r100k r1m hot}"

{
	echo "kernel $(uname -r)"
	echo "cpu $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
	echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "fio $(fio --version)"
	echo "rounds $ROUNDS"
	echo "runtime $RUNTIME"
	echo "region_bytes $REGION_BYTES"
	echo "dev_sectors $DEV_SECTORS"
	echo "unit_sectors $UNIT_SECTORS"
} >"$OUT/info.txt"
cat "$OUT/info.txt"

modprobe dm-mod
insmod "$W/dm_remap.ko"

# The main and spare devices of one kind: MAIN, SPARE (and META for the
# persistent import on null_blk).
nullb_new() { # nullb_new NAME MB MEMORY_BACKED
	local d=/sys/kernel/config/nullb/$1
	mkdir "$d"
	echo 512 >"$d/blocksize"
	echo "$2" >"$d/size"
	echo "$3" >"$d/memory_backed"
	echo 2 >"$d/queue_mode"
	echo 0 >"$d/irqmode"
	echo 1 >"$d/power"
}

setup_kind() {
	case $1 in
	nullb)
		modprobe null_blk nr_devices=0
		nullb_new nbmain $((DEV_SECTORS / 2048)) 0
		nullb_new nbspare $((DEV_SECTORS / 2048)) 0
		MAIN=/dev/nbmain SPARE=/dev/nbspare
		;;
	brd)
		modprobe brd rd_nr=2 rd_size=$((DEV_SECTORS / 2))
		MAIN=/dev/ram0 SPARE=/dev/ram1
		;;
	esac
	[[ $(blockdev --getsz "$MAIN") == "$DEV_SECTORS" ]] || {
		echo "main device has $(blockdev --getsz "$MAIN") sectors, want $DEV_SECTORS" >&2
		exit 1
	}
}

teardown_kind() {
	dmsetup remove_all
	case $1 in
	nullb)
		for d in /sys/kernel/config/nullb/*/; do
			echo 0 >"$d/power"
			rmdir "$d"
		done
		rmmod null_blk
		;;
	brd) rmmod brd ;;
	esac
}

table() { # table SET [features...]
	local s=$1
	shift
	echo "0 $DEV_SECTORS remap $MAIN 0 $SPARE ${START[$s]} ${LEN[$s]} $# $*"
}

load_nullb() {
	local s
	for s in "${SETS[@]}"; do
		dmsetup create "$s" --table "$(table "$s" unit_sectors "$UNIT_SECTORS" volatile)"
		snap "nullb-$s-before"
		warm "$W/$s.list"
		if ((COUNT[$s] > 0)); then
			timed nullb "import-volatile-$s" \
				"$RC" import "$s" "$W/$s.list" -b $((UNIT_SECTORS * 512)) \
				>>"$OUT/import.log" 2>&1
		fi
		snap "nullb-$s-after"
		dmsetup status "$s" >>"$OUT/status.log"
	done
	tail -n "${#SETS[@]}" "$OUT/status.log"
}

# A persistent 1M import: a spare whose first 64 MiB (the metadata) are
# memory backed, the rest (where the copied data goes) a null_blk without
# data.  Then the table is loaded again: 1M remaps from that metadata.
import_persistent() {
	local s=r1m t
	[[ -n ${COUNT[$s]:-} ]] || return 0
	nullb_new nbmeta 64 1
	dmsetup create spmix --table "0 131072 linear /dev/nbmeta 0
131072 $((LEN[$s] - 131072)) linear $SPARE 131072"
	t="0 $DEV_SECTORS remap $MAIN 0 /dev/mapper/spmix 0 ${LEN[$s]} 2 unit_sectors $UNIT_SECTORS"
	dmsetup create pimp --table "$t"
	snap nullb-pimp-before
	warm "$W/$s.list"
	timed nullb "import-persistent-$s" \
		"$RC" import pimp "$W/$s.list" -b $((UNIT_SECTORS * 512)) \
		>>"$OUT/import.log" 2>&1
	snap nullb-pimp-after
	dmsetup status pimp >>"$OUT/status.log"
	tail -n 1 "$OUT/status.log"
	timed nullb "remove-persistent-$s" dmsetup remove pimp
	warm
	timed nullb "table-load-$s" dmsetup create pimp --table "$t"
	dmsetup status pimp >>"$OUT/status.log"
	tail -n 1 "$OUT/status.log"
	dmsetup remove pimp
	dmsetup remove spmix
}

# The same 1M import with 64 KiB messages (16 times fewer), on a spare
# area of its own; the device is removed afterwards.
import_big_messages() {
	local s=r1m
	[[ -n ${COUNT[$s]:-} ]] || return 0
	dmsetup create r1m64k --table "0 $DEV_SECTORS remap $MAIN 0 $SPARE $((16 << 21)) ${LEN[$s]} 3 unit_sectors $UNIT_SECTORS volatile"
	warm "$W/$s.list"
	timed nullb "import-volatile-64k-$s" \
		"$RC" import r1m64k "$W/$s.list" -b $((UNIT_SECTORS * 512)) \
		--message-size 65536 >>"$OUT/import.log" 2>&1
	dmsetup status r1m64k >>"$OUT/status.log"
	tail -n 1 "$OUT/status.log"
	dmsetup remove r1m64k
}

load_brd() {
	local s
	for s in "${SETS[@]}"; do
		if ((COUNT[$s] > 0)); then
			/usr/bin/dd if="$W/spare-meta.img" of="$SPARE" bs=4096 \
				skip=$((START[$s] / 8)) seek=$((START[$s] / 8)) \
				count="${META[$s]}" conv=notrunc status=none
		fi
		snap "brd-$s-before"
		warm
		timed brd "table-load-$s" dmsetup create "$s" --table \
			"$(table "$s" unit_sectors "$UNIT_SECTORS")"
		snap "brd-$s-after"
		dmsetup status "$s" >>"$OUT/status.log"
		[[ $(dmsetup status "$s" | awk '{print $5}') == "${COUNT[$s]}" ]] || {
			echo "$s: loaded $(dmsetup status "$s" | awk '{print $5}') remaps, want ${COUNT[$s]}" >&2
			exit 1
		}
	done
	tail -n "${#SETS[@]}" "$OUT/status.log"
}

# fio_cell KIND WORKLOAD QD ROUND DEV...: one fio run, a job per device in
# that order, each after the previous (stonewall).
fio_cell() {
	local kind=$1 wl=$2 qd=$3 round=$4 bs=4k engine=psync d job
	shift 4
	[[ $wl == read || $wl == write ]] && bs=128k
	((qd > 1)) && engine=libaio
	job=$OUT/fio/$kind-$wl-qd$qd-r$round.fio
	{
		echo "[global]"
		echo "direct=1"
		echo "rw=$wl"
		echo "bs=$bs"
		echo "ioengine=$engine"
		echo "iodepth=$qd"
		echo "size=$REGION_BYTES"
		echo "offset=0"
		echo "time_based=1"
		echo "runtime=$RUNTIME"
		echo "randrepeat=1"
		echo "randseed=4242"
		echo "norandommap=1"
		echo "stonewall"
		for d in "$@"; do
			echo "[$d]"
			echo "filename=/dev/mapper/$d"
		done
	} >"$job"
	fio --output-format=json --output="${job%.fio}.json" "$job"
}

run_fio() {
	local kind=$1 wl qd r devs=(lin "${SETS[@]}" lin2) rev=() i
	for ((i = ${#devs[@]} - 1; i >= 0; i--)); do rev+=("${devs[i]}"); done
	for wl in "${WORKLOADS[@]}"; do
		for qd in "${QDS[@]}"; do
			log "$kind $wl QD$qd"
			for ((r = 1; r <= ROUNDS; r++)); do
				if ((r % 2)); then
					fio_cell "$kind" "$wl" "$qd" "$r" "${devs[@]}"
				else
					fio_cell "$kind" "$wl" "$qd" "$r" "${rev[@]}"
				fi
			done
		done
	done
}

for kind in "${KINDS[@]}"; do
	log "$kind: devices"
	setup_kind "$kind"
	snap "$kind-start"
	dmsetup create lin --table "0 $DEV_SECTORS linear $MAIN 0"
	# A second dm-linear, the last device in forward order: its ratio to
	# the first is the noise floor of the run.
	dmsetup create lin2 --table "0 $DEV_SECTORS linear $MAIN 0"
	log "$kind: loading the remaps"
	"load_$kind"
	if [[ $kind == nullb && ${BENCH_BIG_IMPORT:-1} == 1 ]]; then
		log "nullb: r1m imported with 64 KiB messages"
		import_big_messages
	fi
	if [[ $kind == nullb && ${BENCH_PERSISTENT_IMPORT:-1} == 1 ]]; then
		log "nullb: persistent import of r1m"
		import_persistent
	fi
	dmsetup table >"$OUT/tables-$kind.txt"
	if [[ $kind == brd ]]; then
		# brd allocates a page at its first write: write the fio region
		# through every device first (the spare units of remapped units
		# too), so no job pays for first touches another job did not.
		log "brd: writing the fio region once through every device"
		for d in lin "${SETS[@]}" lin2; do
			/usr/bin/dd if=/dev/zero of="/dev/mapper/$d" bs=1M \
				count=$((REGION_BYTES >> 20)) oflag=direct status=none
		done
	fi
	log "$kind: fio"
	run_fio "$kind"
	dmesg >"$OUT/dmesg-$kind.log"
	teardown_kind "$kind"
done
log "done"
