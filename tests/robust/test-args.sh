#!/bin/sh
# Hostile command lines, no root needed: every bad probe spec, filter, size, BTF file, output
# path and extcap argument gets exit 2 (usage) or 1 (runtime), exactly one line on stderr that
# names what was wrong, nothing on stdout, and no crash. A command line that fails must not
# destroy the file -w names, nor leave an empty unreadable one behind.
. "$(dirname "$0")/lib.sh"
[ -n "$BPFCAP" ] && [ -x "$BPFCAP" ] || { echo "usage: $0 PATH_TO_BPFCAP" >&2; exit 2; }
[ -r /sys/kernel/btf/vmlinux ] || { echo "SKIP: no kernel BTF" >&2; exit 77; }
WORK=$(mktemp -d /tmp/bpfcap-robust.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

# --- probe specs
expect_usage "unknown probe type" 2 "unknown probe type 'foo'" capture -p foo:bar
expect_usage "empty tracepoint name" 2 "invalid tracepoint name" capture -p tp:
expect_usage "space in a name" 2 "invalid tracepoint name" capture -p "tp:skb:kfree skb"
expect_usage "too many parts" 2 "malformed probe spec" capture -p tp:a:b:c:d
expect_usage "argument index out of range" 2 "bad argument index 'arg99'" capture -p tp:skb:kfree_skb:arg99
expect_usage "overlong spec" 2 "too long" capture -p "tp:skb:$(printf '%0300d' 0)"
expect_usage "no such tracepoint" 2 "no tracepoint 'no_such_tp'" capture -p tp:skb:no_such_tp
expect_usage "wrong category" 2 "is in category 'skb', not 'net'" capture -p tp:net:kfree_skb
expect_usage "tracepoint without an skb argument" 2 \
	"tracepoint 'sched_switch' has no struct sk_buff \\* argument" capture -p tp:sched:sched_switch
expect_usage "argN that is not the skb" 2 "argument 1 of tracepoint 'kfree_skb' is not a struct sk_buff" \
	capture -p tp:skb:kfree_skb:arg1
set -- capture
i=0
while [ $i -lt 65 ]; do set -- "$@" -p kfree_skb; i=$((i + 1)); done
expect_usage "65 probes (the limit is 64)" 2 "too many probes \\(at most 64\\)" "$@"
expect_usage "trace without a probe" 2 "trace needs a probe" trace proto ip
expect_usage "trace data_out with an empty name" 2 "data_out" trace kfree_skb data_out ""

# --- capture filters (libpcap's message; refused before anything is loaded)
expect_usage "filter syntax error" 2 "invalid capture filter 'udp port': .*syntax error" capture "udp port"
expect_usage "protochain (backward jumps)" 2 "invalid capture filter 'protochain 6': .*backward jumps" \
	capture protochain 6
expect_usage "filter needing the netmask" 2 "invalid capture filter 'ip broadcast'" capture ip broadcast
expect_usage "filter longer than 4095 characters" 2 "capture filter too long" capture \
	"$(python3 -c "print(' or '.join(['udp port 9'] * 400))")"
BIG=$(python3 -c "print(' or '.join('(vlan %d and port %d)' % (i + 1, i) for i in range(54)))")
expect_usage "filter too large for the kernel stub" 2 "too large for the kernel stub" capture "$BIG"
# the extcap's capture-filter check (Wireshark's green/red box) must agree with the capture
run_bpfcap xcheck-syntax --extcap-capture-filter "udp port"
expect_eq "extcap filter check: syntax error reported on stdout, exit 0" \
	"$RC $(grep -c 'syntax error' "$OUT")" "0 1"
run_bpfcap xcheck-big --extcap-capture-filter "$BIG"
expect_eq "extcap filter check: a filter the capture refuses as too large is not shown as valid" \
	"$RC $(grep -c 'too large' "$OUT")" "0 1"

# --- sizes and numbers
expect_usage "snaplen above the maximum" 2 "invalid snaplen '262145'; use 1 to 262144" capture -s 262145
expect_usage "snaplen huge" 2 "invalid snaplen" capture -s 99999999999999999999999
expect_usage "snaplen negative" 2 "invalid snaplen '-1'" capture -s -1
expect_usage "snaplen with a unit" 2 "invalid snaplen '1k'" capture -s 1k
expect_usage "ring size too small" 2 "invalid --ring-size '1'" capture --ring-size 1
expect_usage "ring size too large" 2 "invalid --ring-size '2G'" capture --ring-size 2G
expect_usage "ring size overflowing" 2 "invalid --ring-size" capture --ring-size 99999999999999G
expect_usage "duration 0" 2 "invalid duration '0'" capture --duration 0
expect_usage "duration nan" 2 "invalid duration 'nan'" capture --duration nan
expect_usage "count 0" 2 "invalid count '0'" capture -c 0
expect_usage "mark out of range" 2 "invalid --mark" capture --mark 0x1ffffffff
expect_usage "pid 0" 2 "invalid --pid '0'" capture --pid 0
expect_usage "unknown option" 2 "unknown option '--bogus'" capture --bogus
expect_usage "unknown short option in a cluster" 2 "unknown option '-Z'" capture -qZ
expect_usage "option without its value" 2 "option '-w' needs a value" capture -w
expect_usage "unknown command" 2 "unknown command 'snoop'" snoop
expect_usage "no such drop reason" 2 "unknown drop reason 'NO_SUCH_REASON'" \
	capture --reason NO_SUCH_REASON -w /dev/null
expect_usage "netns that is not one" 2 "is not a network namespace" capture --netns /etc/hostname
expect_usage "netns inode 0" 2 "invalid network namespace inode '0'" capture --netns 0
expect_usage "no such device" 2 "no network device 'nosuchdev0'" capture -i nosuchdev0

# --- kernel BTF missing or not BTF (what a kernel without CONFIG_DEBUG_INFO_BTF looks like)
printf 'not BTF at all\n' >notbtf
: >empty.btf
head -c 4096 /sys/kernel/btf/vmlinux >cut.btf
for cmd in capture list-probes list-reasons; do
	expect_usage "$cmd --btf /nonexistent" 1 \
		"kernel BTF not readable at /nonexistent .*CONFIG_DEBUG_INFO_BTF" $cmd --btf /nonexistent
	expect_usage "$cmd --btf on a text file" 1 "notbtf" $cmd --btf notbtf
	if grep -q "Unknown error" "$ERR"; then
		fail "$cmd --btf on a text file: the message has no meaning: $(cat "$ERR")"
	else pass "$cmd --btf on a text file: the message says what is wrong"; fi
done
expect_usage "--btf on an empty file" 1 "empty.btf" capture --btf empty.btf
expect_usage "--btf on a truncated BTF" 1 "cut.btf" capture --btf cut.btf
expect_usage "--btf on a directory" 1 "/tmp" capture --btf /tmp

# --- output
expect_usage "-w ''" 2 "-w needs a file name" capture -w ""
mkdir adir
expect_usage "-w a directory" 1 "cannot write 'adir': Is a directory" capture -w adir
expect_usage "-w /proc/x" 1 "cannot write '/proc/x'" capture -w /proc/x

# A failing command line must not cost the user an existing capture, nor leave an empty file.
for bad in "udp port" "-p tp:skb:no_such_tp" "--reason NO_SUCH_REASON"; do
	printf 'precious capture\n' >old.pcapng
	# shellcheck disable=SC2086 # word splitting wanted for the option cases
	case $bad in
	-*) run_bpfcap clobber capture -w old.pcapng $bad ;;
	*) run_bpfcap clobber capture -w old.pcapng "$bad" ;;
	esac
	expect_eq "usage error ($bad) with -w on an existing file: exit 2, file untouched" \
		"$RC $(cat old.pcapng)" "2 precious capture"
	rm -f new.pcapng
	case $bad in
	-*) run_bpfcap clobber2 capture -w new.pcapng $bad ;;
	*) run_bpfcap clobber2 capture -w new.pcapng "$bad" ;;
	esac
	expect_eq "usage error ($bad) with -w on a new file: no empty file left behind" \
		"$RC $(ls new.pcapng 2>/dev/null)" "2 "
