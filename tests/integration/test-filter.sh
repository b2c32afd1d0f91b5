#!/bin/sh
# pcap-filter expressions run in the kernel on every hook type: a filter keeps exactly the
# matching packets of real traffic (tp_btf and raw_tp; RX, TX, drops; packets without a MAC
# header through the raw-IP variant; header-less TCP segments through synthesised headers);
# L2-only expressions never match packets without L2; the file records the filter (if_filter)
# and the summary counts what was filtered out; bad filters get libpcap's message, exit 2.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair

# --- kfree_skb (tp_btf and raw_tp at once): only UDP to port 9 of the peer's traffic
F=$WORK/drop.pcapng
cap_start "$F" -p kfree_skb -p raw_tp:skb:kfree_skb --netns "$NS_SELF" udp dst port 9
ip netns exec peer $SEND udp 10.77.0.1 9 3 >/dev/null
ip netns exec peer $SEND udp 10.77.0.1 10 4 >/dev/null
ip netns exec peer $SEND tcp 10.77.0.1 9 2 >/dev/null
ip netns exec peer $SEND udp fd77::1 9 2 >/dev/null
cap_stop
expect_eq "kfree_skb 'udp dst port 9': the 5 matching drops, at both probes" \
	"$(count "$F" 'udp.dstport==9 && !icmp && !icmpv6')" 10
expect_eq "kfree_skb 'udp dst port 9': nothing else" "$($PCAPNG "$F" packets | grep -c .)" 10
expect_match "the summary counts the packets filtered out" "$(cat "$F.err")" \
	"^([1-9][0-9]*) packets filtered out"
expect_eq "if_filter of every interface records the expression" \
	"$(python3 -c "
import sys; sys.path.insert(0, '$LIB_DIR'); import pcapng
i, _, _ = pcapng.read('$F'); print(sorted(set(x['filter'] for x in i)))")" "['udp dst port 9']"

# --- netif_receive_skb (RX): ICMP echo requests only
F=$WORK/rx.pcapng
cap_start "$F" -p netif_receive_skb --netns "$NS_SELF" 'icmp[icmptype] == icmp-echo'
ip netns exec peer ping -c 3 -i 0.2 -W 1 10.77.0.1 >/dev/null
ip netns exec peer $SEND udp 10.77.0.1 9 2 >/dev/null
cap_stop
expect_eq "netif_receive_skb 'icmp echo': the 3 requests" "$(count "$F" 'icmp.type==8')" 3
expect_eq "netif_receive_skb 'icmp echo': nothing else" "$($PCAPNG "$F" packets | grep -c .)" 3

# --- net_dev_start_xmit (TX) in the peer: TCP SYNs only, by flags
F=$WORK/tx.pcapng
cap_start "$F" -p net_dev_start_xmit --netns "$NS_PEER" 'tcp[tcpflags] & tcp-syn != 0'
ip netns exec peer $SEND tcp 10.77.0.1 9 2 >/dev/null
ip netns exec peer ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null
cap_stop
expect_eq "net_dev_start_xmit 'tcp-syn': the 2 SYNs" "$(count "$F" 'tcp.flags.syn==1')" 2
expect_eq "net_dev_start_xmit 'tcp-syn': nothing else" "$($PCAPNG "$F" packets | grep -c .)" 2

