#!/bin/bash
# make check-packages: the Debian packages, end to end, on this machine (as
# root; it installs and purges dm-remap-dkms and dm-remap-tools, so it is not
# part of make check; a disposable CI machine is the place for it).
#   1. git clone of this repository's HEAD into a scratch directory, and
#      make deb there (a clean clone: only what is committed);
#   2. lintian: no error, and no warning that is not in
#      tests/packages/lintian-kept (each there with its reason);
#   3. the versions agree (scripts/check-version.sh on the .debs);
#   4. dpkg -i of both: DKMS builds and installs dm_remap.ko for every
#      installed kernel with headers (KVERS: the ones that must have it,
#      default the newest 6.1 and 6.12); modinfo, modules.dep and
#      modprobe --show-depends (dm-mod first) on the host; man pages found by
#      man -w and rendering without warnings;
#   5. on each of those kernels, a QEMU guest (tests/vm/vm-run.sh; it sees
#      the host's file system) runs tests/packages/guest-smoke.sh:
#      modprobe dm_remap of the installed module, and a smoke test from
#      /usr/sbin;
#   6. dpkg --purge: every file name under the directories below and every
#      kernel's modules.dep are as they were before, DKMS knows no
#      dm-remap;
#   7. make install (no DESTDIR) from the clone for one kernel: the module
#      in /lib/modules/<kver>/updates with depmod run (modprobe
#      --show-depends resolves it), then make uninstall leaves the same
#      file names as before;
#   8. make dkms-install KVER=<that kernel>; dkms build for the other
#      kernel against a copy of its .config without CONFIG_BLK_DEV_DM is
#      skipped (exit 77,
#      BUILD_EXCLUSIVE_CONFIG); make dkms-uninstall leaves the file names as
#      before (CHECK_MAKE_INSTALL=0 skips 7 and 8).
# The packages are purged on any exit.  Prints one line per check, the
# times, and "N passed, N failed"; exit 1 on a failure.
# Environment: KVERS, SKIP_SETUP=1, KEEP_TMP=1.
set -uo pipefail
{ # the whole script is parsed before it runs: editing it meanwhile is safe
cd "$(dirname "$0")/../.." || exit 2
repo=$PWD
pass=0 fail=0
ok() { echo "PASS packages: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL packages: $*"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; ((fail == 0)); exit $?; }
now() { date +%s; }
t_start=$(now)

((EUID == 0)) || { echo "check-packages: must run as root (it installs and purges packages)"; echo "0 passed, 1 failed"; exit 1; }
if [[ ${SKIP_SETUP:-0} != 1 ]]; then
	tests/vm/setup.sh || { bad "tests/vm/setup.sh failed"; finish; }
fi

resolve() { # a full version, or a series (6.1): its newest Debian -amd64 kernel
	if [[ -e /boot/vmlinuz-$1 ]]; then echo "$1"; return; fi
	find /boot -maxdepth 1 -name "vmlinuz-$1.*-amd64" ! -name '*-cloud-*' ! -name '*-rt-*' -printf '%f\n' |
		sed 's/^vmlinuz-//' | sort -V | tail -n 1
}
kvers=()
for k in ${KVERS:-6.1 6.12}; do
	r=$(resolve "$k")
	[[ -n $r && -f /lib/modules/$r/build/Makefile ]] || { bad "no installed kernel with headers for $k"; finish; }
	kvers+=("$r")
done

tmp=$(mktemp -d /var/tmp/dm-remap-packages.XXXXXX)
PKGS=(dm-remap-tools dm-remap-dkms)
installed() { dpkg-query -W -f '${db:Status-Abbrev}\n' "$@" 2>/dev/null | grep -q '^[a-z][^n]'; }
purge_all() { installed "${PKGS[@]}" && DEBIAN_FRONTEND=noninteractive dpkg --purge "${PKGS[@]}"; }
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if installed "${PKGS[@]}"; then
		echo "check-packages: purging the packages on exit"
		purge_all >/dev/null 2>&1
	fi
	if [[ -n ${clone:-} && -n ${make_installed:-} ]]; then
		make -s -C "$clone" uninstall KVER="${kvers[0]}" >/dev/null 2>&1
	fi
	if [[ -n ${clone:-} && -n ${dkms_installed:-} ]]; then
		make -s -C "$clone" dkms-uninstall >/dev/null 2>&1
	fi
	if [[ ${KEEP_TMP:-0} == 1 ]]; then
		echo "check-packages: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if installed "${PKGS[@]}"; then
	echo "check-packages: dm-remap packages are installed already; purging them first"
	purge_all || { bad "could not purge the installed dm-remap packages"; finish; }
fi

# The file names the packages may touch; the purge must leave them as found.
WATCH=(/usr/src /usr/sbin /usr/share/man /usr/share/doc /usr/lib/debug /lib/modules /etc /var/lib/dkms)
snapshot() { # snapshot FILE: every path under WATCH, plus each kernel's modules.dep hash
	local k
	{
		find "${WATCH[@]}" -xdev 2>/dev/null | grep -v -e '^/var/lib/dkms/mok\.' | LC_ALL=C sort
		for k in "${kvers[@]}"; do echo "modules.dep $k $(sha256sum <"/lib/modules/$k/modules.dep" | cut -c1-16)"; done
	} >"$1"
}
snapshot "$tmp/before"
leftovers=$(find /usr/src /var/lib/dkms /lib/modules -maxdepth 4 \( -name 'dm-remap*' -o -name 'dm_remap.ko*' \) 2>/dev/null)
[[ -z $leftovers ]] || { bad "dm-remap files present before the test: $leftovers"; finish; }

# ---- 1. make deb on a clean clone ------------------------------------------
clone=$tmp/dm-remap
git clone -q --no-local "$repo" "$clone" || { bad "git clone failed"; finish; }
echo "check-packages: clone of $(git -C "$clone" log -1 --format='%h %s' | cut -c1-72)"
t0=$(now)
if make -C "$clone" deb >"$tmp/deb.log" 2>&1; then
	t_deb=$(($(now) - t0))
	ok "make deb on a clean clone (${t_deb} s): $(cd "$clone/build/deb" && echo *.deb)"
else
	tail -n 40 "$tmp/deb.log"
	bad "make deb failed (log: $tmp/deb.log)"
	finish
fi
debdir=$clone/build/deb
dkms_deb=$(echo "$debdir"/dm-remap-dkms_*_all.deb)
tools_deb=$(echo "$debdir"/dm-remap-tools_*_amd64.deb)
[[ -f $dkms_deb && -f $tools_deb ]] || { bad "build/deb/ lacks dm-remap-dkms_*_all.deb or dm-remap-tools_*_amd64.deb"; finish; }

# ---- 2. lintian ----------------------------------------------------------------
lintian --tag-display-limit 0 "$debdir"/*.changes >"$tmp/lintian.log" 2>&1
grep -v '^running with root privileges' "$tmp/lintian.log" | sed 's/^/  lintian| /'
errs=$(grep -c '^E: ' "$tmp/lintian.log")
unexpected=$(grep '^W: ' "$tmp/lintian.log" | sed -E 's/^W: ([^ :]+):? ([^ ]+).*/\1 \2/' |
	grep -vxF -f <(grep -v -e '^#' -e '^$' tests/packages/lintian-kept | awk '{print $1, $2}') || true)
