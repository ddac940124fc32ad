#!/bin/bash
# The demonstration, run inside the QEMU guest by scripts/demo.sh: the seed
# README's quick start and "simulating failures" walk-through on loop
# devices, with the table, status and debugfs shown at each step; then a
# disk whose sectors go bad on their own, remapped automatically.
set -euo pipefail
export DM_DISABLE_UDEV=1
REPO=$(cd "$(dirname "$0")/.." && pwd)
DD=/usr/bin/dd

# run CMD...: show the command, then run it (the header goes to stderr so
# that it stays out of pipes).
run() { echo >&2; echo "\$ $*" >&2; "$@"; }

cd "$REPO"
modprobe dm-mod
modprobe loop
run insmod dm_remap.ko

# Step 3 of the quick start: loop devices and the safe wrapper.
truncate -s 50M /tmp/primary.img
truncate -s 50M /tmp/spare.img
run losetup /dev/loop0 /tmp/primary.img
run losetup /dev/loop1 /tmp/spare.img
rc=0
run ./remap_create_safe.sh main_dev=/dev/loop0 spare_dev=/dev/loop1 dm_name=my_remap || rc=$?
echo "(remap_create_safe.sh exit code $rc: 0 = no adjustments, 1 = adjusted)"
((rc <= 1))
run dmsetup table my_remap
run dmsetup status my_remap

echo
echo "# Write something recognisable at sector 4096, then remap that sector:"
echo "# the unit's data is copied to the spare before the switch."
printf 'dm-remap demo: this sector was rescued\n' |
	$DD of=/dev/mapper/my_remap bs=512 seek=4096 conv=sync,notrunc oflag=direct status=none
run dmsetup message my_remap 0 remap 4096
run dmsetup message my_remap 0 remap 2048 8
run dmsetup message my_remap 0 list
run cat /sys/kernel/debug/dm_remap/remap_table
run dmsetup status my_remap

echo
echo "# Reading sector 4096 through the target now reads the spare unit:"
run $DD if=/dev/mapper/my_remap bs=512 skip=4096 count=1 iflag=direct status=none | hexdump -C | head -3
spare_sector=$(dmsetup message my_remap 0 list | awk '$1 == 4096 {print $2}')
echo
echo "# ... which is sector $spare_sector of the spare device:"
run $DD if=/dev/loop1 bs=512 skip="$spare_sector" count=1 iflag=direct status=none | hexdump -C | head -3

echo
echo "# Writes to a remapped sector land on the spare; the main device is bypassed:"
run $DD if=/dev/zero of=/dev/mapper/my_remap bs=512 seek=4096 count=1 oflag=direct status=none
run $DD if=/dev/loop0 bs=512 skip=4096 count=1 iflag=direct status=none | hexdump -C | head -2
run $DD if=/dev/mapper/my_remap bs=512 skip=4096 count=1 iflag=direct status=none | hexdump -C | head -2

echo
echo "# A short fio run with verification across the remapped sectors:"
cd /tmp	# fio writes its verify state file in the working directory
run fio --name=remap_test --filename=/dev/mapper/my_remap --direct=1 \
	--rw=randrw --bs=4k --size=8M --verify=crc32c --numjobs=1 \
	--group_reporting --output=/tmp/fio.out
grep -E '^ *(READ|WRITE):|err=' /tmp/fio.out
cd "$REPO"

echo
echo "# Refusals are precise: remapping a remapped sector changes nothing."
dmsetup message my_remap 0 remap 4096 || true
dmesg | grep 'remap:' | tail -1

run dmsetup message my_remap 0 unremap 4096
run dmsetup message my_remap 0 clear
run dmsetup status my_remap
run dmsetup remove my_remap
losetup -d /dev/loop0 /dev/loop1

echo
echo "# A disk that goes bad on its own: the main device is a dm-linear table"
echo "# in which sectors 10000-10007 are swapped for dm-error (reads and writes fail)."
truncate -s 50M /tmp/bad-main.img
truncate -s 8M /tmp/bad-spare.img
losetup /dev/loop0 /tmp/bad-main.img
losetup /dev/loop1 /tmp/bad-spare.img
n=$(blockdev --getsz /dev/loop0)
dmsetup create failing --table "0 $n linear /dev/loop0 0"
run ./remap_create_safe.sh main_dev=/dev/mapper/failing spare_dev=/dev/loop1 \
	dm_name=rescue unit_sectors=8 >/dev/null || (($? == 1))
printf '0 10000 linear /dev/loop0 0\n10000 8 error\n10008 %s linear /dev/loop0 10008\n' \
	$((n - 10008)) | dmsetup reload failing
dmsetup resume failing
run dmsetup table failing
echo
echo "# A write to the bad sectors succeeds: the target remaps the unit itself."
run $DD if=/dev/urandom of=/dev/mapper/rescue bs=4096 seek=1250 count=1 oflag=direct status=none
run dmsetup message rescue 0 list
echo
echo "# Sectors 20000-20007 go bad too; reading them fails (after 3 retries)"
echo "# and the unit becomes pending: the next write to it remaps it."
printf '0 10000 linear /dev/loop0 0\n10000 8 error\n10008 9992 linear /dev/loop0 10008\n20000 8 error\n20008 %s linear /dev/loop0 20008\n' \
	$((n - 20008)) | dmsetup reload failing
dmsetup resume failing
run $DD if=/dev/mapper/rescue of=/dev/null bs=4096 skip=2500 count=1 iflag=direct status=none ||
	echo "(read failed, as a failing disk's read does)"
run dmsetup status rescue
run $DD if=/dev/zero of=/dev/mapper/rescue bs=4096 seek=2500 count=1 oflag=direct status=none
run dmsetup message rescue 0 stats
dmesg | grep 'remap:' | tail -4
run dmsetup remove rescue
dmsetup remove failing
losetup -d /dev/loop0 /dev/loop1
run rmmod dm_remap
echo
echo "demo: done"
