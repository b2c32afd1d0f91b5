/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one header shared by bpf/ and extcap/: the record a capture program hands to user space
 * (ring buffer record or perf sample, same layout), the per-probe counters and the constants
 * both sides need. Host byte order; fixed-width types only. This is NOT the file format: the
 * pcapng writer turns these records into the metadata TLVs of <bpfcap/meta.h>.
 */
#ifndef BPFCAP_CAPTURE_ABI_H
#define BPFCAP_CAPTURE_ABI_H

#if !defined(__VMLINUX_MIN_H__) && !defined(__VMLINUX_H__) /* BPF side: from vmlinux.h */
#include <linux/types.h>
#endif

#define BPFCAP_MAX_PROBES 64
/* Largest number of linear packet bytes one ring record carries: an Ethernet header plus the
 * largest IP packet, with room for VLAN tags. */
#define BPFCAP_CAP_MAX 65552
/* Largest raw part of a perf sample (bpf_skb_output): the whole perf record must fit in the
 * u16 perf_event_header.size (8-byte header, u32 size, data padded to 8). */
#define BPFCAP_PERF_RAW_MAX 65512
/* Bytes in front of skb->data (MAC/network headers) carried in a perf (bpf_skb_output) record. */
#define BPFCAP_PRE_MAX 256
/* Nesting levels of capture programs on one CPU (task, softirq, hardirq, NMI). */
#define BPFCAP_NEST_MAX 4
#define BPFCAP_ARG_NONE 0xff
/* Drop-reason filter: core reasons below this value as a bitmap, subsystem ones in a list. */
#define BPFCAP_REASON_BITS    512
#define BPFCAP_REASON_SUB_MAX 8
/* --stack: kernel stacks in a stack map, this many distinct ones of at most this many frames */
#define BPFCAP_STACK_ENTRIES 8192
#define BPFCAP_STACK_DEPTH   48

/* Where the captured bytes start. */
enum bpfcap_start {
	BPFCAP_START_MAC = 1,  /* skb MAC header (skb_mac_header_was_set) */
	BPFCAP_START_NET = 2,  /* skb network header */
	BPFCAP_START_DATA = 3, /* skb->data: no header known */
};

/* bpfcap_event.flags */
enum bpfcap_ev_flags {
	BPFCAP_EV_PAGED_MISSED = 1 << 0, /* bytes in paged frags were not readable (raw_tp) */
	BPFCAP_EV_SKB_OUTPUT = 1 << 1,	 /* record came through bpf_skb_output (perf) */
	BPFCAP_EV_HAS_REASON = 1 << 2,	 /* reason holds an enum skb_drop_reason */
	BPFCAP_EV_CAP_LIMIT = 1 << 3,	 /* truncated at BPFCAP_CAP_MAX, not at the snaplen */
	BPFCAP_EV_DEV_ARG = 1 << 4,	 /* device taken from the tracepoint's argument */
	BPFCAP_EV_TCP_SYNTH = 1 << 5,	 /* no headers in the skb: tcp{} describes the segment */
	BPFCAP_EV_VERDICT_TC = 1 << 6,	 /* verdict holds a tc verdict (TC_ACT_*) */
	BPFCAP_EV_VERDICT_XDP = 1 << 7,	 /* verdict holds an XDP action (XDP_*) */
};

/* Capture points of the BPF object, set per instance (capture.bpf.c: hook). */
enum bpfcap_hook {
	BPFCAP_HOOK_TRACEPOINT = 0,
	BPFCAP_HOOK_XDP = 1,
	BPFCAP_HOOK_TC_INGRESS = 2,
	BPFCAP_HOOK_TC_EGRESS = 3,
};

/* Program kinds in the BPF object; the loader picks one per probe. */
enum bpfcap_dir {
	BPFCAP_DIR_UNKNOWN = 0,
	BPFCAP_DIR_IN = 1,
	BPFCAP_DIR_OUT = 2,
};

