/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Turns capture records into pcapng/pcap blocks and/or tcpdump-like text lines: link-type
 * shaping, lazily created interfaces, comments, metadata option, drop accounting. */
#ifndef BPFCAP_SINK_H
#define BPFCAP_SINK_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bpfcap/capture_abi.h"
#include "pcapng.h"
#include "probe.h"

struct reasons;
struct ksyms;

enum proto_mode { PROTO_AUTO = 0, PROTO_ETH = 1, PROTO_IP = 2 };

/* Returned by sink__event() once the packet count is reached. */
#define SINK_DONE (-ECANCELED)

struct sink_opts {
	enum proto_mode proto;
	enum pcap_format format;
	uint32_t snaplen;
	const char *filter; /* recorded in if_filter */
	int out_fd;	    /* pcapng/pcap output; -1 for none */
	size_t bufsize;
	FILE *text; /* one line per packet; NULL for none */
	int verbose;
	const struct probe_info *probes;
	int nprobes;
	struct reasons *reasons; /* may be NULL */
	struct ksyms *ksyms;	 /* may be NULL */
	uint64_t max_packets;	 /* 0: no limit */
	const char *hardware;	 /* shb_hardware */
	const char *os;		 /* shb_os */
	/* set once the capture is asked to stop: from then on a write waits for a reader at
	 * most stop_timeout_ms (see pcapng_writer__set_stop) */
	const volatile sig_atomic_t *stop;
	int stop_timeout_ms;
};

struct sink_probe_stats {
	uint64_t written;	/* EPBs / text lines */
	uint64_t not_ip;	/* skipped by --proto ip: no IP header */
	uint64_t lost;		/* lost in the kernel, as last reported by sink__set_lost */
	uint64_t lost_reported; /* of which already in an epb_dropcount */
};

struct sink;

/* Frames of kernel stack `id` (bpfcap_event.stack_id - 1) into ips; how many, or < 0. */
typedef int (*sink_stack_fn)(void *ctx, uint32_t id, uint64_t *ips, unsigned max);

struct sink *sink__new(const struct sink_opts *o);
/* --stack: where the stacks of the records come from. Each distinct stack is symbolised once. */
void sink__set_stacks(struct sink *s, sink_stack_fn fn, void *ctx);
/* Records whose stack could not be had (its bucket held another stack, or the map lookup
 * failed): they are written without bpfcap.stack. */
uint64_t sink__stacks_missing(const struct sink *s);
void sink__free(struct sink *s);
/* SHB (pcapng) — call before any event. */
int sink__start(struct sink *s);
/* Which mechanism attached probe i ("tp_btf", "raw_tp"): goes into the metadata. */
/* How probe `probe` is attached (BPFCAP_PROBE_*; 0 = leave it), for the metadata. */
void sink__set_probe_type(struct sink *s, int probe, uint8_t type);
/* The metadata's probe type (BPFCAP_PROBE_*) of a probe spec's kind (PROBE_*), before the
 * capture says how it attached (tp_btf or raw_tp, fentry or kprobe for fn:). */
uint8_t sink_probe_type(int kind);
/* capture_event_fn: ctx is the sink. */
int sink__event(void *ctx, const struct bpfcap_event *ev, const uint8_t *data);
/* Kernel-side lost count of a probe so far (monotonic). */
void sink__set_lost(struct sink *s, int probe, uint64_t lost);
/* ISBs for every interface (each probe gets one, even without packets), then flush. */
int sink__finish(struct sink *s, uint64_t start_ns, uint64_t end_ns);
int sink__flush(struct sink *s);
/* The output's sticky write error (negative errno), 0 if none. */
int sink__write_error(const struct sink *s);
size_t sink__pending(const struct sink *s);
uint64_t sink__packets(const struct sink *s);
const struct sink_probe_stats *sink__stats(const struct sink *s, int probe);
unsigned sink__interfaces(const struct sink *s);
/* Boot -> wall clock offset (re-sampled by the caller). */
void sink__set_clock(struct sink *s, int64_t boot_offset_ns);
/* The packet id (bpfcap.skb_id, epb_packetid) of an skb address: SipHash-2-4 under the
 * capture's random key. Exposed for the tests. */
uint64_t sink_packet_id(const uint8_t key[16], uint64_t addr);

#endif
