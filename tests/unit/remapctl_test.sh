#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# remapctl_test.sh - the offline tool (tools/remapctl) on metadata images
# built by fixtures/meta_fixture.py, which writes them from the format
# document alone.  Checks exit statuses and output of check, dump and
# restore.  Run by "make -C tests/unit check" (through run_tests.sh, like a
# test binary): prints "RESULT <passed> <failed>" last.
#
# REMAPCTL: the binary to test (the unit Makefile passes one built with
# ASan and UBSan); default tools/remapctl/remapctl, built when missing.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || exit 2
REPO=$(cd "$HERE/../.." && pwd) || exit 2
FIX=$HERE/fixtures
MKIMG=$FIX/meta_fixture.py
if [[ -z ${REMAPCTL:-} ]]; then
	REMAPCTL=$REPO/tools/remapctl/remapctl
	make -s -C "$REPO/tools/remapctl" >/dev/null || exit 2
fi
# No __pycache__ in the source tree.
export PYTHONDONTWRITEBYTECODE=1
# A sanitizer report must not pass for exit status 1 ("repairable").
export ASAN_OPTIONS=exitcode=86:detect_leaks=1
export UBSAN_OPTIONS=exitcode=86:print_stacktrace=1

T=$(mktemp -d /tmp/remapctl-test.XXXXXX) || exit 2
trap 'rm -rf "$T"' EXIT

passed=0
failed=0
OUT=$T/out
ERR=$T/err

ok() {
	echo "[       OK ] $1"
	passed=$((passed + 1))
}

bad() {
	echo "[  FAILED  ] $1"
	shift
	printf '    %s\n' "$@"
	if [[ -s $OUT ]]; then
		echo "    --- stdout:"
		sed 's/^/    /' "$OUT" | head -n 40
	fi
	if [[ -s $ERR ]]; then
		echo "    --- stderr:"
		sed 's/^/    /' "$ERR" | head -n 40
	fi
	failed=$((failed + 1))
}

# run NAME WANT_STATUS [PATTERN...] -- ARGS...: run remapctl ARGS; the
# exit status must be WANT_STATUS and each PATTERN (grep -E) must match
# stdout or stderr.
run() {
	local name=$1 want=$2 pats=() rc p
	shift 2
	while [[ $1 != -- ]]; do
		pats+=("$1")
		shift
	done
	shift
	echo "[ RUN      ] $name"
	"$REMAPCTL" "$@" >"$OUT" 2>"$ERR"
	rc=$?
	if grep -q 'Sanitizer' "$ERR"; then
		bad "$name" "sanitizer report"
		return 1
	fi
	if [[ $rc -ne $want ]]; then
		bad "$name" "remapctl $*: exit status $rc, want $want"
		return 1
	fi
	for p in "${pats[@]}"; do
		if ! grep -Eq -- "$p" "$OUT" "$ERR"; then
			bad "$name" "remapctl $*: no match for /$p/"
			return 1
		fi
	done
	ok "$name"
}

# check NAME CONDITION-COMMAND...: a plain assertion.
check() {
	local name=$1
	shift
	echo "[ RUN      ] $name"
	: >"$OUT"
	: >"$ERR"
	if "$@" >"$OUT" 2>"$ERR"; then
		ok "$name"
	else
		bad "$name" "failed: $*"
	fi
}

mkimg() { python3 "$MKIMG" "$@"; }

# clobber IMAGE BLOCK: overwrite 4096-byte block BLOCK with random bytes.
clobber() {
	dd if=/dev/urandom of="$1" bs=4096 count=1 conv=notrunc seek="$2" \
		status=none
}

# The dump without the lines restore is expected to change.
stable() { grep -Ev '"(seq|generation)"' "$1"; }

# ---------------------------------------------------------------- help ----

run "help" 0 '^Offline commands' 'check <spare_dev>' 'import <dm_name>' \
	'status \[<dm_name>...\]' 'list <dm_name>' 'remap <dm_name>' -- --help
run "help: import" 0 '--block-size' '--sectors' '--message-size' '--zero-fill' 'Exit status' \
	-- import --help
