// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Encoder and pure-C decoder of the bpfcap metadata option (see <bpfcap/meta.h>).
 * No allocation, no global state: the dissector and the fuzzer use it as is. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfcap/meta.h"

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | ((uint64_t)get_le32(p + 4) << 32);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

static const struct {
	const char *name;
	int len; /* > 0 fixed, 0 string */
} types[BPFCAP_META_TYPE_MAX + 1] = {
	[BPFCAP_META_PROBE_ID] = { "probe_id", 4 },
	[BPFCAP_META_PROBE] = { "probe", 0 },
	[BPFCAP_META_PROBE_TYPE] = { "probe_type", 1 },
	[BPFCAP_META_CPU] = { "cpu", 4 },
	[BPFCAP_META_IFINDEX] = { "ifindex", 4 },
	[BPFCAP_META_IFNAME] = { "ifname", 0 },
	[BPFCAP_META_NETNS] = { "netns", 4 },
	[BPFCAP_META_SKB_LEN] = { "len", 4 },
	[BPFCAP_META_DATA_LEN] = { "data_len", 4 },
	[BPFCAP_META_TRUNC] = { "truncated", 4 },
	[BPFCAP_META_REASON] = { "reason", 4 },
	[BPFCAP_META_REASON_NAME] = { "reason_name", 0 },
	[BPFCAP_META_REASON_SUBSYS] = { "reason_subsys", 0 },
	[BPFCAP_META_MARK] = { "mark", 4 },
	[BPFCAP_META_PROTOCOL] = { "protocol", 2 },
	[BPFCAP_META_PKT_TYPE] = { "pkt_type", 1 },
	[BPFCAP_META_QUEUE] = { "queue", 2 },
	[BPFCAP_META_PID] = { "pid", 4 },
	[BPFCAP_META_TID] = { "tid", 4 },
	[BPFCAP_META_COMM] = { "comm", 0 },
	[BPFCAP_META_SKB_ID] = { "skb_id", 8 },
	[BPFCAP_META_VERDICT] = { "verdict", 8 },
	[BPFCAP_META_STACK] = { "stack", 0 },
	[BPFCAP_META_LOCATION] = { "location_addr", 8 },
	[BPFCAP_META_LOCATION_SYM] = { "location", 0 },
	[BPFCAP_META_DIRECTION] = { "direction", 1 },
	[BPFCAP_META_SKB_IIF] = { "skb_iif", 4 },
	[BPFCAP_META_DEV_TYPE] = { "dev_type", 2 },
	[BPFCAP_META_SYNTH] = { "synthesized", 1 },
	[BPFCAP_META_TAG] = { "tag", 4 },
	[BPFCAP_META_VLAN] = { "vlan", 8 },
};

int bpfcap_meta_type_len(uint16_t type)
{
	if (type > BPFCAP_META_TYPE_MAX || !types[type].name)
		return -1;
	return types[type].len;
}

const char *bpfcap_meta_type_name(uint16_t type)
{
	if (type > BPFCAP_META_TYPE_MAX)
		return NULL;
	return types[type].name;
}

int bpfcap_meta_iter_init(struct bpfcap_meta_iter *it, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	it->buf = p;
	it->len = len;
	it->off = len; /* an iterator over a bad header yields nothing */
	if (!p || len < BPFCAP_META_HDR_LEN)
		return BPFCAP_META_ESHORT;
	if (memcmp(p, BPFCAP_META_MAGIC, 4) != 0)
		return BPFCAP_META_EMAGIC;
	if (p[4] != BPFCAP_META_VERSION)
		return BPFCAP_META_EVERSION;
	it->off = BPFCAP_META_HDR_LEN;
	return BPFCAP_META_OK;
}

int bpfcap_meta_iter_next(struct bpfcap_meta_iter *it, struct bpfcap_meta_tlv *tlv)
{
	size_t room, padded;
	int want;

	if (it->off >= it->len)
		return 0;
	room = it->len - it->off;
	if (room < 4) {
		it->off = it->len;
		return BPFCAP_META_ETRUNC;
	}
	tlv->type = get_le16(it->buf + it->off);
	tlv->len = get_le16(it->buf + it->off + 2);
	tlv->offset = it->off;
	tlv->value = it->buf + it->off + 4;
	if ((size_t)tlv->len > room - 4) {
		it->off = it->len;
		return BPFCAP_META_ETRUNC;
	}
	want = bpfcap_meta_type_len(tlv->type);
	if (want > 0 && tlv->len != want) {
		it->off = it->len;
		return BPFCAP_META_ELEN;
	}
	padded = 4 + (((size_t)tlv->len + 3) & ~(size_t)3);
	/* Padding may be missing after the last TLV; never step past the end. */
	it->off = padded > room ? it->len : it->off + padded;
	return 1;
}

static void copy_str(char *dst, size_t cap, const uint8_t *src, size_t len)
{
	size_t n = len < cap - 1 ? len : cap - 1;
	size_t i;

	for (i = 0; i < n; i++) /* NULs inside would cut strings short later: replace them */
		dst[i] = src[i] ? (char)src[i] : '?';
	dst[n] = '\0';
}

