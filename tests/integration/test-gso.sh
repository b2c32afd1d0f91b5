#!/bin/sh
# A multi-segment (GSO/GRO) TCP skb is captured whole with -s 65535: its paged bytes come
# through bpf_skb_output. Without it (--no-skb-output) the same packets are marked truncated.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair

tcp_sink 10.77.0.1 5001

F=$WORK/gso.pcapng
cap_start "$F" -p netif_receive_skb -s 65535 --netns "$NS_SELF"
ip netns exec peer $SEND tcpbulk 10.77.0.1 5001 2000000 >/dev/null
cap_stop
big=$(fields "$F" "tcp.dstport==5001 && frame.len > 3000" frame.len frame.cap_len)
nbig=$(printf '%s\n' "$big" | grep -c . || true)
if [ "$nbig" -gt 0 ]; then pass "GRO/GSO packets larger than the MTU seen ($nbig)"; else
	fail "no packet larger than 3000 bytes at netif_receive_skb"; fi
short=$(printf '%s\n' "$big" | awk -F'\t' 'NF == 2 && $1 != $2' | grep -c . || true)
expect_eq "every large packet captured whole (cap_len == len)" "$short" 0
# the payload bytes of the paged part are the real ones (the sender's pattern), not zeros
bad=$(fields "$F" "tcp.dstport==5001 && frame.len > 3000" tcp.payload |
	python3 -c '
import sys
pat = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
bad = 0
for line in sys.stdin:
    b = bytes.fromhex(line.strip().replace(":", ""))
    if not b or any(x not in pat for x in b): bad += 1
print(bad)')
expect_eq "paged payload bytes are the sent pattern" "$bad" 0
expect_eq "truncation is not reported for whole packets" \
	"$(fields "$F" "tcp.dstport==5001 && frame.len > 3000" frame.comment | grep -c truncated)" 0

F2=$WORK/linear.pcapng
cap_start "$F2" -p netif_receive_skb -s 65535 --no-skb-output --netns "$NS_SELF"
ip netns exec peer $SEND tcpbulk 10.77.0.1 5001 2000000 >/dev/null
cap_stop
t=$(fields "$F2" "tcp.dstport==5001 && frame.len > 3000" frame.len frame.cap_len frame.comment |
	awk -F'\t' '$2 < $1 && $3 ~ /truncated=paged/' | grep -c . || true)
if [ "$t" -gt 0 ]; then pass "without bpf_skb_output, large packets are marked truncated=paged ($t)"
else fail "no packet marked truncated=paged with --no-skb-output"; fi
kill $SINK_PID 2>/dev/null || true
finish
