#!/bin/sh
# Stopping: SIGINT, SIGTERM, SIGHUP, -c, --duration and a reader that goes away (EPIPE) all end
# the capture promptly with exit 0 and a complete file (ISB at the end); SIGKILL leaves no BPF
# program or link behind.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair

ids=""
for sig in INT TERM HUP; do
	F=$WORK/sig-$sig.pcapng
	cap_start "$F" --netns "$NS_SELF"
	ids="$ids $(bpf_ids_of "$CAP_PID")"
	ip netns exec peer $SEND udp 10.77.0.1 6000 2 >/dev/null
	t0=$(date +%s%N)
	cap_stop "$sig"
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ $ms -lt 1300 ]; then pass "SIG$sig: exited in $ms ms (incl. 300 ms settle)"; else
		fail "SIG$sig: took $ms ms"; fi
	expect_eq "SIG$sig: file complete with an ISB" "$($PCAPNG "$F" isb | grep -c .)" 1
	expect_eq "SIG$sig: both packets in the file" "$(count "$F" udp.dstport==6000)" 2
done
[ -n "$ids" ] || fail "no BPF program or link ids seen in /proc/PID/fdinfo"
expect_eq "none of the stopped captures' BPF programs and links is left" "$(bpf_ids_alive "$ids")" 0

# -c: exactly COUNT packets, then exit by itself
F=$WORK/count.pcapng
"$BPFCAP" capture -c 3 -w "$F" -q --netns "$NS_SELF" &
P=$!
sleep 1
ip netns exec peer $SEND udp 10.77.0.1 6001 10 >/dev/null
i=0
while kill -0 $P 2>/dev/null && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
rc=0
wait $P || rc=$?
expect_eq "-c 3: exit 0" "$rc" 0
expect_eq "-c 3: exactly 3 packets in the file" "$($PCAPNG "$F" packets | grep -c .)" 3

# --duration
t0=$(date +%s%N)
"$BPFCAP" capture --duration 0.7 -w "$WORK/dur.pcapng" -q --netns "$NS_SELF"
ms=$((($(date +%s%N) - t0) / 1000000))
if [ $ms -ge 700 ] && [ $ms -lt 2500 ]; then pass "--duration 0.7 took $ms ms"; else
	fail "--duration 0.7 took $ms ms"; fi

# EPIPE: the reader goes away after a few bytes; bpfcap ends normally (exit 0)
( "$BPFCAP" capture -w - --netns "$NS_SELF" 2>"$WORK/epipe.err"; echo "rc=$?" >"$WORK/epipe.rc" ) |
	head -c 64 >/dev/null &
sleep 1
ip netns exec peer $SEND udp 10.77.0.1 6002 50 >/dev/null
i=0
while [ ! -s "$WORK/epipe.rc" ] && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
expect_eq "reader gone (EPIPE): bpfcap exits 0" "$(cat "$WORK/epipe.rc" 2>/dev/null)" rc=0
expect_eq "reader gone (EPIPE): nothing on stderr but the summary" \
	"$(grep -vcE 'packets? (captured|lost in the kernel|filtered out)' "$WORK/epipe.err")" 0
pkill -KILL -f "bpfcap capture -w - --netns" 2>/dev/null || true

# SIGKILL: the BPF links are file descriptors, so nothing survives the process
F=$WORK/kill.pcapng
cap_start "$F"
ids=$(bpf_ids_of "$CAP_PID")
kill -KILL "$CAP_PID"
wait "$CAP_PID" 2>/dev/null || true
CAP_PID=
sleep 0.5 # links and programs are freed after an RCU grace period
expect_eq "SIGKILL: none of its $(echo $ids | wc -w) BPF programs and links is left" \
	"$(bpf_ids_alive "$ids")" 0
finish