static int decode1(const void *buf, size_t len, struct bpfcap_meta *m)
{
	struct bpfcap_meta_iter it;
	struct bpfcap_meta_tlv t;
	int err;

	memset(m, 0, sizeof(*m));
	err = bpfcap_meta_iter_init(&it, buf, len);
	if (err)
		return err;
	m->version = it.buf[4];
	m->flags = it.buf[5];
	while ((err = bpfcap_meta_iter_next(&it, &t)) > 0) {
		const uint8_t *v = t.value;

		switch (t.type) {
		case BPFCAP_META_PROBE_ID: m->probe_id = get_le32(v); break;
		case BPFCAP_META_PROBE: copy_str(m->probe, sizeof(m->probe), v, t.len); break;
		case BPFCAP_META_PROBE_TYPE: m->probe_type = v[0]; break;
		case BPFCAP_META_CPU: m->cpu = get_le32(v); break;
		case BPFCAP_META_IFINDEX: m->ifindex = get_le32(v); break;
		case BPFCAP_META_IFNAME: copy_str(m->ifname, sizeof(m->ifname), v, t.len); break;
		case BPFCAP_META_NETNS: m->netns = get_le32(v); break;
		case BPFCAP_META_SKB_LEN: m->skb_len = get_le32(v); break;
		case BPFCAP_META_DATA_LEN: m->data_len = get_le32(v); break;
		case BPFCAP_META_TRUNC: m->trunc = get_le32(v); break;
		case BPFCAP_META_REASON: m->reason = get_le32(v); break;
		case BPFCAP_META_REASON_NAME:
			copy_str(m->reason_name, sizeof(m->reason_name), v, t.len);
			break;
		case BPFCAP_META_REASON_SUBSYS:
			copy_str(m->reason_subsys, sizeof(m->reason_subsys), v, t.len);
			break;
		case BPFCAP_META_MARK: m->mark = get_le32(v); break;
		case BPFCAP_META_PROTOCOL: m->protocol = get_le16(v); break;
		case BPFCAP_META_PKT_TYPE: m->pkt_type = v[0]; break;
		case BPFCAP_META_QUEUE: m->queue = get_le16(v); break;
		case BPFCAP_META_PID: m->pid = get_le32(v); break;
		case BPFCAP_META_TID: m->tid = get_le32(v); break;
		case BPFCAP_META_COMM: copy_str(m->comm, sizeof(m->comm), v, t.len); break;
		case BPFCAP_META_SKB_ID: m->skb_id = get_le64(v); break;
		case BPFCAP_META_VERDICT:
			m->verdict_kind = v[0];
			m->verdict = (int32_t)get_le32(v + 4);
			break;
		case BPFCAP_META_STACK: copy_str(m->stack, sizeof(m->stack), v, t.len); break;
		case BPFCAP_META_LOCATION: m->location = get_le64(v); break;
		case BPFCAP_META_LOCATION_SYM:
			copy_str(m->location_sym, sizeof(m->location_sym), v, t.len);
			break;
		case BPFCAP_META_DIRECTION: m->direction = v[0]; break;
		case BPFCAP_META_SKB_IIF: m->skb_iif = get_le32(v); break;
		case BPFCAP_META_DEV_TYPE: m->dev_type = get_le16(v); break;
		case BPFCAP_META_SYNTH: m->synth = v[0]; break;
		case BPFCAP_META_TAG: m->tag = get_le32(v); break;
		case BPFCAP_META_VLAN:
			m->vlan_tpid = get_le16(v);
			m->vlan_tci = get_le16(v + 2);
			m->vlan_flags = v[4];
			break;
		default: m->unknown_tlvs++; continue;
		}
		BPFCAP_META_SET(m, t.type);
	}
	return err;
}

struct enc {
	uint8_t *p;
	size_t cap, off;
	int err;
};

/* Inlined: called per field per packet, mostly with a constant length (memcpy/memset fold). */
static inline __attribute__((always_inline)) void put_tlv(struct enc *e, uint16_t type,
							  const void *val, size_t len)
{
	size_t padded = (len + 3) & ~(size_t)3;

	if (e->err)
		return;
	if (len > UINT16_MAX || e->cap - e->off < 4 + padded) {
		e->err = BPFCAP_META_ENOSPC;
		return;
	}
	put_le16(e->p + e->off, type);
	put_le16(e->p + e->off + 2, (uint16_t)len);
	if (len)
		memcpy(e->p + e->off + 4, val, len);
	memset(e->p + e->off + 4 + len, 0, padded - len);
	e->off += 4 + padded;
}

static inline __attribute__((always_inline)) void put_u8(struct enc *e, uint16_t type, uint8_t v)
{
	put_tlv(e, type, &v, 1);
}

static inline __attribute__((always_inline)) void put_u16(struct enc *e, uint16_t type, uint16_t v)
{
	uint8_t b[2];

	put_le16(b, v);
	put_tlv(e, type, b, 2);
}

static inline __attribute__((always_inline)) void put_u32(struct enc *e, uint16_t type, uint32_t v)
{
	uint8_t b[4];

	put_le32(b, v);
	put_tlv(e, type, b, 4);
}

static inline __attribute__((always_inline)) void put_u64(struct enc *e, uint16_t type, uint64_t v)
{
	uint8_t b[8];

	put_le64(b, v);
	put_tlv(e, type, b, 8);
}

static inline __attribute__((always_inline)) void put_str_n(struct enc *e, uint16_t type,
							    const char *s, size_t cap)
{
	put_tlv(e, type, s, strnlen(s, cap));
}

#define put_str(e, type, field) put_str_n(e, type, field, sizeof(field))

int bpfcap_meta_encode(const struct bpfcap_meta *m, void *buf, size_t cap)
{
	struct enc e = { .p = buf, .cap = cap };
	uint8_t verdict[8] = { 0 };

	if (cap < BPFCAP_META_HDR_LEN)
		return BPFCAP_META_ENOSPC;
	memcpy(e.p, BPFCAP_META_MAGIC, 4);
	e.p[4] = BPFCAP_META_VERSION;
	e.p[5] = m->flags;
	put_le16(e.p + 6, 0);
	e.off = BPFCAP_META_HDR_LEN;

#define HAS(t) BPFCAP_META_HAS(m, t)
	if (HAS(BPFCAP_META_PROBE_ID))
		put_u32(&e, BPFCAP_META_PROBE_ID, m->probe_id);
	if (HAS(BPFCAP_META_PROBE))
		put_str(&e, BPFCAP_META_PROBE, m->probe);
	if (HAS(BPFCAP_META_PROBE_TYPE))
		put_u8(&e, BPFCAP_META_PROBE_TYPE, m->probe_type);
	if (HAS(BPFCAP_META_CPU))
		put_u32(&e, BPFCAP_META_CPU, m->cpu);
	if (HAS(BPFCAP_META_IFINDEX))
		put_u32(&e, BPFCAP_META_IFINDEX, m->ifindex);
	if (HAS(BPFCAP_META_IFNAME))
		put_str(&e, BPFCAP_META_IFNAME, m->ifname);
	if (HAS(BPFCAP_META_NETNS))
		put_u32(&e, BPFCAP_META_NETNS, m->netns);
	if (HAS(BPFCAP_META_SKB_LEN))
		put_u32(&e, BPFCAP_META_SKB_LEN, m->skb_len);
	if (HAS(BPFCAP_META_DATA_LEN))
		put_u32(&e, BPFCAP_META_DATA_LEN, m->data_len);
	if (HAS(BPFCAP_META_TRUNC))
		put_u32(&e, BPFCAP_META_TRUNC, m->trunc);
	if (HAS(BPFCAP_META_REASON))
		put_u32(&e, BPFCAP_META_REASON, m->reason);
	if (HAS(BPFCAP_META_REASON_NAME))
		put_str(&e, BPFCAP_META_REASON_NAME, m->reason_name);
	if (HAS(BPFCAP_META_REASON_SUBSYS))
		put_str(&e, BPFCAP_META_REASON_SUBSYS, m->reason_subsys);
	if (HAS(BPFCAP_META_MARK))
		put_u32(&e, BPFCAP_META_MARK, m->mark);
	if (HAS(BPFCAP_META_PROTOCOL))
		put_u16(&e, BPFCAP_META_PROTOCOL, m->protocol);
	if (HAS(BPFCAP_META_PKT_TYPE))
		put_u8(&e, BPFCAP_META_PKT_TYPE, m->pkt_type);
	if (HAS(BPFCAP_META_QUEUE))
		put_u16(&e, BPFCAP_META_QUEUE, m->queue);
	if (HAS(BPFCAP_META_PID))
		put_u32(&e, BPFCAP_META_PID, m->pid);
	if (HAS(BPFCAP_META_TID))
		put_u32(&e, BPFCAP_META_TID, m->tid);
	if (HAS(BPFCAP_META_COMM))
		put_str(&e, BPFCAP_META_COMM, m->comm);
	if (HAS(BPFCAP_META_SKB_ID))
		put_u64(&e, BPFCAP_META_SKB_ID, m->skb_id);
	if (HAS(BPFCAP_META_VERDICT)) {
		verdict[0] = m->verdict_kind;
		put_le32(verdict + 4, (uint32_t)m->verdict);
		put_tlv(&e, BPFCAP_META_VERDICT, verdict, sizeof(verdict));
	}
	if (HAS(BPFCAP_META_STACK))
		put_str(&e, BPFCAP_META_STACK, m->stack);
	if (HAS(BPFCAP_META_LOCATION))
		put_u64(&e, BPFCAP_META_LOCATION, m->location);
	if (HAS(BPFCAP_META_LOCATION_SYM))
		put_str(&e, BPFCAP_META_LOCATION_SYM, m->location_sym);
	if (HAS(BPFCAP_META_DIRECTION))
		put_u8(&e, BPFCAP_META_DIRECTION, m->direction);
	if (HAS(BPFCAP_META_SKB_IIF))
		put_u32(&e, BPFCAP_META_SKB_IIF, m->skb_iif);
	if (HAS(BPFCAP_META_DEV_TYPE))
		put_u16(&e, BPFCAP_META_DEV_TYPE, m->dev_type);
	if (HAS(BPFCAP_META_SYNTH))
		put_u8(&e, BPFCAP_META_SYNTH, m->synth);
	if (HAS(BPFCAP_META_TAG))
		put_u32(&e, BPFCAP_META_TAG, m->tag);
	if (HAS(BPFCAP_META_VLAN)) {
		uint8_t vlan[8] = { 0 };

		put_le16(vlan, m->vlan_tpid);
		put_le16(vlan + 2, m->vlan_tci);
		vlan[4] = m->vlan_flags;
		put_tlv(&e, BPFCAP_META_VLAN, vlan, sizeof(vlan));
	}
#undef HAS
	return e.err ? e.err : (int)e.off;
}

