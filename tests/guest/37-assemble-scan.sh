#!/bin/bash
# remapctl assemble --scan, identify and the --udev-match fallback on the
# real module, without remaptab and without systemd or udevd: the name the
# module records at format time, the main device's identity recorded by
# "remapctl identify" (the "identity" message), assembly from the metadata
# alone (--dry-run first: nothing created), the data and remaps back, and
# the refusals: metadata without a serial, a main device that is missing,
# one whose size does not match, two that match, metadata written before
# the identity existed (restored from a dump without it: the module loads
# it, --scan names it and refuses it), and the same metadata on two
# devices.
#
# No udevd runs in the guest, so the test writes the udev database entries
# (/run/udev/data/b<major>:<minor>: "E:ID_SERIAL=...", "E:ID_WWN=...")
# that 60-persistent-storage.rules would write for a disk with that serial
# and WWN; libudev reads them as it would on a booted system.  The real
# udev path (virtio disks with a serial) is make check-boot's scan boots.
# allow-dmesg: identity: the metadata is read-only
source "$(dirname "$0")/lib.sh"

RC=$REPO/tools/remapctl/remapctl
[[ -x $RC ]] || fail "$RC not built (make tools)"
NOTAB=$T/no-remaptab		# no such file: --scan and udev without it

devno() { printf '%d:%d' "0x$(stat -c %t "$1")" "0x$(stat -c %T "$1")"; }
_udb=()
udb() { # udb DEV SERIAL|- WWN|-: its udev database entry
	local f
	f=/run/udev/data/b$(devno "$1")
	mkdir -p /run/udev/data
	{
		echo "I:1000000"
		[[ $2 != - ]] && echo "E:ID_SERIAL=$2"
		[[ $3 != - ]] && echo "E:ID_WWN=$3"
	} >"$f"
	_udb+=("$f")
}
trap 'rm -f "${_udb[@]}"; cleanup' EXIT

# rc_is WHAT WANT_STATUS [TEXT...] -- ARGS...: remapctl's exit status, and
# each TEXT in its output (stdout and stderr).
rc_is() {
	local what=$1 want=$2 st=0 t
	local -a texts=()
	shift 2
	while [[ $1 != -- ]]; do texts+=("$1"); shift; done
	shift
	"$RC" "$@" >"$T/out" 2>&1 || st=$?
	sed 's/^/    /' "$T/out"
	expect_eq "$what: exit status" "$st" "$want"
	for t in "${texts[@]}"; do
		grep -qF -- "$t" "$T/out" || fail "$what: the output lacks '$t'"
	done
}

main=$(new_loop 16)		# 32768 sectors
spare=$(new_loop 20)
other=$(new_loop 24)		# another disk, another size
twin=$(new_loop 16)		# the main's size
mm=$(devno "$main")
ss=$(devno "$spare")
udb "$main" SCANMAIN01 0x5000c500deadbeef
udb "$spare" SCANSPARE01 -
udb "$other" SCANOTHER01 -
udb "$twin" SCANTWIN01 -
len=$(sectors "$main")
slen=$(sectors "$spare")
table="0 $len remap $main 0 $spare 0 $slen 2 unit_sectors 8"

log "format: the module records the device's name, no serial yet"
dm_create scan-a "$table"
$SECTAG write /dev/mapper/scan-a 0 "$len" 41 --direct
msg scan-a remap 800
dmsetup remove scan-a
forget_dm scan-a
blockdev --flushbufs "$spare"
rc_is "dump: the name" 0 "name                scan-a" "main_serial         -" \
	"main_wwn            -" "main_partition      0" -- dump "$spare"
rc_is "check: a note, healthy" 0 "identity: name scan-a, main serial -, WWN -, partition 0" \
	"no serial or WWN of the main device recorded" "status: healthy" -- check "$spare"
rc_is "--scan: no serial or WWN recorded -> 1" 1 \
	"scan-a: the metadata on $spare records no serial or WWN of its main device" \
	-- assemble --tab "$NOTAB" --scan scan-a

log "remapctl identify records udev's ID_SERIAL and ID_WWN of the main device"
dm_create scan-a "$table"
rc_is "identify" 0 "scan-a: recorded name scan-a, main device $mm: SCANMAIN01 0x5000c500deadbeef 0" \
	-- identify scan-a
