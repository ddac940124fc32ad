#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# assemble_test.sh - what of "remapctl assemble" runs without
# device-mapper: remaptab errors (FILE:LINE: message, exit 3), usage
# errors, unknown names, and --udev-match (what the udev rules import) on a
# remaptab naming block devices by symlink, node and major:minor.  Creating
# devices is tested in a booted guest (tests/boot/).  Run by
# "make -C tests/unit check" through run_tests.sh: prints
# "RESULT <passed> <failed>" last.
#
# REMAPCTL: the binary to test (the unit Makefile passes one built with
# ASan and UBSan); default tools/remapctl/remapctl, built when missing.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || exit 2
REPO=$(cd "$HERE/../.." && pwd) || exit 2
if [[ -z ${REMAPCTL:-} ]]; then
	REMAPCTL=$REPO/tools/remapctl/remapctl
	make -s -C "$REPO/tools/remapctl" >/dev/null || exit 2
fi
export ASAN_OPTIONS=exitcode=86:detect_leaks=1
export UBSAN_OPTIONS=exitcode=86:print_stacktrace=1

T=$(mktemp -d /tmp/assemble-test.XXXXXX) || exit 2
trap 'rm -rf "$T"' EXIT
passed=0 failed=0

# check NAME WANT_STATUS WANT_STDOUT WANT_STDERR_SUBSTRING -- ARGS...
check() {
	local name=$1 want_rc=$2 want_out=$3 want_err=$4 rc out err
	shift 5
	out=$("$REMAPCTL" assemble "$@" 2>"$T/err")
	rc=$?
	err=$(cat "$T/err")
	if [[ $rc == "$want_rc" && $out == "$want_out" && $err == *"$want_err"* ]]; then
		echo "[       OK ] $name"
		passed=$((passed + 1))
	else
		echo "[  FAILED  ] $name: status $rc (want $want_rc)"
		echo "  stdout: $out"
		echo "  want:   $want_out"
		echo "  stderr: $err"
		echo "  want:   *$want_err*"
		failed=$((failed + 1))
	fi
}

cat >"$T/bad3" <<'TAB'
# a comment

ok0 /dev/a /dev/b
bad /dev/c /dev/d frob
TAB
check "error names file and line" 3 "" "remapctl: $T/bad3:4: Unknown option" -- --tab "$T/bad3" --all
check "error in the file, dry run too" 3 "" "$T/bad3:4: Unknown option" -- --tab "$T/bad3" --dry-run ok0

printf 'x /dev/a /dev/b\nx /dev/c /dev/d\n' >"$T/dupname"
check "same name twice" 3 "" "$T/dupname:2: Name used by an earlier entry" -- --tab "$T/dupname" --all
printf 'x /dev/a /dev/b\ny /dev/c /dev/a\n' >"$T/dupdev"
check "same device twice" 3 "" "$T/dupdev:2: Device used by an earlier entry" -- --tab "$T/dupdev" --all
printf 'x /dev/a /dev/b\ny /dev/c\0 /dev/d\n' >"$T/nul"
check "NUL byte" 3 "" "$T/nul:2: NUL byte in line" -- --tab "$T/nul" --all
check "missing file" 3 "" "remapctl: $T/none: No such file or directory" -- --tab "$T/none" --all

printf 'x /dev/a /dev/b\n' >"$T/one"
check "unknown name" 3 "" "no entry 'y' in $T/one" -- --tab "$T/one" y
check "names and --all" 3 "" "give names or --all" -- --tab "$T/one" --all x
check "neither names nor --all" 3 "" "give names or --all" -- --tab "$T/one"
check "bad --wait" 3 "" "--wait: '-1' is not a number of seconds" -- --tab "$T/one" --wait -1 x
check "--initramfs: no entry with the option, nothing to do" 0 "" "" -- --tab "$T/one" --initramfs
printf 'x /dev/a /dev/b\ny /dev/no-such-main /dev/no-such-spare initramfs\n' >"$T/ird"
check "--initramfs: the entry with the option only" 1 "" \
	"y: /dev/no-such-main and /dev/no-such-spare are not both present ($T/ird:2)" -- --tab "$T/ird" --initramfs
