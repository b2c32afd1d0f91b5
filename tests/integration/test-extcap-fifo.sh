#!/bin/sh
# The extcap capture protocol without Wireshark in between, checked against what Wireshark 4.0
# does (docs/wireshark.md): GUI stop (SIGTERM while the reader keeps reading: the final ISBs
# reach the file), tshark stop (reader closes the FIFO first, then SIGTERM: EPIPE is a normal
# end), nothing on stderr, a packet readable from the FIFO soon after the drop, and the toolbar
# control pipes: opened at once, per-probe counts every second.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair
X="$BPFCAP --capture --extcap-interface bpf_kfree_skb --netns $NS_SELF"
# with --extcap-capture-filter "udp dst port 9": only our UDP drops (IPv6 neighbour discovery
# may drop packets in this namespace too)

# --- GUI-style stop
mkfifo "$WORK/fifo"
cat "$WORK/fifo" >"$WORK/gui.pcapng" &
R=$!
$X --extcap-capture-filter "udp dst port 9" --fifo "$WORK/fifo" 2>"$WORK/gui.err" &
P=$!
sleep 1.5
ip netns exec peer $SEND udp 10.77.0.1 9 2 >/dev/null
sleep 0.5
kill -TERM $P
rc=0
wait $P || rc=$?
wait $R
expect_eq "GUI stop: exit 0" "$rc" 0
expect_eq "GUI stop: nothing on stderr" "$(cat "$WORK/gui.err")" ""
expect_eq "GUI stop: the packets reached the file" "$(count "$WORK/gui.pcapng" udp.dstport==9)" 2
expect_eq "GUI stop: the final ISB reached the file" "$($PCAPNG "$WORK/gui.pcapng" isb | grep -c .)" 1

# --- tshark-style stop: the reader goes first
rm -f "$WORK/fifo"
mkfifo "$WORK/fifo"
python3 - "$WORK/fifo" "$WORK/lat" <<'PY' &
import os, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
buf, t = b"", None
while t is None:
    b = os.read(fd, 65536)
    if not b:
        break
    now = time.time()
    buf += b
    while len(buf) >= 8:  # walk the blocks: note when the first packet block arrives
        btype, blen = struct.unpack("<II", buf[:8])
        if btype == 6:
            t = now
            break
        if len(buf) < blen:
            break
        buf = buf[blen:]
open(sys.argv[2], "w").write("%.6f" % (t or 0))
os.close(fd)  # dumpcap closes the FIFO first
PY
R=$!
$X --extcap-capture-filter "udp dst port 9" --fifo "$WORK/fifo" 2>"$WORK/ts.err" &
P=$!
sleep 1.5
t0=$(python3 -c 'import time; print("%.6f" % time.time())')
ip netns exec peer $SEND udp 10.77.0.1 9 1 >/dev/null
wait $R
kill -TERM $P 2>/dev/null || true
rc=0
wait $P || rc=$?
expect_eq "tshark stop (FIFO closed, then SIGTERM): exit 0" "$rc" 0
expect_eq "tshark stop: nothing on stderr" "$(cat "$WORK/ts.err")" ""
ms=$(python3 -c "print(int((float(open('$WORK/lat').read()) - $t0) * 1000))")
if [ "$ms" -ge 0 ] && [ "$ms" -lt 1000 ]; then pass "a lone drop is readable from the FIFO after $ms ms"
else fail "a lone drop took $ms ms to reach the FIFO"; fi

# --- control pipes: opened right away, statusbar + logger messages with per-probe counts
rm -f "$WORK/fifo"
mkfifo "$WORK/fifo" "$WORK/cin" "$WORK/cout"
cat "$WORK/fifo" >/dev/null &
R=$!
python3 - "$WORK/cout" "$WORK/ctl" <<'PY' &
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
msgs = []
buf = b""
while True:
    b = os.read(fd, 4096)
    if not b:
        break
    buf += b
    while len(buf) >= 6:
        n = (buf[1] << 16) | (buf[2] << 8) | buf[3]
        if len(buf) < 4 + n:
            break
        msgs.append("%c %d %d %s" % (buf[0], buf[4], buf[5], buf[6:4 + n].decode().strip()))
        buf = buf[4 + n:]
open(sys.argv[2], "w").write("\n".join(msgs) + "\n")
PY
C=$!
# the writer side of control-in, as Wireshark holds it
sleep 1000 >"$WORK/cin" &
W=$!
$X --extcap-capture-filter "udp dst port 9" --fifo "$WORK/fifo" --extcap-control-in "$WORK/cin" --extcap-control-out "$WORK/cout" \
	2>"$WORK/ctl.err" &
