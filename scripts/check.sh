#!/bin/bash
# The whole test suite, as "make check" and CI run it:
#   1. install what is missing (tests/vm/setup.sh: qemu, Debian's 6.1 and
#      6.12 kernels and headers, fio, cmocka, clang, ...), build the tools;
#   2. host: unit tests of core/ under ASan+UBSan, fuzzers over their corpora;
#      make install DESTDIR=... against its documented tree for the first
#      kernel (tests/host/install-tree.sh; make check-install does both
#      kernels), the man pages (scripts/check-man.sh) and the one version
#      (scripts/check-version.sh);
#   then for each guest kernel (6.1 and 6.12, side by side when the host
#   has a core for each: each VM has one vCPU):
#   3. build dm_remap.ko for it in build/ko/<kver>/ and the test-only
#      modules (tests/kmod: dm-faultseq.ko) in build/kmod/<kver>/; guest: every
#      tests/guest test on the real module, in QEMU (TCG), each result line
#      named <kernel>/<test>;
#   4. host: two VM boots of it over the same disk images (tests/host).
# Ends with "N passed, N failed" over all parts and kernels; exit 0 only if
# none failed.  ./dm_remap.ko is left built for the first kernel.
#
# Environment: CHECK_KVERS (guest kernels: series such as 6.12, meaning the
# newest installed Debian -amd64 kernel of it, or full versions; default
# "6.1 6.12", or $KVER alone when KVER is set), SKIP_SETUP=1, GUEST_TESTS (a
# space-separated list of guest test files instead of all of them),
# CHECK_PARALLEL=0|1 (kernels one after the other / side by side; default:
# side by side when nproc >= the number of kernels).
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
step "build tools and test tools" make -s tools test-tools || {
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

echo "=== host: make install tree, man pages, version"
first=${CHECK_KVERS:-${KVER:-6.1 6.12}}
first=${first%% *}
INSTALL_KVERS=$first tests/host/install-tree.sh > "$logs/install-tree.log" 2>&1
cat "$logs/install-tree.log"
add_counts "$logs/install-tree.log" "install tree ($first)"
{ make -s --no-print-directory man && scripts/check-man.sh; } > "$logs/man.log" 2>&1
grep -v '^PASS' "$logs/man.log"
add_counts "$logs/man.log" "man pages"
scripts/check-version.sh tools/remapctl/remapctl > "$logs/version.log" 2>&1
grep -v '^PASS' "$logs/version.log"
add_counts "$logs/version.log" "version"

# resolve_kver SERIES|VERSION: the installed kernel it names, or nothing.
resolve_kver() {
	if [[ -e /boot/vmlinuz-$1 ]]; then
		echo "$1"
		return
	fi
	find /boot -maxdepth 1 -name "vmlinuz-$1.*-amd64" ! -name '*-cloud-*' \
		! -name '*-rt-*' -printf '%f\n' 2>/dev/null |
		sed 's/^vmlinuz-//' | sort -V | tail -n 1
}

# build_ko KVER: dm_remap.ko for KVER in build/ko/KVER/ (a scratch copy of
# the sources, so that the kernels' builds and runs do not share one
# ./dm_remap.ko).
build_ko() {
	local dir=build/ko/$1
	rm -rf "$dir"
	mkdir -p "$dir/kernel" "$dir/core"
	cp Kbuild "$dir/"
	cp kernel/*.[ch] "$dir/kernel/"
	cp core/*.[ch] "$dir/core/"
	make -s -C "/lib/modules/$1/build" M="$PWD/$dir" modules >"$dir/build.log" 2>&1 ||
		{ cat "$dir/build.log"; return 1; }
}

# run_kernel LABEL KVER: the guest suite, then the reboot test, on that
# kernel with its module; output in $logs/guest-LABEL.log and
# $logs/reboot-LABEL.log, times in $logs/time-LABEL.
run_kernel() {
	local label=$1 kver=$2 t0=$SECONDS t1
	# shellcheck disable=SC2086
	DM_REMAP_KO=$PWD/build/ko/$kver/dm_remap.ko SKIP_SETUP=1 KVER=$kver \
		tests/vm/run-guest-suite.sh ${GUEST_TESTS:-} 2>&1 |
		sed -u -E "s/^(PASS|FAIL|SKIP) /\1 $label\//" > "$logs/guest-$label.log"
	t1=$SECONDS
	DM_REMAP_KO=$PWD/build/ko/$kver/dm_remap.ko KVER=$kver \
		tests/host/reboot-persistence.sh > "$logs/reboot-$label.log" 2>&1
	echo "$label ($kver): guest tests $((t1 - t0)) s, reboot test $((SECONDS - t1)) s" > "$logs/time-$label"
}

# The kernels run side by side (each VM has one vCPU) when the host has a
# core for each, one after the other otherwise (CHECK_PARALLEL=0 forces it).
# shellcheck disable=SC2206
kvers=(${CHECK_KVERS:-${KVER:-6.1 6.12}})
parallel=${CHECK_PARALLEL:-$(( $(nproc) >= ${#kvers[@]} ))}
labels=() jobs=()
for label in "${kvers[@]}"; do
	kver=$(resolve_kver "$label")
	if [[ -z $kver ]]; then
		echo "check: no installed kernel $label (tests/vm/setup.sh installs 6.1 and 6.12): counted as 1 failure"
		failed=$((failed + 1))
		continue
	fi
	step "build dm_remap.ko for $kver (build/ko/$kver)" build_ko "$kver" || continue
	step "build the test modules for $kver (build/kmod/$kver)" \
		scripts/build-test-kmod.sh "$kver" || continue
	vermagic=$(modinfo -F vermagic "build/ko/$kver/dm_remap.ko" 2>/dev/null | awk '{print $1}')
	if [[ $vermagic != "$kver" ]]; then
		echo "check: dm_remap.ko is built for '$vermagic', not $kver: counted as 1 failure"
		failed=$((failed + 1))
		continue
	fi
	labels+=("$label")
	echo "=== guest ($label): tests on the real module in QEMU, kernel $kver, then a second boot over the same disk images"
	if ((parallel)); then
		run_kernel "$label" "$kver" &
		jobs+=($!)
	else
		run_kernel "$label" "$kver"
	fi
done
# Progress while the kernels run: results so far, once a minute.
while ((${#jobs[@]})) && kill -0 "${jobs[@]}" 2>/dev/null; do
	sleep 60
	line=
	for label in "${labels[@]}"; do
		line+=" $label: $(grep -cE '^(PASS|FAIL|SKIP) ' "$logs/guest-$label.log" 2>/dev/null || echo 0) results;"
	done
	echo "check: $((SECONDS - start)) s:$line"
done
((${#jobs[@]})) && wait "${jobs[@]}"
times=()
for label in "${labels[@]}"; do
	echo "=== guest ($label)"
	cat "$logs/guest-$label.log"
	add_counts "$logs/guest-$label.log" "guest tests ($label)"
	echo "=== host ($label): a second boot over the same disk images"
	cat "$logs/reboot-$label.log"
	add_counts "$logs/reboot-$label.log" "reboot persistence ($label)"
	[[ -f $logs/time-$label ]] && times+=("$(cat "$logs/time-$label")")
done
# ./dm_remap.ko, where the README's quick start loads it: the first kernel's.
if [[ -n $(resolve_kver "${kvers[0]}") ]]; then
	make -s module KVER="$(resolve_kver "${kvers[0]}")" >/dev/null 2>&1 ||
		echo "check: note: building ./dm_remap.ko for ${kvers[0]} failed"
fi

for t in "${times[@]}"; do echo "check: $t"; done
echo "check: took $((SECONDS - start)) s; logs in $logs"
if ((skipped)); then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
((failed == 0))
