// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpfcap capture programs. One BPF object is opened once per probe: its .rodata carries that
 * probe's settings, exactly one of its programs is loaded (picked by the loader from the
 * tracepoint's BTF prototype), and the maps are shared between all instances.
 *
 * Data path per packet: read metadata from the skb, pick the capture start (MAC header if set,
 * else network header, else skb->data), then
 *  - linear bytes: bpf_probe_read_kernel() straight into a ring buffer record whose size is the
 *    smallest tier that fits (ring records need a constant size);
 *  - bytes in paged fragments wanted by the snaplen: bpf_skb_output() (tp_btf only), which
 *    appends skb bytes from skb->data (frags included) to our header in a perf sample.
 * Every packet seen is counted exactly once as captured, lost or filtered, per probe and CPU.
 */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "bpfcap/capture_abi.h"
#include "filter_stub.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Per-instance (per-probe) settings, set before load. */
const volatile __u32 probe_id = 0;
const volatile __u32 snaplen = 262144;
const volatile __u32 use_skb_output = 1;
/* Device hooks (xdp, tc): which one, and what user space knows of the device. */
const volatile __u32 hook = BPFCAP_HOOK_TRACEPOINT;
const volatile __u32 dev_netns = 0;
const volatile __u32 dev_type = 1; /* ARPHRD_ETHER */

/* Metadata filters (0 = any): network namespace inode, interface index. */
const volatile __u32 filter_netns = 0;
const volatile __u32 filter_ifindex = 0;
const volatile __u32 filter_mark_on = 0; /* skb->mark & mask == value */
const volatile __u32 filter_mark_value = 0;
const volatile __u32 filter_mark_mask = 0xffffffff;
const volatile __u32 filter_pid = 0; /* tgid of the current task */
/* Drop-reason filter (probes with a reason): core reasons as a bitmap, subsystem reasons
 * (value >> 16 != 0) as a short list. */
const volatile __u32 filter_reason = 0;
const volatile __u64 reason_bits[BPFCAP_REASON_BITS / 64] = {};
const volatile __u32 reason_sub[BPFCAP_REASON_SUB_MAX] = {};
/* Ring-buffer wakeup policy: wake the reader when it has neither been woken nor looked by
 * itself for wakeup_idle_ns (so a lone packet is delivered at once: a sleeping reader says 0)
 * or when wakeup_bytes are waiting and an eighth of that period has passed; otherwise batch. A wakeup is an irq_work self-IPI plus a
 * cross-CPU wakeup, expensive in a VM: under load the reader polls and none is sent. */
const volatile __u64 wakeup_bytes = 1 << 20;
const volatile __u64 wakeup_idle_ns = 1000000;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24); /* resized from --ring-size */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} skbout SEC(".maps");

/* --stack: the kernel stack at the probe, by id (ev->stack_id - 1). Shrunk to one entry by
 * the loader when no probe wants stacks. A bucket is never overwritten (no BPF_F_REUSE_STACKID),
 * so the id a record carries still names its stack when user space reads it; a stack whose
 * bucket holds another one is counted as missing instead. */
const volatile __u32 want_stack = 0;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, BPFCAP_STACK_ENTRIES);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, BPFCAP_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BPFCAP_MAX_PROBES);
	__type(key, __u32);
	__type(value, struct bpfcap_counters);
} counters SEC(".maps");

/* Mapped by the reader too: while it is busy polling it writes the time it last looked into
 * last_ns (no wakeup needed), and 0 when it goes to sleep (wake me at the next record). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpfcap_wakeup);
} wakeup SEC(".maps");

/* Header plus the bytes in front of skb->data: the perf-sample prefix of bpf_skb_output(). */
struct skbout_meta {
	struct bpfcap_event ev;
	__u8 pre[BPFCAP_PRE_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BPFCAP_NEST_MAX);
	__type(key, __u32);
	__type(value, struct skbout_meta);
} metabuf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} nesting SEC(".maps");

/* fentry/fexit on an XDP program: the xdp_buff lives on the driver's stack, so its address is
 * the same for every packet. A per-CPU sequence numbers the runs instead: the entry program
 * advances it and the exit program of the same run (same CPU, XDP does not nest) reads it;
 * an exit traced alone advances it itself (prog_seq_owner). */
const volatile __u32 prog_seq_owner = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pseq SEC(".maps");

#define MAC_UNSET ((__u16)~0U)

/* pcap-filter: two stubs patched by user space (bpf/filter_stub.h), run on a per-CPU copy of
 * the packet's first bytes. */
const volatile __u32 use_filter = 0;
const volatile __u32 filter_window = BPFCAP_FILTER_WINDOW; /* bytes the filter reads */

/* One per-CPU value: the nesting level of filter runs on this CPU and a window per level, so a
 * filter run costs one map lookup. */
struct filter_win {
	__u32 level;
	__u32 pad;
	__u8 b[BPFCAP_NEST_MAX][BPFCAP_FILTER_WINDOW];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct filter_win);
} fwin SEC(".maps");

BPFCAP_FILTER_STUB(bpfcap_filter_l2, BPFCAP_FILTER_MAGIC_L2)
BPFCAP_FILTER_STUB(bpfcap_filter_l3, BPFCAP_FILTER_MAGIC_L3)

