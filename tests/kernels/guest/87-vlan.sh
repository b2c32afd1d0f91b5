# shellcheck shell=sh
# (l) VLAN tags carried out of band by real VLAN devices (8021q): veth transmits the tag of
# a VLAN device on top of it out of band (tx-vlan-offload), the receiver's netif_receive_skb
# sees it in skb->vlan_tci (vlan_present on 6.1, vlan_proto since 6.2). bpfcap puts it back
# into the frame, in both directions, and for QinQ (802.1ad outside, 802.1Q inside).
# kmods: 8021q

guest_test() {
	setup_pair
	ip link add link veth0 name veth0.100 type vlan id 100
	ip addr add 10.78.0.1/24 dev veth0.100
	ip link set veth0.100 up
	ip -n peer link add link veth1 name veth1.100 type vlan id 100
	ip -n peer addr add 10.78.0.2/24 dev veth1.100
	ip -n peer link set veth1.100 up
	ip link add link veth0 name veth0.200 type vlan proto 802.1ad id 200
	ip link set veth0.200 up
	ip link add link veth0.200 name veth0.200.100 type vlan id 100
	ip addr add 10.79.0.1/24 dev veth0.200.100
	ip link set veth0.200.100 up
	ip -n peer link add link veth1 name veth1.200 type vlan proto 802.1ad id 200
	ip -n peer link set veth1.200 up
	ip -n peer link add link veth1.200 name veth1.200.100 type vlan id 100
	ip -n peer addr add 10.79.0.2/24 dev veth1.200.100
	ip -n peer link set veth1.200.100 up
	i=0
	until ip netns exec peer ping -c1 -W1 10.78.0.1 >/dev/null 2>&1 || [ $i -ge 30 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	cap_start vlan.pcapng -p netif_receive_skb -p tp:net:net_dev_start_xmit 'vlan'
	ip netns exec peer ping -c 2 -i 0.2 -W 2 10.78.0.1 >/dev/null
	ip netns exec peer ping -c 2 -i 0.2 -W 2 10.79.0.1 >/dev/null
	cap_stop
}

host_check() {
	valid vlan.pcapng || return
	expect_eq "VLAN 100: the 2 echo requests reach veth0 tagged (netif_receive_skb)" \
		"$(count vlan.pcapng 'icmp.type==8 && ip.dst==10.78.0.1 && vlan.id==100 && frame.interface_name=="veth0@netif_receive_skb"')" 2
	expect_eq "VLAN 100: the 2 echo replies leave veth0 tagged (net_dev_start_xmit)" \
		"$(count vlan.pcapng 'icmp.type==0 && ip.src==10.78.0.1 && vlan.id==100 && frame.interface_name=="veth0@net_dev_start_xmit"')" 2
	expect_eq "VLAN 100: the replies reach veth1 in the peer namespace tagged" \
		"$(count vlan.pcapng 'icmp.type==0 && ip.src==10.78.0.1 && vlan.id==100 && frame.interface_name=="veth1@netif_receive_skb"')" 2
	expect_eq "VLAN 100: the comments name the VLAN" \
		"$(fields vlan.pcapng 'icmp && ip.addr==10.78.0.1 && frame.interface_name contains "veth"' frame.comment | grep -cv ' vlan=100')" 0
	# on the real devices: the 802.1ad tag out of band (restored) around the inline 802.1Q one
	# (the 802.1ad VLAN device's own transmit sees only the inner tag: also right)
	for at in veth0@netif_receive_skb veth1@net_dev_start_xmit; do
		expect_eq "QinQ: the 2 requests at $at are 802.1ad 200 around 802.1Q 100" \
			"$(count vlan.pcapng "icmp.type==8 && ip.dst==10.79.0.1 && eth.type==0x88a8 && ieee8021ad.id==200 && vlan.id==100 && frame.interface_name==\"$at\"")" 2
	done
}
