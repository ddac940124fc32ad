#!/bin/bash
# Runs INSIDE the test VM (tests/packages/check-packages.sh boots it with
# tests/vm/vm-run.sh on each kernel) after the dm-remap packages were
# installed on the host: everything comes from the installed paths, nothing
# from the source tree.
#  - modprobe dm_remap finds the module DKMS installed under
#    /lib/modules/<kver>/updates/dkms through modules.dep and loads its
#    dependencies (dm-mod) first;
#  - dmsetup targets, modinfo, remapctl --version and the package agree on
#    the version;
#  - /usr/sbin/remap_create_safe.sh makes a device over loop devices; a
#    remap keeps the data; /usr/sbin/remapctl status, check and dump see it;
#    the remap comes back when the device is made again from the spare;
#  - /usr/sbin/remap_test_driver.sh runs a short single run;
#  - rmmod dm_remap.
# Prints "SMOKE OK" and exits 0, or "FAIL: ..." and exits 1.
set -euo pipefail
export DM_DISABLE_UDEV=1
[[ -n ${IN_TEST_VM:-} ]] || { echo "guest-smoke.sh: runs in the test VM only (tests/packages/check-packages.sh)" >&2; exit 2; }

kver=$(uname -r)
T=$(mktemp -d /tmp/pkg-smoke.XXXXXX)
loops=()
cleanup() {
	set +e
	dmsetup remove pkgsmoke 2>/dev/null
	for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
log() { echo "== $*"; }
fail() { echo "FAIL: $*"; exit 1; }
loaded() { [[ -d /sys/module/${1//-/_} ]]; }

log "kernel $kver: the installed module"
loaded dm_remap && fail "dm_remap is loaded before modprobe"
fn=$(modinfo -F filename dm_remap) || fail "modinfo dm_remap: not found in /lib/modules/$kver"
echo "modinfo: $fn"
[[ $fn == /lib/modules/$kver/updates/dkms/dm_remap.ko* ]] || fail "dm_remap resolves to $fn, not DKMS's /lib/modules/$kver/updates/dkms/"
grep -q '^updates/dkms/dm_remap.ko[.a-z]*:' "/lib/modules/$kver/modules.dep" || fail "no dm_remap line in modules.dep"
deps=$(modinfo -F depends dm_remap)
echo "depends: $deps"
[[ ,$deps, == *,dm-mod,* ]] || fail "dm_remap does not depend on dm-mod ($deps)"
before=()
for d in ${deps//,/ }; do loaded "$d" && before+=("$d"); done
echo "loaded before modprobe: ${before[*]:-none}"

log "modprobe dm_remap"
modprobe dm_remap || fail "modprobe dm_remap failed"
loaded dm_remap || fail "dm_remap not loaded after modprobe"
for d in ${deps//,/ }; do loaded "$d" || fail "dependency $d not loaded by modprobe"; done
echo "loaded: dm_remap and ${deps//,/ }"

log "one version"
v=$(modinfo -F version dm_remap)
t=$(dmsetup targets | awk '$1 == "remap" {print $2}')
r=$(/usr/sbin/remapctl --version)
p=$(dpkg-query -W -f '${Version}' dm-remap-dkms)
q=$(dpkg-query -W -f '${Version}' dm-remap-tools)
echo "modinfo $v, dmsetup targets $t, '$r', packages $p $q"
[[ $t == "v$v" && $r == "remapctl (dm-remap) $v" && ${p%-*} == "$v" && ${q%-*} == "$v" ]] || fail "versions disagree"

log "a device made by /usr/sbin/remap_create_safe.sh"
truncate -s 64M "$T/main.img"
truncate -s 16M "$T/spare.img"
main=$(losetup -f --show "$T/main.img")
loops+=("$main")
spare=$(losetup -f --show "$T/spare.img")
loops+=("$spare")
rc=0
/usr/sbin/remap_create_safe.sh main_dev="$main" spare_dev="$spare" dm_name=pkgsmoke logfile="$T/create.log" || rc=$?
((rc == 0 || rc == 1)) || fail "remap_create_safe.sh exited $rc"
dev=/dev/mapper/pkgsmoke
[[ -b $dev ]] || fail "$dev missing"
dmsetup table pkgsmoke

log "remap a unit that holds data; the data reads back the same"
head -c $((64 * 1024)) /dev/urandom >"$T/pattern"
/usr/bin/dd if="$T/pattern" of="$dev" bs=4096 seek=256 oflag=direct conv=fsync status=none
dmsetup message pkgsmoke 0 remap 2048
/usr/bin/dd if="$dev" of="$T/back" bs=4096 skip=256 count=16 iflag=direct status=none
cmp "$T/pattern" "$T/back" || fail "data changed by the remap"
/usr/sbin/remapctl status pkgsmoke | tee "$T/status"
grep -Eq '^remapped_units: +1$' "$T/status" || fail "remapctl status: not 1 remapped unit"

log "the remap is on the spare: remapctl check and dump, then the device again"
dmsetup remove pkgsmoke
/usr/sbin/remapctl check "$spare" || fail "remapctl check of the spare: exit $?"
/usr/sbin/remapctl dump "$spare" >"$T/dump" || fail "remapctl dump failed"
grep -q ' 2048 ' "$T/dump" || { cat "$T/dump"; fail "remapctl dump does not show sector 2048"; }
rc=0
/usr/sbin/remap_create_safe.sh main_dev="$main" spare_dev="$spare" dm_name=pkgsmoke logfile="$T/create.log" || rc=$?
((rc == 0 || rc == 1)) || fail "remap_create_safe.sh (second time) exited $rc"
/usr/bin/dd if="$dev" of="$T/back" bs=4096 skip=256 count=16 iflag=direct status=none
cmp "$T/pattern" "$T/back" || fail "data differs after re-creation"
/usr/sbin/remapctl status pkgsmoke | grep -Eq '^remapped_units: +1$' || fail "the remap did not come back from the spare"
dmsetup remove pkgsmoke
for l in "${loops[@]}"; do losetup -d "$l"; done
loops=()

log "/usr/sbin/remap_test_driver.sh single 16 3 4k"
mkdir -p "$T/drv"
/usr/sbin/remap_test_driver.sh single 16 3 4k --dm-name=pkgdrv --log-dir="$T/drv" >"$T/drv.out" 2>&1 ||
	{ tail -n 30 "$T/drv.out"; fail "remap_test_driver.sh exited $?"; }
grep -E '^(=== SUMMARY|Total added)' "$T/drv.out" || true

log "rmmod dm_remap"
rmmod dm_remap || fail "rmmod dm_remap failed"
echo "SMOKE OK ($kver)"
