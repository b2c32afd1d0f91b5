// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Test helper: tags every packet leaving a device the way a VLAN device with transmit offload
 * does, with the tag out of band (skb->vlan_tci). A second tag makes QinQ: the kernel moves
 * the first one into the packet bytes and carries the second out of band. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u16 proto1 = 0x8100, tci1 = 0;
const volatile __u16 proto2 = 0, tci2 = 0;

SEC("tc")
int vlan_push(struct __sk_buff *skb)
{
	bpf_skb_vlan_push(skb, bpf_htons(proto1), tci1);
	if (proto2)
		bpf_skb_vlan_push(skb, bpf_htons(proto2), tci2);
	return TC_ACT_OK;
}
