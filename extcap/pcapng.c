// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "pcapng.h"

#define BT_SHB		 0x0A0D0D0Au
#define BT_IDB		 0x00000001u
#define BT_EPB		 0x00000006u
#define BT_ISB		 0x00000005u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du

#define SHB_HARDWARE	    2
#define SHB_OS		    3
#define SHB_USERAPPL	    4
#define IF_NAME		    2
#define IF_DESCRIPTION	    3
#define IF_TSRESOL	    9
#define IF_FILTER	    11
#define ISB_STARTTIME	    2
#define ISB_ENDTIME	    3
#define ISB_IFRECV	    4
#define ISB_IFDROP	    5
#define ISB_FILTERACCEPT    6
#define ISB_OSDROP	    7
#define ISB_USRDELIV	    8
#define OPT_CUSTOM_BIN_COPY 2989

struct pcapng_writer {
	int fd;
	enum pcap_format fmt;
	uint8_t *buf;
	size_t cap, len;
	uint64_t bytes;
	int err;	   /* sticky write error */
	int pcap_linktype; /* classic pcap: -1 until the header is written */
	uint32_t nif;
	const volatile sig_atomic_t *stop; /* set: writes may no longer block for ever */
	int stop_ms;
};

struct pcapng_writer *pcapng_writer__new(int fd, enum pcap_format fmt, size_t bufsize)
{
	struct pcapng_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	if (bufsize < 4096)
		bufsize = 4096;
	w->buf = malloc(bufsize);
	if (!w->buf) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	w->fd = fd;
	w->fmt = fmt;
	{
		struct stat st;

		/* a bigger pipe means fewer wakeups of the reader (Wireshark, tcpdump) */
		if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
			(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
	}
	w->cap = bufsize;
	w->pcap_linktype = -1;
	return w;
}

void pcapng_writer__free(struct pcapng_writer *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w);
}

void pcapng_writer__set_stop(struct pcapng_writer *w, const volatile sig_atomic_t *stop,
			     int timeout_ms)
{
	w->stop = stop;
	w->stop_ms = timeout_ms;
}

int pcapng_writer__error(const struct pcapng_writer *w)
{
	return w->err;
}

/* A failed write leaves a regular file ending inside a block (disk full, file size limit):
 * cut it back to the end of the last whole block, where this call started. */
static void cut_back(struct pcapng_writer *w, uint64_t written)
{
	struct stat st;
	off_t end;

	if (!written || fstat(w->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	end = lseek(w->fd, 0, SEEK_CUR);
	if (end >= (off_t)written && ftruncate(w->fd, end - (off_t)written) == 0)
		w->bytes -= written;
}

/* Writes whole blocks (every call starts at a block boundary). */
static int write_all(struct pcapng_writer *w, const uint8_t *p, size_t n)
{
	uint64_t written = 0;

	while (n) {
		size_t chunk = n;
		ssize_t r;

		if (w->stop && *w->stop) {
			/* stopping: wait for a reader only so long, and write what a pipe takes
			 * without blocking once it says it has room */
			struct pollfd pfd = { .fd = w->fd, .events = POLLOUT };
			int pr = poll(&pfd, 1, w->stop_ms);

			if (pr == 0) {
				w->err = -ETIMEDOUT;
				return w->err;
			}
			if (pr < 0 && errno == EINTR)
				continue;
			if (chunk > PIPE_BUF)
				chunk = PIPE_BUF;
		}
		r = write(w->fd, p, chunk);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			w->err = -errno;
			cut_back(w, written);
			return w->err;
		}
		p += r;
		n -= (size_t)r;
		written += (uint64_t)r;
		w->bytes += (uint64_t)r;
	}
	return 0;
}

int pcapng_writer__flush(struct pcapng_writer *w)
{
	int err;

	if (w->err)
		return w->err;
	if (!w->len)
		return 0;
	err = write_all(w, w->buf, w->len);
	w->len = 0;
	return err;
}

size_t pcapng_writer__pending(const struct pcapng_writer *w)
{
	return w->len;
}

uint64_t pcapng_writer__bytes(const struct pcapng_writer *w)
{
	return w->bytes + w->len;
}

enum pcap_format pcapng_writer__format(const struct pcapng_writer *w)
{
	return w->fmt;
}

/* Block assembly: a block is built in place at the end of the buffer when it fits, else
 * in a temporary allocation and written directly. */
struct blk {
	uint8_t *p;
	size_t cap, len;
	uint8_t *heap;
};

static int blk_begin(struct pcapng_writer *w, struct blk *b, size_t need)
{
	int err;

	memset(b, 0, sizeof(*b));
	if (w->err)
		return w->err;
	if (w->cap - w->len < need) {
		err = pcapng_writer__flush(w);
		if (err)
			return err;
	}
	if (w->cap - w->len >= need) {
		b->p = w->buf + w->len;
		b->cap = need;
		return 0;
	}
	b->heap = malloc(need);
	if (!b->heap)
		return -ENOMEM;
	b->p = b->heap;
	b->cap = need;
	return 0;
}

static int blk_end(struct pcapng_writer *w, struct blk *b)
{
	int err = 0;

	if (b->heap) {
		err = write_all(w, b->heap, b->len);
		free(b->heap);
		return err;
	}
	w->len += b->len;
	return 0;
}

static void put(struct blk *b, const void *p, size_t n)
{
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void put32(struct blk *b, uint32_t v)
{
	put(b, &v, 4);
}

static void put16(struct blk *b, uint16_t v)
{
	put(b, &v, 2);
}

static void pad4(struct blk *b)
{
	while (b->len & 3)
		b->p[b->len++] = 0;
}

static size_t optsz(size_t n)
{
	return 4 + ((n + 3) & ~(size_t)3);
}

static void opt(struct blk *b, uint16_t code, const void *v, size_t n)
{
	put16(b, code);
	put16(b, (uint16_t)n);
	put(b, v, n);
	pad4(b);
}

static void opt_str(struct blk *b, uint16_t code, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > 65535)
		n = 65535; /* as optsz_str() reserved: an option holds at most 65535 bytes */
	if (n)
		opt(b, code, s, n);
}

static size_t optsz_str(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > 65535)
		n = 65535;
	return n ? optsz(n) : 0;
}

