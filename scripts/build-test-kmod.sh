#!/bin/bash
# Build the test-only kernel modules of tests/kmod (dm-faultseq.ko, the
# count-based fault injection target the guest tests load) for each kernel
# into build/kmod/<kernel release>/, from a scratch copy of the sources as
# scripts/check.sh builds dm_remap.ko into build/ko/<kver>/.
#
#   scripts/build-test-kmod.sh [KVER...]     installed kernels: a full
#       version (6.12.118+deb12-amd64) or a series (6.12: the newest
#       installed Debian -amd64 kernel of it); default "6.1 6.12"
#   scripts/build-test-kmod.sh --kdir DIR    against a kernel build tree
#       (the debug kernel's); the release is read from DIR
#
# W=1 in the environment is passed on.  Prints the path of each module;
# exit 1 if any build failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

resolve() {
	if [[ -f /lib/modules/$1/build/Makefile ]]; then echo "$1"; return; fi
	find /boot -maxdepth 1 -name "vmlinuz-$1.*-amd64" ! -name '*-cloud-*' ! -name '*-rt-*' \
		-printf '%f\n' 2>/dev/null | sed 's/^vmlinuz-//' | sort -V | tail -n 1
}

# build KDIR KVER
build() {
	local kdir=$1 kver=$2 dir=build/kmod/$2
	rm -rf "$dir"
	mkdir -p "$dir"
	cp tests/kmod/Kbuild tests/kmod/*.c "$dir/"
	if ! make -C "$kdir" M="$PWD/$dir" ${W:+W=$W} modules >"$dir/build.log" 2>&1; then
		cat "$dir/build.log" >&2
		echo "build-test-kmod: $kver: build failed" >&2
		return 1
	fi
	if grep -qE 'warning:|WARNING:' "$dir/build.log"; then
		grep -E 'warning:|WARNING:' "$dir/build.log" >&2
		echo "build-test-kmod: $kver: warnings (log $dir/build.log)" >&2
		return 1
	fi
	echo "$PWD/$dir/dm-faultseq.ko"
}

rc=0
if [[ ${1:-} == --kdir ]]; then
	kdir=${2:?--kdir DIR}
	kver=$(cat "$kdir/include/config/kernel.release" 2>/dev/null) ||
		{ echo "build-test-kmod: no kernel.release in $kdir" >&2; exit 1; }
	build "$kdir" "$kver" || rc=1
	exit $rc
fi
(($#)) || set -- 6.1 6.12
for label in "$@"; do
	kver=$(resolve "$label")
	if [[ -z $kver || ! -f /lib/modules/$kver/build/Makefile ]]; then
		echo "build-test-kmod: $label: no installed kernel headers (tests/vm/setup.sh installs them)" >&2
		rc=1
		continue
	fi
	build "/lib/modules/$kver/build" "$kver" || rc=1
done
exit $rc
