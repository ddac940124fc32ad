#!/bin/bash
# timeout: 600
# Issue 12, defect 3: a failed metadata commit whose outcome on disk is
# unknown.  The spare (and the main device) sit on faultseq devices
# (lib-faultseq.sh).  A commit of a slot block is made to go wrong by
# count: copy A of the block is written, then copy B and the rollback
# rewrite of copy A fail (consecutive failures), so copy A holds the new
# state with the highest seq while memory holds the old one.  Then, as a
# user would: more writes to that unit and others, teardown, every fault
# cleared, the device re-created from the same devices (persistent
# metadata), everything read back.
#
# Checked, as a user sees it (DESIGN.md invariants 1 and 6): every
# acknowledged write reads back with its bytes after the reload (a failed
# write may read old or new, nothing else), the table loads, and status
# does not say "ok" for the metadata after the failure.  Scenarios:
#   A  an automatic relocation (a write to a failing main unit) whose
#      commit fails, then writes to that unit (main healthy again) and others;
#   B  the same, then a second unit fails on main and its relocation takes
#      the lowest free spare unit, the one the failed commit names on disk;
#   C  an unremap message whose commit fails, then writes to that unit;
#   D  a remap message whose commit fails, then writes to that unit;
#   E  a relocation off a failing spare unit into another slot block:
#      pass 1 (the new place) commits, pass 2 (retiring the old spare
#      unit) fails the same way, then writes to that unit;
#   F  the same, but pass 2's first write fails and its rollback succeeds,
#      so the old place is on disk with the newer seq: the unit must stay
#      there in memory too.
# Each scenario runs on its own devices and reports on its own; the test
# fails if any check of any scenario fails.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"	# status_of, stat_of
source "$(dirname "$0")/lib-faultseq.sh"
source "$(dirname "$0")/lib-acked.sh"

U=8
PER_BLOCK=508		# slots per slot block (docs/metadata-format.md)
L=$((100 * U))		# the unit whose commit fails
M=$((200 * U))		# a second unit
O=$((300 * U))		# another unit, never in doubt

# le64 DEV BYTE: the little-endian u64 at BYTE of DEV's first block.
le64() {
	$DD if="$1" bs=4096 count=1 iflag=direct status=none |
		od -An -t u8 -j "$2" -N 8 | tr -d ' '
}

# setup ID MAIN_MB SPARE_MB: faultseq devices fm-ID and fs-ID over new
# loop devices, remap device r-ID over them (unit 8 sectors, spare_start
# 0), filled with tag 1.  Sets R FM FS TABLE LEN, and from the superblock
# the metadata layout: SLOTS_A/SLOTS_B (first sector of slot block 0,
# copies A and B), SLOT_BLOCKS, DATA0 (spare unit 0).
setup() {
	local id=$1 mloop sloop slen p
	mloop=$(new_loop "$2")
	sloop=$(new_loop "$3")
	LOOPS=("$mloop" "$sloop")
	R=r-$id FM=fm-$id FS=fs-$id
	faultseq_dev "$FM" "$mloop"
	faultseq_dev "$FS" "$sloop"
	LEN=$(sectors "$mloop")
	slen=$(sectors "$sloop")
	TABLE="0 $LEN remap /dev/mapper/$FM 0 /dev/mapper/$FS 0 $slen 2 unit_sectors $U"
	dm_create "$R" "$TABLE"
	acked_fill "$R" 1
	p=$(le64 "$sloop" 112)
	SLOT_BLOCKS=$(le64 "$sloop" 120)
	DATA0=$(le64 "$sloop" 96)
	SLOTS_A=$(((2 + 2 * p) * 8))
	SLOTS_B=$(((2 + 2 * p + SLOT_BLOCKS) * 8))
	echo "   layout: pending_blocks $p, slot_blocks $SLOT_BLOCKS, slots A at sector $SLOTS_A, B at $SLOTS_B, data_offset $DATA0"
}

teardown() {
	dmsetup remove "$R" && forget_dm "$R"
	dmsetup remove "$FM" && forget_dm "$FM"
	dmsetup remove "$FS" && forget_dm "$FS"
	losetup -d "${LOOPS[@]}"
}

# arm_commit BLOCK TIMES: the next commit of slot block BLOCK writes copy
# A, then TIMES (-1: all) writes to copy A and to copy B fail.
arm_commit() {
	local a=$((SLOTS_A + $1 * 8)) b=$((SLOTS_B + $1 * 8))
	ARMED_TIMES=$2
	RULE_A=$(faultseq_fail "$FS" write "$a" 8 1 "$2")
	RULE_B=$(faultseq_fail "$FS" write "$b" 8 0 "$2")
	echo "   armed: slot block $1 copy A (sectors $a-$((a + 7))): 1 write passes, then $2 fail;" \
		"copy B (sectors $b-$((b + 7))): $2 fail"
}

