#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# "make bench": dm-remap side by side with dm-linear in one QEMU guest
# booted with -icount (deterministic virtual time, one vCPU), on null_blk
# and brd, with 0 / 1k / 100k / 1M remapped units, a 10%-hot set and 10%
# of the fio region remapped in adjacent runs (a scratched region); the
# load times of 1M remaps; kernel memory per remapped unit.  Writes
# bench/results/fio.md (tables), fio.tsv, runs.tsv, fio.svg (plot).
# See bench/README.md.
#
# Env: BENCH_QUICK=1    the headline cells in < 10 minutes: 2 rounds of
#                       0.2 s, 0/1k/1M remaps and the runs, no 64 KiB or
#                       persistent import; results in build/bench/quick/
#      BENCH_OUT=DIR    where the results go (default bench/results)
#      BENCH_ROUNDS, BENCH_RUNTIME, BENCH_WORKLOADS, BENCH_QDS,
#      BENCH_KINDS, BENCH_COUNTS: override one setting (guest-bench.sh)
#      KVER             guest kernel (default: the newest 6.1)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"

if [[ ${BENCH_QUICK:-0} == 1 ]]; then
	# The headline cells: every workload and queue depth on both kinds,
	# 0, 1k and 1M remaps (the 1M import is timed too) and the adjacent
	# runs, two rounds (one in each device order), no 64 KiB or
	# persistent import.
	: "${BENCH_ROUNDS:=2}" "${BENCH_RUNTIME:=200ms}"
	: "${BENCH_COUNTS:=r0 r1k r1m adj}"
	: "${BENCH_PERSISTENT_IMPORT:=0}" "${BENCH_BIG_IMPORT:=0}"
	: "${BENCH_OUT:=$REPO/build/bench/quick}"
fi
: "${BENCH_ROUNDS:=6}" "${BENCH_RUNTIME:=500ms}"
# Rounds go in pairs (device order forward, then backward; report.py):
# an odd count would leave a round out of the results.
if ((BENCH_ROUNDS < 2 || BENCH_ROUNDS % 2)); then
	echo "bench: BENCH_ROUNDS=$BENCH_ROUNDS: give an even number, 2 or more (rounds go in forward/backward pairs)" >&2
	exit 2
fi
: "${BENCH_WORKLOADS:=randread randwrite read write}" "${BENCH_QDS:=1 32}"
: "${BENCH_KINDS:=nullb brd}" "${BENCH_COUNTS:=r0 r1k r100k r1m hot adj}"
: "${BENCH_PERSISTENT_IMPORT:=1}" "${BENCH_BIG_IMPORT:=1}"
: "${BENCH_OUT:=$REPO/bench/results}"

echo "bench: setup (qemu, kernels, fio, gnuplot)"
EXTRA_PACKAGES="gnuplot-nox bc ${EXTRA_PACKAGES:-}" tests/vm/setup.sh
make -s module ${KVER:+KVER=$KVER}
make -s tools
mkdir -p build/bench
gcc -O2 -Wall -Wextra -Werror -Icore -o build/bench/mkdump bench/mkdump.c \
	core/remap_meta.c core/crc32c.c core/remap_index.c

# Geometry: a 4 TiB main device (2^30 units of 4 KiB; neither null_blk
# without data nor brd allocates memory for what is not written), fio on
# its first 1 GiB; spare areas side by side on a second device.
DEV_SECTORS=$((8 << 30))
UNIT_SECTORS=8
REGION_BYTES=$((1 << 30))
W=${BENCH_WORK:-/var/tmp/dm-remap-bench}
rm -rf "$W"
mkdir -p "$W"
cat >"$W/geometry.env" <<EOF
DEV_SECTORS=$DEV_SECTORS
UNIT_SECTORS=$UNIT_SECTORS
REGION_BYTES=$REGION_BYTES
EOF
GIB=2097152	# sectors
# "adj": runs of RUN_UNITS adjacent units (256 KiB) at random, unaligned,
# never touching each other, in the fio region: as many as make 10% of
# its units (a scratched region, remapped in runs).
RUN_UNITS=64
ADJ_COUNT=$((REGION_BYTES / 4096 / 10 / RUN_UNITS * RUN_UNITS))
# name count spare_start spare_len (sectors)
sets=(
	"r0 0 0 $GIB"
	"r1k 1000 $GIB $GIB"
	"r100k 100000 $((2 * GIB)) $GIB"
	"r1m 1000000 $((4 * GIB)) $((5 * GIB))"
	"hot $((REGION_BYTES / 4096 / 10)) $((10 * GIB)) $GIB"
	"adj $ADJ_COUNT $((11 * GIB)) $GIB"
)