run "help: status" 0 'Usage: remapctl status' -- help status
run "import: no device" 3 'missing <dm_name>' -- import
run "import: block size" 3 "not a multiple of 512" -- import r -b 1000
run "import: block size value" 3 "'x' is not a number" -- import r -b x
run "import: -b and --sectors" 3 'exclude each other' -- import r --sectors -b 4096
run "import: message size" 3 'from 64 to 65536' -- import r --message-size 10
run "import: unknown option" 3 "unknown option '--frob'" -- import r --frob
run "import: extra argument" 3 "unexpected argument 'c'" -- import r f c
run "status: no device-mapper on the host" 3 'device-mapper' -- status
run "list: no device" 3 'missing <dm_name>' -- list
run "list: unknown option" 3 "unknown option '-x'" -- list r -x
run "remap: no sector" 3 'usage: remapctl remap' -- remap r
run "remap: count 0" 3 "'5.0' is not <sector>" -- remap r 5+0
run "unremap: not a number" 3 "'x' is not <sector>" -- unremap r x
run "remap: extra argument" 3 "unexpected argument 'y'" -- remap r 5 y
run "help: remap" 0 'Usage: remapctl remap' 'unremap' -- help remap
run "watch: count 0" 3 "is not a number from 1" -- watch --count 0
run "watch: extra argument" 3 "unexpected argument 'x'" -- watch x
run "help: watch" 0 'Usage: remapctl watch' -- help watch
run "import: --ddrescue and --sectors" 3 '--ddrescue excludes' -- import r --ddrescue --sectors
run "status: unknown option" 3 "unknown option '-x'" -- status -x
run "help: check" 0 'Exit status' '2  broken' -- check --help
run "help: dump" 0 '--json' -- dump --help
run "help: restore" 0 '--from' -- restore -h
run "help <command>" 0 'Usage: remapctl dump' -- help dump
run "no command" 3 'missing command' --
run "unknown command" 3 "unknown command 'frobnicate'" -- frobnicate x
run "unknown option" 3 "unknown option '--frob'" "Try 'remapctl check --help'" \
	-- check "$FIX/meta_v1.img" --frob
run "option of another command" 3 "unknown option '--json'" \
	-- check "$FIX/meta_v1.img" --json
run "missing device" 3 'missing <spare_dev>' -- dump --json
run "two devices" 3 "unexpected argument" -- check a b
run "bad --spare-start" 3 'not a sector number' \
	-- check "$FIX/meta_v1.img" --spare-start 12x
run "--spare-start without value" 3 'needs a value' \
	-- check "$FIX/meta_v1.img" --spare-start
run "restore without --from" 3 'missing --from' -- restore "$T/x"
run "no such device" 3 'No such file' -- check "$T/does-not-exist"

# ---------------------------------------------------- committed fixture ----

check "fixture script rebuilds the committed image" \
	sh -c "python3 '$MKIMG' '$T/fx.img' && cmp '$T/fx.img' '$FIX/meta_v1.img'"

run "check: fixture (stale and invalid copies) -> 1" 1 \
	'status: repairable' \
	'slot block 0: copy B \(block 6\) is stale \(seq 8, copy A has seq 9\)' \
	'slot block 1: copy A \(block 5\) is invalid \(checksum mismatch\)' \
	'table: 6 remapped, 1 retired, 1 pending; highest seq 9' \
	-- check "$FIX/meta_v1.img"

run "dump: fixture" 0 '^remapped 6$' '^5000 3 40000 88$' '^0 507 0 4120$' \
	'^262143 999 2097144 8056$' '^retired 1$' '^2 80$' '^pending 1$' \
	'^4242 33936$' '^uuid +5eed0001-c0de-4d2e-8a11-00112233445f$' \
	'^generation +5$' '^lost_sectors +8$' 'warning: .*run remapctl check' \
	-- dump "$FIX/meta_v1.img"
cp "$OUT" "$T/fx.dump"

# ------------------------------------------------------------- healthy ----

mkimg --variant healthy "$T/healthy.img"
run "check: healthy -> 0" 0 '^status: healthy$' \
	'table: 6 remapped, 1 retired, 1 pending' -- check "$T/healthy.img"
run "dump: healthy" 0 -- dump "$T/healthy.img"
cp "$OUT" "$T/healthy.dump"
check "dump: healthy has the fixture's current copies" \
	diff <(grep -v '^#' "$T/healthy.dump") <(grep -v '^#' "$T/fx.dump")