const char *bpfcap_meta_probe_short(const char *probe)
{
	const char *colon = strrchr(probe, ':');
	const char *name;

	if (!colon)
		return probe;
	/* "tp:net:net_dev_xmit:arg1" -> "net_dev_xmit" is handled by the caller's spec parser;
	 * here the last component that is not argN wins. */
	if (strncmp(colon + 1, "arg", 3) == 0 && colon > probe) {
		const char *p = colon - 1;

		while (p > probe && *p != ':')
			p--;
		name = *p == ':' ? p + 1 : p;
		return name;
	}
	return colon + 1;
}

const char *bpfcap_probe_type_name(unsigned type)
{
	switch (type) {
	case BPFCAP_PROBE_TRACEPOINT: return "tracepoint";
	case BPFCAP_PROBE_RAW_TRACEPOINT: return "raw_tracepoint";
	case BPFCAP_PROBE_KPROBE: return "kprobe";
	case BPFCAP_PROBE_FENTRY: return "fentry";
	case BPFCAP_PROBE_FEXIT: return "fexit";
	case BPFCAP_PROBE_XDP: return "xdp";
	case BPFCAP_PROBE_TC: return "tc";
	case BPFCAP_PROBE_PROG: return "prog";
	default: return "unknown";
	}
}

struct sbuf {
	char *p;
	size_t cap, len;
};

static void sb_printf(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s->len < s->cap ? s->p + s->len : NULL, s->len < s->cap ? s->cap - s->len : 0,
		      fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += (size_t)n;
}

/* Inlined: the strlen of a literal folds to a constant. */
static inline __attribute__((always_inline)) void sb_str(struct sbuf *s, const char *str)
{
	size_t n = strlen(str);

	if (s->len < s->cap) {
		size_t room = s->cap - s->len - 1, k = n < room ? n : room;

		memcpy(s->p + s->len, str, k);
		s->p[s->len + k] = '\0';
	}
	s->len += n;
}

static void sb_u32(struct sbuf *s, uint32_t v, int hex)
{
	char tmp[12];
	int i = (int)sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = "0123456789abcdef"[hex ? v % 16 : v % 10];
		v = hex ? v / 16 : v / 10;
	} while (v);
	sb_str(s, tmp + i);
}

/* The first word of a comment: what a user calls the probe ("kfree_skb", "xdp", "tc_egress",
 * "prog42", "prog42_exit"). */
void bpfcap_meta_probe_label(const char *probe, char *name, size_t cap)
{
	const char *p;
	size_t n;

	if (!strncmp(probe, "xdp:", 4)) {
		snprintf(name, cap, "xdp");
		return;
	}
	if (!strncmp(probe, "tc:", 3)) {
		p = strrchr(probe, ':');
		snprintf(name, cap, "tc_%s", p && !strcmp(p, ":egress") ? "egress" : "ingress");
		return;
	}
	if (!strncmp(probe, "fentry:prog:", 12) || !strncmp(probe, "fexit:prog:", 11)) {
		snprintf(name, cap, "prog%.20s_%s", strrchr(probe, ':') + 1,
			 !strncmp(probe, "fentry", 6) ? "entry" : "exit");
		return;
	}
	if (!strncmp(probe, "prog:", 5)) {
		snprintf(name, cap, "prog%.20s", probe + 5);
		return;
	}
	if (!strncmp(probe, "map:", 4)) {
		snprintf(name, cap, "map");
		return;
	}
	p = bpfcap_meta_probe_short(probe);
	n = strcspn(p, ":");
	if (!cap)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(name, p, n);
	name[n] = '\0';
}

int bpfcap_meta_format_comment(const struct bpfcap_meta *m, char *buf, size_t cap)
{
	char name[BPFCAP_META_STR_MAX];

	bpfcap_meta_probe_label(m->probe, name, sizeof(name));
	return bpfcap_meta_format_comment_label(m, name, buf, cap);
}

