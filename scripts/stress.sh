#!/bin/bash
# make stress: tests/stress/stress-guest.sh in a QEMU guest for a fixed
# time: fio verify=crc32c (4 jobs over the whole remap device) while remap,
# unremap and remap_many messages, suspend/resume, reloads with a grown
# spare and write-failing segments of the main device (auto-remapped) come
# and go at random; then every block is verified, twice (after a reload and
# after a remove and a load from the metadata).
#
# Environment: STRESS_SECONDS (default 600), KVER (guest kernel, default the
# newest Debian 6.1), STRESS_DEBUG=1 (on the debug kernel instead, see
# scripts/check-debug.sh), SKIP_SETUP=1, VM_MEM (MB, default 2048).
# Ends with the guest's result lines ("operations", "mismatches", "kernel
# complaints") and "N passed, N failed"; exit 0 only if the run passed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
SECS=${STRESS_SECONDS:-600}
[[ $SECS =~ ^[0-9]+$ ]] || { echo "stress: STRESS_SECONDS must be a number"; exit 2; }

if [[ ${SKIP_SETUP:-0} != 1 ]]; then
	tests/vm/setup.sh || { echo "stress: setup failed"; exit 1; }
fi
make -s tools test-tools || exit 1
# The guest test's header timeout is 900 s; scale it to the run's length
# (fio passes finish after the deadline, then two verify passes).
scale=$(((SECS * 3 / 2 + 600) / 900 + 1))
args=(--mem "${VM_MEM:-2048}" --timeout $((900 * scale + 600)) --append log_buf_len=16M)
if [[ ${STRESS_DEBUG:-0} == 1 ]]; then
	kdir=$(tests/vm/debug-kernel/build.sh) || { echo "stress: debug kernel build failed"; exit 1; }
	mod=build/debug-module
	mkdir -p "$mod/kernel" "$mod/core"
	cp Kbuild "$mod/"
	cp kernel/*.[ch] "$mod/kernel/"
	cp core/*.[ch] "$mod/core/"
	make -s -C "$kdir/build" M="$PWD/$mod" modules >"$mod/build.log" 2>&1 ||
		{ cat "$mod/build.log"; echo "stress: dm_remap.ko build failed"; exit 1; }
	export DM_REMAP_KO=$PWD/$mod/dm_remap.ko
	args+=(--kernel-dir "$kdir")
	scale=$((scale * 3))
else
	make -s module ${KVER:+KVER="$KVER"} || exit 1
	export DM_REMAP_KO=$PWD/dm_remap.ko
fi
echo "stress: $SECS s"
start=$SECONDS
results=/tmp/dm-remap-stress-$(date +%Y%m%d-%H%M%S)
SKIP_SETUP=1 STRESS_SECONDS=$SECS TEST_TIMEOUT_SCALE=$scale \
	tests/vm/run-guest-suite.sh --results "$results" "${args[@]}" tests/stress/stress-guest.sh
rc=$?
log=$results/tests/stress-guest.sh.log
if [[ -f $log ]]; then
	echo "---- from $log:"
	grep -E '^(pass [0-9]+:|== final verify)' "$log"
	sed -n '/^==== stress results/,$p' "$log"
fi
echo "stress: took $((SECONDS - start)) s"
exit "$rc"
