// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Capture records -> pcapng (extcap/sink.c): link-type shaping for --proto auto/eth/ip, lazily
 * created interfaces, comments, flags, packet ids, drop counts, the metadata option, ISBs,
 * --count, classic pcap and the text lines. Records are crafted here, packet bytes are handed
 * over in exact-size heap buffers (ASan catches reads past cap_len), the files are read back by
 * a strict reader of our own and, when installed, by tshark/capinfos/tcpdump. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfcap/capture_abi.h"
#include "bpfcap/meta.h"
#include "btf_fixture.h"
#include "ifnames.h"
#include "ksyms.h"
#include "pcapng_read.h"
#include "probe.h"
#include "reasons.h"
#include "sink.h"
#include "test.h"

#define TS0		 1700000000123456789ull
#define NETNS		 4026531840u
#define NETNS2		 4026532999u
#define ARPHRD_ETHER	 1
#define ARPHRD_NONE	 0xfffe
#define PACKET_HOST	 0
#define PACKET_BROADCAST 1
#define AF_INET_	 2
#define AF_INET6_	 10

static char tmpdir[] = "/tmp/bpfcap-unit-sink.XXXXXX";
static bool have_tshark, have_capinfos, have_tcpdump;
static struct reasons *reasons;

enum { P_KFREE, P_XMIT, P_RETRANS, P_CONSUME, NPROBES };
static struct probe_info probes[NPROBES];

/* ---- packets ---- */

// clang-format off: packet bytes, one header per line

/* Ethernet, IPv4 10.0.0.1 -> 10.0.0.2, UDP 4660 -> 9999, "abcd", padded to 60 */
static const uint8_t eth_udp[60] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11,
	0x66, 0xcb, 10,	  0,	0,    1,    10,	  0,	0,    2,    0x12, 0x34,
	0x27, 0x0f, 0x00, 0x0c, 0x00, 0x00, 'a',  'b',	'c',  'd',
};
#define IP_UDP (eth_udp + 14) /* 32 bytes of IPv4 + UDP + payload */

/* the same with an 802.1Q tag (VLAN 100) */
static const uint8_t vlan_udp[64] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x81,
	0x00, 0x00, 0x64, 0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00,
	0x40, 0x11, 0x66, 0xcb, 10,   0,    0,	  1,	10,   0,    0,	  2,	0x12,
	0x34, 0x27, 0x0f, 0x00, 0x0c, 0x00, 0x00, 'a',	'b',  'c',  'd',
};

/* IPv6 2001:db8::1 -> 2001:db8::2, UDP 5000 -> 6000, "wxyz" */
static const uint8_t ip6_udp[52] = {
	0x60, 0, 0, 0, 0,    12,   17,	 64,   0x20, 0x01, 0x0d, 0xb8, 0,   0,	 0,   0,   0, 0,
	0,    0, 0, 0, 0,    1,	   0x20, 0x01, 0x0d, 0xb8, 0,	 0,    0,   0,	 0,   0,   0, 0,
	0,    0, 0, 2, 0x13, 0x88, 0x17, 0x70, 0,    12,   0,	 0,    'w', 'x', 'y', 'z',
};

/* Ethernet broadcast ARP request: who-has 10.0.0.2 tell 10.0.0.1, padded to 60 */
static const uint8_t eth_arp[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 6,    4,    0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	10,   0,    0,	  1,	0,    0,    0,	  0,	0,    0,    10,	  0,	0,    2,
};
#define ARP (eth_arp + 14) /* 28 bytes */

// clang-format on

static const uint8_t payload[5] = { 'h', 'e', 'l', 'l', 'o' };
/* bytes whose first nibble is neither 4 nor 6: no IP header */
static const uint8_t not_ip[5] = { 0x12, 0x34, 0x56, 0x78, 0x9a };

/* ---- records ---- */

static struct bpfcap_event ev_base(uint32_t probe)
{
	struct bpfcap_event e;

	memset(&e, 0, sizeof(e));
	e.ts_boot = TS0;
	e.skb_addr = 0xffff888012345600ull;
	e.probe_id = probe;
	e.cpu = 1;
	e.ifindex = 2;
	e.netns = NETNS;
	e.protocol = 0x0800;
	e.queue = 3;
	e.dev_type = ARPHRD_ETHER;
	e.tgid = 100;
	e.tid = 101;
	snprintf(e.ifname, sizeof(e.ifname), "eth0");
	snprintf(e.comm, sizeof(e.comm), "swapper/1");
	return e;
}

/* Received Ethernet frame, capture from the MAC header, skb->data at the network header. */
static struct bpfcap_event ev_mac(uint32_t probe, const uint8_t *frame, uint32_t n)
{
	struct bpfcap_event e = ev_base(probe);

	(void)frame;
	e.start = BPFCAP_START_MAC;
	e.net_off = 14;
	e.pre_len = 14;
	e.len = n - 14;
	e.cap_len = n;
	e.pkt_type = PACKET_HOST;
	e.skb_iif = 2;
	return e;
}

/* kfree_skb(NEIGH_FAILED): a locally generated packet without MAC header. */
static struct bpfcap_event ev_net(uint32_t probe, uint16_t proto, uint32_t n)
{
	struct bpfcap_event e = ev_base(probe);

	e.start = BPFCAP_START_NET;
	e.net_off = 0;
	e.pre_len = 0;
	e.len = n;
	e.cap_len = n;
	e.protocol = proto;
	e.pkt_type = PACKET_HOST;
	e.skb_iif = 0;
	return e;
}

/* skb->data without any header offset known (e.g. a tun device). */
static struct bpfcap_event ev_data(uint32_t probe, uint16_t proto, uint32_t n)
{
	struct bpfcap_event e = ev_net(probe, proto, n);

	e.start = BPFCAP_START_DATA;
	e.net_off = 0xffff;
	e.ifindex = 4;
	e.dev_type = ARPHRD_NONE;
	snprintf(e.ifname, sizeof(e.ifname), "tun0");
	return e;
}

static void with_reason(struct bpfcap_event *e, uint32_t r)
{
	e->flags |= BPFCAP_EV_HAS_REASON;
	e->reason = r;
}

/* sink__event with the packet bytes in an exact-size heap buffer */
static int feed(struct sink *s, const struct bpfcap_event *e, const uint8_t *bytes)
{
	uint8_t *copy = malloc(e->cap_len ? e->cap_len : 1);
	int r;

	if (!copy)
		SETUP_FAIL("malloc");
	if (e->cap_len)
		memcpy(copy, bytes, e->cap_len);
	r = sink__event(s, e, copy);
	free(copy);
	return r;
}

/* ---- sinks and files ---- */

static struct sink *open_sink(const char *name, enum proto_mode proto, enum pcap_format fmt,
			      uint32_t snaplen, uint64_t max, int *fd, char *path, size_t plen)
{
	struct sink_opts o = { 0 };
	struct sink *s;

	snprintf(path, plen, "%s/%s", tmpdir, name);
	*fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (*fd < 0)
		SETUP_FAIL("open %s: %s", path, strerror(errno));
	o.proto = proto;
	o.format = fmt;
	o.snaplen = snaplen;
	o.out_fd = *fd;
	o.probes = probes;
	o.nprobes = NPROBES;
	o.reasons = reasons;
	o.max_packets = max;
	o.hardware = "x86_64";
	o.os = "Linux test";
	s = sink__new(&o);
	if (!s)
		SETUP_FAIL("sink__new: %s", strerror(errno));
	sink__set_clock(s, 0);
	ASSERT_EQ(sink__start(s), 0, "sink__start writes the SHB");
	return s;
}

static void close_sink(struct sink *s, int fd)
{
	ASSERT_EQ(sink__finish(s, TS0 - 1000000000ull, TS0 + 10000000000ull), 0, "sink__finish");
	sink__free(s);
	close(fd);
}

struct file {
	uint8_t *buf;
	size_t len;
	struct pn_block idb[32], epb[64], isb[32];
	int nidb, nepb, nisb, nblocks;
};

static void load(struct file *f, const char *path)
{
	struct pn_block b;
	size_t off = 0;

	memset(f, 0, sizeof(*f));
	f->buf = pn_load(path, &f->len);
	if (!f->buf)
		SETUP_FAIL("read %s", path);
	f->nblocks = pn_validate(f->buf, f->len);
	ASSERT_TRUE(f->nblocks > 0, "the file is well-formed pcapng");
	while (pn_next(f->buf, f->len, &off, &b) > 0) {
		if (b.type == PN_IDB && f->nidb < 32)
			f->idb[f->nidb++] = b;
		else if (b.type == PN_EPB && f->nepb < 64)
			f->epb[f->nepb++] = b;
		else if (b.type == PN_ISB && f->nisb < 32)
			f->isb[f->nisb++] = b;
	}
}

static uint16_t idb_linktype(const struct file *f, uint32_t id)
{
	return id < (uint32_t)f->nidb ? pn_u16(f->idb[id].body) : 0xffff;
}

static const char *idb_name(const struct file *f, uint32_t id, char *buf, size_t cap)
{
	uint16_t l = 0;
	const uint8_t *v = id < (uint32_t)f->nidb ? pn_find_opt(&f->idb[id], 2, &l) : NULL;

	snprintf(buf, cap, "%.*s", v ? (int)l : 0, v ? (const char *)v : "");
	return buf;
}

static uint32_t epb_if(const struct pn_block *b)
{
	return pn_u32(b->body);
}

static uint32_t epb_caplen(const struct pn_block *b)
{
	return pn_u32(b->body + 12);
}

static uint32_t epb_origlen(const struct pn_block *b)
{
	return pn_u32(b->body + 16);
}

static const uint8_t *epb_data(const struct pn_block *b)
{
	return b->body + 20;
}

static uint64_t epb_u64(const struct pn_block *b, uint16_t code, uint64_t dflt)
{
	uint16_t l = 0;
	const uint8_t *v = pn_find_opt(b, code, &l);

	return v && l == 8 ? pn_u64(v) : dflt;
}

static uint32_t epb_u32(const struct pn_block *b, uint16_t code, uint32_t dflt)
{
	uint16_t l = 0;
	const uint8_t *v = pn_find_opt(b, code, &l);

	return v && l == 4 ? pn_u32(v) : dflt;
}

