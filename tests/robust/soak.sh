#!/bin/sh
# soak.sh [SECONDS]: a long capture under a steady UDP flood through a veth pair between two
# private namespaces (bench/gen.c, to a closed port), written as `bpfcap capture -w - | cat >
# FILE` for the whole time. bpfcap's RSS (VmRSS) and open file descriptors are sampled every
# few seconds: after the warm-up (a fifth of the run, at least 10 s) RSS stays within 5 % and the
# descriptor count does not grow. At the end captured + lost in the kernel (the file's EPBs and
# isb_ifdrop) equals what the generator sent, and tshark reads the whole file.
#   SECONDS   default 30 (ctest); the release check runs 600
#   SOAK_RATE packets per second (default 10000; 0 = as fast as possible, files grow fast)
#   BPFCAP    the binary (ctest passes it as the argument after SECONDS, or alone); default:
#             build-rb/ or build/ of this source tree
case ${1:-} in
'' | *[!0-9]*) ;;
*)
	SOAK_SECONDS=$1
	shift
	;;
esac
if [ -z "${1:-}" ] && [ -z "${BPFCAP:-}" ]; then
	for b in build-rb build; do
		f=$(cd "$(dirname "$0")/../.." && pwd)/$b/extcap/bpfcap
		[ -x "$f" ] && { BPFCAP=$f; break; }
	done
fi
. "$(dirname "$0")/lib.sh"
SECS=${SOAK_SECONDS:-30}
export SOAK_SECONDS=$SECS
ns_enter "$@"
setup_pair
[ -x "$GEN" ] || { echo "SKIP: $GEN not built" >&2; exit 77; }
RATE=${SOAK_RATE:-10000}
STEP=$((SECS >= 120 ? 10 : 3))
WARM=$((SECS / 5 > 10 ? SECS / 5 : 10))
out=$WORK/soak.pcapng
mkfifo "$WORK/pipe"
cat "$WORK/pipe" >"$out" &
CAT=$!
# through a link of another name: other suites end their captures with `pkill -f "bpfcap
# capture..."`, which would end this one too when they run at the same time
ln -s "$BPFCAP" "$WORK/soak-capture"
"$WORK/soak-capture" capture --netns "$NS_SELF" -w - 'udp dst port 9' >"$WORK/pipe" \
	2>"$WORK/soak.err" &
P=$!
wait_links $P 1
rate_arg=
[ "$RATE" != 0 ] && rate_arg="--rate $RATE"
# shellcheck disable=SC2086
ip netns exec peer "$GEN" udp 10.77.0.1 9 --duration "$SECS" --cpu 0 $rate_arg --size 200 \
	>"$WORK/gen.out" 2>&1 &
G=$!
t=0
: >"$WORK/samples"
while kill -0 $G 2>/dev/null; do
	echo "$t $(rss_kb $P) $(fd_count $P)" >>"$WORK/samples"
	sleep $STEP
	t=$((t + STEP))
done
wait $G || fail "generator failed: $(cat "$WORK/gen.out")"
echo "$t $(rss_kb $P) $(fd_count $P)" >>"$WORK/samples"
sleep 1
if kill -INT $P 2>/dev/null; then
	wait_exit $P 30
	expect_eq "soak: bpfcap exits 0 at SIGINT" "$RC" 0
else
	wait_exit $P 1
	fail "soak: bpfcap ended before the generator (exit $RC): $(cat "$WORK/soak.err")"
fi
wait $CAT
sent=$(awk '/^sent/ {print $2}' "$WORK/gen.out")
echo "generator: $(cat "$WORK/gen.out")"
echo "samples (s, VmRSS kB, fds):"
sed 's/^/  /' "$WORK/samples"
awk -v warm="$WARM" '$1 >= warm' "$WORK/samples" >"$WORK/after"
[ -s "$WORK/after" ] || { fail "no sample after the ${WARM} s warm-up"; finish; }
read -r _ rss0 fd0 <"$WORK/after"
rss_max=$(awk 'BEGIN {m = 0} $2 > m {m = $2} END {print m}' "$WORK/after")
rss_min=$(awk 'BEGIN {m = -1} m < 0 || $2 < m {m = $2} END {print m}' "$WORK/after")
fd_max=$(awk 'BEGIN {m = 0} $3 > m {m = $3} END {print m}' "$WORK/after")
echo "after ${WARM} s: RSS $rss0 kB at first, $rss_min..$rss_max kB; fds $fd0 at first, at most $fd_max"
if [ $((rss_max * 100)) -le $((rss0 * 105)) ] && [ $((rss_min * 100)) -ge $((rss0 * 95)) ]; then
	pass "soak: RSS stays within 5 % of $rss0 kB after the warm-up"
else fail "soak: RSS moved from $rss0 kB to $rss_min..$rss_max kB"; fi
if [ "$fd_max" -le "$fd0" ]; then pass "soak: the descriptor count does not grow ($fd0)"; else
	fail "soak: descriptors grew from $fd0 to $fd_max"; fi
got=$($COUNTER "$out" packets)
lost=$($COUNTER "$out" lost)
echo "sent $sent, captured $got, lost in the kernel $lost ($(grep -E 'lost in the kernel' "$WORK/soak.err"))"
expect_eq "soak: captured + lost == sent" $((got + lost)) "$sent"
if [ "$SECS" -le 60 ]; then # the whole-file reader (in memory) for short runs
	expect_eq "soak: tests/lib/pcapng.py agrees" \
		"$($PCAPNG "$out" packets | grep -c .) $($PCAPNG "$out" lost)" "$got $lost"
fi
expect_match "soak: the summary agrees" "$(cat "$WORK/soak.err")" "^$got packets captured"
file_ok "$out" "soak: the file"
echo "soak: ${SECS} s at ${RATE} pps: file $(du -h "$out" | cut -f1)"
finish
