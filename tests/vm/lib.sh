# Shared helpers for the dm-remap VM harness (sourced, not executed).
# shellcheck shell=bash

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this file
VM_REPO=$(cd "$VM_DIR/../.." && pwd)
VM_CACHE_DIR=${VM_CACHE_DIR:-/var/tmp/dm-remap-vm}

# Directories of the host root that the guest covers with tmpfs (see init.sh):
# host files below them are invisible in the guest unless shared (--share).
VM_MASKED_DIRS=(/tmp /run /var/tmp /var/log /var/cache /root /mnt /media)

# vm_is_masked PATH: true if PATH is hidden in the guest
vm_is_masked() {
	local d
	for d in "${VM_MASKED_DIRS[@]}"; do
		[[ $1 == "$d" || $1 == "$d"/* ]] && return 0
	done
	return 1
}

vm_log() { echo "${VM_LOG_PREFIX:-vm}: $*" >&2; }
vm_die() { echo "${VM_LOG_PREFIX:-vm}: error: $*" >&2; exit "${VM_DIE_RC:-125}"; }

# Print the kernel version to use: $1 if given, else $KVER, else the newest
# installed /boot/vmlinuz-6.1.*-amd64.
vm_resolve_kver() {
	local want=${1:-${KVER:-}}
	if [[ -z $want ]]; then
		want=$(find /boot -maxdepth 1 -name 'vmlinuz-6.1.*-amd64' -printf '%f\n' 2>/dev/null |
			sed 's/^vmlinuz-//' | sort -V | tail -n1)
		[[ -n $want ]] || vm_die "no /boot/vmlinuz-6.1.*-amd64 installed (run tests/vm/setup.sh, or pass --kver / KVER=)"
	fi
	[[ -r /boot/vmlinuz-$want ]] || vm_die "kernel /boot/vmlinuz-$want not found (installed: $(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f ' 2>/dev/null | sed 's/vmlinuz-//g'))"
	[[ -d /lib/modules/$want/kernel ]] || vm_die "modules for $want not found in /lib/modules/$want"
	echo "$want"
}

# Print the kernel image qemu should boot for $1.  When the kernel supports
# PVH (CONFIG_PVH=y) the bzImage is decompressed once into an ELF vmlinux
# (cached) which qemu boots directly: this halves the boot time under TCG
# (no in-guest decompression).  VM_PVH=0 boots the bzImage instead.
vm_kernel_image() {
	local kver=$1 bz=/boot/vmlinuz-$1
	if [[ ${VM_PVH:-1} == 0 ]] || ! grep -qx 'CONFIG_PVH=y' "/boot/config-$kver" 2>/dev/null; then
		echo "$bz"
		return
	fi
	local key out
	key=$(stat -c '%s-%Y' "$bz")
	out=$VM_CACHE_DIR/$kver/vmlinux-$key
	if [[ ! -s $out ]]; then
		mkdir -p "$VM_CACHE_DIR/$kver"
		local tmp=$out.tmp.$$ off magic dec ok=0
		for magic in xz zstd gzip; do
			case $magic in
			xz) off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$bz" | head -n1 | cut -d: -f1); dec=(xz -dc --single-stream) ;;
			zstd) off=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$bz" | head -n1 | cut -d: -f1); dec=(zstd -dcq) ;;
			gzip) off=$(LC_ALL=C grep -obUaP '\x1f\x8b\x08' "$bz" | head -n1 | cut -d: -f1); dec=(gzip -dcq) ;;
			esac
			[[ -n $off ]] || continue
			tail -c +$((off + 1)) "$bz" | "${dec[@]}" >"$tmp" 2>/dev/null || true
			if [[ $(head -c4 "$tmp" 2>/dev/null | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]; then
				ok=1
				break
			fi
		done
		if ((ok)); then
			find "$VM_CACHE_DIR/$kver" -maxdepth 1 -name 'vmlinux-*' ! -name "*.tmp.*" -delete 2>/dev/null || true
			mv -f "$tmp" "$out"
		else
			rm -f "$tmp"
			vm_log "note: could not extract an ELF vmlinux from $bz; booting the bzImage"
			echo "$bz"
			return
		fi
	fi
	echo "$out"
}