# -------------------------------------------------------------- repair ----

cp "$FIX/meta_v1.img" "$T/repair.img"
run "check --repair: fixture -> 0" 0 'repair: rewrote 2 blocks' \
	'^status: healthy$' -- check --repair "$T/repair.img"
run "check after repair -> 0" 0 '^status: healthy$' -- check "$T/repair.img"
check "repair: the current copies did not change" \
	cmp <("$REMAPCTL" dump "$T/repair.img" | grep -v '^#') \
	<(grep -v '^#' "$T/fx.dump")
# Copy B of the slot block 0 now equals copy A (same seq, same bytes but
# block_nr and crc).
check "repair: copy B of slot block 0 rewritten from copy A" \
	cmp <(dd if="$T/repair.img" bs=4096 skip=4 count=1 status=none |
		tail -c +17) \
	<(dd if="$T/repair.img" bs=4096 skip=6 count=1 status=none |
		tail -c +17)

# A stale superblock copy is repairable too.
cp "$T/healthy.img" "$T/sbstale.img"
clobber "$T/sbstale.img" 1
run "check: superblock copy B invalid -> 1" 1 \
	'superblock copy B \(block 1\) is invalid \(not a dm-remap superblock\)' \
	-- check "$T/sbstale.img"
run "check --repair: superblock -> 0" 0 'rewrote 1 block' -- \
	check --repair "$T/sbstale.img"
check "repair: superblocks equal again" \
	cmp "$T/sbstale.img" "$T/healthy.img"

# -------------------------------------------------------------- broken ----

cp "$T/healthy.img" "$T/both.img"
clobber "$T/both.img" 5	# slot block 1, copy A
clobber "$T/both.img" 7	# slot block 1, copy B
run "check: both copies of a block corrupt -> 2" 2 \
	'slot block 1: both copies are invalid' '^status: broken' \
	-- check "$T/both.img"
run "dump: both copies corrupt -> 2" 2 'no usable metadata' \
	'both copies are invalid' -- dump "$T/both.img"
run "check --repair: broken is not repaired" 2 'not attempted' \
	-- check --repair "$T/both.img"

mkimg --variant dup "$T/dup.img"
run "check: logical unit in two slots -> 2" 2 \
	'logical unit 100 is remapped twice: to spare units 0 and 4' \
	-- check "$T/dup.img"

mkimg --variant relocated "$T/reloc.img"
run "check: an interrupted relocation -> 1" 1 \
	'spare unit 600: logical unit 101, relocated from here by an interrupted commit; retired at repair' \
	'^status: repairable' -- check "$T/reloc.img"
run "check --repair: the older slot retired" 0 'rewrote 2 blocks' \
	'^status: healthy$' -- check --repair "$T/reloc.img"
run "dump after the repair" 0 -- dump --json "$T/reloc.img"
cp "$OUT" "$T/reloc.json"
check "spare unit 600 retired" grep -q '{"sunit": 600, "spare_sector": 4864}' "$T/reloc.json"
check "logical unit 101 on spare unit 1 only" \
	test "$(grep -c '"lunit": 101,' "$T/reloc.json")" = 1

head -c 65536 /dev/urandom >"$T/foreign.img"
run "check: foreign data -> 2" 2 \
	'no dm-remap metadata: neither superblock copy .* is a dm-remap superblock' \
	'^status: broken' -- check "$T/foreign.img"
run "dump: foreign data -> 2" 2 'no dm-remap metadata' \
	-- dump --json "$T/foreign.img"

truncate -s 1M "$T/zero.img"
run "check: all-zero area -> 2" 2 'both superblocks are all zero' \
	-- check "$T/zero.img"
truncate -s 5000 "$T/tiny.img"
run "check: image too small -> 2" 2 'too small to hold dm-remap metadata' \
	-- check "$T/tiny.img"
head -c 20000 "$T/healthy.img" >"$T/short.img"
run "check: image ends inside the metadata -> 2" 2 \
	'too small for the metadata its superblock describes' \
	-- check "$T/short.img"