static const char *epb_comment(const struct pn_block *b, char *buf, size_t cap)
{
	uint16_t l = 0;
	const uint8_t *v = pn_find_opt(b, 1, &l);

	snprintf(buf, cap, "%.*s", v ? (int)l : 0, v ? (const char *)v : "");
	return buf;
}

/* Decodes the 2989 option of an EPB as a reader does: with what its interface's description
 * and the EPB's own options say. 0 or a negative error. */
static int epb_meta(const struct file *f, const struct pn_block *b, struct bpfcap_meta *m)
{
	static struct bpfcap_meta outer;
	uint16_t l = 0, dl = 0;
	const uint8_t *v = pn_find_opt(b, BPFCAP_META_OPTION, &l), *d = NULL, *o;
	uint32_t ifid = epb_if(b);

	memset(m, 0, sizeof(*m));
	if (!v || l < 4)
		return -100;
	if (pn_u32(v) != BPFCAP_META_PEN)
		return -101;
	if (ifid < (uint32_t)f->nidb)
		d = pn_find_opt(&f->idb[ifid], 3, &dl);
	if (bpfcap_meta_parse_idb(d ? (const char *)d : "", d ? dl : 0, &outer) != 0)
		memset(&outer, 0, sizeof(outer));
	if ((o = pn_find_opt(b, 5, &dl)) && dl == 8) {
		outer.skb_id = pn_u64(o);
		BPFCAP_META_SET(&outer, BPFCAP_META_SKB_ID);
	}
	if ((o = pn_find_opt(b, 2, &dl)) && dl == 4) {
		outer.direction = (uint8_t)(pn_u32(o) & 3);
		BPFCAP_META_SET(&outer, BPFCAP_META_DIRECTION);
	}
	if ((o = pn_find_opt(b, 6, &dl)) && dl == 4) {
		outer.queue = (uint16_t)pn_u32(o);
		BPFCAP_META_SET(&outer, BPFCAP_META_QUEUE);
	}
	return bpfcap_meta_decode_with(v + 4, l - 4u, &outer, m);
}

static uint64_t isb_opt(const struct file *f, uint32_t if_id, uint16_t code)
{
	int i;

	for (i = 0; i < f->nisb; i++)
		if (pn_u32(f->isb[i].body) == if_id) {
			uint16_t l = 0;
			const uint8_t *v = pn_find_opt(&f->isb[i], code, &l);

			return v && l == 8 ? pn_u64(v) : UINT64_MAX;
		}
	return UINT64_MAX - 1;
}

/* tab-separated field col of row */
static const char *field(const char *text, int row, int col, char *out, size_t cap)
{
	const char *p = text;
	size_t n;

	out[0] = '\0';
	while (row-- > 0) {
		p = strchr(p, '\n');
		if (!p)
			return out;
		p++;
	}
	while (col-- > 0) {
		p += strcspn(p, "\t\n");
		if (*p != '\t')
			return out;
		p++;
	}
	n = strcspn(p, "\t\n");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* A numeric tshark field (decimal or 0x hex, as tshark versions differ); -1 when empty. */
static long long num(const char *s)
{
	char *end;
	long long v;

	if (!*s)
		return -1;
	v = strtoll(s, &end, 0);
	return *end ? -2 : v;
}

static int tshark(const char *path, const char *fields, char *out, size_t cap)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "HOME=%s tshark -n -r %s -T fields -E separator=/t %s 2>/dev/null", tmpdir, path,
		 fields);
	return test_run(cmd, out, cap);
}

/* ---- tests ---- */

struct auto_expect {
	const char *ifname;
	uint16_t linktype;
};

