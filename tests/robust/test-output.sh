#!/bin/sh
# Output faults: a full disk (a small tmpfs in our private mount namespace), a file size limit
# (ulimit -f), a pipe or FIFO reader that goes away mid-capture, and one that stops reading while
# bpfcap is asked to stop. Each ends with the right exit code and at most one line on stderr,
# never a hang, no BPF program or link left, and a file that ends on a whole pcapng block.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair
F='udp dst port 9'
flood() { ip netns exec peer $SEND udp 10.77.0.1 9 "$1" --size 500 >/dev/null; }

mkdir -p "$WORK/small"
mount -t tmpfs -o size=256k bpfcap-small "$WORK/small"

# --- disk full, through -w FILE and through stdout redirected to a file
for how in w stdout; do
	out=$WORK/small/full-$how.pcapng
	rm -f "$WORK"/small/*
	if [ $how = w ]; then
		"$BPFCAP" capture -q --netns "$NS_SELF" -w "$out" "$F" 2>"$WORK/full-$how.err" &
	else
		"$BPFCAP" capture -q --netns "$NS_SELF" -w - "$F" >"$out" 2>"$WORK/full-$how.err" &
	fi
	P=$!
	wait_links $P 1 || continue
	ids=$(bpf_ids_of $P)
	flood 3000
	wait_exit $P 10
	expect_eq "disk full (-w $how): bpfcap stops by itself with exit 1" "$RC" 1
	expect_eq "disk full (-w $how): one line on stderr" "$(grep -c . "$WORK/full-$how.err")" 1
	expect_match "disk full (-w $how): it names the write and the cause" \
		"$(cat "$WORK/full-$how.err")" "write.*No space left on device"
	file_ok "$out" "disk full (-w $how): the file"
	no_bpf_left "disk full (-w $how)" "$ids"
done

# --- a file size limit: EFBIG like a full disk, not death by SIGXFSZ
out=$WORK/fsize.pcapng
(
	ulimit -f 64 # 32 KiB in 512-byte blocks
	exec "$BPFCAP" capture -q --netns "$NS_SELF" -w "$out" "$F" 2>"$WORK/fsize.err"
) &
P=$!
wait_links $P 1
ids=$(bpf_ids_of $P)
flood 500
wait_exit $P 10
expect_eq "file size limit: exit 1 (not killed by SIGXFSZ, 153)" "$RC" 1
expect_match "file size limit: one line naming the cause" "$(cat "$WORK/fsize.err")" \
	"^bpfcap: .*File too large$"
file_ok "$out" "file size limit: the file"
no_bpf_left "file size limit" "$ids"

# --- a probe that fails to attach, writing to a pipe: nothing on the pipe (tcpdump -r - sees an
# empty stream, not a truncated file), exit 1, one line
for how in "-w -" "-w - --format pcap" ""; do
	RC=0
	# shellcheck disable=SC2086
	"$BPFCAP" capture $how -p map:/sys/fs/bpf/bpfcap-no-such-map -c 1 2>"$WORK/attachfail.err" |
		wc -c >"$WORK/attachfail.bytes" || true
	"$BPFCAP" capture $how -p map:/sys/fs/bpf/bpfcap-no-such-map -c 1 >/dev/null 2>&1 || RC=$?
	expect_eq "attach failure (${how:-stdout a pipe}): no byte on the pipe, exit 1, one error line" \
		"$(cat "$WORK/attachfail.bytes") $RC $(grep -vc 'bpfcap: warning:' "$WORK/attachfail.err")" "0 1 1"
done

# --- the pipe reader goes away mid-capture: a normal end (exit 0), nothing on stderr with -q
(
	"$BPFCAP" capture -q --netns "$NS_SELF" -w - "$F" 2>"$WORK/pipe.err"
	echo "rc=$?" >"$WORK/pipe.rc"
) | head -c 20000 >/dev/null &
sleep 1.5 # attach (the pipeline hides bpfcap's pid)
flood 2000
i=0
while [ ! -s "$WORK/pipe.rc" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
expect_eq "pipe reader gone mid-capture: exit 0" "$(cat "$WORK/pipe.rc" 2>/dev/null)" rc=0
expect_eq "pipe reader gone mid-capture: nothing on stderr" "$(cat "$WORK/pipe.err")" ""

# --- the FIFO reader (Wireshark, tshark) closes mid-capture, while packets keep coming
mkfifo "$WORK/fifo"
python3 -c "
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
n = 0
while n < 50000:
    b = os.read(fd, 4096)
    if not b:
        break
    n += len(b)
os.close(fd)
" "$WORK/fifo" &
R=$!
"$BPFCAP" capture -q --netns "$NS_SELF" -w "$WORK/fifo" "$F" 2>"$WORK/fifo.err" &
P=$!
wait_links $P 1
ids=$(bpf_ids_of $P)
flood 2000
wait $R
flood 10 # the next write meets the closed FIFO
wait_exit $P 10
expect_eq "FIFO reader gone mid-capture: exit 0" "$RC" 0
expect_eq "FIFO reader gone mid-capture: nothing on stderr" "$(cat "$WORK/fifo.err")" ""
no_bpf_left "FIFO reader gone" "$ids"

# --- a reader that stops reading, then bpfcap is asked to stop: no hang
rm -f "$WORK/fifo"
mkfifo "$WORK/fifo"
# shellcheck disable=SC2217 # intended: sleep opens the FIFO as its reader and never reads it
sleep 300 <"$WORK/fifo" &
R=$!
"$BPFCAP" capture -q --netns "$NS_SELF" -w "$WORK/fifo" "$F" 2>"$WORK/stall.err" &
P=$!
wait_links $P 1
ids=$(bpf_ids_of $P)
flood 6000 # more than the pipe holds: bpfcap blocks in write(), the ring fills
sleep 0.5
t0=$(date +%s%N)
kill -INT $P
wait_exit $P 8
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$RC" != 124 ]; then pass "stalled reader: SIGINT ended bpfcap in $ms ms"; else
	fail "stalled reader: bpfcap still blocked 8 s after SIGINT (hang)"; fi
expect_eq "stalled reader: exit 1" "$RC" 1
expect_eq "stalled reader: one line on stderr" "$(grep -c . "$WORK/stall.err")" 1
expect_match "stalled reader: it says the reader stopped reading" "$(cat "$WORK/stall.err")" \
	"reader"
kill $R 2>/dev/null || true
no_bpf_left "stalled reader" "$ids"

# --- extcap with a regular file as --fifo (scripts do this): the old content is replaced, no
# stale tail after the capture's last block
out=$WORK/xfile.pcapng
head -c 1000000 /dev/urandom >"$out"
# (only the flood's drops: the namespace's own IPv6 chatter may be dropped too)
"$BPFCAP" --capture --extcap-interface bpf_kfree_skb --fifo "$out" \
	--netns "$NS_SELF" --extcap-capture-filter 'udp dst port 9' 2>"$WORK/xfile.err" &
P=$!
wait_links $P 1
flood 5
sleep 0.3
kill -INT $P
wait_exit $P 5
expect_eq "extcap --fifo on a regular file: exit 0" "$RC" 0
file_ok "$out" "extcap --fifo on a regular file"
expect_eq "extcap --fifo on a regular file: the 5 drops, nothing of the old content" \
	"$($COUNTER "$out" packets)" 5
finish
