/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The capture core: loads one BPF program instance per probe, attaches it through a BPF link,
 * and delivers records from the ring buffer and the perf buffer to a callback. */
#ifndef BPFCAP_CAPTURE_H
#define BPFCAP_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfcap/capture_abi.h"
#include "probe.h"

struct capture_opts {
	const struct probe_info *probes;
	int nprobes;
	uint32_t snaplen;
	uint64_t ring_size;	 /* bytes, power of two */
	uint64_t wakeup_idle_ns; /* see capture.bpf.c */
	uint64_t wakeup_bytes;
	bool no_skb_output;	 /* never use bpf_skb_output (tests, old kernels) */
	bool stack;		 /* kernel stack of each packet (ev->stack_id) */
	uint32_t filter_netns;	 /* 0 = any */
	uint32_t filter_ifindex; /* 0 = any */
	bool filter_mark;
	uint32_t mark_value, mark_mask;
	uint32_t filter_pid;
	bool filter_reason; /* only the drop reasons below (probes with a reason) */
	uint64_t reason_bits[BPFCAP_REASON_BITS / 64];
	uint32_t reason_sub[BPFCAP_REASON_SUB_MAX];
	const char *btf_path;	     /* kernel BTF for CO-RE; NULL = /sys/kernel/btf/vmlinux */
	const struct filter *filter; /* compiled pcap filter, or NULL */
	uint32_t own_netns;	     /* bpfcap's network namespace (device hooks) */
};

/* Return 0 to continue, a negative errno to stop consuming (returned from capture__poll). */
typedef int (*capture_event_fn)(void *ctx, const struct bpfcap_event *ev, const uint8_t *data);

struct capture;

struct filter;

/* The map named bpfcap_events (bpf/bpfcap_output.h) of a loaded program: its fd, -ENOENT when
 * the program has none, or -errno when its maps cannot be read. */
int capture_prog_events_map(int prog_fd);
/* True when this process holds CAP_BPF and CAP_PERFMON (what loading the programs needs). */
bool capture_privileged(void);

/* Size of the filter stubs of the built-in BPF object, in instructions. */
size_t capture_filter_slots(void);

/* Loads and attaches every probe. NULL on failure, with one error line logged. */
struct capture *capture__open(const struct capture_opts *opts, capture_event_fn fn, void *ctx);
/* Waits up to timeout_ms for records and delivers what there is, at most a budget of ring
 * records per call (so the caller gets to report losses under sustained load); returns how
 * many, or a negative errno. Call it with a finite timeout (the run loop uses 10 ms): a record whose
 * wakeup raced with the reader going idle is collected by the next call. */
int capture__poll(struct capture *c, int timeout_ms);
/* Sums the per-CPU counters of one probe (recursion misses of its program count as lost). */
int capture__counters(struct capture *c, int probe, struct bpfcap_counters *out,
		      uint64_t *recursion_misses);
/* "tp_btf" or "raw_tp": how probe i is attached. */
const char *capture__mechanism(const struct capture *c, int probe);
/* How probe i is attached, as the metadata says it (BPFCAP_PROBE_* of bpfcap/meta.h). */
uint8_t capture__probe_type(const struct capture *c, int probe);
uint64_t capture__malformed(const struct capture *c);
/* The stack map of --stack (ids in bpfcap_event.stack_id - 1), or -1 without --stack. */
int capture__stack_fd(const struct capture *c);
/* True when detaching will need CAP_NET_ADMIN (tc filters attached the legacy way, without a
 * link): the capture then keeps that one capability. */
bool capture__needs_net_admin(const struct capture *c);
/* Detaches every probe (links closed); buffered records can still be drained. */
void capture__detach(struct capture *c);
void capture__close(struct capture *c);

#endif