static void finish(struct blk *b)
{
	uint32_t total = (uint32_t)b->len + 4;

	memcpy(b->p + 4, &total, 4);
	put32(b, total);
}

int pcapng_writer__shb(struct pcapng_writer *w, const char *appl, const char *os, const char *hw,
		       const char *comment)
{
	size_t need = 28 + optsz_str(appl) + optsz_str(os) + optsz_str(hw) + optsz_str(comment) + 4;
	uint64_t section_len = UINT64_MAX;
	struct blk b;
	int err;

	if (w->fmt == FORMAT_PCAP)
		return 0;
	err = blk_begin(w, &b, need);
	if (err)
		return err;
	put32(&b, BT_SHB);
	put32(&b, 0);
	put32(&b, BYTE_ORDER_MAGIC);
	put16(&b, 1);
	put16(&b, 0);
	put(&b, &section_len, 8);
	opt_str(&b, OPT_COMMENT, comment);
	opt_str(&b, SHB_HARDWARE, hw);
	opt_str(&b, SHB_OS, os);
	opt_str(&b, SHB_USERAPPL, appl);
	put32(&b, 0); /* opt_endofopt */
	finish(&b);
	return blk_end(w, &b);
}

int pcapng_writer__idb(struct pcapng_writer *w, uint16_t linktype, uint32_t snaplen,
		       const char *name, const char *description, const char *filter)
{
	size_t flen = filter ? strlen(filter) : 0;
	size_t need;
	struct blk b;
	uint8_t tsresol = 9;
	int err;

	if (w->fmt == FORMAT_PCAP) {
		if (w->pcap_linktype >= 0)
			return w->pcap_linktype == linktype ? 0 : -EINVAL;
		err = blk_begin(w, &b, 24);
		if (err)
			return err;
		put32(&b, 0xa1b23c4d); /* nanosecond timestamps */
		put16(&b, 2);
		put16(&b, 4);
		put32(&b, 0);
		put32(&b, 0);
		put32(&b, snaplen);
		put32(&b, linktype);
		w->pcap_linktype = linktype;
		err = blk_end(w, &b);
		return err ? err : 0;
	}
	if (flen > 65534)
		flen = 65534;
	need = 20 + optsz_str(name) + optsz_str(description) + optsz(1) +
	       (flen ? optsz(flen + 1) : 0) + 4 + 4;
	err = blk_begin(w, &b, need);
	if (err)
		return err;
	put32(&b, BT_IDB);
	put32(&b, 0);
	put16(&b, linktype);
	put16(&b, 0);
	put32(&b, snaplen);
	opt_str(&b, IF_NAME, name);
	opt_str(&b, IF_DESCRIPTION, description);
	opt(&b, IF_TSRESOL, &tsresol, 1);
	if (flen) {
		/* if_filter: first byte 0 = libpcap filter string */
		put16(&b, IF_FILTER);
		put16(&b, (uint16_t)(flen + 1));
		b.p[b.len++] = 0;
		put(&b, filter, flen);
		pad4(&b);
	}
	put32(&b, 0);
	finish(&b);
	err = blk_end(w, &b);
	if (err)
		return err;
	return (int)w->nif++;
}