static void test_auto(void)
{
	/* interfaces in creation order */
	static const struct auto_expect want_if[] = {
		{ "eth0@kfree_skb", LINKTYPE_ETHERNET },
		{ "eth0@kfree_skb", LINKTYPE_LINUX_SLL2 },
		{ "tun0@kfree_skb", LINKTYPE_LINUX_SLL2 },
		{ "eth0@net_dev_xmit", LINKTYPE_ETHERNET },
		{ "veth1@kfree_skb", LINKTYPE_ETHERNET },
		{ "eth0@kfree_skb", LINKTYPE_ETHERNET }, /* other netns */
		{ "eth0@tcp_retransmit_skb", LINKTYPE_LINUX_SLL2 },
		{ "any@consume_skb", LINKTYPE_LINUX_SLL2 }, /* created by sink__finish */
	};
	char path[300], buf[512], nm[160];
	struct bpfcap_event e;
	struct bpfcap_meta m;
	struct file f;
	struct sink *s;
	int fd, i;

	TEST_SECTION("--proto auto: Ethernet, Linux SLL2, interfaces, metadata");
	s = open_sink("auto.pcapng", PROTO_AUTO, FORMAT_PCAPNG, 262144, 0, &fd, path, sizeof(path));

	/* 1: dropped on receive, MAC header present; 5 events lost before it */
	sink__set_lost(s, P_KFREE, 5);
	e = ev_mac(P_KFREE, eth_udp, sizeof(eth_udp));
	with_reason(&e, FX_NO_SOCKET);
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "event 1 (MAC, Ethernet)");
	/* 2: NEIGH_FAILED, no MAC header */
	e = ev_net(P_KFREE, 0x0800, 32);
	e.ts_boot = TS0 + 1000;
	e.skb_addr = 0xffff888012345700ull;
	with_reason(&e, FX_NEIGH_FAILED);
	ASSERT_EQ(feed(s, &e, IP_UDP), 0, "event 2 (network header, no MAC)");
	/* 3: IPv6 from skb->data on a tun device */
	e = ev_data(P_KFREE, 0x86dd, sizeof(ip6_udp));
	e.ts_boot = TS0 + 2000;
	e.skb_addr = 0xffff888012345800ull;
	ASSERT_EQ(feed(s, &e, ip6_udp), 0, "event 3 (skb->data, IPv6)");
	/* 4: the skb of event 1 seen at another probe */
	e = ev_mac(P_XMIT, eth_udp, sizeof(eth_udp));
	e.ts_boot = TS0 + 3000;
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "event 4 (same skb at net_dev_xmit)");
	/* 5: a subsystem drop reason on another device */
	e = ev_mac(P_KFREE, eth_udp, sizeof(eth_udp));
	e.ts_boot = TS0 + 4000;
	e.ifindex = 3;
	e.skb_iif = 3;
	snprintf(e.ifname, sizeof(e.ifname), "veth1");
	e.skb_addr = 0xffff888012345900ull;
	with_reason(&e, FX_OVS_LAST_ACTION);
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "event 5 (openvswitch reason)");
	/* 6: a big frame cut by a 64-byte snaplen, broadcast */
	e = ev_mac(P_KFREE, eth_udp, sizeof(eth_udp));
	e.ts_boot = TS0 + 5000;
	e.len = 1500;
	e.cap_len = 60;
	e.pkt_type = PACKET_BROADCAST;
	e.mark = 0x2a;
	with_reason(&e, FX_NOT_SPECIFIED);
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "event 6 (truncated)");
	/* 7: ARP over Ethernet */
	e = ev_mac(P_KFREE, eth_arp, sizeof(eth_arp));
	e.ts_boot = TS0 + 6000;
	e.protocol = 0x0806;
	e.pkt_type = PACKET_BROADCAST;
	ASSERT_EQ(feed(s, &e, eth_arp), 0, "event 7 (ARP)");
	/* 8: same device index in another network namespace */
	e = ev_mac(P_KFREE, eth_udp, sizeof(eth_udp));
	e.ts_boot = TS0 + 7000;
	e.netns = NETNS2;
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "event 8 (other netns)");
	/* 9: a TCP retransmission whose skb has no headers yet */
	e = ev_base(P_RETRANS);
	e.ts_boot = TS0 + 8000;
	e.start = BPFCAP_START_DATA;
	e.net_off = 0xffff;
	e.len = sizeof(payload);
	e.cap_len = sizeof(payload);
	e.flags = BPFCAP_EV_TCP_SYNTH;
	e.tcp.family = AF_INET_;
	e.tcp.flags = 0x18; /* PSH|ACK */
	e.tcp.sport = 40000;
	e.tcp.dport = 80;
	e.tcp.seq = 1000;
	memcpy(e.tcp.saddr, "\x0a\x00\x00\x01", 4);
	memcpy(e.tcp.daddr, "\x0a\x00\x00\x02", 4);
	ASSERT_EQ(feed(s, &e, payload), 0, "event 9 (TCP headers synthesised)");

	ASSERT_EQ(sink__packets(s), 9, "9 packets written");
	ASSERT_EQ(sink__stats(s, P_KFREE)->written, 7, "kfree_skb wrote 7");
	ASSERT_EQ(sink__stats(s, P_XMIT)->written, 1, "net_dev_xmit wrote 1");
	ASSERT_EQ(sink__interfaces(s), 7, "7 interfaces before finish");
	sink__set_lost(s, P_XMIT, 2); /* lost after the last packet: only in the ISB */
	close_sink(s, fd);

	load(&f, path);
	ASSERT_EQ(f.nidb, 8, "8 IDBs: one per (probe, netns, device, link type) + consume_skb");
	ASSERT_EQ(f.nepb, 9, "9 EPBs");
	ASSERT_EQ(f.nisb, 8, "one ISB per interface");
	for (i = 0; i < f.nidb && i < 8; i++) {
		snprintf(nm, sizeof(nm), "interface %d if_name", i);
		ASSERT_STR(idb_name(&f, (uint32_t)i, buf, sizeof(buf)), want_if[i].ifname, nm);
		snprintf(nm, sizeof(nm), "interface %d link type", i);
		ASSERT_EQ(idb_linktype(&f, (uint32_t)i), want_if[i].linktype, nm);
		snprintf(nm, sizeof(nm), "interface %d if_tsresol 9", i);
		ASSERT_TRUE(pn_find_opt(&f.idb[i], 9, NULL) &&
				    pn_find_opt(&f.idb[i], 9, NULL)[0] == 9,
			    nm);
	}
	if (f.nidb >= 1) {
		uint16_t l = 0;
		const uint8_t *v = pn_find_opt(&f.idb[0], 3, &l);

		snprintf(buf, sizeof(buf), "%.*s", v ? (int)l : 0, v ? (const char *)v : "");
		ASSERT_CONTAINS(buf, "probe=tp:skb:kfree_skb", "if_description has the probe spec");
		ASSERT_CONTAINS(buf, "netns=4026531840", "if_description has the netns");
		ASSERT_CONTAINS(buf, "dev=eth0(2)", "if_description has the device");
		ASSERT_CONTAINS(buf, " type=tracepoint probe_id=0 devtype=1",
				"if_description has the probe type, index and device type");
	}
	if (f.nepb >= 1) {
		uint16_t l = 0;
		const uint8_t *v = pn_find_opt(&f.epb[0], BPFCAP_META_OPTION, &l);

		/* version 2: what the interface and the EPB say is not repeated per packet */
		ASSERT_TRUE(v && l > 6 && v[4] == BPFCAP_META_V2_MAGIC &&
				    v[5] == BPFCAP_META_VERSION2,
			    "EPB1 metadata is version 2");
		ASSERT_TRUE(v && !memmem(v, l, "kfree_skb", 9) && !memmem(v, l, "eth0", 4),
			    "EPB1 metadata repeats neither the probe nor the device");
		ASSERT_TRUE(l <= 48, "EPB1 metadata option at most 48 bytes");
	}
	if (f.nepb < 9) {
		free(f.buf);
		return;
	}

	/* 1 */
	ASSERT_EQ(epb_if(&f.epb[0]), 0, "EPB1 on interface 0");
	ASSERT_EQ(epb_caplen(&f.epb[0]), 60, "EPB1 caplen");
	ASSERT_EQ(epb_origlen(&f.epb[0]), 60, "EPB1 origlen = pre_len + len");
	ASSERT_EQ(memcmp(epb_data(&f.epb[0]), eth_udp, 60), 0, "EPB1 bytes are the frame");
	ASSERT_STR(epb_comment(&f.epb[0], buf, sizeof(buf)),
		   "kfree_skb cpu=1 dev=eth0(2) reason=NO_SOCKET", "EPB1 comment");
	ASSERT_EQ(epb_u32(&f.epb[0], 2, 0xffffffff), EPB_FLAG_INBOUND | EPB_FLAG_UNICAST,
		  "EPB1 flags: inbound unicast");
	ASSERT_EQ(epb_u64(&f.epb[0], 4, UINT64_MAX), 5, "EPB1 dropcount carries the 5 lost");
	ASSERT_EQ(epb_u32(&f.epb[0], 6, 0xffffffff), 3, "EPB1 queue");
	ASSERT_TRUE(pn_find_opt(&f.epb[0], 7, NULL) == NULL, "no epb_verdict");
	ASSERT_EQ(epb_meta(&f, &f.epb[0], &m), 0, "EPB1 metadata decodes");
	ASSERT_STR(m.probe, "tp:skb:kfree_skb", "meta probe");
	ASSERT_EQ(m.probe_id, P_KFREE, "meta probe_id");
	ASSERT_EQ(m.cpu, 1, "meta cpu");
	ASSERT_EQ(m.ifindex, 2, "meta ifindex");
	ASSERT_STR(m.ifname, "eth0", "meta ifname");
	ASSERT_EQ(m.netns, NETNS, "meta netns");
	ASSERT_EQ(m.skb_len, 46, "meta skb len");
	ASSERT_EQ(m.reason, FX_NO_SOCKET, "meta reason");
	ASSERT_STR(m.reason_name, "NO_SOCKET", "meta reason name");
	ASSERT_STR(m.reason_subsys, "CORE", "meta reason subsystem");
	ASSERT_EQ(m.protocol, 0x0800, "meta protocol");
	ASSERT_EQ(m.queue, 3, "meta queue");
	ASSERT_EQ(m.pid, 100, "meta pid");
	ASSERT_EQ(m.tid, 101, "meta tid");
	ASSERT_STR(m.comm, "swapper/1", "meta comm");
	ASSERT_EQ(m.direction, BPFCAP_DIR_IN, "meta direction in");
	ASSERT_EQ(m.skb_iif, 2, "meta skb_iif");
	ASSERT_EQ(m.dev_type, ARPHRD_ETHER, "meta dev_type");
	ASSERT_EQ(m.trunc, 0, "meta not truncated");
	ASSERT_EQ(m.skb_id, epb_u64(&f.epb[0], 5, 0), "meta skb_id = epb_packetid");
	ASSERT_NE(m.skb_id, 0xffff888012345600ull, "packet id is not the skb address");
	ASSERT_TRUE(!BPFCAP_META_HAS(&m, BPFCAP_META_SYNTH), "no synth on a real packet");

	/* 2: SLL2 */
	ASSERT_EQ(epb_if(&f.epb[1]), 1, "EPB2 on the SLL2 interface");
	ASSERT_EQ(epb_caplen(&f.epb[1]), 20 + 32, "EPB2 caplen = SLL2 header + packet");
	ASSERT_EQ(epb_origlen(&f.epb[1]), 20 + 32, "EPB2 origlen includes the SLL2 header");
	{
		const uint8_t *d = epb_data(&f.epb[1]);

		ASSERT_EQ(d[0] << 8 | d[1], 0x0800, "SLL2 protocol");
		ASSERT_EQ(d[4] << 24 | d[5] << 16 | d[6] << 8 | d[7], 2, "SLL2 ifindex");
		ASSERT_EQ(d[8] << 8 | d[9], ARPHRD_ETHER, "SLL2 hatype");
		ASSERT_EQ(d[10], PACKET_HOST, "SLL2 packet type");
		ASSERT_EQ(memcmp(d + 20, IP_UDP, 32), 0, "SLL2 payload is the IP packet");
	}
	ASSERT_EQ(epb_u32(&f.epb[1], 2, 0xffffffff), EPB_FLAG_OUTBOUND,
		  "EPB2 flags: outbound (no skb_iif)");
	ASSERT_EQ(epb_u64(&f.epb[1], 4, UINT64_MAX), UINT64_MAX,
		  "EPB2 has no epb_dropcount: no new loss");
	ASSERT_NE(epb_u64(&f.epb[1], 5, 0), epb_u64(&f.epb[0], 5, 0),
		  "another skb, another packet id");
	ASSERT_EQ(epb_meta(&f, &f.epb[1], &m), 0, "EPB2 metadata");
	ASSERT_STR(m.reason_name, "NEIGH_FAILED", "EPB2 reason");
	ASSERT_EQ(m.direction, BPFCAP_DIR_OUT, "EPB2 direction out");
	ASSERT_STR(epb_comment(&f.epb[1], buf, sizeof(buf)),
		   "kfree_skb cpu=1 dev=eth0(2) reason=NEIGH_FAILED", "EPB2 comment");

	/* 3: IPv6 from skb->data */
	ASSERT_EQ(epb_if(&f.epb[2]), 2, "EPB3 on tun0");
	ASSERT_EQ(epb_caplen(&f.epb[2]), 20 + sizeof(ip6_udp), "EPB3 caplen");
	ASSERT_EQ(epb_data(&f.epb[2])[0] << 8 | epb_data(&f.epb[2])[1], 0x86dd,
		  "EPB3 SLL2 protocol IPv6");
	ASSERT_STR(epb_comment(&f.epb[2], buf, sizeof(buf)), "kfree_skb cpu=1 dev=tun0(4)",
		   "EPB3 comment, no reason");

	/* 4: same skb at the next probe */
	ASSERT_EQ(epb_if(&f.epb[3]), 3, "EPB4 on the net_dev_xmit interface");
	ASSERT_EQ(epb_u64(&f.epb[3], 5, 1), epb_u64(&f.epb[0], 5, 2),
		  "same skb, same packet id at every probe");
	ASSERT_EQ(epb_u32(&f.epb[3], 2, 0xffffffff), EPB_FLAG_OUTBOUND,
		  "net_dev_xmit is outbound (direction hint)");
	ASSERT_STR(epb_comment(&f.epb[3], buf, sizeof(buf)), "net_dev_xmit cpu=1 dev=eth0(2)",
		   "EPB4 comment");

	/* 5: openvswitch */
	ASSERT_EQ(epb_if(&f.epb[4]), 4, "EPB5 on veth1");
	ASSERT_STR(epb_comment(&f.epb[4], buf, sizeof(buf)),
		   "kfree_skb cpu=1 dev=veth1(3) reason=OVS_DROP_LAST_ACTION "
		   "subsys=OPENVSWITCH",
		   "EPB5 comment with subsystem");
	ASSERT_EQ(epb_meta(&f, &f.epb[4], &m), 0, "EPB5 metadata");
	ASSERT_STR(m.reason_subsys, "OPENVSWITCH", "EPB5 meta subsystem");

	/* 6: truncated */
	ASSERT_EQ(epb_if(&f.epb[5]), 0, "EPB6 back on interface 0");
	ASSERT_EQ(epb_caplen(&f.epb[5]), 60, "EPB6 caplen");
	ASSERT_EQ(epb_origlen(&f.epb[5]), 14 + 1500, "EPB6 origlen = pre_len + skb len");
	ASSERT_EQ(epb_u32(&f.epb[5], 2, 0xffffffff), EPB_FLAG_INBOUND | EPB_FLAG_BROADCAST,
		  "EPB6 flags: inbound broadcast");
	ASSERT_EQ(epb_meta(&f, &f.epb[5], &m), 0, "EPB6 metadata");
	ASSERT_EQ(m.trunc, BPFCAP_TRUNC_SNAPLEN, "EPB6 truncated at the snaplen");
	ASSERT_EQ(m.mark, 0x2a, "EPB6 mark");
	ASSERT_STR(epb_comment(&f.epb[5], buf, sizeof(buf)),
		   "kfree_skb cpu=1 dev=eth0(2) reason=NOT_SPECIFIED mark=0x2a "
		   "truncated=snaplen",
		   "EPB6 comment");
	{
		struct bpfcap_meta p;

		ASSERT_EQ(bpfcap_meta_parse_comment(buf, strlen(buf), &p), 0,
			  "EPB6 comment parses back");
		ASSERT_EQ(p.trunc, BPFCAP_TRUNC_SNAPLEN, "EPB6 parsed truncation");
		ASSERT_EQ(p.mark, 0x2a, "EPB6 parsed mark");
	}

	/* 7: ARP stays Ethernet in auto mode */
	ASSERT_EQ(epb_if(&f.epb[6]), 0, "EPB7 (ARP) on interface 0");
	ASSERT_EQ(epb_caplen(&f.epb[6]), 60, "EPB7 caplen");

	/* 8: other netns */
	ASSERT_EQ(epb_if(&f.epb[7]), 5, "EPB8 on its own interface");
	ASSERT_EQ(epb_meta(&f, &f.epb[7], &m), 0, "EPB8 metadata");
	ASSERT_EQ(m.netns, NETNS2, "EPB8 netns");

	/* 9: synthesised IPv4 + TCP */
	ASSERT_EQ(epb_if(&f.epb[8]), 6, "EPB9 on the retransmit interface");
	ASSERT_EQ(epb_caplen(&f.epb[8]), 20 + 20 + 20 + 5, "EPB9: SLL2 + IPv4 + TCP + payload");
	ASSERT_EQ(epb_origlen(&f.epb[8]), 65, "EPB9 origlen");
	{
		const uint8_t *d = epb_data(&f.epb[8]);
		const uint8_t *ip = d + 20, *tcp = d + 40;
		uint32_t sum = 0;
		int k;

		ASSERT_EQ(d[0] << 8 | d[1], 0x0800, "EPB9 SLL2 protocol");
		ASSERT_EQ(ip[0], 0x45, "synth IPv4 version/IHL");
		ASSERT_EQ(ip[2] << 8 | ip[3], 45, "synth IPv4 total length");
		ASSERT_EQ(ip[9], 6, "synth IPv4 protocol TCP");
		ASSERT_EQ(memcmp(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8), 0,
			  "synth IPv4 addresses");
		for (k = 0; k < 20; k += 2)
			sum += (uint32_t)(ip[k] << 8 | ip[k + 1]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		ASSERT_EQ(sum, 0xffff, "synth IPv4 header checksum is valid");
		ASSERT_EQ(tcp[0] << 8 | tcp[1], 40000, "synth TCP source port");
		ASSERT_EQ(tcp[2] << 8 | tcp[3], 80, "synth TCP destination port");
		ASSERT_EQ((uint32_t)(tcp[4] << 24 | tcp[5] << 16 | tcp[6] << 8 | tcp[7]), 1000,
			  "synth TCP sequence number");
		ASSERT_EQ(tcp[12] >> 4, 5, "synth TCP data offset");
		ASSERT_EQ(tcp[13], 0x18, "synth TCP flags");
		ASSERT_EQ(memcmp(tcp + 20, payload, 5), 0, "payload after the headers");
	}
	ASSERT_EQ(epb_meta(&f, &f.epb[8], &m), 0, "EPB9 metadata");
	ASSERT_EQ(m.synth, BPFCAP_SYNTH_IP_TCP, "EPB9 meta synth");
	ASSERT_CONTAINS(epb_comment(&f.epb[8], buf, sizeof(buf)), " headers=synthesized",
			"EPB9 comment says the headers are synthesised");

	/* metadata on every EPB, packet id = skb_id, comment parses back */
	for (i = 0; i < f.nepb; i++) {
		struct bpfcap_meta p;

		snprintf(nm, sizeof(nm), "EPB%d: metadata option decodes", i + 1);
		ASSERT_EQ(epb_meta(&f, &f.epb[i], &m), 0, nm);
		snprintf(nm, sizeof(nm), "EPB%d: skb_id = epb_packetid", i + 1);
		ASSERT_EQ(m.skb_id, epb_u64(&f.epb[i], 5, 0), nm);
		snprintf(nm, sizeof(nm), "EPB%d: comment parses back", i + 1);
		epb_comment(&f.epb[i], buf, sizeof(buf));
		ASSERT_EQ(bpfcap_meta_parse_comment(buf, strlen(buf), &p), 0, nm);
		snprintf(nm, sizeof(nm), "EPB%d: parsed cpu equals the option's", i + 1);
		ASSERT_EQ(p.cpu, m.cpu, nm);
		snprintf(nm, sizeof(nm), "EPB%d: origlen >= caplen", i + 1);
		ASSERT_TRUE(epb_origlen(&f.epb[i]) >= epb_caplen(&f.epb[i]), nm);
	}

	/* ISBs: the primary interface of each probe carries its losses */
	ASSERT_EQ(isb_opt(&f, 0, 5), 5, "ISB if0 ifdrop = kfree_skb's losses");
	ASSERT_EQ(isb_opt(&f, 0, 4), 3 + 5, "ISB if0 ifrecv = packets (1, 6, 7) + losses");
	ASSERT_EQ(isb_opt(&f, 0, 6), 3, "ISB if0 filteraccept = packets");
	ASSERT_EQ(isb_opt(&f, 1, 5), 0, "ISB if1 ifdrop 0 (not primary)");
	ASSERT_EQ(isb_opt(&f, 1, 4), 1, "ISB if1 ifrecv");
	ASSERT_EQ(isb_opt(&f, 3, 5), 2, "ISB if3 ifdrop = net_dev_xmit's late losses");
	ASSERT_EQ(isb_opt(&f, 7, 4), 0, "ISB of the empty consume_skb interface: 0 received");
	ASSERT_EQ(isb_opt(&f, 7, 5), 0, "ISB of the empty interface: 0 dropped");
	ASSERT_EQ(isb_opt(&f, 0, 2) != UINT64_MAX && isb_opt(&f, 0, 3) != UINT64_MAX, 1,
		  "ISB start and end times present");

	if (have_tshark) {
		static char out[16384];
		char v[256];

		ASSERT_EQ(
			tshark(path,
			       "-e frame.interface_name -e frame.encap_type -e eth.type -e "
			       "sll.etype "
			       "-e sll.ifindex -e sll.hatype -e ip.src -e ipv6.src -e udp.dstport "
			       "-e frame.comment -e frame.drop_count -e "
			       "frame.packet_flags_direction "
			       "-e tcp.srcport -e tcp.seq_raw -e tcp.len -e arp.opcode -e "
			       "frame.len "
			       "-e frame.cap_len -e frame.time_epoch",
			       out, sizeof(out)),
			0, "tshark reads the auto capture");
		ASSERT_STR(field(out, 0, 0, v, sizeof(v)), "eth0@kfree_skb", "tshark if_name");
		ASSERT_STR(field(out, 0, 1, v, sizeof(v)), "1", "packet 1: Ethernet encapsulation");
		ASSERT_EQ(num(field(out, 0, 2, v, sizeof(v))), 0x0800, "packet 1: eth.type IPv4");
		ASSERT_STR(field(out, 0, 8, v, sizeof(v)), "9999", "packet 1: UDP decoded");
		ASSERT_STR(field(out, 0, 9, v, sizeof(v)),
			   "kfree_skb cpu=1 dev=eth0(2) reason=NO_SOCKET",
			   "packet 1: frame.comment");
		ASSERT_STR(field(out, 0, 10, v, sizeof(v)), "5", "packet 1: frame.drop_count");
		ASSERT_STR(field(out, 0, 18, v, sizeof(v)), "1700000000.123456789",
			   "packet 1: timestamp");
		ASSERT_STR(field(out, 1, 2, v, sizeof(v)), "", "packet 2: no Ethernet header");
		ASSERT_EQ(num(field(out, 1, 3, v, sizeof(v))), 0x0800, "packet 2: sll.etype");
		ASSERT_STR(field(out, 1, 4, v, sizeof(v)), "2", "packet 2: sll.ifindex");
		ASSERT_STR(field(out, 1, 5, v, sizeof(v)), "1", "packet 2: sll.hatype");
		ASSERT_STR(field(out, 1, 6, v, sizeof(v)), "10.0.0.1", "packet 2: IPv4 decoded");
		ASSERT_STR(field(out, 1, 8, v, sizeof(v)), "9999", "packet 2: UDP decoded");
		ASSERT_EQ(num(field(out, 2, 3, v, sizeof(v))), 0x86dd, "packet 3: sll.etype IPv6");
		ASSERT_STR(field(out, 2, 7, v, sizeof(v)), "2001:db8::1", "packet 3: IPv6 decoded");
		ASSERT_EQ(num(field(out, 3, 11, v, sizeof(v))), 0x00000002, "packet 4: outbound");
		ASSERT_STR(field(out, 5, 16, v, sizeof(v)), "1514", "packet 6: frame.len");
		ASSERT_STR(field(out, 5, 17, v, sizeof(v)), "60", "packet 6: frame.cap_len");
		ASSERT_STR(field(out, 6, 15, v, sizeof(v)), "1", "packet 7: ARP request");
		ASSERT_STR(field(out, 8, 6, v, sizeof(v)), "10.0.0.1", "packet 9: synth IPv4");
		ASSERT_STR(field(out, 8, 12, v, sizeof(v)), "40000", "packet 9: synth TCP port");
		ASSERT_STR(field(out, 8, 13, v, sizeof(v)), "1000", "packet 9: synth TCP seq");
		ASSERT_STR(field(out, 8, 14, v, sizeof(v)), "5", "packet 9: TCP payload length");
	} else {
		test_skip("tshark not found: auto capture not checked with tshark");
	}
	if (have_capinfos) {
		static char out[16384];
		char cmd[512];
		const char *p = out;
		int k = 0;

		snprintf(cmd, sizeof(cmd), "capinfos -M %s 2>&1", path);
		ASSERT_EQ(test_run(cmd, out, sizeof(out)), 0, "capinfos reads the auto capture");
		ASSERT_CONTAINS(out, "Number of interfaces in file: 8", "capinfos: 8 interfaces");
		ASSERT_CONTAINS(out, "Capture application: bpfcap ", "capinfos: shb_userappl");
		while ((p = strstr(p, "Number of stat entries = 1"))) {
			k++;
			p++;
		}
		ASSERT_EQ(k, 8, "capinfos: an ISB on every interface");
	}
	free(f.buf);
}

