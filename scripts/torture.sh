#!/bin/bash
# make torture: one long random run of the model-based concurrent checker
# (build/torture, tests/tools/torture.c) in a QEMU guest, through
# tests/guest/80-torture.sh: TORTURE_SECONDS of steps (I/O threads with
# tagged sectors against a model, while faults on the main and the spare
# device, remap / unremap / remap_many / remap_many zero_fill / clear /
# protect / unprotect / identity messages, suspends, reloads and
# re-creations come and go; everything checked after every step, with the
# member signature on the raw main device under protected units).
#
# Environment: TORTURE_SECONDS (default 600), TORTURE_SEED (default: random,
# printed), TORTURE_ARGS (more options for build/torture, e.g. "--volatile"
# or "--no-discard --threads 8"), KVER (guest kernel, default the newest
# Debian 6.1), TORTURE_DEBUG=1 (on the debug kernel instead, see
# scripts/check-debug.sh), SKIP_SETUP=1, VM_MEM (MB, default 1024; 2048 on
# the debug kernel).
# Prints the run's step lines and summary and "N passed, N failed"; exit 0
# only if the run passed.  A failing run prints its seed, the numbered step
# list and the first mismatches; TORTURE_SEED=<seed> and TORTURE_ARGS="--steps
# <n>" replay the same operations (the interleaving is the scheduler's).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
SECS=${TORTURE_SECONDS:-600}
[[ $SECS =~ ^[0-9]+$ ]] || { echo "torture: TORTURE_SECONDS must be a number"; exit 2; }
[[ -z ${TORTURE_SEED:-} || $TORTURE_SEED =~ ^[0-9]+$ ]] || { echo "torture: TORTURE_SEED must be a number"; exit 2; }
seed=${TORTURE_SEED:-$(( (RANDOM << 15 | RANDOM) % 1000000000 ))}

if [[ ${SKIP_SETUP:-0} != 1 ]]; then
	tests/vm/setup.sh || { echo "torture: setup failed"; exit 1; }
fi
make -s tools test-tools || exit 1
# The test's header timeout is 420 s: scale it to the run (steps end after
# the deadline, then a final check).
scale=$(((SECS + 300) / 420 + 1))
args=(--append log_buf_len=16M)
if [[ ${TORTURE_DEBUG:-0} == 1 ]]; then
	kdir=$(tests/vm/debug-kernel/build.sh) || { echo "torture: debug kernel build failed"; exit 1; }
	mod=build/debug-module
	rm -rf "$mod"
	mkdir -p "$mod/kernel" "$mod/core"
	cp Kbuild "$mod/"
	cp kernel/*.[ch] "$mod/kernel/"
	cp core/*.[ch] "$mod/core/"
	make -s -C "$kdir/build" M="$PWD/$mod" modules >"$mod/build.log" 2>&1 ||
		{ cat "$mod/build.log"; echo "torture: dm_remap.ko build failed"; exit 1; }
	scripts/build-test-kmod.sh --kdir "$kdir/build" >/dev/null ||
		echo "torture: note: dm-faultseq.ko build failed: no count-based faults"
	export DM_REMAP_KO=$PWD/$mod/dm_remap.ko
	args+=(--kernel-dir "$kdir" --mem "${VM_MEM:-2048}")
	scale=$((scale * 3))
else
	kver=$(make -s --no-print-directory -f Makefile print-kver ${KVER:+KVER="$KVER"}) || exit 1
	mod=build/ko/$kver
	rm -rf "$mod"
	mkdir -p "$mod/kernel" "$mod/core"
	cp Kbuild "$mod/"
	cp kernel/*.[ch] "$mod/kernel/"
	cp core/*.[ch] "$mod/core/"
	make -s -C "/lib/modules/$kver/build" M="$PWD/$mod" modules >"$mod/build.log" 2>&1 ||
		{ cat "$mod/build.log"; echo "torture: dm_remap.ko build for $kver failed"; exit 1; }
	scripts/build-test-kmod.sh "$kver" >/dev/null ||
		echo "torture: note: dm-faultseq.ko build failed: no count-based faults"
	export DM_REMAP_KO=$PWD/$mod/dm_remap.ko
	args+=(--kver "$kver" --mem "${VM_MEM:-1024}")
fi
echo "torture: $SECS s, seed $seed${TORTURE_ARGS:+, options $TORTURE_ARGS}"
start=$SECONDS
results=/tmp/dm-remap-torture-$(date +%Y%m%d-%H%M%S)
SKIP_SETUP=1 TORTURE_SECONDS=$SECS TORTURE_SEED=$seed TEST_TIMEOUT_SCALE=$scale \
	tests/vm/run-guest-suite.sh --results "$results" --timeout $((420 * scale + 600)) \
	"${args[@]}" tests/guest/80-torture.sh
rc=$?
log=$results/tests/80-torture.sh.log
if [[ -f $log ]]; then
	echo "---- from $log:"
	# the step lines are in the log; here the summary and any failure
	sed -n '/^torture: summary/,$p' "$log"
fi
echo "torture: seed $seed, took $((SECONDS - start)) s"
exit "$rc"
