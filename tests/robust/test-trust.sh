#!/bin/sh
# The trust boundary (docs/security.md): a member of group wireshark runs the copy with file
# capabilities (root:wireshark 0750, cap_bpf,cap_perfmon,cap_net_admin=ep) and may capture
# packets, but choose nothing that changes what kernel memory the programs read:
# - --btf is refused (a crafted BTF that moves sk_buff.data and retypes sched_switch's argument
#   as struct sk_buff * never reaches libbpf), for capture, list-probes and list-reasons;
# - BPFCAP_* variables are ignored (BPFCAP_FORCE_CLSACT does not force the clsact fallback);
# - hostile probe specs and sizes get one line and the right exit code;
# - a small locked-memory limit shrinks the perf buffers with a warning instead of failing;
# root keeps --btf (the crafted file is effective for root: list-probes shows sched_switch).
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair
if ! cap_copy "$WORK/bin"; then
	[ "${CI:-}" = true ] && { fail "setcap/setpriv missing (libcap2-bin, util-linux)"; finish; }
	echo "SKIP: setcap/setpriv missing" >&2
	exit 77
fi
X=$WORK/bin/bpfcap
python3 "$ROBUST_DIR/craft_btf.py" /sys/kernel/btf/vmlinux "$WORK/home/evil.btf" >/dev/null ||
	fail "could not craft a BTF file from /sys/kernel/btf/vmlinux"
chmod 644 "$WORK/home/evil.btf"
"$LIB_DIR/asuser.sh" --wireshark "$WORK/home" -- true # the test user and its group
uid_progs() { bpftool prog show 2>/dev/null | grep -c "uid $(id -u bpfcaptest) " || true; }

# member NAME [VAR=VALUE...] ARGS: the copy with file capabilities, run by the test user
member() {
	_m_n=$1
	shift
	RC=0
	"$LIB_DIR/asuser.sh" --wireshark "$WORK/home" -- env "$@" </dev/null \
		>"$WORK/$_m_n.out" 2>"$WORK/$_m_n.err" || RC=$?
	ERR=$WORK/$_m_n.err
	OUT=$WORK/$_m_n.out
}
# refused NAME CODE PATTERN: the last member call exited CODE with one line matching PATTERN
refused() {
	if [ "$RC" = "$2" ] && [ "$(grep -c . "$ERR")" = 1 ] && grep -qE -- "$3" "$ERR"; then
		pass "$1: exit $2, one line: $(head -c 160 "$ERR")"
	else
		fail "$1: exit $RC (want $2), stderr (want one line /$3/): $(head -c 600 "$ERR")"
	fi
}

# --- root: the crafted file is effective, and root keeps --btf
run_bpfcap root-evil list-probes --btf "$WORK/home/evil.btf"
expect_match "root: --btf is accepted; the crafted BTF makes sched_switch look like a packet tracepoint" \
	"$RC $(grep sched_switch "$OUT")" "^0 .*struct sk_buff \*"
"$BPFCAP" capture -q --btf /sys/kernel/btf/vmlinux --netns "$NS_SELF" -c 2 \
	-w "$WORK/root.pcapng" 'udp dst port 9' 2>"$WORK/root.err" &
P=$!
wait_links $P 1
ip netns exec peer $SEND udp 10.77.0.1 9 2 >/dev/null
wait_exit $P 10
expect_eq "root: a capture with --btf (the kernel's own file) gets its 2 drops, exit 0" \
	"$RC $($COUNTER "$WORK/root.pcapng" packets)" "0 2"

# --- a member of group wireshark: --btf refused before anything is loaded
before=$(uid_progs)
member capture-btf "$X" capture --btf "$WORK/home/evil.btf" -c 1 -w "$WORK/home/x.pcapng"
refused "member: capture --btf" 2 "^bpfcap: --btf is for root: this bpfcap runs with file capabilities"
[ ! -e "$WORK/home/x.pcapng" ] && pass "member: capture --btf creates no file" ||
	fail "member: capture --btf created $WORK/home/x.pcapng"
member capture-btf-tp "$X" capture --btf "$WORK/home/evil.btf" -p tp:sched:sched_switch:arg1 \
	-c 1 -w "$WORK/home/y.pcapng"