static __always_inline void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* The headers user space will synthesise for a header-less TCP segment, for the filter. */
static __always_inline __u32 synth_window(const struct bpfcap_event *ev, __u8 *w)
{
	__u32 hl = ev->tcp.family == 2 ? 20 : 40, plen = ev->len;
	__u8 *t = w + hl;

	__builtin_memset(w, 0, 60);
	if (ev->tcp.family == 2) {
		w[0] = 0x45;
		put16(w + 2, plen + 40 > 65535 ? 65535 : plen + 40);
		w[6] = 0x40;
		w[8] = 64;
		w[9] = 6;
		__builtin_memcpy(w + 12, ev->tcp.saddr, 4);
		__builtin_memcpy(w + 16, ev->tcp.daddr, 4);
		t = w + 20;
	} else {
		w[0] = 0x60;
		put16(w + 4, plen + 20 > 65535 ? 65535 : plen + 20);
		w[6] = 6;
		w[7] = 64;
		__builtin_memcpy(w + 8, ev->tcp.saddr, 16);
		__builtin_memcpy(w + 24, ev->tcp.daddr, 16);
		t = w + 40;
	}
	put16(t, ev->tcp.sport);
	put16(t + 2, ev->tcp.dport);
	t[4] = ev->tcp.seq >> 24;
	t[5] = ev->tcp.seq >> 16;
	t[6] = ev->tcp.seq >> 8;
	t[7] = ev->tcp.seq;
	t[12] = 5 << 4;
	t[13] = ev->tcp.flags;
	return hl + 20;
}

/* Non-zero when the pcap filter accepts the packet. The Ethernet variant runs on frames that
 * start at an Ethernet-like MAC header, the raw-IP variant on everything else (from the
 * network header), as the packet will be written with --proto auto. */
static __always_inline __u32 run_filter(const struct bpfcap_event *ev, const unsigned char *head,
					__u32 start, __u32 tail)
{
	__u32 zero = 0;
	struct filter_win *fw = bpf_map_lookup_elem(&fwin, &zero);
	__u8 *w;
	__u32 idx, off, wl, wire, r;
	bool l2 = ev->start == BPFCAP_START_MAC && (ev->dev_type == 1 || ev->dev_type == 772) &&
		  (ev->net_off == 0xffff || ev->net_off >= 14);

	if (!fw)
		return 0;
	idx = fw->level;
	if (idx >= BPFCAP_NEST_MAX)
		return 1; /* cannot filter this deep: let the packet through rather than lose it */
	w = fw->b[idx];
	fw->level = idx + 1;
	if (ev->flags & BPFCAP_EV_TCP_SYNTH) {
		wl = synth_window(ev, w);
		wire = wl + ev->len;
		l2 = false;
	} else {
		off = start;
		if (!l2 && ev->start == BPFCAP_START_MAC && ev->net_off != 0xffff)
			off = start + ev->net_off; /* non-Ethernet L2: filter from L3 */
		wire = ev->pre_len + ev->len - (off - start);
		wl = tail > off ? tail - off : 0;
		if (wl > filter_window)
			wl = filter_window;
		if (wl > BPFCAP_FILTER_WINDOW)
			wl = BPFCAP_FILTER_WINDOW;
		if (l2 && ev->vlan.proto && wl >= 12) {
			/* the frame as it will be written: the out-of-band tag after the MACs */
			__u32 rest = wl - 12;

			if (rest > BPFCAP_FILTER_WINDOW - 16)
				rest = BPFCAP_FILTER_WINDOW - 16;
			wl = 0;
			if (!bpf_probe_read_kernel(w, 12, head + off)) {
				put16(w + 12, ev->vlan.proto);
				put16(w + 14, ev->vlan.tci);
				if (rest && bpf_probe_read_kernel(w + 16, rest, head + off + 12))
					rest = 0;
				wl = 16 + rest;
			}
			wire += 4;
		} else if (wl && bpf_probe_read_kernel(w, wl, head + off)) {
			wl = 0;
		}
	}
	r = l2 ? bpfcap_filter_l2(w, wl, wire) : bpfcap_filter_l3(w, wl, wire);
	fw->level = idx;
	return r;
}

static __always_inline bool reason_wanted(__u32 r)
{
	int i;

	if (r < BPFCAP_REASON_BITS) {
		__u32 idx = r >> 6;

		barrier_var(idx); /* keep the mask: the verifier must see the bound */
		idx &= BPFCAP_REASON_BITS / 64 - 1;
		return (reason_bits[idx] >> (r & 63)) & 1;
	}
	for (i = 0; i < BPFCAP_REASON_SUB_MAX; i++)
		if (reason_sub[i] && reason_sub[i] == r)
			return true;
	return false;
}