# Slot values: a value above 2^63 that is not "retired", re-sealed with a
# correct CRC so only the meaning is wrong.
cp "$T/healthy.img" "$T/value.img"
FIX=$FIX python3 - "$T/value.img" <<'EOF' || exit 2
import os, struct, sys
sys.path.insert(0, os.environ["FIX"])
import meta_fixture as mf
path = sys.argv[1]
with open(path, "r+b") as f:
    for blk in (mf.SLOTS_A, mf.SLOTS_B):
        f.seek(blk * mf.BLOCK)
        b = bytearray(f.read(mf.BLOCK))
        b[mf.HEADER + 8 * 10:mf.HEADER + 8 * 11] = struct.pack("<Q", (1 << 63) + 5)
        b[4:8] = struct.pack("<I", mf.crc32c(bytes(b[8:])))
        f.seek(blk * mf.BLOCK)
        f.write(b)
EOF
run "check: invalid slot value -> 2" 2 \
	'spare unit 10: slot value 0x8000000000000005 is neither' \
	-- check "$T/value.img"

# ------------------------------------------------------ dump | restore ----

mkimg --variant healthy --spare-start 2048 --size $((2048 + 64 + 1000 * 8)) \
	"$T/src.img"
run "check --spare-start: healthy -> 0" 0 '^status: healthy$' \
	-- check "$T/src.img" --spare-start 2048
run "check at the wrong offset -> 2" 2 'all zero' -- check "$T/src.img"
run "dump --json" 0 '"format": "dm-remap metadata"' \
	-- dump --json --spare-start=2048 "$T/src.img"
cp "$OUT" "$T/src.json"
check "dump --json: 6 remaps, spare sectors from spare_start" \
	grep -q '"lunit": 5000, "sunit": 3, "logical_sector": 40000, "spare_sector": 2136' \
	"$T/src.json"

truncate -s $(((2048 + 64 + 1000 * 8) * 512)) "$T/dst.img"
run "restore into a zeroed image" 0 'wrote 8 metadata blocks' \
	'generation 6, seq 10' -- restore "$T/dst.img" --from "$T/src.json"
run "check: restored -> 0" 0 '^status: healthy$' \
	-- check "$T/dst.img" --spare-start 2048
run "dump --json: restored" 0 -- dump --json --spare-start 2048 "$T/dst.img"
cp "$OUT" "$T/dst.json"
check "restored dump equals the original but seq and generation" \
	diff <(stable "$T/src.json") <(stable "$T/dst.json")
check "restored: generation + 1, seq + 1" \
	grep -q -e '"generation": 6,' "$T/dst.json"
check "restored: seq + 1" grep -q -e '"seq": 10,' "$T/dst.json"
run "restore from standard input" 0 'generation 7' \
	-- restore "$T/dst.img" --from - <"$T/dst.json"

# A restore of the fixture's dump gives back the healthy table.
truncate -s $(((64 + 1000 * 8) * 512)) "$T/fx-dst.img"
"$REMAPCTL" dump --json "$FIX/meta_v1.img" >"$T/fx.json" 2>/dev/null
run "restore: the fixture's current copies" 0 -- \
	restore "$T/fx-dst.img" --from "$T/fx.json"
run "check: restored fixture -> 0" 0 '^status: healthy$' -- \
	check "$T/fx-dst.img"

# ------------------------------------------------------ protection ----
# docs/metadata-format.md, "Protection": check and dump show it, restore
# carries it, and a protected unit that is not remapped is broken.
mkimg --variant protected "$T/prot.img"
run "check: protected -> 0" 0 '^status: healthy$' \
	'^protected: units 0-0 \(sectors 0-7\), units 262143-262143 \(sectors 2097144-2097151\); the main device holds the member signature there$' \
	-- check "$T/prot.img"
run "dump: protected" 0 '^protect_head +1$' '^protect_tail +1$' \
	'^protect_tail_first +262143$' '^protected +units 0-0 ' -- dump "$T/prot.img"
run "dump: healthy is not protected" 0 '^protected +no$' '^protect_head +0$' \
	-- dump "$T/healthy.img"
run "dump --json: protected" 0 '"protect_head": 1,' '"protect_tail": 1,' \
	'"protect_tail_first": 262143,' -- dump --json "$T/prot.img"