if ((errs == 0)) && [[ -z $unexpected ]]; then
	ok "lintian: no error; warnings all listed in tests/packages/lintian-kept ($(grep -c '^W: ' "$tmp/lintian.log"))"
else
	bad "lintian: $errs error(s); warnings not in tests/packages/lintian-kept: ${unexpected:-none}"
fi

# ---- 3. one version --------------------------------------------------------------
if (cd "$clone" && scripts/check-version.sh "$dkms_deb" "$tools_deb") >"$tmp/version.log" 2>&1; then
	ok "versions agree: $(tail -n 1 "$tmp/version.log")"
else
	cat "$tmp/version.log"
	bad "versions disagree"
fi
version=$(make -s --no-print-directory -C "$clone" print-version)

# ---- 4. install ----------------------------------------------------------------
t0=$(now)
# each output line with the seconds since the start, to time DKMS's builds
DEBIAN_FRONTEND=noninteractive dpkg -i "$dkms_deb" "$tools_deb" 2>&1 |
	while IFS= read -r line; do printf '%d %s\n' $(($(now) - t0)) "$line"; done >"$tmp/dpkg-i.log"
rc=${PIPESTATUS[0]}
t_install=$(($(now) - t0))
sed 's/^/  dpkg -i| /' "$tmp/dpkg-i.log"
if ((rc == 0)) && installed "${PKGS[@]}"; then
	ok "dpkg -i of both packages (${t_install} s, DKMS builds included)"
else
	bad "dpkg -i failed (exit $rc)"
	finish
