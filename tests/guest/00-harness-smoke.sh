#!/bin/bash
# needs: none
# timeout: 300
# Proves the guest environment of the VM harness (tests/vm): device-mapper,
# loop devices, udev-less dmsetup, O_DIRECT I/O with coreutils dd, debugfs,
# fio.  Does not need dm_remap.ko.
set -euo pipefail

: "${TEST_TMPDIR:=$(mktemp -d)}"
export DM_DISABLE_UDEV=1
DM_NAME=smoke-linear-$$
loops=()

cleanup() {
	set +e
	dmsetup remove "$DM_NAME" 2>/dev/null
	for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
	rm -f "$TEST_TMPDIR"/back*.img "$TEST_TMPDIR"/pattern "$TEST_TMPDIR"/readback
}
trap cleanup EXIT

step() { echo "== $*"; }

step "kernel $(uname -r)"
modprobe dm-mod
modprobe loop
[[ -c /dev/mapper/control ]] || { echo "no /dev/mapper/control"; exit 1; }

step "debugfs mounted"
grep -q ' /sys/kernel/debug debugfs ' /proc/mounts
[[ -d /sys/kernel/debug/block ]]

step "two loop devices (8 MiB each)"
for i in 0 1; do
	truncate -s 8M "$TEST_TMPDIR/back$i.img"
	loops+=("$(losetup -f --show "$TEST_TMPDIR/back$i.img")")
done
echo "loops: ${loops[*]}"
s0=$(blockdev --getsz "${loops[0]}")
s1=$(blockdev --getsz "${loops[1]}")

step "dm-linear spanning both"
dmsetup create "$DM_NAME" <<TABLE
0 $s0 linear ${loops[0]} 0
$s0 $s1 linear ${loops[1]} 0
TABLE
dev=/dev/mapper/$DM_NAME
[[ -b $dev ]] || { echo "$dev missing (udev-less node creation failed)"; exit 1; }
dmsetup table "$DM_NAME"
[[ $(blockdev --getsz "$dev") == $((s0 + s1)) ]]

step "O_DIRECT write/read across the boundary"
# 4 MiB pattern starting 2 MiB before the end of the first loop device
head -c $((4 << 20)) /dev/urandom >"$TEST_TMPDIR/pattern"
seek=$(((s0 * 512 - (2 << 20)) / 4096))
/usr/bin/dd if="$TEST_TMPDIR/pattern" of="$dev" bs=4096 seek="$seek" oflag=direct conv=fsync status=none
/usr/bin/dd if="$dev" of="$TEST_TMPDIR/readback" bs=4096 skip="$seek" count=1024 iflag=direct status=none
cmp "$TEST_TMPDIR/pattern" "$TEST_TMPDIR/readback"
# the second half must be on the second loop device, at offset 0
cmp -n $((2 << 20)) <(tail -c $((2 << 20)) "$TEST_TMPDIR/pattern") "$TEST_TMPDIR/back1.img"

step "fio verify on the dm device"
fio --name=smoke --filename="$dev" --direct=1 --rw=randwrite --bs=4k --size=4M \
	--ioengine=psync --verify=crc32c --verify_fatal=1 --do_verify=1 \
	--output-format=terse --minimal >/dev/null

step "remove"
dmsetup remove "$DM_NAME"
for l in "${loops[@]}"; do losetup -d "$l"; done
loops=()
dmsetup ls | grep -q "$DM_NAME" && { echo "device still present"; exit 1; }
echo "smoke OK"
