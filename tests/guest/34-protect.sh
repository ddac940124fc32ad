#!/bin/bash
# The protective mode (docs/metadata-format.md "Protection", remapctl(8)
# protect/unprotect) on an ext4 file system:
#  - before: blkid -p finds ext4 on the raw main device (so the test can
#    fail); after remapctl protect: it finds nothing there, the raw main
#    starts with the member signature, the remapped device reads the same
#    bytes and mounts;
#  - unremap and clear of a protected unit are refused (kernel and
#    remapctl), and so are protect on a volatile table, a volatile table
#    or a fresh spare area over the protected main device;
#  - remove and re-create: still protected, still no file system on the
#    raw disk;
#  - remapctl unprotect: the raw main device is again byte for byte what
#    it was before protect (signature and data), nothing stays remapped.
source "$(dirname "$0")/lib.sh"

RC=$REPO/tools/remapctl/remapctl
[[ -x $RC ]] || fail "$RC not built (make tools)"
main=$(new_loop 16 --sector-size 4096)
spare=$(new_loop 8 --sector-size 4096)
len=$(sectors "$main")
slen=$(sectors "$spare")
table="0 $len remap $main 0 $spare 0 $slen"
dev=/dev/mapper/pr
stat() { msg pr stats | awk -v k="$1" '$1 == k {print $2}'; }
sum() { $DD if="$1" bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1; }

log "an ext4 file system on the remapped device"
dm_create pr "$table"
mkfs.ext4 -q -F -b 4096 -U 5ab1e5ab-1e5a-4b1e-9ab1-e5ab1e5ab1e5 "$dev"
mkdir -p "$T/mnt"
mount "$dev" "$T/mnt"
head -c 1000000 /dev/urandom > "$T/mnt/file"
md5sum < "$T/mnt/file" > "$T/file.md5"
umount "$T/mnt"
expect_eq "remapped before protect" "$(stat remapped_units)" 0
expect_eq "blkid -p on the raw main before" \
	"$(blkid -p -o value -s TYPE "$main")" ext4
raw_before=$(sum "$main")
dev_before=$(sum "$dev")

log "protect a volatile table: refused"
vm=$(new_loop 4 --sector-size 4096)
vs=$(new_loop 4 --sector-size 4096)
dm_create pv "0 $(sectors "$vm") remap $vm 0 $vs 0 $(sectors "$vs") 1 volatile"
expect_refused "protect of a volatile table" "a volatile table has no metadata" \
	msg pv protect 2048 2048
dmsetup remove pv && forget_dm pv

log "remapctl protect (1 MiB at each end)"
"$RC" protect "$dev" | tee "$T/out"
grep -q "protected 512 units of 8 sectors: sectors 0-2047 and sectors 30720-32767" "$T/out" ||
	fail "remapctl protect output"
expect_eq "protected_units" "$(stat protected_units)" 512
expect_eq "remapped" "$(stat remapped_units)" 512
set +e
blkid -p "$main" > "$T/blkid" 2>&1
rc=$?
set -e
cat "$T/blkid"
expect_eq "blkid -p on the protected raw main (exit 2: nothing found)" "$rc" 2
expect_eq "member signature at the start of the raw main" \
	"$(head -c 15 "$main")" DM-REMAP-MEMBER
expect_eq "member signature in the last 4 KiB" \
	"$($DD if="$main" bs=4096 skip=$((len / 8 - 1)) count=1 status=none | head -c 15)" \
	DM-REMAP-MEMBER
head -c 512 "$main" | strings | grep -q "metadata uuid: " || fail "signature text"
expect_eq "the remapped device reads the same bytes" "$(sum "$dev")" "$dev_before"
expect_eq "blkid -p on the remapped device" \
	"$(blkid -p -o value -s UUID "$dev")" 5ab1e5ab-1e5a-4b1e-9ab1-e5ab1e5ab1e5
mount -o ro,noload "$dev" "$T/mnt"
md5sum < "$T/mnt/file" | cmp -s - "$T/file.md5" || fail "file content"
umount "$T/mnt"

