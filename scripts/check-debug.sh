#!/bin/bash
# make check-debug: the guest suite on the debug kernel (Debian's
# linux-source-6.1, tinyconfig + tests/vm/debug-kernel/*.config: KASAN,
# lockdep, kmemleak, debug objects, atomic-sleep, hung-task and soft-lockup
# detectors, fault injection).
#   1. build the kernel, or reuse it from the cache (tests/vm/debug-kernel/build.sh;
#      /var/cache/dm-remap/debug-kernel/<source version>-<fragments hash>/);
#   2. build dm_remap.ko against its build tree, in a scratch copy of the
#      sources (build/debug-module/: ./dm_remap.ko is left alone);
#   3. build the test-only modules (tests/kmod) against it into
#      build/kmod/<release>/;
#   4. run every tests/guest test (or GUEST_TESTS) on it in QEMU.  A test
#      fails on any BUG:/WARNING:/lockdep/KASAN/ODEBUG/hung-task line in its
#      kernel log; the run stops at the first KASAN report or when lockdep
#      turns itself off; the last result, "kmemleak", fails on any leak a
#      scan finds after the module is unloaded.
# Ends with "N passed, N failed[, N skipped]"; exit 0 only if none failed.
# Environment: SKIP_SETUP=1, GUEST_TESTS, TEST_TIMEOUT_SCALE (default 4: the
# debug kernel is several times slower), VM_TIMEOUT (whole VM, default 10800),
# VM_MEM (MB, default 2048).
set -uo pipefail
{ # the whole script is parsed before it runs: editing it meanwhile is safe
cd "$(dirname "$0")/.." || exit 2
start=$SECONDS

if [[ ${SKIP_SETUP:-0} != 1 ]]; then
	EXTRA_PACKAGES="gcc make flex bison bc libelf-dev libssl-dev linux-source-6.1" \
		tests/vm/setup.sh || { echo "check-debug: setup failed"; echo "0 passed, 1 failed"; exit 1; }
fi
make -s tools test-tools || { echo "check-debug: building the tools and test tools failed"; echo "0 passed, 1 failed"; exit 1; }

echo "=== debug kernel (tests/vm/debug-kernel/build.sh)"
kdir=$(tests/vm/debug-kernel/build.sh) || { echo "check-debug: debug kernel build failed"; echo "0 passed, 1 failed"; exit 1; }
ktime=$((SECONDS - start))
kver=$(<"$kdir/kernel.release")
echo "check-debug: kernel $kver in $kdir (built in $(cat "$kdir/build-seconds") s; this run spent ${ktime} s on it)"

echo "=== dm_remap.ko for $kver"
mod=build/debug-module
rm -rf "$mod"
mkdir -p "$mod/kernel" "$mod/core"
cp Kbuild "$mod/"
cp kernel/*.[ch] "$mod/kernel/"
cp core/*.[ch] "$mod/core/"
if ! make -s -C "$kdir/build" M="$PWD/$mod" modules >"$mod/build.log" 2>&1; then
	cat "$mod/build.log"
	echo "check-debug: dm_remap.ko build failed"
	echo "0 passed, 1 failed"
	exit 1
fi
vermagic=$(modinfo -F vermagic "$mod/dm_remap.ko" | awk '{print $1}')
[[ $vermagic == "$kver" ]] || { echo "check-debug: dm_remap.ko is for '$vermagic', not $kver"; echo "0 passed, 1 failed"; exit 1; }

echo "=== test modules (tests/kmod) for $kver"
scripts/build-test-kmod.sh --kdir "$kdir/build" || { echo "check-debug: test module build failed"; echo "0 passed, 1 failed"; exit 1; }

echo "=== guest (debug kernel $kver)"
gstart=$SECONDS
# shellcheck disable=SC2086
SKIP_SETUP=1 DM_REMAP_KO=$PWD/$mod/dm_remap.ko TEST_TIMEOUT_SCALE=${TEST_TIMEOUT_SCALE:-4} \
	tests/vm/run-guest-suite.sh --kernel-dir "$kdir" --mem "${VM_MEM:-2048}" \
	--timeout "${VM_TIMEOUT:-10800}" ${GUEST_TESTS:-} 2>&1 |
	sed -u -E 's/^(PASS|FAIL|SKIP) /\1 debug\//' | tee "$mod/guest.log"
rc=${PIPESTATUS[0]}
echo "check-debug: kernel $((ktime)) s, guest suite $((SECONDS - gstart)) s, total $((SECONDS - start)) s"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$mod/guest.log" | tail -n 1)
if [[ -z $line ]]; then
	echo "check-debug: the guest suite printed no result line"
	echo "0 passed, 1 failed"
	exit 1
fi
((rc == 0))
}
