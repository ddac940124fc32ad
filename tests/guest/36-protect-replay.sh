#!/bin/bash
# Crash safety of protect and unprotect (docs/metadata-format.md,
# "Protection": the order of operations).  Main and spare are two slices
# of one disk, so that dm-log-writes records the writes to both in the
# order they reached it: the remaps (data to the spare, slot commits), the
# protection record (superblocks), the member signature (main), and for
# unprotect the copy back (main), the record's removal, the unremaps.
# Every prefix of that log (a power cut right after that write) is then
# replayed onto a copy of the disk as it was, and must
#   - load read-only (nothing repaired), which also means every unit the
#     record protects is remapped (the module refuses metadata otherwise);
#   - read back every sector of the remapped device intact;
#   - never show the member signature on the raw main device unless the
#     metadata records the protection (else the signature would be data).
# At the end the raw main device holds its own data again.
source "$(dirname "$0")/lib.sh"
modprobe dm-log-writes

disk=$(new_loop 6)
logdev=$(new_loop 64)
mlen=8192		# main: sectors 0-8191 of the disk (4 MiB)
slen=$(($(sectors "$disk") - mlen))
slices() {	# slices DEV: pm (main) and ps (spare) over DEV
	dm_create pm "0 $mlen linear $1 0"
	dm_create ps "0 $slen linear $1 $mlen"
}
unslice() { dmsetup remove ps pm && forget_dm ps && forget_dm pm; }
table="0 $mlen remap /dev/mapper/pm 0 /dev/mapper/ps 0 $slen 2 unit_sectors 8"

log "setup, not recorded: data on the main device, the metadata formatted"
$SECTAG write "$disk" 0 "$mlen" 7 --direct
slices "$disk"
dm_create pr "$table"
dmsetup remove pr && forget_dm pr
unslice
$DD if="$disk" of="$T/img" bs=1M iflag=direct status=none

log "recorded: protect (4 KiB at each end: one unit each), then unprotect"
dm_create lw "0 $(sectors "$disk") log-writes $disk $logdev"
slices /dev/mapper/lw
dm_create pr "$table"
dmsetup message lw 0 mark op0
msg pr protect 8 8
expect_eq "protected" "$(msg pr stats | awk '$1 == "protected_units" {print $2}')" 2
dmsetup message lw 0 mark op1
msg pr unprotect
expect_eq "unprotected" "$(msg pr stats | awk '$1 == "remapped_units" {print $2}')" 0
dmsetup message lw 0 mark op2
dmsetup remove pr && forget_dm pr
unslice
dmsetup remove lw && forget_dm lw

img=$(losetup -f --show "$T/img")
_loops+=("$img")
cat > "$T/check.sh" <<EOF
export DM_DISABLE_UDEV=1
fail() {
	echo "prefix \$REPLAY_ENTRY (after mark '\$REPLAY_MARK'): \$*"
	dmsetup remove chk cs cm 2>/dev/null
	exit 1
}
dmsetup create --readonly cm --table "0 $mlen linear $img 0"
dmsetup create --readonly cs --table "0 $slen linear $img $mlen"
dmsetup create --readonly chk --table "${table//\/dev\/mapper\/p/\/dev\/mapper\/c}" ||
	fail "table refused: \$(dmesg | grep 'remap' | tail -1)"
prot=\$(dmsetup message chk 0 stats | awk '\$1 == "protected_units" {print \$2}')
sig=\$(head -c 15 /dev/mapper/cm | tr -d "\\0")
[[ \$sig != DM-REMAP-MEMBER || \$prot != 0 ]] ||
	fail "member signature on the raw main device, protection not recorded"
[[ \$sig == DM-REMAP-MEMBER ]] && echo x >> "$T/signed"
[[ \$prot != 0 ]] && echo x >> "$T/protected"
$SECTAG verify /dev/mapper/chk 0 $mlen 7 --direct > "$T/verify" ||
	fail "data: \$(head -3 "$T/verify")"
dmsetup remove chk cs cm
EOF
log "replaying the disk's writes one at a time"
python3 "$REPO/tests/tools/logreplay.py" "$logdev" "$T/img" "$T/check.sh" | tee "$T/replay"
n=$(tail -1 "$T/replay" | cut -d" " -f1)
log "$n crash points checked; $(wc -l < "$T/protected" 2>/dev/null || echo 0) protected, $(wc -l < "$T/signed" 2>/dev/null || echo 0) with the signature on the raw main"
[[ -s $T/signed ]] || fail "no crash point had the signature written (the log missed the protect)"
((n >= 8)) || fail "only $n crash points"
log "after the last write: the raw main device holds its own data"
$SECTAG verify "$img" 0 "$mlen" 7 --direct || fail "raw main after unprotect"
log "ok"
