// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A user's tc program: lets everything through and hands every packet to bpfcap. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "bpfcap_output.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

BPFCAP_OUTPUT_MAP();

SEC("tc")
int sample_tc(struct __sk_buff *skb)
{
	bpfcap_output_skb(skb, &bpfcap_events, 9, TC_ACT_OK);
	return TC_ACT_OK;
}
