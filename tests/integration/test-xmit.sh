#!/bin/sh
# TX capture shows the sending device: at net:net_dev_start_xmit (and net:net_dev_xmit, where
# skb->dev on veth is already the peer) the device comes from the tracepoint's argument.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
setup_pair

F=$WORK/xmit.pcapng
cap_start "$F" -p tp:net:net_dev_start_xmit -p net_dev_xmit
ip netns exec peer ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null
cap_stop
for probe in net_dev_start_xmit net_dev_xmit; do
	req=$(fields "$F" "icmp.type==8 && ip.src==10.77.0.2 && frame.comment contains \"$probe \"" \
		frame.comment frame.packet_flags_direction frame.interface_name frame.interface_description)
	expect_eq "$probe: both echo requests captured" "$(printf '%s\n' "$req" | grep -c .)" 2
	expect_eq "$probe: requests leave veth1 in the peer namespace, outbound" \
		"$(printf '%s\n' "$req" | grep -cvE "^$probe cpu=[0-9]+ dev=veth1\\([0-9]+\\)	0x00000002	veth1@$probe	bpfcap .* netns=$NS_PEER .*\$")" 0
	rep=$(fields "$F" "icmp.type==0 && ip.src==10.77.0.1 && frame.comment contains \"$probe \"" \
		frame.comment frame.interface_description)
	expect_eq "$probe: replies leave veth0 in our namespace" \
		"$(printf '%s\n' "$rep" | grep -cE "^$probe cpu=[0-9]+ dev=veth0\\([0-9]+\\)	bpfcap .* netns=$NS_SELF .*\$")" 2
done
expect_eq "two echo requests at net_dev_start_xmit" \
	"$(count "$F" 'icmp.type==8 && frame.interface_name=="veth1@net_dev_start_xmit"')" 2
finish
