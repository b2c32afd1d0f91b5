// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A user's XDP program, as the RFC's selftests had it: drops UDP to port 7777, passes the rest,
 * and hands every packet with its verdict to bpfcap through bpfcap_output.h. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>

#include "bpfcap_output.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

BPFCAP_OUTPUT_MAP();

long last_err; /* what the last bpfcap_output_xdp() returned (the loader reports it) */

SEC("xdp")
int sample_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	int action = XDP_PASS;

	if ((void *)(udp + 1) <= end && eth->h_proto == bpf_htons(ETH_P_IP) && ip->ihl == 5 &&
	    ip->protocol == IPPROTO_UDP && udp->dest == bpf_htons(7777))
		action = XDP_DROP;
	last_err = bpfcap_output_xdp(ctx, &bpfcap_events, 7, action);
	return action;
}
