# shellcheck shell=bash
# What an acknowledged write promises (DESIGN.md, invariant 1), as a model
# for the guest tests (sourced after lib.sh): the device is filled with one
# sectag tag, every later write is recorded with whether it was
# acknowledged, and acked_check reads the whole device back.  Each sector
# must hold the tag of its last acknowledged write, or the tag of a write
# to it after that one which failed (a failed write may or may not have
# landed).  Nothing else: not zeroes, not another sector's data.
#
# Checks report with problem() and go on, so one run shows every subtest
# that fails; problems_exit ends the test.

_acked_base=
declare -A _acked=()	# sector -> the tags it may hold, "T" or "T U ..."
_problems=()
ACKED_ERR=		# the error of the last failed acked_write

# problem TEXT: a failed check; the test goes on (problems_exit ends it).
problem() {
	echo "FAIL: $*"
	_problems+=("$*")
}

# problems_exit: exit 0 if no check failed, else list them and exit 1.
problems_exit() {
	if ((${#_problems[@]} == 0)); then
		echo "all checks passed"
		exit 0
	fi
	echo "${#_problems[@]} check(s) failed:"
	printf '  %s\n' "${_problems[@]}"
	exit 1
}

# acked_fill NAME TAG: write all of /dev/mapper/NAME with TAG; forget the
# earlier writes.
acked_fill() {
	$SECTAG write "/dev/mapper/$1" 0 "$(sectors "/dev/mapper/$1")" "$2" --direct ||
		fail "filling $1 with tag $2"
	_acked_base=$2
	_acked=()
}

# acked_write NAME START NR TAG: an O_DIRECT write of sectors START..
# START+NR-1 tagged TAG, recorded; its status (0: acknowledged).  On
# failure ACKED_ERR holds the reason (the errno's text).
acked_write() {
	local dev=/dev/mapper/$1 start=$2 nr=$3 tag=$4 s ok=0
	if $SECTAG write "$dev" "$start" "$nr" "$tag" --direct 2>"$T/acked-err"; then
		ACKED_ERR=
	else
		ok=1
		ACKED_ERR=$(tail -n 1 "$T/acked-err" | sed 's/.*: //')
	fi
	for ((s = start; s < start + nr; s++)); do
		if ((ok == 0)); then
			_acked[$s]=$tag
		else
			_acked[$s]="${_acked[$s]:-$_acked_base} $tag"
		fi
	done
	if ((ok == 0)); then
		echo "   write $start+$nr tag $tag: acknowledged"
	else
		echo "   write $start+$nr tag $tag: failed ($ACKED_ERR)"
	fi
	return $ok
}

# _acked_window DEV FIRST N WHAT: sectors FIRST..FIRST+N-1 (N <= 16) one by
# one: sectag's verify against a tag never written describes each sector.
_acked_window() {
	local dev=$1 first=$2 n=$3 what=$4 line s h want got bad=()
	local re='^mismatch: .* sector ([0-9]+) should be tag 0 sector [0-9]+, holds (.*)$'
	local re_tag='^tag ([0-9]+) sector ([0-9]+)$'
	local -A found=()

	$SECTAG verify "$dev" "$first" "$n" 0 --direct >"$T/acked-probe" 2>&1
	while read -r line; do
		[[ $line =~ $re ]] || continue
		s=${BASH_REMATCH[1]} h=${BASH_REMATCH[2]}
		if [[ $h =~ $re_tag && ${BASH_REMATCH[2]} == "$s" ]]; then
			found[$s]=${BASH_REMATCH[1]}
		else
			found[$s]="($h)"
		fi
	done <"$T/acked-probe"
	for ((s = first; s < first + n; s++)); do
		want=${_acked[$s]:-$_acked_base}
		got=${found[$s]:-"(unreadable: $(tail -n 1 "$T/acked-probe"))"}
		[[ " $want " == *" $got "* ]] && continue
		[[ $got == [0-9]* ]] && got="tag $got"
		bad+=("sector $s holds $got, want tag ${want// / or }")
	done
	((${#bad[@]} == 0)) && return 0
	printf '    %s\n' "${bad[@]}"
	problem "$what: ${#bad[@]} sector(s) of $first-$((first + n - 1)) wrong, first: ${bad[0]}"
	return 1
}

# acked_check NAME WHAT: read /dev/mapper/NAME back against the model.
acked_check() {
	local dev=/dev/mapper/$1 what=$2 len prev=0 w ws n r=0
	local -a wins
	len=$(sectors "$dev")
	mapfile -t wins < <(for s in "${!_acked[@]}"; do echo $((s / 16)); done | sort -nu)
	for w in "${wins[@]}" end; do
		if [[ $w == end ]]; then ws=$len; else ws=$((w * 16)); fi
		if ((ws > prev)) &&
			! $SECTAG verify "$dev" "$prev" $((ws - prev)) "$_acked_base" --direct >"$T/acked-verify" 2>&1; then
			sed 's/^/    /' "$T/acked-verify" | head -n 8
			problem "$what: sectors $prev-$((ws - 1)) (not written since the fill) do not read back"
			r=1
		fi
		[[ $w == end ]] && break
		n=$((len - ws < 16 ? len - ws : 16))
		_acked_window "$dev" "$ws" "$n" "$what" || r=1
		prev=$((ws + n))
	done
	return $r
}
