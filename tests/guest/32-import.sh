#!/bin/bash
# remapctl import and status on the real module (libdevmapper, no dmsetup):
# a badblocks(8)-format list (-b 4096 and the default 1024), a sector list,
# skipped units, a long list in many small messages with progress, the data
# path afterwards (data kept, remapped units served from the spare), and
# the refusals: no such device, not a remap target, a bad line (nothing
# sent), a block beyond the device, a full spare pool (ENOSPC).
# allow-dmesg: remap_many: spare pool has
source "$(dirname "$0")/lib.sh"

RC=$REPO/tools/remapctl/remapctl
[[ -x $RC ]] || fail "$RC not built (make tools)"

main=$(new_loop 16)	# 32768 sectors, 4096 units of 8
spare=$(new_loop 16)
len=$(sectors "$main")
dm_create ri "0 $len remap $main 0 $spare 0 $(sectors "$spare") 2 unit_sectors 8"
dev=/dev/mapper/ri
$SECTAG write $dev 0 "$len" 31 --direct

# import_ok NAME WANT_REMAPPED WANT_SKIPPED ARGS...: remapctl import must
# succeed with those totals.
import_ok() {
	local what=$1 r=$2 s=$3 out
	shift 3
	out=$("$RC" import "$@" 2>"$T/err") ||
		{ cat "$T/err"; fail "$what: remapctl import failed: $out"; }
	echo "$out"
	[[ $out == *"remapped $r, skipped $s "* ]] ||
		fail "$what: want remapped $r, skipped $s: $out"
}

# import_refused NAME STATUS TEXT ARGS...: exit status STATUS, TEXT on stderr.
import_refused() {
	local what=$1 want=$2 text=$3 st=0
	shift 3
	"$RC" import "$@" >"$T/out" 2>"$T/err" || st=$?
	cat "$T/out" "$T/err"
	expect_eq "$what: exit status" "$st" "$want"
	grep -qF -- "$text" "$T/err" || fail "$what: stderr lacks '$text'"
}

log "badblocks -b 4096 list: blocks 3 4 5 100 1000 (with a comment and blanks)"
printf '# badblocks -b 4096 output\n3\n4\n  5\n\n100\n1000\n' > "$T/bb4k"
import_ok "-b 4096" 5 0 ri "$T/bb4k" -b 4096
expect_eq "list" "$(msg ri list | awk '{printf "%s ", $1}')" "24 32 40 800 8000 "
expect_eq "remapped (status)" "$(status_field ri 2)" 5

log "default block size 1024: blocks 2 3 (sectors 4-7, unit 0) and 4000 (unit 1000, remapped)"
printf '2\n3\n4000\n' | import_ok "default -b" 1 1 ri -
expect_eq "remapped" "$(status_field ri 2)" 6

log "--sectors: 16000 16001 16007 are one unit; 32767 is the last"
printf '16000\n16001\n16007\n32767\n' > "$T/sec"
import_ok "--sectors" 2 0 ri --sectors "$T/sec"
expect_eq "remapped" "$(status_field ri 2)" 8

log "remapctl status labels the fields"
"$RC" status ri > "$T/st" || fail "remapctl status"
cat "$T/st"
grep -qx 'remapped_units: *8' "$T/st" || fail "status: remapped_units"
grep -qx 'spare_used: *8' "$T/st" || fail "status: spare_used"
grep -qx "sectors: *$len" "$T/st" || fail "status: sectors"
grep -qx 'unit_sectors: *8' "$T/st" || fail "status: unit_sectors"
grep -qx 'metadata: *ok' "$T/st" || fail "status: metadata"
expect_eq "spare_total = dmsetup's" \
	"$(awk '$1 == "spare_total:" {print $2}' "$T/st")" \
	"$(status_field ri 3 | cut -d/ -f2)"

log "a long list in many small messages, with progress on stderr"
awk 'BEGIN { srand(7); for (i = 0; i < 3000; i++) print int(rand() * 4096) }' \
	> "$T/long"
want=$(awk '{print $1}' "$T/long" | sort -un | wc -l)
before=$(status_field ri 2)
out=$("$RC" import ri "$T/long" -b 4096 --message-size 128 2>"$T/err") ||
	{ cat "$T/err"; fail "long import: $out"; }
echo "$out"
tail -n 3 "$T/err"
grep -q 'units (100%)' "$T/err" || fail "long import: no progress on stderr"
r=$(sed -n 's/.*remapped \([0-9]*\), skipped \([0-9]*\) .*/\1/p' <<<"$out")
s=$(sed -n 's/.*remapped \([0-9]*\), skipped \([0-9]*\) .*/\2/p' <<<"$out")
nmsg=$(sed -n 's/.*, \([0-9]*\) messages.*/\1/p' <<<"$out")
expect_eq "long import: remapped + skipped = listed units" "$((r + s))" "$want"
expect_eq "long import: remapped" "$(status_field ri 2)" "$((before + r))"
((nmsg > 20)) || fail "long import: $nmsg messages, want many small ones"

log "data path: every sector reads back; remapped units are served from the spare"
$SECTAG verify $dev 0 "$len" 31 --direct
$SECTAG write $dev 0 "$len" 32 --direct
$SECTAG verify $dev 0 "$len" 32 --direct
n=0
while read -r l s c; do
	((n++ % 97 == 0)) || continue
	cmp <($DD if=$dev bs=512 skip="$l" count="$c" iflag=direct status=none) \
	    <($DD if="$spare" bs=512 skip="$s" count="$c" iflag=direct status=none) ||
		fail "unit at $l: dm device and spare sector $s differ"
done < <(msg ri list)
echo "checked $(((n + 96) / 97)) units against the spare"

log "refusals"
remapped=$(status_field ri 2)
printf '1\n2\nabc\n3\n' > "$T/bad"
import_refused "bad line" 2 "line 3: 'abc' is not a block number; nothing imported" \
	ri "$T/bad" -b 4096
printf '1\n4096\n' > "$T/far"
import_refused "beyond the end" 2 "line 2: block 4096 is beyond the end of the device" \
	ri "$T/far" -b 4096
expect_eq "nothing changed by refused lists" "$(status_field ri 2)" "$remapped"
import_refused "no such device" 3 "nosuchdev: no such device-mapper device" \
	nosuchdev "$T/bb4k"
dm_create rlin "0 $len linear $main 0"
import_refused "linear" 3 "rlin: not a remap target" rlin "$T/bb4k"
st=0
"$RC" status rlin >/dev/null 2>"$T/err" || st=$?
expect_eq "status of linear: exit status" "$st" 3
grep -qF "not a remap target" "$T/err" || fail "status of linear: message"
import_refused "missing file" 3 "$T/none: No such file or directory" ri "$T/none"

log "full spare pool: ENOSPC, the message is all or nothing"
main2=$(new_loop 4)
spare2=$(new_loop 1)
dm_create rs "0 $(sectors "$main2") remap $main2 0 $spare2 0 $(sectors "$spare2") 2 unit_sectors 8"
total=$(status_field rs 3 | cut -d/ -f2)
seq 0 $((total + 10)) > "$T/many"
import_refused "ENOSPC" 2 "the spare pool is full (ENOSPC)" rs "$T/many" -b 4096
expect_eq "ENOSPC: nothing remapped" "$(status_field rs 2)" 0
seq 0 $((total - 1)) > "$T/fits"
import_ok "exactly the pool" "$total" 0 rs "$T/fits" -b 4096
expect_eq "pool used up" "$(status_field rs 3)" "$total/$total"
echo "import: ok"
