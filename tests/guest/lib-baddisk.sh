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

# status_of NAME FIELD...: the named fields of the remap status, as
# "name=value" words; the INFO layout of docs/dm-remap.rst.
status_names=(unit remapped spare lost metadata pending realloc_events
	auto_remaps uncorrectable spare_errors retired auto_remap health doubt
	scrub_state scrub_position scrub_end scrub_passes scrub_last_pass_end
	scrub_read_errors scrub_relocated scrub_weak scrub_pending)
status_of() {
	local name=$1 i f out=()
	shift
	read -r -a f <<<"$(dmsetup status "$name" | cut -d' ' -f4-)"
	for want in "$@"; do
		for i in "${!status_names[@]}"; do
			[[ ${status_names[i]} == "$want" ]] && out+=("$want=${f[i]}")
		done
	done
	echo "${out[*]}"
}

# stat_of NAME KEY: one value of the "stats" message's answer.
stat_of() { msg "$1" stats | awk -v k="$2" '$1 == k {print $2}'; }

# events NAME: the device's table event counter.
events() { dmsetup info -c --noheadings -o events "$1" | tr -d ' '; }

# devno NAME: "major:minor", as the target's kernel messages name a device.
devno() { dmsetup info -c --noheadings -o major,minor --separator : "$1" | tr -d ' '; }
