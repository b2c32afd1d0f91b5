#!/bin/sh
# Golden outputs of every extcap query mode: exit 0, nothing on stderr, exactly the grammar
# lines expected. Lines derived from the running kernel's BTF (probe catalog, drop reasons) and
# from its devices are checked for shape, not content. No root needed.
#   test-extcap-queries.sh PATH_TO_BPFCAP
set -u
B=${1:?usage: $0 PATH_TO_BPFCAP}
G=$(cd "$(dirname "$0")" && pwd)/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
P=0
F=0
ok() { P=$((P + 1)); echo "ok: $*"; }
no() { F=$((F + 1)); echo "FAIL: $*" >&2; }

# q NAME GOLDEN FILTER ARGS...: run a query, compare with the golden file after FILTER (a grep -vE
# pattern of machine-dependent lines, or '' for none)
q() {
	name=$1 golden=$2 filt=$3
	shift 3
	rc=0
	t0=$(date +%s%N)
	"$B" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$rc" = 0 ] && ok "$name: exit 0" || no "$name: exit $rc"
	[ -s "$tmp/err" ] && no "$name: stderr not empty: $(cat "$tmp/err")" || ok "$name: stderr empty"
	[ "$ms" -lt 2000 ] && ok "$name: answered in $ms ms" || no "$name: took $ms ms"
	if [ -n "$filt" ]; then grep -vE "$filt" "$tmp/out" >"$tmp/cmp"; else cp "$tmp/out" "$tmp/cmp"; fi
	if diff -u "$G/$golden" "$tmp/cmp" >"$tmp/diff"; then ok "$name: matches $golden"; else
		no "$name: differs from $golden:"; cat "$tmp/diff" >&2; fi
	bad=$(grep -cvE '^(extcap|interface|dlt|arg|value|control) \{' "$tmp/out")
	[ "$bad" = 0 ] && ok "$name: only grammar lines" || no "$name: $bad non-grammar lines"
}

q interfaces extcap-interfaces.txt '' --extcap-interfaces --extcap-version=4.0
q dlts extcap-dlts.txt '' --extcap-dlts --extcap-interface bpf_kfree_skb
# machine-dependent values: probe catalog (0) and drop reasons (6) from BTF, devices (11),
# loaded programs (13)
btf='^value \{arg=(0|6|11|13)\}'
q config-kfree_skb extcap-config-bpf_kfree_skb.txt "$btf" --extcap-config \
	--extcap-interface bpf_kfree_skb --extcap-version=4.0
q config-netif_receive_skb extcap-config-bpf_netif_receive_skb.txt "$btf" --extcap-config \
	--extcap-interface bpf_netif_receive_skb --extcap-version=4.0
q config-probe extcap-config-bpf_probe.txt "$btf" --extcap-config --extcap-interface bpf_probe \
	--extcap-version=4.0
for i in bpf_xdp bpf_tc bpf_prog; do
	q "config-$i" "extcap-config-$i.txt" "$btf" --extcap-config --extcap-interface "$i" \
		--extcap-version=4.0
done
q config-probe-4.2 extcap-config-bpf_probe-4.2.txt "$btf|^value \\{arg=4\\}" --extcap-config \
	--extcap-interface bpf_probe --extcap-version=4.2

# BTF-derived values: the drop reasons include NO_SOCKET; the probe catalog has kfree_skb checked
"$B" --extcap-config --extcap-interface bpf_kfree_skb >"$tmp/c" 2>/dev/null
grep -qE '^value \{arg=6\}\{value=NO_SOCKET\}\{display=NO_SOCKET \([0-9]+\)\}$' "$tmp/c" &&
	ok "drop reasons offered from BTF" || no "no NO_SOCKET among the drop reasons"
"$B" --extcap-config --extcap-interface bpf_probe >"$tmp/c" 2>/dev/null
grep -qE '^value \{arg=0\}\{value=tp:skb:kfree_skb\}.*\{parent=category:skb\}\{default=true\}$' \
	"$tmp/c" && ok "probe catalog offers kfree_skb, checked" || no "kfree_skb not in the catalog"
# reload of the probe selector: only its values
"$B" --extcap-config --extcap-interface bpf_probe --extcap-reload-option --probes >"$tmp/r" \
	2>"$tmp/e"
[ -s "$tmp/r" ] && [ "$(grep -cv '^value {arg=0}' "$tmp/r")" = 0 ] && [ ! -s "$tmp/e" ] &&
	ok "reload prints only the probe values" || no "reload output wrong: $(head -3 "$tmp/r")"

# capture filter check: nothing when valid (empty), one line when not; always exit 0
out=$("$B" --extcap-capture-filter "" --extcap-interface bpf_kfree_skb 2>&1)
[ $? = 0 ] && [ -z "$out" ] && ok "empty filter is valid" || no "empty filter: '$out'"
out=$("$B" --extcap-capture-filter "udp port 9 and not host 10.0.0.1" --extcap-interface bpf_kfree_skb 2>&1)
[ $? = 0 ] && [ -z "$out" ] && ok "valid pcap filter: no output" || no "valid filter: '$out'"
out=$("$B" --extcap-capture-filter "udp port" --extcap-interface bpf_kfree_skb 2>/dev/null)
rc=$?
[ $rc = 0 ] && [ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] &&
	ok "invalid filter: libpcap's message in one line, exit 0 ($out)" || no "filter check: rc=$rc '$out'"

# an unknown interface is an error, on stderr
"$B" --extcap-config --extcap-interface nosuch >/dev/null 2>"$tmp/e" && no "unknown interface: exit 0" ||
	ok "unknown interface: non-zero exit"
[ "$(grep -c . "$tmp/e")" = 1 ] && ok "unknown interface: one line" || no "unknown interface: $(cat "$tmp/e")"
echo "$P passed, $F failed"
[ "$F" = 0 ]
