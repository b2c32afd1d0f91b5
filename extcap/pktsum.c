// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pktsum.h"

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

uint16_t pktsum_ip_ethertype(const uint8_t *p, size_t len)
{
	if (len < 1)
		return 0;
	if ((p[0] >> 4) == 4)
		return 0x0800;
	if ((p[0] >> 4) == 6)
		return 0x86dd;
	return 0;
}

static void l4(int proto, const uint8_t *p, size_t len, size_t l4len, const char *src,
	       const char *dst, int frag, char *out, size_t cap)
{
	static const char flagc[] = "FSRPAUEW";
	char flags[16];
	size_t i, k = 0;

	if (frag) {
		snprintf(out, cap, "%s > %s: fragment (proto %d), length %zu", src, dst, proto,
			 l4len);
		return;
	}
	switch (proto) {
	case 6:
		if (len < 20)
			break;
		for (i = 0; i < 8; i++)
			if (p[13] & (1u << i))
				flags[k++] = flagc[i] == 'A' ? '.' : flagc[i];
		flags[k] = '\0';
		snprintf(out, cap, "%s.%u > %s.%u: Flags [%s], seq %u, length %zu", src, be16(p),
			 dst, be16(p + 2), flags, be32(p + 4),
			 l4len > (size_t)(p[12] >> 4) * 4 ? l4len - (size_t)(p[12] >> 4) * 4 : 0);
		return;
	case 17:
		if (len < 8)
			break;
		snprintf(out, cap, "%s.%u > %s.%u: UDP, length %zu", src, be16(p), dst, be16(p + 2),
			 l4len >= 8 ? l4len - 8 : 0);
		return;
	case 1:
		if (len < 2)
			break;
		if (p[0] == 8 || p[0] == 0)
			snprintf(out, cap, "%s > %s: ICMP echo %s, length %zu", src, dst,
				 p[0] == 8 ? "request" : "reply", l4len);
		else
			snprintf(out, cap, "%s > %s: ICMP type %u code %u, length %zu", src, dst,
				 p[0], p[1], l4len);
		return;
	case 58:
		if (len < 2)
			break;
		snprintf(out, cap, "%s > %s: ICMP6 type %u code %u, length %zu", src, dst, p[0],
			 p[1], l4len);
		return;
	default: break;
	}
	snprintf(out, cap, "%s > %s: ip-proto-%d, length %zu", src, dst, proto, l4len);
}

static char *ipv4(const uint8_t *p, size_t len, char *out, size_t cap)
{
	char src[INET_ADDRSTRLEN + 4] = "IP ", dst[INET_ADDRSTRLEN];
	size_t ihl, tot;
	int frag;

	if (len < 20) {
		snprintf(out, cap, "IP truncated, length %zu", len);
		return out;
	}
	ihl = (size_t)(p[0] & 0xf) * 4;
	tot = be16(p + 2);
	if (ihl < 20 || ihl > len) {
		snprintf(out, cap, "IP bad header length %zu", ihl);
		return out;
	}
	inet_ntop(AF_INET, p + 12, src + 3, INET_ADDRSTRLEN);
	inet_ntop(AF_INET, p + 16, dst, sizeof(dst));
	frag = (be16(p + 6) & 0x1fff) != 0;
	l4(p[9], p + ihl, len - ihl, tot > ihl ? tot - ihl : 0, src, dst, frag, out, cap);
	return out;
}

static char *ipv6(const uint8_t *p, size_t len, char *out, size_t cap)
{
	char src[INET6_ADDRSTRLEN + 4] = "IP6 ", dst[INET6_ADDRSTRLEN];
	size_t off = 40, plen;
	int nh, frag = 0, hops = 0;

	if (len < 40) {
		snprintf(out, cap, "IP6 truncated, length %zu", len);
		return out;
	}
	inet_ntop(AF_INET6, p + 8, src + 4, INET6_ADDRSTRLEN);
	inet_ntop(AF_INET6, p + 24, dst, sizeof(dst));
	plen = be16(p + 4);
	nh = p[6];
	/* walk extension headers: hop-by-hop, routing, fragment, destination options */
	while ((nh == 0 || nh == 43 || nh == 44 || nh == 60) && off + 8 <= len && hops++ < 8) {
		size_t hl = nh == 44 ? 8 : ((size_t)p[off + 1] + 1) * 8;

		if (nh == 44 && (be16(p + off + 2) & 0xfff8))
			frag = 1;
		nh = p[off];
		off += hl;
		plen = plen > hl ? plen - hl : 0;
	}
	if (off > len) {
		snprintf(out, cap, "%s > %s: truncated extension headers", src, dst);
		return out;
	}
	l4(nh, p + off, len - off, plen, src, dst, frag, out, cap);
	return out;
}

static char *arp(const uint8_t *p, size_t len, char *out, size_t cap)
{
	char spa[INET_ADDRSTRLEN], tpa[INET_ADDRSTRLEN];

	if (len < 28 || be16(p) != 1 || be16(p + 2) != 0x0800 || p[4] != 6 || p[5] != 4) {
		snprintf(out, cap, "ARP, length %zu", len);
		return out;
	}
	inet_ntop(AF_INET, p + 14, spa, sizeof(spa));
	inet_ntop(AF_INET, p + 24, tpa, sizeof(tpa));
	if (be16(p + 6) == 1)
		snprintf(out, cap, "ARP, Request who-has %s tell %s", tpa, spa);
	else if (be16(p + 6) == 2)
		snprintf(out, cap, "ARP, Reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x", spa, p[8],
			 p[9], p[10], p[11], p[12], p[13]);
	else
		snprintf(out, cap, "ARP, op %u", be16(p + 6));
	return out;
}

char *pktsum_l3(uint16_t ethertype, const uint8_t *p, size_t len, char *out, size_t cap)
{
	if (!cap)
		return out;
	out[0] = '\0';
	if (ethertype == 0x0800 && pktsum_ip_ethertype(p, len) == 0x0800)
		return ipv4(p, len, out, cap);
	if (ethertype == 0x86dd && pktsum_ip_ethertype(p, len) == 0x86dd)
		return ipv6(p, len, out, cap);
	if (ethertype == 0x0806)
		return arp(p, len, out, cap);
	snprintf(out, cap, "ethertype 0x%04x, length %zu", ethertype, len);
	return out;
}

char *pktsum_eth(const uint8_t *p, size_t len, char *out, size_t cap)
{
	size_t off = 12;
	uint16_t type;

	if (len < 14) {
		snprintf(out, cap, "truncated frame, length %zu", len);
		return out;
	}
	type = be16(p + off);
	off += 2;
	while ((type == 0x8100 || type == 0x88a8) && off + 4 <= len) {
		type = be16(p + off + 2);
		off += 4;
	}
	return pktsum_l3(type, p + off, len - off, out, cap);
}
