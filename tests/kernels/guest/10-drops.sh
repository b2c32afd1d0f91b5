# shellcheck shell=sh
# (a) Real drops at skb:kfree_skb: UDP and TCP SYN to closed ports over a veth pair are captured
# with reason NO_SOCKET, named from this kernel's BTF (NO_SOCKET is 2 on 6.1, 3 on 6.12).

guest_test() {
	setup_pair
	# the value this kernel's BTF gives NO_SOCKET, for the host to compare with the capture
	bpfcap list-reasons >reasons.txt 2>&1
	awk '$2 == "NO_SOCKET" {print $1}' reasons.txt >no_socket
	cap_start drops.pcapng --netns "$NS_SELF"
	ip netns exec peer $SEND udp 10.77.0.1 9999 3 >/dev/null
	ip netns exec peer $SEND udp fd77::1 9999 2 >/dev/null
	ip netns exec peer $SEND tcp 10.77.0.1 9998 2 >/dev/null
	cap_stop
	expect_match "summary: packets captured" "$(cat drops.pcapng.err)" "^[0-9]+ packets captured"
}

host_check() {
	expect_eq "list-reasons: NO_SOCKET from this kernel's BTF" "$(cat no_socket)" "$KT_NO_SOCKET"
	valid drops.pcapng || return
	expect_eq "UDP/IPv4 to a closed port: 3 drops" "$(count drops.pcapng 'ip.src==10.77.0.2 && udp.dstport==9999')" 3
	expect_eq "UDP/IPv6 to a closed port: 2 drops" "$(count drops.pcapng 'ipv6.src==fd77::2 && udp.dstport==9999')" 2
	expect_eq "TCP SYN to a closed port: 2 drops" \
		"$(count drops.pcapng 'ip.src==10.77.0.2 && tcp.dstport==9998 && tcp.flags.syn==1')" 2
	want="^kfree_skb cpu=[0-9]+ dev=veth0\\([0-9]+\\) reason=NO_SOCKET	bpfcap .* netns=$NS_SELF .*\$"
	bad=$(fields drops.pcapng 'udp.dstport==9999 || tcp.dstport==9998' frame.comment \
		frame.interface_description | grep -cvE "$want")
	expect_eq "comments name probe, device, netns and reason NO_SOCKET" "$bad" 0
	# the binary metadata carries this kernel's number for the reason and the name bpfcap gave it
	expect_eq "metadata of these drops: reason value $KT_NO_SOCKET, named NO_SOCKET" \
		"$(meta drops.pcapng 'udp.dstport==9999 || tcp.dstport==9998' | cut -f1,2 | sort -u | tr '\t' ' ')" "$KT_NO_SOCKET NO_SOCKET"
	expect_eq "Ethernet link type on veth0@kfree_skb" \
		"$($PCAPNG drops.pcapng interfaces | awk -F'\t' '$1 == "veth0@kfree_skb" {print $2}' | sort -u)" 1
}