# --- packets without a MAC header (unanswered neighbour): the raw-IP variant decides
sysctl -qw net.ipv4.neigh.veth0.mcast_solicit=1 net.ipv4.neigh.veth0.retrans_time_ms=100
for case in "udp and dst host 10.77.0.9|10.77.0.9|1" "arp|10.77.0.10|0" "ether host 00:00:00:00:00:00|10.77.0.11|0" "not udp|10.77.0.12|0"; do
	expr=${case%%|*}
	rest=${case#*|}
	dst=${rest%%|*}
	want=${rest#*|}
	F=$WORK/l3.pcapng
	cap_start "$F" --netns "$NS_SELF" --reason NEIGH_FAILED "$expr"
	$SEND udp "$dst" 9 1 >/dev/null
	i=0
	until ip neigh show "$dst" dev veth0 | grep -q FAILED || [ $i -ge 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.3 # the state reads FAILED before the kernel frees the queued packet
	cap_stop
	expect_eq "no MAC header, '$expr'" "$(count "$F" "ip.dst==$dst")" "$want"
done

# --- tcp_retransmit_skb: header-less segments are filtered on the synthesised headers
MAC=$(ip -n peer -br link show veth1 | awk '{print $3}')
ip neigh replace 10.77.0.5 lladdr "$MAC" dev veth0 nud permanent
ip neigh replace 10.77.0.6 lladdr "$MAC" dev veth0 nud permanent
F=$WORK/rtx.pcapng
cap_start "$F" -p tcp_retransmit_skb --netns "$NS_SELF" 'dst host 10.77.0.5 and tcp dst port 80'
$SEND tcp 10.77.0.5 80 1 --timeout 1.6 >/dev/null &
S=$!
$SEND tcp 10.77.0.6 80 1 --timeout 1.6 >/dev/null
wait $S
cap_stop
expect_eq "tcp_retransmit_skb 'dst host 10.77.0.5 and port 80': its SYN retransmit" \
	"$(count "$F" 'ip.dst==10.77.0.5 && tcp.flags.syn==1')" 1
expect_eq "tcp_retransmit_skb: not the other connection's" "$(count "$F" 'ip.dst==10.77.0.6')" 0

# --- --mark: nftables marks UDP to port 9; only marked drops are kept
nft -f - <<'NFT'
table inet marktest {
	chain input {
		type filter hook input priority 0;
		udp dport 9 meta mark set 0x42
	}
}
NFT
F=$WORK/mark.pcapng
cap_start "$F" --netns "$NS_SELF" --mark 0x42/0xff
ip netns exec peer $SEND udp 10.77.0.1 9 2 >/dev/null
ip netns exec peer $SEND udp 10.77.0.1 10 2 >/dev/null
cap_stop
nft delete table inet marktest
expect_eq "--mark 0x42/0xff: the 2 marked drops only" \
	"$(fields "$F" "udp && !icmp" udp.dstport | sort | uniq -c | awk '{print $2 "x" $1}')" "9x2"

# --- --pid: packets sent while one process runs (TX path)
sh -c 'sleep 1.5; exec python3 "$0" udp 10.77.0.2 7 3' "$LIB_DIR/send.py" >/dev/null &
SP=$!
F=$WORK/pid.pcapng
cap_start "$F" -p net_dev_queue --pid "$SP"
python3 "$LIB_DIR/send.py" udp 10.77.0.2 8 3 >/dev/null
wait $SP
cap_stop
expect_eq "--pid: only the 3 datagrams of that process" \
	"$(fields "$F" "udp && !icmp" udp.dstport | sort | uniq -c | awk '{print $2 "x" $1}')" "7x3"

# --- bad filters: libpcap's message, exit 2, one line
rc=0
"$BPFCAP" capture -q -w /dev/null --duration 0.3 'udp port' 2>"$WORK/err" || rc=$?
expect_eq "bad filter: exit 2" "$rc" 2
expect_eq "bad filter: one line" "$(grep -c . "$WORK/err")" 1
expect_match "bad filter: libpcap's message" "$(cat "$WORK/err")" \
	"^bpfcap: invalid capture filter 'udp port': .*syntax error"
rc=0
"$BPFCAP" capture -q -w /dev/null --duration 0.3 'ip6 protochain 17' 2>"$WORK/err" || rc=$?
expect_eq "protochain (backward jumps): refused, exit 2" "$rc" 2
expect_match "protochain: says why" "$(cat "$WORK/err")" "backward jumps"
finish