check "--initramfs with names" 3 "" "--initramfs takes no names" -- --tab "$T/ird" --initramfs y
check "--initramfs with --all" 3 "" "--initramfs takes no names and no --all" -- --tab "$T/ird" --initramfs --all
check "--initramfs with --stop" 3 "" "--initramfs takes no names and no --all, --scan, --stop" -- --tab "$T/ird" --initramfs --stop
check "unknown option" 3 "" "unknown option '--frob'" -- --frob
check "--tab without value" 3 "" "option '--tab' needs a value" -- --tab
check "missing devices, no wait" 1 "" "x: /dev/a and /dev/b are not both present ($T/one:1)" -- --tab "$T/one" x
check "--stop with --wait" 3 "" "--stop takes no --dry-run or --wait" -- --tab "$T/one" --stop --wait 1 x

# --udev-match: by a symlink udev passes (relative to /dev), by an
# absolute link, by the node itself and by what the path resolves to.
# Any block device of the machine will do (stat()ed; one no entry names is
# read at sector 0 for dm-remap metadata, read-only).
blk=$(find /dev -maxdepth 1 -type b | sort | head -n 1)
ln -s "${blk:-/dev/null}" "$T/blklink"
cat >"$T/tab" <<'TAB'
data0 /dev/disk/by-id/virtio-main0 /dev/disk/by-id/virtio-spare0 spare_start=8
my-data.1 /dev/disk/by-id/wwn-0x5 /dev/vdz noauto
broken /dev/x
TAB
printf 'lnk /dev/zero %s\n' "$T/blklink" >>"$T/tab"
check "udev: main by link" 0 $'DM_REMAP_NAME=data0\nDM_REMAP_ROLE=main\nDM_REMAP_AUTO=1\nDM_REMAP_UNIT=dm-remap@data0.service' \
	"$T/tab:3: Missing field" -- --tab "$T/tab" --udev-match /dev/vdc disk/by-path/pci-1 disk/by-id/virtio-main0
check "udev: spare by absolute link" 0 $'DM_REMAP_NAME=data0\nDM_REMAP_ROLE=spare\nDM_REMAP_AUTO=1\nDM_REMAP_UNIT=dm-remap@data0.service' \
	"" -- --tab "$T/tab" --udev-match /dev/vdc /dev/disk/by-id/virtio-spare0
check "udev: node, noauto, escaped unit" 0 $'DM_REMAP_NAME=my-data.1\nDM_REMAP_ROLE=spare\nDM_REMAP_AUTO=0\nDM_REMAP_UNIT=dm-remap@my\\x2ddata.1.service' \
	"" -- --tab "$T/tab" --udev-match /dev/vdz
if [[ -n $blk ]]; then
	check "udev: by what the path resolves to" 0 $'DM_REMAP_NAME=lnk\nDM_REMAP_ROLE=spare\nDM_REMAP_AUTO=1\nDM_REMAP_UNIT=dm-remap@lnk.service' \
		"" -- --tab "$T/tab" --udev-match "$blk"
else
	echo "[  SKIPPED ] udev: by what the path resolves to: no block device in /dev"
fi
check "udev: not ours" 0 "" "" -- --tab "$T/tab" --udev-match /dev/vdq disk/by-id/virtio-other
check "udev: no remaptab" 0 "" "" -- --tab "$T/none" --udev-match /dev/vda

# --scan: the usage errors; a name no metadata records (every block
# device of this machine is read at sector 0, read-only, none has it).
check "--scan with --all" 3 "" "--scan takes no --all" -- --scan --all
check "--stop --scan without names" 3 "" "--stop --scan needs names" -- --stop --scan
check "--scan: a name remaptab would refuse" 3 "" "'a/b' is not a name remaptab(5) allows" -- --scan a/b
check "--scan with --udev-match" 3 "" "--udev-match takes no other option" -- --scan --udev-match /dev/vda
check "--scan --stop --dry-run" 3 "" "--stop takes no --dry-run or --wait" -- --scan --stop --dry-run x
check "--scan: no metadata records the name" 1 "" \
	"remapctl assemble: x9-scan: no block device carries dm-remap metadata (at sector 0) recording this name" \
	-- --tab "$T/none" --scan --dry-run x9-scan

check "udev: member links drop by-uuid/label/partuuid/partlabel" 0 \
	"DM_REMAP_MEMBER_LINKS=disk/by-id/virtio-main0 disk/by-path/pci-0" "" -- --udev-member-links \
	disk/by-id/virtio-main0 disk/by-uuid/abc disk/by-label/stale disk/by-path/pci-0 /dev/disk/by-partuuid/x disk/by-partlabel/y
check "udev: member links, none" 0 "DM_REMAP_MEMBER_LINKS=" "" -- --udev-member-links
check "udev: member links with other options" 3 "" "--udev-member-links takes no other option" -- --all --udev-member-links

echo "RESULT $passed $failed"
