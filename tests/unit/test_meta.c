// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The metadata TLV codec of <bpfcap/meta.h>: encode/decode round trips, the iterator, malformed
 * input, encoder bounds, and the packet-comment form. Every decode runs on a heap copy of
 * exactly the input's size, so the ASan build catches any read past the end. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfcap/meta.h"
#include "test.h"

#define ALL_PRESENT ((((uint64_t)1 << (BPFCAP_META_TYPE_MAX + 1)) - 1) & ~(uint64_t)1)

/* Decodes from an exact-size heap copy of buf. */
static int decode_exact(const void *buf, size_t len, struct bpfcap_meta *m)
{
	void *copy = malloc(len ? len : 1);
	int err;

	if (!copy)
		SETUP_FAIL("malloc %zu", len);
	if (len)
		memcpy(copy, buf, len);
	err = bpfcap_meta_decode(copy, len, m);
	free(copy);
	return err;
}

static void fill_all(struct bpfcap_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->present = ALL_PRESENT;
	m->flags = 0;
	m->probe_id = 7;
	snprintf(m->probe, sizeof(m->probe), "tp:skb:kfree_skb");
	m->probe_type = BPFCAP_PROBE_RAW_TRACEPOINT;
	m->cpu = 3;
	m->ifindex = 42;
	snprintf(m->ifname, sizeof(m->ifname), "veth-a1");
	m->netns = 4026531840u;
	m->skb_len = 1514;
	m->data_len = 1000;
	m->trunc = BPFCAP_TRUNC_SNAPLEN | BPFCAP_TRUNC_PAGED;
	m->reason = 0x20001;
	snprintf(m->reason_name, sizeof(m->reason_name), "OVS_DROP_LAST_ACTION");
	snprintf(m->reason_subsys, sizeof(m->reason_subsys), "OPENVSWITCH");
	m->mark = 0xdeadbeef;
	m->protocol = 0x86dd;
	m->pkt_type = 3;
	m->queue = 0xfffe;
	m->pid = 1234;
	m->tid = 1235;
	snprintf(m->comm, sizeof(m->comm), "ksoftirqd/0");
	m->skb_id = 0x8877665544332211ull;
	m->verdict_kind = BPFCAP_VERDICT_TC;
	m->verdict = -1;
	snprintf(m->stack, sizeof(m->stack), "kfree_skb_reason+0x5\nip_rcv+0x10");
	m->location = 0xffffffff81234567ull;
	snprintf(m->location_sym, sizeof(m->location_sym), "udp_queue_rcv_one_skb+0x1c4");
	m->direction = 2;
	m->skb_iif = 9;
	m->dev_type = 772;
	m->synth = BPFCAP_SYNTH_IP_TCP;
	m->tag = 0xc0ffee;
}