log "protect again with the same sizes: accepted (rewrites the signature)"
"$RC" protect pr > /dev/null
log "protect with other sizes: refused"
expect_refused "protect with other sizes" "already protected" msg pr protect 8 0

log "unremap and clear of protected units: refused"
expect_refused "unremap of sector 0" "sector 0 is protected" msg pr unremap 0
expect_refused "unremap of the last unit" "is protected" msg pr unremap $((len - 8)) 8
expect_refused "clear" "is protected" msg pr clear
set +e
"$RC" unremap pr 100 > "$T/out" 2>&1
rc=$?
set -e
expect_eq "remapctl unremap exit" "$rc" 2
grep -q "protected" "$T/out" || fail "remapctl unremap: no reason: $(cat "$T/out")"
# A unit that is not protected unremaps as before.
msg pr remap 16384
msg pr unremap 16384
expect_eq "remapped after refusals" "$(stat remapped_units)" 512

log "remove and re-create: still protected"
dmsetup remove pr && forget_dm pr
dm_create pr "$table"
expect_eq "protected_units after re-create" "$(stat protected_units)" 512
expect_eq "blkid -p on the raw main after re-create" \
	"$(blkid -p -o value -s TYPE "$main" || true)" ""
expect_eq "data after re-create" "$(sum "$dev")" "$dev_before"
dmsetup remove pr && forget_dm pr
"$RC" dump "$spare" | tee "$T/dump" | grep -i protect
grep -q "^protected  *units 0-255 (sectors 0-2047), units 3840-4095 (sectors 30720-32767)" "$T/dump" ||
	fail "remapctl dump: protection"
"$RC" check "$spare" > "$T/check" || { cat "$T/check"; fail "remapctl check"; }
grep -q "protected" "$T/check" || fail "remapctl check: protection"

log "a volatile table or a fresh spare over the protected main: refused"
expect_refused "volatile table" "Main device is protected by dm-remap metadata" \
	dmsetup create pv --table "0 $len remap $main 0 $spare 0 $slen 1 volatile"
spare2=$(new_loop 8 --sector-size 4096)
expect_refused "fresh spare" "Main device is protected by other dm-remap metadata" \
	dmsetup create pv --table "0 $len remap $main 0 $spare2 0 $slen"
expect_eq "the fresh spare stays blank" \
	"$($DD if="$spare2" bs=1M count=1 status=none | tr -d '\0' | wc -c)" 0

log "remapctl unprotect: the raw main device is back, byte for byte"
dm_create pr "$table"
"$RC" unprotect "$dev"
expect_eq "protected_units after unprotect" "$(stat protected_units)" 0
expect_eq "remapped after unprotect" "$(stat remapped_units)" 0
expect_eq "data after unprotect" "$(sum "$dev")" "$dev_before"
set +e
"$RC" unprotect pr > "$T/out" 2>&1
rc=$?
set -e
expect_eq "unprotect of an unprotected device" "$rc" 2
grep -q "not protected" "$T/out" || fail "unprotect twice: $(cat "$T/out")"
dmsetup remove pr && forget_dm pr
expect_eq "raw main after unprotect" "$(sum "$main")" "$raw_before"
expect_eq "blkid -p on the raw main after unprotect" \
	"$(blkid -p -o value -s TYPE "$main")" ext4

log "remaptab option protect: assemble protects, once"
echo "pr $main $spare protect" > "$T/tab"
"$RC" assemble --tab "$T/tab" pr | tee "$T/out"
_dms+=(pr)
grep -q "^pr: assembled" "$T/out" && grep -q "protected 512 units" "$T/out" ||
	fail "assemble with protect"
expect_eq "protected_units after assemble" "$(stat protected_units)" 512
dmsetup remove pr
"$RC" assemble --tab "$T/tab" pr | tee "$T/out"
grep -q "^pr: protected already (512 units)" "$T/out" || fail "assemble again"
expect_eq "blkid -p on the raw main after assemble" \
	"$(blkid -p -o value -s TYPE "$main" || true)" ""
"$RC" unprotect pr > /dev/null
expect_eq "data after assemble and unprotect" "$(sum "$dev")" "$dev_before"
log "ok"
