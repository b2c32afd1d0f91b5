# shellcheck shell=sh
# (h) fentry/fexit/fn: a drop at the kernel's drop function with the reason; the whole payload of
# multi-segment skbs through bpf_skb_output (fentry gives BTF-typed arguments); fexit on a
# function that leaves the skb alive (eth_type_trans); fexit on one that consumes it (ip_rcv)
# warns and skips stale skbs; fn: picks fentry where the kernel has BPF trampolines.

guest_test() {
	need python3
	setup_pair
	drop_function
	cap_start fe.pcapng -p "fentry:$f" --netns "$NS_SELF" --stack --print
	ip netns exec peer $SEND udp 10.77.0.1 9999 3 >/dev/null
	cap_stop
	expect_match "fentry:$f attached through fentry" "$(cat fe.pcapng.err)" \
		"probe fentry:$f attached through fentry"
	# --stack through the BPF trampoline: its frames and the program's are left out
	expect_eq "fentry:$f --stack: each drop's stack passes the UDP receive function" \
		"$(grep -cE '^    (__udp4_lib_rcv|udp_rcv)\+0x[0-9a-f]+$' fe.pcapng.out)" 3
	expect_eq "fentry:$f --stack: no frame of the program or its trampoline" \
		"$(grep -cE '^    (bpf_|__bpf_)' fe.pcapng.out)" 0

	tcp_sink 10.77.0.1 5001
	cap_start gso.pcapng -p fentry:ip_rcv -p fexit:eth_type_trans -s 65535 --netns "$NS_SELF"
	ip netns exec peer $SEND tcpbulk 10.77.0.1 5001 300000 >/dev/null
	cap_stop

	cap_start stale.pcapng -p fexit:ip_rcv --netns "$NS_SELF"
	ip netns exec peer $SEND udp 10.77.0.1 9999 20 >/dev/null
	cap_stop
	expect_match "fexit:ip_rcv warns that ip_rcv consumes the skb" "$(cat stale.pcapng.err)" \
		"fexit:ip_rcv reads the skb after ip_rcv\(\) returned"

	cap_start fn.pcapng -p fn:ip_rcv --netns "$NS_SELF"
	ip netns exec peer ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null
	cap_stop
	expect_match "fn:ip_rcv picks fentry" "$(cat fn.pcapng.err)" "probe fn:ip_rcv attached through fentry"
}

host_check() {
	valid fe.pcapng || return
	f=$(cat dropfn)
	expect_eq "fentry:$f: the 3 UDP drops with reason NO_SOCKET ($KT_NO_SOCKET)" \
		"$(meta fe.pcapng 'udp.dstport==9999' | cut -f1,2 | sort | uniq -c | awk '{print $1, $2, $3}')" \
		"3 $KT_NO_SOCKET NO_SOCKET"
	valid gso.pcapng || return
	# shellcheck disable=SC2043 # one probed function for now; the loop names it in every message
	for p in ip_rcv; do
		big=$(fields gso.pcapng "tcp.dstport==5001 && frame.len > 3000" frame.len frame.cap_len)
		n=$(printf '%s\n' "$big" | grep -c .)
		if [ "$n" -gt 0 ]; then pass "fentry/fexit:$p: multi-segment packets seen ($n)"; else
			fail "fentry/fexit:$p: no packet larger than 3000 bytes"; fi
		expect_eq "fentry/fexit:$p: captured whole (cap_len == len)" \
			"$(printf '%s\n' "$big" | awk -F'\t' 'NF == 2 && $1 != $2' | grep -c .)" 0
	done
	expect_eq "fentry:$f: bpfcap.probe_type is fentry" \
		"$(meta fe.pcapng 'udp.dstport==9999' | cut -f4 | sort -u)" fentry
	expect_eq "fentry:ip_rcv and fexit:eth_type_trans: probe types fentry and fexit" \
		"$(meta gso.pcapng 'tcp.dstport==5001' | cut -f3,4 | sort -u | tr '\t\n' ': ')" \
		"fentry:ip_rcv:fentry fexit:eth_type_trans:fexit "
	expect_eq "fentry and fexit both captured" \
		"$(meta gso.pcapng 'tcp.dstport==5001' | cut -f3 | sort -u | tr '\n' ' ')" \
		"fentry:ip_rcv fexit:eth_type_trans "
	valid stale.pcapng || return
	# what fexit:ip_rcv wrote is real packets (stale skbs are skipped): lengths are sane
	expect_eq "fexit:ip_rcv: no impossible lengths written" \
		"$(fields stale.pcapng 'frame.len > 70000' frame.number | grep -c .)" 0
	valid fn.pcapng || return
	expect_eq "fn:ip_rcv: the 2 echo requests" "$(count fn.pcapng 'icmp.type==8')" 2
	expect_eq "fn:ip_rcv: probe type fentry (what it attached through)" \
		"$(meta fn.pcapng 'icmp.type==8' | cut -f4 | sort -u)" fentry
}
