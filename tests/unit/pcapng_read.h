/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A small, strict pcapng reader for the tests (host byte order sections only): walks blocks and
 * options so the tests can check what stock tools do not show (ISB counters, custom option
 * bytes) and that every length field is consistent. */
#ifndef BPFCAP_TEST_PCAPNG_READ_H
#define BPFCAP_TEST_PCAPNG_READ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PN_SHB 0x0A0D0D0Au
#define PN_IDB 0x00000001u
#define PN_EPB 0x00000006u
#define PN_ISB 0x00000005u

struct pn_block {
	uint32_t type, total;
	size_t offset;	     /* of the block in the file */
	const uint8_t *body; /* after type and length */
	size_t body_len;     /* without the trailing length */
	const uint8_t *opts; /* options area, NULL for unknown block types */
	size_t opts_len;
};

struct pn_opt {
	uint16_t code, len;
	const uint8_t *val;
};

static inline uint32_t pn_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint16_t pn_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static inline uint64_t pn_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Whole file into memory; NULL on error. */
static inline uint8_t *pn_load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap ? cap * 2 : 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		r = fread(buf + n, 1, cap - n, f);
		if (!r)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* 1: *b filled and *off advanced; 0: end of file; -1: malformed block (lengths inconsistent). */
static inline int pn_next(const uint8_t *buf, size_t len, size_t *off, struct pn_block *b)
{
	size_t o = *off, fixed;

	if (o == len)
		return 0;
	if (len - o < 12)
		return -1;
	memset(b, 0, sizeof(*b));
	b->type = pn_u32(buf + o);
	b->total = pn_u32(buf + o + 4);
	b->offset = o;
	if (b->total < 12 || b->total % 4 || b->total > len - o)
		return -1;
	if (pn_u32(buf + o + b->total - 4) != b->total)
		return -1;
	b->body = buf + o + 8;
	b->body_len = b->total - 12;
	switch (b->type) {
	case PN_SHB: fixed = 16; break;
	case PN_IDB: fixed = 8; break;
	case PN_ISB: fixed = 12; break;
	case PN_EPB:
		if (b->body_len < 20)
			return -1;
		fixed = 20 + ((pn_u32(b->body + 12) + 3u) & ~3u);
		break;
	default: fixed = b->body_len; break;
	}
	if (fixed > b->body_len)
		return -1;
	if (b->type == PN_SHB || b->type == PN_IDB || b->type == PN_ISB || b->type == PN_EPB) {
		b->opts = b->body + fixed;
		b->opts_len = b->body_len - fixed;
	}
	*off = o + b->total;
	return 1;
}

/* 1: *opt filled; 0: end (opt_endofopt or end of area); -1: an option runs past the block. */
static inline int pn_opt_next(const struct pn_block *b, size_t *off, struct pn_opt *opt)
{
	size_t o = *off;

	if (!b->opts || o + 4 > b->opts_len)
		return 0;
	opt->code = pn_u16(b->opts + o);
	opt->len = pn_u16(b->opts + o + 2);
	if (opt->code == 0)
		return 0;
	if (o + 4 + opt->len > b->opts_len)
		return -1;
	opt->val = b->opts + o + 4;
	*off = o + 4 + ((opt->len + 3u) & ~3u);
	return 1;
}

/* First option of that code in the block, or NULL. */
static inline const uint8_t *pn_find_opt(const struct pn_block *b, uint16_t code, uint16_t *len)
{
	struct pn_opt opt;
	size_t off = 0;

	while (pn_opt_next(b, &off, &opt) > 0)
		if (opt.code == code) {
			if (len)
				*len = opt.len;
			return opt.val;
		}
	return NULL;
}

/* Checks the whole file: every block well-formed, every option inside its block and the options
 * area ending with opt_endofopt or at the block end. Returns the number of blocks, -1 if not. */
static inline int pn_validate(const uint8_t *buf, size_t len)
{
	struct pn_block b;
	size_t off = 0;
	int n = 0, r;

	while ((r = pn_next(buf, len, &off, &b)) > 0) {
		struct pn_opt opt;
		size_t ooff = 0;
		int k;

		while ((k = pn_opt_next(&b, &ooff, &opt)) > 0)
			;
		if (k < 0)
			return -1;
		n++;
	}
	return r < 0 ? -1 : n;
}

#endif /* BPFCAP_TEST_PCAPNG_READ_H */