static void test_proto_eth(void)
{
	char path[300], buf[256];
	struct bpfcap_event e;
	struct file f;
	struct sink *s;
	int fd;

	TEST_SECTION("--proto eth: synthesised Ethernet headers");
	s = open_sink("eth.pcapng", PROTO_ETH, FORMAT_PCAPNG, 262144, 0, &fd, path, sizeof(path));
	e = ev_mac(P_KFREE, eth_udp, sizeof(eth_udp));
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "MAC event");
	e = ev_net(P_KFREE, 0x0800, 32);
	ASSERT_EQ(feed(s, &e, IP_UDP), 0, "IPv4 without MAC");
	e = ev_data(P_KFREE, 0x86dd, sizeof(ip6_udp));
	ASSERT_EQ(feed(s, &e, ip6_udp), 0, "IPv6 from skb->data");
	e = ev_net(P_KFREE, 0x0806, 28);
	ASSERT_EQ(feed(s, &e, ARP), 0, "ARP without MAC");
	close_sink(s, fd);

	load(&f, path);
	ASSERT_EQ(f.nepb, 4, "4 EPBs");
	for (int i = 0; i < f.nidb; i++) {
		char n[64];

		snprintf(n, sizeof(n), "interface %d is Ethernet", i);
		ASSERT_EQ(idb_linktype(&f, (uint32_t)i), LINKTYPE_ETHERNET, n);
	}
	if (f.nepb == 4) {
		static const uint8_t zero[12];

		ASSERT_EQ(epb_caplen(&f.epb[0]), 60, "MAC frame kept as is");
		ASSERT_EQ(memcmp(epb_data(&f.epb[0]), eth_udp, 60), 0, "MAC frame bytes");
		ASSERT_EQ(epb_caplen(&f.epb[1]), 14 + 32, "IPv4: 14-byte header added");
		ASSERT_EQ(epb_origlen(&f.epb[1]), 14 + 32, "IPv4: origlen includes it");
		ASSERT_EQ(memcmp(epb_data(&f.epb[1]), zero, 12), 0, "synthesised MACs are zero");
		ASSERT_EQ(epb_data(&f.epb[1])[12] << 8 | epb_data(&f.epb[1])[13], 0x0800,
			  "synthesised ethertype IPv4");
		ASSERT_EQ(memcmp(epb_data(&f.epb[1]) + 14, IP_UDP, 32), 0, "IPv4 bytes follow");
		ASSERT_EQ(epb_data(&f.epb[2])[12] << 8 | epb_data(&f.epb[2])[13], 0x86dd,
			  "synthesised ethertype IPv6");
		ASSERT_EQ(epb_data(&f.epb[3])[12] << 8 | epb_data(&f.epb[3])[13], 0x0806,
			  "synthesised ethertype ARP");
	}
	if (have_tshark) {
		static char out[8192];
		char v[128];

		ASSERT_EQ(tshark(path,
				 "-e frame.encap_type -e eth.type -e eth.dst -e ip.dst -e ipv6.dst "
				 "-e arp.opcode -e frame.len",
				 out, sizeof(out)),
			  0, "tshark reads the eth capture");
		ASSERT_STR(field(out, 1, 0, v, sizeof(v)), "1", "IPv4 row: Ethernet");
		ASSERT_EQ(num(field(out, 1, 1, v, sizeof(v))), 0x0800, "IPv4 row: eth.type");
		ASSERT_STR(field(out, 1, 2, v, sizeof(v)), "00:00:00:00:00:00",
			   "IPv4 row: eth.dst");
		ASSERT_STR(field(out, 1, 3, v, sizeof(v)), "10.0.0.2", "IPv4 row: ip.dst");
		ASSERT_EQ(num(field(out, 2, 1, v, sizeof(v))), 0x86dd, "IPv6 row: eth.type");
		ASSERT_STR(field(out, 2, 4, v, sizeof(v)), "2001:db8::2", "IPv6 row: ipv6.dst");
		ASSERT_EQ(num(field(out, 3, 1, v, sizeof(v))), 0x0806, "ARP row: eth.type");
		ASSERT_STR(field(out, 3, 5, v, sizeof(v)), "1", "ARP row: request decoded");
	}
	free(f.buf);
	(void)buf;
}