fi
# DKMS's postinst prints "Building initial module for K" ... "Done."
build_times=$(awk '/Building initial module for/ {k = $NF; t = $1} /^[0-9]+ Done\./ && k != "" {printf "%s %d s; ", k, $1 - t; k = ""}' "$tmp/dpkg-i.log")
echo "check-packages: DKMS build+install per kernel: ${build_times:-?}"
dkms status dm-remap 2>/dev/null | sed 's/^/  dkms status| /'
for k in "${kvers[@]}"; do
	if dkms status -m dm-remap -v "$version" -k "$k" 2>/dev/null | grep -q ': installed'; then
		ok "$k: DKMS built and installed dm-remap $version"
	else
		bad "$k: DKMS did not install dm-remap $version ($(dkms status -m dm-remap -k "$k" 2>&1))"
		continue
	fi
	fn=$(modinfo -k "$k" -F filename dm_remap 2>&1)
	mv=$(modinfo -k "$k" -F version dm_remap 2>&1)
	vm=$(modinfo -k "$k" -F vermagic dm_remap 2>&1 | awk '{print $1}')
	if [[ $fn == /lib/modules/$k/updates/dkms/dm_remap.ko* && $mv == "$version" && $vm == "$k" ]]; then
		ok "$k: modinfo finds $fn, version $mv, vermagic $vm"
	else
		bad "$k: modinfo dm_remap: '$fn', version '$mv', vermagic '$vm'"
	fi
	deps=$(modprobe -S "$k" --show-depends dm_remap 2>&1)
	if [[ $(tail -n 1 <<<"$deps") == "insmod $fn"* ]] && grep -q '/dm-mod.ko' <<<"$deps"; then
		ok "$k: modprobe --show-depends dm_remap loads $(grep -oE '[^/]+\.ko[.a-z]*' <<<"$deps" | tr '\n' ' ')"
	else
		bad "$k: modprobe --show-depends dm_remap: $deps"
	fi
