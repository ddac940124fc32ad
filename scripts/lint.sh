#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scripts/lint.sh - static checks for dm-remap.
#
#   checkpatch  the kernel's scripts/checkpatch.pl (from Debian's
#               linux-source-6.1) over kernel/*.[ch], core/*.[ch] and the
#               test-only modules tests/kmod/*.c;
#               fails on any ERROR, prints warnings too.
#   cppcheck    over the userspace C: core/, tools/, tests/unit, tests/fuzz,
#               tests/tools (the guest tests' tools), bench/.
#   shell       bash -n and shellcheck (-S error fails, warnings shown) over
#               the shell scripts at the repo root, in scripts/, tests/, .ci/,
#               bench/.
#   w1          scripts/w1.sh: dm_remap.ko built with W=1 for Debian's 6.1
#               and 6.12 kernels, no warning allowed (needs their headers:
#               tests/vm/setup.sh).
#
# Installs what it needs (linux-source-6.1, shellcheck, cppcheck) with
# apt-get when missing, and extracts checkpatch.pl and its two data files
# once into a cache outside the repo ($DM_REMAP_LINT_CACHE, default
# /var/tmp/dm-remap-lint/<tarball mtime>-<size>/).  Once cached the whole
# run takes a few seconds.
#
# Last line: "lint: OK" (exit 0) or "lint: FAILED (<what>)" (exit 1).
#
# Usage: scripts/lint.sh            (from anywhere; it cds to the repo root)

set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || exit 1
cd "$REPO" || exit 1

KSRC_TARBALL=/usr/src/linux-source-6.1.tar.xz
CACHE_ROOT=${DM_REMAP_LINT_CACHE:-/var/tmp/dm-remap-lint}

failed=()

say() { printf '%s\n' "$*"; }
section() { printf '\n==== %s ====\n' "$*"; }

# ---------------------------------------------------------------- apt ----