echo "bench: remap lists and host-made metadata (mkdump + remapctl restore)"
truncate -s $((12 << 30)) "$W/spare-meta.img"
echo "# name count spare_start spare_len meta_blocks" >"$W/areas.txt"
for s in "${sets[@]}"; do
	read -r name count start len <<<"$s"
	# Distinct units at random, sorted (as badblocks prints them): over
	# the whole device, or for "hot" and "adj" over the fio region (10%
	# of it; "adj" in runs of RUN_UNITS, a unit apart at least).
	range=$((DEV_SECTORS / UNIT_SECTORS))
	[[ $name == hot || $name == adj ]] && range=$((REGION_BYTES / 512 / UNIT_SECTORS))
	python3 -c '
import random, sys
n, rng, seed, run = (int(a) for a in sys.argv[1:5])
r = random.Random(seed)
if not run:
    units = sorted(r.sample(range(rng), n))
else:
    k = n // run
    starts = [g + i * run for i, g in enumerate(sorted(r.sample(range(rng - k * run), k)))]
    units = [s + j for s in starts for j in range(run)]
sys.stdout.write("".join("%d\n" % u for u in units))
' "$count" "$range" "$((count + 7))" "$([[ $name == adj ]] && echo $RUN_UNITS || echo 0)" \
		>"$W/$name.list"
	meta=0
	if ((count > 0)); then
		build/bench/mkdump "$UNIT_SECTORS" 512 "$DEV_SECTORS" "$DEV_SECTORS" \
			"$start" "$len" "$W/$name.list" >"$W/$name.json"
		tools/remapctl/remapctl restore "$W/spare-meta.img" --from "$W/$name.json" >/dev/null
		meta=$(sed -n 's/^ *"meta_blocks": \([0-9]*\),/\1/p' "$W/$name.json")
		rm -f "$W/$name.json"
	fi
	echo "$name $count $start $len $meta" >>"$W/areas.txt"
done
cat "$W/areas.txt"

# The guest runs a copy (bash reads a script as it goes) and loads a copy
# of the module and remapctl, so the tree can be rebuilt during a run.
cp bench/guest-bench.sh "$W/guest-bench.sh"
cp dm_remap.ko "$W/dm_remap.ko"
cp tools/remapctl/remapctl "$W/remapctl"
RES=$W-results
rm -rf "$RES"
echo "bench: guest run (-icount, 1 vCPU); rounds $BENCH_ROUNDS, runtime $BENCH_RUNTIME"
start=$(date +%s)
tests/vm/vm-run.sh ${KVER:+--kver "$KVER"} --icount --cpus 1 --mem 3072 \
	--timeout "${BENCH_TIMEOUT:-5400}" --share "$W" --results "$RES" \
	--env BENCH_WORK="$W" --env BENCH_ROUNDS="$BENCH_ROUNDS" \
	--env BENCH_RUNTIME="$BENCH_RUNTIME" --env BENCH_WORKLOADS="$BENCH_WORKLOADS" \
	--env BENCH_QDS="$BENCH_QDS" --env BENCH_KINDS="$BENCH_KINDS" \
	--env BENCH_COUNTS="$BENCH_COUNTS" \
	--env BENCH_PERSISTENT_IMPORT="$BENCH_PERSISTENT_IMPORT" \
	--env BENCH_BIG_IMPORT="$BENCH_BIG_IMPORT" \
	--env BENCH_REPO="$REPO" -- "$W/guest-bench.sh"
wall=$(($(date +%s) - start))
echo "bench: guest run took ${wall} s of wall time"

mkdir -p "$BENCH_OUT"
python3 bench/report.py "$RES" "$W/areas.txt" "$BENCH_OUT" "$wall"
gnuplot -e "dir='$BENCH_OUT'" bench/plot.gp
echo "bench: results in $BENCH_OUT (fio.md, fio.svg)"