/* Hot path (one comment per packet): no printf. */
int bpfcap_meta_format_comment_label(const struct bpfcap_meta *m, const char *label, char *buf,
				     size_t cap)
{
	struct sbuf s = { .p = buf, .cap = cap };

	if (cap)
		buf[0] = '\0';
	sb_str(&s, label && label[0] ? label : "bpfcap");
	if (BPFCAP_META_HAS(m, BPFCAP_META_CPU)) {
		sb_str(&s, " cpu=");
		sb_u32(&s, m->cpu, 0);
	}
	if (BPFCAP_META_HAS(m, BPFCAP_META_IFINDEX)) {
		sb_str(&s, " dev=");
		sb_str(&s, m->ifname);
		sb_str(&s, "(");
		sb_u32(&s, m->ifindex, 0);
		sb_str(&s, ")");
	}
	/* the network namespace is the interface's (its description): not repeated per packet */
	if (BPFCAP_META_HAS(m, BPFCAP_META_REASON) || BPFCAP_META_HAS(m, BPFCAP_META_REASON_NAME)) {
		sb_str(&s, " reason=");
		if (m->reason_name[0])
			sb_str(&s, m->reason_name);
		else
			sb_u32(&s, m->reason, 0);
		if (m->reason_subsys[0] && strcmp(m->reason_subsys, "CORE") != 0) {
			sb_str(&s, " subsys=");
			sb_str(&s, m->reason_subsys);
		}
	}
	if (BPFCAP_META_HAS(m, BPFCAP_META_VLAN)) {
		sb_str(&s, " vlan=");
		sb_u32(&s, m->vlan_tci & 0xfffu, 0);
	}
	if (BPFCAP_META_HAS(m, BPFCAP_META_VERDICT))
		sb_printf(&s, " verdict=%" PRId32, m->verdict);
	if (BPFCAP_META_HAS(m, BPFCAP_META_MARK) && m->mark) {
		sb_str(&s, " mark=0x");
		sb_u32(&s, m->mark, 1);
	}
	if (BPFCAP_META_HAS(m, BPFCAP_META_SYNTH) && m->synth)
		sb_str(&s, " headers=synthesized");
	if (BPFCAP_META_HAS(m, BPFCAP_META_TRUNC) && m->trunc) {
		const char *sep = "";

		sb_str(&s, " truncated=");
		if (m->trunc & BPFCAP_TRUNC_SNAPLEN) {
			sb_str(&s, "snaplen");
			sep = ",";
		}
		if (m->trunc & BPFCAP_TRUNC_PAGED) {
			sb_str(&s, sep);
			sb_str(&s, "paged");
			sep = ",";
		}
		if (m->trunc & BPFCAP_TRUNC_LIMIT) {
			sb_str(&s, sep);
			sb_str(&s, "limit");
		}
	}
	return (int)s.len;
}

static int parse_u32(const char *s, size_t len, int base, uint32_t *out)
{
	char tmp[24];
	char *end;
	unsigned long long v;

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (tmp[0] == '-' || tmp[0] == '+' || tmp[0] == ' ')
		return -1;
	errno = 0;
	v = strtoull(tmp, &end, base);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* "NAME(IDX)" of a dev= key, into ifindex and ifname (a later dev= replaces both). */
static int parse_dev(const char *val, size_t vlen, struct bpfcap_meta *m)
{
	const char *open = NULL;
	size_t k;
	uint32_t u;

	for (k = vlen; k > 0; k--)
		if (val[k - 1] == '(') {
			open = val + k - 1;
			break;
		}
	if (!open || val[vlen - 1] != ')' ||
	    parse_u32(open + 1, (size_t)(val + vlen - 1 - open - 1), 10, &u))
		return -1;
	m->ifindex = u;
	BPFCAP_META_SET(m, BPFCAP_META_IFINDEX);
	copy_str(m->ifname, sizeof(m->ifname), (const uint8_t *)val, (size_t)(open - val));
	m->present &= ~((uint64_t)1 << BPFCAP_META_IFNAME);
	if (m->ifname[0])
		BPFCAP_META_SET(m, BPFCAP_META_IFNAME);
	return 0;
}

/* w is one of the comma-separated words of v[0..n) */
static int has_word(const char *v, size_t n, const char *w)
{
	size_t wl = strlen(w), i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && v[j] != ',')
			j++;
		if (j - i == wl && memcmp(v + i, w, wl) == 0)
			return 1;
		i = j + 1;
	}
	return 0;
}

int bpfcap_meta_parse_comment(const char *c, size_t len, struct bpfcap_meta *m)
{
	size_t i = 0, tok, n;
	int fields = 0;

	memset(m, 0, sizeof(*m));
	m->version = BPFCAP_META_VERSION;
	m->flags = BPFCAP_META_F_DERIVED;
	/* first token: the probe's short name */
	while (i < len && c[i] != ' ' && c[i] != '=' && c[i] != '\0')
		i++;
	if (i == 0 || i >= len || c[i] != ' ')
		return -1;
	copy_str(m->probe, sizeof(m->probe), (const uint8_t *)c, i);
	BPFCAP_META_SET(m, BPFCAP_META_PROBE);

	while (i < len && c[i] == ' ') {
		const char *key, *val;
		size_t klen, vlen;
		uint32_t u;

		i++;
		tok = i;
		while (i < len && c[i] != ' ' && c[i] != '\0')
			i++;
		n = i - tok;
		key = c + tok;
		val = memchr(key, '=', n);
		if (!val)
			return -1;
		klen = (size_t)(val - key);
		val++;
		vlen = n - klen - 1;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)
		if (KEY("cpu")) {
			if (parse_u32(val, vlen, 10, &m->cpu))
				return -1;
			BPFCAP_META_SET(m, BPFCAP_META_CPU);
		} else if (KEY("dev")) {
			if (parse_dev(val, vlen, m))
				return -1;
		} else if (KEY("netns")) {
			if (parse_u32(val, vlen, 10, &m->netns))
				return -1;
			BPFCAP_META_SET(m, BPFCAP_META_NETNS);
		} else if (KEY("reason")) {
			if (parse_u32(val, vlen, 10, &u) == 0) {
				m->reason = u;
				BPFCAP_META_SET(m, BPFCAP_META_REASON);
			} else {
				copy_str(m->reason_name, sizeof(m->reason_name),
					 (const uint8_t *)val, vlen);
				BPFCAP_META_SET(m, BPFCAP_META_REASON_NAME);
			}
		} else if (KEY("subsys")) {
			copy_str(m->reason_subsys, sizeof(m->reason_subsys), (const uint8_t *)val,
				 vlen);
			BPFCAP_META_SET(m, BPFCAP_META_REASON_SUBSYS);
		} else if (KEY("mark")) {
			if (parse_u32(val, vlen, 0, &m->mark))
				return -1;
			BPFCAP_META_SET(m, BPFCAP_META_MARK);
		} else if (KEY("vlan")) {
			if (parse_u32(val, vlen, 10, &u) || u > 0xfff)
				return -1;
			m->vlan_tci = (uint16_t)u; /* the id; priority and TPID are not in it */
			BPFCAP_META_SET(m, BPFCAP_META_VLAN);
		} else if (KEY("verdict")) {
			char tmp[16];
			char *end;
			long v;

			if (vlen == 0 || vlen >= sizeof(tmp))
				return -1;
			memcpy(tmp, val, vlen);
			tmp[vlen] = '\0';
			v = strtol(tmp, &end, 10);
			if (*end || v < INT32_MIN || v > INT32_MAX)
				return -1;
			m->verdict = (int32_t)v;
			BPFCAP_META_SET(m, BPFCAP_META_VERDICT);
		} else if (KEY("headers")) {
			if (vlen == 11 && memcmp(val, "synthesized", 11) == 0) {
				m->synth = BPFCAP_SYNTH_IP_TCP;
				BPFCAP_META_SET(m, BPFCAP_META_SYNTH);
			}
		} else if (KEY("truncated")) {
			if (has_word(val, vlen, "snaplen"))
				m->trunc |= BPFCAP_TRUNC_SNAPLEN;
			if (has_word(val, vlen, "paged"))
				m->trunc |= BPFCAP_TRUNC_PAGED;
			if (has_word(val, vlen, "limit"))
				m->trunc |= BPFCAP_TRUNC_LIMIT;
			BPFCAP_META_SET(m, BPFCAP_META_TRUNC);
		} else
			continue; /* unknown keys are skipped: later versions may add some */
#undef KEY
		fields++; /* only keys bpfcap writes make it a bpfcap comment */
	}
	return fields ? 0 : -1;
}

