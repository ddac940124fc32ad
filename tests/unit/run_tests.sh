#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run each cmocka test binary given as an argument and add up the results.
# Each binary prints "RESULT <passed> <failed>" last (see test_common.h).
# A binary that dies before printing it (sanitizer report, crash) counts
# the tests it did not finish as failed, and at least one.
# Last line: "<N> passed, <N> failed"; exit status 1 when N failed > 0.

passed=0
failed=0
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp"' EXIT INT TERM

for bin in "$@"; do
	name=$(basename "$bin")
	echo "=== $name"
	"$bin" >"$tmp" 2>&1
	rc=$?
	cat "$tmp"
	res=$(grep '^RESULT [0-9][0-9]* [0-9][0-9]*$' "$tmp" | tail -n 1)
	if [ -n "$res" ]; then
		p=$(echo "$res" | cut -d' ' -f2)
		f=$(echo "$res" | cut -d' ' -f3)
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1	# exited badly after its tests (leak report...)
		fi
	else
		ok=$(grep -c '^\[       OK \]' "$tmp")
		run=$(grep -c '^\[ RUN      \]' "$tmp")
		p=$ok
		f=$((run - ok))
		[ "$f" -lt 1 ] && f=1
		echo "*** $name died (exit status $rc) without a result"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
