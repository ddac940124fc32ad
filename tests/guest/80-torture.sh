#!/bin/bash
# The model-based concurrent checker (tests/tools/torture.c, build/torture):
# I/O threads doing O_DIRECT reads, writes, discards and write-zeroes of
# 512 B to 256 KiB with a tag in every sector, against a model of what each
# sector may hold, while a controller injects and heals faults on the main
# and the spare device (dm-error and dm-flakey segments, faultseq count
# rules when dm-faultseq.ko is built), sends remap / remap_many /
# remap_many zero_fill / unremap / clear / protect / unprotect / identity,
# suspends, reloads with a grown spare or target and re-creates the device
# from its metadata; after every step the data, the counters, list,
# debugfs, the on-disk table (protection and identity included) and the
# raw main device under protected units are checked.
#
# make check: two short runs with FIXED seeds, so both kernels run the same
# operations (the interleaving is the scheduler's): persistent metadata,
# then a volatile table.  make torture (scripts/torture.sh) runs one long
# random run instead: TORTURE_SECONDS, TORTURE_SEED (default: random),
# TORTURE_ARGS (more torture options).
# timeout: 420
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-faultseq.sh"

TORTURE=$REPO/build/torture
[[ -x $TORTURE ]] || fail "$TORTURE not built (make test-tools)"
if [[ -f $FAULTSEQ_KO ]]; then
	faultseq_load
else
	echo "note: $FAULTSEQ_KO not built (make test-kmod): no count-based faults"
fi
modprobe dm-flakey
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug || true

# run NAME ARGS...: one torture run on fresh loop devices
run() {
	local name=$1 m s rc=0
	shift
	m=$(new_loop 16)
	s=$(new_loop 4)
	"$TORTURE" --main "$m" --spare "$s" --name "$name" --hang-timeout 90 "$@" || rc=$?
	dmsetup remove "$name" "$name-m" "$name-s" "$name-mq" "$name-sq" 2>/dev/null || true
	return $rc
}

if [[ -n ${TORTURE_SECONDS:-} ]]; then
	[[ $TORTURE_SECONDS =~ ^[0-9]+$ ]] || fail "TORTURE_SECONDS must be a number of seconds"
	seed=${TORTURE_SEED:-$(( (RANDOM << 15 | RANDOM) % 1000000000 ))}
	log "torture: random run, $TORTURE_SECONDS s, seed $seed"
	# shellcheck disable=SC2086
	run tt --seed "$seed" --seconds "$TORTURE_SECONDS" ${TORTURE_ARGS:-} ||
		fail "torture found a problem (seed $seed; the step list and the first mismatches are above)"
	exit 0
fi

bad=()
log "torture: fixed seed 20261206, persistent table, 300 steps"
run t80 --seed 20261206 --steps 300 || bad+=("persistent, seed 20261206")
log "torture: fixed seed 1207, volatile table, 200 steps"
run t80v --seed 1207 --steps 200 --volatile || bad+=("volatile, seed 1207")
((${#bad[@]} == 0)) || fail "torture found problems: $(IFS=';'; echo "${bad[*]}") (step lists and first mismatches above)"
echo "torture: ok"
