#!/bin/bash
# check-man.sh: the man pages make install and the packages ship.
#  - each renders without a warning: groff -man -ww -z, and man --warnings
#    as lintian runs it (80 columns, UTF-8);
#  - dm-remap(4) is generated from docs/dm-remap.rst (make man), so it
#    cannot drift; it must be newer than its source;
#  - the hand-written pages name everything their program's help names:
#    every key=, --option and exit code of remap_create_safe.sh --help and
#    remap_test_driver.sh --help, every command and --option of remapctl's
#    help texts (when tools/remapctl/remapctl is built).
# Prints one line per check and "N passed, N failed"; exit 1 on a failure.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

pass=0 fail=0
ok() { echo "PASS $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

pages=(build/man/dm-remap.4 docs/remapctl.8 docs/remapd.8 docs/remapd.conf.5 docs/remaptab.5 docs/remap_create_safe.sh.8 docs/remap_test_driver.sh.8)

if [[ ! -f build/man/dm-remap.4 ]]; then
	bad "build/man/dm-remap.4 missing (make man)"
elif [[ docs/dm-remap.rst -nt build/man/dm-remap.4 ]]; then
	bad "build/man/dm-remap.4 is older than docs/dm-remap.rst (make man)"
fi

for p in "${pages[@]}"; do
	[[ -f $p ]] || { bad "$p: missing"; continue; }
	out=$(groff -man -ww -z "$p" 2>&1)
	if [[ -n $out ]]; then bad "$p: groff -man -ww -z: ${out%%$'\n'*}"; else ok "$p: groff -man -ww -z"; fi
	if command -v man >/dev/null; then
		out=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$p" 2>&1 >/dev/null)
		if [[ -n $out ]]; then bad "$p: man --warnings: ${out%%$'\n'*}"; else ok "$p: man --warnings"; fi
	fi
	grep -q '^\.SH NAME' "$p" || bad "$p: no NAME section"
done

# plain PAGE: the page's text with roff escapes for - and fonts removed.
plain() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\c$//' "$1" | tr -s ' \n' ' '; }

# covers PAGE WHAT WORD...: every WORD occurs in PAGE.
covers() {
	local page=$1 what=$2 text w missing=()
	shift 2
	text=$(plain "$page")
	for w in "$@"; do
		[[ $text == *"$w"* ]] || missing+=("$w")
	done
	if ((${#missing[@]})); then
		bad "$page: names no ${missing[*]} ($what)"
	else
		ok "$page: names all $# ${what}"
	fi
}

# exit_codes HELP: the codes listed under "Exit codes:" (lines "  N  ...").
exit_codes() { sed -n '/^Exit codes:/,$p' <<<"$1" | sed -nE 's/^  ([0-9]+) .*/\1/p' | sort -un; }

h=$(./remap_create_safe.sh --help)
mapfile -t keys < <(sed -nE 's/^  ([a-z_]+)=.*/\1=/p' <<<"$h")
((${#keys[@]} >= 10)) || bad "remap_create_safe.sh --help: found only ${#keys[@]} keys"
covers docs/remap_create_safe.sh.8 "keys of remap_create_safe.sh --help" "${keys[@]}"
mapfile -t codes < <(exit_codes "$h")
mapfile -t have < <(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' docs/remap_create_safe.sh.8 | sed -nE 's/^\.B ([0-9]+)$/\1/p' | sort -un)
if [[ "${codes[*]}" == "${have[*]}" ]]; then ok "docs/remap_create_safe.sh.8: exit codes ${codes[*]}"; else bad "docs/remap_create_safe.sh.8: exit codes ${have[*]}, --help says ${codes[*]}"; fi

h=$(./remap_test_driver.sh --help)
mapfile -t opts < <(grep -oE -- '--[a-z][a-z-]*' <<<"$h" | sort -u)
mapfile -t envs < <(sed -n '/^Environment:/,/^$/p' <<<"$h" | sed -nE 's/^  ([A-Z_]+) .*/\1/p')
((${#opts[@]} >= 4 && ${#envs[@]} >= 3)) || bad "remap_test_driver.sh --help: found only ${#opts[@]} options, ${#envs[@]} variables"
covers docs/remap_test_driver.sh.8 "options of remap_test_driver.sh --help" "${opts[@]}"
covers docs/remap_test_driver.sh.8 "variables of remap_test_driver.sh --help" "${envs[@]}"
mapfile -t codes < <(exit_codes "$h" | grep -vx 130)
codes+=(129 130 143)
mapfile -t codes < <(printf '%s\n' "${codes[@]}" | sort -un)
mapfile -t have < <(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' docs/remap_test_driver.sh.8 | grep -oE '^\.BR? [0-9]+( ", " [0-9]+)*' | grep -oE '[0-9]+' | sort -un)
if [[ "${codes[*]}" == "${have[*]}" ]]; then ok "docs/remap_test_driver.sh.8: exit codes ${codes[*]}"; else bad "docs/remap_test_driver.sh.8: exit codes ${have[*]}, --help says ${codes[*]}"; fi

r=tools/remapctl/remapctl
if [[ -x $r ]]; then
	h=$("$r" --help)
	mapfile -t cmds < <(sed -nE 's/^  ([a-z]+)( .*)?$/\1/p' <<<"$h")
	((${#cmds[@]} >= 5)) || bad "remapctl --help: found only ${#cmds[@]} commands"
	all=$h
	for c in "${cmds[@]}"; do all+=$'\n'$("$r" "$c" --help); done
	mapfile -t opts < <(grep -oE -- '--[a-z][a-z-]*' <<<"$all" | sort -u)
	covers docs/remapctl.8 "commands of remapctl --help" "${cmds[@]/#/remapctl }"
	covers docs/remapctl.8 "options of remapctl's help texts" "${opts[@]}"
else
	echo "note: $r not built: its help texts not compared with docs/remapctl.8"
fi

# remapd: every option of --help in remapd(8); every event (remapd.h's
# RD_EVENTS list) in remapd(8) and in remapd.conf(5)'s events list; every
# setting (conf.c's settings table and the global ones) in remapd.conf(5).
d=tools/remapd/remapd
if [[ -x $d ]]; then
	mapfile -t opts < <("$d" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)
	((${#opts[@]} >= 8)) || bad "remapd --help: found only ${#opts[@]} options"
	covers docs/remapd.8 "options of remapd --help" "${opts[@]}"
else
	echo "note: $d not built: its help not compared with docs/remapd.8"
fi
mapfile -t evs < <(sed -nE 's/^[[:space:]]*X\([A-Z_]+, ([a-z_]+), (true|false)\).*/\1/p' tools/remapd/remapd.h)
((${#evs[@]} >= 15)) || bad "tools/remapd/remapd.h: found only ${#evs[@]} events"
covers docs/remapd.8 "events of remapd.h" "${evs[@]}"
covers docs/remapd.conf.5 "events of remapd.h" "${evs[@]}"
mapfile -t keys < <(sed -nE 's/^[[:space:]]*\[RD_S_[A-Z_]+\] = \{ "([a-z_]+)",.*/\1/p' tools/remapd/conf.c)
((${#keys[@]} >= 10)) || bad "tools/remapd/conf.c: found only ${#keys[@]} settings"
covers docs/remapd.conf.5 "settings of conf.c" "${keys[@]}" textfile_dir listen max_programs startup_grace

echo "$pass passed, $fail failed"
((fail == 0))