/* ---- version 2: presence bitmap + packed fields ---------------------------------------- */

#define BIT(t) ((uint64_t)1 << (t))
/* fields a clear bit gives back as 0 */
#define V2_ZERO_DEFAULT                                                                            \
	(BIT(BPFCAP_META_DATA_LEN) | BIT(BPFCAP_META_TRUNC) | BIT(BPFCAP_META_MARK) |              \
	 BIT(BPFCAP_META_SKB_IIF) | BIT(BPFCAP_META_QUEUE) | BIT(BPFCAP_META_DIRECTION) |          \
	 BIT(BPFCAP_META_PKT_TYPE))
#define V2_MAGIC	BPFCAP_META_V2_MAGIC
#define V2_HDR_LEN	2 /* magic byte, version; the bitmap follows */
#define V2_FLAGS_BIT	0 /* bitmap bit 0: a flags byte follows the bitmap */
#define V2_KNOWN_BITS	(((BIT(BPFCAP_META_TYPE_MAX) - 1) << 1) | BIT(BPFCAP_META_TYPE_MAX))
#define V2_NO_SUBSYS(m) (BPFCAP_META_HAS(m, BPFCAP_META_REASON) && ((m)->reason >> 16) == 0)

static void put_leb(struct enc *e, uint64_t v)
{
	do {
		uint8_t b = (uint8_t)(v & 0x7f);

		v >>= 7;
		if (e->off >= e->cap) {
			e->err = BPFCAP_META_ENOSPC;
			return;
		}
		e->p[e->off++] = (uint8_t)(b | (v ? 0x80 : 0));
	} while (v);
}

static void put_lstr(struct enc *e, const char *s)
{
	size_t n = strlen(s);

	put_leb(e, n);
	if (e->err)
		return;
	if (e->cap - e->off < n) {
		e->err = BPFCAP_META_ENOSPC;
		return;
	}
	memcpy(e->p + e->off, s, n);
	e->off += n;
}

static void put_raw8(struct enc *e, uint8_t v)
{
	if (e->off >= e->cap) {
		e->err = BPFCAP_META_ENOSPC;
		return;
	}
	e->p[e->off++] = v;
}

/* "name+0xOFF" as LEB128 length, name, LEB128 offset + 1; anything else as the whole string
 * and a 0. */
static void put_sym(struct enc *e, const char *s)
{
	const char *plus = strrchr(s, '+'), *h;
	size_t n = strlen(s);
	uint64_t off = 0;

	/* only the form get_sym() gives back byte for byte: lower-case hex, no leading zero */
	if (plus && plus[1] == '0' && plus[2] == 'x' && plus[3] && strlen(plus + 3) <= 8 &&
	    (plus[3] != '0' || !plus[4])) {
		for (h = plus + 3; *h; h++) {
			int v = *h >= '0' && *h <= '9'	 ? *h - '0'
				: *h >= 'a' && *h <= 'f' ? *h - 'a' + 10
							 : -1;

			if (v < 0)
				break;
			off = off * 16 + (uint64_t)v;
		}
		if (*h)
			off = 0;
		else
			n = (size_t)(plus - s), off++;
	}
	put_leb(e, n);
	if (e->err)
		return;
	if (e->cap - e->off < n) {
		e->err = BPFCAP_META_ENOSPC;
		return;
	}
	memcpy(e->p + e->off, s, n);
	e->off += n;
	put_leb(e, off);
}

static uint32_t zigzag(int32_t v)
{
	return ((uint32_t)v << 1) ^ (uint32_t)(v < 0 ? -1 : 0);
}

static int32_t unzigzag(uint32_t v)
{
	return (int32_t)((v >> 1) ^ (uint32_t) - (int32_t)(v & 1));
}

/* Which present fields version 2 writes into the option itself. */
static uint64_t v2_inline(const struct bpfcap_meta *m, uint64_t outside)
{
	uint64_t w = m->present & V2_KNOWN_BITS & ~outside;

#define OMIT_IF(t, cond)                                                                           \
	do {                                                                                       \
		if ((w & BIT(t)) && (cond))                                                        \
			w &= ~BIT(t);                                                              \
	} while (0)
	OMIT_IF(BPFCAP_META_DATA_LEN, m->data_len == 0);
	OMIT_IF(BPFCAP_META_TRUNC, m->trunc == 0);
	OMIT_IF(BPFCAP_META_MARK, m->mark == 0);
	OMIT_IF(BPFCAP_META_SKB_IIF, m->skb_iif == 0);
	OMIT_IF(BPFCAP_META_QUEUE, m->queue == 0);
	OMIT_IF(BPFCAP_META_DIRECTION, m->direction == 0);
	OMIT_IF(BPFCAP_META_PKT_TYPE, m->pkt_type == 0);
	OMIT_IF(BPFCAP_META_TID, BPFCAP_META_HAS(m, BPFCAP_META_PID) && m->tid == m->pid);
	OMIT_IF(BPFCAP_META_REASON_SUBSYS, V2_NO_SUBSYS(m) && !strcmp(m->reason_subsys, "CORE"));
#undef OMIT_IF
	return w;
}

