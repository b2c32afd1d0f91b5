#!/bin/sh
# The RFC's pipelines: `bpfcap capture -w - | tcpdump -r -`, `bpfcap capture | tcpdump -r -`
# (stdout not a terminal: pcapng) and `bpfcap trace tracepoint:skb:kfree_skb proto ip
# [data_out FILE]`; and the text mode (`--print`), one line per packet.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair

# run_pipe OUTFILE CMD...: capture command into tcpdump, packets sent meanwhile
run_pipe() {
	out=$1
	shift
	("$@" 2>"$out.err" | tcpdump -nr - >"$out" 2>/dev/null) &
	P=$!
	sleep 1.2 # attach
	ip netns exec peer $SEND udp 10.77.0.1 4444 3 >/dev/null
	sleep 0.5
	pkill -INT -f "bpfcap (capture|trace)" || true
	wait $P || true
}

run_pipe "$WORK/p1" "$BPFCAP" capture -w - --netns "$NS_SELF"
expect_eq "capture -w - | tcpdump -r -: 3 packets printed" \
	"$(grep -c '10.77.0.2.[0-9]* > 10.77.0.1.4444: UDP' "$WORK/p1")" 3

run_pipe "$WORK/p2" "$BPFCAP" capture --netns "$NS_SELF"
expect_eq "capture | tcpdump -r - (stdout a pipe => pcapng): 3 packets" \
	"$(grep -c '> 10.77.0.1.4444: UDP' "$WORK/p2")" 3

run_pipe "$WORK/p3" "$BPFCAP" trace tracepoint:skb:kfree_skb proto ip --netns "$NS_SELF"
expect_eq "trace tracepoint:skb:kfree_skb proto ip | tcpdump -r -: 3 packets" \
	"$(grep -c '> 10.77.0.1.4444: UDP' "$WORK/p3")" 3

# data_out FILE, link type raw IP
"$BPFCAP" trace tracepoint:skb:kfree_skb proto ip data_out "$WORK/t.pcapng" --netns "$NS_SELF" \
	--duration 1.5 -q &
P=$!
sleep 1
ip netns exec peer $SEND udp 10.77.0.1 4445 2 >/dev/null
wait $P
expect_eq "trace ... data_out FILE: raw IP link type" \
	"$(tcpdump -nr "$WORK/t.pcapng" 2>&1 | grep -c 'link-type RAW')" 1
expect_eq "trace ... data_out FILE: 2 packets" "$(count "$WORK/t.pcapng" udp.dstport==4445)" 2

# text mode: one line per packet with time, probe, device, reason and a summary
"$BPFCAP" capture --print --netns "$NS_SELF" --duration 1.5 >"$WORK/text" 2>"$WORK/text.err" &
P=$!
sleep 1
ip netns exec peer $SEND udp 10.77.0.1 4446 2 >/dev/null
wait $P
expect_eq "text mode: a line per packet" \
	"$(grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} kfree_skb veth0 NO_SOCKET IP 10\.77\.0\.2\.[0-9]+ > 10\.77\.0\.1\.4446: UDP, length 32$' "$WORK/text")" 2
expect_match "summary on stderr counts the lines printed" "$(cat "$WORK/text.err")" \
	"^$(grep -c . "$WORK/text") packets captured"
finish