static __always_inline __u64 wake_flags(__u64 now)
{
	__u32 k = 0;
	struct bpfcap_wakeup *w = bpf_map_lookup_elem(&wakeup, &k);
	__s64 since;

	if (!w)
		return 0;
	/* signed: a record stamped just before the reader stamped the map is not "idle". The
	 * bytes rule waits an eighth of the idle period after the last wakeup or look: a reader
	 * that is busy elsewhere (blocked writing to a slow FIFO) leaves the ring full, and a
	 * wakeup per record then costs the sending CPU half its time in self-IPIs. */
	since = (__s64)(now - w->last_ns);
	if (since >= (__s64)wakeup_idle_ns ||
	    (since >= (__s64)(wakeup_idle_ns >> 3) &&
	     bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)) {
		w->last_ns = now;
		return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

/* Ring records need a constant size: each tier is its own subprogram (so the compiler cannot
 * merge the copies and lose the bound), and the caller picks the smallest that fits. */
#define RING_TIER(SZ)                                                                              \
	static __noinline int ring_tier_##SZ(const struct bpfcap_event *ev, const void *src,       \
					     __u32 n)                                              \
	{                                                                                          \
		struct {                                                                           \
			struct bpfcap_event ev;                                                    \
			__u8 data[SZ];                                                             \
		} *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);                                \
                                                                                                   \
		if (!r)                                                                            \
			return -1;                                                                 \
		__builtin_memcpy(&r->ev, ev, sizeof(*ev));                                         \
		barrier_var(n);                                                                    \
		if (n > (SZ))                                                                      \
			n = (SZ);                                                                  \
		if (n && bpf_probe_read_kernel(r->data, n, src))                                   \
			r->ev.cap_len = 0;                                                         \
		bpf_ringbuf_submit(r, wake_flags(r->ev.ts_boot));                                  \
		return 0;                                                                          \
	}

RING_TIER(64)
RING_TIER(128)
RING_TIER(256)
RING_TIER(512)
RING_TIER(768)
RING_TIER(1024)
RING_TIER(1536)
RING_TIER(2048)
RING_TIER(4096)
RING_TIER(9216)
RING_TIER(16384)
RING_TIER(32768)
RING_TIER(65552)

_Static_assert(BPFCAP_CAP_MAX == 65552, "largest ring tier must be BPFCAP_CAP_MAX");

static __always_inline int ring_emit(const struct bpfcap_event *ev, const void *src, __u32 n)
{
#define TRY(SZ)                                                                                    \
	if (n <= (SZ))                                                                             \
		return ring_tier_##SZ(ev, src, n);
	TRY(64)
	TRY(128)
	TRY(256)
	TRY(512)
	TRY(768)
	TRY(1024)
	TRY(1536)
	TRY(2048)
	TRY(4096)
	TRY(9216)
	TRY(16384)
	TRY(32768)
	TRY(65552)
#undef TRY
	return -1;
}

/* A VLAN tag the skb carries out of band. Until 6.1 a flag says whether the fields hold one
 * (they keep stale values after the tag is removed); since 6.2 a non-zero vlan_proto does. */
static __always_inline void read_vlan(struct sk_buff *skb, struct bpfcap_event *ev, bool trusted)
{
	__u16 proto, tci;
	bool present;

	if (trusted) {
		proto = skb->vlan_proto;
		tci = skb->vlan_tci;
	} else {
		proto = BPF_CORE_READ(skb, vlan_proto);
		tci = BPF_CORE_READ(skb, vlan_tci);
	}
	if (bpf_core_field_exists(skb->vlan_present))
		present = trusted ? BPF_CORE_READ_BITFIELD(skb, vlan_present)
				  : BPF_CORE_READ_BITFIELD_PROBED(skb, vlan_present);
	else
		present = proto != 0;
	if (present && proto) {
		ev->vlan.proto = bpf_ntohs(proto);
		ev->vlan.tci = tci;
	}
}

/* The kernel stack at the probe: its id + 1 in the stack map, 0 when not wanted or lost. */
static __always_inline __u32 stack_of(void *ctx)
{
	long id;

	if (!want_stack)
		return 0;
	id = bpf_get_stackid(ctx, &stacks, 0);
	return id >= 0 ? (__u32)id + 1 : 0;
}

/*
 * The capture itself. `trusted` is a compile-time constant: tp_btf programs get BTF-typed
 * pointers that can be read directly and handed to bpf_skb_output(); raw_tp programs read
 * everything through bpf_probe_read_kernel() (BPF_CORE_READ).
 */
static __always_inline int capture_v(void *ctx, struct sk_buff *skb, struct net_device *argdev,
				     struct sock *argsk, bool has_reason, __u32 reason,
				     __u64 location, bool trusted, bool has_verdict, __s32 verdict);

static __always_inline int capture(void *ctx, struct sk_buff *skb, struct net_device *argdev,
				   struct sock *argsk, bool has_reason, __u32 reason,
				   __u64 location, bool trusted)
{
	return capture_v(ctx, skb, argdev, argsk, has_reason, reason, location, trusted, false, 0);
}

static __always_inline int capture_verdict(void *ctx, struct sk_buff *skb, __s32 verdict)
{
	return capture_v(ctx, skb, NULL, NULL, false, 0, 0, true, true, verdict);
}

