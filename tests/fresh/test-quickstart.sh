#!/bin/sh
# The README's first command as a test: runs packaging/quickstart.sh (dependencies, build,
# install, a capture of provoked drops, the file decoded by tshark) and checks what a newcomer
# sees: exit 0, the decoded table with bpfcap's own fields (the dissector plugin loaded), and
# each of the three drop reasons the demo provokes.
#   sudo tests/fresh/test-quickstart.sh
set -u
[ "$(id -u)" = 0 ] || { echo "test-quickstart: run as root: sudo $0" >&2; exit 1; }
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp /tmp/bpfcap-quickstart-out.XXXXXX)
trap 'rm -f "$out"' EXIT
PASSES=0
FAILS=0
pass() { PASSES=$((PASSES + 1)); echo "ok: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }

"$top/packaging/quickstart.sh" >"$out" 2>&1
rc=$?
cat "$out"
[ $rc = 0 ] && pass "quickstart.sh exits 0" || fail "quickstart.sh exited $rc"
# the decoded part: after "== the capture file, decoded"
dec=$(sed -n '/^== the capture file, decoded/,$p' "$out")
echo "$dec" | grep -q 'bpfcap.reason_name' &&
	pass "the decoded table has bpfcap's fields (dissector plugin loaded by tshark)" ||
	fail "no bpfcap.reason_name column: the dissector plugin is not where tshark looks"
for r in NO_SOCKET NETFILTER_DROP NEIGH_FAILED; do
	n=$(echo "$dec" | grep -cw "$r")
	[ "$n" -ge 1 ] && pass "decoded output shows $r ($n packets)" || fail "decoded output has no $r drop"
done
# the live text lines (--print) name the probe and the reason too
sed -n '/^== capturing/,/^== the capture file/p' "$out" | grep -q 'kfree_skb .*NO_SOCKET' &&
	pass "live text lines show kfree_skb … NO_SOCKET" || fail "no live text line with NO_SOCKET"
echo "quickstart: $PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
