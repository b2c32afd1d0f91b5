/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A kernel-like BTF built in memory with libbpf: the types the probe resolver, the catalog and
 * the drop-reason table read from /sys/kernel/btf/vmlinux, modelled on a 6.x kernel (enum
 * values as in include/net/dropreason-core.h of that era, a decoy enum that shares the bit
 * pattern of subsystem reasons, as enum ip6_defrag_users does in real kernels). */
#ifndef BPFCAP_TEST_BTF_FIXTURE_H
#define BPFCAP_TEST_BTF_FIXTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>

#include "test.h"

/* Drop reasons of the fixture */
#define FX_NOT_SPECIFIED     2
#define FX_NO_SOCKET	     3
#define FX_NEIGH_FAILED	     63
#define FX_NCORE	     7 /* core reasons: not the MAX and SUBSYS_MASK sentinels */
#define FX_OVS_LAST_ACTION   ((2u << 16) | 1)
#define FX_OVS_ACTION_ERROR  ((2u << 16) | 2)
#define FX_MAC80211_MIC_FAIL ((1u << 16) | 5)

struct fx_opts {
	bool ovs;      /* enum ovs_drop_reason present (module built in) */
	bool mac80211; /* enum mac80211_drop_reason present */
	bool decoy;    /* enum ip6_defrag_users present (values 65536, 65537, 131073...) */
	bool reasons;  /* enum skb_drop_reason and skb_drop_reason_subsys present */
};

