#!/bin/bash
# Host side: boot the test VM and run the guest tests (tests/guest/[0-9]*.sh,
# or the given test files) with tests/vm/guest-runner.sh.
#
# Usage: run-guest-suite.sh [--kver V | --kernel-dir DIR] [--results DIR]
#                           [--timeout SEC] [--mem MB] [--cpus N] [--icount]
#                           [--append KERNEL-ARGS] [TEST...]
# --kernel-dir DIR: a self-built kernel (tests/vm/debug-kernel/build.sh; see
# vm-run.sh --kernel-dir; env VM_KERNEL_DIR).
# Environment: SKIP_SETUP=1 (do not run setup.sh), KVER, VM_TIMEOUT (default
# 3600), TEST_TIMEOUT (per test, default 600), TEST_TIMEOUT_SCALE (multiplies
# every test's timeout, for slow debug kernels; default 1), DM_REMAP_KO
# (module path), DM_REMAP_KO_PARAMS (insmod parameters), STRESS_SECONDS,
# TORTURE_SECONDS, TORTURE_SEED, TORTURE_ARGS (80-torture.sh), FI_POINTS, FI_RANDOM_OPS, FI_RANDOM_NTH (60-fault-injection.sh),
# KMEMLEAK_ALLOW (known kernel leaks); all passed on to the guest.
# Prints the per-test lines and `N passed, N failed[, N skipped]`; exits 1 if
# any test failed or the VM crashed / timed out (the test that was running and
# all tests not run then count as failed).
set -uo pipefail
{ # the whole script is parsed before it runs: editing it meanwhile is safe
VM_LOG_PREFIX=run-guest-suite
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kver=${KVER:-} kdir=${VM_KERNEL_DIR:-} results='' timeout=${VM_TIMEOUT:-3600} vmopts=()
while (($#)); do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--kernel-dir) kdir=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--mem | --cpus | --disk | --append) vmopts+=("$1" "$2"); shift 2 ;;
	--icount) vmopts+=("$1"); shift ;;
	-h | --help) sed -n '2,17p' "$0"; exit 0 ;;
	--) shift; break ;;
	-*) vm_die "unknown option: $1" ;;
	*) break ;;
	esac
done

if [[ ${SKIP_SETUP:-0} != 1 ]]; then
	"$VM_DIR/setup.sh" || vm_die "setup.sh failed"
fi
if [[ -n $kdir ]]; then
	[[ -f $kdir/kernel.release ]] || vm_die "--kernel-dir $kdir: no kernel.release (tests/vm/debug-kernel/build.sh builds one)"
	kver=$(<"$kdir/kernel.release")
	vmopts+=(--kernel-dir "$kdir")
else
	kver=$(vm_resolve_kver "$kver") || exit 125
	vmopts+=(--kver "$kver")
fi

