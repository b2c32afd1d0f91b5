#!/bin/sh
# VLAN tags carried out of band (skb->vlan_tci), as NICs with VLAN offload, VLAN devices and
# bridges leave them: bpfcap puts them back into the frame as libpcap does, the in-kernel filter
# sees them, and the metadata says so. The peer's transmit path tags every packet the way a
# VLAN device with tx offload does (bpfcap-test-vlan: bpf_skb_vlan_push at tc egress); this
# kernel has no 8021q (the QEMU guests test real VLAN devices).
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
VLAN=${VLAN:-$(dirname "$BPFCAP")/../tests/progs/bpfcap-test-vlan}
[ -x "$VLAN" ] || { echo "SKIP: $VLAN not built" >&2; exit 77; }
setup_pair

# the receiver drops tagged frames (no VLAN device): no ARP, a static neighbour
MAC0=$(ip -br link show veth0 | awk '{print $3}')
ip -n peer neigh replace 10.77.0.1 lladdr "$MAC0" dev veth1 nud permanent

# tag_start TPID:TCI[,TPID:TCI]: tag what veth1 (peer) sends from now on
tag_start() {
	ip netns exec peer "$VLAN" veth1 "$1" >"$WORK/vlan.out" 2>&1 &
	TAG_PID=$!
	i=0
	until grep -q ready "$WORK/vlan.out" 2>/dev/null; do
		kill -0 "$TAG_PID" 2>/dev/null || { fail "tagger: $(cat "$WORK/vlan.out")"; exit 1; }
		i=$((i + 1))
		[ $i -lt 100 ] || { fail "tagger not ready"; exit 1; }
		sleep 0.1
	done
}
tag_stop() { kill "$TAG_PID"; wait "$TAG_PID" || true; }
send5() { ip netns exec peer $SEND udp 10.77.0.1 9999 5 >/dev/null; }

# --- one 802.1Q tag: VLAN 100, priority 1 (TCI 0x2064), at receive, transmit and tc ---
tag_start 0x8100:0x2064
F=$WORK/tag.pcapng
cap_start "$F" -p tp:net:netif_receive_skb -p tp:net:net_dev_start_xmit -p tc:veth0:ingress
send5
cap_stop
for iface in veth0@netif_receive_skb veth1@net_dev_start_xmit veth0@tc_ingress; do
	sel="udp.dstport==9999 && frame.interface_name==\"$iface\""
	expect_eq "$iface: 5 datagrams" "$(count "$F" "$sel")" 5
	expect_eq "$iface: every one tagged VLAN 100, priority 1, in the frame" \
		"$(fields "$F" "$sel" vlan.id vlan.priority vlan.etype | sort -u)" "100	1	0x0800"
	# 14 Ethernet + 4 tag + 20 IP + 8 UDP + 32 payload
	expect_eq "$iface: frame and original length include the tag" \
		"$(fields "$F" "$sel" frame.len frame.cap_len | sort -u)" "78	78"
	expect_eq "$iface: the comment says which VLAN" \
		"$(fields "$F" "$sel" frame.comment | grep -c ' vlan=100')" 5
done
expect_eq "libpcap reads the file and sees the tag" \
	"$(tcpdump -nn -e -r "$F" 'vlan 100 and udp port 9999' 2>/dev/null | grep -c 'vlan 100, p 1')" 15

# the in-kernel filter runs on the restored frame, as tcpdump -r would on the file
F=$WORK/filter.pcapng
cap_start "$F" -p tp:net:netif_receive_skb 'vlan 100 and udp port 9999'
send5
cap_stop
expect_eq "filter 'vlan 100 and udp port 9999' keeps the tagged datagrams" \
	"$(count "$F" 'udp.dstport==9999')" 5
for expr in 'vlan 200' 'udp port 9999'; do
	F=$WORK/filter-x.pcapng
	cap_start "$F" -p tp:net:netif_receive_skb "$expr"
	send5
	cap_stop
	expect_eq "filter '$expr' keeps none of them (a tagged frame is not plain UDP)" \
		"$(count "$F" 'udp.dstport==9999')" 0
done

# raw IP has no place for a tag: the metadata keeps it
F=$WORK/ip.pcapng
cap_start "$F" -p tp:net:netif_receive_skb --proto ip
send5
cap_stop
expect_eq "--proto ip: datagrams written as raw IP, the comment still names VLAN 100" \
	"$(fields "$F" 'udp.dstport==9999' frame.len frame.comment | grep -c '^60	.* vlan=100')" 5
tag_stop

# --- QinQ: inner 802.1Q tag 100 in the bytes, outer 802.1ad tag 200 out of band ---
tag_start 0x8100:100,0x88a8:200
F=$WORK/qinq.pcapng
cap_start "$F" -p tp:net:netif_receive_skb 'vlan 200 and vlan 100 and udp port 9999'
send5
cap_stop
expect_eq "QinQ: outer 802.1ad 200 restored in front of the inner 802.1Q 100" \
	"$(tcpdump -nn -e -r "$F" 2>/dev/null | grep -c 'ethertype 802.1Q-QinQ (0x88a8), length 82: vlan 200, p 0, ethertype 802.1Q (0x8100), vlan 100, p 0, ethertype IPv4')" 5
tag_stop

# --- untagged traffic stays untagged ---
F=$WORK/plain.pcapng
cap_start "$F" -p tp:net:netif_receive_skb
send5
cap_stop
expect_eq "untagged datagrams: no tag, no vlan= in the comment" \
	"$(fields "$F" 'udp.dstport==9999 && !icmp && !vlan && !(frame.comment contains "vlan=")' frame.len | sort -u)" 74
finish
