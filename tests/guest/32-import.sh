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
expect_eq "remapped (status)" "$(field_of ri remapped_units)" 5

log "default block size 1024: blocks 2 3 (sectors 4-7, unit 0) and 4000 (unit 1000, remapped)"
printf '2\n3\n4000\n' | import_ok "default -b" 1 1 ri -
expect_eq "remapped" "$(field_of ri remapped_units)" 6

log "--sectors: 16000 16001 16007 are one unit; 32767 is the last"
printf '16000\n16001\n16007\n32767\n' > "$T/sec"
import_ok "--sectors" 2 0 ri --sectors "$T/sec"
expect_eq "remapped" "$(field_of ri remapped_units)" 8

log "remapctl status labels the fields"
"$RC" status ri > "$T/st" || fail "remapctl status"
cat "$T/st"
grep -qx 'remapped_units: *8' "$T/st" || fail "status: remapped_units"
grep -qx 'spare_used: *8' "$T/st" || fail "status: spare_used"
grep -qx "sectors: *$len" "$T/st" || fail "status: sectors"
grep -qx 'unit_sectors: *8' "$T/st" || fail "status: unit_sectors"
grep -qx 'metadata: *ok' "$T/st" || fail "status: metadata"
expect_eq "spare_units = dmsetup's" \
	"$(awk '$1 == "spare_units:" {print $2}' "$T/st")" \
	"$(field_of ri spare | cut -d/ -f2)"

log "a long list in many small messages, with progress on stderr"
awk 'BEGIN { srand(7); for (i = 0; i < 3000; i++) print int(rand() * 4096) }' \
	> "$T/long"
want=$(awk '{print $1}' "$T/long" | sort -un | wc -l)
before=$(field_of ri remapped_units)
out=$("$RC" import ri "$T/long" -b 4096 --message-size 128 2>"$T/err") ||
	{ cat "$T/err"; fail "long import: $out"; }
echo "$out"
tail -n 3 "$T/err"
grep -q 'units (100%)' "$T/err" || fail "long import: no progress on stderr"
r=$(sed -n 's/.*remapped \([0-9]*\), skipped \([0-9]*\) .*/\1/p' <<<"$out")
s=$(sed -n 's/.*remapped \([0-9]*\), skipped \([0-9]*\) .*/\2/p' <<<"$out")
nmsg=$(sed -n 's/.*, \([0-9]*\) messages.*/\1/p' <<<"$out")
expect_eq "long import: remapped + skipped = listed units" "$((r + s))" "$want"
expect_eq "long import: remapped" "$(field_of ri remapped_units)" "$((before + r))"
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
remapped=$(field_of ri remapped_units)
printf '1\n2\nabc\n3\n' > "$T/bad"
import_refused "bad line" 2 "line 3: 'abc' is not a block number; nothing imported" \
	ri "$T/bad" -b 4096
printf '1\n4096\n' > "$T/far"
import_refused "beyond the end" 2 "line 2: block 4096 is beyond the end of the device" \
	ri "$T/far" -b 4096
expect_eq "nothing changed by refused lists" "$(field_of ri remapped_units)" "$remapped"
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
total=$(field_of rs spare | cut -d/ -f2)
seq 0 $((total + 10)) > "$T/many"
import_refused "ENOSPC" 2 "the spare pool is full (ENOSPC)" rs "$T/many" -b 4096
expect_eq "ENOSPC: nothing remapped" "$(field_of rs remapped_units)" 0
seq 0 $((total - 1)) > "$T/fits"
import_ok "exactly the pool" "$total" 0 rs "$T/fits" -b 4096
expect_eq "pool used up" "$(field_of rs spare)" "$total/$total"
log "ddrescue mapfile: the '-' areas are remapped, the others not"
main3=$(new_loop 16)
spare3=$(new_loop 2)
dm_create rd "0 $len remap $main3 0 $spare3 0 4096 2 unit_sectors 8"
cat > "$T/map" <<'EOF'
# Mapfile. Created by GNU ddrescue version 1.27
# current_pos  current_status  current_pass
0x00100000     +               1
#      pos        size  status
0x00000000  0x00001000  +
0x00001000  0x00000200  -
0x00001200  0x00000E00  +
0x00002000  0x00002000  -
0x00004000  0x00001000  /
0x00005000  0x00001000  *
0x00006000  0x00001000  ?
0x00007000  0x007F9000  +
EOF
import_ok "--ddrescue" 3 0 rd --ddrescue "$T/map"
expect_eq "list after the mapfile" "$(msg rd list | awk '{printf "%s ", $1}')" "8 16 24 "
printf '0x0 +
0x0 0x1000 x
' > "$T/map2"
import_refused "bad mapfile" 2 "line 2: '0x0 0x1000 x' is not a ddrescue mapfile line" rd --ddrescue "$T/map2"
printf '0x0 +
0x0 0x100 -
' > "$T/map3"
import_refused "unaligned area" 2 "is not in whole 512-byte sectors" rd --ddrescue "$T/map3"
printf '0x0 +
0x7FFF000 0x1000 -
' > "$T/map4"
import_refused "beyond" 2 "is beyond the end of the device" rd --ddrescue "$T/map4"
import_refused "--ddrescue with -b" 3 "--ddrescue excludes" rd --ddrescue -b 4096 "$T/map"

