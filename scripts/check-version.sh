#!/bin/bash
# check-version.sh [FILE...]: dm-remap's version is written once, in
# core/remap_version.h; everything else must agree with it:
#  - debian/changelog's newest entry (its upstream part; the packages'
#    version, and dh_dkms -V's PACKAGE_VERSION);
#  - dkms.conf leaves PACKAGE_VERSION to be filled in (#MODULE_VERSION#);
#  - the target's .version triple and MODULE_VERSION() in the kernel source
#    use the header's macros;
#  - each FILE given: a dm_remap.ko (modinfo's version), a remapctl
#    ("remapctl (dm-remap) VERSION" from --version), or a .deb (its
#    Version field).
# Prints one line per check and "N passed, N failed"; exit 1 on a failure.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

pass=0 fail=0
check() { # check WHAT GOT WANT
	if [[ $2 == "$3" ]]; then
		echo "PASS $1: $2"
		pass=$((pass + 1))
	else
		echo "FAIL $1: '$2', core/remap_version.h says '$3'"
		fail=$((fail + 1))
	fi
}

v=$(make -s --no-print-directory print-version)
[[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "FAIL core/remap_version.h: no MAJOR.MINOR.PATCH ('$v')"; exit 1; }

cl=$(dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null || sed -nE '1s/^[^ ]+ \(([^)]+)\).*/\1/p' debian/changelog)
check "debian/changelog (upstream version)" "${cl%-*}" "$v"
check "dkms.conf PACKAGE_VERSION" "$(sed -nE 's/^PACKAGE_VERSION="?([^"]*)"?$/\1/p' dkms.conf)" "#MODULE_VERSION#"
check "kernel/dm-remap-target.c .version" \
	"$(tr -d ' \t\n' <kernel/dm-remap-target.c | grep -oE '\.version=\{[^}]*\}')" \
	".version={DM_REMAP_VERSION_MAJOR,DM_REMAP_VERSION_MINOR,DM_REMAP_VERSION_PATCH}"
check "kernel/dm-remap-target.c MODULE_VERSION" "$(grep -oE 'MODULE_VERSION\([^)]*\)' kernel/dm-remap-target.c)" "MODULE_VERSION(DM_REMAP_VERSION)"

for f in "$@"; do
	case $f in
	*.ko | *.ko.xz | *.ko.gz | *.ko.zst)
		check "$f (modinfo version)" "$(modinfo -F version "$f" 2>&1)" "$v" ;;
	*.deb)
		dv=$(dpkg-deb -f "$f" Version 2>&1)
		check "$f (package version)" "${dv%-*}" "$v" ;;
	*)
		check "$f --version" "$("$f" --version 2>&1)" "remapctl (dm-remap) $v" ;;
	esac
done

echo "$pass passed, $fail failed"
((fail == 0))
