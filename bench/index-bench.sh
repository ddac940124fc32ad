#!/bin/bash
# "make bench-index": instructions per operation of the core remap index at
# 1,000 / 100,000 / 1,000,000 scattered entries, counted by callgrind
# (repeatable: the same binary and inputs give the same counts).  Writes
# bench/results/index.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || apt-get install -y -q valgrind
out=build/bench
mkdir -p "$out" bench/results
# insert one: remap_index_insert_copy, which only the tests keep now
# (tests/unit/core_test_only.c, over core's public functions).
gcc -O2 -g -Wall -Wextra -Werror -Icore -Itests/unit -o "$out/index_bench" \
	bench/index_bench.c core/*.c tests/unit/core_test_only.c
per() { # per N OP: instructions per operation
	local n=$1 op=$2 div f ir
	case $op in lookup | run) div=100000 ;; insert) div=100 ;; merge) div=1 ;; esac
	f=$out/cg.$n.$op
	valgrind --tool=callgrind --callgrind-out-file="$f" \
		--toggle-collect="bench_$op" "$out/index_bench" "$n" "$op" >/dev/null 2>"$f.err" ||
		{ cat "$f.err" >&2; exit 1; }
	ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$f")
	echo $((ir / div))
}
{
	echo "# Core index: instructions per operation (callgrind)"
	echo
	echo "$(date -u +%Y-%m-%d), $(gcc --version | head -1), -O2, $(uname -m)."
	echo "Entries are logical units spread at random over 2^28 units; the index"
	echo "is a sorted array of 16-byte entries (core/remap_index.h)."
	echo
	echo "| entries | lookup | run (8-unit window) | insert one (copy) | merge N/10 |"
	echo "| ---: | ---: | ---: | ---: | ---: |"
	for n in 1000 100000 1000000; do
		echo "| $n | $(per $n lookup) | $(per $n run) | $(per $n insert) | $(per $n merge) |"
	done
	echo
	echo "lookup and run are what the I/O path pays per bio (the fast path with no"
	echo "remaps skips them entirely); insert is one entry copied in (the tests'"
	echo "helper); merge is what remap messages and bulk loads do."
	echo "insert and merge are dominated by copying the array; glibc copies large"
	echo "blocks with rep movsb, which callgrind counts as far fewer instructions"
	echo "than bytes moved, so the 1,000,000 insert (a 16 MB copy) reads low: compare"
	echo "merge, whose loop is the core's own code."
} > bench/results/index.md
cat bench/results/index.md
