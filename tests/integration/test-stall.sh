#!/bin/sh
# A stalled reader (SIGSTOP during a burst) loses records in the kernel, and says so: packets in
# the file plus the lost count recorded in the file (ISB ifdrop, epb_dropcount) equal what was sent.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair

N=4000
F=$WORK/stall.pcapng
cap_start "$F" --ring-size 256K --netns "$NS_SELF" -i veth0
kill -STOP "$CAP_PID"
ip netns exec peer $SEND udp 10.77.0.1 5555 $N --size 200 >/dev/null
kill -CONT "$CAP_PID"
sleep 0.5
# packets after the loss: the first of them carries the loss in its epb_dropcount
ip netns exec peer $SEND udp 10.77.0.1 5555 5 --size 200 >/dev/null
N=$((N + 5))
cap_stop
got=$(count "$F" "udp.dstport==5555")
lost=$($PCAPNG "$F" lost)
dropc=$($PCAPNG "$F" packets | awk -F'\t' '{s += $6} END {print s + 0}')
echo "sent $N, in file $got, lost (ISB) $lost, epb_dropcount sum $dropc"
if [ "$lost" -gt 0 ]; then pass "the stall lost records ($lost)"; else
	fail "expected losses with a 256K ring and $N packets"; fi
expect_eq "captured + lost == sent" $((got + lost)) $N
expect_eq "epb_dropcount of the packets after the stall carries the loss" "$dropc" "$lost"
expect_match "the summary reports the loss" "$(cat "$F.err")" "^$lost packets lost in the kernel"
finish