int pcapng_writer__epb(struct pcapng_writer *w, const struct pcapng_epb *p)
{
	uint32_t caplen = p->prefix_len + p->caplen;
	size_t clen = !p->comment ? 0 : p->comment_len ? p->comment_len : strlen(p->comment);
	size_t need;
	struct blk b;
	int err;

	if (clen > 65535)
		clen = 65535;
	if (w->fmt == FORMAT_PCAP) {
		err = blk_begin(w, &b, 16 + (size_t)caplen);
		if (err)
			return err;
		put32(&b, (uint32_t)(p->ts_ns / 1000000000ull));
		put32(&b, (uint32_t)(p->ts_ns % 1000000000ull));
		put32(&b, caplen);
		put32(&b, p->origlen);
		if (p->prefix_len)
			put(&b, p->prefix, p->prefix_len);
		if (p->caplen)
			put(&b, p->data, p->caplen);
		return blk_end(w, &b);
	}
	need = 28 + (((size_t)caplen + 3) & ~(size_t)3) + (clen ? optsz(clen) : 0) +
	       (p->has_flags ? optsz(4) : 0) + (p->has_dropcount ? optsz(8) : 0) +
	       (p->has_packetid ? optsz(8) : 0) + (p->has_queue ? optsz(4) : 0) +
	       (p->custom_len ? optsz(4 + p->custom_len) : 0) + 4 + 4;
	if (p->custom_len > 65531)
		return -EINVAL;
	err = blk_begin(w, &b, need);
	if (err)
		return err;
	put32(&b, BT_EPB);
	put32(&b, 0);
	put32(&b, p->if_id);
	put32(&b, (uint32_t)(p->ts_ns >> 32));
	put32(&b, (uint32_t)p->ts_ns);
	put32(&b, caplen);
	put32(&b, p->origlen);
	if (p->prefix_len)
		put(&b, p->prefix, p->prefix_len);
	if (p->caplen)
		put(&b, p->data, p->caplen);
	pad4(&b);
	if (clen)
		opt(&b, OPT_COMMENT, p->comment, clen);
	if (p->has_flags)
		opt(&b, EPB_FLAGS, &p->flags, 4);
	if (p->has_dropcount)
		opt(&b, EPB_DROPCOUNT, &p->dropcount, 8);
	if (p->has_packetid)
		opt(&b, EPB_PACKETID, &p->packetid, 8);
	if (p->has_queue)
		opt(&b, EPB_QUEUE, &p->queue, 4);
	if (p->custom_len) {
		put16(&b, OPT_CUSTOM_BIN_COPY);
		put16(&b, (uint16_t)(4 + p->custom_len));
		put32(&b, p->custom_pen);
		put(&b, p->custom, p->custom_len);
		pad4(&b);
	}
	put32(&b, 0);
	finish(&b);
	return blk_end(w, &b);
}

int pcapng_writer__isb(struct pcapng_writer *w, const struct pcapng_isb *s)
{
	size_t need = 20 + optsz_str(s->comment) + 2 * optsz(8) + 5 * optsz(8) + 4 + 4;
	struct blk b;
	uint32_t v[2];
	int err;

	if (w->fmt == FORMAT_PCAP)
		return 0;
	err = blk_begin(w, &b, need);
	if (err)
		return err;
	put32(&b, BT_ISB);
	put32(&b, 0);
	put32(&b, s->if_id);
	put32(&b, (uint32_t)(s->ts_ns >> 32));
	put32(&b, (uint32_t)s->ts_ns);
	opt_str(&b, OPT_COMMENT, s->comment);
	if (s->starttime) {
		v[0] = (uint32_t)(s->starttime >> 32);
		v[1] = (uint32_t)s->starttime;
		opt(&b, ISB_STARTTIME, v, 8);
	}
	if (s->endtime) {
		v[0] = (uint32_t)(s->endtime >> 32);
		v[1] = (uint32_t)s->endtime;
		opt(&b, ISB_ENDTIME, v, 8);
	}
	if (s->has_ifrecv)
		opt(&b, ISB_IFRECV, &s->ifrecv, 8);
	if (s->has_ifdrop)
		opt(&b, ISB_IFDROP, &s->ifdrop, 8);
	if (s->has_filteraccept)
		opt(&b, ISB_FILTERACCEPT, &s->filteraccept, 8);
	if (s->has_osdrop)
		opt(&b, ISB_OSDROP, &s->osdrop, 8);
	if (s->has_usrdeliv)
		opt(&b, ISB_USRDELIV, &s->usrdeliv, 8);
	put32(&b, 0);
	finish(&b);
	return blk_end(w, &b);
}