refused "member: the retyped tracepoint with --btf" 2 "^bpfcap: --btf is for root"
member list-probes-btf "$X" list-probes --btf "$WORK/home/evil.btf"
refused "member: list-probes --btf" 2 "^bpfcap: --btf is for root"
member list-reasons-btf "$X" list-reasons --btf "$WORK/home/evil.btf"
refused "member: list-reasons --btf" 2 "^bpfcap: --btf is for root"
member trace-btf "$X" trace tracepoint:skb:kfree_skb --btf "$WORK/home/evil.btf"
refused "member: trace --btf" 2 "^bpfcap: --btf is for root"
expect_eq "member: no BPF program of the user's was loaded by any of them" "$(uid_progs)" "$before"

# --- the running kernel's BTF still decides: the real sched_switch carries no packet
member tp-arg "$X" capture -p tp:sched:sched_switch:arg1 -c 1 -w "$WORK/home/z.pcapng"
refused "member: tp:sched:sched_switch:arg1" 2 "argument 1 of tracepoint 'sched_switch' is not a struct sk_buff \*"

# --- environment variables: ignored under file capabilities
if "$BPFCAP" capture -q -v -p tc:veth0:ingress --duration 0.3 -w /dev/null 2>&1 | grep -q 'attached through tcx'; then
	member env-clsact BPFCAP_FORCE_CLSACT=1 LIBBPF_LOG_LEVEL=debug "$X" capture -v \
		-p tc:veth0:ingress --duration 1 -w "$WORK/home/tc.pcapng"
	expect_match "member: BPFCAP_FORCE_CLSACT is ignored (tcx, a link that dies with bpfcap)" \
		"$RC $(cat "$ERR")" "^0 .*attached through tcx"
	expect_eq "member: no tc filter left on veth0" "$(tc filter show dev veth0 ingress 2>/dev/null)" ""
	BPFCAP_FORCE_CLSACT=1 "$BPFCAP" capture -q -v -p tc:veth0:ingress --duration 0.3 -w /dev/null \
		2>"$WORK/root-clsact.err"
	expect_match "root: BPFCAP_FORCE_CLSACT still works for root" "$(cat "$WORK/root-clsact.err")" \
		"attached through (clsact|cls_bpf|tc)"
else
	echo "SKIP (part): this kernel has no tcx links"
fi

# --- locked memory: a member's perf buffers count against RLIMIT_MEMLOCK (root is exempt); a
# large ring under a small limit still captures, with one warning saying what to raise
member memlock prlimit --memlock=4194304:4194304 "$X" capture -q --ring-size 64M --duration 1 \
	-w "$WORK/home/ml.pcapng"
expect_match "member: --ring-size 64M under a 4 MiB memlock limit: exit 0, says what to raise" \
	"$RC $(cat "$ERR")" "^0 bpfcap: warning: the perf buffers for paged packets got [0-9]+ KiB per CPU instead of [0-9]+: the locked-memory limit allows no more \(RLIMIT_MEMLOCK 4096 KiB"
n=0
for i in 1 2 3 4 5 6; do
	"$LIB_DIR/asuser.sh" --wireshark "$WORK/home" -- prlimit --memlock=4194304:4194304 "$X" \
		capture -q --duration 3 -w /dev/null 2>/dev/null &
done
for i in 1 2 3 4 5 6; do wait %$i 2>/dev/null && n=$((n + 1)); done
expect_eq "member: 6 parallel captures at the default ring size all run" "$n" 6

# --- hostile values: one line each, nothing loaded
member map-passwd "$X" capture -p map:/etc/passwd -c 1 -w /dev/null
refused "member: map:/etc/passwd" 1 "is not a pinned BPF map"
member prog-huge "$X" capture -p prog:4294967295 -c 1 -w /dev/null
refused "member: prog:4294967295" 1 "(no BPF program with id|cannot open BPF program) 4294967295"
member snaplen "$X" capture --snaplen 4294967296 -w /dev/null
refused "member: --snaplen 4294967296" 2 "invalid snaplen"
member ring "$X" capture --ring-size 99999999999999 -w /dev/null
refused "member: --ring-size 99999999999999" 2 "invalid --ring-size"
member argn "$X" capture -p tp:skb:kfree_skb:arg7 -w /dev/null
refused "member: tp:skb:kfree_skb:arg7" 2 "arg7 does not exist"
member netns1 "$X" capture --netns /proc/1/ns/net -c 1 -w /dev/null
expect_match "member: --netns of PID 1's namespace is refused" "$RC" "^[12]$"
expect_eq "member: still no BPF program of the user's" "$(uid_progs)" "$before"
finish
