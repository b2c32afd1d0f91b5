#!/bin/sh
# --stack: the kernel stack of each packet, on the text line (-v) and in the file's metadata,
# from the probe inward to the system call; device hooks say they have none.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair

# three drops (closed UDP port on lo), printed with their stacks
"$BPFCAP" capture -v --stack -c 3 -p kfree_skb --reason NO_SOCKET -w "$WORK/s.pcapng" --print \
	'udp port 9' >"$WORK/s.out" 2>"$WORK/s.err" &
CAP_PID=$!
until grep -q "attached through" "$WORK/s.err" 2>/dev/null; do
	kill -0 "$CAP_PID" 2>/dev/null || { fail "bpfcap: $(cat "$WORK/s.err")"; exit 1; }
	sleep 0.1
done
$SEND udp 127.0.0.1 9 3 >/dev/null
rc=0
wait "$CAP_PID" || rc=$?
CAP_PID=
expect_eq "capture --stack -c 3 exits 0" "$rc" 0
expect_eq "three packet lines" "$(grep -c ' kfree_skb lo NO_SOCKET ' "$WORK/s.out")" 3
# under each packet line, its frames: innermost the function that dropped it, then the UDP
# receive path (__udp4_lib_rcv; udp_rcv since 7.x), ending in the sender's system call
# (loopback delivers in the sender's context)
expect_eq "each packet line is followed by its stack, innermost first" \
	"$(awk '/ kfree_skb lo NO_SOCKET /{getline a; getline b; print a "|" b}' "$WORK/s.out" |
		grep -cE '^    (sk_skb_reason_drop|kfree_skb_reason|kfree_skb)\+0x[0-9a-f]+\|    (__udp4_lib_rcv|udp_rcv)\+0x[0-9a-f]+$')" 3
expect_eq "the stacks reach the sender's system call" \
	"$(grep -cE '^    __x64_sys_sendto\+0x' "$WORK/s.out")" 3
expect_eq "no frame of the BPF program or its glue" \
	"$(grep -cE '^    (bpf_|__bpf_|__traceiter_)' "$WORK/s.out" || true)" 0
expect_eq "no raw kernel address anywhere" \
	"$(grep -cE '0xffff[0-9a-f]{12}' "$WORK/s.out" || true)" 0
expect_eq "the file carries each stack in the metadata" \
	"$($PCAPNG "$WORK/s.pcapng" meta 23 | grep -cE '(__udp4_lib_rcv|udp_rcv)\+0x')" 3

# device hooks have no kernel stack to record: said once, capture works
"$BPFCAP" capture --stack -c 1 -p tc:veth0:ingress -w "$WORK/tc.pcapng" \
	>"$WORK/tc.out" 2>"$WORK/tc.err" &
CAP_PID=$!
until grep -q "attached through" "$WORK/tc.err" 2>/dev/null || ! kill -0 "$CAP_PID" 2>/dev/null; do
	sleep 0.1
done
ip netns exec peer ping -c 1 -W 1 10.77.0.1 >/dev/null 2>&1 || true
rc=0
wait "$CAP_PID" || rc=$?
CAP_PID=
expect_eq "--stack with a tc hook: exit 0" "$rc" 0
expect_eq "--stack with a tc hook: one warning line naming the probe" \
	"$(grep -c 'stack: tc:veth0:ingress is a device hook or a user.s program; its packets carry no kernel stack' "$WORK/tc.err")" 1
finish