cp "$OUT" "$T/prot.json"
truncate -s $(((64 + 1000 * 8) * 512)) "$T/prot-dst.img"
run "restore: protected" 0 -- restore "$T/prot-dst.img" --from "$T/prot.json"
run "check: restored protected -> 0" 0 '^status: healthy$' \
	'^protected: units 0-0 ' -- check "$T/prot-dst.img"
mkimg --variant protected-gap "$T/gap.img"
run "check: a protected unit not remapped -> 2" 2 \
	'logical unit 1 is protected \(the main device holds the member signature there\) but not remapped' \
	-- check "$T/gap.img"
sed 's/"protect_head": 1,/"protect_head": 2,/' "$T/prot.json" >"$T/gap.json"
run "restore: a protected unit not remapped is refused" 2 \
	'logical unit 1 is protected but not remapped' \
	-- restore "$T/prot-dst.img" --from "$T/gap.json"
sed 's/"protect_tail_first": 262143,/"protect_tail_first": 262144,/' \
	"$T/prot.json" >"$T/past.json"
run "restore: a protection past the main device is refused" 2 \
	'does not fit the main device' \
	-- restore "$T/prot-dst.img" --from "$T/past.json"

# ------------------------------------------------ scrub checkpoint ----
# docs/metadata-format.md, "Scrub checkpoint": counters 5..15.  check
# shows a running or paused scrub and the scrub counters as notes, and an
# inconsistent checkpoint as a note too (the module ignores it); restore
# carries it.
ckjson() {
	python3 - "$T/src.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["counters"][5:16] = [int(v) for v in sys.argv[3].split()]
json.dump(d, open(sys.argv[2], "w"))
PY
}
ckjson "$T/ck.json" "2 1 0 1 3 1767225600 2 0 4096 8192 5"
run "restore: a paused scrub's checkpoint" 0 -- restore "$T/dst.img" --from "$T/ck.json"
run "check: the checkpoint shown, healthy" 0 \
	'scrub checkpoint: paused at sector 4096 of sectors 0-8191 \(50\.0%\)' \
	'scrub: 3 passes \(the last ended at 1767225600, Unix time\), 2 read errors, 1 relocated, 0 weak, 1 pending, 5 metadata copies repaired' \
	'^status: healthy$' -- check "$T/dst.img" --spare-start 2048
run "dump --json: the checkpoint kept" 0 \
	'"counters": \[3, 2, 1, 0, 8, 2, 1, 0, 1, 3, 1767225600, 2, 0, 4096, 8192, 5\]' \
	-- dump --json --spare-start 2048 "$T/dst.img"
ckjson "$T/ck.json" "0 0 0 0 0 0 1 0 8200 8192 0"
run "restore: an inconsistent checkpoint" 0 -- restore "$T/dst.img" --from "$T/ck.json"
run "check: an inconsistent checkpoint is a note" 0 \
	'scrub checkpoint: position outside its pass \(the module ignores it: no scrub runs\)' \
	'^status: healthy$' -- check "$T/dst.img" --spare-start 2048
ckjson "$T/ck.json" "0 0 0 0 0 0 1 0 0 $((2097152 + 8)) 0"
run "restore: a checkpoint past the main device" 0 -- restore "$T/dst.img" --from "$T/ck.json"
run "check: past the main device" 0 'pass ends past the main device' \
	-- check "$T/dst.img" --spare-start 2048
run "restore: the original" 0 -- restore "$T/dst.img" --from "$T/src.json"
run "check: no scrub note without a scrub" 0 '^status: healthy$' \
	-- check "$T/dst.img" --spare-start 2048
check "check: no scrub note" bash -c "! grep -q scrub '$OUT'"

# ------------------------------------------------------------ identity ----
# docs/metadata-format.md, "Identity": name, main serial, WWN, partition.
# A dump without them (older remapctl) restores as not recorded; dump and
# check show them, restore carries them, bad strings are refused.
run "dump: no identity recorded" 0 '^name +-$' '^main_serial +-$' \
	'^main_wwn +-$' '^main_partition +0$' -- dump --spare-start 2048 "$T/dst.img"
run "check: no identity is a note, healthy" 0 \
	'identity: name -, main serial -, WWN -, partition 0' \
	'note: no device name recorded: assemble --scan cannot assemble it' \
	'^status: healthy$' -- check "$T/dst.img" --spare-start 2048
