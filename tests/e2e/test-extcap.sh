#!/bin/sh
# The Wireshark path, as a user would take it: the extcap installed with the dumpcap model
# (root:wireshark 0750 + file capabilities) in the user's extcap directory; tshark run by an
# ordinary member of group 'wireshark' lists the interfaces and captures a real drop with its
# comment; -o extcap.* options take effect; a non-member does not see the interfaces; nothing
# of bpfcap (process, BPF program) is left after tshark stops. With the dissector plugin (in the
# user's personal plugin folder), the drops show where the kernel dropped them (bpfcap.location)
# although /proc/kallsyms hides addresses from the user.
#   test-extcap.sh PATH_TO_BPFCAP [PATH_TO_PLUGIN]
set -eu
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: tshark missing" >&2; exit 77; }
command -v setcap >/dev/null || { echo "SKIP: setcap missing" >&2; exit 77; }
BPFCAP=$(realpath "${1:?usage: $0 PATH_TO_BPFCAP [PATH_TO_PLUGIN]}")
PLUGIN=${2:+$(realpath "$2")}
here=$(cd "$(dirname "$0")" && pwd)
lib=$here/../lib
if [ -z "${IN_NS:-}" ]; then
	exec env IN_NS=1 unshare --net --mount -- "$0" "$BPFCAP" ${PLUGIN:+"$PLUGIN"}
