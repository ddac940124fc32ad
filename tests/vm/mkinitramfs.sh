#!/bin/bash
# Build (or reuse from cache) the initramfs of the dm-remap test VM and print
# its path.  Usage: mkinitramfs.sh [--kver VERSION] [--moddir ROOT] [--force]
# --moddir ROOT: the kernel's modules are in ROOT/lib/modules/VERSION (a
# self-built kernel, tests/vm/debug-kernel/build.sh) rather than /lib/modules;
# modules built into that kernel are left out.
#
# Contents: static busybox, /init (tests/vm/init.sh), and the modules needed
# to reach the host root over virtio-9p (virtio_pci, 9pnet_virtio, 9p and
# their dependencies, resolved from modules.dep of that kernel; compressed
# modules are decompressed), plus virtio_blk and configfs.
# Cache: $VM_CACHE_DIR (default /var/tmp/dm-remap-vm)/<kver>/initramfs-<hash>.cpio,
# keyed by the kernel version, the harness files and busybox.
set -euo pipefail
{ # the whole script is parsed before it runs: editing it meanwhile is safe
VM_LOG_PREFIX=mkinitramfs
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kver='' force=0 moddir=''
while (($#)); do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--kver=*) kver=${1#*=}; shift ;;
	--moddir) moddir=$2; shift 2 ;;
	--force) force=1; shift ;;
	-h | --help) sed -n '2,11p' "$0"; exit 0 ;;
	*) vm_die "unknown argument: $1" ;;
	esac
done
modprobe_root=()
if [[ -n $moddir ]]; then
	[[ -n $kver && -d $moddir/lib/modules/$kver ]] || vm_die "--moddir $moddir: no lib/modules/$kver (--kver needed)"
	modprobe_root=(-d "$moddir")
else
	kver=$(vm_resolve_kver "$kver")
fi

BUSYBOX=${BUSYBOX:-/bin/busybox}
[[ -x $BUSYBOX ]] || vm_die "$BUSYBOX missing (install busybox-static)"
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	vm_die "$BUSYBOX is dynamically linked; the initramfs needs busybox-static"
fi

# Modules wanted in the initramfs: 'name:required'.
WANT=(virtio_pci:1 virtio_blk:1 9pnet_virtio:1 9p:1 configfs:0)

modlist=()   # ordered list of module files (host paths)
declare -A seen=()
for w in "${WANT[@]}"; do
	name=${w%%:*} req=${w##*:}
	if ! deps=$(modprobe "${modprobe_root[@]}" -S "$kver" --show-depends "$name" 2>&1); then
		((req)) && vm_die "cannot resolve module $name for $kver: $deps"
		vm_log "note: optional module $name not available for $kver"
		continue
	fi
	while read -r kind path _; do
		[[ $kind == insmod ]] || continue # 'builtin NAME': nothing to load
		[[ -n ${seen[$path]:-} ]] && continue
		seen[$path]=1
		modlist+=("$path")
	done <<<"$deps"
done

hash=$( {
	echo "$kver $moddir"
	cat "$VM_DIR/mkinitramfs.sh" "$VM_DIR/init.sh" "$VM_DIR/lib.sh"
	sha256sum "$BUSYBOX" "${modlist[@]}"
} | sha256sum | cut -c1-16)

out_dir=$VM_CACHE_DIR/$kver
out=$out_dir/initramfs-$hash.cpio
if [[ -s $out && $force == 0 ]]; then
	echo "$out"
	exit 0
fi

mkdir -p "$out_dir"
stage=$(mktemp -d "$out_dir/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,newroot,lib/modules,etc,tmp}
cp "$BUSYBOX" "$stage/bin/busybox"
for applet in $("$BUSYBOX" --list); do
	[[ $applet == busybox ]] && continue
	ln -sf busybox "$stage/bin/$applet"
done
install -m 0755 "$VM_DIR/init.sh" "$stage/init"

: >"$stage/modules.order"
for path in "${modlist[@]}"; do
	base=$(basename "$path")
	case $base in
	*.ko) cp "$path" "$stage/lib/modules/$base" ;;
	*.ko.xz) base=${base%.xz}; xz -dc "$path" >"$stage/lib/modules/$base" ;;
	*.ko.zst) base=${base%.zst}; zstd -qdc "$path" >"$stage/lib/modules/$base" ;;
	*.ko.gz) base=${base%.gz}; gzip -dc "$path" >"$stage/lib/modules/$base" ;;
	*) vm_die "unknown module file type: $path" ;;
	esac
	echo "$base" >>"$stage/modules.order"
done

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out.tmp.$$"
mv -f "$out.tmp.$$" "$out"
# drop stale images of this kernel
find "$out_dir" -maxdepth 1 -name 'initramfs-*.cpio' ! -name "$(basename "$out")" -delete 2>/dev/null || true
vm_log "built $out ($(du -h "$out" | cut -f1), modules: $(tr '\n' ' ' <"$stage/modules.order"))"
echo "$out"
}