static __always_inline int capture_v(void *ctx, struct sk_buff *skb, struct net_device *argdev,
				     struct sock *argsk, bool has_reason, __u32 reason,
				     __u64 location, bool trusted, bool has_verdict, __s32 verdict)
{
	__u32 key = probe_id, zero = 0;
	struct bpfcap_counters *c = bpf_map_lookup_elem(&counters, &key);
	struct bpfcap_event ev_local, *ev = &ev_local;
	struct net_device *dev;
	struct sock *sk;
	unsigned char *head;
	__u32 data_off, tail, start, linear, want, n;
	__u16 mac, net;

	if (!c || !skb)
		return 0;
	c->seen++;
	if (filter_reason && has_reason && !reason_wanted(reason)) {
		c->filtered++;
		return 0;
	}

	/* First what the filters need (a rejected packet should cost little), then the rest. */
	__builtin_memset(ev, 0, sizeof(*ev));
	if (trusted) {
		dev = argdev ? argdev : skb->dev;
		head = skb->head;
		data_off = (__u32)(skb->data - head);
		tail = skb->tail;
		mac = skb->mac_header;
		net = skb->network_header;
		ev->len = skb->len;
		ev->skb_iif = skb->skb_iif;
		if (dev) {
			ev->ifindex = dev->ifindex;
			ev->dev_type = dev->type;
			ev->netns = dev->nd_net.net->ns.inum;
		}
		if (!ev->netns) {
			/* skb->dev is unioned with dev_scratch on socket queues: use the socket */
			sk = skb->sk;
			if (sk)
				ev->netns = sk->__sk_common.skc_net.net->ns.inum;
		}
	} else {
		dev = argdev ? argdev : BPF_CORE_READ(skb, dev);
		head = BPF_CORE_READ(skb, head);
		data_off = (__u32)(BPF_CORE_READ(skb, data) - head);
		tail = BPF_CORE_READ(skb, tail);
		mac = BPF_CORE_READ(skb, mac_header);
		net = BPF_CORE_READ(skb, network_header);
		ev->len = BPF_CORE_READ(skb, len);
		ev->skb_iif = BPF_CORE_READ(skb, skb_iif);
		if (dev) {
			ev->ifindex = BPF_CORE_READ(dev, ifindex);
			ev->dev_type = BPF_CORE_READ(dev, type);
			ev->netns = BPF_CORE_READ(dev, nd_net.net, ns.inum);
		}
		if (!ev->netns) {
			sk = BPF_CORE_READ(skb, sk);
			if (sk)
				ev->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
		}
	}
	/* An skb read after it was freed (fexit on a function that consumes it) is garbage:
	 * skip what cannot be a packet rather than write nonsense. */
	if (data_off > tail || tail - data_off > ev->len || ev->len > (1u << 24)) {
		c->invalid++;
		return 0;
	}
	if (!ev->netns && argsk)
		ev->netns = trusted ? argsk->__sk_common.skc_net.net->ns.inum
				    : BPF_CORE_READ(argsk, __sk_common.skc_net.net, ns.inum);
	if ((filter_netns && ev->netns != filter_netns) ||
	    (filter_ifindex && (ev->ifindex ? ev->ifindex : ev->skb_iif) != filter_ifindex)) {
		c->filtered++;
		return 0;
	}
	if (filter_mark_on) {
		__u32 mark = trusted ? skb->mark : BPF_CORE_READ(skb, mark);

		if ((mark & filter_mark_mask) != filter_mark_value) {
			c->filtered++;
			return 0;
		}
	}
	if (filter_pid && (__u32)(bpf_get_current_pid_tgid() >> 32) != filter_pid) {
		c->filtered++;
		return 0;
	}

	/* Capture start: MAC header if set (skb_mac_header_was_set), else the network header
	 * when it lies in front of the data, else skb->data. */
	if (mac != MAC_UNSET && mac <= data_off) {
		start = mac;
		ev->start = BPFCAP_START_MAC;
	} else if (net != 0 && net <= data_off) {
		start = net;
		ev->start = BPFCAP_START_NET;
	} else {
		start = data_off;
		ev->start = BPFCAP_START_DATA;
	}
	if (argsk && ev->start == BPFCAP_START_DATA) {
		/* A TCP skb without headers (retransmit queue): describe the segment. */
		struct sock_common *skc = &argsk->__sk_common;
		__u16 fam = BPF_CORE_READ(skc, skc_family);

		if (fam == 2 /* AF_INET */) {
			__u32 a = BPF_CORE_READ(skc, skc_rcv_saddr),
			      b = BPF_CORE_READ(skc, skc_daddr);

			__builtin_memcpy(ev->tcp.saddr, &a, 4);
			__builtin_memcpy(ev->tcp.daddr, &b, 4);
		} else if (fam == 10 /* AF_INET6 */) {
			BPF_CORE_READ_INTO(&ev->tcp.saddr, skc, skc_v6_rcv_saddr);
			BPF_CORE_READ_INTO(&ev->tcp.daddr, skc, skc_v6_daddr);
		}
		if (fam == 2 || fam == 10) {
			ev->tcp.family = (__u8)fam;
			ev->tcp.sport = BPF_CORE_READ(skc, skc_num);
			ev->tcp.dport = bpf_ntohs(BPF_CORE_READ(skc, skc_dport));
			/* TCP_SKB_CB(skb): seq at 0, tcp_flags at 12 */
			bpf_probe_read_kernel(&ev->tcp.seq, 4, &skb->cb[0]);
			bpf_probe_read_kernel(&ev->tcp.flags, 1, &skb->cb[12]);
			ev->flags |= BPFCAP_EV_TCP_SYNTH;
		}
	}
	ev->net_off = (net >= start && net <= data_off && net - start < 0xffff &&
		       ev->start != BPFCAP_START_DATA)
			      ? net - start
			      : 0xffff;
	ev->pre_len = data_off - start;
	if (!(ev->flags & BPFCAP_EV_TCP_SYNTH))
		read_vlan(skb, ev, trusted);

	if (use_filter && !run_filter(ev, head, start, tail)) {
		c->filtered++;
		return 0;
	}

	ev->ts_boot = bpf_ktime_get_boot_ns();
	ev->skb_addr = (__u64)skb;
	ev->location = location;
	ev->probe_id = probe_id;
	ev->cpu = bpf_get_smp_processor_id();
	ev->stack_id = stack_of(ctx);
	if (has_reason) {
		ev->reason = reason;
		ev->flags |= BPFCAP_EV_HAS_REASON;
	}
	if (has_verdict) {
		ev->flags |= BPFCAP_EV_VERDICT_TC;
		ev->verdict = verdict;
	}
	if (trusted) {
		ev->data_len = skb->data_len;
		ev->mark = skb->mark;
		ev->protocol = bpf_ntohs(skb->protocol);
		ev->queue = skb->queue_mapping;
		ev->pkt_type = BPF_CORE_READ_BITFIELD(skb, pkt_type);
		/* two loads through the typed pointer instead of a helper call (~25 ns) */
		if (dev)
			__builtin_memcpy(ev->ifname, dev->name, sizeof(ev->ifname));
	} else {
		ev->data_len = BPF_CORE_READ(skb, data_len);
		ev->mark = BPF_CORE_READ(skb, mark);
		ev->protocol = bpf_ntohs(BPF_CORE_READ(skb, protocol));
		ev->queue = BPF_CORE_READ(skb, queue_mapping);
		ev->pkt_type = BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
		if (dev)
			bpf_probe_read_kernel(ev->ifname, sizeof(ev->ifname), &dev->name);
	}
	if (argdev)
		ev->flags |= BPFCAP_EV_DEV_ARG;
	{
		__u64 id = bpf_get_current_pid_tgid();

		ev->tgid = (__u32)(id >> 32);
		ev->tid = (__u32)id;
		/* loads from the typed task instead of bpf_get_current_comm() (~40 ns per packet:
		 * it copies with strscpy); the task's comm is always NUL-terminated */
		__builtin_memcpy(ev->comm, bpf_get_current_task_btf()->comm, sizeof(ev->comm));
	}

	/* Bytes wanted: up to the snaplen, of the whole packet (pre + len). */
	want = ev->pre_len + ev->len;
	if (want > snaplen)
		want = snaplen;
	linear = tail > start ? tail - start : 0;

	if (want > linear && ev->data_len) {
		if (trusted && use_skb_output) {
			/* paged bytes wanted: bpf_skb_output copies from skb->data, frags included */
			__u32 *lvl = bpf_map_lookup_elem(&nesting, &zero);
			struct skbout_meta *m;
			__u32 idx, pre, out;
			long err;

			if (!lvl)
				return 0;
			idx = *lvl;
			if (idx >= BPFCAP_NEST_MAX) {
				c->lost_nested++;
				return 0;
			}
			m = bpf_map_lookup_elem(&metabuf, &idx);
			if (!m) {
				c->lost_nested++;
				return 0;
			}
			(*lvl)++;
			pre = ev->pre_len;
			if (pre > BPFCAP_PRE_MAX) {
				/* keep the last BPFCAP_PRE_MAX header bytes in front of the data */
				start = data_off - BPFCAP_PRE_MAX;
				pre = BPFCAP_PRE_MAX;
				ev->pre_len = pre;
				ev->net_off = 0xffff;
				want = pre + ev->len;
				if (want > snaplen)
					want = snaplen;
			}
			out = want > pre ? want - pre : 0;
			if (out > BPFCAP_PERF_RAW_MAX - sizeof(struct bpfcap_event) - pre) {
				out = BPFCAP_PERF_RAW_MAX - sizeof(struct bpfcap_event) - pre;
				ev->flags |= BPFCAP_EV_CAP_LIMIT;
			}
			if (out > ev->len)
				out = ev->len;
			ev->cap_len = pre + out;
			ev->flags |= BPFCAP_EV_SKB_OUTPUT;
			__builtin_memcpy(&m->ev, ev, sizeof(*ev));
			pre &= BPFCAP_PRE_MAX * 2 - 1;
			if (pre > BPFCAP_PRE_MAX)
				pre = BPFCAP_PRE_MAX;
			if (pre && bpf_probe_read_kernel(m->pre, pre, head + start))
				__builtin_memset(m->pre, 0, sizeof(m->pre));
			err = bpf_skb_output(skb, &skbout, ((__u64)out << 32) | BPF_F_CURRENT_CPU,
					     m, sizeof(m->ev) + pre);
			(*lvl)--;
			if (err) {
				c->lost_perf++;
				return 0;
			}
			c->captured++;
			if (ev->cap_len < ev->pre_len + ev->len)
				c->truncated++;
			return 0;
		}
		ev->flags |= BPFCAP_EV_PAGED_MISSED;
	}

	n = want < linear ? want : linear;
	if (n > BPFCAP_CAP_MAX) {
		n = BPFCAP_CAP_MAX;
		ev->flags |= BPFCAP_EV_CAP_LIMIT;
	}
	ev->cap_len = n;
	if (ring_emit(ev, head + start, n)) {
		c->lost_ring++;
		return 0;
	}
	c->captured++;
	if (n < ev->pre_len + ev->len)
		c->truncated++;
	return 0;
}

