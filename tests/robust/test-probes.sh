#!/bin/sh
# Many probes and snap lengths: 64 probes (the limit) over four tracepoints, and the same
# tracepoint 64 times, load, attach and capture every packet once per probe; 65 are refused
# (test-args.sh). Snap length 0 means the default (262144), 1 keeps one byte, 262144 the whole
# packet; the original length is always recorded.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair
F='udp dst port 9 or icmp'

# run64 NAME PROBE-ARGS...: capture 3 drops (and their ICMP answers) with these 64 probes
run64() {
	r6_n=$1
	shift
	r6_i=$((${r6_i:-0} + 1))
	out=$WORK/r64-$r6_i.pcapng
	"$BPFCAP" capture --netns "$NS_SELF" -w "$out" "$@" "$F" 2>"$WORK/r64-$r6_i.err" &
	P=$!
	wait_links $P 64 || return
	ids=$(bpf_ids_of $P)
	expect_eq "$r6_n: 64 programs and 64 links" \
		"$(echo "$ids" | grep -c '^prog_id:') $(echo "$ids" | grep -c '^link_id:')" "64 64"
	ip netns exec peer $SEND udp 10.77.0.1 9 3 --rate 20 >/dev/null
	sleep 0.5
	kill -INT $P
	wait_exit $P 10
	expect_eq "$r6_n: exit 0" "$RC" 0
	file_ok "$out" "$r6_n: the file"
	expect_eq "$r6_n: every probe has its interface in the file" "$($COUNTER "$out" interfaces)" 64
	expect_eq "$r6_n: each of the 64 probes captured the 3 packets it saw" \
		"$(grep -cE '^  tp:[a-z_:]+ \(tp_btf\): seen [0-9]+, captured 3, lost 0' "$WORK/r64-$r6_i.err")" 64
	expect_eq "$r6_n: 192 packets in the file" "$($COUNTER "$out" packets)" 192
	no_bpf_left "$r6_n" "$ids"
}

set --
for tp in kfree_skb netif_receive_skb net_dev_queue net_dev_start_xmit; do
	i=0
	while [ $i -lt 16 ]; do set -- "$@" -p $tp; i=$((i + 1)); done
done
run64 "64 probes on 4 tracepoints" "$@"

set --
i=0
while [ $i -lt 64 ]; do set -- "$@" -p tp:skb:kfree_skb; i=$((i + 1)); done
run64 "the same tracepoint 64 times" "$@"

# --- snap lengths: what is kept, and never more than the snap length the file declares (a
# frame longer than its interface's snaplen is refused by libpcap: tcpdump cannot read the file)
# snap_case NAME SNAPLEN WANT_CAPLENS SEND-COMMAND...
snap_case() {
	sc_n=$1
	sc_s=$2
	sc_want=$3
	shift 3
	out=$WORK/snap-$sc_n.pcapng
	"$BPFCAP" capture -q -s "$sc_s" --netns "$NS_SELF" -w "$out" 'udp dst port 9' \
		2>"$WORK/snap-$sc_n.err" &
	P=$!
	wait_links $P 1
	"$@" >/dev/null
	sleep 0.3
	kill -INT $P
	wait_exit $P 5
	sc_snap=$sc_s
	[ "$sc_s" = 0 ] && sc_snap=262144
	expect_eq "$sc_n -s $sc_s: exit 0, snaplen $sc_snap in the file" \
		"$RC $($COUNTER "$out" snaplens)" "0 $sc_snap"
	expect_eq "$sc_n -s $sc_s: caplen/origlen of the packets" "$($COUNTER "$out" caplens)" "$sc_want"
	if tcpdump -r "$out" -nn >/dev/null 2>"$WORK/snap-$sc_n.tcpdump"; then
		pass "$sc_n -s $sc_s: tcpdump reads the file"
	else fail "$sc_n -s $sc_s: tcpdump cannot read the file: $(tail -1 "$WORK/snap-$sc_n.tcpdump")"; fi
	file_ok "$out" "$sc_n -s $sc_s: the file"
}
full=$((14 + 20 + 8 + 1400))
for s in 0 1 13 96 262144; do
	keep=$((s == 0 || s > full ? full : s))
	snap_case eth "$s" "$keep/$full $keep/$full" ip netns exec peer $SEND udp 10.77.0.1 9 2 --size 1400
done
# a device without a MAC header: Linux cooked (SLL2, a 20-byte header bpfcap writes in front)
ip tuntap add dev tun1 mode tun
ip addr add 10.99.0.1/24 dev tun1
ip link set tun1 up
tun() { python3 "$ROBUST_DIR/tun_send.py" tun1 10.99.0.2 10.99.0.1 9 2 100; }
ip=$((20 + 8 + 100))
snap_case tun 0 "$((20 + ip))/$((20 + ip)) $((20 + ip))/$((20 + ip))" tun
snap_case tun 96 "96/$((20 + ip)) 96/$((20 + ip))" tun
snap_case tun 10 "10/$((20 + ip)) 10/$((20 + ip))" tun
finish
