// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One-line packet summaries (extcap/pktsum.c). Every input is handed over in an exact-size heap
 * buffer, and every prefix of every sample is summarised too: the ASan build catches any read
 * past the end. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktsum.h"
#include "test.h"

static char out[256];

static const char *l3(uint16_t type, const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	if (!c)
		SETUP_FAIL("malloc");
	if (len)
		memcpy(c, p, len);
	memset(out, 'X', sizeof(out));
	pktsum_l3(type, c, len, out, sizeof(out));
	free(c);
	return out;
}

static const char *eth(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	if (!c)
		SETUP_FAIL("malloc");
	if (len)
		memcpy(c, p, len);
	memset(out, 'X', sizeof(out));
	pktsum_eth(c, len, out, sizeof(out));
	free(c);
	return out;
}

// clang-format off: packet bytes, one header per line

/* IPv4 10.0.0.1 -> 10.0.0.2 */
#define IP4(proto, totlen)                                                                         \
	0x45, 0, (totlen) >> 8, (totlen)&0xff, 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2

static const uint8_t udp4[] = {
	IP4(17, 32), 0x12, 0x34, 0x00, 0x35, 0, 12, 0, 0, /* UDP 4660 -> 53 */
	'a',	     'b',  'c',	 'd',
};
static const uint8_t tcp4_syn[] = {
	IP4(6, 40), 0x9c, 0x40, 0,    80,   0,	  0, 0x03, 0xe8, 0, 0,
	0,	    0,	  0x50, 0x02, 0xff, 0xff, 0, 0,	   0,	 0,
};
static const uint8_t tcp4_synack[] = {
	IP4(6, 40), 0,	  80,	0x9c, 0x40, 0,	  0, 0, 1, 0, 0,
	0x03,	    0xe9, 0x50, 0x12, 0xff, 0xff, 0, 0, 0, 0,
};
/* PSH|ACK with 12 bytes of TCP options (doff 8) and 3 bytes of payload */
static const uint8_t tcp4_psh[] = {
	IP4(6, 20 + 32 + 3),
	0x9c,
	0x40,
	0,
	80,
	0,
	0,
	0,
	5,
	0,
	0,
	0,
	0,
	0x80,
	0x18,
	0xff,
	0xff,
	0,
	0,
	0,
	0,
	1,
	1,
	8,
	10,
	0,
	0,
	0,
	1,
	0,
	0,
	0,
	2, /* NOP, NOP, timestamps */
	'x',
	'y',
	'z',
};
/* every flag bit */
static const uint8_t tcp4_all[] = {
	IP4(6, 40), 0, 1, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0, 0x50, 0xff, 0, 0, 0, 0, 0, 0,
};
static const uint8_t icmp_req[] = { IP4(1, 28), 8, 0, 0, 0, 0, 1, 0, 1 };
static const uint8_t icmp_rep[] = { IP4(1, 28), 0, 0, 0, 0, 0, 1, 0, 1 };
static const uint8_t icmp_unr[] = { IP4(1, 56), 3, 3, 0, 0, 0, 0, 0, 0 };
static const uint8_t gre4[] = { IP4(47, 24), 0, 0, 0x08, 0x00 };
/* a later fragment (offset 185 * 8 = 1480) of a UDP datagram */
static const uint8_t frag4[] = {
	0x45, 0, 0,  28, 0, 1, 0x00, 0xb9, 64, 17, 0, 0, 10, 0,
	0,    1, 10, 0,	 0, 2, 1,    2,	   3,  4,  5, 6, 7,  8,
};
/* IPv4 with options (IHL 6) */
static const uint8_t udp4_opt[] = {
	0x46, 0,    0,	  36,	0,  1,	0, 0, 64,  17,	0,   0,
	10,   0,    0,	  1,	10, 0,	0, 2, 1,   1,	1,   0, /* options */
	0x12, 0x34, 0x00, 0x35, 0,  12, 0, 0, 'a', 'b', 'c', 'd',
};
static const uint8_t bad_ihl[] = {
	0x44, 0, 0, 20, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
};
static const uint8_t big_ihl[] = {
	0x4f, 0, 0, 20, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
};

