# shellcheck shell=sh
# (e) A multi-segment TCP skb (GSO over veth) is captured whole with -s 65535: the paged bytes
# come through bpf_skb_output and are the sender's pattern.

guest_test() {
	need python3
	setup_pair
	tcp_sink 10.77.0.1 5001
	cap_start gso.pcapng -p netif_receive_skb -s 65535 --netns "$NS_SELF"
	ip netns exec peer $SEND tcpbulk 10.77.0.1 5001 300000 >/dev/null
	cap_stop
}

host_check() {
	valid gso.pcapng || return
	big=$(fields gso.pcapng "tcp.dstport==5001 && frame.len > 3000" frame.len frame.cap_len)
	nbig=$(printf '%s\n' "$big" | grep -c .)
	if [ "$nbig" -gt 0 ]; then pass "multi-segment packets larger than the MTU seen ($nbig)"; else
		fail "no packet larger than 3000 bytes at netif_receive_skb"; fi
	expect_eq "every large packet captured whole (cap_len == len)" \
		"$(printf '%s\n' "$big" | awk -F'\t' 'NF == 2 && $1 != $2' | grep -c .)" 0
	bad=$(fields gso.pcapng "tcp.dstport==5001 && frame.len > 3000" tcp.payload | python3 -c '
import sys
pat = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
print(sum(1 for l in sys.stdin if not (b := bytes.fromhex(l.strip().replace(":", ""))) or any(x not in pat for x in b)))')
	expect_eq "the paged payload bytes are the sent pattern" "$bad" 0
}
