#!/bin/sh
# Signals and bursts: SIGKILL (after attach with 64 probes, and in the middle of loading) leaves
# no BPF program or link behind; SIGSTOP/SIGCONT during a burst and a burst far larger than a
# 256K ring lose packets in the kernel, and every one of them is accounted for in the file
# (captured + isb_ifdrop == sent, and epb_dropcount carries the loss); a stop signal that
# arrives while bpfcap is stopped takes effect at SIGCONT.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair
[ -x "$GEN" ] || { echo "SKIP: $GEN not built" >&2; exit 77; }
F='udp dst port 9'

# check_loss NAME FILE SENT: after a SIGINT, exit 0, a whole file, and every packet either in it
# or counted lost (isb_ifdrop), the loss also carried by later packets (epb_dropcount); sets
# got and lost
check_loss() {
	expect_eq "$1: exit 0 after SIGINT" "$RC" 0
	file_ok "$2" "$1: the file"
	got=$($COUNTER "$2" packets)
	lost=$($COUNTER "$2" lost)
	_cl_d=$($COUNTER "$2" dropcount)
	echo "$1: sent $3, captured $got, lost $lost, epb_dropcount $_cl_d"
	expect_eq "$1: captured + lost == sent" $((got + lost)) "$3"
	expect_eq "$1: epb_dropcount of later packets carries the loss" "$_cl_d" "$lost"
}

# --- SIGKILL once 64 probes are attached
set --
i=0
for tp in kfree_skb consume_skb netif_receive_skb net_dev_queue; do
	j=0
	while [ $j -lt 16 ]; do set -- "$@" -p $tp; j=$((j + 1)); done
done
"$BPFCAP" capture -q --netns "$NS_SELF" -w "$WORK/k64.pcapng" "$@" 2>"$WORK/k64.err" &
P=$!
wait_links $P 64
ids=$(bpf_ids_of $P)
expect_eq "64 probes: 64 programs and 64 links held" \
	"$(echo "$ids" | grep -c '^prog_id:') $(echo "$ids" | grep -c '^link_id:')" "64 64"
kill -KILL $P
wait $P 2>/dev/null || true
no_bpf_left "SIGKILL with 64 probes attached" "$ids"

# --- SIGKILL in the middle of loading: programs loaded, some attached, others not yet
"$BPFCAP" capture -q --netns "$NS_SELF" -w "$WORK/kload.pcapng" "$@" 2>"$WORK/kload.err" &
P=$!
ids=
i=0
while kill -0 $P 2>/dev/null && [ $i -lt 2000 ]; do
	ids=$(printf '%s\n%s\n' "$ids" "$(bpf_ids_of $P)" | grep . | sort -u)
	[ "$(echo "$ids" | grep -c '^link_id:')" -ge 20 ] && break
	i=$((i + 1))
	sleep 0.01
done
kill -KILL $P
wait $P 2>/dev/null || true
nl=$(echo "$ids" | grep -c '^link_id:' || true)
if [ "$nl" -ge 1 ] && [ "$nl" -lt 64 ]; then pass "killed while loading ($nl of 64 probes attached)"; else
	fail "killed while loading: $nl links seen"; fi
no_bpf_left "SIGKILL in the middle of loading" "$ids"

# --- SIGSTOP during a burst, SIGCONT, more packets: nothing lost silently
out=$WORK/stop.pcapng
"$BPFCAP" capture -q --ring-size 256K --netns "$NS_SELF" -w "$out" "$F" 2>"$WORK/stop.err" &
P=$!
wait_links $P 1
kill -STOP $P
s1=$(ip netns exec peer "$GEN" udp 10.77.0.1 9 --count 4000 --size 200 | awk '/^sent/ {print $2}')
kill -CONT $P
sleep 0.5
s2=$(ip netns exec peer "$GEN" udp 10.77.0.1 9 --count 5 --size 200 | awk '/^sent/ {print $2}')
sleep 0.3
kill -INT $P
wait_exit $P 5
check_loss "SIGSTOP/SIGCONT" "$out" $((s1 + s2))
if [ "$lost" -gt 0 ]; then pass "SIGSTOP with a 256K ring lost packets ($lost)"; else
	fail "expected losses with a 256K ring and a stopped reader"; fi

# --- a burst much larger than a 256K ring, reader running
out=$WORK/burst.pcapng
"$BPFCAP" capture -q --ring-size 256K --netns "$NS_SELF" -w "$out" "$F" 2>"$WORK/burst.err" &
P=$!
wait_links $P 1
s1=$(ip netns exec peer "$GEN" udp 10.77.0.1 9 --duration 2 --cpu 0 | awk '/^sent/ {print $2}')
sleep 0.5
s2=$(ip netns exec peer "$GEN" udp 10.77.0.1 9 --count 5 | awk '/^sent/ {print $2}')
sleep 0.3
kill -INT $P
wait_exit $P 10
check_loss "burst into a 256K ring" "$out" $((s1 + s2))

# --- SIGTERM while stopped: takes effect at SIGCONT, complete file
out=$WORK/termstop.pcapng
"$BPFCAP" capture -q --netns "$NS_SELF" -w "$out" "$F" 2>"$WORK/termstop.err" &
P=$!
wait_links $P 1
ip netns exec peer "$GEN" udp 10.77.0.1 9 --count 3 >/dev/null
sleep 0.3
kill -STOP $P
kill -TERM $P
sleep 0.3
kill -0 $P 2>/dev/null && pass "SIGTERM while stopped: waits for SIGCONT" ||
	fail "SIGTERM while stopped: gone before SIGCONT"
kill -CONT $P
wait_exit $P 5
expect_eq "SIGTERM while stopped, then SIGCONT: exit 0" "$RC" 0
expect_eq "SIGTERM while stopped: the 3 packets and the final ISB are in the file" \
	"$($COUNTER "$out" packets) $($COUNTER "$out" isbs)" "3 1"
finish