/* IPv6 2001:db8::1 -> 2001:db8::2 */
#define IP6(nh, plen)                                                                              \
	0x60, 0, 0, 0, (plen) >> 8, (plen)&0xff, nh, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, \
		0, 0, 0, 0, 0, 1, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2

static const uint8_t udp6[] = {
	IP6(17, 12), 0x13, 0x88, 0x17, 0x70, 0, 12, 0, 0, /* UDP 5000 -> 6000 */
	'w',	     'x',  'y',	 'z',
};
/* hop-by-hop options, then a first fragment (offset 0, M=1), then UDP */
static const uint8_t udp6_ext[] = {
	IP6(0, 8 + 8 + 12),
	44,
	0,
	1,
	4,
	0,
	0,
	0,
	0, /* hop-by-hop, PadN */
	17,
	0,
	0x00,
	0x01,
	0,
	0,
	0,
	1, /* fragment */
	0x13,
	0x88,
	0x17,
	0x70,
	0,
	12,
	0,
	0,
	'w',
	'x',
	'y',
	'z',
};
/* a later IPv6 fragment: offset 1448 */
static const uint8_t frag6[] = {
	IP6(44, 8 + 8), 17, 0, 0x05, 0xa8, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8,
};
static const uint8_t icmp6[] = { IP6(58, 8), 128, 0, 0, 0, 0, 1, 0, 1 };
/* destination options of 64 bytes, of which 8 were captured */
static const uint8_t ext6_cut[] = { IP6(60, 64), 17, 7, 0, 0, 0, 0, 0, 0 };

/* ARP, Ethernet/IPv4 */
static const uint8_t arp_req[] = {
	0, 1, 8, 0, 6, 4, 0,  1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, /* sender */
	0, 0, 0, 0, 0, 0, 10, 0, 0, 2,				/* target */
};
static const uint8_t arp_rep[] = {
	0,  1, 8, 0, 6, 4, 0, 2, 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30,
	10, 0, 0, 2, 2, 0, 0, 0, 0,    1,    10,   0,	 0,    1,
};
static const uint8_t arp_op9[] = {
	0, 1, 8, 0, 6, 4, 0, 9, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
};
static const uint8_t arp_ib[] = { 0, 32, 8, 0, 20, 4, 0, 1 }; /* not Ethernet/IPv4 */

// clang-format on

struct sample {
	uint16_t type;
	const uint8_t *p;
	size_t len;
	const char *want;
};

#define S(t, a, w)                                                                                 \
	{                                                                                          \
		t, a, sizeof(a), w                                                                 \
	}

static const struct sample samples[] = {
	S(0x0800, udp4, "IP 10.0.0.1.4660 > 10.0.0.2.53: UDP, length 4"),
	S(0x0800, tcp4_syn, "IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, length 0"),
	S(0x0800, tcp4_synack, "IP 10.0.0.1.80 > 10.0.0.2.40000: Flags [S.], seq 1, length 0"),
	S(0x0800, tcp4_psh, "IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], seq 5, length 3"),
	S(0x0800, tcp4_all, "IP 10.0.0.1.1 > 10.0.0.2.2: Flags [FSRP.UEW], seq 9, length 0"),
	S(0x0800, icmp_req, "IP 10.0.0.1 > 10.0.0.2: ICMP echo request, length 8"),
	S(0x0800, icmp_rep, "IP 10.0.0.1 > 10.0.0.2: ICMP echo reply, length 8"),
	S(0x0800, icmp_unr, "IP 10.0.0.1 > 10.0.0.2: ICMP type 3 code 3, length 36"),
	S(0x0800, gre4, "IP 10.0.0.1 > 10.0.0.2: ip-proto-47, length 4"),
	S(0x0800, frag4, "IP 10.0.0.1 > 10.0.0.2: fragment (proto 17), length 8"),
	S(0x0800, udp4_opt, "IP 10.0.0.1.4660 > 10.0.0.2.53: UDP, length 4"),
	S(0x0800, bad_ihl, "IP bad header length 16"),
	S(0x0800, big_ihl, "IP bad header length 60"),
	S(0x86dd, udp6, "IP6 2001:db8::1.5000 > 2001:db8::2.6000: UDP, length 4"),
	S(0x86dd, udp6_ext, "IP6 2001:db8::1.5000 > 2001:db8::2.6000: UDP, length 4"),
	S(0x86dd, frag6, "IP6 2001:db8::1 > 2001:db8::2: fragment (proto 17), length 8"),
	S(0x86dd, icmp6, "IP6 2001:db8::1 > 2001:db8::2: ICMP6 type 128 code 0, length 8"),
	S(0x86dd, ext6_cut, "IP6 2001:db8::1 > 2001:db8::2: truncated extension headers"),
	S(0x0806, arp_req, "ARP, Request who-has 10.0.0.2 tell 10.0.0.1"),
	S(0x0806, arp_rep, "ARP, Reply 10.0.0.2 is-at 02:00:5e:10:20:30"),
	S(0x0806, arp_op9, "ARP, op 9"),
	S(0x0806, arp_ib, "ARP, length 8"),
	S(0x0800, udp6, "ethertype 0x0800, length 52"), /* the bytes are not IPv4 */
	S(0x86dd, udp4, "ethertype 0x86dd, length 32"),
	S(0x88cc, udp4, "ethertype 0x88cc, length 32"),
};

