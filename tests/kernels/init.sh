#!/bin/busybox sh
# shellcheck shell=sh
# PID 1 of the kernel-matrix guest (tests/kernels/run.sh puts it at /init of the initramfs).
# Loads the modules, mounts the host's results directory (virtio-9p, tag "host") at /out, runs
# every /kt/guest/*.sh in its own network and mount namespaces, then powers off.
# Lines starting with "KT: " are the progress the host shows.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root PYTHONDONTWRITEBYTECODE=1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
. /kt/env
K=$(uname -r)
up() { cut -d' ' -f1 /proc/uptime; }
echo "KT: kernel $K up after $(up) s"
while read -r m; do
	insmod "/lib/modules/$K/$m.ko" 2>/tmp/insmod.err ||
		echo "KT-WARN insmod $m: $(cat /tmp/insmod.err)"
done <"/lib/modules/$K/load.list"
if [ "$KT_TRANSPORT" = 9p ] && mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 host /out; then
	:
else
	[ "$KT_TRANSPORT" = 9p ] && echo "KT-WARN cannot mount the 9p share: results go over the console"
	KT_TRANSPORT=console
	mount -t tmpfs tmpfs /out
fi
/usr/sbin/ip link set lo up

n=0
for t in /kt/guest/*.sh; do
	name=$(basename "$t" .sh)
	if [ -n "$KT_TESTS" ]; then
		case " $KT_TESTS " in *" $name "*) ;; *) continue ;; esac
	fi
	n=$((n + 1))
	mkdir -p "/out/$name"
	t0=$(up)
	# a private network and mount namespace per test: nothing leaks into the next one
	timeout "$KT_TEST_TIMEOUT" unshare -m -n sh /kt/lib.sh "$name" >"/out/$name/log" 2>&1
	rc=$?
	echo "$rc" >"/out/$name/rc"
	# whatever the test left running (after a timeout, say) goes before the next one
	kill -KILL -1 2>/dev/null # every process but init
	ok=$(grep -c '^ok:' "/out/$name/results" 2>/dev/null)
	bad=$(grep -c '^FAIL:' "/out/$name/results" 2>/dev/null)
	skip=$(grep -c '^SKIP:' "/out/$name/results" 2>/dev/null)
	echo "KT: $name: guest part rc=$rc, ${ok:-0} ok, ${bad:-0} failed, ${skip:-0} skipped ($(echo "$t0 $(up)" | awk '{printf "%.1f", $2 - $1}') s)"
done
dmesg >/out/dmesg.txt
echo "kernel=$K tests=$n uptime=$(up)" >/out/DONE
echo "KT: done: $n tests, up $(up) s"
if [ "$KT_TRANSPORT" = console ]; then
	touch /out/.console-transport
	echo KT-TAR-BEGIN
	tar -C /out -czf - . | base64
	echo KT-TAR-END
fi
sync
umount /out 2>/dev/null
poweroff -f