int bpfcap_meta_encode2(const struct bpfcap_meta *m, uint64_t outside, void *buf, size_t cap)
{
	struct enc e = { .p = buf, .cap = cap };
	uint64_t w = v2_inline(m, outside);
	unsigned t;

	if (cap < V2_HDR_LEN)
		return BPFCAP_META_ENOSPC;
	e.p[0] = V2_MAGIC;
	e.p[1] = BPFCAP_META_VERSION2;
	e.off = V2_HDR_LEN;
	put_leb(&e, w | (m->flags ? BIT(V2_FLAGS_BIT) : 0));
	if (m->flags)
		put_raw8(&e, m->flags);
	for (t = 1; t <= BPFCAP_META_TYPE_MAX && !e.err; t++) {
		if (!(w & BIT(t)))
			continue;
		switch (t) {
		case BPFCAP_META_PROBE_ID: put_leb(&e, m->probe_id); break;
		case BPFCAP_META_PROBE: put_lstr(&e, m->probe); break;
		case BPFCAP_META_PROBE_TYPE: put_leb(&e, m->probe_type); break;
		case BPFCAP_META_CPU: put_leb(&e, m->cpu); break;
		case BPFCAP_META_IFINDEX: put_leb(&e, m->ifindex); break;
		case BPFCAP_META_IFNAME: put_lstr(&e, m->ifname); break;
		case BPFCAP_META_NETNS: put_leb(&e, m->netns); break;
		case BPFCAP_META_SKB_LEN: put_leb(&e, m->skb_len); break;
		case BPFCAP_META_DATA_LEN: put_leb(&e, m->data_len); break;
		case BPFCAP_META_TRUNC: put_leb(&e, m->trunc); break;
		case BPFCAP_META_REASON: put_leb(&e, m->reason); break;
		case BPFCAP_META_REASON_NAME: put_lstr(&e, m->reason_name); break;
		case BPFCAP_META_REASON_SUBSYS: put_lstr(&e, m->reason_subsys); break;
		case BPFCAP_META_MARK: put_leb(&e, m->mark); break;
		case BPFCAP_META_PROTOCOL: put_leb(&e, m->protocol); break;
		case BPFCAP_META_PKT_TYPE: put_leb(&e, m->pkt_type); break;
		case BPFCAP_META_QUEUE: put_leb(&e, m->queue); break;
		case BPFCAP_META_PID: put_leb(&e, m->pid); break;
		case BPFCAP_META_TID: put_leb(&e, m->tid); break;
		case BPFCAP_META_COMM: put_lstr(&e, m->comm); break;
		case BPFCAP_META_SKB_ID: put_leb(&e, m->skb_id); break;
		case BPFCAP_META_VERDICT:
			put_raw8(&e, m->verdict_kind);
			put_leb(&e, zigzag(m->verdict));
			break;
		case BPFCAP_META_STACK: put_lstr(&e, m->stack); break;
		case BPFCAP_META_LOCATION: put_leb(&e, m->location); break;
		case BPFCAP_META_LOCATION_SYM: put_sym(&e, m->location_sym); break;
		case BPFCAP_META_DIRECTION: put_leb(&e, m->direction); break;
		case BPFCAP_META_SKB_IIF: put_leb(&e, m->skb_iif); break;
		case BPFCAP_META_DEV_TYPE: put_leb(&e, m->dev_type); break;
		case BPFCAP_META_SYNTH: put_leb(&e, m->synth); break;
		case BPFCAP_META_TAG: put_leb(&e, m->tag); break;
		case BPFCAP_META_VLAN:
			put_leb(&e, m->vlan_tpid);
			put_leb(&e, m->vlan_tci);
			put_raw8(&e, m->vlan_flags);
			break;
		default: break;
		}
	}
	return e.err ? e.err : (int)e.off;
}

struct dec {
	const uint8_t *p;
	size_t len, off;
	int err;
};

static uint64_t get_leb(struct dec *d, uint64_t max)
{
	uint64_t v = 0;
	unsigned shift = 0;

	for (;;) {
		uint8_t b;

		if (d->off >= d->len) {
			d->err = BPFCAP_META_ETRUNC;
			return 0;
		}
		b = d->p[d->off++];
		if (shift == 63 && (b & 0x7e)) { /* more than 64 bits */
			d->err = BPFCAP_META_ELEN;
			return 0;
		}
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		shift += 7;
		if (shift > 63) {
			d->err = BPFCAP_META_ELEN;
			return 0;
		}
	}
	if (v > max)
		d->err = BPFCAP_META_ELEN;
	return v;
}

static void get_lstr(struct dec *d, char *dst, size_t cap)
{
	uint64_t n = get_leb(d, UINT16_MAX);

	if (d->err)
		return;
	if (n > d->len - d->off) {
		d->err = BPFCAP_META_ETRUNC;
		return;
	}
	copy_str(dst, cap, d->p + d->off, (size_t)n);
	d->off += (size_t)n;
}

static void get_sym(struct dec *d, char *dst, size_t cap)
{
	uint64_t off;
	size_t n;

	get_lstr(d, dst, cap);
	off = get_leb(d, UINT32_MAX);
	if (d->err || !off)
		return;
	n = strlen(dst);
	snprintf(dst + n, cap - n, "+0x%llx", (unsigned long long)(off - 1));
}

static uint8_t get_raw8(struct dec *d)
{
	if (d->off >= d->len) {
		d->err = BPFCAP_META_ETRUNC;
		return 0;
	}
	return d->p[d->off++];
}