/*
 * Program templates. The loader picks the one whose argument positions match the tracepoint's
 * BTF prototype (ctx[i] is argument i after the tracepoint's hidden __data), sets the attach
 * target and loads only that one. BPF_PROG-style typed access: the verifier types ctx[i] from
 * the prototype, so `skb` is a trusted struct sk_buff pointer.
 */
#define TP_SKB(SKB)                                                                                \
	SEC("tp_btf")                                                                              \
	int tp_skb##SKB(__u64 *ctx)                                                                \
	{                                                                                          \
		return capture(ctx, (struct sk_buff *)ctx[SKB], NULL, NULL, false, 0, 0, true);    \
	}

#define TP_SKB_DEV(SKB, DEV)                                                                       \
	SEC("tp_btf")                                                                              \
	int tp_skb##SKB##_dev##DEV(__u64 *ctx)                                                     \
	{                                                                                          \
		return capture(ctx, (struct sk_buff *)ctx[SKB], (struct net_device *)ctx[DEV],     \
			       NULL, false, 0, 0, true);                                           \
	}

#define RAW_SKB(SKB)                                                                               \
	SEC("raw_tp")                                                                              \
	int raw_skb##SKB(struct bpf_raw_tracepoint_args *ctx)                                      \
	{                                                                                          \
		return capture(ctx, (struct sk_buff *)ctx->args[SKB], NULL, NULL, false, 0, 0,     \
			       false);                                                             \
	}

