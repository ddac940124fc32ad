# shellcheck shell=bash
# Helpers shared by the guest tests (sourced, not run).  They run inside the
# QEMU guest on the real module: the runner has loaded dm_remap.ko.
#
# A test creates its devices with new_loop/dm_create; cleanup (on EXIT)
# removes whatever it created, even when the test fails half way.

set -euo pipefail
export DM_DISABLE_UDEV=1
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECTAG=$REPO/build/sectag
DD=/usr/bin/dd		# coreutils: busybox dd ignores oflag=direct
T=$(mktemp -d /tmp/remap-test.XXXXXX)
_loops=() _dms=()

log() { echo "== $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

cleanup() {
	local i
	for ((i = ${#_dms[@]} - 1; i >= 0; i--)); do
		dmsetup remove --retry "${_dms[i]}" 2>/dev/null || true
	done
	for i in "${_loops[@]}"; do losetup -d "$i" 2>/dev/null || true; done
	# new_loop runs in $(...), a subshell: find its devices by backing file.
	losetup -nO NAME,BACK-FILE | awk -v t="$T/" 'index($2, t) == 1 {print $1}' |
		while read -r i; do losetup -d "$i" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

# new_loop SIZE_MB [losetup options...]: a loop device over a new file.
new_loop() {
	local mb=$1 f dev
	shift
	f=$(mktemp "$T/img.XXXXXX")
	truncate -s "${mb}M" "$f"
	dev=$(losetup -f --show "$@" "$f")
	_loops+=("$dev")
	echo "$dev"
}

# dm_create NAME TABLE: create a device and remember to remove it.
dm_create() {
	dmsetup create "$1" --table "$2"
	_dms+=("$1")
}

forget_dm() {
	local i
	for i in "${!_dms[@]}"; do
		[[ ${_dms[i]} == "$1" ]] && unset '_dms[i]'
	done
	_dms=("${_dms[@]}")
}

sectors() { blockdev --getsz "$1"; }
# "--": message arguments such as "-5" are not dmsetup options.
msg() { local n=$1; shift; dmsetup message -- "$n" 0 "$@"; }

# field_of NAME FIELD: one status field of remap device NAME, read by its
# name (core/remap_status.h, as remapctl status prints them), never by
# position; "spare" is "<spare_used>/<spare_units>", as the status line
# writes it.
field_of() {
	local k v
	local -A f=()
	while read -r k v; do
		f[${k%:}]=$v
	done < <("$REPO/tools/remapctl/remapctl" status --no-speed "$1")
	case $2 in
	spare) echo "${f[spare_used]-}/${f[spare_units]-}" ;;
	*) [[ -n ${f[$2]+x} ]] || fail "field_of $1: no field '$2'"; echo "${f[$2]}" ;;
	esac
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[[ $2 == "$3" ]] || fail "$1: got '$2', want '$3'"
}

# kmsg_mark / kmsg_since: the kernel log lines written after a mark.
kmsg_mark() { dmesg | wc -l; }
kmsg_since() { dmesg | tail -n +"$(($1 + 1))"; }

# expect_refused WHAT EXPECTED_LOG_TEXT CMD...: CMD must fail and the kernel
# log must show the expected reason.
expect_refused() {
	local what=$1 text=$2 mark out
	shift 2
	mark=$(kmsg_mark)
	if out=$("$@" 2>&1); then
		fail "$what: accepted, should be refused ($*)"
	fi
	if ! kmsg_since "$mark" | grep -qF -- "$text"; then
		echo "$out" >&2
		kmsg_since "$mark" >&2
		fail "$what: refused, but the kernel log lacks '$text'"
	fi
	echo "refused as expected: $what: $text"
}
