#!/bin/sh
# Drop reasons beyond NO_SOCKET, from real causes: an nftables drop rule (NETFILTER_DROP) and an
# unanswered neighbour (NEIGH_FAILED), the latter on packets without a MAC header: Linux SLL2 in
# --proto auto, a synthesised Ethernet header with --proto eth, raw IP with --proto ip.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair

# --- nftables drop rule
nft -f - <<'NFT'
table inet bpfcaptest {
	chain input {
		type filter hook input priority 0;
		udp dport 7777 drop
	}
}
NFT
F=$WORK/nft.pcapng
cap_start "$F"
ip netns exec peer $SEND udp 10.77.0.1 7777 3 >/dev/null
cap_stop
expect_eq "nft drop: 3 packets with reason NETFILTER_DROP" \
	"$(count "$F" 'udp.dstport==7777 && frame.comment contains "reason=NETFILTER_DROP"')" 3
nft delete table inet bpfcaptest

# --- unanswered neighbour: fail fast (one solicitation, 100 ms)
sysctl -qw net.ipv4.neigh.veth0.mcast_solicit=1 net.ipv4.neigh.veth0.retrans_time_ms=100
n=9
for mode in auto eth ip; do
	F=$WORK/neigh-$mode.pcapng
	dst=10.77.0.$n
	n=$((n + 1))
	cap_start "$F" --proto "$mode"
	$SEND udp "$dst" 9 1 >/dev/null
	i=0
	# the queued packet is dropped once resolution fails
	until ip neigh show "$dst" dev veth0 | grep -q FAILED || [ $i -ge 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	cap_stop
	line=$(fields "$F" "ip.dst==$dst && udp.dstport==9 && frame.interface_description contains \"netns=$NS_SELF \"" \
		frame.comment frame.encap_type frame.len ip.len)
	expect_match "--proto $mode: NEIGH_FAILED captured on veth0" "$line" \
		"dev=veth0\\([0-9]+\\) reason=NEIGH_FAILED"
	encap=$(printf '%s\n' "$line" | cut -f2 | head -1)
	flen=$(printf '%s\n' "$line" | cut -f3 | head -1)
	iplen=$(printf '%s\n' "$line" | cut -f4 | head -1)
	case $mode in
	auto) # LINUX_SLL2 (wiretap encapsulation 210), 20-byte header + IP
		expect_eq "--proto auto: Linux SLL2 for a packet without MAC header" "$encap" 210
		expect_eq "--proto auto: frame = SLL2 header + IP packet" "$flen" $((iplen + 20))
		expect_eq "--proto auto: SLL2 names the device index" \
			"$(fields "$F" "ip.dst==$dst" sll.ifindex | head -1)" \
			"$(ip -o link show veth0 | cut -d: -f1)" ;;
	eth)
		expect_eq "--proto eth: Ethernet" "$encap" 1
		expect_eq "--proto eth: synthesised 14-byte header + IP packet" "$flen" $((iplen + 14))
		expect_eq "--proto eth: ethertype IPv4" "$(fields "$F" "ip.dst==$dst" eth.type | head -1)" 0x0800 ;;
	ip)
		expect_eq "--proto ip: raw IP (encapsulation 7)" "$encap" 7
		expect_eq "--proto ip: frame = IP packet" "$flen" "$iplen" ;;
	esac
done
finish