static void copy_field(struct bpfcap_meta *d, const struct bpfcap_meta *s, unsigned t)
{
	switch (t) {
	case BPFCAP_META_PROBE_ID: d->probe_id = s->probe_id; break;
	case BPFCAP_META_PROBE: memcpy(d->probe, s->probe, sizeof(d->probe)); break;
	case BPFCAP_META_PROBE_TYPE: d->probe_type = s->probe_type; break;
	case BPFCAP_META_CPU: d->cpu = s->cpu; break;
	case BPFCAP_META_IFINDEX: d->ifindex = s->ifindex; break;
	case BPFCAP_META_IFNAME: memcpy(d->ifname, s->ifname, sizeof(d->ifname)); break;
	case BPFCAP_META_NETNS: d->netns = s->netns; break;
	case BPFCAP_META_SKB_LEN: d->skb_len = s->skb_len; break;
	case BPFCAP_META_DATA_LEN: d->data_len = s->data_len; break;
	case BPFCAP_META_TRUNC: d->trunc = s->trunc; break;
	case BPFCAP_META_REASON: d->reason = s->reason; break;
	case BPFCAP_META_REASON_NAME:
		memcpy(d->reason_name, s->reason_name, sizeof(d->reason_name));
		break;
	case BPFCAP_META_REASON_SUBSYS:
		memcpy(d->reason_subsys, s->reason_subsys, sizeof(d->reason_subsys));
		break;
	case BPFCAP_META_MARK: d->mark = s->mark; break;
	case BPFCAP_META_PROTOCOL: d->protocol = s->protocol; break;
	case BPFCAP_META_PKT_TYPE: d->pkt_type = s->pkt_type; break;
	case BPFCAP_META_QUEUE: d->queue = s->queue; break;
	case BPFCAP_META_PID: d->pid = s->pid; break;
	case BPFCAP_META_TID: d->tid = s->tid; break;
	case BPFCAP_META_COMM: memcpy(d->comm, s->comm, sizeof(d->comm)); break;
	case BPFCAP_META_SKB_ID: d->skb_id = s->skb_id; break;
	case BPFCAP_META_VERDICT:
		d->verdict_kind = s->verdict_kind;
		d->verdict = s->verdict;
		break;
	case BPFCAP_META_STACK: memcpy(d->stack, s->stack, sizeof(d->stack)); break;
	case BPFCAP_META_LOCATION: d->location = s->location; break;
	case BPFCAP_META_LOCATION_SYM:
		memcpy(d->location_sym, s->location_sym, sizeof(d->location_sym));
		break;
	case BPFCAP_META_DIRECTION: d->direction = s->direction; break;
	case BPFCAP_META_SKB_IIF: d->skb_iif = s->skb_iif; break;
	case BPFCAP_META_DEV_TYPE: d->dev_type = s->dev_type; break;
	case BPFCAP_META_SYNTH: d->synth = s->synth; break;
	case BPFCAP_META_TAG: d->tag = s->tag; break;
	case BPFCAP_META_VLAN:
		d->vlan_tpid = s->vlan_tpid;
		d->vlan_tci = s->vlan_tci;
		d->vlan_flags = s->vlan_flags;
		break;
	default: return;
	}
	BPFCAP_META_SET(d, t);
}

void bpfcap_meta_merge(struct bpfcap_meta *dst, const struct bpfcap_meta *src)
{
	unsigned t;

	for (t = 1; t <= BPFCAP_META_TYPE_MAX; t++)
		if (BPFCAP_META_HAS(src, t) && !BPFCAP_META_HAS(dst, t))
			copy_field(dst, src, t);
}

