#!/bin/bash
# timeout: 600
# Issue 12, defect 11: one media-error predicate.  The error path must
# treat every kind of media error alike wherever it meets one, and pass
# every other error up unchanged.  Main and spare sit on faultseq devices
# (lib-faultseq.sh), which fail chosen bios by count with a chosen
# blk_status_t.
#
# For each media error kind (ioerr, medium, target, protection):
#   1 a write failing on main is absorbed: acknowledged, remapped, reads back;
#   2 the same when the relocation's first write to the spare fails with
#     that kind: the failing spare unit is retired and counted as a spare
#     error, the next one used, the write acknowledged (and with the first
#     two spare writes failing: two retired);
#   3 a remapped unit whose spare unit fails a write with that kind moves
#     to another spare unit, the old one retired;
#   4 a read failing on main with that kind fails upward once and the unit
#     turns pending.
# For each other kind (nospc, notsupp: no statement about the medium):
#   1, 4 the error goes up unchanged (its own errno), nothing is remapped,
#     nothing turns pending;
#   2 a relocation whose spare write fails with it retires no spare unit,
#     and the pool is not reported exhausted (status, kernel log) while it
#     has free units.
# Throughout: spare_used = remapped + retired (status); after a reload with
# every fault cleared every acknowledged write reads back.  Each kind runs
# on its own devices and every subtest reports on its own.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-baddisk.sh"	# status_of
source "$(dirname "$0")/lib-faultseq.sh"
source "$(dirname "$0")/lib-acked.sh"

U=8
declare -A ERRNO=(
	[ioerr]="Input/output error" [medium]="No data available"
	[target]="Remote I/O error" [protection]="Invalid or incomplete multibyte or wide character"
	[nospc]="No space left on device" [notsupp]="Operation not supported")

le64() {
	$DD if="$1" bs=4096 count=1 iflag=direct status=none |
		od -An -t u8 -j "$2" -N 8 | tr -d ' '
}

# setup KIND: faultseq devices and a remap device over them, filled with
# tag 1.  Sets R FM FS TABLE LOOPS DATA0 (spare unit 0) SLEN.
setup() {
	local mloop sloop len
	mloop=$(new_loop 4)
	sloop=$(new_loop 2)
	LOOPS=("$mloop" "$sloop")
	R=r-$1 FM=fm-$1 FS=fs-$1
	faultseq_dev "$FM" "$mloop"
	faultseq_dev "$FS" "$sloop"
	len=$(sectors "$mloop")
	SLEN=$(sectors "$sloop")
	TABLE="0 $len remap /dev/mapper/$FM 0 /dev/mapper/$FS 0 $SLEN 2 unit_sectors $U"
	dm_create "$R" "$TABLE"
	acked_fill "$R" 1
	DATA0=$(le64 "$sloop" 96)
}

