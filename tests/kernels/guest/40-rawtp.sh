# shellcheck shell=sh
# (d) The raw_tp fallback: -p raw_tp:skb:kfree_skb attaches through a raw tracepoint and
# captures the same drops, reason names included.

guest_test() {
	setup_pair
	cap_start rawtp.pcapng -p raw_tp:skb:kfree_skb --netns "$NS_SELF"
	ip netns exec peer $SEND udp 10.77.0.1 7001 2 >/dev/null
	cap_stop
	expect_match "attached through raw_tp" "$(cat rawtp.pcapng.err)" "attached through raw_tp"
}

host_check() {
	valid rawtp.pcapng || return
	expect_eq "raw_tp: the 2 UDP drops with reason NO_SOCKET on veth0" \
		"$(count rawtp.pcapng "udp.dstport==7001 && frame.comment matches \"^kfree_skb cpu=[0-9]+ dev=veth0.* reason=NO_SOCKET\$\"")" 2
	expect_eq "raw_tp: metadata reason $KT_NO_SOCKET = NO_SOCKET, probe raw_tp:skb:kfree_skb" \
		"$(meta rawtp.pcapng udp.dstport==7001 | sort -u | tr '\t' ' ')" "$KT_NO_SOCKET NO_SOCKET raw_tp:skb:kfree_skb raw_tracepoint"
}
