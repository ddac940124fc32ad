#!/bin/bash
# Remaps survive a reboot: two VM boots over the same disk images (host
# files attached as virtio disks).  Prints "N passed, N failed".
# DM_REMAP_KO: the module to load (default ./dm_remap.ko).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
d=$(mktemp -d /var/tmp/dm-remap-reboot.XXXXXX)
trap 'rm -rf "$d"' EXIT
truncate -s 32M "$d/main.img"
truncate -s 8M "$d/spare.img"
run() {
	tests/vm/vm-run.sh --quiet --timeout 600 --disk "$d/main.img" \
		--disk "$d/spare.img" --env "DM_REMAP_KO=${DM_REMAP_KO:-$PWD/dm_remap.ko}" \
		-- "$PWD/tests/host/reboot-guest.sh" "$1" \
		> "$d/boot$1.log" 2>&1
}
fail() { echo "reboot-persistence: $*"; echo "0 passed, 1 failed"; exit 1; }
run 1 || { cat "$d/boot1.log"; fail "first boot failed"; }
run 2 || { cat "$d/boot2.log"; fail "second boot failed"; }
grep '^LIST ' "$d/boot1.log" > "$d/l1"
grep '^LIST ' "$d/boot2.log" > "$d/l2"
[[ $(wc -l < "$d/l1") == 10 ]] || { cat "$d/boot1.log"; fail "first boot: expected 10 remapped units"; }
cmp -s "$d/l1" "$d/l2" || { diff "$d/l1" "$d/l2"; fail "the remap table changed across the reboot"; }
# The scrub the first boot's power-off interrupted went on from its
# periodic checkpoint (not from 0, not past where it was) and ended.
read -r _ st1 p1 <<<"$(grep '^SCRUB1 ' "$d/boot1.log")"
p2=$(sed -n 's/^SCRUB2 .*running at sector \([0-9]*\) (checkpoint).*/\1/p' "$d/boot2.log")
[[ $st1 == running && -n $p2 ]] || { cat "$d/boot1.log" "$d/boot2.log"; fail "no scrub checkpoint found at the second boot"; }
((p2 > 0 && p2 <= p1)) || fail "the second boot's scrub went on from sector $p2; the first was at $p1"
len=$(($(stat -c %s "$d/main.img") / 512))
grep -q "^SCRUB2 idle 1 $len $len$" "$d/boot2.log" || { grep '^SCRUB' "$d/boot2.log"; fail "the scrub did not end after the second boot"; }
echo "reboot-persistence: the scrub was at sector $p1 at power-off, went on from its checkpoint at $p2 and ended"
echo "reboot-persistence: $(wc -l < "$d/l2") remaps and all data found after a second boot"
grep '^STATUS ' "$d/boot2.log"
echo "1 passed, 0 failed"