log "remapctl remap / unremap / list"
"$RC" remap rd 800+16 || fail "remapctl remap"
expect_eq "list" "$(msg rd list | awk '{printf "%s ", $1}')" "8 16 24 800 808 "
st=0; "$RC" remap rd 801 2>"$T/err" || st=$?
expect_eq "remap of a remapped unit: exit status" "$st" 2
cat "$T/err"
grep -q "already remapped" "$T/err" || fail "remap twice: $(cat "$T/err")"
"$RC" unremap rd 808 || fail "remapctl unremap"
st=0; "$RC" unremap rd 808 2>"$T/err" || st=$?
expect_eq "unremap of a unit not remapped: exit status" "$st" 2
grep -q "not remapped" "$T/err" || fail "unremap twice: $(cat "$T/err")"
st=0; "$RC" remap rd 99999999 2>"$T/err" || st=$?
expect_eq "remap beyond the device: exit status" "$st" 2
st=0; "$RC" remap rd 5+0 2>"$T/err" || st=$?
expect_eq "count 0: exit status" "$st" 3
"$RC" list rd > "$T/list" || fail "remapctl list"
diff <(msg rd list) "$T/list" || fail "remapctl list differs from the list message"
"$RC" list rd --json > "$T/list.json" || fail "remapctl list --json"
/usr/bin/python3 - "$T/list.json" "$T/list" <<'EOF' || fail "list --json"
import json, sys
j = json.load(open(sys.argv[1]))
t = [tuple(map(int, l.split())) for l in open(sys.argv[2])]
assert [(e["logical_sector"], e["spare_sector"], e["nr_sectors"]) for e in j] == t, (j, t)
print("list --json: %d entries agree" % len(j))
EOF

log "remapctl status: every remap device, --json with named fields"
"$RC" status > "$T/all" || fail "remapctl status (all)"
expect_eq "devices shown" "$(grep '^device:' "$T/all" | awk '{printf "%s ", $2}')" "rd ri rs "
"$RC" status --json > "$T/all.json" || fail "status --json"
"$RC" status --json rd ri > "$T/two.json" || fail "status --json rd ri"
for d in rd ri rs; do
	echo "$d $(dmsetup status "$d" | cut -d' ' -f4-)"
done > "$T/lines"
/usr/bin/python3 - "$T/all.json" "$T/two.json" "$T/lines" <<'EOF' || fail "status --json"
import json, sys
all_, two = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert [d["device"] for d in all_] == ["rd", "ri", "rs"], all_
assert [d["device"] for d in two] == ["rd", "ri"], two
pos = ["unit_sectors", "remapped_units", None, "lost_sectors", "metadata", "pending_units",
       "reallocation_events", "auto_remaps", "uncorrectable_reads", "spare_errors",
       "retired_units", "auto_remap", "spare_exhausted", "doubt_units"]
word = {"auto_remap": {"auto_remap": "on", "no_auto_remap": "off"},
        "spare_exhausted": {"ok": "no", "exhausted": "yes"}}
for line in open(sys.argv[3]):
    name, *f = line.split()
    d = [x for x in all_ if x["device"] == name][0]
    used, total = map(int, f[2].split("/"))
    assert d["spare_used"] == used and d["spare_units"] == total, d
    assert d["spare_free"] == total - used
    for i, k in enumerate(pos):
        if k is None:
            continue
        v = word[k][f[i]] if k in word else (f[i] if k == "metadata" else int(f[i]))
        assert d[k] == v, (name, k, d[k], v)
print("status --json: %d devices agree with dmsetup status" % len(all_))
EOF
dmsetup suspend rd
"$RC" status rd | grep -qx 'suspended: *yes' || fail "status of a suspended device"
dmsetup resume rd
st=0
"$RC" status ri nosuchdev >/dev/null 2>"$T/err" || st=$?
expect_eq "status with a missing device: exit status" "$st" 3
log "remapctl watch: a view at start and one after each event, no polling"
"$RC" watch --count 3 > "$T/watch" 2>&1 &
wpid=$!
for ((i = 0; i < 100; i++)); do
	grep -q '^rd ' "$T/watch" 2>/dev/null && break
	sleep 0.1
done
before=$(grep -c '^remapctl watch,' "$T/watch")
expect_eq "views before any event" "$before" 1
sleep 1
expect_eq "views after a quiet second (no polling)" "$(grep -c '^remapctl watch,' "$T/watch")" 1
msg rd remap 2000
for ((i = 0; i < 100; i++)); do
	(($(grep -c '^remapctl watch,' "$T/watch") >= 2)) && break
	sleep 0.1
done
msg rd remap 3000
wait "$wpid" || fail "remapctl watch exited with $?"
cat "$T/watch"
expect_eq "views" "$(grep -c '^remapctl watch,' "$T/watch")" 3
r=$(awk '$1 == "rd" {r = $2} END {print r}' "$T/watch")
expect_eq "rd's remapped units in the last view" "$r" "$(field_of rd remapped_units)"
echo "import: ok"
