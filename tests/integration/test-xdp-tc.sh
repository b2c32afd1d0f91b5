#!/bin/sh
# Device hooks and users' own programs: xdp:DEV and tc:DEV:ingress|egress capture exactly the
# packets sent; bpfcap refuses to replace another XDP program and names it; the clsact fallback
# removes only what it created; nothing survives SIGKILL; packets that a user's XDP/tc program
# hands over through bpf/bpfcap_output.h arrive with its verdict (XDP_DROP visible) and tag,
# found by program id (-p prog:ID) or pinned map (-p map:PATH).
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair
LOADER=${LOADER:-$(dirname "$BPFCAP")/../tests/progs/bpfcap-test-loader}
[ -x "$LOADER" ] || { echo "SKIP: $LOADER not built" >&2; exit 77; }
mkdir -p "$WORK/bpffs"
mount -t bpf bpf "$WORK/bpffs"

xdp_on() { ip -d link show veth0 | grep -c 'prog/xdp' || true; }
tc_progs() { bpftool net show dev veth0 2>/dev/null | grep -cE 'tc_capture|sample_tc' || true; }

# --- xdp:veth0: every received frame, inbound, with the rx queue
F=$WORK/xdp.pcapng
cap_start "$F" -p xdp:veth0
ip netns exec peer $SEND udp 10.77.0.1 9 5 >/dev/null
ip netns exec peer ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null
cap_stop
expect_eq "xdp:veth0: the 5 UDP frames" "$(count "$F" 'udp.dstport==9 && !icmp')" 5
expect_eq "xdp:veth0: the 2 echo requests" "$(count "$F" 'icmp.type==8')" 2
expect_match "xdp:veth0: attached natively (veth has a driver hook)" "$(cat "$F.err")" \
	"attached through xdp \(native\)"
expect_match "xdp: comment names the hook and device" \
	"$(fields "$F" 'udp.dstport==9' frame.comment | head -1)" "^xdp cpu=[0-9]+ dev=veth0\(" 
expect_eq "xdp: inbound" "$(fields "$F" 'udp.dstport==9' frame.packet_flags_direction | sort -u)" \
	0x00000001
expect_eq "xdp: detached after the capture" "$(xdp_on)" 0

# --- tc: ingress sees requests, egress sees replies (tcx link)
F=$WORK/tc.pcapng
cap_start "$F" -p tc:veth0:ingress -p tc:veth0:egress
ip netns exec peer ping -c 3 -i 0.2 -W 1 10.77.0.1 >/dev/null
cap_stop
expect_eq "tc ingress: the 3 echo requests" \
	"$(count "$F" 'icmp.type==8 && frame.interface_name=="veth0@tc_ingress"')" 3
expect_eq "tc egress: the 3 echo replies" \
	"$(count "$F" 'icmp.type==0 && frame.interface_name=="veth0@tc_egress"')" 3
expect_eq "tc egress: outbound" \
	"$(fields "$F" 'icmp.type==0' frame.packet_flags_direction | sort -u)" 0x00000002
expect_match "tc through tcx links" "$(cat "$F.err")" "attached through tcx"
expect_eq "tc: no packet id (no skb address to derive one from, and none shared by all)" \
	"$(fields "$F" 'icmp' frame.packet_id | grep -c . || true)" 0
expect_eq "tc: nothing left on the device" "$(tc_progs)" 0

# --- a filter at a device hook
F=$WORK/xdpf.pcapng
cap_start "$F" -p xdp:veth0 udp dst port 9
ip netns exec peer $SEND udp 10.77.0.1 9 2 >/dev/null
ip netns exec peer $SEND udp 10.77.0.1 10 3 >/dev/null
cap_stop
expect_eq "xdp + 'udp dst port 9': only those" "$($PCAPNG "$F" packets | grep -c .)" 2

# --- clsact fallback (kernels before 6.6): removes only what it created
F=$WORK/clsact.pcapng
BPFCAP_FORCE_CLSACT=1 cap_start "$F" -p tc:veth0:ingress
ip netns exec peer ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null
expect_eq "clsact fallback: a clsact qdisc while capturing" \
	"$(tc qdisc show dev veth0 | grep -c clsact)" 1
cap_stop
expect_eq "clsact fallback: captured the requests" "$(count "$F" 'icmp.type==8')" 2
expect_match "clsact fallback: says so" "$(cat "$F.err")" "attached through tc \(clsact\)"
expect_eq "clsact fallback: the qdisc bpfcap created is gone" \
	"$(tc qdisc show dev veth0 | grep -c clsact)" 0
