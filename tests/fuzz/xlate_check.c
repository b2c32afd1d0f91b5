// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Invariants and an interpreter for the eBPF that extcap/filter_xlate.c emits (xlate_check.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>

#include "bpfcap/filter_abi.h"
#include "xlate_check.h"

#define WIN BPFCAP_FILTER_WINDOW

static const struct bpf_insn *dump_p;
static size_t dump_n;

#define XFAIL(...)                                                                                 \
	do {                                                                                       \
		fprintf(stderr, "xlate_check: " __VA_ARGS__);                                      \
		fputc('\n', stderr);                                                               \
		if (dump_p)                                                                        \
			xc_dump(dump_p, dump_n);                                                   \
		abort();                                                                           \
	} while (0)

void xc_dump(const struct bpf_insn *p, size_t n)
{
	size_t i, last = n;

	/* the slide is long: show the code and the last instruction */
	while (last > 1 && p[last - 2].code == (BPF_JMP | BPF_JA) && !p[last - 2].off)
		last--;
	for (i = 0; i < n; i++) {
		if (i >= last - 1 && i < n - 1)
			continue;
		fprintf(stderr, "  %4zu: code %02x dst r%u src r%u off %d imm %d\n", i, p[i].code,
			p[i].dst_reg, p[i].src_reg, p[i].off, p[i].imm);
	}
}

static int ldx_size(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_W: return 4;
	case BPF_H: return 2;
	case BPF_B: return 1;
	default: return 0;
	}
}

static bool is_jump(uint8_t code)
{
	uint8_t c = BPF_CLASS(code);

	return (c == BPF_JMP || c == BPF_JMP32) && BPF_OP(code) != BPF_EXIT &&
	       BPF_OP(code) != BPF_CALL;
}

static bool is_cond(uint8_t code)
{
	return is_jump(code) && !(BPF_CLASS(code) == BPF_JMP && BPF_OP(code) == BPF_JA);
}

static bool same(const struct bpf_insn *a, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
		 int32_t imm)
{
	return a->code == code && a->dst_reg == dst && a->src_reg == src && a->off == off &&
	       a->imm == imm;
}

/* Which opcodes the translator may emit at all (anything else is a translator bug). */
static bool allowed(const struct bpf_insn *in)
{
	uint8_t c = in->code;

	switch (BPF_CLASS(c)) {
	case BPF_ALU:
		switch (BPF_OP(c)) {
		case BPF_MOV:
		case BPF_ADD:
		case BPF_SUB:
		case BPF_MUL:
		case BPF_DIV:
		case BPF_MOD:
		case BPF_OR:
		case BPF_AND:
		case BPF_XOR:
		case BPF_LSH:
		case BPF_RSH: return true;
		case BPF_NEG: return BPF_SRC(c) == BPF_K;
		case BPF_END: return BPF_SRC(c) == BPF_TO_BE && (in->imm == 16 || in->imm == 32);
		default: return false;
		}
	case BPF_ALU64: return BPF_OP(c) == BPF_MOV || BPF_OP(c) == BPF_ADD;
	case BPF_LDX: return BPF_MODE(c) == BPF_MEM && ldx_size(c);
	case BPF_ST:
	case BPF_STX: return BPF_MODE(c) == BPF_MEM && BPF_SIZE(c) == BPF_W;
	case BPF_JMP:
		switch (BPF_OP(c)) {
		case BPF_JA:
		case BPF_EXIT: return BPF_SRC(c) == BPF_K;
		case BPF_JLT:
		case BPF_JGT:
		case BPF_JGE:
		case BPF_JEQ:
		case BPF_JSET: return true;
		default: return false;
		}
	case BPF_JMP32:
		switch (BPF_OP(c)) {
		case BPF_JEQ:
		case BPF_JGT:
		case BPF_JGE:
		case BPF_JSET: return true;
		default: return false;
		}
	default: return false;
	}
}

/* The verifier's "uses reserved fields" rules for these opcodes: a register source has no
 * immediate, an immediate source no source register, and so on. */
