#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# End-to-end test of the Wireshark plugin on a real capture:
#   test-dissector.sh [BPFCAP [PLUGIN]]        (or env BPFCAP=... BPFCAP_PLUGIN=...)
#
# As root it re-executes itself in private network and mount namespaces, brings lo up, captures
# kernel drops (UDP and TCP to a closed port on 127.0.0.1 and ::1) with the real bpfcap binary,
# then runs tshark as an ordinary user (tests/lib/asuser.sh: root ignores personal plugin dirs)
# with the plugin in that user's personal plugin dir, and checks what a user sees: field values,
# display filters, the detail tree, expert info, files re-written by editcap, files whose binary
# option was stripped (comment fallback), corrupted files, and the "bpfcap" profile's columns
# and colouring rules.
#
# Exit: 0 pass, 1 fail (each failure says what differed), 77 skipped (not root, tools or
# binaries missing). BPFCAP_E2E_KEEP=1 keeps the work directory for inspection.
set -uo pipefail

self=$(readlink -f "$0")
here=$(dirname "$self")
top=$(cd "$here/../.." && pwd)
asuser=$top/tests/lib/asuser.sh
install_profile=${BPFCAP_PROFILE_INSTALL:-$top/dissector/install-profile.sh}

skip() {
    echo "SKIP: $*" >&2
    exit 77
}

BPFCAP=${1:-${BPFCAP:-}}
PLUGIN=${2:-${BPFCAP_PLUGIN:-}}

[ "$(id -u)" = 0 ] || skip "needs root (BPF, namespaces, switching to an ordinary user)"
for cmd in tshark editcap python3 unshare ip setpriv taskset stat; do
    command -v "$cmd" >/dev/null 2>&1 || skip "needs $cmd"
done
if [ -z "$BPFCAP" ] || [ ! -x "$BPFCAP" ]; then
    skip "bpfcap binary not given or not executable: '$BPFCAP'"
fi
if [ -z "$PLUGIN" ] || [ ! -f "$PLUGIN" ]; then
    skip "plugin not given or missing: '$PLUGIN'"
fi
[ -x "$asuser" ] || skip "missing $asuser"
BPFCAP=$(readlink -f "$BPFCAP")
PLUGIN=$(readlink -f "$PLUGIN")

# Private namespaces: the test's loopback traffic and mounts vanish with it (docs/style.md C9).
if [ -z "${BPFCAP_E2E_IN_NS:-}" ]; then
    exec env BPFCAP_E2E_IN_NS=1 unshare --net --mount -- "$self" "$BPFCAP" "$PLUGIN"
fi

failures=0
checks=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
ok() {
    checks=$((checks + 1))
    echo "ok: $*"
}
die() {
    echo "FAIL: $*" >&2
    exit 1
}
# check OK_MESSAGE FAIL_MESSAGE COMMAND...: one check, passed when COMMAND succeeds
check() {
    local pass=$1 msg=$2
    shift 2
    if "$@"; then
        ok "$pass"
    else
        fail "$msg"
    fi
}