gen=$(msg scan-a stats | awk '$1 == "remapped_units" {print $2}')
expect_eq "the remap is there" "$gen" 1
rc_is "identify again: nothing changes" 0 -- identify scan-a
rc_is "identify: not a remap device -> 3" 3 -- identify no-such-device
dmsetup remove scan-a
forget_dm scan-a
blockdev --flushbufs "$spare"
rc_is "dump: the identity" 0 "name                scan-a" "main_serial         SCANMAIN01" \
	"main_wwn            0x5000c500deadbeef" -- dump "$spare"
"$RC" dump --json "$spare" >"$T/a.json"

log "--scan --dry-run: what it would do, nothing created"
rc_is "--scan --dry-run" 0 \
	"scan-a: metadata on $spare, main device $main (serial SCANMAIN01, WWN 0x5000c500deadbeef)" \
	"scan-a: 0 $len remap $mm 0 $ss 0 $slen 2 unit_sectors 8" \
	-- assemble --tab "$NOTAB" --scan --dry-run scan-a
dmsetup info scan-a >/dev/null 2>&1 && fail "--dry-run created scan-a"

log "--scan: assembled under the recorded name, data and remap back"
_dms+=(scan-a)
rc_is "--scan" 0 "scan-a: assembled: 0 $len remap $mm 0 $ss 0 $slen 2 unit_sectors 8" \
	-- assemble --tab "$NOTAB" --scan
$SECTAG verify /dev/mapper/scan-a 0 "$len" 41 --direct || fail "data after --scan"
expect_eq "remap list" "$(msg scan-a list | awk '{print $1}')" 800
rc_is "--scan again: already assembled" 0 "scan-a: already assembled" \
	-- assemble --tab "$NOTAB" --scan scan-a

log "--udev-match without remaptab: the spare, its main, neither"
rc_is "udev: the spare" 0 "DM_REMAP_NAME=scan-a" "DM_REMAP_ROLE=spare" \
	"DM_REMAP_AUTO=1" 'DM_REMAP_UNIT=dm-remap-scan@scan\x2da.service' \
	"DM_REMAP_MAIN=/sys/devices/virtual/block/${main#/dev/}" \
	-- assemble --tab "$NOTAB" --udev-match "$spare"
ID_SERIAL=SCANMAIN01 ID_WWN=0x5000c500deadbeef rc_is "udev: the main (properties from the rule)" 0 \
	"DM_REMAP_NAME=scan-a" "DM_REMAP_ROLE=main" \
	-- assemble --tab "$NOTAB" --udev-match "$main"
rc_is "udev: the main (properties from the database)" 0 "DM_REMAP_ROLE=main" \
	-- assemble --tab "$NOTAB" --udev-match "$main"
rc_is "udev: another disk" 0 -- assemble --tab "$NOTAB" --udev-match "$twin"
[[ -s $T/out ]] && fail "udev: another disk got properties"
printf 'scan-a %s %s\n' "$twin" "$other" >"$T/tab"
rc_is "--scan: a name remaptab has is left to it" 0 "scan-a: in $T/tab: not assembled by --scan" \
	-- assemble --tab "$T/tab" --scan --dry-run
rc_is "--stop --scan" 0 "scan-a: removed" -- assemble --scan --stop scan-a
forget_dm scan-a

log "refusals: the main missing, one of another size or serial, two that match"
udb "$main" SCANMAIN02 0x5000c500deadbeef
rc_is "the WWN's disk has another serial -> 1" 1 \
	"scan-a: $main does not match the main device the metadata on $spare records" \
	"serial differs (it has serial SCANMAIN02, WWN 0x5000c500deadbeef, partition 0, 32768 sectors): refused" \
	-- assemble --tab "$NOTAB" --scan scan-a
udb "$main" SCANMAIN02 -
rc_is "main missing -> 1" 1 \
	"scan-a: no block device has the main device's identity the metadata on $spare records (serial SCANMAIN01, WWN 0x5000c500deadbeef, partition 0, 32768 sectors), after waiting" \
	-- assemble --tab "$NOTAB" --scan --wait 1 scan-a
udb "$other" SCANMAIN01 0x5000c500deadbeef
rc_is "main of another size -> 1" 1 \
	"scan-a: $other does not match the main device the metadata on $spare records" \
	"size differs (it has serial SCANMAIN01, WWN 0x5000c500deadbeef, partition 0, 49152 sectors): refused" \
	-- assemble --tab "$NOTAB" --scan scan-a
udb "$other" SCANOTHER01 -
udb "$main" SCANMAIN01 0x5000c500deadbeef
udb "$twin" SCANMAIN01 0x5000c500deadbeef
rc_is "two devices match -> 1" 1 "matches both" "refused" \
	-- assemble --tab "$NOTAB" --scan --dry-run scan-a