struct bpfcap_event {
	__u64 ts_boot;	/* bpf_ktime_get_boot_ns(): CLOCK_BOOTTIME */
	__u64 skb_addr; /* kernel address of the skb; hashed before it reaches a file */
	__u64 location; /* kfree_skb: caller address, else 0 */
	__u32 probe_id;
	__u32 cpu;
	__u32 len;	/* skb->len: bytes from skb->data to the end, frags included */
	__u32 data_len; /* skb->data_len: bytes in paged frags / frag_list */
	__u32 pre_len;	/* bytes from the capture start to skb->data */
	__u32 cap_len;	/* packet bytes that follow this header */
	__u32 ifindex;
	__u32 skb_iif;
	__u32 netns;  /* network namespace inode of the device (or socket) */
	__u32 reason; /* enum skb_drop_reason when BPFCAP_EV_HAS_REASON */
	__u32 mark;
	__u32 tgid; /* current task when the probe fired (may be unrelated in softirq) */
	__u32 tid;
	__u16 protocol; /* ntohs(skb->protocol) */
	__u16 queue;	/* skb->queue_mapping */
	__u16 dev_type; /* dev->type (ARPHRD_*), 0 without device */
	__u16 net_off;	/* network header offset from the capture start, 0xffff if unknown */
	__u8 pkt_type;	/* skb->pkt_type (PACKET_*) */
	__u8 start;	/* enum bpfcap_start */
	__u8 flags;	/* enum bpfcap_ev_flags */
	__u8 dir;	/* enum bpfcap_dir */
	char ifname[16];
	char comm[16];
	union {
		/* With BPFCAP_EV_TCP_SYNTH (TCP skbs that have no headers yet, e.g. at
		 * tcp:tcp_retransmit_skb): the segment as the socket and TCP_SKB_CB describe it,
		 * from which user space rebuilds IP and TCP headers in front of the payload. */
		struct {
			__u8 family; /* AF_INET / AF_INET6 */
			__u8 flags;  /* TCP flags */
			__u16 sport; /* host order */
			__u16 dport;
			__u16 pad;
			__u32 seq;
			__u8 saddr[16];
			__u8 daddr[16];
		} tcp;
		/* Without BPFCAP_EV_TCP_SYNTH: a VLAN tag the skb carries out of band
		 * (skb->vlan_proto/vlan_tci, as NICs with VLAN offload, VLAN devices and bridges
		 * leave it), which user space puts back into the bytes as libpcap does. proto 0:
		 * no such tag. Zero in records of programs built before it existed. */
		struct {
			__u16 proto; /* TPID, host order: 0x8100 or 0x88a8 */
			__u16 tci;   /* priority, DEI, VLAN id */
		} vlan;
	};
	__s32 verdict; /* with BPFCAP_EV_VERDICT_*: what the program decided */
	union {
		__u32 tag;	/* probes prog:/map: (users' programs, bpfcap_output.h) */
		__u32 stack_id; /* bpfcap's own probes with --stack: stack map id + 1, 0 none */
	};
	/* __u8 data[cap_len] follows */
};

_Static_assert(sizeof(struct bpfcap_event) == 176, "bpfcap_event ABI changed");

/* Per probe, per CPU. Everything a probe saw is counted exactly once in
 * captured + lost_ring + lost_perf + lost_nested + filtered. */
struct bpfcap_counters {
	__u64 seen;
	__u64 captured;	   /* records handed to the ring buffer or perf buffer */
	__u64 lost_ring;   /* ring buffer full */
	__u64 lost_perf;   /* perf buffer full or bpf_skb_output failed */
	__u64 lost_nested; /* too deeply nested on one CPU */
	__u64 filtered;	   /* rejected by an in-kernel filter */
	__u64 truncated;   /* captured, but fewer bytes than asked for */
	__u64 invalid;	   /* skipped: the skb was not consistent (e.g. freed before fexit) */
};

_Static_assert(sizeof(struct bpfcap_counters) == 64, "bpfcap_counters ABI changed");

/* Shared wakeup state of the ring buffer (one entry, shared by all probe instances). */
struct bpfcap_wakeup {
	__u64 last_ns;
};

#endif /* BPFCAP_CAPTURE_ABI_H */