idjson() {
	python3 - "$T/src.json" "$1" "$2" "$3" "$4" "$5" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k, v in zip(("name", "main_serial", "main_wwn"), sys.argv[3:6]):
    if v != "ABSENT":
        d[k] = v
    else:
        d.pop(k, None)
d["main_partition"] = int(sys.argv[6])
json.dump(d, open(sys.argv[2], "w"))
PY
}
idjson "$T/id.json" 'data-1' 'WD-"WX12' '0x5000c500a1b2c3d4' 3
run "restore: an identity" 0 -- restore "$T/dst.img" --from "$T/id.json"
run "dump: the identity" 0 '^name +data-1$' '^main_serial +WD-"WX12$' \
	'^main_wwn +0x5000c500a1b2c3d4$' '^main_partition +3$' \
	-- dump --spare-start 2048 "$T/dst.img"
run "check: the identity, no note" 0 \
	'identity: name data-1, main serial WD-"WX12, WWN 0x5000c500a1b2c3d4, partition 3' \
	'^status: healthy$' -- check "$T/dst.img" --spare-start 2048
check "check: no identity note" bash -c "! grep -q 'recorded' '$OUT'"
run "dump --json: the identity, escaped" 0 '"name": "data-1",' \
	'"main_serial": "WD-\\"WX12",' '"main_wwn": "0x5000c500a1b2c3d4",' \
	'"main_partition": 3,' -- dump --json --spare-start 2048 "$T/dst.img"
cp "$OUT" "$T/id-dst.json"
run "restore: its own dump" 0 -- restore "$T/dst.img" --from "$T/id-dst.json"
run "dump --json: the same identity again" 0 -- dump --json --spare-start 2048 "$T/dst.img"
cp "$OUT" "$T/id-dst2.json"
check "restore round-trips the identity" \
	diff <(stable "$T/id-dst.json") <(stable "$T/id-dst2.json")
check "the identity is at bytes 296.. of both superblock copies" \
	bash -c "dd if='$T/dst.img' bs=1 skip=\$((2048 * 512 + 296)) count=6 status=none | grep -qx data-1 &&
		dd if='$T/dst.img' bs=1 skip=\$((2048 * 512 + 4096 + 424)) count=9 status=none | grep -q 'WD-\"WX12'"
idjson "$T/id.json" 'data-1' 'ABSENT' '0x5' 0
run "restore: only a WWN" 0 -- restore "$T/dst.img" --from "$T/id.json"
run "check: only a WWN, no note" 0 'WWN 0x5, partition 0' -- check "$T/dst.img" --spare-start 2048
idjson "$T/id.json" 'data 1' 'ABSENT' 'ABSENT' 0
run "restore: a name with a blank -> 2" 2 'identity name: a blank or control character' \
	-- restore "$T/dst.img" --from "$T/id.json"
idjson "$T/id.json" 'x' "$(printf 'x%.0s' {1..128})" 'ABSENT' 0
run "restore: a serial too long -> 2" 2 'identity string too long' \
	-- restore "$T/dst.img" --from "$T/id.json"
idjson "$T/id.json" 'ABSENT' 'ABSENT' 'ABSENT' 4294967296
run "restore: a partition past 32 bits -> 2" 2 '"main_partition" 4294967296 does not fit in 32 bits' \
	-- restore "$T/dst.img" --from "$T/id.json"
run "restore: the original again" 0 -- restore "$T/dst.img" --from "$T/src.json"

# ------------------------------------- initialized slot blocks (v2) ----
# docs/metadata-format.md, "Initialized slot blocks": only the first
# slot_blocks_init slot blocks are read; the fixture's uninitialized block
# 1 holds a valid block naming a unit, which must not show.

check "fixture script rebuilds the committed v2 image" \
	sh -c "python3 '$MKIMG' --variant partial '$T/fx2.img' && cmp '$T/fx2.img' '$FIX/meta_v2.img'"
run "check: v2, one of two slot blocks initialized -> 0" 0 '^status: healthy$' \
	'format: version 2,' '1000 slots \(2 slot blocks, 1 initialized\)' \
	'table: 4 remapped, 1 retired, 1 pending' -- check "$FIX/meta_v2.img"
