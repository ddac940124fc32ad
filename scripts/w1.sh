#!/bin/bash
# make w1: build dm_remap.ko with W=1 (the kernel's extra warnings) and under
# sparse (C=2; Debian's sparse package, installed when missing) for each
# installed guest kernel series (default "6.1 6.12", W1_KVERS to change) and
# fail on any compiler, sparse or modpost warning.  Each build is a clean build in a
# scratch copy of the sources (build/w1/<kver>/), so ./dm_remap.ko is left
# alone.  Last line: "w1: OK" or "w1: FAILED (<kernels>)".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

# resolve SERIES|VERSION: the installed Debian -amd64 kernel it names.
resolve() {
	if [[ -f /lib/modules/$1/build/Makefile ]]; then echo "$1"; return; fi
	find /boot -maxdepth 1 -name "vmlinuz-$1.*-amd64" ! -name '*-cloud-*' ! -name '*-rt-*' \
		-printf '%f\n' 2>/dev/null | sed 's/^vmlinuz-//' | sort -V | tail -n 1
}

failed=()
if ! command -v sparse >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q sparse </dev/null >/dev/null 2>&1 ||
		{ apt-get update -q </dev/null >/dev/null 2>&1 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q sparse </dev/null >/dev/null 2>&1; }
fi
CHECK=()
if command -v sparse >/dev/null 2>&1; then
	CHECK=(C=2)
else
	echo "w1: sparse: not installed and could not be installed"
	failed+=(sparse)
fi
# shellcheck disable=SC2206
for label in ${W1_KVERS:-6.1 6.12}; do
	kver=$(resolve "$label")
	if [[ -z $kver || ! -f /lib/modules/$kver/build/Makefile ]]; then
		echo "w1: $label: no installed kernel headers (tests/vm/setup.sh installs them)"
		failed+=("$label")
		continue
	fi
	dir=build/w1/$kver
	rm -rf "$dir"
	mkdir -p "$dir/kernel" "$dir/core"
	cp Kbuild "$dir/"
	cp kernel/*.[ch] "$dir/kernel/"
	cp core/*.[ch] "$dir/core/"
	log=$dir/build.log
	if ! make -C "/lib/modules/$kver/build" M="$PWD/$dir" W=1 "${CHECK[@]}" modules >"$log" 2>&1; then
		cat "$log"
		echo "w1: $kver: build failed"
		failed+=("$label")
		continue
	fi
	if grep -E 'warning:|WARNING:' "$log"; then
		echo "w1: $kver: $(grep -cE 'warning:|WARNING:' "$log") warning(s) at W=1 ${CHECK[*]} (log $log)"
		failed+=("$label")
	else
		echo "w1: $kver: no warnings at W=1 ${CHECK[*]} ($(grep -c 'CC \[M\]' "$log") objects compiled)"
	fi
done
# The test-only modules (tests/kmod) too, for the same kernels.
# shellcheck disable=SC2086
if W=1 scripts/build-test-kmod.sh ${W1_KVERS:-6.1 6.12} >/dev/null; then
	echo "w1: tests/kmod: no warnings at W=1"
else
	echo "w1: tests/kmod: warnings or a failed build at W=1"
	failed+=(tests/kmod)
fi
if ((${#failed[@]})); then
	echo "w1: FAILED (${failed[*]})"
	exit 1
fi
echo "w1: OK"