# commit_failed WHAT: the commit went as armed (copy A written, copy B
# failed), and, when the faults are for ever (the outcome can never be
# learnt), status does not say the metadata is ok.
commit_failed() {
	local a b st
	a=$(faultseq_count "$FS" "$RULE_A")
	b=$(faultseq_count "$FS" "$RULE_B")
	echo "   injected: copy A writes passed/failed: ${a/ //}, copy B: ${b/ //}"
	st=$(dmsetup status "$R")
	echo "   status after the failed commit: $st"
	echo "   stats metadata: $(stat_of "$R" metadata)"
	[[ ${a%% *} -ge 1 && ${b#* } -ge 1 ]] ||
		problem "$1: the commit did not fail as armed (copy A ${a/ //}, copy B ${b/ //} passed/failed)"
	if ((ARMED_TIMES == -1)) && [[ $(status_of "$R" metadata) == metadata=ok ]]; then
		problem "$1: status says metadata ok while no metadata write can succeed"
	fi
}

# reload_check WHAT: tear the remap device down, clear every fault, create
# it again from the same devices, read everything back.
reload_check() {
	dmsetup remove "$R" && forget_dm "$R"
	faultseq_clear "$FM"
	faultseq_clear "$FS"
	if ! dmsetup create "$R" --table "$TABLE"; then
		problem "$1: the device does not load again after the failed commit"
		return
	fi
	_dms+=("$R")
	echo "   after the reload: $(dmsetup status "$R")"
	echo "   list: $(msg "$R" list | wc -l) entries; unit $L: $(msg "$R" list | awk -v l=$L '$1 == l {print "spare sector", $2}')"
	acked_check "$R" "$1: after the reload" && echo "   every acknowledged write reads back"
	return 0
}

log "A: a relocation's commit fails; then writes to that unit and others"
setup a 8 4
faultseq_fail "$FM" write $L $U 0 1 >/dev/null	# main unit L fails one write
arm_commit 0 2
acked_write "$R" $L $U 2 || true	# relocated; its commit fails
commit_failed A
acked_write "$R" $L $U 3 || true	# main takes it again
acked_write "$R" $((L + 2)) 1 4 || true
acked_write "$R" $O $U 5 || true
reload_check A
teardown

log "B: after a failed relocation commit, a second relocation takes the spare unit it names"
setup b 8 4
faultseq_fail "$FM" write $L $U 0 1 >/dev/null
arm_commit 0 -1
acked_write "$R" $L $U 2 || true
commit_failed B
faultseq_fail "$FM" write $M $U 0 -1 >/dev/null	# unit M goes bad for good
acked_write "$R" $M $U 6 || true
acked_write "$R" $O $U 5 || true
reload_check B
teardown

log "C: an unremap whose commit fails; then writes to that unit"
setup c 8 4
msg "$R" remap $L
acked_write "$R" $L $U 2 || problem "C: a write to a remapped unit failed before any fault"
arm_commit 0 2
if msg "$R" unremap $L 2>"$T/err"; then echo "   unremap $L: succeeded"; else echo "   unremap $L: failed: $(head -n 1 "$T/err")"; fi
commit_failed C
acked_write "$R" $L $U 3 || true
acked_write "$R" $((L + 5)) 1 4 || true
acked_write "$R" $O $U 5 || true
reload_check C
teardown

log "D: a remap message whose commit fails; then writes to that unit"
setup d 8 4
arm_commit 0 -1
if msg "$R" remap $L 2>"$T/err"; then echo "   remap $L: succeeded"; else echo "   remap $L: failed: $(head -n 1 "$T/err")"; fi
commit_failed D
acked_write "$R" $L $U 2 || true
acked_write "$R" $O $U 5 || true
reload_check D
teardown

log "E: a relocation into another slot block: pass 1 commits, pass 2 fails"
setup e 8 4
if ((SLOT_BLOCKS < 2)); then
	problem "E: the spare has $SLOT_BLOCKS slot block(s), the scenario needs 2"
else
	msg "$R" remap $L				# spare unit 0, slot block 0
	acked_write "$R" $L $U 2 || problem "E: a write to a remapped unit failed before any fault"
	# Spare units 1..507: the rest of slot block 0; the next one is in block 1.
	msg "$R" remap_many "$((1000 * U))+$(((PER_BLOCK - 1) * U))" >/dev/null
	top=$(msg "$R" list | awk '{print $2}' | sort -n | tail -n 1)
	expect_eq "E: the last spare unit of slot block 0 is used" "$top" $((DATA0 + (PER_BLOCK - 1) * U))
	faultseq_fail "$FS" write "$DATA0" $U 0 1 >/dev/null	# spare unit 0 fails one write
	arm_commit 0 2
	acked_write "$R" $L $U 3 || true	# moves to spare unit 508; pass 2 fails
	commit_failed E
	echo "   list entry of unit $L: $(msg "$R" list | awk -v l=$L '$1 == l')"
	acked_write "$R" $L $U 4 || true
	acked_write "$R" $O $U 5 || true
	reload_check E
fi
teardown

log "F: as E, but pass 2 fails at once and its rollback succeeds (the old place, written back with a newer seq, wins at the next load)"
setup f 8 4
if ((SLOT_BLOCKS < 2)); then
	problem "F: the spare has $SLOT_BLOCKS slot block(s), the scenario needs 2"
else
	msg "$R" remap $L
	acked_write "$R" $L $U 2 || problem "F: a write to a remapped unit failed before any fault"
	msg "$R" remap_many "$((1000 * U))+$(((PER_BLOCK - 1) * U))" >/dev/null
	faultseq_fail "$FS" write "$DATA0" $U 0 1 >/dev/null	# spare unit 0 fails one write
	RULE_A=$(faultseq_fail "$FS" write "$SLOTS_A" 8 0 1)	# block 0 copy A: the next write fails
	acked_write "$R" $L $U 3 || true	# pass 1 (block 1) commits, pass 2 fails, rolled back
	echo "   injected: block 0 copy A writes passed/failed: $(faultseq_count "$FS" "$RULE_A" | tr ' ' /)"
	echo "   status after the failed commit: $(dmsetup status "$R")"
	echo "   list entry of unit $L: $(msg "$R" list | awk -v l=$L '$1 == l')"
	acked_write "$R" $L $U 4 || true
	acked_write "$R" $O $U 5 || true
	reload_check F
fi
teardown

problems_exit