# someone else's qdisc and filter (the sample program, attached the legacy way)
tc qdisc add dev veth0 clsact
"$LOADER" tc-clsact veth0 "$WORK/bpffs/other_events" >"$WORK/loader0.out" 2>&1 &
L=$!
until grep -q ready "$WORK/loader0.out" 2>/dev/null; do sleep 0.1; done
BPFCAP_FORCE_CLSACT=1 cap_start "$F" -p tc:veth0:ingress
expect_eq "clsact fallback: bpfcap's filter next to the other one" \
	"$(tc filter show dev veth0 ingress | grep -cE 'sample_tc|tc_capture')" 2
cap_stop
expect_eq "clsact fallback: a pre-existing qdisc stays" \
	"$(tc qdisc show dev veth0 | grep -c clsact)" 1
expect_eq "clsact fallback: the other filter stays, bpfcap's is gone" \
	"$(tc filter show dev veth0 ingress | grep -c sample_tc):$(tc filter show dev veth0 ingress | grep -c tc_capture)" "1:0"
kill $L
wait $L || true
tc qdisc del dev veth0 clsact

# --- clsact fallback and SIGKILL: nothing ties a cls_bpf filter to bpfcap, so a guard process
# (bpfcap-tcguard, CAP_NET_ADMIN only) removes the filters, their programs and the qdisc bpfcap
# created when bpfcap dies; bpfcap itself drops every capability once attached
guard_gone() {
	_g=0
	while pgrep -x bpfcap-tcguard >/dev/null && [ $_g -lt 50 ]; do sleep 0.1; _g=$((_g + 1)); done
}
F=$WORK/clsact-kill.pcapng
BPFCAP_FORCE_CLSACT=1 cap_start "$F" -p tc:veth0:ingress -p tc:veth0:egress
sleep 0.3
ids=$(bpf_ids_of "$CAP_PID")
expect_eq "clsact: bpfcap keeps no capability once attached (the guard holds CAP_NET_ADMIN)" \
	"$(awk '/^CapEff:/ {print $2}' /proc/"$CAP_PID"/status)" 0000000000000000
expect_eq "clsact: one guard process while capturing" "$(pgrep -x bpfcap-tcguard | grep -c .)" 1
kill -KILL "$CAP_PID"
wait "$CAP_PID" 2>/dev/null || true
CAP_PID=
guard_gone
expect_eq "clsact SIGKILL: no tc filter left (ingress and egress)" \
	"$(tc filter show dev veth0 ingress)$(tc filter show dev veth0 egress)" ""
expect_eq "clsact SIGKILL: the clsact qdisc bpfcap created is gone" \
	"$(tc qdisc show dev veth0 | grep -c clsact)" 0
expect_eq "clsact SIGKILL: none of its programs is left" "$(bpf_ids_alive "$ids")" 0
expect_eq "clsact SIGKILL: the guard is gone too" "$(pgrep -x bpfcap-tcguard | grep -c .)" 0
# bpfcap created the qdisc, someone attaches a filter meanwhile: both stay after bpfcap (a
# normal end, then SIGKILL)
for how in INT KILL; do
	BPFCAP_FORCE_CLSACT=1 cap_start "$F" -p tc:veth0:ingress
	"$LOADER" tc-clsact veth0 "$WORK/bpffs/other_events" >"$WORK/loader0.out" 2>&1 &
	L=$!
	until grep -q ready "$WORK/loader0.out" 2>/dev/null; do sleep 0.1; done
	if [ $how = INT ]; then cap_stop; else
		kill -KILL "$CAP_PID"
		wait "$CAP_PID" 2>/dev/null || true
		CAP_PID=
	fi
	guard_gone
	expect_eq "clsact ($how): a filter added meanwhile stays, bpfcap's is gone" \
		"$(tc filter show dev veth0 ingress | grep -c sample_tc):$(tc filter show dev veth0 ingress | grep -c tc_capture)" "1:0"
	expect_eq "clsact ($how): the qdisc bpfcap created stays while another filter uses it" \
		"$(tc qdisc show dev veth0 | grep -c clsact)" 1
	kill $L
	wait $L || true
	tc qdisc del dev veth0 clsact 2>/dev/null || true
done

