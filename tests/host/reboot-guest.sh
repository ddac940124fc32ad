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
stat() { dmsetup message rb 0 stats | awk -v k="$1" '$1 == k {print $2}'; }
if [[ $1 == 1 ]]; then
	# A scrub the power-off interrupts: no remove, no suspend, so the
	# next boot finds only its periodic checkpoint (every 5 s).
	dmsetup message rb 0 scrub_rate 1024
	dmsetup message rb 0 scrub start
	sleep 7
	echo "SCRUB1 $(stat scrub_state) $(stat scrub_position)"
	echo "stage $1 done"
	exit 0
fi
# The scrub goes on from the checkpoint, and ends.
dmesg | grep "scrub of sectors .* (checkpoint)" | sed 's/^/SCRUB2 /'
for ((i = 0; i < 600; i++)); do
	[[ $(stat scrub_state) == idle ]] && break
	sleep 0.1
done
echo "SCRUB2 $(stat scrub_state) $(stat scrub_passes) $(stat scrub_position) $(stat scrub_end)"
dmsetup remove rb
echo "stage $1 done"
