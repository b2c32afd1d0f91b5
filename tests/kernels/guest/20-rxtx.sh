# shellcheck shell=sh
# (b) Receive and transmit probes: tp_btf net:netif_receive_skb and net:net_dev_start_xmit see
# ICMP echo traffic over the veth pair, with the right device and namespace.

guest_test() {
	setup_pair
	cap_start rxtx.pcapng -p netif_receive_skb -p tp:net:net_dev_start_xmit
	ip netns exec peer ping -c 2 -i 0.2 -W 2 10.77.0.1 >/dev/null
	cap_stop
}

host_check() {
	valid rxtx.pcapng || return
	expect_eq "netif_receive_skb: the 2 echo requests on veth0" \
		"$(count rxtx.pcapng "icmp.type==8 && frame.interface_description contains \"netns=$NS_SELF \" && frame.comment matches \"^netif_receive_skb cpu=[0-9]+ dev=veth0\\\\([0-9]+\\\\)\$\"")" 2
	expect_eq "net_dev_start_xmit: the 2 echo requests leave veth1 in the peer namespace" \
		"$(count rxtx.pcapng "icmp.type==8 && frame.interface_description contains \"netns=$NS_PEER \" && frame.comment matches \"^net_dev_start_xmit cpu=[0-9]+ dev=veth1\\\\([0-9]+\\\\)\$\"")" 2
	expect_eq "net_dev_start_xmit: the 2 echo replies leave veth0" \
		"$(count rxtx.pcapng "icmp.type==0 && frame.comment matches \"^net_dev_start_xmit cpu=[0-9]+ dev=veth0\"")" 2
	expect_eq "netif_receive_skb: the 2 echo replies reach veth1" \
		"$(count rxtx.pcapng "icmp.type==0 && frame.comment matches \"^netif_receive_skb cpu=[0-9]+ dev=veth1\"")" 2
	expect_eq "transmitted packets are outbound, received ones inbound" \
		"$(fields rxtx.pcapng 'icmp' frame.interface_name frame.packet_flags_direction | sort -u | tr '\t\n' ' ')" \
		"veth0@net_dev_start_xmit 0x00000002 veth0@netif_receive_skb 0x00000001 veth1@net_dev_start_xmit 0x00000002 veth1@netif_receive_skb 0x00000001 "
}