dmsetup info scan-a >/dev/null 2>&1 && fail "a refused --scan created scan-a"
udb "$twin" SCANTWIN01 -

log "metadata written before the identity: loads, --scan names and refuses it"
main2=$(new_loop 16)
spare2=$(new_loop 20)
udb "$main2" SCANMAIN03 -
python3 - "$T/a.json" "$T/old.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("name", "main_serial", "main_wwn", "main_partition", "instance"):
    d.pop(k, None)
d["uuid"] = "5eed0001-c0de-4d2e-8a11-00112233445f"
json.dump(d, open(sys.argv[2], "w"))
PY
rc_is "restore: a dump without the identity" 0 -- restore "$spare2" --from "$T/old.json"
rc_is "dump: no identity" 0 "name                -" -- dump "$spare2"
rc_is "--scan: old metadata named and refused, scan-a still assembled -> 1" 1 \
	"$spare2: the metadata records no device name (metadata written before names were recorded)" \
	"scan-a: assembled" -- assemble --tab "$NOTAB" --scan
_dms+=(scan-a)
dmsetup remove scan-a
forget_dm scan-a
dm_create old-b "0 $len remap $main2 0 $spare2 0 $slen 2 unit_sectors 8"
expect_eq "the old metadata's remap loaded" "$(msg old-b list | awk '{print $1}')" 800
rc_is "identify the old device" 0 "old-b: recorded name old-b, main device" \
	-- identify old-b
dmsetup remove old-b
forget_dm old-b
rc_is "--scan: the old device now too" 0 \
	"old-b: metadata on $spare2, main device $main2 (serial SCANMAIN03, WWN -)" \
	"scan-a: metadata on $spare" -- assemble --tab "$NOTAB" --scan --dry-run

log "the same metadata on two devices is refused"
spare3=$(new_loop 20)
$DD if="$spare" of="$spare3" bs=1M count=1 oflag=direct status=none
rc_is "a copy of the metadata -> 1" 1 "scan-a: the same metadata is on" "refused" \
	-- assemble --tab "$NOTAB" --scan --dry-run scan-a

log "remaptab finds the device --scan made: one table, defaults spelt out or not"
main4=$(new_loop 16)
spare4=$(new_loop 20)
udb "$main4" SCANMAIN04 -
dm_create eq-a "0 $len remap $main4 0 $spare4 0 $slen"
rc_is "identify eq-a" 0 -- identify eq-a
dmsetup remove eq-a
forget_dm eq-a
blockdev --flushbufs "$spare4"
_dms+=(eq-a)
rc_is "--scan eq-a: the metadata's unit size, spelt out" 0 \
	"eq-a: assembled: 0 $len remap $(devno "$main4") 0 $(devno "$spare4") 0 $slen 2 unit_sectors 1" \
	-- assemble --tab "$NOTAB" --scan eq-a
printf 'eq-a %s %s\n' "$main4" "$spare4" >"$T/tab4"
rc_is "remaptab's eq-a (no unit_sectors): already assembled" 0 "eq-a: already assembled" \
	-- assemble --tab "$T/tab4" eq-a
printf 'eq-a %s %s unit_sectors=8\n' "$main4" "$spare4" >"$T/tab4"
rc_is "remaptab's eq-a with another unit size -> 1" 1 "eq-a: already exists with another table" \
	-- assemble --tab "$T/tab4" eq-a
dmsetup remove eq-a
forget_dm eq-a

log "--initramfs: the entries with the option initramfs, and only those"
printf 'ir-a %s %s initramfs\nir-b %s %s\n' "$twin" "$other" "$main" "$spare" >"$T/tab2"
rc_is "--initramfs --dry-run" 0 "ir-a: 0 $len remap $(devno "$twin") 0 $(devno "$other") 0" \
	-- assemble --tab "$T/tab2" --initramfs --dry-run
grep -q '^ir-b' "$T/out" && fail "--initramfs took ir-b, which has no initramfs option"
printf 'ir-b %s %s noauto\n' "$main" "$spare" >"$T/tab3"
rc_is "--initramfs, no such entry: nothing to do" 0 -- assemble --tab "$T/tab3" --initramfs --dry-run
[[ -s $T/out ]] && fail "--initramfs without initramfs entries printed something"
rc_is "--initramfs with a name -> 3" 3 "--initramfs takes no names" \
	-- assemble --tab "$T/tab2" --initramfs ir-a
log "ok"