run "check: v1 says all initialized" 0 \
	'1000 slots \(2 slot blocks, 2 initialized\)' -- check "$T/healthy.img"
run "dump: v2" 0 '^version +2$' '^slot_blocks_init +1$' '^remapped 4$' \
	'^0 507 0 4120$' -- dump "$FIX/meta_v2.img"
cp "$OUT" "$T/v2.dump"
check "dump: v2 shows nothing of the uninitialized block" \
	sh -c "! grep -q '^7 508 ' '$T/v2.dump'"
run "dump: v1 has slot_blocks_init 0" 0 '^slot_blocks_init +0$' \
	-- dump "$T/healthy.img"
cp "$FIX/meta_v2.img" "$T/v2junk.img"
clobber "$T/v2junk.img" 5
clobber "$T/v2junk.img" 7
run "check: v2, garbage in the uninitialized block -> 0" 0 '^status: healthy$' \
	-- check "$T/v2junk.img"
cp "$FIX/meta_v2.img" "$T/v2bad.img"
clobber "$T/v2bad.img" 4
clobber "$T/v2bad.img" 6
run "check: v2, both copies of an initialized block corrupt -> 2" 2 \
	'slot block 0: both copies are invalid' -- check "$T/v2bad.img"
run "dump --json: v2" 0 '"version": 2,' '"slot_blocks_init": 1,' \
	-- dump --json "$FIX/meta_v2.img"
cp "$OUT" "$T/v2.json"
truncate -s $(((64 + 1000 * 8) * 512)) "$T/v2-dst.img"
run "restore: v2 writes the initialized slot blocks only" 0 \
	'wrote 6 metadata blocks' -- restore "$T/v2-dst.img" --from "$T/v2.json"
check "restore: v2, slot block 1 not written" \
	sh -c "dd if='$T/v2-dst.img' bs=4096 skip=5 count=1 status=none | cmp -s - /dev/zero -n 4096 && dd if='$T/v2-dst.img' bs=4096 skip=7 count=1 status=none | cmp -s - /dev/zero -n 4096"
run "check: restored v2 -> 0" 0 '^status: healthy$' \
	'2 slot blocks, 1 initialized' -- check "$T/v2-dst.img"
run "dump --json: restored v2" 0 -- dump --json "$T/v2-dst.img"
cp "$OUT" "$T/v2-dst.json"
check "restored v2 dump equals the original but seq and generation" \
	diff <(stable "$T/v2.json") <(stable "$T/v2-dst.json")
sed '/"slot_blocks_init"/d' "$T/src.json" >"$T/noinit.json"
run "restore: a dump without slot_blocks_init (all initialized)" 0 \
	'wrote 8 metadata blocks' -- restore "$T/dst.img" --from "$T/noinit.json"
sed 's/"version": 2,/"version": 1,/' "$T/v2.json" >"$T/v1init.json"
run "restore: version 1 with slot_blocks_init 1 -> 2" 2 \
	'"slot_blocks_init" 1 does not go with version 1 and 2 slot blocks' \
	-- restore "$T/v2-dst.img" --from "$T/v1init.json"
sed 's/"slot_blocks_init": 1,/"slot_blocks_init": 2,/' "$T/v2.json" >"$T/allinit.json"
run "restore: version 2 with every block counted -> 2" 2 \
	'"slot_blocks_init" 2 does not go with version 2' \
	-- restore "$T/v2-dst.img" --from "$T/allinit.json"
sed 's/"slot_blocks_init": 1,/"slot_blocks_init": 0,/' "$T/v2.json" >"$T/zeroinit.json"
run "restore: version 2 with slot_blocks_init 0 -> 2" 2 \
	'"slot_blocks_init" 0 does not go with version 2' \
	-- restore "$T/v2-dst.img" --from "$T/zeroinit.json"
sed 's/"version": 2,/"version": 3,/' "$T/v2.json" >"$T/v3.json"
run "restore: version 3 -> 2" 2 'version 3 is not supported \(only 1 and 2\)' \
	-- restore "$T/v2-dst.img" --from "$T/v3.json"
