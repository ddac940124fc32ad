# shellcheck shell=bash
# The check run at every crash point by the crash-replay tests (51, 52):
# tests/tools/logreplay.py has replayed the spare's recorded writes up to
# entry $REPLAY_ENTRY, the last mark before it being $REPLAY_MARK ("opN",
# or empty before the first).  The image must
#   - load read-only with CHK_TABLE (nothing repaired, nothing written);
#   - give no spare sector and no logical unit twice;
#   - hold every remap of the state at the last mark ($CHK_DIR/state.N,
#     sorted logical sectors), differing from it only in the units the next,
#     unfinished operation changes (state.N vs state.N+1);
#   - read back every sector intact (sectag pattern CHK_PATTERN);
#   - with CHK_REMAPCTL_IMG, pass remapctl check, healthy or repairable;
#     a prefix with an interrupted commit is counted in $CHK_DIR/interrupted;
#     with CHK_SCRUB=1 too, its scrub checkpoint must be consistent, and a
#     prefix with a running or paused one is counted in $CHK_DIR/scrubbing.
# CHK_EARLY_REFUSAL=1: before the first mark the metadata may not be
# written yet, so a refused load there is allowed.
# Run by bash, not sourced; exits non-zero with a line saying why.
export DM_DISABLE_UDEV=1
: "${CHK_DIR:?}" "${CHK_TABLE:?}" "${CHK_LEN:?}" "${CHK_SECTAG:?}" "${CHK_PATTERN:=7}"
d=$CHK_DIR
i=${REPLAY_MARK#op}
i=${i:-0}
fail() {
	echo "prefix $REPLAY_ENTRY (after mark '$REPLAY_MARK'): $*"
	dmsetup remove chk 2>/dev/null
	exit 1
}
if ! dmsetup create --readonly chk --table "$CHK_TABLE" 2>/dev/null; then
	dmsetup remove chk 2>/dev/null
	[[ ${CHK_EARLY_REFUSAL:-0} == 1 && -z $REPLAY_MARK ]] && exit 0
	fail "table refused: $(dmesg | grep 'remap:' | tail -1)"
fi
dmsetup message chk 0 list > "$d/got"
cut -d' ' -f1 "$d/got" | sort > "$d/got.l"
dup=$(cut -d' ' -f2 "$d/got" | sort | uniq -d)
[[ -z $dup ]] || fail "spare sectors given twice: $dup"
dup=$(uniq -d "$d/got.l")
[[ -z $dup ]] || fail "logical sectors listed twice: $dup"
comm -3 "$d/got.l" "$d/state.$i" | tr -d '\t' | sort > "$d/diff"
if [[ -f $d/state.$((i + 1)) ]]; then
	comm -3 "$d/state.$i" "$d/state.$((i + 1))" | tr -d '\t' | sort > "$d/allowed"
else
	: > "$d/allowed"
fi
extra=$(comm -23 "$d/diff" "$d/allowed" | head -3)
[[ -z $extra ]] || fail "units differing from op$i's table: $extra"
"$CHK_SECTAG" verify /dev/mapper/chk 0 "$CHK_LEN" "$CHK_PATTERN" --direct > "$d/verify" ||
	fail "data: $(head -3 "$d/verify")"
dmsetup remove chk
[[ -n ${CHK_REMAPCTL_IMG:-} ]] || exit 0
"$CHK_REMAPCTL" check "$CHK_REMAPCTL_IMG" > "$d/rcheck"
rc=$?
((rc <= 1)) || fail "remapctl check: $(grep -E 'broken|status' "$d/rcheck" | head -3)"
if [[ ${CHK_SCRUB:-0} == 1 ]]; then
	! grep -q "the module ignores it" "$d/rcheck" ||
		fail "scrub checkpoint: $(grep 'the module ignores it' "$d/rcheck")"
	grep -q "scrub checkpoint: \(running\|paused\)" "$d/rcheck" && echo "$REPLAY_ENTRY" >> "$d/scrubbing"
fi
((rc == 0)) && exit 0
grep -q 'interrupted commit' "$d/rcheck" && echo relocation >> "$d/interrupted"
exit 0
