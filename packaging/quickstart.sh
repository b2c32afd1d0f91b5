#!/bin/sh
# bpfcap's main job for a newcomer on a fresh Debian 12, 13 or testing machine, as root:
#   install dependencies, build, install, then capture dropped packets for a few seconds while
#   drops are provoked in a private network namespace, and show them decoded.
# Usage: sudo packaging/quickstart.sh [SECONDS]
set -eu
[ "$(id -u)" = 0 ] || { echo "quickstart: run as root: sudo $0" >&2; exit 1; }
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-4}

if [ -z "${BPFCAP_IN_NS:-}" ]; then
	echo "== installing dependencies (Debian packages)"
	"$top/packaging/install-deps.sh" --test
	echo "== building"
	cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBPFCAP_BUILD_TESTS=OFF >/dev/null
	cmake --build "$top/build" -j"$(nproc)" >/dev/null
	echo "== installing"
	cmake --install "$top/build" >/dev/null
	command -v bpfcap >/dev/null || { echo "quickstart: bpfcap not on PATH after install" >&2; exit 1; }
	# The demo runs in private namespaces: this one, with a veth pair to a peer namespace.
	exec env BPFCAP_IN_NS=1 unshare --net --mount -- "$0" "$secs"
fi
mkdir -p /run/netns && mount -t tmpfs -o size=1m quickstart /run/netns
work=$(mktemp -d /tmp/bpfcap-quickstart.XXXXXX)
trap 'ip netns del peer 2>/dev/null; rm -rf "$work"' EXIT
ip link set lo up
ip netns add peer
ip link add veth0 type veth peer name veth1 netns peer
ip addr add 10.77.0.1/24 dev veth0 && ip link set veth0 up
ip -n peer addr add 10.77.0.2/24 dev veth1 && ip -n peer link set veth1 up && ip -n peer link set lo up
# one statement per line: nftables 1.0.6 (Debian 12) rejects "drop; } }" on one line
nft -f - <<'NFT'
table inet demo {
	chain input {
		type filter hook input priority 0;
		udp dport 7777 drop
	}
}
NFT
sysctl -qw net.ipv4.neigh.veth0.mcast_solicit=1 net.ipv4.neigh.veth0.retrans_time_ms=100
until ip netns exec peer ping -c1 -W1 10.77.0.1 >/dev/null 2>&1; do sleep 0.1; done
ns=$(stat -L -c %i /proc/self/ns/net)
send="python3 $top/tests/lib/send.py"

echo "== capturing dropped packets (probe tp:skb:kfree_skb) for $secs s in network namespace $ns"
bpfcap capture --netns "$ns" --print -w "$work/drops.pcapng" --duration "$secs" &
cap=$!
sleep 1
ip netns exec peer $send udp 10.77.0.1 9 2 >/dev/null        # closed UDP port: NO_SOCKET
ip netns exec peer $send tcp 10.77.0.1 80 1 >/dev/null       # closed TCP port: NO_SOCKET
ip netns exec peer $send udp 10.77.0.1 7777 1 >/dev/null     # nftables drop: NETFILTER_DROP
$send udp 10.77.0.9 9 1 >/dev/null                           # nobody answers ARP: NEIGH_FAILED
wait $cap

echo "== the capture file, decoded by tshark (probe, reason, device, addresses)"
if tshark -G fields 2>/dev/null | grep -q 'bpfcap.reason_name'; then
	tshark -r "$work/drops.pcapng" -T fields -E header=y -e frame.number -e bpfcap.probe \
		-e bpfcap.reason_name -e bpfcap.ifname -e ip.src -e ip.dst -e _ws.col.Protocol \
		-e _ws.col.Info 2>/dev/null
else
	tshark -r "$work/drops.pcapng" -T fields -E header=y -e frame.number -e frame.comment \
		-e ip.src -e ip.dst -e _ws.col.Protocol -e _ws.col.Info 2>/dev/null
fi
echo "== done. Next: 'bpfcap capture --help', 'bpfcap list-probes', or Wireshark's 'BPF kfree_skb' interface."