# Tests, as absolute paths; directories the guest cannot see get shared.
tests=()
if (($#)); then
	for t in "$@"; do
		[[ -f $t ]] || vm_die "no such test: $t"
		tests+=("$(cd "$(dirname "$t")" && pwd -P)/$(basename "$t")")
	done
else
	shopt -s nullglob
	tests=("$VM_REPO"/tests/guest/[0-9]*.sh)
	shopt -u nullglob
fi
((${#tests[@]})) || vm_die "no tests found"
shares=()
vm_is_masked "$VM_REPO" && shares+=(--share "$VM_REPO")
for t in "${tests[@]}"; do
	vm_is_masked "$t" && shares+=(--share "$(dirname "$t")")
done

[[ -n ${DM_REMAP_KO:-} && -f ${DM_REMAP_KO:-} ]] && DM_REMAP_KO=$(cd "$(dirname "$DM_REMAP_KO")" && pwd -P)/$(basename "$DM_REMAP_KO")
[[ -n ${DM_REMAP_KO:-} ]] && vm_is_masked "$DM_REMAP_KO" && shares+=(--share "$(dirname "$DM_REMAP_KO")")
envs=()
for v in TEST_TIMEOUT TEST_TIMEOUT_SCALE DM_REMAP_KO DM_REMAP_KO_PARAMS STRESS_SECONDS TORTURE_SECONDS TORTURE_SEED TORTURE_ARGS FI_POINTS FI_RANDOM_OPS FI_RANDOM_NTH KMEMLEAK_ALLOW; do
	[[ -n ${!v:-} ]] && envs+=(--env "$v=${!v}")
done

if [[ -z $results ]]; then
	results=/tmp/dm-remap-vm-results-$(date +%Y%m%d-%H%M%S)
	[[ -e $results ]] && results=$(mktemp -d "$results-XXXX")
fi
mkdir -p "$results"
results=$(cd "$results" && pwd)
rm -f "$results"/{results.tsv,summary.txt,plan.txt,current}
echo "run-guest-suite: kernel $kver, ${#tests[@]} test(s), results in $results"
if [[ ! -f ${DM_REMAP_KO:-$VM_REPO/dm_remap.ko} ]]; then
	echo "run-guest-suite: note: dm_remap.ko not built; only tests with '# needs: none' can pass"
fi

"$VM_DIR/vm-run.sh" --results "$results" --timeout "$timeout" \
	"${vmopts[@]}" "${shares[@]}" "${envs[@]}" -- "$VM_DIR/guest-runner.sh" "${tests[@]}"
vrc=$?
status=$(cat "$results/vm-status" 2>/dev/null || echo unknown)

# ---- collect ----------------------------------------------------------------
npass=0 nfail=0 nskip=0
declare -A done_=()
lines=()
if [[ -f $results/results.tsv ]]; then
	while IFS=$'\t' read -r name st _; do
		[[ -n $name ]] || continue
		done_[$name]=1
		case $st in PASS) npass=$((npass + 1)) ;; SKIP) nskip=$((nskip + 1)) ;; *) nfail=$((nfail + 1)) ;; esac
	done <"$results/results.tsv"
fi
[[ -f $results/summary.txt ]] && mapfile -t lines <"$results/summary.txt"

if [[ $status != ok ]]; then
	case $status in
	timeout) why="VM timed out after ${timeout}s" ;;
	crashed) why="guest kernel crashed or powered off" ;;
	boot-failure) why="VM failed to boot" ;;
	*) why="VM failed (status $status)" ;;
	esac
	if [[ -f $results/plan.txt ]]; then
		mapfile -t plan <"$results/plan.txt"
	else
		plan=()
		for t in "${tests[@]}"; do plan+=("$(basename "$t")"); done
	fi
	current=$(cat "$results/current" 2>/dev/null || true)
	# the first kernel crash line, to name it next to the test
	crash=$(grep -m1 -E 'Kernel panic|BUG:|Oops|general protection fault|kernel BUG' "$results/console.log" 2>/dev/null |
		sed 's/^\[[ 0-9.]*\] //' | cut -c1-160 || true)
	[[ $status == crashed && -n $crash ]] && why+=" ($crash)"
	for name in "${plan[@]}"; do
		[[ -n ${done_[$name]:-} ]] && continue
		if [[ $name == "$current" ]]; then
			lines+=("FAIL $name: $why while this test was running (see $results/console.log)")
		else
			lines+=("FAIL $name: not run ($why)")
		fi
		nfail=$((nfail + 1))
	done
elif [[ $vrc != 0 && $nfail == 0 ]]; then
	lines+=("FAIL guest-runner: exited with status $vrc without a failed test (see $results/output.log)")
	nfail=$((nfail + 1))
fi

summary="$npass passed, $nfail failed"
((nskip)) && summary+=", $nskip skipped"
echo
echo "===== guest test results ($kver) ====="
((${#lines[@]})) && printf '%s\n' "${lines[@]}"
if [[ $status != ok ]]; then
	echo "VM: $why; kernel console: $results/console.log"
fi
echo "logs: $results/tests/ (per test), $results/console.log (kernel console), $results/dmesg.log"
echo "$summary"
((nfail == 0)) && [[ $status == ok ]]
}
