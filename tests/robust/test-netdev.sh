#!/bin/sh
# The network changes under a running capture: the device it sees packets on is deleted and
# created again; the network namespace the packets come from is destroyed and another one takes
# its place; the very namespace --netns names is destroyed. The capture goes on, packets from
# before and after are in the file, the file is valid and the capture stops normally.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair

# a new veth pair to a new namespace NS, addresses as setup_pair's
new_pair() {
	ip netns add "$1"
	ip link add veth0 type veth peer name veth1 netns "$1"
	ip addr add 10.77.0.1/24 dev veth0
	ip link set veth0 up
	ip -n "$1" link set lo up
	ip -n "$1" addr add 10.77.0.2/24 dev veth1
	ip -n "$1" link set veth1 up
	i=0
	until ip netns exec "$1" ping -c1 -W1 10.77.0.1 >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 30 ] || { fail "new veth pair never came up"; return 1; }
		sleep 0.1
	done
}
udp() { ip netns exec "$1" $SEND udp 10.77.0.1 "$2" "$3" >/dev/null; }

# --- the device is deleted and created again (same name, new ifindex)
out=$WORK/dev.pcapng
"$BPFCAP" capture -q --netns "$NS_SELF" -w "$out" 'udp dst portrange 7001-7003' 2>"$WORK/dev.err" &
P=$!
wait_links $P 1
idx1=$(ip -o link show veth0 | cut -d: -f1)
udp peer 7001 5
ip link del veth0
sleep 0.2
ip netns del peer
new_pair peer
idx2=$(ip -o link show veth0 | cut -d: -f1)
udp peer 7002 5
kill -INT $P
wait_exit $P 5
expect_eq "device deleted and re-created: the capture goes on and stops with exit 0" "$RC" 0
expect_eq "device deleted and re-created: nothing on stderr" "$(cat "$WORK/dev.err")" ""
file_ok "$out" "device deleted and re-created: the file"
expect_eq "device deleted and re-created: packets from before and after" \
	"$(count "$out" udp.dstport==7001) $(count "$out" udp.dstport==7002)" "5 5"
expect_eq "device deleted and re-created: both devices (ifindex $idx1, $idx2) named in the file" \
	"$($PCAPNG "$out" interfaces | grep -cE "dev=veth0\\(($idx1|$idx2)\\)")" 2

# --- -i names a device by name: bpfcap looks it up once, at the start
out=$WORK/devi.pcapng
"$BPFCAP" capture -q --netns "$NS_SELF" -i veth0 -w "$out" 'udp dst portrange 7001-7003' \
	2>"$WORK/devi.err" &
P=$!
wait_links $P 1
udp peer 7001 3
ip netns del peer
sleep 0.2
new_pair peer
udp peer 7002 3
kill -INT $P
wait_exit $P 5
expect_eq "-i DEV deleted and re-created: exit 0" "$RC" 0
file_ok "$out" "-i DEV deleted and re-created: the file"
expect_eq "-i DEV deleted and re-created: the old device's packets, not the new one's (new ifindex)" \
	"$(count "$out" udp.dstport==7001) $(count "$out" udp.dstport==7002)" "3 0"

# --- the namespace the packets come from is destroyed, another one takes its place
out=$WORK/ns.pcapng
"$BPFCAP" capture -q --netns "$NS_SELF" -w "$out" 'udp dst portrange 7001-7003' 2>"$WORK/ns.err" &
P=$!
wait_links $P 1
udp peer 7001 4
ip netns del peer # its veth end goes with it, and so does ours
i=0
while ip link show veth0 >/dev/null 2>&1 && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
new_pair other
udp other 7002 4
kill -INT $P
wait_exit $P 5
expect_eq "peer namespace destroyed and replaced: exit 0, nothing on stderr" \
	"$RC $(wc -c <"$WORK/ns.err")" "0 0"
file_ok "$out" "peer namespace destroyed and replaced: the file"
expect_eq "peer namespace destroyed and replaced: packets from both" \
	"$(count "$out" udp.dstport==7001) $(count "$out" udp.dstport==7002)" "4 4"
ip netns del other
new_pair peer

# --- the namespace --netns names is destroyed during the capture
NS_PEER=$(ip netns exec peer stat -L -c %i /proc/self/ns/net)
out=$WORK/gone.pcapng
"$BPFCAP" capture -q --netns /run/netns/peer -w "$out" 'udp dst portrange 7001-7003' \
	2>"$WORK/gone.err" &
P=$!
wait_links $P 1
ids=$(bpf_ids_of $P)
# drops in the peer namespace: from us to its closed port
ip route get 10.77.0.2 >/dev/null
$SEND udp 10.77.0.2 7003 3 >/dev/null
sleep 0.3
ip netns del peer
i=0
while ip link show veth0 >/dev/null 2>&1 && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
kill -0 $P 2>/dev/null && pass "--netns of a destroyed namespace: the capture is still running" ||
	fail "--netns of a destroyed namespace: bpfcap ended by itself"
kill -INT $P
wait_exit $P 5
expect_eq "--netns of a destroyed namespace: exit 0, nothing on stderr" \
	"$RC $(wc -c <"$WORK/gone.err")" "0 0"
file_ok "$out" "--netns of a destroyed namespace: the file"
expect_eq "--netns of a destroyed namespace: its packets from before are there" \
	"$(count "$out" udp.dstport==7003)" 3
expect_match "--netns of a destroyed namespace: recorded with its inode" \
	"$($PCAPNG "$out" interfaces)" "netns=$NS_PEER"
no_bpf_left "--netns of a destroyed namespace" "$ids"
new_pair peer
finish