# snap ARRAY: the remap device's status fields into ARRAY (name -> value).
snap() {
	local -n _s=$1
	local kv
	_s=()
	for kv in $(status_of "$R" remapped spare pending auto_remaps uncorrectable \
		spare_errors retired health metadata); do
		_s[${kv%%=*}]=${kv#*=}
	done
}
declare -A B A

# deltas WHAT FIELD=N...: each field changed by N between B and A.
deltas() {
	local what=$1 f n kv got=() want=()
	shift
	for kv in "$@"; do
		f=${kv%%=*} n=${kv#*=}
		got+=("$f+$((A[$f] - B[$f]))")
		want+=("$f+$n")
	done
	if [[ ${got[*]} == "${want[*]}" ]]; then
		echo "   counters: ${got[*]}"
	else
		problem "$what: counters ${got[*]}, want ${want[*]}"
	fi
}

# invariants WHAT: spare_used = remapped + retired; the pool not reported
# exhausted while it has free units.
invariants() {
	local used total
	snap A
	used=${A[spare]%/*} total=${A[spare]#*/}
	((used == A[remapped] + A[retired])) ||
		problem "$1: spare_used $used != remapped ${A[remapped]} + retired ${A[retired]}"
	if [[ ${A[health]} == exhausted ]] && ((used < total)); then
		problem "$1: status says exhausted with $((total - used)) free spare units"
	fi
}

# fresh: no faults (each subtest arms its own).
fresh() { faultseq_clear "$FM"; faultseq_clear "$FS"; }

# spare_of SECTOR: the spare sector of the unit holding SECTOR.
spare_of() { msg "$R" list | awk -v s="$1" -v u=$U '$1 <= s && s < $1 + u {print $2}'; }

# read_fails SECTOR: an O_DIRECT read of the unit at SECTOR must fail;
# prints its errno text.
read_err() {
	if $DD if="/dev/mapper/$R" of=/dev/null bs=4096 skip=$(($1 / U)) count=1 \
		iflag=direct status=none 2>"$T/err"; then
		echo ok
	else
		sed -n 's/^[^ ]*dd: [^:]*: //p' "$T/err" | tail -n 1
	fi
}

media_kind() {
	local k=$1 id s new c e
	log "$k: media error"
	setup "$k"

	echo " 1 a write failing on main with $k"
	fresh
	faultseq_fail "$FM" write $((100 * U)) $U 0 -1 "$k" >/dev/null
	snap B
	acked_write "$R" $((100 * U)) $U 2 ||
		problem "$k 1: a write failing on main with $k is not absorbed ($ACKED_ERR)"
	snap A
	deltas "$k 1" remapped=1 auto_remaps=1 retired=0 spare_errors=0

	for n in 1 2; do
		echo " 2 a relocation whose first $n spare write(s) fail with $k"
		fresh
		faultseq_fail "$FM" write $(((200 + n) * U)) $U 0 -1 ioerr >/dev/null
		id=$(faultseq_fail "$FS" write "$DATA0" $((SLEN - DATA0)) 0 $n "$k")
		snap B
		acked_write "$R" $(((200 + n) * U)) $U $((2 + n)) ||
			problem "$k 2: a relocation whose first $n spare write(s) fail with $k gives up ($ACKED_ERR)"
		snap A
		c=$(faultseq_count "$FS" "$id")
		echo "   spare data writes passed/failed: ${c/ //}"
		[[ ${c#* } == "$n" ]] || problem "$k 2: $n spare write(s) should have failed, ${c#* } did"
		deltas "$k 2 ($n)" remapped=1 auto_remaps=1 retired=$n spare_errors=$n
	done

	echo " 3 a remapped unit whose spare unit fails a write with $k"
	fresh
	msg "$R" remap $((300 * U))
	s=$(spare_of $((300 * U)))
	faultseq_fail "$FS" write "$s" $U 0 1 "$k" >/dev/null
	snap B
	acked_write "$R" $((300 * U)) $U 5 ||
		problem "$k 3: a write to a remapped unit whose spare unit fails with $k is not absorbed ($ACKED_ERR)"
	snap A
	new=$(spare_of $((300 * U)))
	[[ $new != "$s" ]] || problem "$k 3: the unit is still on spare sector $s"
	deltas "$k 3" remapped=0 retired=1 spare_errors=1

	echo " 4 a read failing on main with $k"
	fresh
	faultseq_fail "$FM" read $((400 * U)) $U 0 -1 "$k" >/dev/null
	snap B
	e=$(read_err $((400 * U)))
	echo "   read: $e"
	[[ $e != ok ]] || problem "$k 4: a read of an unreadable unit succeeded"
	snap A
	deltas "$k 4" pending=1 uncorrectable=1 remapped=0

	acked_write "$R" $((600 * U)) $U 6 || problem "$k: a plain write failed ($ACKED_ERR)"
	invariants "$k"
	echo "   status: $(dmsetup status "$R")"
	reload_check "$k"
}

other_kind() {
	local k=$1 e mark
	log "$k: not a media error"
	setup "$k"

	echo " 1 a write failing on main with $k"
	fresh
	faultseq_fail "$FM" write $((100 * U)) $U 0 -1 "$k" >/dev/null
	snap B
	if acked_write "$R" $((100 * U)) $U 2; then
		problem "$k 1: a write failing on main with $k was acknowledged"
	elif [[ $ACKED_ERR != "${ERRNO[$k]}" ]]; then
		problem "$k 1: the write failed with '$ACKED_ERR', not '${ERRNO[$k]}'"
	fi
	snap A
	deltas "$k 1" remapped=0 auto_remaps=0 pending=0 retired=0 spare_errors=0

	echo " 2 a relocation whose first spare write fails with $k"
	fresh
	faultseq_fail "$FM" write $((200 * U)) $U 0 -1 ioerr >/dev/null
	faultseq_fail "$FS" write "$DATA0" $((SLEN - DATA0)) 0 1 "$k" >/dev/null
	snap B
	mark=$(kmsg_mark)
	acked_write "$R" $((200 * U)) $U 3 || true
	snap A
	deltas "$k 2" retired=0
	invariants "$k 2"
	if kmsg_since "$mark" | grep "spare pool exhausted"; then
		problem "$k 2: the kernel log says the spare pool is exhausted; it has $((${A[spare]#*/} - ${A[spare]%/*})) free units"
	fi

	echo " 4 a read failing on main with $k"
	fresh
	faultseq_fail "$FM" read $((400 * U)) $U 0 -1 "$k" >/dev/null
	snap B
	e=$(read_err $((400 * U)))
	echo "   read: $e"
	[[ $e == "${ERRNO[$k]}" ]] || problem "$k 4: the read gave '$e', not '${ERRNO[$k]}'"
	snap A
	deltas "$k 4" pending=0 uncorrectable=0 remapped=0

	acked_write "$R" $((600 * U)) $U 6 || problem "$k: a plain write failed ($ACKED_ERR)"
	invariants "$k"
	echo "   status: $(dmsetup status "$R")"
	reload_check "$k"
}

# reload_check WHAT: tear down, clear every fault, create again, read back;
# then remove everything.
reload_check() {
	dmsetup remove "$R" && forget_dm "$R"
	fresh
	if dmsetup create "$R" --table "$TABLE"; then
		_dms+=("$R")
		acked_check "$R" "$1: after the reload" && echo "   every acknowledged write reads back"
		dmsetup remove "$R" && forget_dm "$R"
	else
		problem "$1: the device does not load again"
	fi
	dmsetup remove "$FM" && forget_dm "$FM"
	dmsetup remove "$FS" && forget_dm "$FS"
	losetup -d "${LOOPS[@]}"
}

for k in ioerr medium target protection; do
	media_kind "$k"
done
for k in nospc notsupp; do
	other_kind "$k"
done
problems_exit
