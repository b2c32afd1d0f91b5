/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bpfcap_output.h: hand packets from your own tc or XDP program to bpfcap.
 *
 *     #include <bpf/bpf_helpers.h>
 *     #include <bpfcap/bpfcap_output.h>
 *
 *     BPFCAP_OUTPUT_MAP();                      // a perf event array named bpfcap_events
 *
 *     SEC("xdp")
 *     int my_xdp(struct xdp_md *ctx)
 *     {
 *             int action = decide(ctx);
 *
 *             bpfcap_output_xdp(ctx, &bpfcap_events, 1, action);   // tag 1, the verdict
 *             return action;
 *     }
 *
 * and capture with `bpfcap capture -p prog:ID` (bpfcap finds the map by its name in the
 * loaded program) or, with the map pinned, `bpfcap capture -p map:/sys/fs/bpf/PATH`. Each call
 * emits the whole packet (fragments included, up to about 64 KiB) with its metadata; the
 * verdict and the tag appear in Wireshark as bpfcap.verdict and bpfcap.tag. A full perf
 * buffer makes the call fail (negative return) and bpfcap counts the loss.
 *
 * Works with vmlinux.h or with the UAPI headers (<linux/bpf.h>).
 */
#ifndef BPFCAP_OUTPUT_H
#define BPFCAP_OUTPUT_H

#ifndef __VMLINUX_H__
#include <linux/bpf.h>
#endif
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bpfcap/capture_abi.h"

#define BPFCAP_OUTPUT_MAP()                                                                        \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);                                       \
		__uint(key_size, sizeof(__u32));                                                   \
		__uint(value_size, sizeof(__u32));                                                 \
	} bpfcap_events SEC(".maps")

static __always_inline __u64 bpfcap__out_len(__u32 len, struct bpfcap_event *ev)
{
	__u64 n = len;

	if (n > BPFCAP_PERF_RAW_MAX - sizeof(*ev)) {
		n = BPFCAP_PERF_RAW_MAX - sizeof(*ev);
		ev->flags |= BPFCAP_EV_CAP_LIMIT;
	}
	ev->cap_len = (__u32)n;
	return n;
}

/* From a tc (BPF_PROG_TYPE_SCHED_CLS) program. verdict: what the program returns (TC_ACT_*). */
static __always_inline long bpfcap_output_skb(struct __sk_buff *skb, void *map, __u32 tag,
					      __s32 verdict)
{
	struct bpfcap_event ev = {};
	__u32 linear = (__u32)((long)skb->data_end - (long)skb->data);
	__u64 n;

	barrier_var(linear); /* no arithmetic on packet pointers beyond this difference */
	ev.ts_boot = bpf_ktime_get_boot_ns();
	ev.cpu = bpf_get_smp_processor_id();
	ev.len = skb->len;
	ev.data_len = skb->len > linear ? skb->len - linear : 0;
	ev.ifindex = skb->ifindex;
	ev.skb_iif = skb->ingress_ifindex;
	ev.mark = skb->mark;
	ev.protocol = bpf_ntohs(skb->protocol);
	ev.queue = skb->queue_mapping;
	ev.pkt_type = (__u8)skb->pkt_type;
	ev.dev_type = 1; /* Ethernet */
	ev.start = BPFCAP_START_MAC;
	ev.net_off = 0xffff;
	if (skb->vlan_present) { /* a tag carried out of band: bpfcap puts it back */
		ev.vlan.proto = bpf_ntohs((__u16)skb->vlan_proto);
		ev.vlan.tci = (__u16)skb->vlan_tci;
	}
	ev.flags = BPFCAP_EV_VERDICT_TC;
	ev.verdict = verdict;
	ev.tag = tag;
	n = bpfcap__out_len(skb->len, &ev);
	return bpf_perf_event_output(skb, map, (n << 32) | BPF_F_CURRENT_CPU, &ev, sizeof(ev));
}

/* From an XDP program. verdict: the XDP action the program returns (XDP_*). */
static __always_inline long bpfcap_output_xdp(struct xdp_md *ctx, void *map, __u32 tag,
					      __s32 verdict)
{
	struct bpfcap_event ev = {};
	__u32 linear = (__u32)((long)ctx->data_end - (long)ctx->data);
	__u32 len = (__u32)bpf_xdp_get_buff_len(ctx);
	__u64 n;

	if (len < linear)
		len = linear;
	ev.ts_boot = bpf_ktime_get_boot_ns();
	ev.cpu = bpf_get_smp_processor_id();
	ev.len = len;
	ev.data_len = len - linear;
	ev.ifindex = ctx->ingress_ifindex;
	ev.skb_iif = ctx->ingress_ifindex;
	ev.queue = ctx->rx_queue_index;
	ev.dev_type = 1;
	ev.start = BPFCAP_START_MAC;
	ev.net_off = 0xffff;
	ev.flags = BPFCAP_EV_VERDICT_XDP;
	ev.verdict = verdict;
	ev.tag = tag;
	n = bpfcap__out_len(len, &ev);
	return bpf_perf_event_output(ctx, map, (n << 32) | BPF_F_CURRENT_CPU, &ev, sizeof(ev));
}

#endif /* BPFCAP_OUTPUT_H */
