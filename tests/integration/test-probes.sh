#!/bin/sh
# Every probe the issue names attaches and captures real traffic, all at once in one capture;
# raw_tp works where forced; bad probes are refused with one line and exit 2.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair

F=$WORK/all.pcapng
cap_start "$F" -p kfree_skb -p tp:skb:consume_skb -p tracepoint:net:netif_receive_skb \
	-p tp:net:netif_rx -p tp:net:net_dev_queue -p tp:net:net_dev_start_xmit \
	-p tp:net:net_dev_xmit:arg0 -p tp:tcp:tcp_retransmit_skb -p raw_tp:skb:kfree_skb \
	--netns "$NS_SELF"
ip netns exec peer $SEND udp 10.77.0.1 7001 2 >/dev/null
ping -c 2 -i 0.2 -W 1 10.77.0.2 >/dev/null
# a static neighbour entry pointing at a host that never answers gives SYN retransmits
MAC=$(ip netns exec peer cat /sys/class/net/veth1/address 2>/dev/null ||
	ip -n peer -br link show veth1 | awk '{print $3}')
ip neigh replace 10.77.0.5 lladdr "$MAC" dev veth0 nud permanent
$SEND tcp 10.77.0.5 80 1 --timeout 1.6 >/dev/null
cap_stop
for p in kfree_skb consume_skb netif_receive_skb netif_rx net_dev_queue net_dev_start_xmit \
	net_dev_xmit tcp_retransmit_skb; do
	n=$(count "$F" "frame.comment matches \"^$p \"")
	if [ "$n" -gt 0 ]; then pass "probe $p captured $n packets"; else fail "probe $p captured nothing"; fi
done
expect_eq "kfree_skb via tp_btf and via raw_tp both see the 2 UDP drops" \
	"$(count "$F" 'udp.dstport==7001 && frame.comment contains "reason=NO_SOCKET"')" 4
expect_eq "two interfaces named for the two kfree_skb probes" \
	"$($PCAPNG "$F" interfaces | grep -c '^veth0@kfree_skb')" 2
expect_eq "tcp_retransmit_skb: a retransmitted SYN to 10.77.0.5" \
	"$(count "$F" 'frame.comment matches "^tcp_retransmit_skb " && tcp.flags.syn==1 && ip.dst==10.77.0.5')" 1
expect_match "tcp_retransmit_skb: headers marked as synthesised (the skb had none yet)" \
	"$(fields "$F" 'frame.comment matches "^tcp_retransmit_skb "' frame.comment)" \
	"headers=synthesized"

# refusals: exit 2, one line on stderr naming the problem
check_refused() {
	name=$1
	pat=$2
	shift 2
	rc=0
	"$BPFCAP" capture -q -w /dev/null --duration 0.2 "$@" 2>"$WORK/err" || rc=$?
	expect_eq "$name: exit 2" "$rc" 2
	expect_eq "$name: one line on stderr" "$(grep -c . "$WORK/err")" 1
	expect_match "$name: message" "$(cat "$WORK/err")" "$pat"
}
check_refused "tracepoint without skb argument" "has no struct sk_buff \\* argument" \
	-p tp:sched:sched_switch
check_refused "unknown tracepoint" "no tracepoint 'no_such_tp'" -p tp:skb:no_such_tp
check_refused "wrong category" "is in category 'skb', not 'net'" -p tp:net:kfree_skb
check_refused "argN that is not an skb" "argument 1 of tracepoint 'kfree_skb' is not" \
	-p tp:skb:kfree_skb:arg1
check_refused "malformed spec" "unknown probe type" -p bogus:thing
check_refused "kretprobe (no skb at return)" "use fexit:ip_rcv" -p kretprobe:ip_rcv

# function probes on a kernel that refuses them: one specific line, exit 1 (runtime)
check_runtime() {
	name=$1
	pat=$2
	shift 2
	rc=0
	"$BPFCAP" capture -q -w /dev/null --duration 0.5 "$@" 2>"$WORK/err" || rc=$?
	expect_eq "$name: exit 1" "$rc" 1
	expect_eq "$name: one line" "$(grep -c . "$WORK/err")" 1
	expect_match "$name: says why and what to use" "$(cat "$WORK/err")" "$pat"
}
if [ ! -e /sys/bus/event_source/devices/kprobe ]; then
	check_runtime "kprobe without CONFIG_KPROBES" \
		"kprobes are not available on this kernel \(no CONFIG_KPROBES\); use tp:skb:kfree_skb or fentry:ip_rcv" \
		-p kprobe:ip_rcv
	check_runtime "kprobe.multi wildcard" "kprobe.multi, needed for the wildcard" -p 'kprobe:ip_rc*'
fi
if ! "$BPFCAP" capture -q -w /dev/null --duration 0.3 -p fentry:ip_rcv 2>/dev/null; then
	check_runtime "fentry without BPF trampolines" \
		"fentry/fexit are not available on this kernel: it refuses BPF trampolines" \
		-p fentry:ip_rcv
	[ -e /sys/bus/event_source/devices/kprobe ] ||
		check_runtime "fn: neither mechanism" "allows neither fentry .* nor kprobe" -p fn:ip_rcv
fi
finish