static void check_equal(const struct bpfcap_meta *d, const struct bpfcap_meta *m, const char *w)
{
	char n[160];

#define EQ(f)                                                                                      \
	do {                                                                                       \
		snprintf(n, sizeof(n), "%s: field " #f " survives encode/decode", w);              \
		ASSERT_EQ(d->f, m->f, n);                                                          \
	} while (0)
#define SEQ(f)                                                                                     \
	do {                                                                                       \
		snprintf(n, sizeof(n), "%s: string " #f " survives encode/decode", w);             \
		ASSERT_STR(d->f, m->f, n);                                                         \
	} while (0)
	EQ(present);
	EQ(version);
	EQ(flags);
	EQ(probe_id);
	SEQ(probe);
	EQ(probe_type);
	EQ(cpu);
	EQ(ifindex);
	SEQ(ifname);
	EQ(netns);
	EQ(skb_len);
	EQ(data_len);
	EQ(trunc);
	EQ(reason);
	SEQ(reason_name);
	SEQ(reason_subsys);
	EQ(mark);
	EQ(protocol);
	EQ(pkt_type);
	EQ(queue);
	EQ(pid);
	EQ(tid);
	SEQ(comm);
	EQ(skb_id);
	EQ(verdict_kind);
	EQ(verdict);
	SEQ(stack);
	EQ(location);
	SEQ(location_sym);
	EQ(direction);
	EQ(skb_iif);
	EQ(dev_type);
	EQ(synth);
	EQ(tag);
	EQ(unknown_tlvs);
#undef EQ
#undef SEQ
}

static void test_roundtrip_all(void)
{
	struct bpfcap_meta m, d;
	uint8_t buf[BPFCAP_META_MAX_LEN];
	int len;

	TEST_SECTION("round trip, every field present");
	fill_all(&m);
	m.version = BPFCAP_META_VERSION;
	len = bpfcap_meta_encode(&m, buf, sizeof(buf));
	ASSERT_TRUE(len > BPFCAP_META_HDR_LEN, "encode of a full record succeeds");
	ASSERT_EQ(len % 4, 0, "encoded length is a multiple of 4");
	ASSERT_EQ(memcmp(buf, "BPFC", 4), 0, "header starts with the magic");
	ASSERT_EQ(buf[4], BPFCAP_META_VERSION, "header version byte");
	ASSERT_EQ(buf[6] | buf[7], 0, "header reserved bytes are zero");
	ASSERT_EQ(decode_exact(buf, (size_t)len, &d), BPFCAP_META_OK, "decode of a full record");
	check_equal(&d, &m, "all fields");

	/* integers are little-endian whatever the host: spot-check the first TLV (probe_id) */
	ASSERT_EQ(buf[8] | buf[9] << 8, BPFCAP_META_PROBE_ID, "first TLV type, little-endian");
	ASSERT_EQ(buf[10] | buf[11] << 8, 4, "first TLV length, little-endian");
	ASSERT_EQ(buf[12], 7, "probe_id value, little-endian low byte");

	/* the header flags byte survives (the derived flag, set by the comment parser) */
	m.flags = BPFCAP_META_F_DERIVED;
	len = bpfcap_meta_encode(&m, buf, sizeof(buf));
	ASSERT_EQ(decode_exact(buf, (size_t)len, &d), BPFCAP_META_OK, "decode with flags");
	ASSERT_EQ(d.flags, BPFCAP_META_F_DERIVED, "header flags survive");
}

static void test_roundtrip_each(void)
{
	struct bpfcap_meta all, m, d;
	uint8_t buf[BPFCAP_META_MAX_LEN];
	char n[128];
	int t, len;

	TEST_SECTION("round trip, one field at a time");
	fill_all(&all);
	for (t = 1; t <= BPFCAP_META_TYPE_MAX; t++) {
		m = all;
		m.present = (uint64_t)1 << t;
		len = bpfcap_meta_encode(&m, buf, sizeof(buf));
		snprintf(n, sizeof(n), "type %d (%s): encode", t,
			 bpfcap_meta_type_name((uint16_t)t));
		if (!ASSERT_TRUE(len > BPFCAP_META_HDR_LEN, n))
			continue;
		snprintf(n, sizeof(n), "type %d: exactly one TLV of this type", t);
		ASSERT_EQ(buf[8] | buf[9] << 8, t, n);
		snprintf(n, sizeof(n), "type %d: decode", t);
		ASSERT_EQ(decode_exact(buf, (size_t)len, &d), BPFCAP_META_OK, n);
		snprintf(n, sizeof(n), "type %d: present mask has only this bit", t);
		ASSERT_EQ(d.present, (uint64_t)1 << t, n);
		snprintf(n, sizeof(n), "type %d: fixed length matches bpfcap_meta_type_len", t);
		if (bpfcap_meta_type_len((uint16_t)t) > 0)
			ASSERT_EQ(buf[10] | buf[11] << 8, bpfcap_meta_type_len((uint16_t)t), n);
	}
	/* the values of each field, checked against the full record */
	m = all;
	len = bpfcap_meta_encode(&m, buf, sizeof(buf));
	(void)decode_exact(buf, (size_t)len, &d);
	ASSERT_EQ(d.verdict, -1, "verdict keeps its sign");
	ASSERT_EQ(d.verdict_kind, BPFCAP_VERDICT_TC, "verdict kind");
	ASSERT_EQ(d.skb_id, 0x8877665544332211ull, "u64 skb_id, all bytes");
}

static void test_roundtrip_none(void)
{
	struct bpfcap_meta m, d;
	uint8_t buf[64];
	int len;

	TEST_SECTION("round trip, no field present");
	memset(&m, 0, sizeof(m));
	m.cpu = 5; /* not present: must not be written */
	len = bpfcap_meta_encode(&m, buf, sizeof(buf));
	ASSERT_EQ(len, BPFCAP_META_HDR_LEN, "empty record is the header only");
	ASSERT_EQ(decode_exact(buf, (size_t)len, &d), BPFCAP_META_OK, "decode header only");
	ASSERT_EQ(d.present, 0, "nothing present");
	ASSERT_EQ(d.cpu, 0, "absent field stays zero");
	ASSERT_EQ(d.version, BPFCAP_META_VERSION, "version decoded");
	ASSERT_EQ(d.unknown_tlvs, 0, "no unknown TLVs");
}

static void test_strings(void)
{
	struct bpfcap_meta m, d;
	uint8_t buf[BPFCAP_META_MAX_LEN];
	char want[BPFCAP_META_STR_MAX];
	int len;

	TEST_SECTION("strings: maximum length, truncation, NUL bytes");
	/* fields filled to the last byte, no terminating NUL: the encoder stops at the field */
	fill_all(&m);
	memset(m.probe, 'p', sizeof(m.probe));
	memset(m.ifname, 'i', sizeof(m.ifname));
	memset(m.reason_name, 'r', sizeof(m.reason_name));
	memset(m.reason_subsys, 's', sizeof(m.reason_subsys));
	memset(m.comm, 'c', sizeof(m.comm));
	memset(m.location_sym, 'l', sizeof(m.location_sym));
	memset(m.stack, 'k', sizeof(m.stack));
	len = bpfcap_meta_encode(&m, buf, sizeof(buf));
	ASSERT_TRUE(len > 0, "encode of unterminated full-size strings");
	ASSERT_TRUE(len <= BPFCAP_META_MAX_LEN, "full-size record fits BPFCAP_META_MAX_LEN");
	ASSERT_EQ(decode_exact(buf, (size_t)len, &d), BPFCAP_META_OK, "decode full-size strings");
	memset(want, 'p', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	ASSERT_STR(d.probe, want, "probe truncated to its field, NUL-terminated");
	ASSERT_EQ(strlen(d.ifname), sizeof(d.ifname) - 1, "ifname truncated to 63");
	ASSERT_EQ(strlen(d.reason_name), sizeof(d.reason_name) - 1, "reason_name truncated");
	ASSERT_EQ(strlen(d.reason_subsys), sizeof(d.reason_subsys) - 1, "reason_subsys truncated");
	ASSERT_EQ(strlen(d.comm), sizeof(d.comm) - 1, "comm truncated");
	ASSERT_EQ(strlen(d.location_sym), sizeof(d.location_sym) - 1, "location_sym truncated");
	ASSERT_EQ(strlen(d.stack), sizeof(d.stack) - 1, "stack truncated to 1023");

	/* a longer string from another writer: truncated on decode, never overflowing */
	{
		static uint8_t big[8 + 4 + 1000];

		memcpy(big, "BPFC\x01\0\0\0", 8);
		big[8] = BPFCAP_META_IFNAME;
		big[10] = 1000 & 0xff;
		big[11] = 1000 >> 8;
		memset(big + 12, 'x', 1000);
		ASSERT_EQ(decode_exact(big, sizeof(big), &d), BPFCAP_META_OK,
			  "decode 1000-byte ifname");
		ASSERT_EQ(strlen(d.ifname), sizeof(d.ifname) - 1, "1000-byte ifname truncated");
		ASSERT_TRUE(BPFCAP_META_HAS(&d, BPFCAP_META_IFNAME), "ifname present");
	}
	/* NUL bytes inside a string TLV do not cut it short: they become '?' */
	{
		static const uint8_t nul[] = {
			'B', 'P', 'F', 'C', 1,	 0, 0, 0, BPFCAP_META_COMM, 0, 5, 0,
			'a', 'b', 0,   'c', 'd', 0, 0, 0
		};

		ASSERT_EQ(decode_exact(nul, sizeof(nul), &d), BPFCAP_META_OK,
			  "decode NUL in string");
		ASSERT_STR(d.comm, "ab?cd", "NUL inside comm replaced");
	}
	/* an empty string TLV is present and empty */
	{
		static const uint8_t empty[] = {
			'B', 'P', 'F', 'C', 1, 0, 0, 0, BPFCAP_META_REASON_NAME, 0, 0, 0
		};

		ASSERT_EQ(decode_exact(empty, sizeof(empty), &d), BPFCAP_META_OK,
			  "decode empty str");
		ASSERT_TRUE(BPFCAP_META_HAS(&d, BPFCAP_META_REASON_NAME),
			    "empty string is present");
		ASSERT_STR(d.reason_name, "", "empty string decodes empty");
	}
	/* the encoder writes a string only up to its first NUL */
	memset(&m, 0, sizeof(m));
	BPFCAP_META_SET(&m, BPFCAP_META_COMM);
	memcpy(m.comm, "ab\0cd", 6);
	len = bpfcap_meta_encode(&m, buf, sizeof(buf));
	ASSERT_EQ(len, 8 + 4 + 4, "encoded comm stops at NUL (len 2, padded to 4)");
	ASSERT_EQ(buf[10], 2, "comm TLV length 2");
}

static void test_iterator(void)
{
	/* header, unknown type 200 "hello" (padded), cpu=9, unknown type 0 (empty), type 250
	 * (far past the known range, 4 bytes) */
	static const uint8_t b[] = { 'B', 'P', 'F', 'C', 1,   0, 0, 0, 200, 0, 5, 0, 'h', 'e',
				     'l', 'l', 'o', 0,	 0,   0, 4, 0, 4,   0, 9, 0, 0,	  0,
				     0,	  0,   0,   0,	 250, 0, 4, 0, 1,   2, 3, 4 };
	struct bpfcap_meta_iter it;
	struct bpfcap_meta_tlv t;
	struct bpfcap_meta d;
	int r;

	TEST_SECTION("iterator and unknown TLV types");
	ASSERT_EQ(bpfcap_meta_iter_init(&it, b, sizeof(b)), BPFCAP_META_OK, "iter_init");
	r = bpfcap_meta_iter_next(&it, &t);
	ASSERT_EQ(r, 1, "first TLV");
	ASSERT_EQ(t.type, 200, "first TLV type (unknown)");
	ASSERT_EQ(t.len, 5, "first TLV length");
	ASSERT_EQ(t.offset, 8, "first TLV offset");
	ASSERT_TRUE(t.value == b + 12, "first TLV value points into the buffer");
	r = bpfcap_meta_iter_next(&it, &t);
	ASSERT_EQ(r, 1, "second TLV");
	ASSERT_EQ(t.type, BPFCAP_META_CPU, "second TLV is cpu");
	ASSERT_EQ(t.offset, 20, "second TLV offset after padding");
	r = bpfcap_meta_iter_next(&it, &t);
	ASSERT_EQ(r, 1, "third TLV");
	ASSERT_EQ(t.type, 0, "third TLV type 0");
	ASSERT_EQ(t.len, 0, "third TLV empty");
	r = bpfcap_meta_iter_next(&it, &t);
	ASSERT_EQ(r, 1, "fourth TLV");
	ASSERT_EQ(t.type, 250, "fourth TLV type past the known range");
	ASSERT_EQ(bpfcap_meta_iter_next(&it, &t), 0, "end of TLVs");
	ASSERT_EQ(bpfcap_meta_iter_next(&it, &t), 0, "end stays end");

	ASSERT_EQ(decode_exact(b, sizeof(b), &d), BPFCAP_META_OK, "decode skips unknown types");
	ASSERT_EQ(d.unknown_tlvs, 3, "unknown TLVs counted");
	ASSERT_EQ(d.present, (uint64_t)1 << BPFCAP_META_CPU, "only cpu present");
	ASSERT_EQ(d.cpu, 9, "cpu value");

	ASSERT_EQ(bpfcap_meta_type_len(BPFCAP_META_CPU), 4, "type_len cpu");
	ASSERT_EQ(bpfcap_meta_type_len(BPFCAP_META_PROBE), 0, "type_len string");
	ASSERT_EQ(bpfcap_meta_type_len(BPFCAP_META_SKB_ID), 8, "type_len u64");
	ASSERT_EQ(bpfcap_meta_type_len(BPFCAP_META_VERDICT), 8, "type_len verdict");
	ASSERT_EQ(bpfcap_meta_type_len(0), -1, "type_len of type 0");
	ASSERT_EQ(bpfcap_meta_type_len(BPFCAP_META_TYPE_MAX + 1), -1, "type_len past the range");
	ASSERT_EQ(bpfcap_meta_type_len(0xffff), -1, "type_len 0xffff");
	ASSERT_STR(bpfcap_meta_type_name(BPFCAP_META_REASON_NAME), "reason_name", "type_name");
	ASSERT_STR(bpfcap_meta_type_name(0), NULL, "type_name of type 0");
	ASSERT_STR(bpfcap_meta_type_name(0xffff), NULL, "type_name 0xffff");
	for (int ty = 1; ty <= BPFCAP_META_TYPE_MAX; ty++) {
		char n[64];

		snprintf(n, sizeof(n), "type %d has a name", ty);
		ASSERT_TRUE(bpfcap_meta_type_name((uint16_t)ty) != NULL, n);
	}
}

struct bad_case {
	const char *name;
	uint8_t bytes[32];
	size_t len;
	int err;
};

static void test_malformed(void)
{
	static const struct bad_case cases[] = {
		{ "empty", { 0 }, 0, BPFCAP_META_ESHORT },
		{ "1 byte", { 'B' }, 1, BPFCAP_META_ESHORT },
		{ "7-byte header", { 'B', 'P', 'F', 'C', 1, 0, 0 }, 7, BPFCAP_META_ESHORT },
		{ "bad magic", { 'B', 'P', 'F', 'X', 1, 0, 0, 0 }, 8, BPFCAP_META_EMAGIC },
		{ "magic case", { 'b', 'p', 'f', 'c', 1, 0, 0, 0 }, 8, BPFCAP_META_EMAGIC },
		{ "version 0", { 'B', 'P', 'F', 'C', 0, 0, 0, 0 }, 8, BPFCAP_META_EVERSION },
		{ "version 2", { 'B', 'P', 'F', 'C', 2, 0, 0, 0 }, 8, BPFCAP_META_EVERSION },
		{ "partial TLV header",
		  { 'B', 'P', 'F', 'C', 1, 0, 0, 0, 4, 0 },
		  10,
		  BPFCAP_META_ETRUNC },
		{ "3 bytes of TLV header",
		  { 'B', 'P', 'F', 'C', 1, 0, 0, 0, 4, 0, 4 },
		  11,
		  BPFCAP_META_ETRUNC },
		{ "cpu value runs past the end",
		  { 'B', 'P', 'F', 'C', 1, 0, 0, 0, 4, 0, 4, 0, 1, 2 },
		  14,
		  BPFCAP_META_ETRUNC },
		{ "string length past the end",
		  { 'B', 'P', 'F', 'C', 1, 0, 0, 0, 2, 0, 0xff, 0xff, 't', 'p' },
		  14,
		  BPFCAP_META_ETRUNC },
		{ "unknown type running past the end",
		  { 'B', 'P', 'F', 'C', 1, 0, 0, 0, 99, 0, 9, 0, 1, 2, 3, 4 },
		  16,
		  BPFCAP_META_ETRUNC },
		{ "cpu with length 2",
		  { 'B', 'P', 'F', 'C', 1, 0, 0, 0, 4, 0, 2, 0, 1, 0, 0, 0 },
		  16,
		  BPFCAP_META_ELEN },
		{ "skb_id with length 4",
		  { 'B', 'P', 'F', 'C', 1, 0, 0, 0, 21, 0, 4, 0, 1, 0, 0, 0 },
		  16,
		  BPFCAP_META_ELEN },
		{ "probe_type with length 0",
		  { 'B', 'P', 'F', 'C', 1, 0, 0, 0, 3, 0, 0, 0 },
		  12,
		  BPFCAP_META_ELEN },
		{ "protocol with length 4",
		  { 'B', 'P', 'F', 'C', 1, 0, 0, 0, 15, 0, 4, 0, 8, 0, 0, 0 },
		  16,
		  BPFCAP_META_ELEN },
	};
	struct bpfcap_meta_iter it;
	struct bpfcap_meta_tlv t;
	struct bpfcap_meta d;
	size_t i;

	TEST_SECTION("malformed input: documented error codes");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char n[128];

		snprintf(n, sizeof(n), "decode '%s'", cases[i].name);
		ASSERT_EQ(decode_exact(cases[i].bytes, cases[i].len, &d), cases[i].err, n);
	}
	ASSERT_EQ(bpfcap_meta_decode(NULL, 100, &d), BPFCAP_META_ESHORT, "decode NULL buffer");
	ASSERT_EQ(bpfcap_meta_iter_init(&it, "BPFX\x01\0\0\0", 8), BPFCAP_META_EMAGIC,
		  "iter_init bad magic");
	ASSERT_EQ(bpfcap_meta_iter_next(&it, &t), 0, "iterator over a bad header yields nothing");

	/* the iterator stops after an error */
	{
		static const uint8_t b[] = { 'B', 'P', 'F', 'C', 1, 0, 0, 0, 4, 0, 2, 0,
					     1,	  0,   0,   0,	 4, 0, 4, 0, 9, 0, 0, 0 };

		ASSERT_EQ(bpfcap_meta_iter_init(&it, b, sizeof(b)), 0, "iter_init");
		ASSERT_EQ(bpfcap_meta_iter_next(&it, &t), BPFCAP_META_ELEN, "iter_next ELEN");
		ASSERT_EQ(bpfcap_meta_iter_next(&it, &t), 0, "iterator stops after an error");
	}
	/* on error, what came before the fault is kept */
	{
		static const uint8_t b[] = { 'B', 'P', 'F', 'C', 1, 0, 0, 0, 4, 0, 4,
					     0,	  9,   0,   0,	 0, 5, 0, 4, 0, 1 };

		ASSERT_EQ(decode_exact(b, sizeof(b), &d), BPFCAP_META_ETRUNC, "decode truncated");
		ASSERT_EQ(d.cpu, 9, "cpu before the fault kept");
		ASSERT_TRUE(BPFCAP_META_HAS(&d, BPFCAP_META_CPU), "cpu before the fault present");
		ASSERT_TRUE(!BPFCAP_META_HAS(&d, BPFCAP_META_IFINDEX), "faulty TLV not present");
	}
	/* the padding after the last TLV may be missing (meta.c: "Padding may be missing after
	 * the last TLV"); a reader must accept it and not read the absent bytes */
	{
		static const uint8_t b[] = { 'B', 'P', 'F', 'C', 1,   0,   0,	0,  2,
					     0,	  5,   0,   't', 'p', ':', 'x', 'y' };
		static const uint8_t b1[] = { 'B', 'P', 'F', 'C', 1, 0, 0, 0, 16, 0, 1, 0, 4 };

		ASSERT_EQ(decode_exact(b, sizeof(b), &d), BPFCAP_META_OK,
			  "string TLV without final padding accepted");
		ASSERT_STR(d.probe, "tp:xy", "unpadded final string value");
		ASSERT_EQ(decode_exact(b1, sizeof(b1), &d), BPFCAP_META_OK,
			  "u8 TLV without final padding accepted");
		ASSERT_EQ(d.pkt_type, 4, "unpadded final u8 value");
	}
	/* a reserved header value or unknown flag bits are no reason to refuse */
	{
		static const uint8_t b[] = { 'B', 'P', 'F', 'C', 1, 0x80, 0xff, 0xff };

		ASSERT_EQ(decode_exact(b, sizeof(b), &d), BPFCAP_META_OK, "reserved bits ignored");
		ASSERT_EQ(d.flags, 0x80, "flags byte reported");
	}
}

/* Decodes every prefix of a valid record: the result must be OK exactly where the cut falls on
 * a TLV boundary or inside the final padding, ETRUNC elsewhere, ESHORT inside the header. */
static void test_prefixes(void)
{
	struct bpfcap_meta m, d;
	uint8_t buf[BPFCAP_META_MAX_LEN];
	size_t starts[64], ends[64], pads[64], ntlv = 0, l;
	struct bpfcap_meta_iter it;
	struct bpfcap_meta_tlv t;
	unsigned bad = 0;
	int len;

	TEST_SECTION("every prefix of a valid record");
	fill_all(&m);
	len = bpfcap_meta_encode(&m, buf, sizeof(buf));
	if (len <= 0)
		SETUP_FAIL("encode for the prefix test: %d", len);
	bpfcap_meta_iter_init(&it, buf, (size_t)len);
	while (bpfcap_meta_iter_next(&it, &t) > 0 && ntlv < 64) {
		starts[ntlv] = t.offset;
		ends[ntlv] = t.offset + 4 + t.len;
		pads[ntlv] = t.offset + 4 + ((t.len + 3u) & ~3u);
		ntlv++;
	}
	ASSERT_EQ(ntlv, BPFCAP_META_TYPE_MAX, "one TLV per field");
	for (l = 0; l <= (size_t)len; l++) {
		int want = BPFCAP_META_ETRUNC, got;
		size_t k;

		if (l < BPFCAP_META_HDR_LEN)
			want = BPFCAP_META_ESHORT;
		else if (l == BPFCAP_META_HDR_LEN || l == (size_t)len)
			want = BPFCAP_META_OK;
		for (k = 0; k < ntlv; k++)
			if (l == starts[k] || (l >= ends[k] && l <= pads[k]))
				want = BPFCAP_META_OK;
		got = decode_exact(buf, l, &d);
		if (got != want) {
			char n[96];

			snprintf(n, sizeof(n), "decode of the first %zu of %d bytes", l, len);
			ASSERT_EQ(got, want, n);
			bad++;
		}
	}
	ASSERT_EQ(bad, 0, "all prefixes give the documented result");
}

/* Deterministic corruption: no crash, no read past the end (ASan), a documented result. */
static void test_corruption(void)
{
	struct bpfcap_meta m, d;
	uint8_t buf[BPFCAP_META_MAX_LEN], c[BPFCAP_META_MAX_LEN];
	uint64_t x = 0x2545f4914f6cdd1dull;
	unsigned i, odd = 0;
	int len;

	TEST_SECTION("corrupted records");
	fill_all(&m);
	len = bpfcap_meta_encode(&m, buf, sizeof(buf));
	if (len <= 0)
		SETUP_FAIL("encode for the corruption test: %d", len);
	for (i = 0; i < 20000; i++) {
		size_t l = (size_t)len;
		int k, r;

		memcpy(c, buf, l);
		for (k = 0; k < 4; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* mostly in the TLV headers' neighbourhood, sometimes anywhere */
			c[8 + x % (l - 8)] = (uint8_t)(x >> 32);
		}
		if (i % 3 == 0)
			l = 8 + (x >> 40) % (l - 8);
		r = decode_exact(c, l, &d);
		if (r > 0 || r < BPFCAP_META_ELEN)
			odd++;
		if (r == 0 && d.probe[sizeof(d.probe) - 1] != '\0')
			odd++;
	}
	ASSERT_EQ(odd, 0, "corrupted records give OK or a documented error");
}

static void test_enospc(void)
{
	struct bpfcap_meta m;
	uint8_t ref[BPFCAP_META_MAX_LEN];
	int need, cap, bad = 0;

	TEST_SECTION("encoder: ENOSPC and bounds");
	fill_all(&m);
	need = bpfcap_meta_encode(&m, ref, sizeof(ref));
	if (need <= 0)
		SETUP_FAIL("encode for the ENOSPC test: %d", need);
	for (cap = 0; cap <= need; cap++) {
		/* exact-size heap buffer (ASan) plus a canary after it for plain builds */
		uint8_t *b = malloc((size_t)cap + 16);
		int r, k;

		if (!b)
			SETUP_FAIL("malloc");
		memset(b, 0xAA, (size_t)cap + 16);
		r = bpfcap_meta_encode(&m, b, (size_t)cap);
		if (cap < need && r != BPFCAP_META_ENOSPC) {
			char n[64];

			snprintf(n, sizeof(n), "encode into %d of %d bytes gives ENOSPC", cap,
				 need);
			ASSERT_EQ(r, BPFCAP_META_ENOSPC, n);
			bad++;
		}
		if (cap == need) {
			ASSERT_EQ(r, need, "encode into exactly the needed size");
			ASSERT_EQ(memcmp(b, ref, (size_t)need), 0,
				  "same bytes as the first encode");
		}
		for (k = 0; k < 16; k++)
			if (b[cap + k] != 0xAA)
				bad++;
		free(b);
	}
	ASSERT_EQ(bad, 0, "no ENOSPC miss and nothing written past the buffer");
	{
		struct bpfcap_meta e = { 0 };
		uint8_t small[8];

		ASSERT_EQ(bpfcap_meta_encode(&e, small, 7), BPFCAP_META_ENOSPC, "7 bytes: ENOSPC");
		ASSERT_EQ(bpfcap_meta_encode(&e, small, 8), 8, "8 bytes: the header fits");
	}
}

static void kfree_meta(struct bpfcap_meta *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->probe, sizeof(m->probe), "tp:skb:kfree_skb");
	BPFCAP_META_SET(m, BPFCAP_META_PROBE);
	m->cpu = 1;
	BPFCAP_META_SET(m, BPFCAP_META_CPU);
	m->ifindex = 2;
	BPFCAP_META_SET(m, BPFCAP_META_IFINDEX);
	snprintf(m->ifname, sizeof(m->ifname), "eth0");
	BPFCAP_META_SET(m, BPFCAP_META_IFNAME);
	m->netns = 4026531840u;
	BPFCAP_META_SET(m, BPFCAP_META_NETNS);
	m->reason = 3;
	BPFCAP_META_SET(m, BPFCAP_META_REASON);
	snprintf(m->reason_name, sizeof(m->reason_name), "NO_SOCKET");
	BPFCAP_META_SET(m, BPFCAP_META_REASON_NAME);
	snprintf(m->reason_subsys, sizeof(m->reason_subsys), "CORE");
	BPFCAP_META_SET(m, BPFCAP_META_REASON_SUBSYS);
}

static int parse_str(const char *s, struct bpfcap_meta *m)
{
	size_t n = strlen(s);
	char *c = malloc(n ? n : 1); /* no NUL after it: the parser must respect len */
	int r;

	if (!c)
		SETUP_FAIL("malloc");
	memcpy(c, s, n);
	r = bpfcap_meta_parse_comment(c, n, m);
	free(c);
	return r;
}

static void test_comment(void)
{
	struct bpfcap_meta m, p;
	char c[512], small[16];
	int n;

	TEST_SECTION("packet comment: format and parse back");
	kfree_meta(&m);
	n = bpfcap_meta_format_comment(&m, c, sizeof(c));
	ASSERT_STR(c, "kfree_skb cpu=1 dev=eth0(2) reason=NO_SOCKET",
		   "comment of a kfree_skb drop (the netns is the interface's)");
	ASSERT_EQ(n, strlen(c), "format returns the length");

	ASSERT_EQ(parse_str(c, &p), 0, "parse our own comment");
	ASSERT_EQ(p.flags & BPFCAP_META_F_DERIVED, BPFCAP_META_F_DERIVED, "derived flag set");
	ASSERT_EQ(p.version, BPFCAP_META_VERSION, "parsed version");
	ASSERT_STR(p.probe, "kfree_skb", "parsed probe short name");
	ASSERT_EQ(p.cpu, 1, "parsed cpu");
	ASSERT_EQ(p.ifindex, 2, "parsed ifindex");
	ASSERT_STR(p.ifname, "eth0", "parsed ifname");
	ASSERT_STR(p.reason_name, "NO_SOCKET", "parsed reason name");
	ASSERT_EQ(p.present,
		  (1ull << BPFCAP_META_PROBE) | (1ull << BPFCAP_META_CPU) |
			  (1ull << BPFCAP_META_IFINDEX) | (1ull << BPFCAP_META_IFNAME) |
			  (1ull << BPFCAP_META_REASON_NAME),
		  "parsed present mask");
	/* files of bpfcap 0.2 have the netns in each comment */
	ASSERT_EQ(parse_str("kfree_skb cpu=1 dev=eth0(2) netns=4026531840 reason=NO_SOCKET", &p), 0,
		  "an older comment with netns= parses");
	ASSERT_EQ(p.netns, 4026531840u, "parsed netns");

	/* snprintf semantics: truncated, NUL-terminated, wanted length returned */
	memset(small, 'Z', sizeof(small));
	ASSERT_EQ(bpfcap_meta_format_comment(&m, small, sizeof(small)), n, "wanted length");
	ASSERT_EQ(small[sizeof(small) - 1], '\0', "small buffer NUL-terminated");
	ASSERT_EQ(strncmp(small, c, sizeof(small) - 1), 0, "small buffer holds the prefix");
	ASSERT_EQ(bpfcap_meta_format_comment(&m, NULL, 0), n, "cap 0 writes nothing");

	/* numeric reason, a subsystem, mark, verdict */
	m.reason_name[0] = '\0';
	m.reason = 0x20001;
	snprintf(m.reason_subsys, sizeof(m.reason_subsys), "OPENVSWITCH");
	m.mark = 0x10;
	BPFCAP_META_SET(&m, BPFCAP_META_MARK);
	m.verdict = -2;
	BPFCAP_META_SET(&m, BPFCAP_META_VERDICT);
	bpfcap_meta_format_comment(&m, c, sizeof(c));
	ASSERT_STR(c,
		   "kfree_skb cpu=1 dev=eth0(2) reason=131073 subsys=OPENVSWITCH "
		   "verdict=-2 mark=0x10",
		   "comment with numeric reason, subsystem, verdict, mark");
	ASSERT_EQ(parse_str(c, &p), 0, "parse it back");
	ASSERT_EQ(p.reason, 0x20001, "parsed numeric reason");
	ASSERT_TRUE(BPFCAP_META_HAS(&p, BPFCAP_META_REASON), "numeric reason present");
	ASSERT_STR(p.reason_subsys, "OPENVSWITCH", "parsed subsystem");
	ASSERT_EQ(p.verdict, -2, "parsed verdict");
	ASSERT_EQ(p.mark, 0x10, "parsed mark");

	/* headers rebuilt by bpfcap are said so, and parsed back */
	memset(&m, 0, sizeof(m));
	snprintf(m.probe, sizeof(m.probe), "tp:tcp:tcp_retransmit_skb");
	m.synth = BPFCAP_SYNTH_IP_TCP;
	BPFCAP_META_SET(&m, BPFCAP_META_SYNTH);
	bpfcap_meta_format_comment(&m, c, sizeof(c));
	ASSERT_STR(c, "tcp_retransmit_skb headers=synthesized", "comment of synthesised headers");
	ASSERT_EQ(parse_str(c, &p), 0, "parse headers=synthesized");
	ASSERT_EQ(p.synth, BPFCAP_SYNTH_IP_TCP, "parsed synth");
	ASSERT_TRUE(BPFCAP_META_HAS(&p, BPFCAP_META_SYNTH), "synth present");
	m.synth = BPFCAP_SYNTH_NONE;
	bpfcap_meta_format_comment(&m, c, sizeof(c));
	ASSERT_STR(c, "tcp_retransmit_skb", "synth 0 is not mentioned");

	/* the short probe name of the comment */
	memset(&m, 0, sizeof(m));
	snprintf(m.probe, sizeof(m.probe), "tp:net:net_dev_xmit:arg0");
	bpfcap_meta_format_comment(&m, c, sizeof(c));
	ASSERT_STR(c, "net_dev_xmit", "probe short name drops category and argN");
	m.probe[0] = '\0';
	bpfcap_meta_format_comment(&m, c, sizeof(c));
	ASSERT_STR(c, "bpfcap", "no probe: 'bpfcap'");
	snprintf(m.probe, sizeof(m.probe), "fentry:prog:42");
	bpfcap_meta_format_comment(&m, c, sizeof(c));
	ASSERT_STR(c, "prog42_entry", "fentry on a program: progN_entry");
	snprintf(m.probe, sizeof(m.probe), "fexit:prog:42");
	bpfcap_meta_format_comment(&m, c, sizeof(c));
	ASSERT_STR(c, "prog42_exit", "fexit on a program: progN_exit");
	snprintf(m.probe, sizeof(m.probe), "tc:eth0:egress");
	bpfcap_meta_format_comment(&m, c, sizeof(c));
	ASSERT_STR(c, "tc_egress", "tc egress hook");
	m.probe[0] = '\0';
	ASSERT_STR(bpfcap_meta_probe_short("tp:skb:kfree_skb"), "kfree_skb", "probe_short tp");
	ASSERT_STR(bpfcap_meta_probe_short("kfree_skb"), "kfree_skb", "probe_short bare");
	ASSERT_STR(bpfcap_meta_probe_short("raw_tp:skb:kfree_skb"), "kfree_skb",
		   "probe_short raw_tp");
	ASSERT_STR(bpfcap_probe_type_name(BPFCAP_PROBE_RAW_TRACEPOINT), "raw_tracepoint",
		   "probe type name");
	ASSERT_STR(bpfcap_probe_type_name(99), "unknown", "unknown probe type name");

	/* an empty device name still round-trips the index */
	memset(&m, 0, sizeof(m));
	snprintf(m.probe, sizeof(m.probe), "tp:skb:kfree_skb");
	m.ifindex = 7;
	BPFCAP_META_SET(&m, BPFCAP_META_IFINDEX);
	bpfcap_meta_format_comment(&m, c, sizeof(c));
	ASSERT_STR(c, "kfree_skb dev=(7)", "comment without device name");
	ASSERT_EQ(parse_str(c, &p), 0, "parse dev=(7)");
	ASSERT_EQ(p.ifindex, 7, "ifindex without name");
	ASSERT_TRUE(!BPFCAP_META_HAS(&p, BPFCAP_META_IFNAME), "no ifname when empty");

	/* every combination of truncation flags survives the comment */
	for (unsigned tr = 1; tr <= 7; tr++) {
		char nm[96];

		memset(&m, 0, sizeof(m));
		snprintf(m.probe, sizeof(m.probe), "tp:skb:kfree_skb");
		m.trunc = tr;
		BPFCAP_META_SET(&m, BPFCAP_META_TRUNC);
		bpfcap_meta_format_comment(&m, c, sizeof(c));
		snprintf(nm, sizeof(nm), "truncation flags 0x%x survive the comment ('%s')", tr, c);
		ASSERT_EQ(parse_str(c, &p) == 0 ? p.trunc : 0xffu, tr, nm);
	}
}

static void test_comment_reject(void)
{
	static const char *const bad[] = {
		"",
		"hello",
		"Hello world",
		"kfree_skb",
		"kfree_skb ",
		"kfree_skb  cpu=1",
		"kfree_skb cpu=1 ",
		"=x cpu=1",
		"kfree_skb cpu=x",
		"kfree_skb cpu=-1",
		"kfree_skb cpu=+1",
		"kfree_skb cpu=4294967296",
		"kfree_skb cpu=",
		"kfree_skb dev=eth0",
		"kfree_skb dev=eth0(x)",
		"kfree_skb dev=eth0(2",
		"kfree_skb netns=99999999999999999999999",
		"kfree_skb mark=zz",
		"kfree_skb verdict=1.5",
		"Dropped by the firewall, see ticket 42",
		"kfree_skb\tcpu=1",
	};
	struct bpfcap_meta p, m;
	char c[512];
	size_t i;

	TEST_SECTION("comments that are not ours are rejected");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char n[128];

		snprintf(n, sizeof(n), "reject comment '%s'", bad[i]);
		ASSERT_EQ(parse_str(bad[i], &p), -1, n);
	}
	/* the length bounds the parse: a valid comment cut short before its first field */
	ASSERT_EQ(bpfcap_meta_parse_comment("kfree_skb cpu=1", 9, &p), -1, "cut before fields");
	ASSERT_EQ(bpfcap_meta_parse_comment("kfree_skb cpu=1 junk", 15, &p), 0, "cut after field");
	ASSERT_EQ(p.cpu, 1, "cpu of the cut comment");
	/* an out-of-band VLAN tag: its id in the comment */
	kfree_meta(&m);
	m.vlan_tpid = 0x8100;
	m.vlan_tci = 0x2064;
	m.vlan_flags = BPFCAP_VLAN_RESTORED;
	BPFCAP_META_SET(&m, BPFCAP_META_VLAN);
	bpfcap_meta_format_comment(&m, c, sizeof(c));
	ASSERT_STR(c, "kfree_skb cpu=1 dev=eth0(2) reason=NO_SOCKET vlan=100",
		   "comment names the VLAN id");
	ASSERT_EQ(parse_str(c, &p), 0, "comment with vlan= parses");
	ASSERT_EQ(BPFCAP_META_HAS(&p, BPFCAP_META_VLAN), 1, "parsed: VLAN present");
	ASSERT_EQ(p.vlan_tci, 100, "parsed: VLAN id");
	ASSERT_EQ(parse_str("kfree_skb cpu=1 vlan=4096", &p), -1, "VLAN id above 4095 refused");
	ASSERT_EQ(bpfcap_meta_encode(&m, c, sizeof(c)) > 0, 1, "VLAN TLV encodes");
	{
		struct bpfcap_meta d;
		int len = bpfcap_meta_encode(&m, c, sizeof(c));

		ASSERT_EQ(bpfcap_meta_decode(c, (size_t)len, &d), 0, "VLAN TLV decodes");
		ASSERT_EQ(d.vlan_tpid, 0x8100, "VLAN TPID round trip");
		ASSERT_EQ(d.vlan_tci, 0x2064, "VLAN TCI round trip");
		ASSERT_EQ(d.vlan_flags, BPFCAP_VLAN_RESTORED, "VLAN flags round trip");
	}
	/* unknown keys of later versions are skipped */
	ASSERT_EQ(parse_str("kfree_skb cpu=2 future=1", &p), 0, "unknown key skipped");
	ASSERT_EQ(p.cpu, 2, "cpu next to an unknown key");
}