#define RAW_SKB_DEV(SKB, DEV)                                                                      \
	SEC("raw_tp")                                                                              \
	int raw_skb##SKB##_dev##DEV(struct bpf_raw_tracepoint_args *ctx)                           \
	{                                                                                          \
		return capture(ctx, (struct sk_buff *)ctx->args[SKB],                              \
			       (struct net_device *)ctx->args[DEV], NULL, false, 0, 0, false);     \
	}

TP_SKB(0)
TP_SKB(1)
TP_SKB(2)
TP_SKB(3)
TP_SKB_DEV(0, 1) /* net:net_dev_start_xmit(skb, dev) */
TP_SKB_DEV(0, 2) /* net:net_dev_xmit(skb, rc, dev, len) */
RAW_SKB(0)
RAW_SKB(1)
RAW_SKB(2)
RAW_SKB(3)
RAW_SKB_DEV(0, 1)
RAW_SKB_DEV(0, 2)

/* ---- kernel functions: kprobe (any kernel with CONFIG_KPROBES), fentry/fexit (BPF
 * trampolines). The skb argument index (and the drop reason's) come from the function's BTF
 * prototype. kprobes read through bpf_probe_read_kernel(); fentry/fexit get BTF-typed
 * arguments and so the whole payload through bpf_skb_output(). The function's address goes
 * into `location` (symbolised by user space), so kprobe.multi wildcards say which function. */

#define KP_SKB(N, PARM)                                                                            \
	SEC("kprobe")                                                                              \
	int kp_skb##N(struct pt_regs *ctx)                                                         \
	{                                                                                          \
		return capture(ctx, (struct sk_buff *)PARM(ctx), NULL, NULL, false, 0,             \
			       bpf_get_func_ip(ctx), false);                                       \
	}                                                                                          \
	SEC("kprobe.multi")                                                                        \
	int kpm_skb##N(struct pt_regs *ctx)                                                        \
	{                                                                                          \
		return capture(ctx, (struct sk_buff *)PARM(ctx), NULL, NULL, false, 0,             \
			       bpf_get_func_ip(ctx), false);                                       \
	}

KP_SKB(0, PT_REGS_PARM1_CORE)
KP_SKB(1, PT_REGS_PARM2_CORE)
KP_SKB(2, PT_REGS_PARM3_CORE)
KP_SKB(3, PT_REGS_PARM4_CORE)
KP_SKB(4, PT_REGS_PARM5_CORE)

/* kfree_skb_reason(skb, reason) 5.17-6.10; sk_skb_reason_drop(sk, skb, reason) 6.11+ */
SEC("kprobe")
int kp_skb0_r1(struct pt_regs *ctx)
{
	return capture(ctx, (struct sk_buff *)PT_REGS_PARM1_CORE(ctx), NULL, NULL, true,
		       (__u32)PT_REGS_PARM2_CORE(ctx), bpf_get_func_ip(ctx), false);
}

SEC("kprobe")
int kp_skb1_r2(struct pt_regs *ctx)
{
	return capture(ctx, (struct sk_buff *)PT_REGS_PARM2_CORE(ctx), NULL, NULL, true,
		       (__u32)PT_REGS_PARM3_CORE(ctx), bpf_get_func_ip(ctx), false);
}

#define FE_SKB(N)                                                                                  \
	SEC("fentry")                                                                              \
	int fe_skb##N(__u64 *ctx)                                                                  \
	{                                                                                          \
		return capture(ctx, (struct sk_buff *)ctx[N], NULL, NULL, false, 0,                \
			       bpf_get_func_ip(ctx), true);                                        \
	}                                                                                          \
	SEC("fexit")                                                                               \
	int fx_skb##N(__u64 *ctx)                                                                  \
	{                                                                                          \
		return capture(ctx, (struct sk_buff *)ctx[N], NULL, NULL, false, 0,                \
			       bpf_get_func_ip(ctx), true);                                        \
	}

