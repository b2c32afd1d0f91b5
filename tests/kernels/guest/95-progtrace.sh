# shellcheck shell=sh
# (i) xdpdump style: fentry/fexit on a loaded XDP program (the sample from tests/progs, which
# drops UDP to port 7777) and on a tc program: entry and exit records of the same packet share
# its packet id, and the exit carries the program's verdict.

guest_test() {
	need python3 bpfcap-test-loader
	setup_pair
	mkdir -p /sys/fs/bpf
	mount -t bpf bpf /sys/fs/bpf 2>/dev/null
	bpfcap-test-loader xdp veth0 /sys/fs/bpf/xdp_events >loader.out 2>&1 &
	lpid=$!
	i=0
	until grep -q ready loader.out 2>/dev/null || ! kill -0 $lpid 2>/dev/null || [ $i -ge 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	id=$(awk '/prog_id/ {print $2}' loader.out)
	[ -n "$id" ] || { fail "the sample XDP program did not load: $(cat loader.out)"; return; }
	cap_start xdp.pcapng -p "fentry:prog:$id" -p "fexit:prog:$id"
	ip netns exec peer $SEND udp 10.77.0.1 7777 3 >/dev/null
	ip netns exec peer $SEND udp 10.77.0.1 9 2 >/dev/null
	cap_stop
	expect_match "fentry on the XDP program" "$(cat xdp.pcapng.err)" \
		"probe fentry:prog:$id attached through fentry on program"

	bpfcap-test-loader tc-ingress veth0 /sys/fs/bpf/tc_events >loader2.out 2>&1 &
	lpid=$!
	i=0
	until grep -q ready loader2.out 2>/dev/null || ! kill -0 $lpid 2>/dev/null || [ $i -ge 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	id2=$(awk '/prog_id/ {print $2}' loader2.out)
	if [ -z "$id2" ]; then
		# tcx links are 6.6+: on older kernels the loader cannot attach this way
		kernel_ge 6.6 && fail "the sample tc program did not load: $(cat loader2.out)"
		return 0
	fi
	cap_start tc.pcapng -p "fexit:prog:$id2"
	ip netns exec peer ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null
	cap_stop
	: >tc.done
}

host_check() {
	valid xdp.pcapng || return
	expect_eq "entry: the 5 datagrams the program saw" \
		"$(count xdp.pcapng 'udp && !icmp && frame.comment matches "^prog[0-9]+_entry "')" 5
	expect_eq "exit: the 3 it dropped, verdict XDP_DROP (1)" \
		"$(count xdp.pcapng 'udp.dstport==7777 && frame.comment matches "^prog[0-9]+_exit .*verdict=1"')" 3
	expect_eq "exit: the 2 it passed, verdict XDP_PASS (2)" \
		"$(count xdp.pcapng 'udp.dstport==9 && !icmp && frame.comment matches "^prog[0-9]+_exit .*verdict=2"')" 2
	pairs=$(fields xdp.pcapng 'udp && !icmp' frame.packet_id | sort | uniq -c | awk '$1 == 2' | grep -c .)
	expect_eq "entry and exit of each packet share its packet id" "$pairs" 5
	expect_eq "fentry:prog / fexit:prog: probe types fentry and fexit" \
		"$(meta xdp.pcapng 'udp && !icmp' | cut -f4 | sort -u | tr '\n' ' ')" "fentry fexit "
	if [ -e tc.done ]; then
		valid tc.pcapng || return
		expect_eq "fexit on the tc program: the 2 requests, verdict TC_ACT_OK (0)" \
			"$(count tc.pcapng 'icmp.type==8 && frame.comment contains "verdict=0"')" 2
	fi
}