work=$(mktemp -d /tmp/bpfcap-e2e.XXXXXX) || die "mktemp"
chmod 0755 "$work"
home=$work/home
cap_pid=
cleanup() {
    [ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
    if [ "${BPFCAP_E2E_KEEP:-0}" = 1 ]; then
        echo "kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

# Reads and rewrites pcapng files: "count F" prints EPBs, bpfcap options, comments;
# "strip IN OUT" drops bpfcap's option 2989 (keeps the comment); "mutate SEED IN OUT" damages
# the metadata inside each option (bit flips, bad lengths, cuts, bad magic/version) while keeping
# the pcapng structure valid, so the plugin, not wiretap, has to cope.
pcapng_edit_py=$(
    cat <<'PY'
import random, struct, sys

PEN, OPT = 32473, 2989


def blocks(d):
    p, e = 0, "<"
    while p + 12 <= len(d):
        if struct.unpack("<I", d[p:p + 4])[0] == 0x0A0D0D0A:
            e = "<" if struct.unpack("<I", d[p + 8:p + 12])[0] == 0x1A2B3C4D else ">"
        bt, tl = struct.unpack(e + "II", d[p:p + 8])
        if tl < 12 or p + tl > len(d):
            sys.exit("pcapng_edit: bad block at offset %d" % p)
        yield e, bt, d[p:p + tl]
        p += tl


def epb_split(blk, e):
    cl = struct.unpack(e + "I", blk[20:24])[0]
    o = 28 + ((cl + 3) & ~3)
    return blk[8:o], blk[o:-4]


def options(b, e):
    out, p = [], 0
    while p + 4 <= len(b):
        code, ln = struct.unpack(e + "HH", b[p:p + 4])
        if code == 0:
            break
        out.append((code, b[p + 4:p + 4 + ln]))
        p += 4 + ((ln + 3) & ~3)
    return out


def ours(code, v, e):
    return code == OPT and len(v) >= 4 and struct.unpack(e + "I", v[:4])[0] == PEN


def mutate(m, rng):
    m = bytearray(m)
    how = rng.randrange(8)
    if how == 0 and m:
        for _ in range(rng.randint(1, 4)):
            m[rng.randrange(len(m))] = rng.randrange(256)
    elif how == 1:
        m = m[:rng.randrange(len(m) + 1)]
    elif how == 2 and len(m) >= 12:
        off = 8 + 4 * rng.randrange((len(m) - 8) // 4)
        if off + 4 <= len(m):
            m[off + 2:off + 4] = struct.pack("<H", rng.choice([0, 1, 3, 5, 9, 0xFFFF, rng.randrange(65536)]))
    elif how == 3 and len(m) > 4:
        m[4] = rng.choice([0, 2, 255])
    elif how == 4 and m:
        m[rng.randrange(min(4, len(m)))] ^= 0x20
    elif how == 5:
        v = bytes(rng.randrange(256) for _ in range(rng.randrange(9)))
        m += struct.pack("<HH", rng.choice([0, 29, 100, 0xFFFF]), len(v)) + v + b"\0" * (-len(v) % 4)
    elif how == 6:
        m += bytes(rng.randrange(256) for _ in range(rng.randint(1, 7)))
    else:
        m += struct.pack("<HH", rng.choice([1, 3, 4, 15, 21, 22]), 3) + b"abc\0"
    return bytes(m)


cmd = sys.argv[1]
if cmd == "count":
    epb = opt = com = 0
    for e, bt, blk in blocks(open(sys.argv[2], "rb").read()):
        if bt == 6:
            epb += 1
            for code, v in options(epb_split(blk, e)[1], e):
                opt += ours(code, v, e)
                com += code == 1
    print(epb, opt, com)
    sys.exit(0)
rng = None if cmd == "strip" else random.Random(int(sys.argv[2]))
src, dst = sys.argv[-2:]
out = bytearray()
for e, bt, blk in blocks(open(src, "rb").read()):
    if bt != 6:
        out += blk
        continue
    head, optbytes = epb_split(blk, e)
    body = bytearray(head)
    opts = []
    for code, v in options(optbytes, e):
        if ours(code, v, e):
            if rng is None:
                continue
            v = v[:4] + mutate(v[4:], rng)
            if len(v) > 0xFFFF:
                v = v[:0xFFFF]
        opts.append((code, v))
    for code, v in opts:
        body += struct.pack(e + "HH", code, len(v)) + v + b"\0" * (-len(v) % 4)
    if opts:
        body += struct.pack(e + "HH", 0, 0)
    tl = 12 + len(body)
    out += struct.pack(e + "II", 6, tl) + body + struct.pack(e + "I", tl)
open(dst, "wb").write(out)
PY
)
pcapng_edit() {
    python3 -c "$pcapng_edit_py" "$@"
}

# tshark as the ordinary user; stderr is kept for the failure message.
as_user() {
    "$asuser" "$home" -- "$@" 2>"$work/stderr"
}
tshark_u() {
    as_user tshark "$@"
}
# count FILE FILTER: packets of FILE that FILTER selects
count() {
    tshark_u -r "$1" -Y "$2" -T fields -e frame.number | wc -l
}
# rows FILE: one line per packet, the columns the checks below look at
rows() {
    tshark_u -r "$1" -T fields -E separator=/t -E occurrence=f \
        -e frame.number -e bpfcap.probe -e bpfcap.reason_name -e bpfcap.ifname -e bpfcap.cpu \
        -e bpfcap.netns -e bpfcap.derived -e ip.dst -e ipv6.dst -e udp.dstport -e tcp.dstport \
        -e bpfcap.comm -e bpfcap.pid
}

ws_ver=$(tshark --version 2>/dev/null | sed -n '1s/^TShark (Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')
[ -n "$ws_ver" ] || die "cannot read the Wireshark version from 'tshark --version'"
plugin_dir=$home/.local/lib/wireshark/plugins/$ws_ver/epan
mkdir -p "$plugin_dir" || die "mkdir $plugin_dir"
cp "$PLUGIN" "$plugin_dir/bpfcap.so" || die "copy the plugin"

# --- the plugin loads for an ordinary user and registers every field -------------------------
if tshark_u -G plugins | grep -q 'bpfcap\.so'; then
    ok "tshark run by user bpfcaptest loads $PLUGIN"
else
    die "tshark -G plugins does not list bpfcap.so from $plugin_dir (built for another Wireshark than $ws_ver?): $(cat "$work/stderr")"
fi
tshark_u -G fields >"$work/fields.txt"
missing=
for f in probe probe_id probe_type cpu ifindex ifname netns reason reason_name reason_subsys \
    mark protocol pkt_type queue pid tid comm skb_id len data_len truncated verdict \
    verdict_kind stack location location_addr direction skb_iif dev_type synthesized derived \
    vlan vlan.tpid vlan.pcp vlan.dei vlan.restored stack.frame; do
    grep -qP "^F\t[^\t]*\tbpfcap\.$f\t" "$work/fields.txt" || missing="$missing bpfcap.$f"
done
check "all bpfcap fields registered" "fields not registered:$missing" [ -z "$missing" ]

# --- a real capture of kernel drops in this namespace -----------------------------------------
ip link set lo up || die "ip link set lo up"
ns=$(stat -L -c %i /proc/self/ns/net)
cap=$home/drops.pcapng
"$BPFCAP" capture -w "$cap" --duration "${BPFCAP_E2E_DURATION:-4}" >"$work/bpfcap.out" 2>&1 &
cap_pid=$!

size() { stat -c %s "$1" 2>/dev/null || echo 0; }
# Drops on demand, synchronously (bash's /dev/udp and /dev/tcp; nc -w0 can exit before it has
# read its stdin on a busy machine): a datagram, or a SYN answered by RST, to a closed port.
udp_drop() { taskset -c "$1" bash -c "echo drop >/dev/udp/$2/9" 2>/dev/null || true; }
tcp_drop() { taskset -c "$1" bash -c "exec 3<>/dev/tcp/$2/9" 2>/dev/null || true; }
# up to two CPUs this process may run on, so that bpfcap.cpu takes more than one value
read -r -a cpus < <(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0))[:2])')
poke() { udp_drop "${cpus[0]}" 127.0.0.1; }
# Live once the section header is out and a poked drop follows it into the file.
for _ in $(seq 100); do
    [ "$(size "$cap")" -gt 0 ] && break
    kill -0 "$cap_pid" 2>/dev/null || break
    sleep 0.05
done
base=$(size "$cap")
live=0
for _ in $(seq 40); do
    kill -0 "$cap_pid" 2>/dev/null || break
    poke
    sleep 0.1
    if [ "$(size "$cap")" -gt "$base" ]; then
        live=1
        break
    fi
done
[ "$live" = 1 ] || die "bpfcap did not capture a drop (file $(size "$cap") bytes): $(cat "$work/bpfcap.out")"

for c in "${cpus[@]}"; do
    for dst in 127.0.0.1 ::1; do
        udp_drop "$c" "$dst"
        tcp_drop "$c" "$dst"
    done
done
wait "$cap_pid"
rc=$?
cap_pid=
[ "$rc" = 0 ] || die "bpfcap capture exited with $rc: $(cat "$work/bpfcap.out")"
chmod 0644 "$cap"
read -r n_epb n_opt n_com < <(pcapng_edit count "$cap")
if [ "$n_epb" = 0 ] || [ "$n_opt" != "$n_epb" ] || [ "$n_com" != "$n_epb" ]; then
    die "capture has $n_epb packets, $n_opt bpfcap options, $n_com comments (want one of each per packet)"
fi
ok "captured $n_epb packets, each with option 2989 and a comment (netns $ns)"

# --- field values: the drops provoked here ------------------------------------------------------
rows "$cap" >"$work/rows.txt" || fail "tshark -T fields failed: $(cat "$work/stderr")"
awk -F'\t' -v ns="$ns" '$6 == ns' "$work/rows.txt" >"$work/ours.txt"
n_ours=$(wc -l <"$work/ours.txt")
want=$((4 * ${#cpus[@]}))
check "$n_ours packets from netns $ns (sent $want + pokes)" \
    "$n_ours packets with bpfcap.netns == $ns, want at least $want; rows:
$(cat "$work/rows.txt")
bpfcap said: $(cat "$work/bpfcap.out")" [ "$n_ours" -ge "$want" ]
bad=$(awk -F'\t' '$2 != "tp:skb:kfree_skb" || $3 != "NO_SOCKET" || $4 != "lo" || $5 !~ /^[0-9]+$/ || ($7 != "0" && $7 != "False")' "$work/ours.txt")
check "probe tp:skb:kfree_skb, reason_name NO_SOCKET, ifname lo, a cpu, not derived" \
    "unexpected values (frame probe reason ifname cpu netns derived ...):
$bad" [ -z "$bad" ]
for proto in udp tcp; do
    for dst in 127.0.0.1 ::1; do
        n=$(awk -F'\t' -v p="$proto" -v d="$dst" '($8 == d || $9 == d) &&
            ((p == "udp" && $10 == 9) || (p == "tcp" && $11 == 9))' "$work/ours.txt" | wc -l)
        check "a $proto drop to $dst port 9" "no $proto drop to $dst port 9 decoded" [ "$n" -gt 0 ]
    done
done

# the task on the CPU: bash sends the datagrams and the loopback drop runs in its softirq
bad=$(awk -F'\t' '$12 == "" || $13 !~ /^[0-9]+$/' "$work/ours.txt")
check "every packet names the task on the CPU (bpfcap.comm, bpfcap.pid)" \
    "packets without comm or pid (frame ... comm pid):
$bad" [ -z "$bad" ]
n=$(awk -F'\t' '$12 == "bash" && $10 == 9' "$work/ours.txt" | wc -l)
check "UDP drops sent by bash say bpfcap.comm == bash ($n)" \
    "no UDP drop with bpfcap.comm bash; comms seen: $(cut -f12 "$work/ours.txt" | sort | uniq -c | tr '\n' ' ')" \
    [ "$n" -gt 0 ]

# --- display filters select what the fields say ------------------------------------------------
total=$(count "$cap" frame)
[ "$total" = "$n_epb" ] || fail "tshark reads $total packets, the file has $n_epb"
n=$(count "$cap" bpfcap)
check "filter 'bpfcap' selects all $total packets" "filter 'bpfcap' selects $n of $total" \
    [ "$n" = "$total" ]
expect=$(awk -F'\t' '$3 == "NO_SOCKET"' "$work/rows.txt" | wc -l)
n=$(count "$cap" 'bpfcap.reason_name == "NO_SOCKET"')
good=0
[ "$n" = "$expect" ] && [ "$n" -ge "$n_ours" ] && good=1
check "filter bpfcap.reason_name == \"NO_SOCKET\": $n" \
    "filter bpfcap.reason_name == \"NO_SOCKET\" selects $n, the fields say $expect (>= $n_ours)" \
    [ "$good" = 1 ]
expect=$(awk -F'\t' '$4 == "lo"' "$work/rows.txt" | wc -l)
n=$(count "$cap" 'bpfcap.ifname == "lo"')
check "filter bpfcap.ifname == \"lo\": $n" \
    "filter bpfcap.ifname == \"lo\" selects $n, the fields say $expect" [ "$n" = "$expect" ]
n=$(count "$cap" "bpfcap.netns == $ns")
check "filter bpfcap.netns == $ns: $n" "filter bpfcap.netns == $ns selects $n, the fields say $n_ours" \
    [ "$n" = "$n_ours" ]
while read -r c; do
    expect=$(awk -F'\t' -v c="$c" '$5 == c' "$work/rows.txt" | wc -l)
    n=$(count "$cap" "bpfcap.cpu == $c")
    check "filter bpfcap.cpu == $c: $n" "filter bpfcap.cpu == $c selects $n, the fields say $expect" \
        [ "$n" = "$expect" ]
done < <(cut -f5 "$work/rows.txt" | sort -u)
for f in 'bpfcap.reason_name == "NO_SUCH_REASON"' 'bpfcap.derived == 1' 'bpfcap.malformed' \
    '_ws.malformed'; do
    n=$(count "$cap" "$f")
    check "filter $f: none" "filter $f selects $n packets, want none" [ "$n" = 0 ]
done

# --- the detail tree, the metadata tab and expert info -----------------------------------------
first=$(head -n1 "$work/ours.txt" | cut -f1)
first_cpu=$(head -n1 "$work/ours.txt" | cut -f5)
summary="bpfcap: kfree_skb, reason NO_SOCKET, dev lo(1), cpu $first_cpu"
tshark_u -r "$cap" -V -x -Y "frame.number == $first" >"$work/detail.txt"
sed -n '/^bpfcap: /,/^[^ ]/p' "$work/detail.txt" | sed '$d' >"$work/tree.txt"
echo "--- tshark -V, frame $first, the bpfcap tree:"
cat "$work/tree.txt"
echo "---"
check "summary line '$summary'" "no summary line '$summary' in frame $first" \
    grep -qxF "$summary" "$work/tree.txt"
for line in "Probe: tp:skb:kfree_skb" "Interface name: lo" "Network namespace: $ns" \
    "Drop reason name: NO_SOCKET" "Dropped by the kernel: NO_SOCKET"; do
    check "tree shows '$line'" "tree lacks '$line'" grep -qF "$line" "$work/tree.txt"
done
check "'bpfcap metadata' bytes tab" "no 'bpfcap metadata' data source in tshark -x output" \
    grep -qE '^bpfcap metadata \([0-9]+ bytes\):' "$work/detail.txt"
tshark_u -r "$cap" -q -z expert,note >"$work/expert.txt"
expect=$(awk -F'\t' '$3 == "NO_SOCKET"' "$work/rows.txt" | wc -l)
n=$(awk '/Sequence +bpfcap +Dropped by the kernel: NO_SOCKET$/ { print $1 }' "$work/expert.txt")
check "expert info groups $n drops under 'Dropped by the kernel: NO_SOCKET'" \
    "expert info 'Dropped by the kernel: NO_SOCKET' counts '$n', want $expect:
$(cat "$work/expert.txt")" [ "$n" = "$expect" ]

# --- editcap keeps option 2989: the re-written file decodes the same ---------------------------
as_user editcap "$cap" "$home/edited.pcapng" || fail "editcap failed: $(cat "$work/stderr")"
read -r e_epb e_opt _ < <(pcapng_edit count "$home/edited.pcapng")
good=0
[ "$e_opt" = "$e_epb" ] && [ "$e_epb" = "$n_epb" ] && good=1
check "editcap kept option 2989 on all $e_epb packets" \
    "editcap output has $e_opt options for $e_epb packets (input: $n_epb)" [ "$good" = 1 ]
rows "$home/edited.pcapng" >"$work/rows-edited.txt"
check "editcap re-written file decodes identically" "editcap re-written file decodes differently:
$(diff "$work/rows.txt" "$work/rows-edited.txt" | head)" cmp -s "$work/rows.txt" "$work/rows-edited.txt"

# --- every field on every packet after "Export Specified Packets" and mergecap ----------------
# version 2 keeps the interface's facts (probe, device, netns) in its IDB description: a subset
# of the packets, and two captures merged, must still decode in full
tshark_u -r "$cap" -Y 'bpfcap.reason_name == "NO_SOCKET"' -w "$home/exported.pcapng" ||
    fail "tshark -w of the NO_SOCKET drops failed: $(cat "$work/stderr")"
rows "$home/exported.pcapng" | cut -f2- >"$work/rows-exported.txt"
awk -F'\t' '$3 == "NO_SOCKET"' "$work/rows.txt" | cut -f2- >"$work/rows-noskt.txt"
check "exported packets ($(wc -l <"$work/rows-exported.txt")) decode as in the whole file" \
    "exported packets decode differently:
$(diff "$work/rows-noskt.txt" "$work/rows-exported.txt" | head)" \
    cmp -s "$work/rows-noskt.txt" "$work/rows-exported.txt"
# a file of bpfcap 0.2 (metadata version 1: every field in each packet, netns= in the comment)
cp "$top/tests/e2e/data/bpfcap-0.2-kfree_skb.pcapng" "$home/v1.pcapng" && chmod 644 "$home/v1.pcapng"
as_user mergecap -I none -w "$home/merged.pcapng" "$home/exported.pcapng" "$home/v1.pcapng" ||
    fail "mergecap failed: $(cat "$work/stderr")"
v1rows=$(tshark_u -r "$home/v1.pcapng" -T fields -E separator=/t -e bpfcap.version \
    -e bpfcap.probe -e bpfcap.netns -e bpfcap.reason_name -e bpfcap.location -e bpfcap.ifname | sort -u)
check "a bpfcap 0.2 file (version 1) decodes: $v1rows" "version 1 file decodes as '$v1rows'" \
    test "$v1rows" = "$(printf '1\ttp:skb:kfree_skb\t4026531833\tNO_SOCKET\t__udp4_lib_rcv+0x4bc\tlo')"
n_merged=$(count "$home/merged.pcapng" "bpfcap.probe && bpfcap.netns && bpfcap.ifindex && bpfcap.reason_name")
n_want=$(( $(wc -l <"$work/rows-exported.txt") + 3 ))
check "mergecap of a version-2 and a version-1 capture: all $n_merged packets have probe, netns, device, reason" \
    "merged file: $n_merged of $n_want packets decode in full" [ "$n_merged" = "$n_want" ]

# --- option stripped, comment kept: fields derived from the comment ----------------------------
pcapng_edit strip "$cap" "$home/stripped.pcapng" || die "stripping option 2989 failed"
read -r s_epb s_opt s_com < <(pcapng_edit count "$home/stripped.pcapng")
if [ "$s_opt" != 0 ] || [ "$s_com" != "$s_epb" ]; then
    die "stripped file still has $s_opt options, $s_com comments for $s_epb packets"
fi
rows "$home/stripped.pcapng" >"$work/rows-stripped.txt"
# frame, reason_name, ifname, cpu, netns must match the binary decode; probe is the short name
diff <(cut -f1,3-6 "$work/rows.txt") <(cut -f1,3-6 "$work/rows-stripped.txt") >"$work/diff.txt"
check "comment fallback: reason_name, ifname, cpu, netns as from the option" \
    "comment fallback decodes differently (frame reason ifname cpu netns):
$(head "$work/diff.txt")" [ ! -s "$work/diff.txt" ]
bad=$(awk -F'\t' -v ns="$ns" '$6 == ns && ($2 != "kfree_skb" || ($7 != "1" && $7 != "True"))' "$work/rows-stripped.txt")
check "comment fallback: probe kfree_skb, bpfcap.derived true" \
    "comment fallback: want probe kfree_skb and derived, got:
$bad" [ -z "$bad" ]
n=$(count "$home/stripped.pcapng" 'bpfcap.derived == 1')
check "filter bpfcap.derived == 1 selects all $n stripped packets" \
    "filter bpfcap.derived == 1 selects $n of $s_epb stripped packets" [ "$n" = "$s_epb" ]
tshark_u -r "$home/stripped.pcapng" -V -Y "frame.number == $first" >"$work/detail-stripped.txt"
derived_summary="[$summary [derived from comment]]"
check "derived summary '$derived_summary'" \
    "no '$derived_summary' for frame $first of the stripped file" \
    grep -qxF "$derived_summary" "$work/detail-stripped.txt"

# --- corrupted files never crash tshark -------------------------------------------------------
crashed=0
malformed=0
for seed in 1 2 3 4 5; do
    as_user editcap -E 0.05 --seed "$seed" "$cap" "$home/noise-$seed.pcapng" ||
        fail "editcap -E 0.05 --seed $seed failed: $(cat "$work/stderr")"
    pcapng_edit mutate "$seed" "$cap" "$home/mutated-$seed.pcapng" || die "mutating the metadata failed"
    for f in "$home/noise-$seed.pcapng" "$home/mutated-$seed.pcapng"; do
        tshark_u -r "$f" -V -x >/dev/null
        rc=$?
        if [ "$rc" -ge 128 ]; then
            crashed=$((crashed + 1))
            fail "tshark -V on $(basename "$f") died from signal $((rc - 128)): $(tail -n3 "$work/stderr")"
        fi
        tshark_u -r "$f" -T fields -e bpfcap.probe -e bpfcap.cpu -e bpfcap.stack >/dev/null
        rc=$?
        [ "$rc" -lt 128 ] || { crashed=$((crashed + 1)); fail "tshark -T fields on $(basename "$f") died from signal $((rc - 128))"; }
    done
    m=$(count "$home/mutated-$seed.pcapng" bpfcap.malformed)
    malformed=$((malformed + m))
    # damaged metadata is reported (bpfcap.malformed, which also sets _ws.malformed), never
    # an exception: every length was checked by the codec before a tree item used it
    n=$(count "$home/mutated-$seed.pcapng" "_ws.malformed.expert || _ws.malformed.dissector_bug")
    [ "$n" = 0 ] || fail "mutated-$seed.pcapng: $n packets raised a dissector exception, want 0"
done
[ "$crashed" = 0 ] && ok "10 corrupted files (editcap -E 0.05, damaged metadata), no crash"
check "damaged metadata flagged bpfcap.malformed in $malformed packets" \
    "no packet of the damaged-metadata files raised bpfcap.malformed" [ "$malformed" -gt 0 ]

# --- the "bpfcap" profile: columns and colouring rules -----------------------------------------
as_user sh "$install_profile" >/dev/null || fail "install-profile.sh failed: $(cat "$work/stderr")"
tshark_u -C bpfcap -r "$cap" -T psml -Y "frame.number == $first" >"$work/psml.txt" ||
    fail "tshark -C bpfcap failed: $(cat "$work/stderr")"
heads=$(sed -n '/<structure>/,/<\/structure>/s/.*<section>\(.*\)<\/section>.*/\1/p' "$work/psml.txt" | paste -sd,)
check "profile columns: $heads" "profile columns are '$heads'" \
    [ "$heads" = "No.,Time,Probe,Device,Reason,Source,Destination,Protocol,Info" ]
vals=$(sed -n '/<packet>/,/<\/packet>/s/.*<section>\(.*\)<\/section>.*/\1/p' "$work/psml.txt" | sed -n '3,5p' | paste -sd,)
check "profile columns of frame $first: $vals" "Probe,Device,Reason of frame $first are '$vals'" \
    [ "$vals" = "tp:skb:kfree_skb,lo,NO_SOCKET" ]
line=$(tshark_u -C bpfcap -r "$cap" -Y "frame.number == $first")
check "tshark -C bpfcap line: $line" \
    "tshark -C bpfcap line lacks 'tp:skb:kfree_skb lo NO_SOCKET': $line" \
    grep -q 'tp:skb:kfree_skb lo NO_SOCKET' <<<"$line"
line=$(tshark_u -r "$cap" -Y "frame.number == $first")
check "without the profile no Reason column" "without the profile the line shows NO_SOCKET: $line" \
    test "${line/NO_SOCKET/}" = "$line"
rule=$(tshark_u -C bpfcap --color -r "$cap" -Y "frame.number == $first" -T fields -e frame.coloring_rule.name)
check "colouring rule '$rule'" "frame $first coloured by '$rule', want 'bpfcap: drop, no socket'" \
    [ "$rule" = "bpfcap: drop, no socket" ]
# the colours themselves, as tshark --color draws them on a terminal (script gives it a tty)
if command -v script >/dev/null 2>&1; then
    as_user env TERM=xterm-256color COLORTERM=truecolor script -qc \
        "tshark -C bpfcap --color -r '$cap' -Y 'frame.number == $first'" /dev/null >"$work/color.txt"
    check "frame $first drawn black on light red (255,216,216)" \
        "frame $first not drawn black on light red: $(cat -v "$work/color.txt")" \
        grep -qF $'\e[38;2;0;0;0m\e[48;2;255;216;216m' "$work/color.txt"
fi

# --- a VLAN tag the kernel carried out of band: bpfcap.vlan and the restored 802.1Q header -----
# (a veth pair into a namespace whose transmit path tags every packet out of band, as a VLAN
# device with tx offload does: tests/progs/bpfcap-test-vlan)
tagger=$(dirname "$BPFCAP")/../tests/progs/bpfcap-test-vlan
if [ -x "$tagger" ] && mkdir -p /run/netns && mount -t tmpfs -o size=1m vt /run/netns &&
    ip netns add vpeer && ip link add va type veth peer name vb netns vpeer; then
    ip addr add 10.78.0.1/24 dev va && ip link set va up
    ip -n vpeer addr add 10.78.0.2/24 dev vb && ip -n vpeer link set vb up
    ip -n vpeer neigh replace 10.78.0.1 lladdr "$(ip -br link show va | awk '{print $3}')" \
        dev vb nud permanent
    ip netns exec vpeer "$tagger" vb 0x8100:0x2064 >"$work/tagger.out" 2>&1 &
    tp=$!
    vcap=$work/vlan.pcapng
    "$BPFCAP" capture -v -p netif_receive_skb -i va --duration 6 -w "$vcap" 'vlan and udp port 9999' \
        >"$work/vlan.out" 2>&1 &
    cp=$!
    i=0
    until grep -q "attached through" "$work/vlan.out" 2>/dev/null || [ $i -ge 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    ip netns exec vpeer python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    s.sendto(b"vlan", ("10.78.0.1", 9999))'
    wait "$cp" || true
    kill "$tp" 2>/dev/null
    wait "$tp" 2>/dev/null
    chmod 644 "$vcap" 2>/dev/null
    vrow=$(tshark_u -r "$vcap" -T fields -E separator=/t -e bpfcap.vlan -e bpfcap.vlan.tpid \
        -e bpfcap.vlan.pcp -e bpfcap.vlan.restored -e vlan.id | sed 's/\tTrue\t/\t1\t/' | sort -u)
    # (booleans print as 1 up to Wireshark 4.0, as True since)
    check "bpfcap.vlan 100, TPID 0x8100, priority 1, restored; the frame's 802.1Q header says 100" \
        "VLAN fields: '$vrow' ($(cat "$work/vlan.out"))" \
        test "$vrow" = "$(printf '100\t0x8100\t1\t1\t100')"
    n=$(count "$vcap" 'bpfcap.vlan == 100 && bpfcap.vlan.restored && vlan.id == 100')
    check "filter 'bpfcap.vlan == 100 && bpfcap.vlan.restored' keeps the 3 datagrams" \
        "the filter kept $n" [ "$n" = 3 ]
    ip netns del vpeer
else
    echo "SKIP VLAN part: no $tagger or no namespace" >&2
fi

if [ "$failures" -gt 0 ]; then
    echo "FAIL: $failures of $((checks + failures)) checks failed" >&2
    exit 1
fi
echo "PASS: $checks checks"