sed 's/"retired": \[/"retired": [\n    {"sunit": 600},/' "$T/v2.json" >"$T/past.json"
run "restore: a spare unit past the initialized blocks -> 2" 2 \
	'spare unit 600 is beyond the initialized slot blocks \(508 slots\)' \
	-- restore "$T/v2-dst.img" --from "$T/past.json"

# ---------------------------------------------------- restore refusals ----

truncate -s $(((2048 + 64 + 999 * 8) * 512)) "$T/small.img"
run "restore: device too small for the units in use -> 2" 2 \
	'does not fit' -- restore "$T/small.img" --from "$T/src.json"
run "restore: other spare_start -> 2" 2 'the dump is for spare_start 2048' \
	-- restore "$T/dst.img" --from "$T/src.json" --spare-start 0

echo '{"format": "dm-remap metadata", "version": 1,' >"$T/broken.json"
run "restore: truncated JSON -> 2" 2 'not valid JSON: line 2, column 1: expected a member name' \
	-- restore "$T/dst.img" --from "$T/broken.json"
echo '[1, 2]' >"$T/array.json"
run "restore: not an object -> 2" 2 'must be a JSON object' \
	-- restore "$T/dst.img" --from "$T/array.json"
sed 's/"version": 1,/"version": 1, "colour": "red",/' "$T/src.json" >"$T/extra.json"
run "restore: unknown member -> 2" 2 'unknown member "colour"' \
	-- restore "$T/dst.img" --from "$T/extra.json"
sed 's/"spare_sector": 2136/"spare_sector": 2137/' "$T/src.json" >"$T/sector.json"
run "restore: inconsistent sector -> 2" 2 \
	'"remaps"\[[0-9]+\]: "spare_sector" is 2137, but the unit says 2136' \
	-- restore "$T/dst.img" --from "$T/sector.json"
sed 's/"sunit": 999,/"sunit": 3,/; s/"spare_sector": 10104}/"spare_sector": 2136}/' \
	"$T/src.json" >"$T/twice.json"
run "restore: spare unit used twice -> 2" 2 'spare unit 3 is used twice' \
	-- restore "$T/dst.img" --from "$T/twice.json"
sed 's/"lunit": 100, "sunit": 0, "logical_sector": 800/"lunit": 101, "sunit": 0, "logical_sector": 808/' \
	"$T/src.json" >"$T/lunit.json"
run "restore: logical unit twice -> 2" 2 'logical unit 101 is remapped twice' \
	-- restore "$T/dst.img" --from "$T/lunit.json"
sed 's/"slot_capacity": 1000/"slot_capacity": 1017/' "$T/src.json" >"$T/cap.json"
run "restore: layout not the format's -> 2" 2 'is not the one of the format' \
	-- restore "$T/dst.img" --from "$T/cap.json"
sed 's/"lunit": 262143, "sunit": 999, "logical_sector": 2097144/"lunit": 262144, "sunit": 999/' \
	"$T/src.json" >"$T/beyond.json"
run "restore: logical unit beyond the main device -> 2" 2 \
	'logical unit 262144 is beyond the main device' \
	-- restore "$T/dst.img" --from "$T/beyond.json"
sed 's/"unit_sectors": 8/"unit_sectors": -8/' "$T/src.json" >"$T/neg.json"
run "restore: negative number -> 2" 2 'negative number' \
	-- restore "$T/dst.img" --from "$T/neg.json"
sed 's/"uuid": "5eed0001/"uuid": "6eed0001/; s/"instance": [0-9]*,//' \
	"$T/src.json" >"$T/other.json"
run "restore: another uuid's metadata in the way -> 2" 2 \
	'another uuid \(5eed0001-c0de-4d2e-8a11-00112233445f\).*--force' \
	-- restore "$T/dst.img" --from "$T/other.json"
run "restore --force over another uuid" 0 'uuid 6eed0001-' \
	-- restore "$T/dst.img" --from "$T/other.json" --force
run "check: forced restore -> 0" 0 '^status: healthy$' \
	-- check "$T/dst.img" --spare-start 2048
run "restore: missing dump file -> 3" 3 'No such file' \
	-- restore "$T/dst.img" --from "$T/nope.json"

echo "RESULT $passed $failed"
[[ $failed -eq 0 ]]