# --- SIGKILL: xdp link and tcx links die with the process
F=$WORK/kill.pcapng
cap_start "$F" -p xdp:veth0 -p tc:veth0:egress
ids=$(bpf_ids_of "$CAP_PID")
kill -KILL "$CAP_PID"
wait "$CAP_PID" 2>/dev/null || true
CAP_PID=
sleep 0.5
expect_eq "SIGKILL: no XDP program left on the device" "$(xdp_on)" 0
expect_eq "SIGKILL: no tc program left on the device" "$(tc_progs)" 0
expect_eq "SIGKILL: none of its programs or links" "$(bpf_ids_alive "$ids")" 0

# --- another XDP program owns the device: refuse, name it
"$LOADER" xdp veth0 "$WORK/bpffs/xdp_events" >"$WORK/loader.out" 2>&1 &
L=$!
until grep -q ready "$WORK/loader.out" 2>/dev/null; do sleep 0.1; done
PID_XDP=$(awk '/prog_id/ {print $2}' "$WORK/loader.out")
rc=0
"$BPFCAP" capture -q -w /dev/null --duration 0.5 -p xdp:veth0 2>"$WORK/err" || rc=$?
expect_eq "xdp on an owned device: refused, exit 1" "$rc" 1
expect_match "xdp on an owned device: names the program" "$(cat "$WORK/err")" \
	"already runs XDP program 'sample_xdp' \(id $PID_XDP\)"
expect_eq "xdp on an owned device: one line" "$(grep -c . "$WORK/err")" 1

# --- xdpdump style (fentry/fexit on the program): needs BPF trampolines, tested in the
# kernel matrix; here it must fail with a specific message when the kernel refuses them
if ! "$BPFCAP" capture -q -w /dev/null --duration 0.3 -p fentry:ip_rcv 2>/dev/null; then
	rc=0
	"$BPFCAP" capture -q -w /dev/null --duration 0.3 -p "fentry:prog:$PID_XDP" 2>"$WORK/err" || rc=$?
	expect_eq "fentry:prog:ID without trampolines: exit 1" "$rc" 1
	expect_match "fentry:prog:ID without trampolines: says why" "$(cat "$WORK/err")" \
		"fentry/fexit are not available on this kernel.*needed by fentry:prog:$PID_XDP; capture at the device with xdp:IFNAME"
fi

# --- the user's XDP program through bpfcap_output.h: verdicts, tag; by id and by pinned map
for how in "prog:$PID_XDP" "map:$WORK/bpffs/xdp_events"; do
	F=$WORK/user.pcapng
	cap_start "$F" -p "$how"
	ip netns exec peer $SEND udp 10.77.0.1 7777 3 >/dev/null
	ip netns exec peer $SEND udp 10.77.0.1 9 2 >/dev/null
	cap_stop
	expect_eq "$how: the 3 datagrams the program dropped, verdict XDP_DROP (1)" \
		"$(count "$F" 'udp.dstport==7777 && frame.comment contains "verdict=1"')" 3
	expect_eq "$how: the 2 it passed, verdict XDP_PASS (2)" \
		"$(count "$F" 'udp.dstport==9 && !icmp && frame.comment contains "verdict=2"')" 2
	tag=$($PCAPNG "$F" meta 30 | sort -u | tr '\n' ' ')
	expect_eq "$how: the program's tag in the metadata" "$tag" "7 "
	expect_match "$how: says it takes over the program's perf event array (one reader per CPU)" \
		"$(cat "$F.err")" "bpfcap takes over this perf event array; it has one reader per CPU"
done
kill $L
wait $L || true

# --- the user's tc program (egress)
"$LOADER" tc-egress veth0 "$WORK/bpffs/tc_events" >"$WORK/loader2.out" 2>&1 &
L=$!
until grep -q ready "$WORK/loader2.out" 2>/dev/null; do sleep 0.1; done
PID_TC=$(awk '/prog_id/ {print $2}' "$WORK/loader2.out")
F=$WORK/usertc.pcapng
cap_start "$F" -p "prog:$PID_TC"
ping -c 2 -i 0.2 -W 1 10.77.0.2 >/dev/null
cap_stop
expect_eq "prog:ID of a tc program: the 2 echo requests it saw leave" \
	"$(count "$F" 'icmp.type==8 && frame.comment contains "verdict=0"')" 2
kill $L
wait $L || true
rc=0
"$BPFCAP" capture -q -w /dev/null --duration 0.3 -p "prog:$PID_TC" 2>"$WORK/err" || rc=$?
expect_eq "prog:ID that is gone: exit 1" "$rc" 1
expect_match "prog:ID that is gone: says so" "$(cat "$WORK/err")" "no BPF program with id $PID_TC"
finish
