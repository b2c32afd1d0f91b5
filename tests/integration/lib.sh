# shellcheck shell=sh
# Shared by tests/integration/test-*.sh (sourced). Each test re-executes itself in private
# network and mount namespaces, so whatever it creates vanishes with it, even after a crash.
#   . "$(dirname "$0")/lib.sh"
#   ns_enter "$@"        # root check, re-exec; afterwards we are inside
#   setup_pair           # lo up; netns "peer"; veth0 10.77.0.1/fd77::1 <-> veth1 10.77.0.2/fd77::2
set -eu

TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
LIB_DIR=$TESTS_DIR/lib
BPFCAP=${BPFCAP:-${1:-}}
# shellcheck disable=SC2034 # used by the tests that source this file
SEND="python3 $LIB_DIR/send.py"
. "$LIB_DIR/capture.sh" # cap_start, cap_stop, tcp_sink, fields, count
# shellcheck disable=SC2034 # used by the tests that source this file
PCAPNG="python3 $LIB_DIR/pcapng.py"
FAILS=0
PASSES=0

ns_enter() {
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
	[ -n "$BPFCAP" ] && [ -x "$BPFCAP" ] || { echo "usage: $0 PATH_TO_BPFCAP" >&2; exit 2; }
	if [ -z "${IN_NS:-}" ]; then
		BPFCAP=$(realpath "$BPFCAP")
		export BPFCAP
		exec env IN_NS=1 unshare --net --mount -- "$0" "$BPFCAP"
	fi
	# ip netns creates files under /run/netns: keep them in our private mount namespace
	mkdir -p /run/netns
	mount -t tmpfs -o size=1m bpfcap-test /run/netns
	WORK=$(mktemp -d /tmp/bpfcap-test.XXXXXX)
	trap 'cleanup' EXIT
	ip link set lo up
}

cleanup() {
	[ -n "${CAP_PID:-}" ] && kill -KILL "$CAP_PID" 2>/dev/null || true
	pkill -KILL -P $$ 2>/dev/null || true # servers and senders a failed test left behind
	ip netns del peer 2>/dev/null || true
	# mounts a test made under its work directory (bpffs, tmpfs)
	awk -v w="$WORK" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r |
		while read -r m; do umount "$m" 2>/dev/null || true; done
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}

setup_pair() {
	ip netns add peer
	ip link add veth0 type veth peer name veth1 netns peer
	ip addr add 10.77.0.1/24 dev veth0
	ip addr add fd77::1/64 dev veth0 nodad
	ip link set veth0 up
	ip -n peer link set lo up
	ip -n peer addr add 10.77.0.2/24 dev veth1
	ip -n peer addr add fd77::2/64 dev veth1 nodad
	ip -n peer link set veth1 up
	# shellcheck disable=SC2034 # used by the tests that source this file
	NS_SELF=$(stat -L -c %i /proc/self/ns/net)
	# shellcheck disable=SC2034 # used by the tests that source this file
	NS_PEER=$(ip netns exec peer stat -L -c %i /proc/self/ns/net)
	# wait for the link to be usable in both directions
	i=0
	until ip netns exec peer ping -c1 -W1 10.77.0.1 >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 20 ] || { echo "FAIL: veth pair never came up" >&2; exit 1; }
		sleep 0.1
	done
}

# BPF program and link ids a process holds (from /proc/PID/fdinfo)
bpf_ids_of() {
	grep -hE '^(prog_id|link_id):' /proc/"$1"/fdinfo/* 2>/dev/null | tr -d '\t' | sort -u
}

# how many of the given "prog_id:N"/"link_id:N" lines still exist in the kernel
bpf_ids_alive() {
	n=0
	for id in $1; do
		case $id in
		prog_id:*) bpftool prog show id "${id#prog_id:}" >/dev/null 2>&1 && n=$((n + 1)) ;;
		link_id:*) bpftool link show id "${id#link_id:}" >/dev/null 2>&1 && n=$((n + 1)) ;;
		esac
	done
	echo $n
}

pass() {
	PASSES=$((PASSES + 1))
	echo "ok: $*"
}

fail() {
	FAILS=$((FAILS + 1))
	echo "FAIL: $*" >&2
}

# expect_eq NAME ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1: got '$2', expected '$3'"; fi
}

# expect_match NAME TEXT PATTERN (grep -E)
expect_match() {
	if printf '%s\n' "$2" | grep -qE -- "$3"; then pass "$1"; else
		fail "$1: '$2' does not match /$3/"
	fi
}

finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" = 0 ]
}