static void test_proto_ip(void)
{
	char path[300];
	struct bpfcap_event e;
	struct file f;
	struct sink *s;
	int fd;

	TEST_SECTION("--proto ip: raw IP, non-IP skipped and counted");
	s = open_sink("ip.pcapng", PROTO_IP, FORMAT_PCAPNG, 262144, 0, &fd, path, sizeof(path));
	e = ev_mac(P_KFREE, eth_udp, sizeof(eth_udp));
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "MAC IPv4 frame");
	e = ev_mac(P_KFREE, vlan_udp, sizeof(vlan_udp));
	e.net_off = 18;
	e.pre_len = 18;
	ASSERT_EQ(feed(s, &e, vlan_udp), 0, "VLAN-tagged frame");
	e = ev_net(P_KFREE, 0x0800, 32);
	ASSERT_EQ(feed(s, &e, IP_UDP), 0, "IPv4 without MAC");
	e = ev_data(P_KFREE, 0x86dd, sizeof(ip6_udp));
	ASSERT_EQ(feed(s, &e, ip6_udp), 0, "IPv6 from skb->data");
	e = ev_mac(P_KFREE, eth_arp, sizeof(eth_arp));
	e.protocol = 0x0806;
	ASSERT_EQ(feed(s, &e, eth_arp), 0, "ARP over Ethernet: skipped, not an error");
	e = ev_net(P_KFREE, 0x0806, 28);
	ASSERT_EQ(feed(s, &e, ARP), 0, "ARP without MAC: skipped");
	e = ev_data(P_XMIT, 0x0800, sizeof(not_ip));
	ASSERT_EQ(feed(s, &e, not_ip), 0, "skb->data that is no IP header: skipped");
	e = ev_net(P_KFREE, 0x0800, 4);
	ASSERT_EQ(feed(s, &e, (const uint8_t *)"\x45\x00\x00\x20"), 0, "IPv4 cut to 4 bytes");
	ASSERT_EQ(sink__stats(s, P_KFREE)->not_ip, 2, "kfree_skb: 2 not IP");
	ASSERT_EQ(sink__stats(s, P_XMIT)->not_ip, 1, "net_dev_xmit: 1 not IP");
	ASSERT_EQ(sink__stats(s, P_KFREE)->written, 5, "kfree_skb: 5 written");
	ASSERT_EQ(sink__packets(s), 5, "5 packets in the file");
	close_sink(s, fd);

	load(&f, path);
	ASSERT_EQ(f.nepb, 5, "5 EPBs");
	for (int i = 0; i < f.nidb; i++) {
		char n[64];

		snprintf(n, sizeof(n), "interface %d is raw IP", i);
		ASSERT_EQ(idb_linktype(&f, (uint32_t)i), LINKTYPE_RAW, n);
	}
	if (f.nepb == 5) {
		ASSERT_EQ(epb_caplen(&f.epb[0]), 46, "Ethernet stripped: 46 bytes");
		ASSERT_EQ(epb_origlen(&f.epb[0]), 46, "origlen = pre_len + len - 14");
		ASSERT_EQ(memcmp(epb_data(&f.epb[0]), IP_UDP, 32), 0, "IP header first");
		ASSERT_EQ(epb_caplen(&f.epb[1]), 46, "VLAN tag stripped too");
		ASSERT_EQ(epb_data(&f.epb[1])[0], 0x45, "VLAN: IP header first");
		ASSERT_EQ(epb_caplen(&f.epb[2]), 32, "IPv4 without MAC unchanged");
		ASSERT_EQ(epb_origlen(&f.epb[2]), 32, "IPv4 without MAC origlen");
		ASSERT_EQ(epb_data(&f.epb[3])[0] >> 4, 6, "IPv6 unchanged");
		ASSERT_EQ(epb_caplen(&f.epb[4]), 4, "cut IPv4 kept");
		ASSERT_EQ(epb_origlen(&f.epb[4]), 4, "cut IPv4 origlen");
	}
	if (have_tshark) {
		static char out[8192];
		char v[128];

		ASSERT_EQ(tshark(path, "-e frame.encap_type -e ip.src -e ipv6.src -e udp.dstport",
				 out, sizeof(out)),
			  0, "tshark reads the ip capture");
		ASSERT_STR(field(out, 0, 0, v, sizeof(v)), "7", "raw IP encapsulation");
		ASSERT_STR(field(out, 0, 1, v, sizeof(v)), "10.0.0.1", "raw IPv4 decoded");
		ASSERT_STR(field(out, 1, 3, v, sizeof(v)), "9999", "VLAN frame: UDP decoded");
		ASSERT_STR(field(out, 3, 2, v, sizeof(v)), "2001:db8::1", "raw IPv6 decoded");
	}
	free(f.buf);
}

static void test_lost_and_count(void)
{
	char path[300];
	struct bpfcap_event e;
	struct file f;
	struct sink *s;
	int fd, i;

	TEST_SECTION("drop counts and --count");
	s = open_sink("count.pcapng", PROTO_AUTO, FORMAT_PCAPNG, 262144, 3, &fd, path,
		      sizeof(path));
	e = ev_mac(P_KFREE, eth_udp, sizeof(eth_udp));
	sink__set_lost(s, P_KFREE, 5);
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "packet 1");
	sink__set_lost(s, P_KFREE, 3); /* not monotonic: ignored */
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "packet 2");
	sink__set_lost(s, P_KFREE, 8);
	sink__set_lost(s, 99, 100); /* no such probe: ignored */
	sink__set_lost(s, -1, 100);
	ASSERT_EQ(feed(s, &e, eth_udp), SINK_DONE, "packet 3 reaches --count 3: SINK_DONE");
	ASSERT_EQ(feed(s, &e, eth_udp), SINK_DONE, "after the count: SINK_DONE");
	ASSERT_EQ(sink__packets(s), 3, "exactly 3 packets");
	ASSERT_EQ(sink__stats(s, P_KFREE)->lost, 8, "lost 8");
	ASSERT_EQ(sink__stats(s, P_KFREE)->lost_reported, 8, "all 8 reported in EPBs");
	close_sink(s, fd);
	load(&f, path);
	ASSERT_EQ(f.nepb, 3, "3 EPBs in the file");
	if (f.nepb == 3) {
		/* no option where nothing new was lost */
		static const uint64_t want[3] = { 5, UINT64_MAX, 3 };

		for (i = 0; i < 3; i++) {
			char n[64];

			snprintf(n, sizeof(n), "EPB%d dropcount", i + 1);
			ASSERT_EQ(epb_u64(&f.epb[i], 4, UINT64_MAX), want[i], n);
		}
	}
	ASSERT_EQ(isb_opt(&f, 0, 5), 8, "ISB ifdrop: all 8 lost");
	ASSERT_EQ(isb_opt(&f, 0, 4), 11, "ISB ifrecv: 3 + 8");
	free(f.buf);
}