done

# --- extcap arguments (Wireshark shows stderr as "Error from extcap pipe"; exit code 1)
expect_usage "extcap: unknown interface" 1 "unknown interface 'nope'" --extcap-interface nope --extcap-dlts
expect_usage "extcap: --capture without --fifo" 1 "needs --fifo" --capture --extcap-interface bpf_kfree_skb
expect_usage "extcap: bad probe spec" 1 "malformed probe spec" --capture --extcap-interface bpf_probe \
	--probe-spec tp:a:b:c:d --fifo /dev/null
expect_usage "extcap: bad snaplen" 1 "invalid snapshot length" --capture --extcap-interface bpf_kfree_skb \
	--snaplen 262145 --fifo /dev/null
expect_usage "extcap: bad ring size" 1 "invalid ring buffer size" --capture --extcap-interface bpf_kfree_skb \
	--ring-size 12Q --fifo /dev/null
run_bpfcap xver --extcap-interface bpf_probe --extcap-config --extcap-version=99999999
expect_eq "extcap: absurd Wireshark version, config still printed" \
	"$RC $(grep -c '^arg ' "$OUT")" "0 $(grep -c '^arg ' "$OUT")"
[ "$(grep -c '^arg ' "$OUT")" -gt 5 ] && pass "extcap: config has its arguments" ||
	fail "extcap: config with an absurd version: $(head -c 300 "$ERR")"
# Lists longer than bpfcap's buffers: refused as such, never cut somewhere in the middle (a
# reason or filter cut in two is another one, or none)
R=$("$BPFCAP" list-reasons | awk '{print $2}' | grep -vE '^(NOT_DROPPED_YET|CONSUMED)$' | paste -sd, -)
RR=$R,$R,$R
run_bpfcap xreasons --capture --extcap-interface bpf_kfree_skb --fifo /dev/null --reasons "$RR"
if grep -q "unknown drop reason" "$ERR"; then
	fail "extcap: a ${#RR}-character list of valid reasons is cut into an unknown one: $(cat "$ERR")"
else pass "extcap: a ${#RR}-character list of valid reasons is not cut into pieces"; fi
LONGF="$(python3 -c "print(' or '.join(['udp port 9'] * 340) + ' or (udp port 10)')")"
run_bpfcap xlongf --extcap-capture-filter "$LONGF"
[ ! -s "$OUT" ] && pass "extcap: a ${#LONGF}-character filter is valid for the check" ||
	fail "extcap: long filter check: $(cat "$OUT")"
run_bpfcap xlongf2 --capture --extcap-interface bpf_kfree_skb --fifo /dev/null \
	--extcap-capture-filter "$LONGF"
if grep -q "invalid capture filter" "$ERR"; then
	fail "extcap: the ${#LONGF}-character filter the check accepted is cut before capturing: $(head -c 200 "$ERR")"
else pass "extcap: the long filter reaches the capture whole (or is refused as too long)"; fi
finish