FE_SKB(0)
FE_SKB(1)
FE_SKB(2)
FE_SKB(3)
FE_SKB(4)

SEC("fentry")
int fe_skb0_r1(__u64 *ctx)
{
	return capture(ctx, (struct sk_buff *)ctx[0], NULL, NULL, true, (__u32)ctx[1],
		       bpf_get_func_ip(ctx), true);
}

SEC("fentry")
int fe_skb1_r2(__u64 *ctx)
{
	return capture(ctx, (struct sk_buff *)ctx[1], NULL, NULL, true, (__u32)ctx[2],
		       bpf_get_func_ip(ctx), true);
}

/* skb:kfree_skb(skb, location, reason[, rx_sk]): the drop reason is argument 2 since 5.17. */
SEC("tp_btf")
int tp_kfree_skb(__u64 *ctx)
{
	return capture(ctx, (struct sk_buff *)ctx[0], NULL, NULL, true, (__u32)ctx[2], ctx[1],
		       true);
}

SEC("raw_tp")
int raw_kfree_skb(struct bpf_raw_tracepoint_args *ctx)
{
	return capture(ctx, (struct sk_buff *)ctx->args[0], NULL, NULL, true, (__u32)ctx->args[2],
		       ctx->args[1], false);
}

/* (struct sock *sk, struct sk_buff *skb, ...): tcp:tcp_retransmit_skb and friends. The socket
 * gives the namespace and, for skbs without headers, the segment's addresses. */
SEC("tp_btf")
int tp_sk0_skb1(__u64 *ctx)
{
	return capture(ctx, (struct sk_buff *)ctx[1], NULL, (struct sock *)ctx[0], false, 0, 0,
		       true);
}

SEC("raw_tp")
int raw_sk0_skb1(struct bpf_raw_tracepoint_args *ctx)
{
	return capture(ctx, (struct sk_buff *)ctx->args[1], NULL, (struct sock *)ctx->args[0],
		       false, 0, 0, false);
}

/* ---- device hooks: XDP and tc (tcx link, or clsact) ---- */

#define XDP_PASS_      2
#define TC_ACT_UNSPEC_ (-1) /* also TCX_NEXT: let the next program / the stack decide */

/* Filter on the frame itself (it starts at the Ethernet header at both hooks), with a tag
 * the skb carries out of band put back after the MAC addresses (vlan_proto 0: none). */
static __always_inline __u32 run_filter_frame(const void *data, __u32 linear, __u32 wire,
					      __u16 vlan_proto, __u16 vlan_tci)
{
	__u32 zero = 0, idx, wl, r;
	struct filter_win *fw = bpf_map_lookup_elem(&fwin, &zero);
	bool l2 = dev_type == 1 || dev_type == 772;
	__u8 *w;

	if (!fw)
		return 0;
	idx = fw->level;
	if (idx >= BPFCAP_NEST_MAX)
		return 1;
	w = fw->b[idx];
	fw->level = idx + 1;
	wl = linear;
	if (wl > filter_window)
		wl = filter_window;
	if (wl > BPFCAP_FILTER_WINDOW)
		wl = BPFCAP_FILTER_WINDOW;
	if (l2 && vlan_proto && wl >= 12) {
		__u32 rest = wl - 12;

		if (rest > BPFCAP_FILTER_WINDOW - 16)
			rest = BPFCAP_FILTER_WINDOW - 16;
		wl = 0;
		if (!bpf_probe_read_kernel(w, 12, data)) {
			put16(w + 12, vlan_proto);
			put16(w + 14, vlan_tci);
			if (rest && bpf_probe_read_kernel(w + 16, rest, data + 12))
				rest = 0;
			wl = 16 + rest;
		}
		wire += 4;
	} else if (wl && bpf_probe_read_kernel(w, wl, data)) {
		wl = 0;
	}
	r = l2 ? bpfcap_filter_l2(w, wl, wire) : bpfcap_filter_l3(w, wl, wire);
	fw->level = idx;
	return r;
}