static bool reserved_clear(const struct bpf_insn *in)
{
	uint8_t c = in->code, cls = BPF_CLASS(c);

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (BPF_OP(c) == BPF_END || BPF_OP(c) == BPF_NEG)
			return in->src_reg == 0 && in->off == 0 &&
			       (BPF_OP(c) == BPF_END || in->imm == 0);
		if (BPF_SRC(c) == BPF_X)
			return in->imm == 0 && in->off == 0;
		return in->src_reg == 0 && in->off == 0;
	case BPF_LDX:
	case BPF_STX: return in->imm == 0;
	case BPF_ST: return in->src_reg == 0;
	case BPF_JMP:
	case BPF_JMP32:
		if (BPF_OP(c) == BPF_EXIT)
			return !in->src_reg && !in->dst_reg && !in->off && !in->imm;
		if (BPF_OP(c) == BPF_JA)
			return !in->src_reg && !in->dst_reg && !in->imm;
		if (BPF_SRC(c) == BPF_X)
			return in->imm == 0;
		return in->src_reg == 0;
	default: return true;
	}
}

void xc_check_static(const struct bpf_insn *p, size_t slots, uint32_t window)
{
	unsigned char *reach, *target, *r0in;
	size_t i, k;

	dump_p = p;
	dump_n = slots;
	if (slots < 22)
		XFAIL("a translation of %zu instructions cannot hold the prologue", slots);
	if (window > WIN)
		XFAIL("window %u > %d", window, WIN);
	if (!same(&p[slots - 1], BPF_JMP | BPF_EXIT, 0, 0, 0, 0))
		XFAIL("the last of the %zu slots is not exit", slots);
	/* prologue */
	if (!same(&p[0], BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0) ||
	    !same(&p[1], BPF_ALU | BPF_MOV | BPF_X, 7, 2, 0, 0) ||
	    !same(&p[2], BPF_ALU | BPF_MOV | BPF_X, 8, 3, 0, 0) ||
	    !same(&p[3], BPF_ALU | BPF_MOV | BPF_K, 4, 0, 0, 0) ||
	    !same(&p[4], BPF_ALU | BPF_MOV | BPF_K, 5, 0, 0, 0))
		XFAIL("prologue changed");
	for (i = 0; i < 16; i++)
		if (!same(&p[5 + i], BPF_ST | BPF_MEM | BPF_W, 10, 0, (int16_t)(-64 + 4 * (int)i),
			  0))
			XFAIL("scratch memory word %zu not zeroed in the prologue", i);

	reach = calloc(slots, 1);
	target = calloc(slots, 1);
	r0in = calloc(slots, 1); /* 0 unseen, 1 r0 set on every path so far, 2 not on some */
	if (!reach || !target || !r0in)
		XFAIL("out of memory");
	for (i = 0; i < slots; i++) {
		const struct bpf_insn *in = &p[i];

		if (!allowed(in))
			XFAIL("insn %zu: opcode 0x%02x is not one the translator emits", i,
			      in->code);
		if (in->dst_reg > 10 || in->src_reg > 10)
			XFAIL("insn %zu: register out of range", i);
		if (!reserved_clear(in))
			XFAIL("insn %zu: opcode 0x%02x with reserved fields set (src r%u off %d "
			      "imm %d); "
			      "the verifier refuses that",
			      i, in->code, in->src_reg, in->off, in->imm);
		if (BPF_CLASS(in->code) == BPF_JMP && BPF_OP(in->code) == BPF_EXIT &&
		    i != slots - 1)
			XFAIL("insn %zu: exit before the last slot", i);
		if (is_jump(in->code)) {
			long t = (long)i + 1 + in->off;

			if (in->off < 0)
				XFAIL("insn %zu: backward jump (off %d)", i, in->off);
			if (t >= (long)slots)
				XFAIL("insn %zu: jump to %ld, outside the %zu slots", i, t, slots);
			target[t] = 1;
		}
		if (i >= 21) {
			uint8_t cls = BPF_CLASS(in->code);
			bool writes = cls == BPF_ALU || cls == BPF_ALU64 || cls == BPF_LDX;

			if (writes && in->dst_reg >= 6 && in->dst_reg <= 8)
				XFAIL("insn %zu: writes r%u (window, caplen, wirelen)", i,
				      in->dst_reg);
			if (writes && (in->dst_reg == 10 || in->dst_reg == 1 || in->dst_reg == 3))
				XFAIL("insn %zu: writes r%u", i, in->dst_reg);
			if ((cls == BPF_ALU || cls == BPF_ALU64 || is_jump(in->code) ||
			     cls == BPF_STX || cls == BPF_LDX) &&
			    BPF_SRC(in->code) == BPF_X && (in->src_reg == 1 || in->src_reg == 3))
				XFAIL("insn %zu: reads r%u after the prologue", i, in->src_reg);
		}
	}
	/* structure of loads and stores */
	for (i = 21; i < slots; i++) {
		const struct bpf_insn *in = &p[i];
		int s = ldx_size(in->code);

		if (BPF_CLASS(in->code) == BPF_ST || BPF_CLASS(in->code) == BPF_STX) {
			if (in->dst_reg != 10 || in->off < -64 || in->off > -4 || in->off % 4)
				XFAIL("insn %zu: store outside the scratch memory (r%u%+d)", i,
				      in->dst_reg, in->off);
			continue;
		}
		if (BPF_CLASS(in->code) != BPF_LDX)
			continue;
		if (in->src_reg == 10) {
			if (s != 4 || in->off < -64 || in->off > -4 || in->off % 4)
				XFAIL("insn %zu: load outside the scratch memory", i);
		} else if (in->src_reg == 6) {
			/* absolute: "if caplen < off + s goto reject" right before, no way around */
			if (in->off < 0 || in->off + s > WIN || (uint32_t)(in->off + s) > window)
				XFAIL("insn %zu: window load at %d+%d (window %u)", i, in->off, s,
				      window);
			if (target[i] || !same(&p[i - 1], BPF_JMP | BPF_JLT | BPF_K, 7, 0,
					       p[i - 1].off, in->off + s))
				XFAIL("insn %zu: window load at %d without its caplen check", i,
				      in->off);
		} else if (in->src_reg == 9) {
			/* indirect: r9 = X + k; if r9 > WIN - s reject; r2 = r9 + s;
			 * if r2 > caplen reject; r9 += r6; load */
			/* how far X can reach is the translator's analysis: xc_run() checks
			 * that no load goes past the window it computed */
			if (in->off != 0 || i < 26)
				XFAIL("insn %zu: indirect load shape (off %d)", i, in->off);
			for (k = i - 4; k <= i; k++)
				if (target[k])
					XFAIL("insn %zu: jump into the bounds checks of an "
					      "indirect "
					      "load",
					      k);
			if (!same(&p[i - 1], BPF_ALU64 | BPF_ADD | BPF_X, 9, 6, 0, 0) ||
			    !same(&p[i - 2], BPF_JMP | BPF_JGT | BPF_X, 2, 7, p[i - 2].off, 0) ||
			    !same(&p[i - 3], BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, s) ||
			    !same(&p[i - 4], BPF_ALU64 | BPF_MOV | BPF_X, 2, 9, 0, 0) ||
			    !same(&p[i - 5], BPF_JMP | BPF_JGT | BPF_K, 9, 0, p[i - 5].off,
				  WIN - s))
				XFAIL("insn %zu: indirect load without its bounds checks", i);
		} else {
			XFAIL("insn %zu: load through r%u", i, in->src_reg);
		}
	}
	/* reachability and "r0 set on every path to the exit"; jumps only go forward */
	reach[0] = 1;
	r0in[0] = 2;
	for (i = 0; i < slots; i++) {
		const struct bpf_insn *in = &p[i];
		int out;

		if (!reach[i])
			XFAIL("insn %zu is unreachable (the verifier refuses that)", i);
		out = r0in[i];
		if ((BPF_CLASS(in->code) == BPF_ALU || BPF_CLASS(in->code) == BPF_ALU64 ||
		     BPF_CLASS(in->code) == BPF_LDX) &&
		    in->dst_reg == 0)
			out = 1;
		if (BPF_CLASS(in->code) == BPF_JMP && BPF_OP(in->code) == BPF_EXIT) {
			if (r0in[i] != 1)
				XFAIL("insn %zu: exit with r0 unset on some path", i);
			continue;
		}
		if (is_jump(in->code)) {
			size_t t = i + 1 + (size_t)in->off;

			reach[t] = 1;
			r0in[t] = r0in[t] ? (r0in[t] == 1 && out == 1 ? 1 : 2) : (unsigned char)out;
			if (!is_cond(in->code))
				continue;
		}
		if (i + 1 < slots) {
			reach[i + 1] = 1;
			r0in[i + 1] = r0in[i + 1] ? (r0in[i + 1] == 1 && out == 1 ? 1 : 2)
						  : (unsigned char)out;
		}
	}
	free(reach);
	free(target);
	free(r0in);
	dump_p = NULL;
}

