#!/bin/bash
# Build (or reuse from the cache) the dm-remap debug kernel: Debian's
# linux-source-6.1 with "make tinyconfig" plus the config fragments next to
# this script (KASAN, lockdep, kmemleak, debug objects, fault injection, ...).
# Prints the kernel directory on stdout; everything else goes to stderr.
#
# Usage: build.sh [--force] [--print-dir]
#   --print-dir   print the directory the current fragments map to and exit
#                 (0 if it is built, 1 if not); builds nothing
#   --force       rebuild even if the cached kernel exists
#
# Kernel directory: $DEBUG_KERNEL_CACHE (default /var/cache/dm-remap/debug-kernel)
#   /<source-version>-<hash of the fragments and this script>/
#     build/       the O= build tree (KDIR for the out-of-tree module)
#     bzImage      the kernel qemu boots (bzImage: the tinyconfig base has no PVH)
#     modroot/lib/modules/<release>/   modules_install output (scsi_debug, brd,
#                  null_blk; modules.builtin for modprobe of built-in drivers)
#     kernel.release, build.log, build-seconds, ok (stamp)
# The pristine source is extracted once per source version under src/.
# Environment: DEBUG_KERNEL_SRC (tarball, default /usr/src/linux-source-6.1.tar.xz),
# DEBUG_KERNEL_CACHE, JOBS (default: nproc).
set -euo pipefail
{ # the whole script is parsed before it runs: editing it meanwhile is safe
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_TAR=${DEBUG_KERNEL_SRC:-/usr/src/linux-source-6.1.tar.xz}
CACHE=${DEBUG_KERNEL_CACHE:-/var/cache/dm-remap/debug-kernel}
JOBS=${JOBS:-$(nproc)}

log() { echo "debug-kernel: $*" >&2; }
die() { echo "debug-kernel: error: $*" >&2; exit 1; }

force=0 print_dir=0
while (($#)); do
	case $1 in
	--force) force=1; shift ;;
	--print-dir) print_dir=1; shift ;;
	-h | --help) sed -n '2,24p' "$0"; exit 0 ;;
	*) die "unknown argument: $1" ;;
	esac
done

[[ -r $SRC_TAR ]] || die "$SRC_TAR missing (apt-get install linux-source-6.1, or run tests/vm/setup.sh)"
# Source version: the Debian package's when the tarball is the package's.
srcver=
if [[ $SRC_TAR == /usr/src/linux-source-6.1.tar.xz ]]; then
	srcver=$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null || true)
fi
[[ -n $srcver ]] || srcver=$(basename "$SRC_TAR" .tar.xz)-$(stat -c '%s-%Y' "$SRC_TAR")
shopt -s nullglob
frags=("$HERE"/*.config)
shopt -u nullglob
((${#frags[@]})) || die "no config fragments in $HERE"
hash=$(cat "${frags[@]}" "$HERE/build.sh" | sha256sum | cut -c1-12)
out=$CACHE/$srcver-$hash

if ((print_dir)); then
	echo "$out"
	[[ -f $out/ok ]]
	exit
fi
if [[ -f $out/ok && $force == 0 ]]; then
	echo "$out"
	exit 0
fi

for tool in gcc make flex bison bc perl; do
	command -v "$tool" >/dev/null || die "$tool missing (apt-get install build-essential flex bison bc libelf-dev libssl-dev)"
done
[[ -f /usr/include/libelf.h ]] || die "libelf-dev missing (objtool needs it)"

mkdir -p "$CACHE/src"
exec 9>"$CACHE/.lock"
log "waiting for the build lock $CACHE/.lock" && flock 9
# another build may have finished while we waited
if [[ -f $out/ok && $force == 0 ]]; then
	echo "$out"
	exit 0
fi

src=$CACHE/src/$srcver
if [[ ! -f $src/.extracted ]]; then
	log "extracting $SRC_TAR into $src"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xf "$SRC_TAR" -C "$src.tmp" --strip-components=1
	mv "$src.tmp" "$src"
	touch "$src/.extracted"
fi

rm -rf "$out"
build=$out/build
mkdir -p "$build"
t0=$SECONDS
blog=$out/build.log
log "configuring: tinyconfig + ${frags[*]##*/} (log $blog)"
{
	make -C "$src" O="$build" tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "${frags[@]}"
	make -C "$src" O="$build" olddefconfig
} >"$blog" 2>&1 || die "configuration failed; see $blog"

# Every option a fragment asks for must be in the final .config as asked:
# Kconfig silently drops options whose dependencies are missing.
bad=()
while IFS= read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		want="${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
		grep -qxF -- "$want" "$build/.config" || bad+=("$want (got: $(grep -E "^(# )?${BASH_REMATCH[1]}[= ]" "$build/.config" || echo unset))")
	elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		grep -qE "^${BASH_REMATCH[1]}=" "$build/.config" && bad+=("${BASH_REMATCH[1]} should be unset")
	fi
done < <(cat "${frags[@]}")
if ((${#bad[@]})); then
	printf 'debug-kernel:   %s\n' "${bad[@]}" >&2
	die "${#bad[@]} fragment option(s) did not survive olddefconfig (dependencies missing?)"
fi

log "building bzImage and modules with -j$JOBS (about 8 minutes on 2 idle cores)"
make -C "$src" O="$build" -j"$JOBS" bzImage modules >>"$blog" 2>&1 ||
	{ tail -n 30 "$blog" >&2; die "kernel build failed; see $blog"; }
make -C "$src" O="$build" INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 \
	modules_install >>"$blog" 2>&1 || die "modules_install failed; see $blog"
release=$(<"$build/include/config/kernel.release")
[[ -d $out/modroot/lib/modules/$release ]] || die "modules_install made no lib/modules/$release"
cp "$build/arch/x86/boot/bzImage" "$out/bzImage"
echo "$release" >"$out/kernel.release"
echo $((SECONDS - t0)) >"$out/build-seconds"
touch "$out/ok"
log "built $release in $((SECONDS - t0)) s: $out"
# older builds of the same source with other fragments are stale
find "$CACHE" -mindepth 1 -maxdepth 1 -name "$srcver-*" ! -name "$srcver-$hash" -exec rm -rf {} + 2>/dev/null || true
echo "$out"
}