static __always_inline void dev_capture(void *ctx, const void *data, __u32 linear, __u32 pkt_len,
					__u32 ifindex, __u32 iif, __u32 queue, __u32 mark,
					__u16 protocol, __u8 pkt_type, __u16 vlan_proto,
					__u16 vlan_tci)
{
	__u32 key = probe_id, want, out;
	struct bpfcap_counters *c = bpf_map_lookup_elem(&counters, &key);
	struct bpfcap_event ev_local, *ev = &ev_local;

	if (!c)
		return;
	c->seen++;
	if ((filter_mark_on && (mark & filter_mark_mask) != filter_mark_value) ||
	    (use_filter && !run_filter_frame(data, linear, pkt_len, vlan_proto, vlan_tci))) {
		c->filtered++;
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts_boot = bpf_ktime_get_boot_ns();
	ev->probe_id = probe_id;
	ev->cpu = bpf_get_smp_processor_id();
	ev->len = pkt_len;
	ev->data_len = pkt_len > linear ? pkt_len - linear : 0;
	ev->ifindex = ifindex;
	ev->skb_iif = iif;
	ev->netns = dev_netns;
	ev->mark = mark;
	ev->protocol = protocol;
	ev->queue = queue;
	ev->dev_type = dev_type;
	ev->pkt_type = pkt_type;
	ev->start = BPFCAP_START_MAC;
	ev->net_off = 0xffff;
	ev->vlan.proto = vlan_proto;
	ev->vlan.tci = vlan_tci;

	want = pkt_len < snaplen ? pkt_len : snaplen;
	if (want > linear) {
		/* bytes beyond the linear part: the kernel appends them, fragments included */
		out = want;
		if (out > BPFCAP_PERF_RAW_MAX - sizeof(struct bpfcap_event)) {
			out = BPFCAP_PERF_RAW_MAX - sizeof(struct bpfcap_event);
			ev->flags |= BPFCAP_EV_CAP_LIMIT;
		}
		ev->cap_len = out;
		ev->flags |= BPFCAP_EV_SKB_OUTPUT;
		if (bpf_perf_event_output(ctx, &skbout, ((__u64)out << 32) | BPF_F_CURRENT_CPU, ev,
					  sizeof(*ev))) {
			c->lost_perf++;
			return;
		}
	} else {
		ev->cap_len = want;
		if (ring_emit(ev, data, want)) {
			c->lost_ring++;
			return;
		}
	}
	c->captured++;
	if (ev->cap_len < pkt_len)
		c->truncated++;
}

SEC("xdp")
int xdp_capture(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	__u32 linear = (__u32)((long)ctx->data_end - (long)data), len;

	barrier_var(linear); /* as in tc_capture: no half-spilled packet pointer */
	len = (__u32)bpf_xdp_get_buff_len(ctx);

	dev_capture(ctx, data, linear, len > linear ? len : linear, ctx->ingress_ifindex, 0,
		    ctx->rx_queue_index, 0, 0, 0, 0, 0);
	return XDP_PASS_;
}

SEC("tc")
int tc_capture(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	/* the length at once, and no packet pointer but data kept: under register pressure the
	 * clang of Debian testing spilled only the low half of data_end; the verifier refuses that */
	__u32 linear = (__u32)((long)skb->data_end - (long)data);
	__u16 vproto;

	barrier_var(linear);
	vproto = skb->vlan_present ? bpf_ntohs((__u16)skb->vlan_proto) : 0;
	dev_capture(skb, data, linear, skb->len, skb->ifindex, skb->ingress_ifindex,
		    skb->queue_mapping, skb->mark, bpf_ntohs(skb->protocol), (__u8)skb->pkt_type,
		    vproto, vproto ? (__u16)skb->vlan_tci : 0);
	return TC_ACT_UNSPEC_;
}

/* ---- xdpdump style: fentry/fexit on a loaded XDP or tc program ----
 * The target's context arrives converted to the kernel type (struct xdp_buff for XDP,
 * struct sk_buff for tc); at exit the program's return value is the verdict. Entry and exit
 * see the same context address, so both records carry the same packet id. */

static __always_inline int xdp_prog_capture(struct xdp_buff *xdp, bool exit, __s32 verdict)
{
	void *data = xdp->data, *end = xdp->data_end;
	__u32 linear = (__u32)(end - data), key = probe_id, want;
	struct bpfcap_counters *c = bpf_map_lookup_elem(&counters, &key);
	struct bpfcap_event ev_local, *ev = &ev_local;
	__u32 zero = 0;
	__u64 *seq = bpf_map_lookup_elem(&pseq, &zero), run;

	if (!c || !seq)
		return 0;
	if (!exit || prog_seq_owner)
		(*seq)++;
	run = *seq;
	c->seen++;
	if (linear > 0xffff) {
		c->invalid++;
		return 0;
	}
	if (use_filter && !run_filter_frame(data, linear, linear, 0, 0)) {
		c->filtered++;
		return 0;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts_boot = bpf_ktime_get_boot_ns();
	ev->skb_addr = (run << 12) ^ bpf_get_smp_processor_id(); /* the verifier refuses ptr ^ x */
	ev->probe_id = probe_id;
	ev->cpu = bpf_get_smp_processor_id();
	ev->len = linear;
	ev->netns = dev_netns;
	ev->dev_type = dev_type;
	ev->start = BPFCAP_START_MAC;
	ev->net_off = 0xffff;
	if (exit) {
		ev->flags |= BPFCAP_EV_VERDICT_XDP;
		ev->verdict = verdict;
	}
	want = linear < snaplen ? linear : snaplen;
	ev->cap_len = want;
	if (ring_emit(ev, data, want)) {
		c->lost_ring++;
		return 0;
	}
	c->captured++;
	return 0;
}

SEC("fentry")
int fe_xdp_prog(__u64 *ctx)
{
	return xdp_prog_capture((struct xdp_buff *)ctx[0], false, 0);
}

SEC("fexit")
int fx_xdp_prog(__u64 *ctx)
{
	return xdp_prog_capture((struct xdp_buff *)ctx[0], true, (__s32)ctx[1]);
}

SEC("fentry")
int fe_tc_prog(__u64 *ctx)
{
	return capture(ctx, (struct sk_buff *)ctx[0], NULL, NULL, false, 0, 0, true);
}

SEC("fexit")
int fx_tc_prog(__u64 *ctx)
{
	return capture_verdict(ctx, (struct sk_buff *)ctx[0], (__s32)ctx[1]);
}
