#!/bin/sh
# A real capture under valgrind memcheck (errors and definite/indirect leaks fail it): two
# probes, a pcap filter, pcapng and text output, then classic pcap with a packet count. The
# ASan/UBSan build runs every robust test the same way (ctest -L robust in a tree configured
# with -DBPFCAP_SANITIZE=address,undefined).
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed" >&2; exit 77; }
if ldd "$BPFCAP" 2>/dev/null | grep -q 'libasan'; then
	echo "SKIP: $BPFCAP is built with AddressSanitizer (valgrind cannot run it; the other robust tests are its memory check)" >&2
	exit 77
fi
setup_pair
VG="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
	--errors-for-leak-kinds=definite,indirect --suppressions=$ROBUST_DIR/valgrind.supp"
traffic() {
	ip netns exec peer $SEND udp 10.77.0.1 9 20 --size 300 >/dev/null
	ip netns exec peer $SEND tcp 10.77.0.1 9 3 >/dev/null
	ip netns exec peer ping -c 2 -i 0.2 10.77.0.1 >/dev/null
}

out=$WORK/vg.pcapng
# shellcheck disable=SC2086
$VG "$BPFCAP" capture --print -v -p kfree_skb -p netif_receive_skb --netns "$NS_SELF" \
	-w "$out" 'udp or tcp or icmp' >"$WORK/vg.txt" 2>"$WORK/vg.err" &
P=$!
wait_attached $P "$WORK/vg.err" 2
traffic
sleep 1
kill -INT $P
wait_exit $P 60
expect_eq "memcheck, pcapng + text: exit 0 (99: valgrind found errors or leaks)" "$RC" 0
[ "$RC" = 0 ] || echo "valgrind: $(grep -E '==[0-9]+== ' "$WORK/vg.err" | head -30)" >&2
file_ok "$out" "memcheck, pcapng + text: the file"
expect_match "memcheck: text lines were printed" "$(head -3 "$WORK/vg.txt")" "kfree_skb|netif_receive_skb"

out=$WORK/vg.pcap
# shellcheck disable=SC2086
$VG "$BPFCAP" capture -q --format pcap -c 10 --netns "$NS_SELF" -w "$out" >"$WORK/vg2.out" \
	2>"$WORK/vg2.err" &
P=$!
wait_links $P 1
traffic
wait_exit $P 60
expect_eq "memcheck, classic pcap, -c 10: exit 0" "$RC" 0
[ "$RC" = 0 ] || echo "valgrind: $(grep -E '==[0-9]+== ' "$WORK/vg2.err" | head -30)" >&2
expect_eq "memcheck, classic pcap: 10 packets" "$(capinfos -c -M "$out" 2>/dev/null | awk '/Number of packets/ {print $NF}')" 10
finish
