# shellcheck shell=bash
# The count-based fault injection target for the guest tests (sourced after
# lib.sh).  tests/kmod/dm-faultseq.c, built per kernel by "make test-kmod"
# (scripts/check.sh builds it too) into build/kmod/<kver>/dm-faultseq.ko.
#
# A faultseq device is a linear mapping of a whole device that fails chosen
# bios by count: of the bios of a class (read, write, rw, flush, discard,
# all; "write+flush") touching a sector range, it lets SKIP through, fails
# the next TIMES (-1: all) with a chosen status, and lets the rest through.
# Each rule counts its own matching bios; the status line says, per rule,
# how many it let through and how many it failed (docs in the .c file and
# tests/vm/README.md).

FAULTSEQ_KO=${FAULTSEQ_KO:-$REPO/build/kmod/$(uname -r)/dm-faultseq.ko}

# faultseq_load: insmod the build for this kernel, once.
faultseq_load() {
	[[ -d /sys/module/dm_faultseq ]] && return 0
	modprobe dm-mod
	[[ -f $FAULTSEQ_KO ]] || fail "$FAULTSEQ_KO not built (make test-kmod)"
	insmod "$FAULTSEQ_KO" || fail "insmod $FAULTSEQ_KO failed"
}

# faultseq_dev NAME DEV: /dev/mapper/NAME over all of DEV, no rules yet.
faultseq_dev() {
	faultseq_load
	dm_create "$1" "0 $(sectors "$2") faultseq $2 0"
}

# faultseq_fail NAME OPS FIRST NR SKIP TIMES [STATUS [drop|land]]: add a
# rule; prints its id (0, 1, ... since the last clear).  STATUS: ioerr
# (default), medium, target, nospc, notsupp, protection, transport.  drop
# (default): a failed bio never reaches the device; land: it does, and
# then reports the error.
faultseq_fail() {
	local name=$1
	shift
	msg "$name" fail "$@"
}

# faultseq_watch NAME OPS FIRST NR: a rule that fails nothing, to count.
faultseq_watch() {
	local name=$1
	shift
	msg "$name" count "$@"
}

# faultseq_clear NAME: no rules any more, every counter zero.
faultseq_clear() { msg "$1" clear; }

# faultseq_count NAME ID: "PASSED FAILED" of rule ID.
faultseq_count() {
	dmsetup status "$1" | awk -v i="$2" '{
		split($(7 + i), c, "/"); print c[1], c[2] }'
}

# faultseq_totals NAME: "PASSED FAILED" over all bios since the last clear.
faultseq_totals() { dmsetup status "$1" | awk '{print $4, $5}'; }

# faultseq_expect NAME ID PASSED FAILED: rule ID counted exactly that.
faultseq_expect() {
	expect_eq "faultseq $1 rule $2 (passed failed)" "$(faultseq_count "$1" "$2")" "$3 $4"
}
