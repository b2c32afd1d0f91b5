// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target over the metadata codec (lib/meta.c), the code the Wireshark plugin runs on
 * every packet of a file it did not write. Each input is used twice:
 *   - as binary metadata: bpfcap_meta_decode() and the iterator must agree with each other and
 *     stay inside the buffer; what decoded must survive encode -> decode unchanged, and the
 *     encoder must respect its buffer size;
 *   - as a packet comment: bpfcap_meta_parse_comment() must stay inside the buffer (it gets an
 *     exact-size copy without a NUL); what it parsed must survive encode -> decode, and the
 *     comment formatter must behave like snprintf.
 * Metadata decoded from the binary form is also formatted as a comment and parsed back: when its
 * strings are plain tokens (as the kernel's names are) the fields the comment carries must match.
 * A failed check prints what differed and aborts, which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfcap/meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_meta: %s:%d: check failed: %s: ", __FILE__,          \
				__LINE__, #cond);                                                  \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define HAS(m, t) BPFCAP_META_HAS(m, BPFCAP_META_##t)

/* Large objects live outside the stack; libFuzzer runs inputs one at a time. */
static struct bpfcap_meta decoded, parsed, again;
static uint8_t enc[2 * BPFCAP_META_MAX_LEN];
static char comment[8192];

static void *dup_exact(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	CHECK(q != NULL, "out of memory");
	if (n)
		memcpy(q, p, n);
	return q;
}

/* Every present field of a is in b with the same value (b may not have more). */
static void check_same_but(const struct bpfcap_meta *a, const struct bpfcap_meta *b,
			   const char *what, uint64_t extra_ok)
{
	CHECK((a->present & ~b->present) == 0 && (b->present & ~a->present & ~extra_ok) == 0,
	      "%s: present %#llx != %#llx", what, (unsigned long long)a->present,
	      (unsigned long long)b->present);
	CHECK(a->flags == b->flags, "%s: flags %u != %u", what, a->flags, b->flags);
	CHECK(b->unknown_tlvs == 0, "%s: the encoder wrote %u unknown TLVs", what, b->unknown_tlvs);
#define SAME(t, f)                                                                                 \
	CHECK(!HAS(a, t) || a->f == b->f, "%s: " #f " %llu != %llu", what,                         \
	      (unsigned long long)a->f, (unsigned long long)b->f)
#define SAME_STR(t, f)                                                                             \
	CHECK(!HAS(a, t) || strcmp(a->f, b->f) == 0, "%s: " #f " \"%s\" != \"%s\"", what, a->f,    \
	      b->f)
	SAME(PROBE_ID, probe_id);
	SAME_STR(PROBE, probe);
	SAME(PROBE_TYPE, probe_type);
	SAME(CPU, cpu);
	SAME(IFINDEX, ifindex);
	SAME_STR(IFNAME, ifname);
	SAME(NETNS, netns);
	SAME(SKB_LEN, skb_len);
	SAME(DATA_LEN, data_len);
	SAME(TRUNC, trunc);
	SAME(REASON, reason);
	SAME_STR(REASON_NAME, reason_name);
	SAME_STR(REASON_SUBSYS, reason_subsys);
	SAME(MARK, mark);
	SAME(PROTOCOL, protocol);
	SAME(PKT_TYPE, pkt_type);
	SAME(QUEUE, queue);
	SAME(PID, pid);
	SAME(TID, tid);
	SAME_STR(COMM, comm);
	SAME(SKB_ID, skb_id);
	SAME(VERDICT, verdict_kind);
	SAME(VERDICT, verdict);
	SAME_STR(STACK, stack);
	SAME(LOCATION, location);
	SAME_STR(LOCATION_SYM, location_sym);
	SAME(DIRECTION, direction);
	SAME(SKB_IIF, skb_iif);
	SAME(DEV_TYPE, dev_type);
	SAME(SYNTH, synth);
#undef SAME
#undef SAME_STR
}

static void check_same(const struct bpfcap_meta *a, const struct bpfcap_meta *b, const char *what)
{
	check_same_but(a, b, what, 0);
}

/* Version 2: decode(encode2(m)) has every field of m, plus only what defaults give back. */
static void check_roundtrip2(const struct bpfcap_meta *m, const char *what)
{
	const uint64_t defaults = (1ull << BPFCAP_META_DATA_LEN) | (1ull << BPFCAP_META_TRUNC) |
				  (1ull << BPFCAP_META_MARK) | (1ull << BPFCAP_META_SKB_IIF) |
				  (1ull << BPFCAP_META_QUEUE) | (1ull << BPFCAP_META_DIRECTION) |
				  (1ull << BPFCAP_META_PKT_TYPE) | (1ull << BPFCAP_META_TID) |
				  (1ull << BPFCAP_META_REASON_SUBSYS);
	uint8_t *exact;
	int n, n2;

	n = bpfcap_meta_encode2(m, 0, enc, sizeof(enc));
	CHECK(n >= 3 && (size_t)n <= sizeof(enc), "%s: encode2 returned %d", what, n);
	CHECK(bpfcap_meta_decode(enc, (size_t)n, &again) == 0, "%s: decode of encode2 failed",
	      what);
	check_same_but(m, &again, what, defaults);
	exact = malloc((size_t)n);
	CHECK(exact != NULL, "out of memory");
	n2 = bpfcap_meta_encode2(m, 0, exact, (size_t)n);
	CHECK(n2 == n && memcmp(exact, enc, (size_t)n) == 0, "%s: encode2 is not deterministic",
	      what);
	n2 = bpfcap_meta_encode2(m, 0, exact, (size_t)n - 1);
	CHECK(n2 == BPFCAP_META_ENOSPC, "%s: encode2 into %d bytes returned %d, want ENOSPC", what,
	      n - 1, n2);
	free(exact);
}

/* An interface description: what parses formats back to itself. */
static void check_idb(const char *text, size_t size)
{
	static struct bpfcap_meta idb, idb2;
	static char desc[2048];
	int n;

	if (bpfcap_meta_parse_idb(text, size, &idb) != 0)
		return;
	n = bpfcap_meta_format_idb(&idb, "EN10MB", "udp port 53", desc, sizeof(desc));
	CHECK(n > 0 && (size_t)n < sizeof(desc), "format_idb returned %d", n);
	CHECK(bpfcap_meta_parse_idb(desc, (size_t)n, &idb2) == 0, "own description \"%s\" rejected",
	      desc);
	check_same(&idb, &idb2, "idb");
}

/* decode(encode(m)) == m for the present fields; the encoder never writes past its buffer. */
static void check_roundtrip(const struct bpfcap_meta *m, const char *what)
{
	uint8_t *exact;
	int n, n2;

	n = bpfcap_meta_encode(m, enc, sizeof(enc));
	CHECK(n >= BPFCAP_META_HDR_LEN && (size_t)n <= sizeof(enc), "%s: encode returned %d", what,
	      n);
	CHECK(n % 4 == 0, "%s: encoded length %d is not a multiple of 4", what, n);
	CHECK(bpfcap_meta_decode(enc, (size_t)n, &again) == 0, "%s: decode of the encoding failed",
	      what);
	check_same(m, &again, what);

	/* exact-size heap buffers: ASan catches a write past the capacity */
	exact = malloc((size_t)n);
	CHECK(exact != NULL, "out of memory");
	n2 = bpfcap_meta_encode(m, exact, (size_t)n);
	CHECK(n2 == n && memcmp(exact, enc, (size_t)n) == 0, "%s: encode is not deterministic",
	      what);
	n2 = bpfcap_meta_encode(m, exact, (size_t)n - 1);
	CHECK(n2 == BPFCAP_META_ENOSPC, "%s: encode into %d bytes returned %d, want ENOSPC", what,
	      n - 1, n2);
	free(exact);
}

/* bpfcap_meta_format_comment() behaves like snprintf at every capacity. */
static size_t check_format(const struct bpfcap_meta *m, size_t small_cap)
{
	char *small;
	int n, n2;

	n = bpfcap_meta_format_comment(m, comment, sizeof(comment));
	CHECK(n >= 0 && (size_t)n < sizeof(comment), "format returned %d", n);
	CHECK(strlen(comment) == (size_t)n, "format returned %d but wrote %zu", n, strlen(comment));
	CHECK(bpfcap_meta_format_comment(m, NULL, 0) == n, "format with no buffer disagrees");
	small = malloc(small_cap);
	CHECK(small != NULL, "out of memory");
	n2 = bpfcap_meta_format_comment(m, small, small_cap);
	CHECK(n2 == n, "format into %zu bytes returned %d, want %d", small_cap, n2, n);
	CHECK(strlen(small) == ((size_t)n < small_cap ? (size_t)n : small_cap - 1) &&
		      memcmp(small, comment, strlen(small)) == 0,
	      "format into %zu bytes wrote \"%s\"", small_cap, small);
	free(small);
	return (size_t)n;
}

/* Iterator and decoder agree; TLVs are aligned, in order, inside the buffer, of legal length. */
static void check_iter(const uint8_t *buf, size_t size, int decode_err, const struct bpfcap_meta *m)
{
	struct bpfcap_meta_iter it;
	struct bpfcap_meta_tlv t;
	uint64_t seen = 0;
	unsigned unknown = 0;
	size_t next = BPFCAP_META_HDR_LEN;
	int err, want;

	err = bpfcap_meta_iter_init(&it, buf, size);
	if (err) {
		CHECK(err == decode_err, "iter_init %d, decode %d", err, decode_err);
		CHECK(bpfcap_meta_iter_next(&it, &t) == 0, "a bad header yields TLVs");
		return;
	}
	while ((err = bpfcap_meta_iter_next(&it, &t)) > 0) {
		CHECK(t.offset == next, "TLV at %zu, expected %zu", t.offset, next);
		CHECK(t.offset % 4 == 0, "TLV at unaligned offset %zu", t.offset);
		CHECK(t.offset + 4 + t.len <= size, "TLV at %zu of %u bytes runs past %zu",
		      t.offset, t.len, size);
		CHECK(t.value == buf + t.offset + 4, "value pointer off");
		want = bpfcap_meta_type_len(t.type);
		CHECK(want <= 0 || t.len == want, "type %u has length %u, must be %d", t.type,
		      t.len, want);
		CHECK((want < 0) == (bpfcap_meta_type_name(t.type) == NULL),
		      "type %u: length and name tables disagree", t.type);
		if (want < 0)
			unknown++;
		else
			seen |= (uint64_t)1 << t.type;
		next = t.offset + 4 + (((size_t)t.len + 3) & ~(size_t)3);
	}
	CHECK(err == decode_err, "iterator ended with %d, decode with %d", err, decode_err);
	CHECK(bpfcap_meta_iter_next(&it, &t) == 0, "the iterator goes on after its end");
	CHECK(seen == m->present, "iterator saw %#llx, decode %#llx", (unsigned long long)seen,
	      (unsigned long long)m->present);
	CHECK(unknown == m->unknown_tlvs, "iterator saw %u unknown TLVs, decode %u", unknown,
	      m->unknown_tlvs);
}

/* A name as the kernel writes them: the comment grammar can carry it unchanged. */
static int plain_token(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.' || *s == '@'))
			return 0;
	return 1;
}

/* The comment bpfcap writes for binary metadata parses back to the fields it shows. */
static void check_comment_of(const struct bpfcap_meta *m)
{
	char shortname[BPFCAP_META_STR_MAX];
	size_t n;

	bpfcap_meta_probe_label(m->probe, shortname, sizeof(shortname));
	if (!plain_token(shortname) || !plain_token(m->ifname) || !plain_token(m->reason_subsys) ||
	    !plain_token(m->reason_name) || (m->reason_name[0] >= '0' && m->reason_name[0] <= '9'))
		return;
	n = strlen(comment);
	if (!memchr(comment, ' ', n))
		return; /* just the probe name: not a bpfcap comment by design */
	CHECK(bpfcap_meta_parse_comment(comment, n, &parsed) == 0, "own comment \"%s\" rejected",
	      comment);
	/* device hooks and users' programs are labelled by what they are ("tc_egress",
	 * "prog42", lib/meta.c probe_label), not by the name part of the spec */
	if (strncmp(m->probe, "tc:", 3) && strncmp(m->probe, "prog:", 5) &&
	    strncmp(m->probe, "fentry:prog:", 12) && strncmp(m->probe, "fexit:prog:", 11))
		CHECK(strcmp(parsed.probe, shortname[0] ? shortname : "bpfcap") == 0,
		      "probe \"%s\" from \"%s\"", parsed.probe, comment);
	if (HAS(m, CPU))
		CHECK(HAS(&parsed, CPU) && parsed.cpu == m->cpu, "cpu from \"%s\"", comment);
	if (HAS(m, IFINDEX))
		CHECK(HAS(&parsed, IFINDEX) && parsed.ifindex == m->ifindex &&
			      strcmp(parsed.ifname, m->ifname) == 0,
		      "dev from \"%s\"", comment);
	if (HAS(m, REASON) && m->reason_name[0])
		CHECK(HAS(&parsed, REASON_NAME) && strcmp(parsed.reason_name, m->reason_name) == 0,
		      "reason name from \"%s\"", comment);
	if (HAS(m, REASON) && !m->reason_name[0])
		CHECK(HAS(&parsed, REASON) && parsed.reason == m->reason, "reason from \"%s\"",
		      comment);
	if (HAS(m, REASON) && m->reason_subsys[0] && strcmp(m->reason_subsys, "CORE") != 0)
		CHECK(strcmp(parsed.reason_subsys, m->reason_subsys) == 0, "subsys from \"%s\"",
		      comment);
	if (HAS(m, VERDICT))
		CHECK(HAS(&parsed, VERDICT) && parsed.verdict == m->verdict, "verdict from \"%s\"",
		      comment);
	if (HAS(m, MARK) && m->mark)
		CHECK(HAS(&parsed, MARK) && parsed.mark == m->mark, "mark from \"%s\"", comment);
	if (HAS(m, SYNTH) && m->synth)
		CHECK(HAS(&parsed, SYNTH) && parsed.synth, "headers=synthesized from \"%s\"",
		      comment);
	/* the three known truncation flags; unknown bits have no words in the comment */
	if (HAS(m, TRUNC) && (m->trunc & 7u))
		CHECK(HAS(&parsed, TRUNC) && (parsed.trunc & 7u) == (m->trunc & 7u),
		      "truncated %#x from \"%s\"", parsed.trunc, comment);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = dup_exact(data, size);
	char *text;
	int err;

	/* binary metadata */
	err = bpfcap_meta_decode(buf, size, &decoded);
	if (size >= 2 && buf[0] == BPFCAP_META_V2_MAGIC && buf[1] == BPFCAP_META_VERSION2) {
		CHECK(err == 0 || err == BPFCAP_META_ETRUNC || err == BPFCAP_META_ELEN ||
			      err == BPFCAP_META_ETRAIL,
		      "version 2: decode returned %d", err);
		check_roundtrip2(&decoded, "decoded v2");
		check_format(&decoded, 1 + size % 64);
		if (err == 0)
			check_comment_of(&decoded);
		free(buf);
		goto comment;
	}
	CHECK(err <= 0 && err >= BPFCAP_META_ELEN, "decode returned %d", err);
	check_iter(buf, size, err, &decoded);
	if (err == 0 || err == BPFCAP_META_ETRUNC || err == BPFCAP_META_ELEN) {
		/* also a partial decode is what the dissector summarises */
		check_roundtrip(&decoded, "decoded");
		check_roundtrip2(&decoded, "decoded, as v2");
		check_format(&decoded, 1 + size % 64);
		if (err == 0)
			check_comment_of(&decoded);
	}
	free(buf);

comment:
	/* the same bytes as a packet comment (exact size, no terminating NUL) */
	text = dup_exact(data, size);
	check_idb(text, size);
	if (bpfcap_meta_parse_comment(text, size, &parsed) == 0) {
		CHECK(parsed.flags & BPFCAP_META_F_DERIVED, "parsed comment not marked derived");
		CHECK(HAS(&parsed, PROBE) && parsed.probe[0], "parsed comment without a probe");
		check_roundtrip(&parsed, "parsed");
		check_roundtrip2(&parsed, "parsed, as v2");
		check_format(&parsed, 1 + size % 64);
	}
	free(text);
	return 0;
}
