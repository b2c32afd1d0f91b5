# shellcheck shell=bash
# Host side of the kernel matrix: sourced (with the test script) by run.sh in a subshell whose
# current directory is the test's results directory from the guest, then host_check is called.
# Results: "ok: …" / "FAIL: …" lines in ./host-results. Environment: KT_SERIES (6.1, 6.12),
# KT_NO_SOCKET (the value of SKB_DROP_REASON_NO_SOCKET on that kernel), KT_TESTLIB (tests/lib).
RES=$PWD/host-results
: >"$RES"
# shellcheck disable=SC2034 # used by the host_check functions of guest/*.sh
NS_SELF=$(cat ns_self 2>/dev/null || echo none)
# shellcheck disable=SC2034 # used by the host_check functions of guest/*.sh
NS_PEER=$(cat ns_peer 2>/dev/null || echo none)
PCAPNG="python3 $KT_TESTLIB/pcapng.py"

pass() { echo "ok: $*" >>"$RES"; echo "ok: $*"; }
fail() { echo "FAIL: $*" >>"$RES"; echo "FAIL: $*" >&2; }
expect_eq() { # expect_eq NAME ACTUAL EXPECTED
	if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1: got '$2', expected '$3'"; fi
}
expect_match() { # expect_match NAME TEXT ERE
	if printf '%s\n' "$2" | grep -qE -- "$3"; then pass "$1"; else fail "$1: '$2' does not match /$3/"; fi
}
. "$KT_TESTLIB/capture.sh" # fields, count
# valid FILE: the capture exists and is structurally valid pcapng
valid() {
	if [ -s "$1" ] && $PCAPNG "$1" check >/dev/null 2>&1; then pass "$1 is valid pcapng"; else
		fail "$1 missing or not valid pcapng"
		return 1
	fi
}
# meta FILE [DISPLAYFILTER]: "reason_value<TAB>reason_name<TAB>probe<TAB>probe_type" from
# bpfcap's binary option, one line per packet (those matching the display filter); probe_type is
# the name the dissector shows (tracepoint, raw_tracepoint, kprobe, fentry, fexit, xdp, tc, prog)
meta() {
	python3 -c '
import struct, sys
sys.path.insert(0, sys.argv[2])
import pcapng
ifs, pkts, _ = pcapng.read(sys.argv[1])
keep = set(int(x) for x in sys.argv[3].split())
for i, p in enumerate(pkts):
    if i + 1 not in keep:
        continue
    tl = pcapng.meta_of(ifs[p["if"]], p)  # either metadata version, with the interface facts
    r = tl.get(11, "")
    t = tl.get(3, 0)
    types = pcapng.PROBE_TYPES
    print("%s\t%s\t%s\t%s" % (r, tl.get(12, b"").decode(), tl.get(2, b"").decode(),
                               types[t] if t < len(types) else t))
' "$1" "$KT_TESTLIB" "$(fields "$1" "${2:-frame}" frame.number)"
}
