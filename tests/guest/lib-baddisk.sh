# shellcheck shell=bash
# Simulated failing disks for the guest tests (sourced after lib.sh).
#
# A "bad disk" is a dm-linear device over a loop device whose table can be
# swapped, under load, for one with bad ranges in it:
#   error   dm-error: reads and writes fail (a sector gone bad);
#   wfail   dm-flakey, always down, error_writes: writes fail, reads work
#           (a sector the drive can still read but no longer write);
#   slowN   dm-delay: reads and writes work, each after N ms (a sector the
#           drive reads only after internal retries).
# The loop device keeps the data, so a range that stops being bad reads
# back what was there before.

modprobe dm-flakey
modprobe dm-delay

# bad_disk NAME DEV: create /dev/mapper/NAME, all good, over DEV.
bad_disk() {
	dm_create "$1" "0 $(sectors "$2") linear $2 0"
	eval "_bd_dev_$1=\$2"
}

# bad_table DEV "START LEN KIND"...: the table with those ranges bad;
# the ranges must be sorted and must not overlap.
bad_table() {
	local dev=$1 len pos=0 s n k spec
	shift
	len=$(sectors "$dev")
	for spec in "$@"; do
		read -r s n k <<<"$spec"
		((s > pos)) && echo "$pos $((s - pos)) linear $dev $pos"
		case $k in
		error) echo "$s $n error" ;;
		wfail) echo "$s $n flakey $dev $s 0 1 1 error_writes" ;;
		slow[0-9]*) echo "$s $n delay $dev $s ${k#slow}" ;;
		*) fail "bad_table: unknown kind '$k'" ;;
		esac
		pos=$((s + n))
	done
	if ((pos < len)); then echo "$pos $((len - pos)) linear $dev $pos"; fi
}

# set_bad NAME "START LEN KIND"...: make exactly those ranges of disk NAME
# bad (none: all good again), without stopping its users.  Any order; the
# ranges must not overlap.
set_bad() {
	local name=$1 dev specs
	shift
	dev=_bd_dev_$name
	(($#)) || set -- ""
	mapfile -t specs < <(printf '%s\n' "$@" | sort -n)
	[[ -n ${specs[0]} ]] || specs=()
	bad_table "${!dev}" "${specs[@]}" > "$T/bad-$name.table"
	dmsetup reload "$name" "$T/bad-$name.table"
	dmsetup resume "$name"
}

# status_of NAME FIELD...: status fields as "field=value" words, in the
# short names these tests use, read by name from "remapctl status" (whose
# names come from core/remap_status.h, the table remapd uses too), never
# by position.  The words are those of the status line (auto_remap or
# no_auto_remap; health ok or exhausted; spare used/total).
status_of() {
	local name=$1 want out=() k v
	local -A f=()
	shift
	while read -r k v; do
		f[${k%:}]=$v
	done < <("$REPO/tools/remapctl/remapctl" status "$name")
	for want in "$@"; do
		case $want in
		unit) v=${f[unit_sectors]-} ;;
		remapped) v=${f[remapped_units]-} ;;
		spare) v=${f[spare_used]-}/${f[spare_units]-} ;;
		lost) v=${f[lost_sectors]-} ;;
		metadata) v=${f[metadata]-} ;;
		pending) v=${f[pending_units]-} ;;
		realloc_events) v=${f[reallocation_events]-} ;;
		auto_remaps) v=${f[auto_remaps]-} ;;
		uncorrectable) v=${f[uncorrectable_reads]-} ;;
		spare_errors) v=${f[spare_errors]-} ;;
		retired) v=${f[retired_units]-} ;;
		auto_remap) v=${f[auto_remap]-}; [[ $v == on ]] && v=auto_remap; [[ $v == off ]] && v=no_auto_remap ;;
		health) v=${f[spare_exhausted]-}; [[ $v == yes ]] && v=exhausted; [[ $v == no ]] && v=ok ;;
		doubt) v=${f[doubt_units]-} ;;
		scrub_*) v=${f[$want]-} ;;
		*) fail "status_of: unknown field '$want'" ;;
		esac
		out+=("$want=$v")
	done
	echo "${out[*]}"
}

# stat_of NAME KEY: one value of the "stats" message's answer.
stat_of() { msg "$1" stats | awk -v k="$2" '$1 == k {print $2}'; }

# sc NAME KEY: a scrub value of the stats answer.
sc() { stat_of "$1" "$2"; }

# expect_no_user_errors NAME WHAT: no user read failed, nothing was lost.
expect_no_user_errors() {
	expect_eq "$2: no user error, nothing lost" "$(status_of "$1" uncorrectable lost)" \
		"uncorrectable=0 lost=0"
}

# wait_idle NAME SECONDS: wait until the scrub is idle.
wait_idle() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[[ $(sc "$1" scrub_state) == idle ]] && return 0
		sleep 0.1
	done
	msg "$1" stats >&2
	fail "$1: the scrub did not finish within $2 s"
}

# events NAME: the device's table event counter.
events() { dmsetup info -c --noheadings -o events "$1" | tr -d ' '; }

# devno NAME: "major:minor", as the target's kernel messages name a device.
devno() { dmsetup info -c --noheadings -o major,minor --separator : "$1" | tr -d ' '; }