static void test_samples(void)
{
	size_t i;

	TEST_SECTION("summaries of known packets");
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char n[160];

		snprintf(n, sizeof(n), "summary %zu ('%s')", i, samples[i].want);
		ASSERT_STR(l3(samples[i].type, samples[i].p, samples[i].len), samples[i].want, n);
	}
}

static void test_truncated(void)
{
	size_t i, l;
	unsigned bad = 0;

	TEST_SECTION("every prefix of every sample: bounded, NUL-terminated");
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		for (l = 0; l < samples[i].len; l++) {
			const char *s = l3(samples[i].type, samples[i].p, l);

			if (!memchr(s, '\0', sizeof(out)) || !s[0])
				bad++;
		}
	ASSERT_EQ(bad, 0, "every prefix gives a non-empty, terminated summary");
	ASSERT_STR(l3(0x0800, udp4, 19), "IP truncated, length 19", "IPv4 shorter than 20");
	ASSERT_STR(l3(0x0800, udp4, 0), "ethertype 0x0800, length 0", "empty IPv4");
	ASSERT_STR(l3(0x86dd, udp6, 39), "IP6 truncated, length 39", "IPv6 shorter than 40");
	ASSERT_STR(l3(0x0800, tcp4_syn, 30), "IP 10.0.0.1 > 10.0.0.2: ip-proto-6, length 20",
		   "TCP header cut");
	ASSERT_STR(l3(0x0800, udp4, 25), "IP 10.0.0.1 > 10.0.0.2: ip-proto-17, length 12",
		   "UDP header cut");
	ASSERT_STR(l3(0x0806, arp_req, 27), "ARP, length 27", "ARP cut");
	/* lengths from the headers, not from what was captured */
	ASSERT_STR(l3(0x0800, udp4, 30), "IP 10.0.0.1.4660 > 10.0.0.2.53: UDP, length 4",
		   "UDP length from the IP header when the payload is cut");
}

static void test_small_out(void)
{
	char tiny[8];

	TEST_SECTION("small output buffers");
	memset(tiny, 'X', sizeof(tiny));
	pktsum_l3(0x0800, udp4, sizeof(udp4), tiny, 5);
	ASSERT_EQ(tiny[4], '\0', "cut to 4 characters");
	ASSERT_EQ(tiny[5], 'X', "nothing written past cap");
	memset(tiny, 'X', sizeof(tiny));
	pktsum_l3(0x0800, udp4, sizeof(udp4), tiny, 0);
	ASSERT_EQ(tiny[0], 'X', "cap 0 writes nothing");
	memset(tiny, 'X', sizeof(tiny));
	pktsum_l3(0x0806, arp_req, sizeof(arp_req), tiny, 1);
	ASSERT_EQ(tiny[0], '\0', "cap 1: empty string");
}