static unsigned popcount64(uint64_t v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static int decode2(const uint8_t *p, size_t len, const struct bpfcap_meta *outer,
		   struct bpfcap_meta *m)
{
	struct dec d = { .p = p, .len = len, .off = V2_HDR_LEN };
	uint64_t bits;
	unsigned t;

	m->version = p[1];
	bits = get_leb(&d, UINT64_MAX);
	if (!d.err && (bits & BIT(V2_FLAGS_BIT)))
		m->flags = get_raw8(&d);
	if (d.err)
		return d.err;
	for (t = 1; t < 64 && !d.err; t++) {
		size_t at = d.off;

		if (!(bits & BIT(t)))
			continue;
		if (!(V2_KNOWN_BITS & BIT(t))) { /* a later version's field: stop here */
			m->unknown_tlvs = popcount64(bits >> t);
			break;
		}
		switch (t) {
		case BPFCAP_META_PROBE_ID: m->probe_id = (uint32_t)get_leb(&d, UINT32_MAX); break;
		case BPFCAP_META_PROBE: get_lstr(&d, m->probe, sizeof(m->probe)); break;
		case BPFCAP_META_PROBE_TYPE: m->probe_type = (uint8_t)get_leb(&d, UINT8_MAX); break;
		case BPFCAP_META_CPU: m->cpu = (uint32_t)get_leb(&d, UINT32_MAX); break;
		case BPFCAP_META_IFINDEX: m->ifindex = (uint32_t)get_leb(&d, UINT32_MAX); break;
		case BPFCAP_META_IFNAME: get_lstr(&d, m->ifname, sizeof(m->ifname)); break;
		case BPFCAP_META_NETNS: m->netns = (uint32_t)get_leb(&d, UINT32_MAX); break;
		case BPFCAP_META_SKB_LEN: m->skb_len = (uint32_t)get_leb(&d, UINT32_MAX); break;
		case BPFCAP_META_DATA_LEN: m->data_len = (uint32_t)get_leb(&d, UINT32_MAX); break;
		case BPFCAP_META_TRUNC: m->trunc = (uint32_t)get_leb(&d, UINT32_MAX); break;
		case BPFCAP_META_REASON: m->reason = (uint32_t)get_leb(&d, UINT32_MAX); break;
		case BPFCAP_META_REASON_NAME:
			get_lstr(&d, m->reason_name, sizeof(m->reason_name));
			break;
		case BPFCAP_META_REASON_SUBSYS:
			get_lstr(&d, m->reason_subsys, sizeof(m->reason_subsys));
			break;
		case BPFCAP_META_MARK: m->mark = (uint32_t)get_leb(&d, UINT32_MAX); break;
		case BPFCAP_META_PROTOCOL: m->protocol = (uint16_t)get_leb(&d, UINT16_MAX); break;
		case BPFCAP_META_PKT_TYPE: m->pkt_type = (uint8_t)get_leb(&d, UINT8_MAX); break;
		case BPFCAP_META_QUEUE: m->queue = (uint16_t)get_leb(&d, UINT16_MAX); break;
		case BPFCAP_META_PID: m->pid = (uint32_t)get_leb(&d, UINT32_MAX); break;
		case BPFCAP_META_TID: m->tid = (uint32_t)get_leb(&d, UINT32_MAX); break;
		case BPFCAP_META_COMM: get_lstr(&d, m->comm, sizeof(m->comm)); break;
		case BPFCAP_META_SKB_ID: m->skb_id = get_leb(&d, UINT64_MAX); break;
		case BPFCAP_META_VERDICT:
			m->verdict_kind = get_raw8(&d);
			m->verdict = unzigzag((uint32_t)get_leb(&d, UINT32_MAX));
			break;
		case BPFCAP_META_STACK: get_lstr(&d, m->stack, sizeof(m->stack)); break;
		case BPFCAP_META_LOCATION: m->location = get_leb(&d, UINT64_MAX); break;
		case BPFCAP_META_LOCATION_SYM:
			get_sym(&d, m->location_sym, sizeof(m->location_sym));
			break;
		case BPFCAP_META_DIRECTION: m->direction = (uint8_t)get_leb(&d, UINT8_MAX); break;
		case BPFCAP_META_SKB_IIF: m->skb_iif = (uint32_t)get_leb(&d, UINT32_MAX); break;
		case BPFCAP_META_DEV_TYPE: m->dev_type = (uint16_t)get_leb(&d, UINT16_MAX); break;
		case BPFCAP_META_SYNTH: m->synth = (uint8_t)get_leb(&d, UINT8_MAX); break;
		case BPFCAP_META_TAG: m->tag = (uint32_t)get_leb(&d, UINT32_MAX); break;
		case BPFCAP_META_VLAN:
			m->vlan_tpid = (uint16_t)get_leb(&d, UINT16_MAX);
			m->vlan_tci = (uint16_t)get_leb(&d, UINT16_MAX);
			m->vlan_flags = get_raw8(&d);
			break;
		default: break;
		}
		if (d.err)
			break;
		m->span[t].off = (uint16_t)at;
		m->span[t].len = (uint16_t)(d.off - at);
		BPFCAP_META_SET(m, t);
	}
	if (!d.err && !m->unknown_tlvs && d.off != len)
		d.err = BPFCAP_META_ETRAIL;
	/* what the option leaves out: from outside, then the defaults */
	if (outer)
		bpfcap_meta_merge(m, outer);
	for (t = 1; t <= BPFCAP_META_TYPE_MAX; t++)
		if ((V2_ZERO_DEFAULT & BIT(t)) && !BPFCAP_META_HAS(m, t))
			BPFCAP_META_SET(m, t); /* the value is already 0 */
	if (BPFCAP_META_HAS(m, BPFCAP_META_PID) && !BPFCAP_META_HAS(m, BPFCAP_META_TID)) {
		m->tid = m->pid;
		BPFCAP_META_SET(m, BPFCAP_META_TID);
	}
	if (V2_NO_SUBSYS(m) && !BPFCAP_META_HAS(m, BPFCAP_META_REASON_SUBSYS)) {
		memcpy(m->reason_subsys, "CORE", 5);
		BPFCAP_META_SET(m, BPFCAP_META_REASON_SUBSYS);
	}
	return d.err;
}

int bpfcap_meta_decode_with(const void *buf, size_t len, const struct bpfcap_meta *outer,
			    struct bpfcap_meta *m)
{
	const uint8_t *p = buf;

	if (!p || len < V2_HDR_LEN || p[0] != V2_MAGIC || p[1] != BPFCAP_META_VERSION2)
		return decode1(buf, len, m);
	memset(m, 0, sizeof(*m));
	return decode2(p, len, outer, m);
}

/* ---- the interface description ---------------------------------------------------------- */

int bpfcap_meta_format_idb(const struct bpfcap_meta *m, const char *linktype, const char *filter,
			   char *buf, size_t cap)
{
	struct sbuf s = { .p = buf, .cap = cap };

	if (cap)
		buf[0] = '\0';
	sb_str(&s, "bpfcap");
	if (BPFCAP_META_HAS(m, BPFCAP_META_PROBE)) {
		sb_str(&s, " probe=");
		sb_str(&s, m->probe);
	}
	if (BPFCAP_META_HAS(m, BPFCAP_META_IFINDEX)) {
		sb_str(&s, " dev=");
		sb_str(&s, BPFCAP_META_HAS(m, BPFCAP_META_IFNAME) ? m->ifname : "");
		sb_str(&s, "(");
		sb_u32(&s, m->ifindex, 0);
		sb_str(&s, ")");
	}
	if (BPFCAP_META_HAS(m, BPFCAP_META_NETNS)) {
		sb_str(&s, " netns=");
		sb_u32(&s, m->netns, 0);
	}
	if (linktype && linktype[0]) {
		sb_str(&s, " linktype=");
		sb_str(&s, linktype);
	}
	if (BPFCAP_META_HAS(m, BPFCAP_META_PROBE_TYPE)) {
		sb_str(&s, " type=");
		sb_str(&s, bpfcap_probe_type_name(m->probe_type));
	}
	if (BPFCAP_META_HAS(m, BPFCAP_META_PROBE_ID)) {
		sb_str(&s, " probe_id=");
		sb_u32(&s, m->probe_id, 0);
	}
	if (BPFCAP_META_HAS(m, BPFCAP_META_DEV_TYPE)) {
		sb_str(&s, " devtype=");
		sb_u32(&s, m->dev_type, 0);
	}
	if (filter && filter[0]) {
		sb_str(&s, " filter=");
		sb_str(&s, filter);
	}
	return (int)s.len;
}

int bpfcap_meta_parse_idb(const char *c, size_t len, struct bpfcap_meta *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	if (len < 7 || memcmp(c, "bpfcap ", 7) != 0)
		return -1;
	i = 6;
	while (i < len && c[i] == ' ') {
		const char *key, *val;
		size_t tok, n, klen, vlen;
		uint32_t u;

		i++;
		tok = i;
		while (i < len && c[i] != ' ' && c[i] != '\0')
			i++;
		n = i - tok;
		key = c + tok;
		val = memchr(key, '=', n);
		if (!val)
			continue;
		klen = (size_t)(val - key);
		val++;
		vlen = n - klen - 1;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)
		if (KEY("filter")) {
			break; /* the rest of the line */
		} else if (KEY("probe")) {
			copy_str(m->probe, sizeof(m->probe), (const uint8_t *)val, vlen);
			BPFCAP_META_SET(m, BPFCAP_META_PROBE);
		} else if (KEY("dev")) {
			(void)parse_dev(val, vlen, m); /* a bad one is skipped */
		} else if (KEY("netns")) {
			if (parse_u32(val, vlen, 10, &m->netns) == 0)
				BPFCAP_META_SET(m, BPFCAP_META_NETNS);
		} else if (KEY("type")) {
			unsigned t;

			for (t = BPFCAP_PROBE_TRACEPOINT; t <= BPFCAP_PROBE_PROG; t++) {
				const char *nm = bpfcap_probe_type_name(t);

				if (strlen(nm) == vlen && memcmp(nm, val, vlen) == 0) {
					m->probe_type = (uint8_t)t;
					BPFCAP_META_SET(m, BPFCAP_META_PROBE_TYPE);
				}
			}
		} else if (KEY("probe_id")) {
			if (parse_u32(val, vlen, 10, &m->probe_id) == 0)
				BPFCAP_META_SET(m, BPFCAP_META_PROBE_ID);
		} else if (KEY("devtype")) {
			if (parse_u32(val, vlen, 10, &u) == 0 && u <= UINT16_MAX) {
				m->dev_type = (uint16_t)u;
				BPFCAP_META_SET(m, BPFCAP_META_DEV_TYPE);
			}
		}
#undef KEY
	}
	return 0;
}

int bpfcap_meta_decode(const void *buf, size_t len, struct bpfcap_meta *m)
{
	return bpfcap_meta_decode_with(buf, len, NULL, m);
}