done
for p in dm-remap.4 remapctl.8 remap_create_safe.sh.8 remap_test_driver.sh.8; do
	f=$(man -w "${p##*.}" "${p%.*}" 2>/dev/null)
	if [[ $f == /usr/share/man/man${p##*.}/$p.gz ]]; then
		w=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$f" 2>&1 >/dev/null)
		if [[ -z $w ]]; then ok "man ${p##*.} ${p%.*}: $f, no warning"; else bad "man $f: $w"; fi
	else
		bad "man -w ${p##*.} ${p%.*}: '$f'"
	fi
done
for b in remapctl remap_create_safe.sh remap_test_driver.sh; do
	[[ $(command -v "$b") == /usr/sbin/$b ]] || bad "$b is not /usr/sbin/$b"
done
if [[ $(/usr/sbin/remapctl --version) == "remapctl (dm-remap) $version" ]]; then
	ok "/usr/sbin/remapctl --version: $version"
else
	bad "/usr/sbin/remapctl --version: $(/usr/sbin/remapctl --version 2>&1)"
fi

# ---- 5. the guest on each kernel ------------------------------------------------
for k in "${kvers[@]}"; do
	t0=$(now)
	tests/vm/vm-run.sh --kver "$k" --timeout 900 --fail-on-kernel-errors --results "$tmp/guest-$k" \
		-- "$repo/tests/packages/guest-smoke.sh" >"$tmp/guest-$k.log" 2>&1
	rc=$?
	t=$(($(now) - t0))
	# the command's output from the results directory (vm-run.sh's
	# streamed copy can miss lines on a loaded host), then vm-run's lines
	out=$tmp/guest-$k/output.log
	sed 's/^/  guest| /' "$out" 2>/dev/null
	grep '^vm-run' "$tmp/guest-$k.log" | sed 's/^/  guest| /'
	if ((rc == 0)) && grep -q '^SMOKE OK' "$out"; then
		ok "$k: guest loaded the installed module with modprobe and passed the smoke test from /usr/sbin (${t} s)"
	else
		bad "$k: guest smoke test failed (exit $rc, ${t} s; $tmp/guest-$k.log)"
	fi
done

# ---- 6. purge ----------------------------------------------------------------------
t0=$(now)
if DEBIAN_FRONTEND=noninteractive dpkg --purge "${PKGS[@]}" >"$tmp/purge.log" 2>&1; then
	ok "dpkg --purge ($(($(now) - t0)) s)"
else
	cat "$tmp/purge.log"
	bad "dpkg --purge failed"
fi
sed 's/^/  purge| /' "$tmp/purge.log"
snapshot "$tmp/after-purge"
if cmp -s "$tmp/before" "$tmp/after-purge"; then
	ok "purge left nothing: file names under ${WATCH[*]} and every modules.dep as before"
else
	bad "purge left things behind (< before, > after):"
	diff "$tmp/before" "$tmp/after-purge" | grep '^[<>]' | head -n 40
fi
if dkms status dm-remap 2>/dev/null | grep -q .; then bad "dkms still knows dm-remap: $(dkms status dm-remap)"; fi
if man -w dm-remap >/dev/null 2>&1; then bad "man -w dm-remap still finds a page"; fi

# ---- 7. make install / uninstall on the real system ----------------------------------
if [[ ${CHECK_MAKE_INSTALL:-1} == 1 ]]; then
	k=${kvers[0]}
	t0=$(now)
	make_installed=1
	if make -C "$clone" install KVER="$k" >"$tmp/make-install.log" 2>&1; then
		fn=$(modinfo -k "$k" -F filename dm_remap 2>&1)
		deps=$(modprobe -S "$k" --show-depends dm_remap 2>&1)
		if [[ $fn == /lib/modules/$k/updates/dm_remap.ko* && $(tail -n 1 <<<"$deps") == "insmod $fn"* ]] &&
			grep -q '/dm-mod.ko' <<<"$deps" && [[ $(command -v remapctl) == /usr/sbin/remapctl ]] &&
			man -w dm-remap >/dev/null 2>&1; then
			ok "$k: make install ($(($(now) - t0)) s): $fn, depmod run (modprobe resolves dm-mod first), tools and man pages in place"
		else
			bad "$k: after make install: modinfo '$fn'; modprobe --show-depends: $deps"
		fi
	else
		tail -n 30 "$tmp/make-install.log"
		bad "$k: make install failed"
	fi
	if make -C "$clone" uninstall KVER="$k" >"$tmp/make-uninstall.log" 2>&1; then
		make_installed=
		snapshot "$tmp/after-uninstall"
		if cmp -s "$tmp/before" "$tmp/after-uninstall"; then
			ok "$k: make uninstall left the file names and modules.dep as before"
		else
			bad "$k: make uninstall left things behind (< before, > after):"
			diff "$tmp/before" "$tmp/after-uninstall" | grep '^[<>]' | head -n 40
		fi
	else
		tail -n 30 "$tmp/make-uninstall.log"
		bad "$k: make uninstall failed"
	fi
fi

# ---- 8. make dkms-install / dkms-uninstall ------------------------------------------
if [[ ${CHECK_MAKE_INSTALL:-1} == 1 ]]; then
	k=${kvers[0]}
	t0=$(now)
	dkms_installed=1
	if make -C "$clone" dkms-install KVER="$k" >"$tmp/dkms-install.log" 2>&1; then
		fn=$(modinfo -k "$k" -F filename dm_remap 2>&1)
		st=$(dkms status -m dm-remap -v "$version" -k "$k" 2>/dev/null)
		if [[ $fn == /lib/modules/$k/updates/dkms/dm_remap.ko* && $st == *': installed'* &&
			$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "/usr/src/dm-remap-$version/dkms.conf") == "$version" ]]; then
			ok "$k: make dkms-install ($(($(now) - t0)) s): $fn, dkms.conf PACKAGE_VERSION $version"
		else
			bad "$k: after make dkms-install: modinfo '$fn', dkms status '$st'"
		fi
	else
		tail -n 30 "$tmp/dkms-install.log"
		bad "$k: make dkms-install failed"
	fi
	# BUILD_EXCLUSIVE_CONFIG: a kernel without device-mapper is skipped
	# (DKMS exits 77, which its postinst and autoinstall take as "skipped").
	# A kernel DKMS has not built for (it answers "already built" for $k):
	# the last one, its .config without CONFIG_BLK_DEV_DM.
	kx=${kvers[${#kvers[@]} - 1]}
	if [[ $kx != "$k" ]]; then
		mkdir -p "$tmp/no-dm"
		grep -v '^CONFIG_BLK_DEV_DM=' "/lib/modules/$kx/build/.config" >"$tmp/no-dm/.config"
		dkms build -m dm-remap -v "$version" -k "$kx" --kernelsourcedir "$tmp/no-dm" >"$tmp/no-dm.log" 2>&1
		rc=$?
		if ((rc == 77)) && grep -q 'BUILD_EXCLUSIVE' "$tmp/no-dm.log"; then
			ok "$kx without CONFIG_BLK_DEV_DM: DKMS skips the build (exit 77, BUILD_EXCLUSIVE)"
		else
			cat "$tmp/no-dm.log"
			bad "$kx without CONFIG_BLK_DEV_DM: dkms build exited $rc, not 77"
		fi
	else
		echo "check-packages: one kernel only: BUILD_EXCLUSIVE_CONFIG not checked"
	fi
	if make -C "$clone" dkms-uninstall >"$tmp/dkms-uninstall.log" 2>&1; then
		dkms_installed=
		snapshot "$tmp/after-dkms-uninstall"
		if cmp -s "$tmp/before" "$tmp/after-dkms-uninstall"; then
			ok "make dkms-uninstall left the file names and modules.dep as before"
		else
			bad "make dkms-uninstall left things behind (< before, > after):"
			diff "$tmp/before" "$tmp/after-dkms-uninstall" | grep '^[<>]' | head -n 40
		fi
	else
		tail -n 30 "$tmp/dkms-uninstall.log"
		bad "make dkms-uninstall failed"
	fi
fi

echo "check-packages: make deb ${t_deb:-?} s, dpkg -i ${t_install:-?} s (DKMS: ${build_times:-?}), whole run $(($(now) - t_start)) s"
finish
}
