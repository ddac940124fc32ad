#!/bin/bash
# Runs in the guest for tests/host/reboot-persistence.sh: stage 1 formats,
# writes and remaps on the two virtio disks; stage 2, in a new VM over the
# same disk images, recreates the device and must find everything.
set -euo pipefail
export DM_DISABLE_UDEV=1
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SECTAG=$REPO/build/sectag
modprobe dm-mod
insmod "${DM_REMAP_KO:-$REPO/dm_remap.ko}"
len=$(blockdev --getsz /dev/vda)
table="0 $len remap /dev/vda 0 /dev/vdb 0 $(blockdev --getsz /dev/vdb) 2 unit_sectors 8"
dmsetup create rb --table "$table"
if [[ $1 == 1 ]]; then
	$SECTAG write /dev/mapper/rb 0 "$len" 3 --direct
	dmsetup message rb 0 remap 0
	dmsetup message rb 0 remap 4096 64
	dmsetup message rb 0 remap $((len - 1))
	$SECTAG write /dev/mapper/rb 4096 64 5 --direct	# lands on the spare
fi
dmsetup message rb 0 list | sed 's/^/LIST /'
$SECTAG verify /dev/mapper/rb 0 4096 3 --direct
$SECTAG verify /dev/mapper/rb 4096 64 5 --direct
$SECTAG verify /dev/mapper/rb 4160 $((len - 4160)) 3 --direct
dmsetup status rb | sed 's/^/STATUS /'
dmsetup remove rb
echo "stage $1 done"