#define FX_CHECK(x)                                                                                \
	do {                                                                                       \
		if ((x) < 0)                                                                       \
			SETUP_FAIL("libbpf: %s failed", #x);                                       \
	} while (0)

struct fx_ids {
	int int_t, uint_t, void_ptr, skb_ptr, cskb_ptr, dev_ptr, sock_ptr, csock_ptr, task_ptr,
		reason;
};

/* typedef btf_trace_<name> = void (*)(void *__data, args...) */
static inline void fx_tp(struct btf *btf, const struct fx_ids *id, const char *name, int nargs,
			 const int *types, const char *const *names)
{
	char tn[128];
	int fp, ptr, i;

	fp = btf__add_func_proto(btf, 0);
	FX_CHECK(fp);
	FX_CHECK(btf__add_func_param(btf, "__data", id->void_ptr));
	for (i = 0; i < nargs; i++)
		FX_CHECK(btf__add_func_param(btf, names[i], types[i]));
	ptr = btf__add_ptr(btf, fp);
	FX_CHECK(ptr);
	snprintf(tn, sizeof(tn), "btf_trace_%s", name);
	FX_CHECK(btf__add_typedef(btf, tn, ptr));
}

static inline int fx_enum(struct btf *btf, const char *name, int n, const char *const *names,
			  const long long *vals)
{
	int id = btf__add_enum(btf, name, 4), i;

	FX_CHECK(id);
	for (i = 0; i < n; i++)
		FX_CHECK(btf__add_enum_value(btf, names[i], vals[i]));
	return id;
}

static inline struct btf *fx_btf(const struct fx_opts *o)
{
	struct btf *btf = btf__new_empty();
	struct fx_ids id = { 0 };
	int skb, dev, sock, task, cskb, csock, nd;

	if (!btf)
		SETUP_FAIL("btf__new_empty");
	id.int_t = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	id.uint_t = btf__add_int(btf, "unsigned int", 4, 0);
	FX_CHECK(id.int_t);
	FX_CHECK(id.uint_t);
	id.void_ptr = btf__add_ptr(btf, 0);
	skb = btf__add_struct(btf, "sk_buff", 8);
	FX_CHECK(skb);
	FX_CHECK(btf__add_field(btf, "len", id.uint_t, 0, 0));
	FX_CHECK(btf__add_field(btf, "data_len", id.uint_t, 32, 0));
	dev = btf__add_struct(btf, "net_device", 4);
	FX_CHECK(dev);
	FX_CHECK(btf__add_field(btf, "ifindex", id.int_t, 0, 0));
	sock = btf__add_struct(btf, "sock", 0);
	task = btf__add_struct(btf, "task_struct", 0);
	FX_CHECK(sock);
	FX_CHECK(task);
	id.skb_ptr = btf__add_ptr(btf, skb);
	cskb = btf__add_const(btf, skb);
	FX_CHECK(cskb);
	id.cskb_ptr = btf__add_ptr(btf, cskb);
	id.dev_ptr = btf__add_ptr(btf, dev);
	id.sock_ptr = btf__add_ptr(btf, sock);
	csock = btf__add_const(btf, sock);
	FX_CHECK(csock);
	id.csock_ptr = btf__add_ptr(btf, csock);
	id.task_ptr = btf__add_ptr(btf, task);
	FX_CHECK(id.task_ptr);
	/* a struct named like a tracepoint typedef must be ignored */
	nd = btf__add_struct(btf, "btf_trace_not_a_typedef", 0);
	FX_CHECK(nd);

	if (o->reasons) {
		static const char *const rn[] = {
			"SKB_NOT_DROPPED_YET",		 "SKB_CONSUMED",
			"SKB_DROP_REASON_NOT_SPECIFIED", "SKB_DROP_REASON_NO_SOCKET",
			"SKB_DROP_REASON_PKT_TOO_SMALL", "SKB_DROP_REASON_TCP_CSUM",
			"SKB_DROP_REASON_NEIGH_FAILED",	 "SKB_DROP_REASON_MAX",
			"SKB_DROP_REASON_SUBSYS_MASK",
		};
		static const long long rv[] = { 0, 1, 2, 3, 9, 10, FX_NEIGH_FAILED, 128, -65536 };
		static const char *const sn[] = { "SKB_DROP_REASON_SUBSYS_CORE",
						  "SKB_DROP_REASON_SUBSYS_MAC80211_UNUSABLE",
						  "SKB_DROP_REASON_SUBSYS_OPENVSWITCH",
						  "SKB_DROP_REASON_SUBSYS_NUM" };
		static const long long sv[] = { 0, 1, 2, 3 };

		id.reason = fx_enum(btf, "skb_drop_reason", 9, rn, rv);
		fx_enum(btf, "skb_drop_reason_subsys", 4, sn, sv);
	} else {
		id.reason = id.uint_t; /* a kernel without drop reasons: plain integer */
	}
	if (o->decoy) {
		static const char *const dn[] = {
			"IP6_DEFRAG_LOCAL_DELIVER",	    "IP6_DEFRAG_CONNTRACK_IN",
			"__IP6_DEFRAG_CONNTRACK_IN",	    "IP6_DEFRAG_CONNTRACK_OUT",
			"__IP6_DEFRAG_CONNTRACK_OUT",	    "IP6_DEFRAG_CONNTRACK_BRIDGE_IN",
			"__IP6_DEFRAG_CONNTRACK_BRIDGE_IN",
		};
		static const long long dv[] = { 0, 1, 65536, 65537, 131072, 131073, 196608 };

		fx_enum(btf, "ip6_defrag_users", 7, dn, dv);
	}
	if (o->ovs) {
		static const char *const on[] = { "__OVS_DROP_REASON", "OVS_DROP_LAST_ACTION",
						  "OVS_DROP_ACTION_ERROR", "OVS_DROP_MAX" };
		static const long long ov[] = { 2 << 16, (2 << 16) + 1, (2 << 16) + 2,
						(2 << 16) + 3 };

		fx_enum(btf, "ovs_drop_reason", 4, on, ov);
	}
	if (o->mac80211) {
		static const char *const mn[] = { "RX_CONTINUE", "RX_QUEUED", "RX_DROP_MONITOR",
						  "__RX_DROP_UNUSABLE_BASE", "RX_DROP_U_MIC_FAIL" };
		static const long long mv[] = { 0, 1, 2, 1 << 16, (1 << 16) + 5 };

		fx_enum(btf, "mac80211_drop_reason", 5, mn, mv);
	}

	{ /* kfree_skb(skb, location, reason) */
		int t[] = { id.skb_ptr, id.void_ptr, id.reason };
		const char *const n[] = { "skb", "location", "reason" };

		fx_tp(btf, &id, "kfree_skb", 3, t, n);
	}
	{ /* consume_skb(skb, location) */
		int t[] = { id.skb_ptr, id.void_ptr };
		const char *const n[] = { "skb", "location" };

		fx_tp(btf, &id, "consume_skb", 2, t, n);
	}
	{ /* net_dev_xmit(skb, rc, dev, skb_len) */
		int t[] = { id.skb_ptr, id.int_t, id.dev_ptr, id.uint_t };
		const char *const n[] = { "skb", "rc", "dev", "skb_len" };

		fx_tp(btf, &id, "net_dev_xmit", 4, t, n);
	}
	{ /* net_dev_queue(skb) */
		int t[] = { id.skb_ptr };
		const char *const n[] = { "skb" };

		fx_tp(btf, &id, "net_dev_queue", 1, t, n);
	}
	{ /* tcp_retransmit_skb(const struct sock *, const struct sk_buff *) */
		int t[] = { id.csock_ptr, id.cskb_ptr };
		const char *const n[] = { "sk", "skb" };

		fx_tp(btf, &id, "tcp_retransmit_skb", 2, t, n);
	}
	{ /* sched_wakeup(task): no skb */
		int t[] = { id.task_ptr };
		const char *const n[] = { "p" };

		fx_tp(btf, &id, "sched_wakeup", 1, t, n);
	}
	{ /* two skbs: bpfcap_fx_two_skbs(a, rc, b) */
		int t[] = { id.skb_ptr, id.int_t, id.skb_ptr };
		const char *const n[] = { "a", "rc", "b" };

		fx_tp(btf, &id, "bpfcap_fx_two_skbs", 3, t, n);
	}
	{ /* skb in arg1 behind a plain integer: bpfcap_fx_skb1(rc, skb) */
		int t[] = { id.int_t, id.skb_ptr };
		const char *const n[] = { "rc", "skb" };

		fx_tp(btf, &id, "bpfcap_fx_skb1", 2, t, n);
	}
	{ /* skb in argument 4: not supported by the programs */
		int t[] = { id.int_t, id.int_t, id.int_t, id.int_t, id.skb_ptr };
		const char *const n[] = { "a", "b", "c", "d", "skb" };

		fx_tp(btf, &id, "bpfcap_fx_skb_arg4", 5, t, n);
	}
	/* typedef btf_trace_bpfcap_fx_bad = int: not a function pointer */
	FX_CHECK(btf__add_typedef(btf, "btf_trace_bpfcap_fx_bad", id.int_t));
	return btf;
}

/* The skb tracepoints of the fixture, as catalog_build sorts them (category, then name). */
static const char *const fx_skb_tps[] __attribute__((unused)) = {
	"tp:bpfcap_fx_skb1",	"tp:bpfcap_fx_skb_arg4",     "tp:bpfcap_fx_two_skbs",
	"tp:net:net_dev_queue", "tp:net:net_dev_xmit",	     "tp:skb:consume_skb",
	"tp:skb:kfree_skb",	"tp:tcp:tcp_retransmit_skb",
};

#define FX_NSKB_TPS 8

#endif /* BPFCAP_TEST_BTF_FIXTURE_H */