static void test_names(void)
{
	char path[300], buf[128];
	struct bpfcap_event e;
	struct file f;
	struct sink *s;
	int fd;

	TEST_SECTION("interface names without a device name in the record");
	s = open_sink("names.pcapng", PROTO_AUTO, FORMAT_PCAPNG, 262144, 0, &fd, path,
		      sizeof(path));
	e = ev_net(P_KFREE, 0x0800, 32);
	e.ifname[0] = '\0';
	e.ifindex = 1;
	e.netns = ifnames_own_netns();
	ASSERT_EQ(feed(s, &e, IP_UDP), 0, "ifindex 1 in our own namespace");
	e.ifindex = 0;
	e.skb_iif = 0;
	ASSERT_EQ(feed(s, &e, IP_UDP), 0, "no device at all");
	e.ifindex = 987654;
	ASSERT_EQ(feed(s, &e, IP_UDP), 0, "an index that does not exist");
	close_sink(s, fd);
	load(&f, path);
	ASSERT_STR(idb_name(&f, 0, buf, sizeof(buf)), "lo@kfree_skb", "index 1 resolves to lo");
	ASSERT_STR(idb_name(&f, 1, buf, sizeof(buf)), "any@kfree_skb", "no device: any");
	ASSERT_STR(idb_name(&f, 2, buf, sizeof(buf)), "?@kfree_skb", "unknown index: ?");
	free(f.buf);
}

/* reasons = NULL (a kernel without enum skb_drop_reason): the value is shown as a number */
static void test_no_reasons(void)
{
	char path[300], buf[256];
	struct sink_opts o = { 0 };
	struct bpfcap_event e;
	struct bpfcap_meta m;
	struct file f;
	struct sink *s;
	int fd;

	TEST_SECTION("no drop reason table");
	snprintf(path, sizeof(path), "%s/noreasons.pcapng", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		SETUP_FAIL("open %s", path);
	o.snaplen = 262144;
	o.out_fd = fd;
	o.probes = probes;
	o.nprobes = NPROBES;
	s = sink__new(&o);
	if (!s)
		SETUP_FAIL("sink__new");
	sink__set_clock(s, 1000000000);
	ASSERT_EQ(sink__start(s), 0, "start");
	e = ev_mac(P_KFREE, eth_udp, sizeof(eth_udp));
	with_reason(&e, FX_NO_SOCKET);
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "event with a reason, no table");
	close_sink(s, fd);
	load(&f, path);
	ASSERT_EQ(f.nepb, 1, "one EPB");
	if (f.nepb == 1) {
		ASSERT_STR(epb_comment(&f.epb[0], buf, sizeof(buf)),
			   "kfree_skb cpu=1 dev=eth0(2) reason=3", "numeric reason in the comment");
		ASSERT_EQ(epb_meta(&f, &f.epb[0], &m), 0, "metadata");
		ASSERT_EQ(m.reason, FX_NO_SOCKET, "meta reason value");
		ASSERT_TRUE(!BPFCAP_META_HAS(&m, BPFCAP_META_REASON_NAME), "no reason name");
		ASSERT_STR(m.reason_subsys, "CORE", "core subsystem all the same");
		ASSERT_EQ(((uint64_t)pn_u32(f.epb[0].body + 4) << 32) | pn_u32(f.epb[0].body + 8),
			  TS0 + 1000000000ull, "timestamp = ts_boot + clock offset");
	}
	free(f.buf);
}

static void test_pcap(void)
{
	char path[300], cmd[512];
	static char out[4096];
	struct bpfcap_event e;
	struct sink *s;
	uint8_t *buf;
	size_t len;
	int fd;

	TEST_SECTION("classic pcap through the sink");
	s = open_sink("sink.pcap", PROTO_AUTO, FORMAT_PCAP, 262144, 0, &fd, path, sizeof(path));
	e = ev_mac(P_KFREE, eth_udp, sizeof(eth_udp));
	with_reason(&e, FX_NO_SOCKET);
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "MAC event");
	e = ev_net(P_KFREE, 0x0800, 32);
	ASSERT_EQ(feed(s, &e, IP_UDP), 0, "no-MAC event: Ethernet synthesised in pcap");
	e = ev_data(P_XMIT, 0x86dd, sizeof(ip6_udp));
	ASSERT_EQ(feed(s, &e, ip6_udp), 0, "IPv6 at another probe");
	close_sink(s, fd);
	buf = pn_load(path, &len);
	if (!buf)
		SETUP_FAIL("read %s", path);
	ASSERT_EQ(len, 24 + (16 + 60) + (16 + 46) + (16 + 66), "pcap: header and 3 records");
	if (len >= 24) {
		ASSERT_EQ(pn_u32(buf), 0xa1b23c4d, "pcap nanosecond magic");
		ASSERT_EQ(pn_u32(buf + 20), LINKTYPE_ETHERNET, "pcap link type Ethernet");
	}
	free(buf);
	if (have_tcpdump) {
		snprintf(cmd, sizeof(cmd), "tcpdump -nn --nano -tt -r %s 2>/dev/null", path);
		ASSERT_EQ(test_run(cmd, out, sizeof(out)), 0, "tcpdump reads the sink's pcap");
		ASSERT_CONTAINS(out, "1700000000.123456789 IP 10.0.0.1.4660 > 10.0.0.2.9999: UDP",
				"tcpdump: first packet");
		ASSERT_CONTAINS(out, "IP6 2001:db8::1.5000 > 2001:db8::2.6000: UDP",
				"tcpdump: IPv6 behind a synthesised header");
	}
}

static void test_text(void)
{
	char *buf = NULL, kpath[300];
	size_t len = 0;
	struct sink_opts o = { 0 };
	struct bpfcap_event e;
	struct ksyms *ks;
	struct sink *s;
	FILE *kf, *t;

	TEST_SECTION("text lines");
	snprintf(kpath, sizeof(kpath), "%s/kallsyms", tmpdir);
	kf = fopen(kpath, "w");
	if (!kf)
		SETUP_FAIL("fopen %s", kpath);
	fprintf(kf, "ffffffff81000000 T _stext\nffffffff81100000 T kfree_skb_reason\n"
		    "ffffffff81100400 t ip_rcv_core\nffffffff81200000 D some_data\n");
	fclose(kf);
	ks = ksyms__load(kpath);
	ASSERT_TRUE(ks != NULL, "ksyms from a kallsyms file");

	t = open_memstream(&buf, &len);
	if (!t)
		SETUP_FAIL("open_memstream");
	o.proto = PROTO_AUTO;
	o.snaplen = 262144;
	o.out_fd = -1;
	o.text = t;
	o.verbose = 1;
	o.probes = probes;
	o.nprobes = NPROBES;
	o.reasons = reasons;
	o.ksyms = ks;
	s = sink__new(&o);
	if (!s)
		SETUP_FAIL("sink__new");
	ASSERT_EQ(sink__start(s), 0, "start without a file");
	e = ev_mac(P_KFREE, eth_udp, sizeof(eth_udp));
	with_reason(&e, FX_NO_SOCKET);
	e.location = 0xffffffff81100410ull;
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "text: MAC event with a location");
	e = ev_net(P_KFREE, 0x0800, 32);
	ASSERT_EQ(feed(s, &e, IP_UDP), 0, "text: no-MAC event, no location");
	e = ev_base(P_RETRANS);
	e.start = BPFCAP_START_DATA;
	e.net_off = 0xffff;
	e.len = e.cap_len = sizeof(payload);
	e.flags = BPFCAP_EV_TCP_SYNTH;
	e.tcp.family = AF_INET6_;
	e.tcp.flags = 0x11; /* FIN|ACK */
	e.tcp.sport = 443;
	e.tcp.dport = 50000;
	e.tcp.seq = 7;
	e.tcp.saddr[15] = 1;
	e.tcp.daddr[15] = 2;
	ASSERT_EQ(feed(s, &e, payload), 0, "text: synthesised IPv6/TCP");
	e = ev_data(P_KFREE, 0x1234, sizeof(payload));
	ASSERT_EQ(feed(s, &e, payload), 0, "text: unknown protocol");
	ASSERT_EQ(sink__flush(s), 0, "flush without a file");
	ASSERT_EQ(sink__finish(s, 0, 0), 0, "finish without a file");
	ASSERT_EQ(sink__interfaces(s), 0, "no interfaces without a file");
	sink__free(s);
	fclose(t);
	{
		char *l1 = buf, *l2 = l1 ? strchr(l1, '\n') : NULL, *l3, *l4;

		if (l2)
			*l2++ = '\0';
		l3 = l2 ? strchr(l2, '\n') : NULL;
		if (l3)
			*l3++ = '\0';
		l4 = l3 ? strchr(l3, '\n') : NULL;
		if (l4)
			*l4++ = '\0';
		ASSERT_CONTAINS(l1,
				" kfree_skb eth0 NO_SOCKET IP 10.0.0.1.4660 > 10.0.0.2.9999: "
				"UDP, length 4",
				"text line 1");
		ASSERT_CONTAINS(l1, "[cpu=1 netns=4026531840 len=60 caplen=60 at=ip_rcv_core+0x10]",
				"text line 1: verbose details with the caller");
		ASSERT_CONTAINS(l2, " kfree_skb eth0 IP 10.0.0.1.4660 > 10.0.0.2.9999: UDP",
				"text line 2 (SLL2)");
		ASSERT_NOT_CONTAINS(l2, "at=", "text line 2: no caller left over from line 1");
		ASSERT_CONTAINS(l3, "IP6 ::1.443 > ::2.50000: Flags [F.], seq 7, length 5",
				"text line 3: synthesised IPv6/TCP");
		ASSERT_CONTAINS(l4, "tun0 ethertype 0x1234, length 5", "text line 4");
	}
	free(buf);
	ksyms__free(ks);
}

