# shellcheck shell=sh
# (g) kprobe and kprobe.multi: a drop at the kernel's drop function (kfree_skb_reason on 6.1,
# sk_skb_reason_drop since 6.11) carries the drop reason named from this kernel's BTF;
# kprobe:ip_rcv captures received packets; a wildcard (kprobe.multi) says which function each
# packet came through where the kernel has kprobe.multi, and says why not where it has not;
# kprobe:* attaches to thousands of functions at once.

# kprobe:* - thousands of functions in one kprobe.multi link. Those ftrace cannot trace are
# left out (the kernel would refuse the whole link); every packet is seen at many of them; at
# the end no function is left with an ftrace hook.
wide_wildcard() {
	ef=/sys/kernel/tracing/enabled_functions
	base=$(wc -l <$ef)
	cap_start wide.pcapng -p 'kprobe:*' --netns "$NS_SELF" -s 128
	n=$(sed -n 's/.*: attaching to \([0-9]*\)$/\1/p' wide.pcapng.err)
	if [ "${n:-0}" -ge 500 ]; then pass "kprobe:*: $n functions in one link"; else
		fail "kprobe:*: expected thousands of functions: $(cat wide.pcapng.err)"; fi
	expect_match "kprobe:*: untraceable functions are counted, not attached" \
		"$(cat wide.pcapng.err)" "[0-9]+ of them cannot be traced"
	hooked=$(wc -l <$ef)
	if [ "$hooked" -ge "${n:-0}" ]; then pass "kprobe:*: $hooked functions hooked"; else
		fail "kprobe:*: only $hooked functions hooked, $n expected"; fi
	ip netns exec peer ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null
	cap_stop
	got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' wide.pcapng.err)
	if [ "${got:-0}" -ge 8 ]; then pass "kprobe:*: each packet seen at many functions ($got)"
	else fail "kprobe:*: $got packets captured: $(tail -5 wide.pcapng.err)"; fi
	i=0
	while [ "$(wc -l <$ef)" != "$base" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	expect_eq "kprobe:*: no ftrace hook left after exit" "$(wc -l <$ef)" "$base"
}

guest_test() {
	need python3
	setup_pair
	drop_function
	cap_start kp.pcapng -p "kprobe:$f" --netns "$NS_SELF" --stack --print
	ip netns exec peer $SEND udp 10.77.0.1 9999 3 >/dev/null
	cap_stop
	expect_match "kprobe:$f attached through kprobe" "$(cat kp.pcapng.err)" \
		"probe kprobe:$f attached through kprobe"
	# --stack: from the probed function out; the UDP receive path under each drop
	expect_eq "kprobe:$f --stack: each drop's stack passes the UDP receive function" \
		"$(grep -cE '^    (__udp4_lib_rcv|udp_rcv)\+0x[0-9a-f]+$' kp.pcapng.out)" 3
	expect_eq "kprobe:$f --stack: no frame of the BPF machinery" \
		"$(grep -cE '^    (bpf_|__bpf_|kprobe_|__kprobes)' kp.pcapng.out)" 0

	cap_start rcv.pcapng -p k:ip_rcv --netns "$NS_SELF" --print -v
	ip netns exec peer ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null
	cap_stop
	expect_eq "kprobe:ip_rcv: the packet's location is the function" \
		"$(grep -c 'ICMP echo request.*at=ip_rcv+0x0' rcv.pcapng.out)" 2

	rc=0
	bpfcap capture -v -w multi.pcapng --print -p 'kprobe:ip*_rcv' --netns "$NS_SELF" \
		>multi.out 2>multi.err &
	P=$!
	i=0
	until grep -q "attached through" multi.err 2>/dev/null || ! kill -0 $P 2>/dev/null ||
		[ $i -ge 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 $P 2>/dev/null; then
		ip netns exec peer ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null
		ip netns exec peer ping -6 -c 2 -i 0.2 -W 1 fd77::1 >/dev/null
		sleep 0.5
		kill -INT $P
		wait $P || rc=$?
		expect_eq "kprobe.multi: exit 0" "$rc" 0
		expect_match "kprobe:ip*_rcv through kprobe.multi" "$(cat multi.err)" \
			"attached through kprobe.multi"
		expect_eq "kprobe.multi: IPv4 packets at ip_rcv" \
			"$(grep -c 'ICMP echo request.*at=ip_rcv+0x0' multi.out)" 2
		expect_eq "kprobe.multi: IPv6 packets at ipv6_rcv" \
			"$(grep -c 'ICMP6 type 128 .*at=ipv6_rcv+0x0' multi.out)" 2
		wide_wildcard
	else
		wait $P || rc=$?
		expect_eq "no kprobe.multi: exit 1" "$rc" 1
		expect_match "no kprobe.multi: says why" "$(cat multi.err)" \
			"kprobe.multi, needed for the wildcard in kprobe:ip\\*_rcv, is not available"
	fi
}

host_check() {
	valid kp.pcapng || return
	f=$(cat dropfn)
	want="^$f cpu=[0-9]+ dev=veth0\\([0-9]+\\) reason=NO_SOCKET	bpfcap .* netns=$NS_SELF .*\$"
	expect_eq "kprobe:$f: the 3 UDP drops" "$(count kp.pcapng 'udp.dstport==9999')" 3
	expect_eq "kprobe:$f: comment with the reason NO_SOCKET" \
		"$(fields kp.pcapng 'udp.dstport==9999' frame.comment frame.interface_description |
			grep -cvE "$want")" 0
	expect_eq "kprobe:$f: reason value $KT_NO_SOCKET from this kernel's BTF" \
		"$(meta kp.pcapng 'udp.dstport==9999' | cut -f1,2 | sort -u | tr '\t' ' ')" \
		"$KT_NO_SOCKET NO_SOCKET"
	expect_eq "kprobe:$f: bpfcap.probe_type is kprobe" \
		"$(meta kp.pcapng 'udp.dstport==9999' | cut -f4 | sort -u)" kprobe
	if [ -s wide.pcapng ] && $PCAPNG wide.pcapng check >/dev/null 2>&1 &&
		[ "$($PCAPNG wide.pcapng packets | grep -c .)" -gt 0 ]; then
		expect_eq "kprobe:* (kprobe.multi): bpfcap.probe_type is kprobe" \
			"$(meta wide.pcapng | cut -f4 | sort -u)" kprobe
	fi
}
