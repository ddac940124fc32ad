#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# testtools_test.sh - the host-built test tools the guest tests use
# (tests/tools/sectag.c, tests/tools/dmfail.c), built by the unit Makefile
# with ASan and UBSan, on plain files: results, exit statuses, and no
# sanitizer report.  Run by "make -C tests/unit check" through
# run_tests.sh; prints "RESULT <passed> <failed>" last.
# SECTAG, DMFAIL: the binaries to test.
set -u
[[ -x ${SECTAG:-} && -x ${DMFAIL:-} ]] || { echo "testtools_test.sh: SECTAG and DMFAIL must name the binaries"; exit 2; }
export ASAN_OPTIONS=exitcode=86:detect_leaks=1
export UBSAN_OPTIONS=exitcode=86:print_stacktrace=1
# O_DIRECT needs a real file system: not tmpfs
T=$(mktemp -d /var/tmp/testtools-test.XXXXXX) || exit 2
trap 'rm -rf "$T"' EXIT
passed=0 failed=0

# run NAME WANT_STATUS [PATTERN...] -- CMD...: the exit status must be
# WANT_STATUS and each PATTERN (grep -E) must match stdout or stderr.
run() {
	local name=$1 want=$2 pats=() rc p
	shift 2
	while [[ $1 != -- ]]; do pats+=("$1"); shift; done
	shift
	echo "[ RUN      ] $name"
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if grep -q 'Sanitizer\|runtime error' "$T/err"; then
		echo "[  FAILED  ] $name: sanitizer report"; sed 's/^/    /' "$T/err" | head -n 30
		failed=$((failed + 1)); return 1
	fi
	if ((rc != want)); then
		echo "[  FAILED  ] $name: $*: exit status $rc, want $want"; sed 's/^/    /' "$T/out" "$T/err" | head -n 20
		failed=$((failed + 1)); return 1
	fi
	for p in "${pats[@]}"; do
		if ! grep -Eq -- "$p" "$T/out" "$T/err"; then
			echo "[  FAILED  ] $name: output lacks /$p/"; sed 's/^/    /' "$T/out" "$T/err" | head -n 20
			failed=$((failed + 1)); return 1
		fi
	done
	echo "[       OK ] $name"
	passed=$((passed + 1))
}

img=$T/img
truncate -s 1M "$img"
run "sectag write" 0 -- "$SECTAG" write "$img" 0 2048 7
run "sectag verify" 0 -- "$SECTAG" verify "$img" 0 2048 7
run "sectag verify --direct --bs 65536" 0 -- "$SECTAG" verify "$img" 0 2048 7 --direct --bs 65536
run "sectag wrong tag" 1 -- "$SECTAG" verify "$img" 0 16 8
run "sectag wrong logical sector" 1 -- "$SECTAG" verify "$img" 8 8 7 0
dd if=/dev/zero of="$img" bs=512 seek=100 count=3 conv=notrunc status=none
run "sectag finds a zeroed run" 1 '100' -- "$SECTAG" verify "$img" 0 2048 7
run "sectag usage" 2 -- "$SECTAG" verify "$img"
run "sectag past the end" 2 -- "$SECTAG" verify "$img" 2040 100 7

sum=$(md5sum <"$img")
run "dmfail write rewrites the same bytes" 0 'dmfail write rc=0 injected=0' -- "$DMFAIL" write "$img" 4096 65536
[[ $(md5sum <"$img") == "$sum" ]] && { echo "[       OK ] dmfail write leaves the content"; passed=$((passed + 1)); } ||
	{ echo "[  FAILED  ] dmfail write changed the file"; failed=$((failed + 1)); }
run "dmfail read" 0 'dmfail read rc=0 injected=0' -- "$DMFAIL" read "$img" 0 4096
run "dmfail read past the end" 1 'dmfail read rc=5 ' -- "$DMFAIL" read "$img" $((1024 * 1024)) 4096
run "dmfail unaligned offset" 2 'usage' -- "$DMFAIL" read "$img" 100 4096
run "dmfail no command" 2 'usage' -- "$DMFAIL"
run "dmfail bad option" 2 'usage' -- "$DMFAIL" -x read "$img" 0 512
run "dmfail message needs words" 2 'usage' -- "$DMFAIL" message dev
if [[ ! -e /proc/thread-self/fail-nth ]]; then
	run "dmfail -n without fail-nth" 2 -- "$DMFAIL" -n 1 read "$img" 0 512
else
	run "dmfail -n 1000000 (never reached)" 0 'injected=0' -- "$DMFAIL" -n 1000000 read "$img" 0 512
fi
if [[ ! -e /dev/mapper/control ]]; then
	run "dmfail without device-mapper" 2 -- "$DMFAIL" message nosuchdev remap 0
fi
echo "RESULT $passed $failed"
