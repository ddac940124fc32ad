#!/bin/bash
# Measure parts of dm-remap's fixed per-bio cost: fio 4k QD1 on null_blk
# through dm-linear, dm-remap (default), dm-remap no_auto_remap, dm-linear #2.
set -euo pipefail
export DM_DISABLE_UDEV=1
P=/var/tmp/exp
OUT=$VM_RESULTS
DEV_SECTORS=$((8 << 30))
modprobe dm-mod
insmod $P/$MOD.ko
modprobe null_blk nr_devices=0
mk() { local d=/sys/kernel/config/nullb/$1; mkdir $d; echo 512 >$d/blocksize; echo $2 >$d/size; echo 0 >$d/memory_backed; echo 2 >$d/queue_mode; echo 0 >$d/irqmode; echo 1 >$d/power; }
mk nbmain $((DEV_SECTORS / 2048)); mk nbspare $((DEV_SECTORS / 2048))
dmsetup create lin --table "0 $DEV_SECTORS linear /dev/nbmain 0"
dmsetup create r0 --table "0 $DEV_SECTORS remap /dev/nbmain 0 /dev/nbspare 0 2097152 3 unit_sectors 8 volatile"
dmsetup create r0na --table "0 $DEV_SECTORS remap /dev/nbmain 0 /dev/nbspare 2097152 2097152 4 unit_sectors 8 volatile no_auto_remap"
dmsetup create lin2 --table "0 $DEV_SECTORS linear /dev/nbmain 0"
devs=(lin r0 r0na lin2)
for wl in randread randwrite; do
 for r in 1 2 3 4 5 6; do
  order=("${devs[@]}"); ((r % 2)) || order=(lin2 r0na r0 lin)
  f=$OUT/$wl-r$r.fio
  { echo "[global]"; echo "direct=1"; echo "rw=$wl"; echo "bs=4k"; echo "ioengine=psync"; echo "size=1073741824"; echo "offset=0"; echo "time_based=1"; echo "runtime=500ms"; echo "randrepeat=1"; echo "randseed=4242"; echo "norandommap=1"; echo "stonewall"
    for d in "${order[@]}"; do echo "[$d]"; echo "filename=/dev/mapper/$d"; done; } >$f
  fio --output-format=json --output=${f%.fio}.json $f >/dev/null
  python3 -c "
import json,sys
j=json.load(open('${f%.fio}.json'))
for x in j['jobs']: print('$MOD $wl $r', x['jobname'], x['read']['iops'] or x['write']['iops'])
" >> $OUT/iops.txt
 done
done
cat $OUT/iops.txt