/* Random but consistent records in every mode: no crash, no read past cap_len (ASan), a
 * well-formed file whose every EPB has origlen >= caplen. */
static void test_random(void)
{
	static const uint16_t protos[] = { 0x0800, 0x86dd, 0x0806, 0x8100, 0, 0x1234 };
	static const uint16_t devs[] = { ARPHRD_ETHER, 772, ARPHRD_NONE, 0, 280 };
	uint64_t x = 0x9e3779b97f4a7c15ull;
	char path[300], name[64];
	int mode, i, bad = 0;
	FILE *t;
	char *tb = NULL;
	size_t tl = 0;

	TEST_SECTION("random records in every mode");
	for (mode = 0; mode < 4; mode++) {
		enum proto_mode pm = mode == 3 ? PROTO_AUTO : (enum proto_mode)mode;
		enum pcap_format fmt = mode == 3 ? FORMAT_PCAP : FORMAT_PCAPNG;
		struct sink_opts o = { 0 };
		struct sink *s;
		int fd;

		snprintf(name, sizeof(name), "random%d.%s", mode, mode == 3 ? "pcap" : "pcapng");
		snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		t = open_memstream(&tb, &tl);
		if (fd < 0 || !t)
			SETUP_FAIL("open %s", path);
		o.proto = pm;
		o.format = fmt;
		o.snaplen = 262144;
		o.out_fd = fd;
		o.text = t;
		o.verbose = 1;
		o.probes = probes;
		o.nprobes = NPROBES;
		o.reasons = reasons;
		s = sink__new(&o);
		if (!s)
			SETUP_FAIL("sink__new");
		sink__start(s);
		for (i = 0; i < 3000; i++) {
			uint8_t pkt[200];
			struct bpfcap_event e;
			int k, r;

			for (k = 0; k < (int)sizeof(pkt); k++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				pkt[k] = (uint8_t)x;
			}
			if (x & 1)
				memcpy(pkt, eth_udp, sizeof(eth_udp));
			if (x & 2)
				pkt[14] = 0x45;
			if (x & 4)
				pkt[12] = 0x81, pkt[13] = 0x00;
			e = ev_base((uint32_t)(x >> 8) % NPROBES);
			e.start = (uint8_t)(1 + (x >> 12) % 3);
			e.dev_type = devs[(x >> 16) % 5];
			e.protocol = protos[(x >> 20) % 6];
			e.cap_len = (uint32_t)((x >> 24) % sizeof(pkt));
			e.pre_len = (uint32_t)((x >> 32) % 40);
			e.len = e.cap_len + (uint32_t)((x >> 40) % 3000);
			if (e.len < e.pre_len)
				e.len = e.pre_len;
			e.len -= e.pre_len;
			e.net_off = (x >> 44) & 1 ? 0xffff : (uint16_t)((x >> 45) % 64);
			e.pkt_type = (uint8_t)((x >> 50) % 8);
			e.skb_iif = (x >> 53) & 1 ? 2 : 0;
			e.flags = (uint8_t)((x >> 54) & 0x2f);
			e.tcp.family = (x >> 60) & 1 ? AF_INET_ : AF_INET6_;
			if (e.flags & BPFCAP_EV_HAS_REASON)
				e.reason = (uint32_t)(x >> 20);
			r = feed(s, &e, pkt);
			if (r != 0)
				bad++;
		}
		ASSERT_EQ(sink__finish(s, 1, 2), 0, "finish after random records");
		sink__free(s);
		close(fd);
		fclose(t);
		free(tb);
		tb = NULL;
		if (fmt == FORMAT_PCAPNG) {
			struct file f;
			int k, short_orig = 0;

			load(&f, path);
			for (k = 0; k < f.nepb; k++)
				if (epb_origlen(&f.epb[k]) < epb_caplen(&f.epb[k]))
					short_orig++;
			ASSERT_EQ(short_orig, 0, "random: origlen >= caplen");
			free(f.buf);
		}
	}
	ASSERT_EQ(bad, 0, "random records: sink__event returns 0");
}

static void setup_probes(void)
{
	static const char *const specs[NPROBES] = { "tp:skb:kfree_skb", "tp:net:net_dev_xmit",
						    "tp:tcp:tcp_retransmit_skb",
						    "tp:skb:consume_skb" };
	char err[256];
	int i;

	for (i = 0; i < NPROBES; i++) {
		memset(&probes[i], 0, sizeof(probes[i]));
		if (probe_spec_parse(specs[i], &probes[i].spec, err, sizeof(err)))
			SETUP_FAIL("probe_spec_parse %s: %s", specs[i], err);
		probes[i].dir_hint = probe_dir_hint(probes[i].spec.name);
	}
}

/* The metadata's probe type follows the probe spec (issue: kprobe/fentry/fexit captures were
 * labelled "tracepoint"); the capture then refines it with how it attached. */
static void test_probe_types(void)
{
	static const struct {
		const char *spec;
		uint8_t type;
	} t[] = {
		{ "tp:skb:kfree_skb", BPFCAP_PROBE_TRACEPOINT },
		{ "raw_tp:skb:kfree_skb", BPFCAP_PROBE_RAW_TRACEPOINT },
		{ "kprobe:ip_rcv", BPFCAP_PROBE_KPROBE },
		{ "kprobe:ip_*", BPFCAP_PROBE_KPROBE },
		{ "fentry:ip_rcv", BPFCAP_PROBE_FENTRY },
		{ "fexit:ip_rcv", BPFCAP_PROBE_FEXIT },
		{ "fn:ip_rcv", BPFCAP_PROBE_FENTRY },
		{ "fentry:prog:7", BPFCAP_PROBE_FENTRY },
		{ "fexit:prog:7", BPFCAP_PROBE_FEXIT },
		{ "xdp:eth0", BPFCAP_PROBE_XDP },
		{ "tc:eth0:ingress", BPFCAP_PROBE_TC },
		{ "prog:7", BPFCAP_PROBE_PROG },
		{ "map:/sys/fs/bpf/x", BPFCAP_PROBE_PROG },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct probe_spec sp;
		char err[256], nm[128];

		snprintf(nm, sizeof(nm), "%s parses", t[i].spec);
		ASSERT_EQ(probe_spec_parse(t[i].spec, &sp, err, sizeof(err)), 0, nm);
		snprintf(nm, sizeof(nm), "%s: probe type %u", t[i].spec, t[i].type);
		ASSERT_EQ(sink_probe_type(sp.kind), t[i].type, nm);
	}
}

/* splitmix64's finaliser and its inverse: the id function before SipHash, id = mix(addr ^ key) */
static uint64_t unmix64(uint64_t x)
{
	x = (x ^ (x >> 31) ^ (x >> 62)) * 0x319642b2d24d8ec3ull;
	x = (x ^ (x >> 27) ^ (x >> 54)) * 0x96de1b173f119089ull;
	x = x ^ (x >> 30) ^ (x >> 60);
	return x - 0x9e3779b97f4a7c15ull;
}

/* Packet ids must not let anyone recover a kernel address from a capture file (KASLR). */
static void test_packet_ids(void)
{
	uint8_t key[16];
	const uint64_t addrs[] = { 0xffff888239c7f500ull, 0xffff888239c7f600ull,
				   0xffff88810a2b3c00ull, 0x1000 };
	uint64_t guess;
	size_t i;
	int k;

	/* SipHash-2-4 reference: key 00..0f, message 00..07 (the paper's vector for length 8) */
	for (k = 0; k < 16; k++)
		key[k] = (uint8_t)k;
	ASSERT_EQ(sink_packet_id(key, 0x0706050403020100ull), 0x93f5f5799a932462ull,
		  "SipHash-2-4 test vector (8-byte message)");
	/* the attack on the old ids: one packet with a known address (tc/XDP used to carry 0)
	 * gave the key, and with it every address. With the key known to the test, no id may
	 * equal its address or invert to it that way. */
	guess = unmix64(sink_packet_id(key, 0x1000)) ^ 0x1000;
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		uint64_t id = sink_packet_id(key, addrs[i]);

		ASSERT_NE(id, addrs[i], "an id is not its address");
		ASSERT_NE(unmix64(id), addrs[i], "an id does not invert to its address");
		if (addrs[i] != 0x1000)
			ASSERT_NE(unmix64(id) ^ guess, addrs[i],
				  "a known (address, id) pair does not reveal other addresses");
		ASSERT_EQ(id, sink_packet_id(key, addrs[i]), "the same skb keeps its id");
	}
	ASSERT_NE(sink_packet_id(key, addrs[0]), sink_packet_id(key, addrs[1]),
		  "neighbouring skbs get unrelated ids");
	key[0] ^= 1;
	ASSERT_NE(sink_packet_id(key, addrs[0]), 0ull, "id under another key");
	key[0] ^= 1;
	{
		uint8_t key2[16];

		memcpy(key2, key, sizeof(key2));
		key2[15] ^= 0x80;
		ASSERT_NE(sink_packet_id(key, addrs[0]), sink_packet_id(key2, addrs[0]),
			  "another capture (key) gives another id");
	}
}

/* VLAN tags the kernel carried out of band (bpfcap_event.vlan): back into the frame where it
 * has a link header, in the metadata always. */