static void test_eth(void)
{
	uint8_t f[14 + 8 + sizeof(udp4)];
	static const uint8_t hdr[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	size_t l;
	unsigned bad = 0;

	TEST_SECTION("Ethernet frames and VLAN tags");
	memcpy(f, hdr, 12);
	f[12] = 0x08;
	f[13] = 0x00;
	memcpy(f + 14, udp4, sizeof(udp4));
	ASSERT_STR(eth(f, 14 + sizeof(udp4)), "IP 10.0.0.1.4660 > 10.0.0.2.53: UDP, length 4",
		   "plain Ethernet");
	/* QinQ: 0x88a8 then 0x8100 */
	f[12] = 0x88;
	f[13] = 0xa8;
	f[14] = 0;
	f[15] = 10;
	f[16] = 0x81;
	f[17] = 0x00;
	f[18] = 0;
	f[19] = 20;
	f[20] = 0x08;
	f[21] = 0x00;
	memcpy(f + 22, udp4, sizeof(udp4));
	ASSERT_STR(eth(f, sizeof(f)), "IP 10.0.0.1.4660 > 10.0.0.2.53: UDP, length 4",
		   "two VLAN tags skipped");
	for (l = 0; l <= sizeof(f); l++)
		if (!eth(f, l)[0])
			bad++;
	ASSERT_EQ(bad, 0, "every prefix of a tagged frame is summarised");
	ASSERT_STR(eth(f, 13), "truncated frame, length 13", "frame shorter than 14");
	ASSERT_STR(eth(f, 16), "ethertype 0x88a8, length 2", "tag cut: stays at the outer type");
	f[12] = 0x08;
	f[13] = 0x06;
	memcpy(f + 14, arp_req, sizeof(arp_req));
	ASSERT_STR(eth(f, 14 + sizeof(arp_req)), "ARP, Request who-has 10.0.0.2 tell 10.0.0.1",
		   "ARP over Ethernet");
}

static void test_ip_ethertype(void)
{
	TEST_SECTION("pktsum_ip_ethertype");
	ASSERT_EQ(pktsum_ip_ethertype(udp4, sizeof(udp4)), 0x0800, "IPv4 nibble");
	ASSERT_EQ(pktsum_ip_ethertype(udp6, sizeof(udp6)), 0x86dd, "IPv6 nibble");
	ASSERT_EQ(pktsum_ip_ethertype(arp_req, sizeof(arp_req)), 0, "ARP is neither");
	ASSERT_EQ(pktsum_ip_ethertype(udp4, 0), 0, "empty is neither");
	ASSERT_EQ(pktsum_ip_ethertype(NULL, 0), 0, "NULL, 0 is neither");
}

/* deterministic garbage after valid-looking headers: no crash, no overread (ASan) */
static void test_garbage(void)
{
	uint64_t x = 0x123456789abcdefull;
	uint8_t p[96];
	int i, k;
	unsigned bad = 0;

	TEST_SECTION("garbage");
	for (i = 0; i < 20000; i++) {
		size_t len;

		for (k = 0; k < (int)sizeof(p); k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			p[k] = (uint8_t)x;
		}
		len = (size_t)(x >> 20) % sizeof(p);
		switch (i % 4) {
		case 0: p[0] = 0x40 | (p[0] & 0x0f); break;
		case 1:
			p[0] = 0x60;
			p[6] = (uint8_t[]){ 0, 43, 44, 60, 6, 17, 58 }[(x >> 40) % 7];
			break;
		case 2: p[12] = 0x81, p[13] = 0; break;
		default: break;
		}
		if (i % 4 == 2)
			eth(p, len);
		else
			l3((uint16_t[]){ 0x0800, 0x86dd, 0x0806 }[i % 3], p, len);
		if (!out[0] || !memchr(out, '\0', sizeof(out)))
			bad++;
	}
	ASSERT_EQ(bad, 0, "garbage gives terminated summaries");
}

int main(void)
{
	test_samples();
	test_truncated();
	test_small_out();
	test_eth();
	test_ip_ethertype();
	test_garbage();
	TEST_EXIT();
}