as_root() {
	if [[ $(id -u) -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		say "lint: need root (or sudo) to run: $*" >&2
		return 1
	fi
}

# A machine's bootstrap may still be running apt-get (it logs to
# /tmp/apt.log and ends it with a line starting "done").  Wait for it, bounded,
# then let apt itself wait for the dpkg lock as well.
wait_for_bootstrap_apt() {
	local log=/tmp/apt.log i
	[[ -f $log ]] || return 0
	for ((i = 0; i < 180; i++)); do
		[[ $(tail -n 1 "$log" 2>/dev/null) == "done"* ]] && return 0
		pgrep -x 'apt-get|apt|dpkg' >/dev/null 2>&1 || return 0
		((i == 0)) && say "lint: waiting for a running apt-get (see $log) ..."
		sleep 5
	done
	return 0
}

apt_install() {
	wait_for_bootstrap_apt
	say "lint: installing $* with apt-get ..."
	local apt=(apt-get -o DPkg::Lock::Timeout=900 -y -q)
	if ! DEBIAN_FRONTEND=noninteractive as_root "${apt[@]}" install "$@" >/dev/null; then
		# The package lists may be missing or stale on a new machine.
		as_root "${apt[@]}" update >/dev/null &&
			DEBIAN_FRONTEND=noninteractive as_root "${apt[@]}" install "$@" >/dev/null
	fi
}

need_cmd() { # need_cmd <command> <debian package>
	command -v "$1" >/dev/null 2>&1 && return 0
	apt_install "$2" && command -v "$1" >/dev/null 2>&1
}

# --------------------------------------------------------- checkpatch ----

CHECKPATCH=

# Extract checkpatch.pl, spelling.txt and const_structs.checkpatch (the
# two data files checkpatch reads from its own directory) into the cache,
# once per tarball version.
setup_checkpatch() {
	if [[ ! -f $KSRC_TARBALL ]]; then
		apt_install linux-source-6.1 || return 1
		[[ -f $KSRC_TARBALL ]] || { say "lint: $KSRC_TARBALL still missing" >&2; return 1; }
	fi
	local key dir tmp
	key=$(stat -c '%Y-%s' "$KSRC_TARBALL") || return 1
	dir=$CACHE_ROOT/$key
	CHECKPATCH=$dir/scripts/checkpatch.pl
	[[ -f $CHECKPATCH && -f $dir/scripts/spelling.txt &&
		-f $dir/scripts/const_structs.checkpatch ]] && return 0

	say "lint: extracting checkpatch.pl from $KSRC_TARBALL into $dir (once) ..."
	mkdir -p "$CACHE_ROOT" || return 1
	tmp=$(mktemp -d "$CACHE_ROOT/.extract.XXXXXX") || return 1
	# One directory level (linux-source-6.1/), --occurrence stops reading
	# once all three are out (about half the time of a full pass).
	if ! tar -xJf "$KSRC_TARBALL" -C "$tmp" --occurrence=1 \
		--no-wildcards-match-slash --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'; then
		rm -rf "$tmp"
		return 1
	fi
	local f
	mkdir -p "$tmp/out/scripts"
	for f in checkpatch.pl spelling.txt const_structs.checkpatch; do
		mv "$tmp"/*/scripts/"$f" "$tmp/out/scripts/" || { rm -rf "$tmp"; return 1; }
	done
	chmod 0755 "$tmp/out/scripts/checkpatch.pl"
	# Publish atomically: a concurrent run either sees all of it or none.
	if ! mv -T "$tmp/out" "$dir" 2>/dev/null; then
		[[ -f $CHECKPATCH ]] || { rm -rf "$tmp"; return 1; }
	fi
	rm -rf "$tmp"
	return 0
}

# Checks switched off, each because it does not apply to a module built
# out of tree (everything else, including the SPDX tag checks, stays on):
#   LINUX_VERSION_CODE  "should be avoided, code should be for the version to
#                       which it is merged": in-tree code only ever meets one
#                       kernel, but dm_remap.ko is built against several
#                       (the Debian 6.1 guest and newer host kernels), and
#                       version checks are how an external module does that.
CHECKPATCH_IGNORE=LINUX_VERSION_CODE

run_checkpatch() {
	section checkpatch
	local files=() f
	for f in kernel/*.c kernel/*.h core/*.c core/*.h tests/kmod/*.c; do
		[[ -f $f ]] && files+=("$f")
	done
	if ((${#files[@]} == 0)); then
		say "checkpatch: no kernel/ or core/ C files"
		return 0
	fi
	if ! setup_checkpatch; then
		say "checkpatch: could not set up checkpatch.pl" >&2
		return 1
	fi
	local out rc
	out=$(perl "$CHECKPATCH" --no-tree -f --color=never \
		--ignore "$CHECKPATCH_IGNORE" "${files[@]}" 2>&1)
	rc=$?
	# Show each problem (message, location, code) and a total for each file
	# that has any; leave out the banners and the per-file "no problems".
	printf '%s\n' "$out" | awk '
		/^-+$/ { want_name = !want_name; next }
		want_name { file = $0; next }
		/^(ERROR|WARNING|CHECK):/ { block = 1 }
		block { print; if ($0 == "") block = 0; next }
		/^total: / && !/^total: 0 errors, 0 warnings/ { print file ": " $0 }
	'
	# checkpatch exits 1 for warnings as well: count the errors ourselves,
	# and make sure it really got through every file.
	local totals errors
	totals=$(printf '%s\n' "$out" | grep -c '^total: [0-9]* errors') || true
	errors=$(printf '%s\n' "$out" | sed -n 's/^total: \([0-9]*\) errors.*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }')
	if ((totals != ${#files[@]})); then
		say "checkpatch: did not finish (exit $rc, $totals of ${#files[@]} files checked)" >&2
		return 1
	fi
	say "checkpatch: ${#files[@]} files, $errors errors"
	((errors == 0))
}

# ----------------------------------------------------------- cppcheck ----

# Suppressions, each with its reason (or inline in the code: // cppcheck-
# suppress <id>, --inline-suppr is on):
# - variableScope: kernel style declares a function's variables at the top
#   of the block (core/ is kernel C); narrowing their scope is not a fix.
CPPCHECK_SUPPRESS=(--suppress=variableScope)

run_cppcheck() {
	section cppcheck
	local dirs=() d
	for d in core tools tests/unit tests/fuzz tests/tools bench; do
		[[ -d $d ]] || continue
		# cppcheck wants at least one source file in each path it is given.
		if find "$d" -name '*.c' -print -quit | grep -q .; then
			dirs+=("$d")
		fi
	done
	if ((${#dirs[@]} == 0)); then
		# Still parse the headers so a broken one is noticed.
		local hdrs=(core/*.h)
		if [[ -f ${hdrs[0]} ]]; then
			local tu
			tu=$(mktemp --suffix=.c) || return 1
			printf '#include "%s"\n' "${hdrs[@]##*/}" >"$tu"
			say "cppcheck: no .c files yet, checking core/*.h through one translation unit"
			cppcheck --enable=warning,style,performance,portability \
				--error-exitcode=1 --inline-suppr --quiet -I core \
				-U__KERNEL__ --language=c "${CPPCHECK_SUPPRESS[@]}" "$tu" 2>&1
			local rc=$?
			rm -f "$tu"
			return "$rc"
		fi
		say "cppcheck: nothing to check"
		return 0
	fi
	say "cppcheck: ${dirs[*]}"
	# -U__KERNEL__: core/ is also built into the module, but cppcheck has no
	# kernel headers and would check a second, half-resolved configuration of
	# every file; the kernel build (and checkpatch) cover that side.
	cppcheck --enable=warning,style,performance,portability \
		--error-exitcode=1 --inline-suppr --quiet -I core \
		-U__KERNEL__ -j "$(nproc 2>/dev/null || echo 2)" \
		"${CPPCHECK_SUPPRESS[@]}" "${dirs[@]}" 2>&1
}

# -------------------------------------------------------------- shell ----

shell_scripts() {
	local f first
	{
		find . -maxdepth 1 -type f
		find scripts tests .ci bench -type f 2>/dev/null
	} | sed 's|^\./||' | sort -u | while IFS= read -r f; do
		case $f in
		*.sh | *.bash) printf '%s\n' "$f" ;;
		*.*) ;;
		*)
			IFS= read -r first <"$f" 2>/dev/null || first=
			[[ $first =~ ^#!.*(/|[[:space:]])(ba|da|k)?sh([[:space:]]|$) ]] &&
				printf '%s\n' "$f"
			;;
		esac
	done
}

run_shell() {
	section shell
	local files=() f ok=0
	mapfile -t files < <(shell_scripts)
	if ((${#files[@]} == 0)); then
		say "shell: no scripts"
		return 0
	fi
	for f in "${files[@]}"; do
		if ! bash -n "$f"; then
			say "bash -n: $f: syntax error" >&2
			ok=1
		fi
	done
	if ! need_cmd shellcheck shellcheck; then
		say "shellcheck: not available and could not be installed" >&2
		return 1
	fi
	# One pass: show errors and warnings, fail on errors only.
	local out rc nerr
	out=$(shellcheck -x -P SCRIPTDIR -S warning -f gcc "${files[@]}" 2>&1)
	rc=$?
	[[ -n $out ]] && printf '%s\n' "$out"
	nerr=$(printf '%s\n' "$out" | grep -c ': error: ') || true
	if ((rc > 1)); then
		say "shellcheck: failed to run (exit $rc)" >&2
		ok=1
	fi
	say "shell: ${#files[@]} scripts, $nerr shellcheck errors"
	((nerr == 0)) || ok=1
	return "$ok"
}

# --------------------------------------------------------------- main ----

start=$SECONDS
run_checkpatch || failed+=(checkpatch)
if need_cmd cppcheck cppcheck; then
	run_cppcheck || failed+=(cppcheck)
else
	say "cppcheck: not available and could not be installed" >&2
	failed+=(cppcheck)
fi
run_shell || failed+=(shell)
section "w1 (make module W=1)"
scripts/w1.sh || failed+=(w1)

echo
say "lint: took $((SECONDS - start))s"
if ((${#failed[@]})); then
	say "lint: FAILED (${failed[*]})"
	exit 1
fi
say "lint: OK"
exit 0
