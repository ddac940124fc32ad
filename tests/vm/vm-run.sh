#!/bin/bash
# Run one command inside a throw-away qemu (TCG) VM that sees the host's
# root file system read-only (virtio-9p), like virtme.
#
# Usage: vm-run.sh [options] [--] CMD [ARGS...]
#   --kver V          guest kernel version (default: $KVER or newest
#                     /boot/vmlinuz-6.1.*-amd64)
#   --kernel-dir DIR  boot a self-built kernel instead (default: $VM_KERNEL_DIR):
#                     DIR/bzImage, DIR/kernel.release and its modules in
#                     DIR/modroot/lib/modules (seen as /lib/modules in the
#                     guest), as tests/vm/debug-kernel/build.sh makes it;
#                     adds pci=noacpi to the command line
#   --disk FILE       attach FILE as a raw virtio-blk disk (/dev/vda, vdb, ...
#                     in order); repeatable; cache=writethrough
#   --mem MB          guest memory (default 1024)
#   --cpus N          guest CPUs (default 1)
#   --timeout SEC     kill the VM after SEC seconds (default 1200)
#   --results DIR     results directory (default: a new /tmp/dm-remap-vm-XXXXXX)
#   --env NAME=VALUE  export NAME=VALUE to CMD; repeatable
#   --share DIR       make host DIR visible (read-only) at the same path in the
#                     guest; only needed for dirs under /tmp, /run, /var/tmp,
#                     /root, /mnt... which the guest covers with tmpfs.  The
#                     command's directory and the cwd are shared automatically.
#   --icount          -icount shift=0,sleep=off (deterministic virtual time for
#                     benchmarks; about 3x slower; --cpus 1 only)
#   --append ARGS     extra kernel command line arguments
#   --quiet           do not print the timing/status lines
#   --fail-on-kernel-errors  exit 125 if the kernel log shows BUG/Oops/WARNING
#
# CMD is a host path (absolute, or resolved on the host's PATH) run in the
# guest chroot with bash-compatible argument passing; the working directory is
# the caller's if it exists in the guest.  In the guest the results directory
# is /run/vm-results ($VM_RESULTS).
#
# stdout: the command's stdout+stderr, streamed (also saved in output.log).
# Results dir: console.log (kernel serial console), dmesg.log (full kernel
# log after the command), output.log, qemu.log, vm-status.
# Exit: CMD's exit status; 124 on timeout; 125 when the VM failed (boot
# failure, or the guest crashed/powered off before the command finished).
set -euo pipefail
{ # the whole script is parsed before it runs: editing it meanwhile is safe
VM_LOG_PREFIX=vm-run
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kver='' kdir=${VM_KERNEL_DIR:-} mem=1024 cpus=1 timeout=1200 results='' icount=0 quiet=0 fail_kerr=0 append_extra=''
disks=() envs=() shares=()
while (($#)); do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--kernel-dir) kdir=$2; shift 2 ;;
	--disk) disks+=("$2"); shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	--env) envs+=("$2"); shift 2 ;;
	--share) shares+=("$2"); shift 2 ;;
	--icount) icount=1; shift ;;
	--append) append_extra="$append_extra $2"; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--fail-on-kernel-errors) fail_kerr=1; shift ;;
	-h | --help) sed -n '2,30p' "$0"; exit 0 ;;
	--) shift; break ;;
	-*) vm_die "unknown option: $1" ;;
	*) break ;;
	esac
