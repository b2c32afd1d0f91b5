/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* pcapng (and classic pcap) writer with large buffered writes to a file, pipe or FIFO. */
#ifndef BPFCAP_PCAPNG_H
#define BPFCAP_PCAPNG_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINKTYPE_ETHERNET   1
#define LINKTYPE_RAW	    101
#define LINKTYPE_LINUX_SLL2 276

enum pcap_format { FORMAT_PCAPNG = 0, FORMAT_PCAP = 1 };

/* pcapng option codes */
#define OPT_COMMENT   1
#define EPB_FLAGS     2
#define EPB_DROPCOUNT 4
#define EPB_PACKETID  5
#define EPB_QUEUE     6

#define EPB_FLAG_INBOUND   1u
#define EPB_FLAG_OUTBOUND  2u
#define EPB_FLAG_UNICAST   (1u << 2)
#define EPB_FLAG_MULTICAST (2u << 2)
#define EPB_FLAG_BROADCAST (3u << 2)
#define EPB_FLAG_PROMISC   (4u << 2)

struct pcapng_writer;

struct pcapng_epb {
	uint32_t if_id;
	uint64_t ts_ns;	    /* wall clock, ns since the epoch (if_tsresol = 9) */
	const void *prefix; /* optional bytes in front of data (synthesised headers) */
	uint32_t prefix_len;
	const void *data;
	uint32_t caplen;  /* of data, without prefix */
	uint32_t origlen; /* including prefix */
	const char *comment;
	size_t comment_len; /* strlen(comment) if known, else 0 */
	bool has_flags, has_packetid, has_queue, has_dropcount;
	uint32_t flags;
	uint64_t packetid;
	uint32_t queue;
	uint64_t dropcount;
	const void *custom; /* value of a 2989 option after the PEN */
	size_t custom_len;
	uint32_t custom_pen;
};

struct pcapng_isb {
	uint32_t if_id;
	uint64_t ts_ns;
	uint64_t starttime, endtime; /* ns */
	uint64_t ifrecv, ifdrop, filteraccept, osdrop, usrdeliv;
	bool has_ifrecv, has_ifdrop, has_filteraccept, has_osdrop, has_usrdeliv;
	const char *comment;
};

/* fd is not closed by the writer. NULL + errno on failure. */
struct pcapng_writer *pcapng_writer__new(int fd, enum pcap_format fmt, size_t bufsize);
void pcapng_writer__free(struct pcapng_writer *w);
int pcapng_writer__shb(struct pcapng_writer *w, const char *appl, const char *os, const char *hw,
		       const char *comment);
/* Returns the interface id (>= 0) or a negative errno. Classic pcap: the first call writes
 * the file header; later calls must use the same link type (else -EINVAL). */
int pcapng_writer__idb(struct pcapng_writer *w, uint16_t linktype, uint32_t snaplen,
		       const char *name, const char *description, const char *filter);
int pcapng_writer__epb(struct pcapng_writer *w, const struct pcapng_epb *p);
int pcapng_writer__isb(struct pcapng_writer *w, const struct pcapng_isb *s);
/* Writes what is buffered. 0, -EPIPE when the reader went away, or another -errno. */
int pcapng_writer__flush(struct pcapng_writer *w);
/* Once *stop is non-zero, a write that makes no progress for timeout_ms (a reader that stopped
 * reading) fails with -ETIMEDOUT instead of blocking for ever. */
void pcapng_writer__set_stop(struct pcapng_writer *w, const volatile sig_atomic_t *stop,
			     int timeout_ms);
/* The sticky write error (negative errno), 0 if none. */
int pcapng_writer__error(const struct pcapng_writer *w);
size_t pcapng_writer__pending(const struct pcapng_writer *w);
uint64_t pcapng_writer__bytes(const struct pcapng_writer *w);
enum pcap_format pcapng_writer__format(const struct pcapng_writer *w);

#endif