/* Version 2: what it carries, what it leaves to the interface, the EPB and the defaults. */
static void test_v2(void)
{
	static struct bpfcap_meta m, d, outer;
	const uint64_t epb = (1ull << BPFCAP_META_SKB_ID) | (1ull << BPFCAP_META_DIRECTION) |
			     (1ull << BPFCAP_META_QUEUE);
	uint8_t buf[BPFCAP_META_MAX_LEN];
	char desc[512];
	int len, full;

	TEST_SECTION("version 2: packed fields");
	fill_all(&m);
	full = bpfcap_meta_encode2(&m, 0, buf, sizeof(buf));
	ASSERT_TRUE(full > 3, "encode2 of every field");
	ASSERT_EQ(buf[0], BPFCAP_META_V2_MAGIC, "version 2 magic byte");
	ASSERT_EQ(buf[1], BPFCAP_META_VERSION2, "version 2");
	ASSERT_EQ(decode_exact(buf, (size_t)full, &d), 0, "decode of every field");
	m.version = BPFCAP_META_VERSION2;
	check_equal(&d, &m, "v2 every field");
	ASSERT_EQ(d.span[BPFCAP_META_CPU].len, 1, "cpu 3 takes one byte");
	ASSERT_EQ(buf[d.span[BPFCAP_META_CPU].off], 3, "the byte of cpu 3");

	/* the interface's facts and the EPB's options: left out, given back by the reader */
	len = bpfcap_meta_encode2(&m, BPFCAP_META_IDB_FIELDS | epb, buf, sizeof(buf));
	ASSERT_TRUE(len > 0 && len < full - 20, "without interface and EPB fields: shorter");
	ASSERT_TRUE(!memmem(buf, (size_t)len, "veth-a1", 7), "no device name per packet");
	ASSERT_EQ(bpfcap_meta_decode_with(buf, (size_t)len, &m, &d), 0,
		  "decode with the outer facts");
	check_equal(&d, &m, "v2 with outer facts");
	ASSERT_EQ(d.span[BPFCAP_META_NETNS].len, 0, "netns from outside: no bytes");
	ASSERT_EQ(bpfcap_meta_decode(buf, (size_t)len, &d), 0, "decode without them");
	ASSERT_TRUE(!BPFCAP_META_HAS(&d, BPFCAP_META_PROBE) &&
			    !BPFCAP_META_HAS(&d, BPFCAP_META_NETNS),
		    "without the interface: no probe, no netns");
	ASSERT_EQ(d.queue, 0, "without the EPB: queue 0");

	/* defaults: zeros, tid = pid, the CORE subsystem */
	fill_all(&m);
	m.data_len = m.trunc = m.mark = m.skb_iif = 0;
	m.pkt_type = 0;
	m.tid = m.pid;
	m.reason = 3;
	snprintf(m.reason_subsys, sizeof(m.reason_subsys), "CORE");
	len = bpfcap_meta_encode2(&m, 0, buf, sizeof(buf));
	ASSERT_EQ(decode_exact(buf, (size_t)len, &d), 0, "decode with defaults");
	m.version = BPFCAP_META_VERSION2;
	check_equal(&d, &m, "v2 defaults");
	ASSERT_EQ(d.span[BPFCAP_META_TID].len + d.span[BPFCAP_META_MARK].len +
			  d.span[BPFCAP_META_REASON_SUBSYS].len,
		  0, "tid, mark, subsystem not written");

	/* a drop as bpfcap writes it at default settings */
	memset(&m, 0, sizeof(m));
	kfree_meta(&m);
	m.skb_len = 46;
	m.protocol = 0x0800;
	m.pid = m.tid = 3321;
	snprintf(m.comm, sizeof(m.comm), "python3");
	BPFCAP_META_SET(&m, BPFCAP_META_SKB_LEN);
	BPFCAP_META_SET(&m, BPFCAP_META_PROTOCOL);
	BPFCAP_META_SET(&m, BPFCAP_META_PID);
	BPFCAP_META_SET(&m, BPFCAP_META_TID);
	BPFCAP_META_SET(&m, BPFCAP_META_COMM);
	snprintf(m.location_sym, sizeof(m.location_sym), "__udp4_lib_rcv+0x4bc");
	BPFCAP_META_SET(&m, BPFCAP_META_LOCATION_SYM);
	len = bpfcap_meta_encode2(&m, BPFCAP_META_IDB_FIELDS | epb, buf, sizeof(buf));
	ASSERT_TRUE(len > 0 && len <= 48, "a drop with its location and task in at most 48 bytes");
	ASSERT_EQ(decode_exact(buf, (size_t)len, &d), 0, "the drop decodes");
	ASSERT_STR(d.location_sym, "__udp4_lib_rcv+0x4bc", "symbol+offset rebuilt");

	/* symbols that are not name+0xHEX stay whole */
	snprintf(m.location_sym, sizeof(m.location_sym), "odd+0xABC");
	len = bpfcap_meta_encode2(&m, 0, buf, sizeof(buf));
	ASSERT_EQ(decode_exact(buf, (size_t)len, &d), 0, "odd symbol decodes");
	ASSERT_STR(d.location_sym, "odd+0xABC", "odd symbol kept as written");

	TEST_SECTION("version 2: malformed and later versions");
	{
		/* cpu = 5, then a bit this reader does not know (40) */
		const uint8_t later[] = { 0xbf, 2, 0x90, 0x80, 0x80, 0x80, 0x80, 0x20, 5, 1, 2, 3 };
		const uint8_t trail[] = { 0xbf, 2, 0x10, 5, 0 };
		const uint8_t cut[] = {
			0xbf, 2, 0x80, 0x80, 0x40, 9, 'p', 'y'
		}; /* comm of 9, 2 there */
		const uint8_t big[] = {
			0xbf, 2, 0x10, 0xff, 0xff, 0xff, 0xff, 0x7f
		}; /* cpu > 2^32 */

		ASSERT_EQ(decode_exact(later, sizeof(later), &d), 0, "a later version's field: ok");
		ASSERT_EQ(d.cpu, 5, "fields before it decoded");
		ASSERT_EQ(d.unknown_tlvs, 1, "the later field counted");
		ASSERT_EQ(decode_exact(trail, sizeof(trail), &d), BPFCAP_META_ETRAIL,
			  "bytes after the last field");
		ASSERT_EQ(decode_exact(cut, sizeof(cut), &d), BPFCAP_META_ETRUNC,
			  "a string past the end");
		ASSERT_EQ(decode_exact(big, sizeof(big), &d), BPFCAP_META_ELEN,
			  "a value too large for its field");
		ASSERT_EQ(bpfcap_meta_encode2(&m, 0, buf, 2), BPFCAP_META_ENOSPC,
			  "encode2 into 2 bytes");
	}

	TEST_SECTION("interface description");
	fill_all(&m);
	len = bpfcap_meta_format_idb(&m, "EN10MB", "udp and port 53", desc, sizeof(desc));
	ASSERT_STR(desc,
		   "bpfcap probe=tp:skb:kfree_skb dev=veth-a1(42) netns=4026531840 linktype=EN10MB "
		   "type=raw_tracepoint probe_id=7 devtype=772 filter=udp and port 53",
		   "the description");
	ASSERT_EQ(len, (int)strlen(desc), "format_idb returns the length");
	ASSERT_EQ(bpfcap_meta_parse_idb(desc, strlen(desc), &outer), 0, "parse it back");
	ASSERT_EQ(outer.present, BPFCAP_META_IDB_FIELDS, "every interface field");
	ASSERT_STR(outer.probe, "tp:skb:kfree_skb", "probe");
	ASSERT_STR(outer.ifname, "veth-a1", "ifname");
	ASSERT_EQ(outer.ifindex, 42, "ifindex");
	ASSERT_EQ(outer.netns, 4026531840u, "netns");
	ASSERT_EQ(outer.probe_type, BPFCAP_PROBE_RAW_TRACEPOINT, "probe type");
	ASSERT_EQ(outer.probe_id, 7, "probe id");
	ASSERT_EQ(outer.dev_type, 772, "device type");
	ASSERT_EQ(bpfcap_meta_parse_idb("bpfcap probe=tp:skb:kfree_skb dev=lo(1) netns=5 "
					"linktype=EN10MB",
					60, &outer),
		  0, "a bpfcap 0.2 description");
	ASSERT_EQ(outer.netns, 5, "its netns");
	ASSERT_EQ(bpfcap_meta_parse_idb("eth0", 4, &outer), -1, "not ours");
}

int main(void)
{
	test_roundtrip_all();
	test_roundtrip_each();
	test_roundtrip_none();
	test_strings();
	test_iterator();
	test_malformed();
	test_prefixes();
	test_corruption();
	test_enospc();
	test_comment();
	test_comment_reject();
	test_v2();
	TEST_EXIT();
}
