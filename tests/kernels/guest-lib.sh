# shellcheck shell=sh
# Guest side of the kernel matrix: /kt/lib.sh in the initramfs. /init runs every test as
#   timeout T unshare -m -n sh /kt/lib.sh NAME
# which sources this file, then /kt/guest/NAME.sh, and calls its guest_test function with the
# current directory = OUT = /out/NAME (the host reads it back). Busybox sh: POSIX only.
# Results: lines "ok: …", "FAIL: …", "SKIP: …" in $OUT/results.
set -u
. /kt/env
NAME=$1
OUT=/out/$NAME
RES=$OUT/results
# shellcheck disable=SC2034 # used by the guest/*.sh tests that /kt/lib.sh sources
SEND="python3 /kt/send.py"
CAP_PID=
KVER=$(uname -r)

# busybox sh runs its own applets before PATH: make sure ip and tc are iproute2's
ip() { /usr/sbin/ip "$@"; }
tc() { /usr/sbin/tc "$@"; }

pass() { echo "ok: $*" >>"$RES"; echo "ok: $*"; }
fail() { echo "FAIL: $*" >>"$RES"; echo "FAIL: $*" >&2; }
# skip the rest of the test; the host then skips host_check too. For what this kernel does not
# have (fmod_ret on 6.1, …), not for a tool missing from the initramfs (use need).
skip_test() {
	echo "SKIP: $*" >>"$RES"
	: >"$OUT/skipped"
	exit 0
}
# need CMD...: a tool the test needs; missing is a skip locally, a failure in CI
need() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		if [ "$KT_CI" = true ]; then
			fail "'$c' is not in the guest (CI=true: a missing prerequisite is a failure)"
			: >"$OUT/skipped"
			exit 1
		fi
		skip_test "'$c' is not in the guest"
	done
}
# kernel_ge MAJOR.MINOR: true when the running kernel is at least that
kernel_ge() {
	echo "$KVER $1" | awk '{split($1, a, /[.-]/); split($2, b, "."); exit !(a[1] > b[1] || (a[1] == b[1] && a[2] >= b[2]))}'
}

# drop_function: sets f to the kernel's drop function (kfree_skb_reason; sk_skb_reason_drop
# since 6.11) and keeps it in ./dropfn for host_check
drop_function() {
	f=kfree_skb_reason
	kernel_ge 6.11 && f=sk_skb_reason_drop
	echo "$f" >dropfn
}

expect_eq() { # expect_eq NAME ACTUAL EXPECTED
	if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1: got '$2', expected '$3'"; fi
}
expect_match() { # expect_match NAME TEXT ERE
	if printf '%s\n' "$2" | grep -qE -- "$3"; then pass "$1"; else fail "$1: '$2' does not match /$3/"; fi
}

# lo up; netns "peer"; veth0 10.77.0.1/fd77::1 <-> veth1 10.77.0.2/fd77::2 (peer); sets
# NS_SELF, NS_PEER (namespace inodes)
setup_pair() {
	mkdir -p /run/netns
	mount -t tmpfs -o size=1m kt /run/netns
	ip link set lo up
	ip netns add peer
	ip link add veth0 type veth peer name veth1 netns peer
	ip addr add 10.77.0.1/24 dev veth0
	ip addr add fd77::1/64 dev veth0 nodad
	ip link set veth0 up
	ip -n peer link set lo up
	ip -n peer addr add 10.77.0.2/24 dev veth1
	ip -n peer addr add fd77::2/64 dev veth1 nodad
	ip -n peer link set veth1 up
	NS_SELF=$(stat -L -c %i /proc/self/ns/net)
	NS_PEER=$(ip netns exec peer stat -L -c %i /proc/self/ns/net)
	echo "$NS_SELF" >"$OUT/ns_self"
	echo "$NS_PEER" >"$OUT/ns_peer"
	i=0
	until ip netns exec peer ping -c1 -W1 10.77.0.1 >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 50 ] || { fail "veth pair never came up"; exit 1; }
		sleep 0.1
	done
}

# cap_start, cap_stop, tcp_sink (tests/lib/capture.sh); BPF verification under TCG takes
# seconds, so attaching may take up to a minute and stopping up to 10 s
# shellcheck disable=SC2034 # read by cap_start/cap_stop in /kt/capture.sh
CAP_ATTACH_TICKS=600
# shellcheck disable=SC2034 # read by cap_start/cap_stop in /kt/capture.sh
CAP_STOP_TICKS=100
# shellcheck disable=SC2034 # read by cap_start/cap_stop in /kt/capture.sh
CAP_SETTLE=0.5
. /kt/capture.sh

# wait_links PID: until the process holds a BPF link (its probes are attached)
wait_links() {
	i=0
	until grep -qs '^link_id:' /proc/"$1"/fdinfo/* 2>/dev/null; do
		kill -0 "$1" 2>/dev/null || return 1
		i=$((i + 1))
		[ $i -lt 600 ] || return 1
		sleep 0.1
	done
}

kt_cleanup() {
	[ -n "$CAP_PID" ] && kill -KILL "$CAP_PID" 2>/dev/null
	# servers and readers a test left behind
	for p in $(ps -o pid,ppid | awk -v me=$$ '$2 == me {print $1}'); do kill -KILL "$p" 2>/dev/null; done
	return 0
}
trap kt_cleanup EXIT

mkdir -p "$OUT"
cd "$OUT" || exit 1
: >>"$RES"
# shellcheck disable=SC1090 # the test named on the command line: /kt/guest/*.sh
. "/kt/guest/$NAME.sh"
echo "== $NAME on $KVER (series $KT_SERIES)"
guest_test
