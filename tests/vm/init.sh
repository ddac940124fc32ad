#!/bin/sh
# /init of the dm-remap test VM initramfs (runs under busybox sh as PID 1).
# Installed by tests/vm/mkinitramfs.sh; started by tests/vm/vm-run.sh.
#
#  - loads the virtio/9p modules shipped in the initramfs
#  - mounts the host's / (9p tag "hostroot", read-only) at /newroot
#  - tmpfs on the directories tools write to
#  - mounts the host results directory (9p tag "results", rw) at
#    /newroot/run/vm-results
#  - chroots into /newroot and runs /run/vm-results/.vm/cmd (written by the
#    host) with stdout/stderr on ttyS1 (the host streams it), stores the exit
#    code in /run/vm-results/.vm/exitcode, saves dmesg, syncs, powers off.
PATH=/bin:/sbin
export PATH
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# fd 3: the command/progress channel (ttyS1, streamed by the host).
if [ -c /dev/ttyS1 ]; then
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	exec 3>/dev/ttyS1
else
	exec 3>/dev/console
fi
exec </dev/null >/dev/console 2>&1 4>/dev/kmsg

kmsg() { echo "vm-init: $*" >&4; }
die() {
	echo "vm-init: FATAL: $*" >&3
	kmsg "FATAL: $*"
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 100
}

kmsg "starting, uptime $(cut -d' ' -f1 /proc/uptime)"
if [ -f /modules.order ]; then
	while read -r m; do
		[ -n "$m" ] || continue
		insmod "/lib/modules/$m" || kmsg "insmod $m failed"
	done </modules.order
fi

R=/newroot
RES=$R/run/vm-results
mkdir -p $R
opts=trans=virtio,version=9p2000.L,msize=262144
mount -t 9p -o "$opts,ro,cache=loose" hostroot $R || die "cannot mount host root (9p tag hostroot)"

# Writable scratch areas (the host root is read-only).
for d in tmp run var/tmp var/log var/cache root mnt media; do
	[ -d "$R/$d" ] || continue
	mount -t tmpfs -o mode=0755 tmpfs "$R/$d" || die "tmpfs on /$d"
done
chmod 1777 $R/tmp $R/var/tmp 2>/dev/null
mkdir -p $R/run/lock $R/run/vm-results
chmod 1777 $R/run/lock

mount -t 9p -o "$opts,rw,cache=none" results $RES || die "cannot mount results share (9p tag results)"
[ -f $RES/.vm/cmd ] || die "no command file .vm/cmd in the results share"

# Extra read-only shares (host dirs hidden by the tmpfs mounts above, e.g. a
# checkout under /tmp), mounted at their host path.  Lines: "TAG PATH".
if [ -f $RES/.vm/shares ]; then
	while read -r tag path; do
		[ -n "$tag" ] || continue
		mkdir -p "$R$path" || die "cannot create $path"
		mount -t 9p -o "$opts,ro,cache=loose" "$tag" "$R$path" || die "cannot mount share $tag at $path"
	done <$RES/.vm/shares
fi

mount --move /proc $R/proc || die "move /proc"
mount --move /sys $R/sys || die "move /sys"
mount --move /dev $R/dev || die "move /dev"
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $R/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $R/dev/shm
mount -t debugfs debugfs $R/sys/kernel/debug || kmsg "debugfs mount failed"
mount -t tracefs tracefs $R/sys/kernel/tracing 2>/dev/null
mount -t configfs configfs $R/sys/kernel/config || kmsg "configfs mount failed"
[ -e $R/dev/fd ] || ln -s /proc/self/fd $R/dev/fd 2>/dev/null

# On-demand module loading as on a udev system: device nodes from
# modules.devname (opening /dev/loop-control loads loop) and a modprobe helper
# that runs the host's modprobe inside the chroot (dm target autoload etc.).
kv=$(uname -r)
if [ -f "$R/lib/modules/$kv/modules.devname" ]; then
	while read -r mod dev spec; do
		case $mod in '' | \#*) continue ;; esac
		[ -e "$R/dev/$dev" ] && continue
		typ=${spec%"${spec#?}"}
		mm=${spec#?}
		mkdir -p "$(dirname "$R/dev/$dev")"
		mknod "$R/dev/$dev" "$typ" "${mm%%:*}" "${mm#*:}" 2>/dev/null
	done <"$R/lib/modules/$kv/modules.devname"
fi
printf '#!/bin/sh\nexec /bin/chroot /newroot /sbin/modprobe "$@"\n' >/bin/vm-modprobe
chmod 755 /bin/vm-modprobe
echo /bin/vm-modprobe >$R/proc/sys/kernel/modprobe

hostname dm-remap-vm
ip link set lo up 2>/dev/null

up=$(cut -d' ' -f1 $R/proc/uptime)
echo "$up" >$RES/.vm/started
kmsg "running command (uptime $up)"

chroot $R /usr/bin/env -i \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root TERM=dumb LANG=C.UTF-8 SHELL=/bin/bash USER=root LOGNAME=root \
	DM_DISABLE_UDEV=1 IN_TEST_VM=1 VM_RESULTS=/run/vm-results \
	/bin/bash /run/vm-results/.vm/cmd </dev/null >&3 2>&3 4>&-
rc=$?

up2=$(cut -d' ' -f1 $R/proc/uptime)
kmsg "command exited with $rc (uptime $up2)"
echo "$up2" >$RES/.vm/finished
chroot $R /bin/dmesg >$RES/dmesg.log 2>&1 || dmesg >$RES/dmesg.log 2>&1
echo "$rc" >$RES/.vm/exitcode
sync
umount $RES 2>/dev/null
poweroff -f
echo o >$R/proc/sysrq-trigger
sleep 100
