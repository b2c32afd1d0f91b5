# shellcheck shell=sh
# (f) The extcap path Wireshark uses: bpfcap --capture --fifo, stopped with SIGTERM while the
# reader keeps reading: exit 0, nothing on stderr, the packets and the final ISB in the file.

guest_test() {
	setup_pair
	mkfifo /tmp/fifo
	cat /tmp/fifo >extcap.pcapng &
	R=$!
	bpfcap --capture --extcap-interface bpf_kfree_skb --netns "$NS_SELF" \
		--extcap-capture-filter "udp dst port 9" --fifo /tmp/fifo 2>extcap.err &
	P=$!
	wait_links $P || fail "bpfcap --capture never attached"
	sleep 0.5
	ip netns exec peer $SEND udp 10.77.0.1 9 2 >/dev/null
	sleep 1
	kill -TERM $P
	rc=0
	wait $P || rc=$?
	wait $R
	expect_eq "SIGTERM: exit 0" "$rc" 0
	expect_eq "nothing on stderr" "$(cat extcap.err)" ""
}

host_check() {
	valid extcap.pcapng || return
	expect_eq "the 2 drops reached the file" "$(count extcap.pcapng 'udp.dstport==9 && frame.comment contains "reason=NO_SOCKET"')" 2
	expect_eq "the final ISB reached the file" "$($PCAPNG extcap.pcapng isb | grep -c .)" 1
}
