/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The few kernel types the capture programs read, as CO-RE definitions: libbpf relocates every
 * field access against the running kernel's BTF, so layout changes between kernel versions (and
 * the anonymous unions/struct_groups the kernel wraps these fields in) do not matter. Only the
 * members used are declared. Same approach as xdpdump_bpf.c and bpftool's pid_iter.bpf.c.
 */
#ifndef __VMLINUX_MIN_H__
#define __VMLINUX_MIN_H__
/* bpf_tracing.h then uses the kernel's pt_regs member names (di, si, ...), as with vmlinux.h */
#define __VMLINUX_H__ 1

#include <linux/types.h>
#include <linux/bpf.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef _Bool bool;
#define true 1
#define false 0

#ifndef NULL
#define NULL ((void *)0)
#endif

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct ns_common {
	unsigned int inum;
};

struct net {
	struct ns_common ns;
};

typedef struct {
	struct net *net;
} possible_net_t;

struct net_device {
	char name[16];
	int ifindex;
	unsigned short type;
	possible_net_t nd_net;
};

struct task_struct {
	char comm[16] __attribute__((aligned(8))); /* copied with two 8-byte loads */
};

struct in6_addr {
	union {
		__u8 u6_addr8[16];
	} in6_u;
};

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	possible_net_t skc_net;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
};

struct sock {
	struct sock_common __sk_common;
};

struct sk_buff {
	struct net_device *dev;
	struct sock *sk;
	char cb[48];
	unsigned int len;
	unsigned int data_len;
	__u16 queue_mapping;
	__u8 pkt_type : 3;
	int skb_iif;
	__u32 mark;
	__be16 protocol;
	__u16 transport_header;
	__u16 network_header;
	__u16 mac_header;
	__be16 vlan_proto;
	__u16 vlan_tci;
	__u8 vlan_present : 1; /* until 6.1; since 6.2 a tag is present when vlan_proto != 0 */
	unsigned int tail;
	unsigned int end;
	unsigned char *head;
	unsigned char *data;
};

struct xdp_buff {
	void *data;
	void *data_end;
};

/* kprobe context (x86-64 and arm64 register names come from bpf_tracing.h, CO-RE relocated) */
#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	long unsigned int di, si, dx, cx, r8, r9, ip;
};
#elif defined(__TARGET_ARCH_arm64)
struct user_pt_regs {
	__u64 regs[31];
	__u64 sp, pc, pstate;
};
struct pt_regs {
	union {
		struct user_pt_regs user_regs;
		struct {
			__u64 regs[31];
			__u64 sp, pc, pstate;
		};
	};
};
#endif

#pragma clang attribute pop

#endif /* __VMLINUX_MIN_H__ */
