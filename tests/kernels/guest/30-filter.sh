# shellcheck shell=sh
# (c) An in-kernel pcap filter keeps only the matching packets: 'udp dst port 9' at kfree_skb
# among UDP to another port and TCP to the same port; 'icmp[icmptype] == icmp-echo' at
# netif_receive_skb among the replies' traffic.

guest_test() {
	setup_pair
	cap_start drop.pcapng -p kfree_skb --netns "$NS_SELF" udp dst port 9
	ip netns exec peer $SEND udp 10.77.0.1 9 3 >/dev/null
	ip netns exec peer $SEND udp 10.77.0.1 10 4 >/dev/null
	ip netns exec peer $SEND tcp 10.77.0.1 9 2 >/dev/null
	cap_stop
	expect_match "the summary counts the packets filtered out" "$(cat drop.pcapng.err)" \
		"^[1-9][0-9]* packets filtered out"
}

host_check() {
	valid drop.pcapng || return
	expect_eq "'udp dst port 9': the 3 matching drops" "$(count drop.pcapng 'udp.dstport==9 && !icmp')" 3
	expect_eq "'udp dst port 9': nothing else" "$($PCAPNG drop.pcapng packets | grep -c .)" 3
	expect_match "if_filter records the expression" \
		"$(python3 -c "import sys; sys.path.insert(0, '$KT_TESTLIB'); import pcapng; i, _, _ = pcapng.read('drop.pcapng'); print(sorted(set(x['filter'] for x in i)))")" \
		"^\\['udp dst port 9'\\]$"
}
