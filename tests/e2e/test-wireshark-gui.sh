#!/bin/sh
# GUI smoke test: Wireshark (Qt) under Xvfb, run by an ordinary member of group 'wireshark',
# lists "BPF kfree_skb", captures on it while drops are provoked, and shows the packets.
# Screenshots are kept as test artifacts in $BPFCAP_ARTIFACTS (default: ./test-artifacts).
#   test-wireshark-gui.sh PATH_TO_BPFCAP
set -eu
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
for c in wireshark xvfb-run xdotool xwd; do
	command -v $c >/dev/null || { echo "SKIP: $c missing (packages wireshark-qt xvfb xdotool x11-apps)" >&2; exit 77; }
done
BPFCAP=$(realpath "${1:?usage: $0 PATH_TO_BPFCAP}")
ART=$(realpath -m "${BPFCAP_ARTIFACTS:-$PWD/test-artifacts}")
here=$(cd "$(dirname "$0")" && pwd)
lib=$here/../lib
if [ -z "${IN_NS:-}" ]; then
	exec env IN_NS=1 BPFCAP_ARTIFACTS="$ART" unshare --net --mount -- "$0" "$BPFCAP"
fi
ip link set lo up
mkdir -p "$ART"
work=$(mktemp -d /tmp/bpfcap-gui.XXXXXX)
# a port of our own: the capture sees the whole host's drops, other tests' included
PORT=$((20000 + $$ % 40000))
chmod 755 "$work"
trap 'pkill -u bpfcaptest -f "wireshark|Xvfb" 2>/dev/null || true; rm -rf "$work"' EXIT
PASSES=0
FAILS=0
pass() { PASSES=$((PASSES + 1)); echo "ok: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }

mkdir -p "$work/tmp"
. "$lib/wsdirs.sh"
xdir=$(ws_personal_extcap_dir "$lib/asuser.sh" "$work/home")
chown bpfcaptest "$work/tmp"
"$here/../../packaging/install-extcap.sh" "$BPFCAP" "$xdir" >/dev/null

# the script the user runs inside Xvfb
cat >"$work/gui.sh" <<'GUI'
#!/bin/sh
cd "$HOME"
export TMPDIR=$1
wireshark -D >"$TMPDIR/list.txt" 2>/dev/null
# -w: Wireshark's capture file at a known place. Its temporary file would not be: when dumpcap
# has file capabilities (Debian's "non-superusers may capture" answer), glibc's secure mode drops
# TMPDIR from dumpcap's environment and the file goes to /tmp.
wireshark -i bpf_kfree_skb -k -w "$TMPDIR/gui.pcapng" -o gui.update.enabled:FALSE -o gui.ask_unsaved:FALSE \
	>"$TMPDIR/wireshark.log" 2>&1 &
WS=$!
i=0
until xdotool search --onlyvisible --name 'Capturing from' >/dev/null 2>&1 || [ $i -ge 60 ]; do
	sleep 0.5; i=$((i + 1))
done
xdotool search --onlyvisible --name 'Capturing from' getwindowname >"$TMPDIR/title.txt" 2>/dev/null || true
sleep 2
touch "$TMPDIR/ready"
# wait for the drops, let them show, take the screenshot
while [ ! -e "$TMPDIR/sent" ]; do sleep 0.2; done
sleep 3
xwd -root -silent >"$TMPDIR/capturing.xwd"
W=$(xdotool search --onlyvisible --name 'Capturing from' | head -1)
xdotool windowactivate --sync "$W" 2>/dev/null || xdotool windowfocus "$W" 2>/dev/null || true
xdotool key --clearmodifiers ctrl+e   # Capture -> Stop
sleep 3
xwd -root -silent >"$TMPDIR/stopped.xwd"
kill $WS 2>/dev/null
sleep 1
kill -9 $WS 2>/dev/null
exit 0
GUI
chmod 755 "$work/gui.sh"
"$lib/asuser.sh" --wireshark "$work/home" -- xvfb-run -a -s "-screen 0 1280x800x24" \
	"$work/gui.sh" "$work/tmp" &
G=$!
i=0
until [ -e "$work/tmp/ready" ] || [ $i -ge 90 ]; do sleep 0.5; i=$((i + 1)); done
python3 "$lib/send.py" udp 127.0.0.1 "$PORT" 3 --size 64 >/dev/null
python3 "$lib/send.py" tcp 127.0.0.1 "$PORT" 1 >/dev/null
touch "$work/tmp/sent"
wait $G || true

grep -q 'bpf_kfree_skb (BPF kfree_skb (dropped packets))' "$work/tmp/list.txt" &&
	pass "wireshark -D lists BPF kfree_skb" || fail "wireshark -D: $(cat "$work/tmp/list.txt")"
grep -q 'Capturing from BPF kfree_skb' "$work/tmp/title.txt" 2>/dev/null &&
	pass "Wireshark is capturing on BPF kfree_skb ($(cat "$work/tmp/title.txt"))" ||
	fail "no 'Capturing from BPF kfree_skb' window; log: $(tail -5 "$work/tmp/wireshark.log")"
# the packets Wireshark received: its capture file
f=$work/tmp/gui.pcapng
if [ -s "$f" ]; then
	n=$(tshark -r "$f" -Y "udp.dstport==$PORT && !icmp && frame.interface_description contains \"netns=$(stat -L -c %i /proc/self/ns/net) \"" -T fields -e frame.comment 2>/dev/null |
		grep -c 'reason=NO_SOCKET' || true)
	[ "$n" = 3 ] && pass "Wireshark received the 3 UDP drops with their comments" ||
		fail "Wireshark's capture has $n of the 3 UDP drops"
	isb=$(python3 "$lib/pcapng.py" "$f" isb | grep -c . || true)
	[ "$isb" -ge 1 ] && pass "GUI stop: the final ISB reached Wireshark's file" ||
		fail "no ISB in Wireshark's file after stop"
	cp "$f" "$ART/wireshark-gui.pcapng"
else
	fail "Wireshark wrote no capture file ($f); log: $(tail -5 "$work/tmp/wireshark.log")"
fi
for s in capturing stopped; do
	if [ -s "$work/tmp/$s.xwd" ] && [ -x /usr/bin/convert ]; then
		/usr/bin/convert "xwd:$work/tmp/$s.xwd" "$ART/wireshark-gui-$s.png" 2>/dev/null &&
			pass "screenshot kept: $ART/wireshark-gui-$s.png"
	elif [ -s "$work/tmp/$s.xwd" ]; then
		cp "$work/tmp/$s.xwd" "$ART/wireshark-gui-$s.xwd" && pass "screenshot kept (xwd)"
	fi
done
echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