enum { K_NONE = 0, K_SCALAR, K_WIN, K_STACK };

struct reg {
	int kind;
	uint64_t v; /* value, or offset from the window / frame pointer */
};

static uint32_t bswap(uint32_t v, int bits)
{
	if (bits == 16)
		return (uint16_t)((v >> 8) | (v << 8));
	return __builtin_bswap32(v);
}

uint32_t xc_run(const struct bpf_insn *p, size_t slots, const uint8_t *win, uint32_t caplen,
		uint32_t wirelen)
{
	struct reg r[11];
	uint32_t stack[16];
	unsigned char stack_set[16] = { 0 };
	size_t pc = 0, steps = 0;

	dump_p = p;
	dump_n = slots;
	if (caplen > WIN)
		XFAIL("harness: caplen %u > window", caplen);
	memset(r, 0, sizeof(r));
	memset(stack, 0, sizeof(stack));
	r[1] = (struct reg){ K_WIN, 0 };
	r[2] = (struct reg){ K_SCALAR, caplen };
	r[3] = (struct reg){ K_SCALAR, wirelen };
	r[10] = (struct reg){ K_STACK, 0 };
	for (;;) {
		const struct bpf_insn *in;
		uint8_t c, cls;
		struct reg *d, *s, imm;
		uint64_t sv;

		if (pc >= slots)
			XFAIL("run: fell off the end at %zu", pc);
		if (++steps > slots)
			XFAIL("run: more steps than instructions (a loop?)");
		in = &p[pc];
		c = in->code;
		cls = BPF_CLASS(c);
		d = &r[in->dst_reg];
		imm = (struct reg){ K_SCALAR, (uint64_t)(int64_t)in->imm };
		/* BPF_END's source bit means "to big endian", not a register */
		s = BPF_SRC(c) == BPF_X && BPF_OP(c) != BPF_END ? &r[in->src_reg] : &imm;
		if (cls == BPF_JMP && BPF_OP(c) == BPF_EXIT) {
			if (r[0].kind != K_SCALAR)
				XFAIL("run: exit with r0 %s", r[0].kind ? "a pointer" : "unset");
			dump_p = NULL;
			return (uint32_t)r[0].v;
		}
		if ((cls == BPF_ALU || cls == BPF_ALU64 || is_cond(c)) && BPF_SRC(c) == BPF_X &&
		    s->kind == K_NONE)
			XFAIL("run: insn %zu reads r%u unset", pc, in->src_reg);
		switch (cls) {
		case BPF_ALU:
		case BPF_ALU64: {
			bool is64 = cls == BPF_ALU64;
			uint8_t op = BPF_OP(c);

			if (op != BPF_MOV && d->kind == K_NONE)
				XFAIL("run: insn %zu reads r%u unset", pc, in->dst_reg);
			if (op == BPF_MOV) {
				if (!is64 && s->kind != K_SCALAR)
					XFAIL("run: insn %zu: 32-bit move of a pointer", pc);
				*d = *s;
				if (!is64)
					d->v = (uint32_t)d->v;
				break;
			}
			if (is64 && op == BPF_ADD) {
				if (d->kind != K_SCALAR && s->kind != K_SCALAR)
					XFAIL("run: insn %zu: pointer + pointer", pc);
				d->kind = d->kind == K_SCALAR ? s->kind : d->kind;
				d->v += s->v;
				break;
			}
			if (d->kind != K_SCALAR || s->kind != K_SCALAR)
				XFAIL("run: insn %zu: arithmetic on a pointer", pc);
			{
				uint32_t a = (uint32_t)d->v, b = (uint32_t)s->v;

				switch (op) {
				case BPF_ADD: a += b; break;
				case BPF_SUB: a -= b; break;
				case BPF_MUL: a *= b; break;
				case BPF_DIV: a = b ? a / b : 0; break;
				case BPF_MOD: a = b ? a % b : a; break;
				case BPF_OR: a |= b; break;
				case BPF_AND: a &= b; break;
				case BPF_XOR: a ^= b; break;
				case BPF_LSH: a <<= (b & 31); break;
				case BPF_RSH: a >>= (b & 31); break;
				case BPF_NEG: a = -a; break;
				case BPF_END: a = bswap(a, in->imm); break;
				default: XFAIL("run: insn %zu: ALU op 0x%02x", pc, c);
				}
				d->v = a;
			}
			break;
		}
		case BPF_LDX: {
			int sz = ldx_size(c);
			struct reg *b = &r[in->src_reg];
			int64_t at = (int64_t)b->v + in->off;

			if (b->kind == K_WIN) {
				if (at < 0 || at + sz > WIN)
					XFAIL("run: insn %zu: window load at %lld+%d outside the "
					      "window",
					      pc, (long long)at, sz);
				if (at + sz > (int64_t)caplen)
					XFAIL("run: insn %zu: window load at %lld+%d past caplen "
					      "%u "
					      "(stale bytes)",
					      pc, (long long)at, sz, caplen);
				sv = 0;
				memcpy(&sv, win + at, (size_t)sz); /* little-endian host */
			} else if (b->kind == K_STACK) {
				int64_t o = at + 64;

				if (sz != 4 || o < 0 || o > 60 || o % 4)
					XFAIL("run: insn %zu: stack load at %lld", pc,
					      (long long)at);
				if (!stack_set[o / 4])
					XFAIL("run: insn %zu: uninitialised stack read", pc);
				sv = stack[o / 4];
			} else {
				XFAIL("run: insn %zu: load through r%u (not a pointer)", pc,
				      in->src_reg);
			}
			*d = (struct reg){ K_SCALAR, sv };
			break;
		}
		case BPF_ST:
		case BPF_STX: {
			int64_t o = (int64_t)d->v + in->off + 64;
			struct reg *v = cls == BPF_STX ? &r[in->src_reg] : &imm;

			if (d->kind != K_STACK || o < 0 || o > 60 || o % 4)
				XFAIL("run: insn %zu: store outside the scratch memory", pc);
			if (v->kind != K_SCALAR)
				XFAIL("run: insn %zu: stores r%u %s", pc, in->src_reg,
				      v->kind ? "a pointer" : "unset");
			stack[o / 4] = (uint32_t)v->v;
			stack_set[o / 4] = 1;
			break;
		}
		case BPF_JMP:
		case BPF_JMP32: {
			uint8_t op = BPF_OP(c);
			uint64_t a, b;
			bool t;

			if (op == BPF_JA) {
				pc += (size_t)in->off;
				break;
			}
			if (d->kind != K_SCALAR || s->kind != K_SCALAR)
				XFAIL("run: insn %zu: compares r%u %s", pc, in->dst_reg,
				      d->kind ? "a pointer" : "unset");
			a = d->v;
			b = s->v;
			if (cls == BPF_JMP32) {
				a = (uint32_t)a;
				b = (uint32_t)b;
			}
			switch (op) {
			case BPF_JEQ: t = a == b; break;
			case BPF_JGT: t = a > b; break;
			case BPF_JGE: t = a >= b; break;
			case BPF_JLT: t = a < b; break;
			case BPF_JSET: t = (a & b) != 0; break;
			default: XFAIL("run: insn %zu: jump op 0x%02x", pc, c);
			}
			if (t)
				pc += (size_t)in->off;
			break;
		}
		default: XFAIL("run: insn %zu: class 0x%02x", pc, cls);
		}
		pc++;
	}
}