done
(($#)) || vm_die "no command given (see --help)"
[[ $mem =~ ^[0-9]+$ && $cpus =~ ^[0-9]+$ && $timeout =~ ^[0-9]+$ ]] || vm_die "--mem/--cpus/--timeout need integers"
((icount && cpus > 1)) && vm_die "--icount works with --cpus 1 only (with -icount shift=0,sleep=off the guest hangs bringing up secondary CPUs under qemu 7.2 TCG)"

cmd=$1
shift
if [[ $cmd != /* ]]; then
	p=$(command -v -- "$cmd" || true)
	[[ $p == /* ]] || vm_die "command not found on the host: $cmd (give an absolute path)"
	cmd=$p
fi
[[ -e $cmd ]] || vm_die "command not found: $cmd"

command -v qemu-system-x86_64 >/dev/null || vm_die "qemu-system-x86_64 missing (run tests/vm/setup.sh)"
kdir_append=''
if [[ -n $kdir ]]; then
	[[ -f $kdir/bzImage && -f $kdir/kernel.release ]] || vm_die "--kernel-dir $kdir: no bzImage/kernel.release there (tests/vm/debug-kernel/build.sh builds one)"
	kdir=$(cd "$kdir" && pwd -P)
	kver=$(<"$kdir/kernel.release")
	[[ -d $kdir/modroot/lib/modules/$kver ]] || vm_die "--kernel-dir $kdir: no modroot/lib/modules/$kver"
	initrd=$("$VM_DIR/mkinitramfs.sh" --kver "$kver" --moddir "$kdir/modroot") || vm_die "initramfs build failed"
	kimage=$kdir/bzImage
	# a tinyconfig-based kernel: PCI interrupt routing from the BIOS tables
	# (and a log buffer that holds a whole test's worth of reports)
	kdir_append=' pci=noacpi log_buf_len=16M'
else
	kver=$(vm_resolve_kver "$kver")
	initrd=$("$VM_DIR/mkinitramfs.sh" --kver "$kver") || vm_die "initramfs build failed"
	kimage=$(vm_kernel_image "$kver")
fi

for d in "${disks[@]}"; do
	[[ -f $d || -b $d ]] || vm_die "--disk $d: no such file"
	[[ $d != *,* ]] || vm_die "--disk $d: commas are not supported in disk paths"
done

if [[ -z $results ]]; then
	results=$(mktemp -d /tmp/dm-remap-vm-XXXXXX)
else
	mkdir -p "$results"
fi
results=$(cd "$results" && pwd)
[[ $results != *,* ]] || vm_die "results path must not contain commas"
rm -rf "$results/.vm"
mkdir -p "$results/.vm"
rm -f "$results"/{console.log,output.log,dmesg.log,qemu.log,vm-status}
# output.log exists before tail follows it: were it created by qemu's
# redirection, a tail scheduled first (a loaded host) found no file and
# streamed nothing (the command's whole output missing from stdout)
: >"$results/output.log"

# Host directories hidden in the guest by its tmpfs mounts: share them.
is_masked_root() { local m; for m in "${VM_MASKED_DIRS[@]}"; do [[ $1 == "$m" ]] && return 0; done; return 1; }
if vm_is_masked "$cmd"; then
	is_masked_root "$(dirname "$cmd")" && vm_die "$cmd: the guest cannot see files directly in $(dirname "$cmd") (tmpfs there); use a subdirectory"
	shares+=("$(dirname "$cmd")")
fi
if vm_is_masked "$PWD" && ! is_masked_root "$PWD" && [[ $results != "$PWD" && $results != "$PWD"/* ]]; then
	shares+=("$PWD")
fi
: >"$results/.vm/shares"
# The self-built kernel's modules: its modroot over the guest's /lib/modules.
[[ -n $kdir ]] && echo "modules /lib/modules" >>"$results/.vm/shares"
share_args=()
[[ -n $kdir ]] && share_args+=(-virtfs "local,path=$kdir/modroot/lib/modules,mount_tag=modules,security_model=none,readonly=on,multidevs=remap")
declare -A shared=()
n=0
for d in "${shares[@]}"; do
	[[ -d $d ]] || vm_die "--share $d: not a directory"
	d=$(cd "$d" && pwd -P)
	[[ $d != *,* && $d != *' '* ]] || vm_die "--share $d: commas/spaces not supported"
	vm_is_masked "$d" || continue          # already visible through the root share
	is_masked_root "$d" && vm_die "--share $d: cannot share a whole tmpfs directory; share a subdirectory"
	[[ $d == "$results" || $results == "$d"/* ]] && vm_die "--share $d would contain the results dir"
	[[ -n ${shared[$d]:-} ]] && continue
	shared[$d]=1
	echo "share$n $d" >>"$results/.vm/shares"
	share_args+=(-virtfs "local,path=$d,mount_tag=share$n,security_model=none,readonly=on,multidevs=remap")
	n=$((n + 1))
done

# The command file run by /init in the guest chroot.
{
	echo "# generated by vm-run.sh"
	printf 'export KVER=%q VM_RESULTS=/run/vm-results VM_RESULTS_HOST=%q\n' "$kver" "$results"
	for e in "${envs[@]}"; do
		[[ $e == [A-Za-z_]*=* ]] || vm_die "--env $e: expected NAME=VALUE"
		printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"
	done
	printf 'cd %q 2>/dev/null || cd /\n' "$PWD"
	printf 'exec'
	printf ' %q' "$cmd" "$@"
	echo
} >"$results/.vm/cmd"

append="console=ttyS0 panic=-1 nokaslr mitigations=off loglevel=7 printk.devkmsg=on"
append+=" 8250.nr_uarts=2 no_timer_check tsc=unstable random.trust_cpu=on$kdir_append$append_extra"

# shellcheck disable=SC2054 # commas are qemu option syntax
qemu=(qemu-system-x86_64 -accel tcg -nographic -no-reboot -nodefaults -no-user-config
	-machine pc -cpu qemu64,-cx16 -m "$mem" -smp "$cpus"
	-kernel "$kimage" -initrd "$initrd" -append "$append"
	-monitor none
	-serial "file:$results/console.log" # ttyS0: kernel console
	-serial stdio                       # ttyS1: the command's output
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$results,mount_tag=results,security_model=none,multidevs=remap"
	"${share_args[@]}")
for d in "${disks[@]}"; do
	qemu+=(-drive "file=$d,format=raw,if=virtio,cache=writethrough")
done
# shellcheck disable=SC2054
((icount)) && qemu+=(-icount shift=0,sleep=off)
printf '%q ' "${qemu[@]}" >"$results/.vm/qemu-cmdline"

t0=$(date +%s.%N)
# qemu never touches the terminal: stdin is /dev/null; the command channel
# goes to output.log and is streamed to our stdout by tail.
"${qemu[@]}" </dev/null >"$results/output.log" 2>"$results/qemu.log" &
qpid=$!
tail -n +1 -s 0.2 --pid=$qpid -f "$results/output.log" 2>/dev/null &
tpid=$!
(
	trap 'kill $sp 2>/dev/null; exit 0' TERM
	sleep "$timeout" &
	sp=$!
	wait $sp
	touch "$results/.vm/timeout"
	kill $qpid 2>/dev/null
	sleep 5 &
	sp=$!
	wait $sp
	kill -9 $qpid 2>/dev/null
) &
wpid=$!
trap 'kill $qpid $wpid 2>/dev/null; wait $qpid 2>/dev/null; kill $tpid 2>/dev/null; echo "vm-run: interrupted" >&2; exit 130' INT TERM HUP

qrc=0
wait $qpid || qrc=$?
kill $wpid 2>/dev/null || true
wait $wpid 2>/dev/null || true
wait $tpid 2>/dev/null || true
trap - INT TERM HUP
t1=$(date +%s.%N)
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')

# Kernel problems: from the full dmesg if the guest got that far, else the
# serial console (which has everything up to a crash).
KERR_RE='BUG:|WARNING:|Oops|Call Trace|KASAN|UBSAN|general protection fault|kernel BUG|Kernel panic|possible circular locking|blocked for more than|hung_task|soft lockup|hard LOCKUP|RCU stall|rcu_sched self-detected'
klog=$results/console.log
[[ -s $results/dmesg.log ]] && klog=$results/dmesg.log
kerr=$(grep -E "$KERR_RE" "$klog" 2>/dev/null | grep -v 'vm-init:' | head -n 20 || true)

status='' rc=''
if [[ -f $results/.vm/timeout ]]; then
	status=timeout rc=124
	if [[ -f $results/.vm/started ]]; then
		vm_log "TIMEOUT: VM killed after ${timeout}s (--timeout); the command had not finished"
	else
		vm_log "TIMEOUT: the guest did not even start the command within ${timeout}s"
	fi
elif [[ -f $results/.vm/exitcode ]]; then
	status=ok rc=$(<"$results/.vm/exitcode")
elif [[ -f $results/.vm/started ]]; then
	status=crashed rc=125
	vm_log "VM FAILURE: the guest died while the command was running (qemu exit $qrc)"
else
	status=boot-failure rc=125
	vm_log "BOOT FAILURE: the guest never started the command (qemu exit $qrc)"
fi
echo "$status" >"$results/vm-status"

if [[ $status != ok ]]; then
	if [[ -s $results/qemu.log ]]; then
		vm_log "qemu stderr:"
		sed 's/^/  qemu| /' "$results/qemu.log" >&2
	fi
	vm_log "last lines of the kernel console ($results/console.log):"
	tail -n 40 "$results/console.log" 2>/dev/null | sed 's/^/  console| /' >&2 || true
fi
if [[ -n $kerr ]]; then
	vm_log "KERNEL PROBLEMS in $klog:"
	sed 's/^/  kernel| /' <<<"$kerr" >&2
	echo "$kerr" >"$results/kernel-problems.log"
fi

if ((!quiet)); then
	boot=$(cat "$results/.vm/started" 2>/dev/null || echo '?')
	fin=$(cat "$results/.vm/finished" 2>/dev/null || echo '?')
	cmdt=$(awk -v a="$boot" -v b="$fin" 'BEGIN{ if (a+0>0 && b+0>0) printf "%.1f", b-a; else print "?" }')
	vm_log "kernel $kver: guest boot-to-command ${boot}s, command ${cmdt}s, wall ${wall}s; status $status, exit $rc; results $results"
fi
if [[ $fail_kerr == 1 && -n $kerr && $rc == 0 ]]; then
	rc=125
fi
exit "$rc"
}