fi
ip link set lo up
work=$(mktemp -d /tmp/bpfcap-e2e.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
PASSES=0
FAILS=0
pass() { PASSES=$((PASSES + 1)); echo "ok: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }
expect_eq() { if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1: got '$2', expected '$3'"; fi; }
# the BPF program/link ids the extcap holds, recorded while it runs
watch_ids() {
	: >"$work/ids"
	for _ in $(seq 100); do
		p=$(pgrep -f "$xdir/bpfcap --capture" | head -1)
		if [ -n "$p" ]; then
			sleep 1
			grep -hE '^(prog_id|link_id):' /proc/"$p"/fdinfo/* 2>/dev/null | tr -d '\t' |
				sort -u >"$work/ids"
			grep -E '^CapEff:' /proc/"$p"/status | awk '{print $2}' >"$work/capeff"
			return
		fi
		sleep 0.1
	done
}
alive() {
	n=0
	for id in $(cat "$work/ids"); do
		case $id in
		prog_id:*) bpftool prog show id "${id#prog_id:}" >/dev/null 2>&1 && n=$((n + 1)) ;;
		link_id:*) bpftool link show id "${id#link_id:}" >/dev/null 2>&1 && n=$((n + 1)) ;;
		esac
	done
	echo $n
}
as_user() { "$lib/asuser.sh" --wireshark "$work/home" -- "$@"; }

# install into the user's personal extcap directory (as `tshark -G folders` names it: 4.0
# ~/.config/wireshark/extcap, 4.4 ~/.local/lib/wireshark/extcap) exactly as the install rule
# does for the global one
. "$lib/wsdirs.sh"
xdir=$(ws_personal_extcap_dir "$lib/asuser.sh" "$work/home") # creates the user and group too
# (after any chown: changing the owner clears file capabilities)
"$here/../../packaging/install-extcap.sh" "$BPFCAP" "$xdir" >/dev/null
expect_eq "extcap installed root:wireshark 0750" "$(stat -c '%U:%G %a' "$xdir/bpfcap")" \
	"root:wireshark 750"
expect_eq "extcap has the capture capabilities" \
	"$(getcap "$xdir/bpfcap" | sed 's/.* //')" "cap_net_admin,cap_perfmon,cap_bpf=ep"

D=$(as_user tshark -D 2>/dev/null)
for i in bpf_kfree_skb bpf_netif_receive_skb bpf_net_dev_start_xmit bpf_tcp_retransmit_skb \
	bpf_probe; do
	if printf '%s\n' "$D" | grep -q "$i "; then pass "tshark -D lists $i"; else
		fail "tshark -D does not list $i"; fi
done
expect_eq "display name of bpf_kfree_skb" \
	"$(printf '%s\n' "$D" | grep -o 'bpf_kfree_skb (.*)' | head -1)" \
	"bpf_kfree_skb (BPF kfree_skb (dropped packets))"

watch_ids &
ns=$(stat -L -c %i /proc/self/ns/net)
# a capture while drops are provoked (closed UDP port on lo)
(sleep 3; python3 "$lib/send.py" udp 127.0.0.1 9 3 --size 100 >/dev/null) &
as_user tshark -i bpf_kfree_skb -a duration:6 -w "$work/home/out.pcapng" \
	>"$work/tshark.out" 2>"$work/tshark.err" || fail "tshark exited $?: $(cat "$work/tshark.err")"
wait
n=$(tshark -r "$work/home/out.pcapng" -Y "udp.dstport==9 && frame.interface_description contains \"netns=$ns \"" \
	-T fields -e frame.comment 2>/dev/null | grep -cE '^kfree_skb cpu=[0-9]+ dev=lo\(1\) reason=NO_SOCKET$' || true)
expect_eq "tshark -i bpf_kfree_skb captured the 3 drops with their comments" "$n" 3
# where the kernel dropped them: /proc/kallsyms shows the user zeros, the extcap reads the
# symbols through the BPF ksym iterator while it holds its capabilities
if [ -n "$PLUGIN" ]; then
	pdir=$(as_user tshark -G folders 2>/dev/null | ws_folder 'Personal Plugins')/epan
	mkdir -p "$pdir" && cp "$PLUGIN" "$pdir/bpfcap.so" && as_user true
	locs=$(as_user tshark -r "$work/home/out.pcapng" -Y "udp.dstport==9" -T fields -e bpfcap.location 2>/dev/null)
	how="bpfcap.location (dissector)"
else
	locs=$(python3 "$lib/pcapng.py" "$work/home/out.pcapng" meta 25 | grep udp)
	how="the metadata's location"
fi
expect_eq "a group member's drops say where the kernel dropped them ($how)" \
	"$(printf '%s\n' "$locs" | grep -cE '^[A-Za-z0-9_.]*udp[A-Za-z0-9_.]*\+0x[0-9a-f]+$' || true)" 3
if grep -q "Error by extcap pipe" "$work/tshark.err"; then
	fail "tshark reported an extcap error: $(cat "$work/tshark.err")"
else
	pass "no error from the extcap on tshark's stderr"
fi
sleep 0.3
expect_eq "no bpfcap process left after tshark stopped" \
	"$(pgrep -f "$xdir/bpfcap" | grep -c . || true)" 0
[ -s "$work/ids" ] || fail "could not see the extcap's BPF programs while it ran"
expect_eq "the capturing extcap has no effective capabilities once attached" \
	"$(cat "$work/capeff")" 0000000000000000
expect_eq "none of the extcap's $(wc -l <"$work/ids") BPF programs and links is left" "$(alive)" 0

# -o extcap.<iface>.<arg>:<value> takes effect: snaplen and link layer
(sleep 3; python3 "$lib/send.py" udp 127.0.0.1 9 2 --size 300 >/dev/null) &
as_user tshark -i bpf_kfree_skb -o extcap.bpf_kfree_skb.snaplen:64 \
	-o extcap.bpf_kfree_skb.proto:ip -o extcap.bpf_kfree_skb.stack:true -a duration:6 \
	-w "$work/home/opt.pcapng" 2>/dev/null || fail "tshark with -o options failed"
wait
line=$(tshark -r "$work/home/opt.pcapng" -Y "frame.interface_description contains \"netns=$ns \"" \
	-T fields -e frame.encap_type -e frame.cap_len -e frame.len 2>/dev/null | sort -u)
expect_eq "-o proto:ip and snaplen:64 (raw IP, at most 64 bytes kept of 328)" "$line" "7	50	328"
# -o stack:true ("Kernel stack of each packet"): the kernel stack of each drop, symbolised for
# a group member, one filterable field per frame
if [ -n "$PLUGIN" ]; then
	frames=$(as_user tshark -r "$work/home/opt.pcapng" -Y 'udp.dstport==9' -T fields \
		-e bpfcap.stack.frame 2>/dev/null)
	expect_eq "-o stack:true: 'bpfcap.stack.frame contains \"udp_sendmsg\"' matches both drops" \
		"$(as_user tshark -r "$work/home/opt.pcapng" \
			-Y 'udp.dstport==9 && bpfcap.stack.frame contains "udp_sendmsg"' 2>/dev/null | grep -c .)" 2
	as_user tshark -r "$work/home/opt.pcapng" -Y 'udp.dstport==9' -c 1 -V \
		>"${BPFCAP_E2E_KEEP:-$work}/stack-V.txt" 2>/dev/null || true
else
	frames=$(python3 "$lib/pcapng.py" "$work/home/opt.pcapng" meta 23 | grep .)
fi
expect_eq "-o stack:true: each drop's stack starts where the kernel dropped it, symbolised" \
	"$(printf '%s\n' "$frames" | grep -cE '^(sk_skb_reason_drop|kfree_skb_reason|kfree_skb)\+0x[0-9a-f]+,.*(__udp4_lib_rcv|udp_rcv)\+0x' || true)" 2

# Wireshark's capture-filter box (tshark -f): passed to the extcap, applied in the kernel
(sleep 3; python3 "$lib/send.py" udp 127.0.0.1 9 2 >/dev/null
	python3 "$lib/send.py" udp 127.0.0.1 10 3 >/dev/null) &
as_user tshark -i bpf_kfree_skb -f "udp dst port 9" -a duration:6 -w "$work/home/f.pcapng" \
	2>/dev/null || fail "tshark -f failed"
wait
expect_eq "tshark -f 'udp dst port 9': only the 2 matching drops" \
	"$(tshark -r "$work/home/f.pcapng" -Y "frame.interface_description contains \"netns=$ns \"" -T fields \
		-e udp.dstport 2>/dev/null | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')" "9x2 "

# the probe of your choice: bpf_probe with -o extcap.bpf_probe.probespec
(sleep 3; python3 "$lib/send.py" udp 127.0.0.1 9 1 >/dev/null) &
as_user tshark -i bpf_probe -o "extcap.bpf_probe.probespec:tp:net:netif_rx,kfree_skb" \
	-a duration:6 -w "$work/home/probe.pcapng" 2>/dev/null || fail "bpf_probe capture failed"
wait
for p in netif_rx kfree_skb; do
	n=$(tshark -r "$work/home/probe.pcapng" -Y "udp.dstport==9 && !icmp && frame.interface_description contains \"netns=$ns \"" \
		-T fields -e frame.comment 2>/dev/null | grep -c "^$p " || true)
	expect_eq "bpf_probe captured at $p" "$n" 1
done

# a user outside group wireshark does not even see the interfaces
D2=$("$lib/asuser.sh" --no-wireshark "$work/home" -- tshark -D 2>/dev/null || true)
expect_eq "a non-member of group wireshark sees no bpf_ interface" \
	"$(printf '%s\n' "$D2" | grep -c 'bpf_' || true)" 0

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
