#!/bin/sh
# Real drops at skb:kfree_skb: UDP and TCP SYN to a closed port over IPv4 and IPv6 are each
# captured exactly once with reason NO_SOCKET, the receiving device and its namespace.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair

F=$WORK/drops.pcapng
cap_start "$F"
ip netns exec peer $SEND udp 10.77.0.1 9999 5 >/dev/null
ip netns exec peer $SEND udp fd77::1 9999 4 >/dev/null
ip netns exec peer $SEND tcp 10.77.0.1 9998 3 >/dev/null
ip netns exec peer $SEND tcp fd77::1 9998 2 >/dev/null
cap_stop

$PCAPNG "$F" check >/dev/null || fail "capture file is not valid pcapng"
want="kfree_skb cpu=[0-9]+ dev=veth0\\([0-9]+\\) reason=NO_SOCKET	bpfcap .* netns=$NS_SELF .*"
for spec in "ip.src==10.77.0.2 && udp.dstport==9999|5|UDP/IPv4" \
	"ipv6.src==fd77::2 && udp.dstport==9999|4|UDP/IPv6" \
	"ip.src==10.77.0.2 && tcp.dstport==9998 && tcp.flags.syn==1|3|TCP SYN/IPv4" \
	"ipv6.src==fd77::2 && tcp.dstport==9998 && tcp.flags.syn==1|2|TCP SYN/IPv6"; do
	filter=${spec%%|*}
	rest=${spec#*|}
	n=${rest%%|*}
	name=${rest#*|}
	expect_eq "$name: captured exactly once each" "$(count "$F" "$filter")" "$n"
	bad=$(fields "$F" "$filter" frame.comment frame.interface_description |
		grep -vcE "^$want\$" || true)
	expect_eq "$name: comment names probe, device, netns and reason" "$bad" 0
done
# the metadata is on the wire as the binary option too
meta=$($PCAPNG "$F" packets | awk -F'\t' '$10 ~ /NO_SOCKET/ {print $9}' | sort -u)
expect_eq "every packet carries the bpfcap metadata option" "$meta" 1
# Ethernet frames (veth has a MAC header) on an interface named after device and probe
lt=$($PCAPNG "$F" interfaces | awk -F'\t' '$1 == "veth0@kfree_skb" {print $2}' | sort -u)
expect_eq "interface veth0@kfree_skb has link type Ethernet" "$lt" 1
# inbound: epb_flags direction 1
dir=$(fields "$F" "udp.dstport==9999" frame.packet_flags_direction | sort -u)
expect_eq "direction is inbound" "$dir" 0x00000001
finish
