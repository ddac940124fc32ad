#!/bin/bash
# mkman-dm-remap.sh VERSION RST OUT: dm-remap(4), the man page of the
# target, from docs/dm-remap.rst (the kernel-style reference) with rst2man
# (python3-docutils).  The page is the reference itself: a title block
# (NAME line, section 4, version) replaces the document title, and SEE ALSO
# is appended; --strict makes any reStructuredText problem an error.
set -euo pipefail
(($# == 3)) || { echo "usage: $0 VERSION RST OUT" >&2; exit 2; }
version=$1 rst=$2 out=$3
rst2man=$(command -v rst2man || command -v rst2man.py || true)
[[ -n $rst2man ]] || { echo "mkman-dm-remap.sh: rst2man missing (apt-get install python3-docutils)" >&2; exit 1; }
# The reference starts with its title, "dm-remap" over and under lined.
if [[ $(sed -n '1p;2p;3p' "$rst" | tr '\n' ' ') != '======== dm-remap ======== ' ]]; then
	echo "mkman-dm-remap.sh: $rst does not start with the title 'dm-remap' (lines 1-3)" >&2
	exit 1
fi
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.out"' EXIT
{
	cat <<HEAD
========
dm-remap
========

---------------------------------------------------------
Device Mapper target for software bad-sector reallocation
---------------------------------------------------------

:Manual section: 4
:Manual group: dm-remap
:Version: $version

SYNOPSIS
========

::

    dmsetup create <name> --table "<start> <len> remap <main_dev> <main_start>
        <spare_dev> <spare_start> <spare_len> [<#feature_args> <feature_arg>...]"
    dmsetup message <name> 0 <message> [<args>...]
    dmsetup status <name>

The module is dm_remap.ko (modprobe dm_remap); the target's version is the
module's (dmsetup targets).

DESCRIPTION
===========
HEAD
	tail -n +4 "$rst"
	cat <<'TAIL'

SEE ALSO
========

**dmsetup**\ (8), **remapctl**\ (8), **remap_create_safe.sh**\ (8),
**remap_test_driver.sh**\ (8), **badblocks**\ (8), **dkms**\ (8)
TAIL
} >"$tmp"
"$rst2man" --strict "$tmp" "$tmp.out"
mv -f "$tmp.out" "$out"