P=$!
sleep 1.5
ip netns exec peer $SEND udp 10.77.0.1 9 3 >/dev/null
sleep 2.2
kill -TERM $P
wait $P || true
kill $W 2>/dev/null || true
wait $C $R 2>/dev/null || true
expect_eq "control: nothing on stderr" "$(cat "$WORK/ctl.err")" ""
expect_match "control: statusbar messages (command 6) with the counts" "$(cat "$WORK/ctl")" \
	"^T 255 6 bpfcap: 3 captured, 0 lost \\| kfree_skb 3/0$"
expect_match "control: logger lines (control 0, command 2)" "$(cat "$WORK/ctl")" \
	"^T 0 2 bpfcap: [0-9]+ captured"
# --- the device-hook interfaces: bpf_xdp, bpf_tc (both directions)
for iface in "bpf_xdp --device veth0" "bpf_tc --device veth0 --direction both"; do
	rm -f "$WORK/fifo"
	mkfifo "$WORK/fifo"
	cat "$WORK/fifo" >"$WORK/dev.pcapng" &
	R=$!
	# shellcheck disable=SC2086
	"$BPFCAP" --capture --extcap-interface $iface --fifo "$WORK/fifo" 2>"$WORK/dev.err" &
	P=$!
	sleep 1.5
	ip netns exec peer ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null
	sleep 0.5
	kill -TERM $P
	wait $P || true
	wait $R
	name=${iface%% *}
	expect_eq "$name: nothing on stderr" "$(cat "$WORK/dev.err")" ""
	expect_eq "$name: the 2 echo requests" "$(count "$WORK/dev.pcapng" 'icmp.type==8')" 2
	if [ "$name" = bpf_tc ]; then
		expect_eq "bpf_tc both: and the 2 replies at egress" \
			"$(count "$WORK/dev.pcapng" 'icmp.type==0 && frame.interface_name=="veth0@tc_egress"')" 2
	fi
done
# --- a reader slower than the traffic all along (as dumpcap is at high rates): 4 MB/s at most,
# the sender as fast as it goes for 2 s. The kernel keeps losing while bpfcap keeps delivering; the losses must reach
# the file as they happen (epb_dropcount on the packets that follow), not only in the ISB at
# the end, which a reader that stops first (tshark) never gets. A ring drained without bound
# kept the run loop from ever refreshing the counts while the load lasted.
GEN=$(dirname "$BPFCAP")/../bench/bpfcap-gen
if [ -x "$GEN" ]; then
	rm -f "$WORK/fifo"
	mkfifo "$WORK/fifo"
	F=$WORK/slow.pcapng
	python3 -c '
import os, sys, time
fd, out = os.open(sys.argv[1], os.O_RDONLY), open(sys.argv[2], "wb")
while True:
    b = os.read(fd, 16384)
    if not b:
        break
    out.write(b)
    time.sleep(0.004)' "$WORK/fifo" "$F" &
	R=$!
	$BPFCAP --capture --extcap-interface bpf_netif_receive_skb --netns "$NS_SELF" --fifo "$WORK/fifo" \
		--extcap-capture-filter "udp dst port 5556" 2>"$WORK/slow.err" &
	P=$!
	sleep 1.5
	N=$(ip netns exec peer "$GEN" udp 10.77.0.1 5556 --size 200 --duration 2 |
		sed -n 's/^sent \([0-9]*\) packets.*/\1/p')
	sleep 1
	kill -TERM $P
	rc=0
	wait $P || rc=$?
	wait $R || true
	expect_eq "slow reader: exit 0" "$rc" 0
	got=$(count "$F" "udp.dstport==5556")
	isb=$($PCAPNG "$F" isb | awk -F'\t' '{s += $3} END {print s + 0}')
	dropc=$($PCAPNG "$F" packets | awk -F'\t' '{s += $6} END {print s + 0}')
	reports=$($PCAPNG "$F" packets | awk -F'\t' '$6 > 0 {n++} END {print n + 0}')
	echo "slow reader: sent $N, in file $got, lost (ISB) $isb, epb_dropcount $dropc on $reports packets"
	if [ "$isb" -gt 0 ]; then pass "slow reader: the kernel lost records ($isb)"; else
		fail "slow reader: expected losses with a reader of 4 MB/s"; fi
	expect_eq "slow reader: captured + lost == sent" $((got + isb)) "${N:-0}"
	if [ "$dropc" -gt $((isb / 2)) ] && [ "$reports" -ge 5 ]; then
		pass "slow reader: losses reported while the capture ran ($dropc of $isb, on $reports packets)"
	else
		fail "slow reader: losses reached the packets only at the end ($dropc of $isb, on $reports packets)"
	fi
else
	echo "SKIP part: $GEN missing"
fi
finish
