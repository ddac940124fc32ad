#!/bin/bash
# make install DESTDIR=... produces exactly the documented tree (README.md,
# "Install"), and make uninstall DESTDIR=... removes every file of it.
# Runs on a copy of the tracked files (./dm_remap.ko and the tree are left
# alone), once per kernel in INSTALL_KVERS (series or versions; default
# "6.1 6.12": 6.12's modules are xz-compressed, 6.1's are not), plus
# make install-tools PREFIX=/usr/local.  Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
pass=0 fail=0
ok() { echo "PASS install-tree: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL install-tree: $*"; fail=$((fail + 1)); }

tmp=$(mktemp -d /var/tmp/dm-remap-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z | tar --null --no-recursion -T - -cf - | tar -xf - -C "$src"
else
	tar -cf - --exclude=./build --exclude=./.git . | tar -xf - -C "$src"
fi
version=$(make -s --no-print-directory -C "$src" print-version)

# The tree, as README.md documents it (PREFIX=/usr).
tools_tree() { # tools_tree PREFIX
	cat <<TREE
$1/sbin/remap_create_safe.sh 755
$1/sbin/remap_test_driver.sh 755
$1/sbin/remapctl 755
$1/sbin/remapd 755
$1/share/man/man4/dm-remap.4 644
$1/share/man/man5/remapd.conf.5 644
$1/share/man/man5/remaptab.5 644
$1/share/man/man8/remap_create_safe.sh.8 644
$1/share/man/man8/remap_test_driver.sh.8 644
$1/share/man/man8/remapctl.8 644
$1/share/man/man8/remapd.8 644
etc/remaptab 644
lib/systemd/system/dm-remap-scan@.service 644
lib/systemd/system/dm-remap@.service 644
lib/systemd/system/remapd.service 644
lib/udev/rules.d/61-dm-remap.rules 644
usr/share/initramfs-tools/hooks/dm-remap 755
usr/share/initramfs-tools/scripts/local-block/dm-remap 755
usr/share/initramfs-tools/scripts/local-top/dm-remap 755
TREE
}
# what is there: "path mode" of every file and symlink, sorted
tree_of() { (cd "$1" && find . \( -type f -o -type l \) -printf '%P %m\n' | LC_ALL=C sort); }

resolve() { # a series (6.12) or a version: the installed kernel
	if [[ -d /lib/modules/$1/build ]]; then echo "$1"; return; fi
	find /boot -maxdepth 1 -name "vmlinuz-$1.*-amd64" ! -name '*-cloud-*' ! -name '*-rt-*' -printf '%f\n' |
		sed 's/^vmlinuz-//' | sort -V | tail -n 1
}

for label in ${INSTALL_KVERS:-6.1 6.12}; do
	kver=$(resolve "$label")
	[[ -n $kver && -f /lib/modules/$kver/build/Makefile ]] || { bad "$label: no installed kernel with headers"; continue; }
	d=$tmp/root-$kver
	if ! make -s -C "$src" install DESTDIR="$d" KVER="$kver" >"$tmp/install-$kver.log" 2>&1; then
		tail -n 30 "$tmp/install-$kver.log"
		bad "$kver: make install DESTDIR=... failed"
		continue
	fi
	ko=dm_remap.ko
	grep -qx 'CONFIG_MODULE_COMPRESS_XZ=y' "/lib/modules/$kver/build/.config" && ko=dm_remap.ko.xz
	grep -qx 'CONFIG_MODULE_COMPRESS_ZSTD=y' "/lib/modules/$kver/build/.config" && ko=dm_remap.ko.zst
	grep -qx 'CONFIG_MODULE_COMPRESS_GZIP=y' "/lib/modules/$kver/build/.config" && ko=dm_remap.ko.gz
	want=$( { echo "lib/modules/$kver/updates/$ko 644"; tools_tree usr; } | LC_ALL=C sort)
	got=$(tree_of "$d")
	if [[ $got == "$want" ]]; then
		ok "$kver: make install DESTDIR=... gives the documented tree ($(wc -l <<<"$got") files, module $ko, no depmod files)"
	else
		bad "$kver: the installed tree differs from the documented one (< documented, > installed):"
		diff <(echo "$want") <(echo "$got") | grep '^[<>]'
	fi
	m=$d/lib/modules/$kver/updates/$ko
	if [[ -f $m ]]; then
		got=$(modinfo -F vermagic "$m" | awk '{print $1}')/$(modinfo -F version "$m")
		if [[ $got == "$kver/$version" ]]; then
			ok "$kver: installed module is for $kver, version $version"
		else
			bad "$kver: installed module says vermagic/version $got, want $kver/$version"
		fi
	fi
	r=$d/usr/sbin/remapctl
	if [[ -x $r && $("$r" --version) == "remapctl (dm-remap) $version" ]]; then
		ok "$kver: installed remapctl --version says $version"
	else
		bad "$kver: installed remapctl --version: $("$r" --version 2>&1)"
	fi
	if make -s -C "$src" uninstall DESTDIR="$d" KVER="$kver" >"$tmp/uninstall-$kver.log" 2>&1; then
		# configuration files stay, as dpkg leaves them on remove
		left=$(tree_of "$d")
		if [[ $left == "etc/remaptab 644" ]]; then
			ok "$kver: make uninstall DESTDIR=... removes every file but etc/remaptab"
		else
			bad "$kver: make uninstall left: $(tr '\n' ' ' <<<"$left")"
		fi
	else
		tail -n 20 "$tmp/uninstall-$kver.log"
		bad "$kver: make uninstall DESTDIR=... failed"
	fi
done

# PREFIX moves the tools and man pages (the module stays in /lib/modules).
d=$tmp/root-prefix
if make -s -C "$src" install-tools DESTDIR="$d" PREFIX=/usr/local >"$tmp/prefix.log" 2>&1; then
	want=$(tools_tree usr/local | LC_ALL=C sort)
	got=$(tree_of "$d")
	if [[ $got == "$want" ]]; then
		ok "make install-tools PREFIX=/usr/local: tools and man pages under usr/local"
	else
		bad "PREFIX=/usr/local: tree differs (< documented, > installed):"
		diff <(echo "$want") <(echo "$got") | grep '^[<>]'
	fi
else
	tail -n 20 "$tmp/prefix.log"
	bad "make install-tools PREFIX=/usr/local failed"
fi

echo "$pass passed, $fail failed"
((fail == 0))