static void test_vlan(void)
{
	char path[300], c[512];
	struct bpfcap_event e;
	struct bpfcap_meta m;
	uint8_t want[64];
	struct file f;
	struct sink *s;
	int fd;

	TEST_SECTION("VLAN tags carried out of band: restored like libpcap does");
	s = open_sink("vlan.pcapng", PROTO_AUTO, FORMAT_PCAPNG, 262144, 0, &fd, path, sizeof(path));
	e = ev_mac(P_KFREE, eth_udp, sizeof(eth_udp));
	e.vlan.proto = 0x8100;
	e.vlan.tci = 0x2064; /* priority 1, VLAN 100 */
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "tagged Ethernet frame");
	e.cap_len = 10; /* cut before the type field: nowhere to put the tag */
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "tagged frame cut at 10 bytes");
	e = ev_net(P_XMIT, 0x0800, 32);
	e.vlan.proto = 0x8100;
	e.vlan.tci = 200;
	ASSERT_EQ(feed(s, &e, IP_UDP), 0, "tagged packet without MAC header (SLL2)");
	e = ev_mac(P_KFREE, eth_udp, sizeof(eth_udp));
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "untagged frame");
	close_sink(s, fd);

	load(&f, path);
	ASSERT_EQ(f.nepb, 4, "4 EPBs");
	if (f.nepb != 4) {
		free(f.buf);
		return;
	}
	memcpy(want, vlan_udp, sizeof(want));
	want[14] = 0x20;
	ASSERT_EQ(epb_caplen(&f.epb[0]), 64, "tag inserted: 60 + 4 bytes");
	ASSERT_EQ(epb_origlen(&f.epb[0]), 64, "original length grows by the tag");
	ASSERT_EQ(memcmp(epb_data(&f.epb[0]), want, 64), 0,
		  "MACs, 81 00 20 64, then the frame's type and payload");
	ASSERT_EQ(epb_meta(&f, &f.epb[0], &m), 0, "metadata decodes");
	ASSERT_EQ(BPFCAP_META_HAS(&m, BPFCAP_META_VLAN), 1, "metadata has the tag");
	ASSERT_EQ(m.vlan_tpid, 0x8100, "TPID");
	ASSERT_EQ(m.vlan_tci, 0x2064, "TCI");
	ASSERT_EQ(m.vlan_flags, BPFCAP_VLAN_RESTORED, "says it was restored in the frame");
	ASSERT_CONTAINS(epb_comment(&f.epb[0], c, sizeof(c)), " vlan=100",
			"the comment names VLAN 100");
	ASSERT_EQ(epb_caplen(&f.epb[1]), 10, "cut frame: bytes as captured");
	ASSERT_EQ(epb_origlen(&f.epb[1]), 60, "cut frame: original length without the tag");
	ASSERT_EQ(epb_meta(&f, &f.epb[1], &m), 0, "cut frame: metadata decodes");
	ASSERT_EQ(m.vlan_flags, 0, "cut frame: tag in the metadata only");
	ASSERT_EQ(idb_linktype(&f, epb_if(&f.epb[2])), LINKTYPE_LINUX_SLL2, "no MAC header: SLL2");
	ASSERT_EQ(epb_caplen(&f.epb[2]), 20 + 4 + 32, "SLL2 header, TCI and type, IP packet");
	ASSERT_EQ(epb_data(&f.epb[2])[0] << 8 | epb_data(&f.epb[2])[1], 0x8100,
		  "SLL2 protocol field says 802.1Q");
	ASSERT_EQ(memcmp(epb_data(&f.epb[2]) + 20, "\x00\xc8\x08\x00", 4), 0,
		  "then TCI 200 and the real protocol, as libpcap's cooked header has it");
	ASSERT_EQ(epb_caplen(&f.epb[3]), 60, "untagged frame unchanged");
	ASSERT_EQ(epb_meta(&f, &f.epb[3], &m), 0, "untagged: metadata decodes");
	ASSERT_EQ(BPFCAP_META_HAS(&m, BPFCAP_META_VLAN), 0, "untagged: no VLAN field");
	if (have_tshark) {
		static char out[8192];
		char v[128];

		ASSERT_EQ(tshark(path, "-e vlan.id -e vlan.priority -e udp.dstport", out,
				 sizeof(out)),
			  0, "tshark reads the VLAN capture");
		ASSERT_STR(field(out, 0, 0, v, sizeof(v)), "100", "tshark: VLAN 100");
		ASSERT_STR(field(out, 0, 1, v, sizeof(v)), "1", "tshark: priority 1");
		ASSERT_STR(field(out, 0, 2, v, sizeof(v)), "9999", "tshark: UDP inside the tag");
		ASSERT_STR(field(out, 2, 0, v, sizeof(v)), "200", "tshark: VLAN 200 in SLL2");
		ASSERT_STR(field(out, 2, 2, v, sizeof(v)), "9999",
			   "tshark: UDP after the SLL2 tag");
	}
	free(f.buf);

	s = open_sink("vlan-eth.pcapng", PROTO_ETH, FORMAT_PCAPNG, 262144, 0, &fd, path,
		      sizeof(path));
	e = ev_net(P_XMIT, 0x0800, 32);
	e.vlan.proto = 0x88a8;
	e.vlan.tci = 300;
	ASSERT_EQ(feed(s, &e, IP_UDP), 0, "--proto eth: tagged packet without MAC header");
	close_sink(s, fd);
	load(&f, path);
	ASSERT_EQ(f.nepb, 1, "--proto eth: 1 EPB");
	if (f.nepb == 1) {
		ASSERT_EQ(epb_caplen(&f.epb[0]), 18 + 32, "synthesised header with the tag");
		ASSERT_EQ(memcmp(epb_data(&f.epb[0]) + 12, "\x88\xa8\x01\x2c\x08\x00", 6), 0,
			  "--proto eth: 88a8, TCI 300, 0800 after the zero MACs");
	}
	free(f.buf);
}

/* --stack: ids resolved through the sink's stack source, symbolised, BPF frames dropped */
static int stack_calls;

static int fake_stack(void *ctx, uint32_t id, uint64_t *ips, unsigned max)
{
	static const uint64_t st[] = { 0xffffffffa0001234ull, 0xffffffff81000010ull,
				       0xffffffff81001090ull, 0xffffffff810024bcull, 0x1234ull };

	(void)ctx;
	stack_calls++;
	if (id != 5 || max < 8)
		return -2;
	memset(ips, 0, sizeof(*ips) * max);
	memcpy(ips, st, sizeof(st));
	return (int)max;
}

static void test_stack(void)
{
	char path[300], ksp[300], text[2048];
	struct sink_opts o = { 0 };
	struct bpfcap_event e;
	struct bpfcap_meta m;
	struct ksyms *ks;
	struct file f;
	struct sink *s;
	FILE *t, *kf;
	size_t n;
	int fd;

	TEST_SECTION("--stack: symbolised stacks in the metadata and under -v text lines");
	snprintf(ksp, sizeof(ksp), "%s/kallsyms", tmpdir);
	kf = fopen(ksp, "w");
	if (!kf)
		SETUP_FAIL("fopen %s", ksp);
	fputs("ffffffff81000000 T bpf_prog_0123456789abcdef_capture\n"
	      "ffffffff81001000 T sk_skb_reason_drop\n"
	      "ffffffff81002000 T __udp4_lib_rcv\n"
	      "ffffffff81003000 T ip_protocol_deliver_rcu\n",
	      kf);
	fclose(kf);
	ks = ksyms__load(ksp);
	ASSERT_TRUE(ks != NULL, "ksyms from a kallsyms file");
	snprintf(path, sizeof(path), "%s/stack.pcapng", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	t = tmpfile();
	if (fd < 0 || !t)
		SETUP_FAIL("open %s", path);
	o.proto = PROTO_AUTO;
	o.format = FORMAT_PCAPNG;
	o.snaplen = 262144;
	o.out_fd = fd;
	o.text = t;
	o.verbose = 1;
	o.probes = probes;
	o.nprobes = NPROBES;
	o.reasons = reasons;
	o.ksyms = ks;
	s = sink__new(&o);
	if (!s)
		SETUP_FAIL("sink__new");
	sink__set_stacks(s, fake_stack, NULL);
	ASSERT_EQ(sink__start(s), 0, "SHB");
	stack_calls = 0;
	e = ev_mac(P_KFREE, eth_udp, sizeof(eth_udp));
	with_reason(&e, 3);
	e.stack_id = 6;
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "a drop with stack 5");
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "another drop with the same stack");
	e.stack_id = 0;
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "a drop whose stack was lost");
	e.stack_id = 8;
	ASSERT_EQ(feed(s, &e, eth_udp), 0, "a drop whose stack cannot be read");
	ASSERT_EQ(stack_calls, 2, "each stack id is looked up once");
	ASSERT_EQ(sink__stacks_missing(s), 2, "2 packets counted without a stack");
	close_sink(s, fd);
	fflush(t);
	rewind(t);
	n = fread(text, 1, sizeof(text) - 1, t);
	text[n] = '\0';
	fclose(t);
	ASSERT_CONTAINS(text, "\n    sk_skb_reason_drop+0x90\n    __udp4_lib_rcv+0x4bc\n    ?\n",
			"-v: one indented frame per line under the packet, BPF frames left out");
	load(&f, path);
	ASSERT_EQ(f.nepb, 4, "4 EPBs");
	if (f.nepb == 4) {
		ASSERT_EQ(epb_meta(&f, &f.epb[1], &m), 0, "metadata decodes");
		ASSERT_STR(m.stack, "sk_skb_reason_drop+0x90\n__udp4_lib_rcv+0x4bc\n?",
			   "innermost kernel frame first, never a raw address");
		ASSERT_EQ(epb_meta(&f, &f.epb[2], &m), 0, "lost stack: metadata decodes");
		ASSERT_EQ(BPFCAP_META_HAS(&m, BPFCAP_META_STACK), 0, "lost stack: no stack field");
	}
	free(f.buf);
	ksyms__free(ks);
}

int main(void)
{
	struct fx_opts fo = { .reasons = true, .ovs = true };
	struct btf *btf;

	if (!mkdtemp(tmpdir))
		SETUP_FAIL("mkdtemp: %s", strerror(errno));
	have_tshark = test_have_tool("tshark");
	have_capinfos = test_have_tool("capinfos");
	have_tcpdump = test_have_tool("tcpdump");
	setup_probes();
	btf = fx_btf(&fo);
	reasons = reasons__new(btf);
	btf__free(btf);
	if (!reasons)
		SETUP_FAIL("reasons__new");

	test_auto();
	test_proto_eth();
	test_proto_ip();
	test_lost_and_count();
	test_names();
	test_no_reasons();
	test_pcap();
	test_text();
	test_random();
	test_packet_ids();
	test_probe_types();
	test_vlan();
	test_stack();

	reasons__free(reasons);
	test_cleanup_dir(tmpdir);
	TEST_EXIT();
}
