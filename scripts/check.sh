#!/bin/bash
# The whole test suite, as "make check" and CI run it:
#   1. install what is missing (tests/vm/setup.sh: qemu, Debian's kernel and
#      headers, fio, cmocka, clang, ...), build the module and test tools;
#   2. host: unit tests of core/ under ASan+UBSan, fuzzers over their corpora;
#   3. guest: every tests/guest test on the real module, in QEMU (TCG);
#   4. host: two VM boots over the same disk images (tests/host).
# Ends with "N passed, N failed" over all parts; exit 0 only if none failed.
#
# Environment: KVER (guest kernel version), SKIP_SETUP=1, GUEST_TESTS (a
# space-separated list of guest test files instead of all of them).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

HOST_PACKAGES="gcc make libc6-dev libcmocka-dev clang libclang-rt-14-dev python3"
passed=0 failed=0 skipped=0

# add_counts LOGFILE PART: add the part's "N passed, N failed[, N skipped]".
add_counts() {
	local line p f s
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [[ -z $line ]]; then
		echo "check: $2 printed no result line: counted as 1 failure"
		failed=$((failed + 1))
		return
	fi
	p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
	s=$(sed -nE 's/.*, ([0-9]+) skipped.*/\1/p' <<<"$line")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
	echo "check: $2: $line"
}

# step NAME CMD...: a step that must succeed; its failure counts as one.
step() {
	local name=$1
	shift
	echo "=== $name"
	if "$@"; then
		return 0
	fi
	echo "check: $name failed"
	failed=$((failed + 1))
	return 1
}

logs=$(mktemp -d /tmp/dm-remap-check.XXXXXX)
start=$SECONDS

if [[ ${SKIP_SETUP:-0} != 1 ]]; then
	step "setup" env EXTRA_PACKAGES="$HOST_PACKAGES" tests/vm/setup.sh || {
		echo "$passed passed, $failed failed"; exit 1; }
fi
step "build module and test tools" make -s all test-tools || {
	echo "$passed passed, $failed failed"; exit 1; }

echo "=== host: unit tests (ASan, UBSan)"
make -s --no-print-directory -C tests/unit check 2>&1 | tee "$logs/unit.log"
add_counts "$logs/unit.log" "unit tests"

echo "=== host: fuzzers over their corpora"
if make -s --no-print-directory -C tests/fuzz corpus-run > "$logs/fuzz.log" 2>&1; then
	n=$(grep -c ': OK' "$logs/fuzz.log")
	passed=$((passed + n))
	echo "check: fuzz corpora: $n passed"
else
	cat "$logs/fuzz.log"
	failed=$((failed + 1))
	echo "check: fuzz corpora: failed"
fi

echo "=== guest: tests on the real module in QEMU"
# shellcheck disable=SC2086
SKIP_SETUP=1 tests/vm/run-guest-suite.sh ${GUEST_TESTS:-} 2>&1 | tee "$logs/guest.log"
add_counts "$logs/guest.log" "guest tests"

echo "=== host: a second boot over the same disk images"
tests/host/reboot-persistence.sh 2>&1 | tee "$logs/reboot.log"
add_counts "$logs/reboot.log" "reboot persistence"

echo "check: took $((SECONDS - start)) s; logs in $logs"
if ((skipped)); then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
((failed == 0))
