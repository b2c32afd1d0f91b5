// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cBPF -> eBPF. Register use (the stub makes no calls):
 *   r6 window (map value), r7 caplen, r8 wirelen, w4 A, w5 X, r9/r2 scratch,
 *   M[0..15] at r10-64 ... r10-4, r0 the return value.
 * Every packet load is bounds-checked twice: against the constant window size (so the verifier
 * can prove the access) and against caplen (so a load past the captured bytes rejects the packet,
 * as libpcap's bpf_filter() does). Jumps are forward only, as in classic BPF.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfcap/filter_abi.h"
#include <linux/bpf.h>
#include <linux/filter.h>

#include "filter_xlate.h"

#define R_A  BPF_REG_4
#define R_X  BPF_REG_5
#define R_D  BPF_REG_6
#define R_L  BPF_REG_7
#define R_W  BPF_REG_8
#define R_T  BPF_REG_9
#define R_T2 BPF_REG_2

enum { LBL_RET = -1 }; /* jump to the slide (after r0 is set) */

struct fixup {
	size_t at;  /* eBPF instruction with the jump */
	long label; /* cBPF index, or LBL_RET */
};

struct xl {
	uint64_t x_max; /* largest value X can hold (for the window of indexed loads) */
	struct bpf_insn *out;
	size_t cap, n;
	size_t *start; /* eBPF index of each cBPF instruction */
	struct fixup *fx;
	size_t nfx, capfx;
	int err;
};

static void emit(struct xl *x, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (x->n >= x->cap) {
		x->err = -E2BIG;
		return;
	}
	x->out[x->n] = (struct bpf_insn){
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm
	};
	x->n++;
}

static void jump(struct xl *x, uint8_t code, uint8_t dst, uint8_t src, int32_t imm, long label)
{
	if (x->nfx == x->capfx) {
		size_t cap = x->capfx ? x->capfx * 2 : 64;
		struct fixup *f = realloc(x->fx, cap * sizeof(*f));

		if (!f) {
			x->err = -ENOMEM;
			return;
		}
		x->fx = f;
		x->capfx = cap;
	}
	x->fx[x->nfx].at = x->n;
	x->fx[x->nfx].label = label;
	x->nfx++;
	emit(x, code, dst, src, 0, imm);
}

static void ret0(struct xl *x)
{
	emit(x, BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	jump(x, BPF_JMP | BPF_JA, 0, 0, 0, LBL_RET);
}

static int size_of(uint16_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_W: return 4;
	case BPF_H: return 2;
	case BPF_B: return 1;
	default: return 0;
	}
}

static uint8_t ebpf_size(int s)
{
	return s == 4 ? BPF_W : s == 2 ? BPF_H : BPF_B;
}

/* A (or X for MSH) = packet[k .. k+s) in host order; rejects when out of the captured bytes */
static void load_abs(struct xl *x, int s, uint32_t k, uint8_t dst, uint32_t *window)
{
	if ((uint64_t)k + (uint64_t)s > BPFCAP_FILTER_WINDOW) {
		/* Beyond what the filter can see: as beyond the packet, rejected (caplen is at
		 * most the window). A conditional jump keeps what follows reachable for the
		 * verifier's CFG check. */
		jump(x, BPF_JMP | BPF_JLT | BPF_K, R_L, 0, BPFCAP_FILTER_WINDOW + 1, -2);
		return;
	}
	if (k + (uint32_t)s > *window)
		*window = k + (uint32_t)s;
	/* if (caplen < k + s) reject */
	jump(x, BPF_JMP | BPF_JLT | BPF_K, R_L, 0, (int32_t)(k + (uint32_t)s), -2);
	emit(x, BPF_LDX | BPF_MEM | ebpf_size(s), dst, R_D, (int16_t)k, 0);
	if (s > 1)
		emit(x, BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, s * 8);
}

static void load_ind(struct xl *x, int s, uint32_t k, uint32_t *window)
{
	uint64_t need;

	if (k > BPFCAP_FILTER_WINDOW)
		k = BPFCAP_FILTER_WINDOW + 1; /* rejects at run time all the same */
	/* the bytes this load may touch, given what X can be (set in a pre-pass) */
	need = x->x_max + k + (uint64_t)s;
	if (need > BPFCAP_FILTER_WINDOW)
		need = BPFCAP_FILTER_WINDOW;
	if (need > *window)
		*window = (uint32_t)need;
	emit(x, BPF_ALU | BPF_MOV | BPF_X, R_T, R_X, 0, 0); /* w9 = X */
	if (k)
		emit(x, BPF_ALU64 | BPF_ADD | BPF_K, R_T, 0, 0, (int32_t)k);
	/* verifier bound, then the packet bound */
	jump(x, BPF_JMP | BPF_JGT | BPF_K, R_T, 0, BPFCAP_FILTER_WINDOW - s, -2);
	emit(x, BPF_ALU64 | BPF_MOV | BPF_X, R_T2, R_T, 0, 0);
	emit(x, BPF_ALU64 | BPF_ADD | BPF_K, R_T2, 0, 0, s);
	jump(x, BPF_JMP | BPF_JGT | BPF_X, R_T2, R_L, 0, -2);
	emit(x, BPF_ALU64 | BPF_ADD | BPF_X, R_T, R_D, 0, 0);
	emit(x, BPF_LDX | BPF_MEM | ebpf_size(s), R_A, R_T, 0, 0);
	if (s > 1)
		emit(x, BPF_ALU | BPF_END | BPF_TO_BE, R_A, 0, 0, s * 8);
}

static int16_t mem_off(uint32_t k)
{
	return (int16_t)(-64 + 4 * (int)k);
}

int filter_xlate(const struct sock_filter *c, size_t n, void *out_buf, size_t slots,
		 uint32_t *window, char *err, size_t errlen)
{
	struct bpf_insn *out = out_buf;
	struct xl x = { .out = out, .cap = slots ? slots - 1 : 0 }; /* last slot: exit */
	size_t i, ret0_at;
	unsigned char *reach = NULL;
	int ret = 0;

	*window = 0;
	err[0] = '\0';
	if (!n || n > BPF_MAXINSNS) {
		snprintf(err, errlen, "classic BPF program of %zu instructions", n);
		return -EINVAL;
	}
	/* as bpf_validate() and the kernel's classic checker: a program that could run off its
	 * end would reach the exit with r0 unset, which the verifier refuses */
	if (BPF_CLASS(c[n - 1].code) != BPF_RET) {
		snprintf(err, errlen, "the classic BPF program does not end with a return");
		return -EINVAL;
	}
	x.start = calloc(n + 1, sizeof(*x.start));
	if (!x.start)
		return -ENOMEM;

	/* prologue */
	emit(&x, BPF_ALU64 | BPF_MOV | BPF_X, R_D, BPF_REG_1, 0, 0);
	emit(&x, BPF_ALU | BPF_MOV | BPF_X, R_L, BPF_REG_2, 0, 0);
	emit(&x, BPF_ALU | BPF_MOV | BPF_X, R_W, BPF_REG_3, 0, 0);
	emit(&x, BPF_ALU | BPF_MOV | BPF_K, R_A, 0, 0, 0);
	emit(&x, BPF_ALU | BPF_MOV | BPF_K, R_X, 0, 0, 0);
	for (i = 0; i < BPF_MEMWORDS; i++) /* the verifier wants the stack initialised */
		emit(&x, BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, mem_off((uint32_t)i), 0);

	/* the verifier refuses unreachable instructions: translate only what can run */
	reach = calloc(n, 1);
	if (!reach) {
		free(x.start);
		return -ENOMEM;
	}
	reach[0] = 1;
	for (i = 0; i < n; i++) {
		uint16_t code = c[i].code;

		if (!reach[i] || BPF_CLASS(code) == BPF_RET)
			continue;
		if (BPF_CLASS(code) == BPF_JMP && BPF_OP(code) == BPF_JA) {
			if ((uint64_t)i + 1 + c[i].k < n)
				reach[i + 1 + c[i].k] = 1;
		} else if (BPF_CLASS(code) == BPF_JMP) {
			if (i + 1 + (size_t)c[i].jt < n)
				reach[i + 1 + c[i].jt] = 1;
			if (i + 1 + (size_t)c[i].jf < n)
				reach[i + 1 + c[i].jf] = 1;
		} else if (i + 1 < n) {
			reach[i + 1] = 1;
		}
	}

	/* What can X hold? ldxb 4*([k]&0xf) gives at most 60 and ldx #k gives k; anything
	 * else (tax, ldx M[], ldx len) could be anything: the whole window then. */
	for (i = 0; i < n; i++) {
		uint16_t code = c[i].code;

		if (!reach[i])
			continue;
		if (BPF_CLASS(code) == BPF_LDX) {
			if (BPF_MODE(code) == BPF_MSH && x.x_max < 60)
				x.x_max = 60;
			else if (BPF_MODE(code) == BPF_IMM && c[i].k > x.x_max)
				x.x_max = c[i].k;
			else if (BPF_MODE(code) != BPF_MSH && BPF_MODE(code) != BPF_IMM)
				x.x_max = UINT32_MAX;
		} else if (BPF_CLASS(code) == BPF_MISC && BPF_MISCOP(code) == BPF_TAX) {
			x.x_max = UINT32_MAX;
		}
	}

	for (i = 0; i < n && !x.err && !ret; i++) {
		const struct sock_filter *f = &c[i];
		uint16_t code = f->code;
		uint32_t k = f->k;
		int s = size_of(code);
		uint8_t src = BPF_SRC(code) == BPF_X ? BPF_X : BPF_K;
		/* classic BPF ignores k when the operand is X; eBPF refuses an immediate there
		 * ("uses reserved fields") */
		int32_t imm = src == BPF_X ? 0 : (int32_t)k;

		x.start[i] = x.n;
		if (!reach[i])
			continue;
		switch (BPF_CLASS(code)) {
		case BPF_LD:
			switch (BPF_MODE(code)) {
			case BPF_ABS:
			case BPF_IND:
				if (k >= (uint32_t)SKF_AD_OFF) {
					snprintf(err, errlen,
						 "the filter uses Linux socket-filter extensions "
						 "(ancillary loads), which bpfcap cannot run");
					ret = -EINVAL;
					break;
				}
				if (!s) {
					ret = -EINVAL;
					break;
				}
				if (BPF_MODE(code) == BPF_ABS)
					load_abs(&x, s, k, R_A, window);
				else
					load_ind(&x, s, k, window);
				break;
			case BPF_IMM:
				emit(&x, BPF_ALU | BPF_MOV | BPF_K, R_A, 0, 0, (int32_t)k);
				break;
			case BPF_MEM:
				if (k >= BPF_MEMWORDS) {
					ret = -EINVAL;
					break;
				}
				emit(&x, BPF_LDX | BPF_MEM | BPF_W, R_A, BPF_REG_10, mem_off(k), 0);
				break;
			case BPF_LEN: emit(&x, BPF_ALU | BPF_MOV | BPF_X, R_A, R_W, 0, 0); break;
			default: ret = -EINVAL;
			}
			break;
		case BPF_LDX:
			switch (BPF_MODE(code)) {
			case BPF_IMM:
				emit(&x, BPF_ALU | BPF_MOV | BPF_K, R_X, 0, 0, (int32_t)k);
				break;
			case BPF_MEM:
				if (k >= BPF_MEMWORDS) {
					ret = -EINVAL;
					break;
				}
				emit(&x, BPF_LDX | BPF_MEM | BPF_W, R_X, BPF_REG_10, mem_off(k), 0);
				break;
			case BPF_LEN: emit(&x, BPF_ALU | BPF_MOV | BPF_X, R_X, R_W, 0, 0); break;
			case BPF_MSH: /* X = 4 * (packet[k] & 0xf) */
				if (k >= (uint32_t)SKF_AD_OFF) {
					ret = -EINVAL;
					break;
				}
				load_abs(&x, 1, k, R_X, window);
				emit(&x, BPF_ALU | BPF_AND | BPF_K, R_X, 0, 0, 0xf);
				emit(&x, BPF_ALU | BPF_LSH | BPF_K, R_X, 0, 0, 2);
				break;
			default: ret = -EINVAL;
			}
			break;
		case BPF_ST:
		case BPF_STX:
			if (k >= BPF_MEMWORDS) {
				ret = -EINVAL;
				break;
			}
			emit(&x, BPF_STX | BPF_MEM | BPF_W, BPF_REG_10,
			     BPF_CLASS(code) == BPF_ST ? R_A : R_X, mem_off(k), 0);
			break;
		case BPF_ALU:
			switch (BPF_OP(code)) {
			case BPF_ADD:
			case BPF_SUB:
			case BPF_MUL:
			case BPF_OR:
			case BPF_AND:
			case BPF_XOR:
				emit(&x, BPF_ALU | BPF_OP(code) | src, R_A, src == BPF_X ? R_X : 0,
				     0, imm);
				break;
			case BPF_LSH:
			case BPF_RSH:
				if (src == BPF_K && k >= 32) {
					snprintf(err, errlen, "shift by %u in the filter", k);
					ret = -EINVAL;
					break;
				}
				if (src == BPF_X) { /* shifts by 32 or more give 0, not UB */
					jump(&x, BPF_JMP32 | BPF_JGE | BPF_K, R_X, 0, 32, -3);
					emit(&x, BPF_ALU | BPF_OP(code) | BPF_X, R_A, R_X, 0, 0);
					jump(&x, BPF_JMP | BPF_JA, 0, 0, 0, -4);
					/* -3 lands here: A = 0 */
					x.fx[x.nfx - 2].label = -(long)x.n - 10;
					emit(&x, BPF_ALU | BPF_MOV | BPF_K, R_A, 0, 0, 0);
					x.fx[x.nfx - 1].label = -(long)x.n - 10;
					break;
				}
				emit(&x, BPF_ALU | BPF_OP(code) | BPF_K, R_A, 0, 0, (int32_t)k);
				break;
			case BPF_DIV:
			case BPF_MOD:
				if (src == BPF_K && k == 0) {
					/* as the classic interpreter: reject (a conditional jump
					 * that is always taken keeps what follows reachable) */
					jump(&x, BPF_JMP | BPF_JGE | BPF_K, R_L, 0, 0, -2);
					emit(&x, BPF_ALU | BPF_OP(code) | BPF_K, R_A, 0, 0, 1);
					break;
				}
				if (src == BPF_X)
					jump(&x, BPF_JMP32 | BPF_JEQ | BPF_K, R_X, 0, 0, -2);
				emit(&x, BPF_ALU | BPF_OP(code) | src, R_A, src == BPF_X ? R_X : 0,
				     0, imm);
				break;
			case BPF_NEG: emit(&x, BPF_ALU | BPF_NEG, R_A, 0, 0, 0); break;
			default: ret = -EINVAL;
			}
			break;
		case BPF_JMP: {
			size_t t, fl;

			if (BPF_OP(code) == BPF_JA) {
				t = i + 1 + (size_t)k;
				if ((uint64_t)i + 1 + k >= n) {
					snprintf(err, errlen,
						 "the filter jumps out of range (backward jumps "
						 "such as "
						 "protochain's cannot run in the kernel)");
					ret = -EINVAL;
					break;
				}
				jump(&x, BPF_JMP | BPF_JA, 0, 0, 0, (long)t);
				break;
			}
			t = i + 1 + f->jt;
			fl = i + 1 + f->jf;
			if (t >= n || fl >= n) {
				snprintf(err, errlen, "the filter jumps out of range");
				ret = -EINVAL;
				break;
			}
			if (BPF_OP(code) != BPF_JEQ && BPF_OP(code) != BPF_JGT &&
			    BPF_OP(code) != BPF_JGE && BPF_OP(code) != BPF_JSET) {
				ret = -EINVAL;
				break;
			}
			jump(&x, BPF_JMP32 | BPF_OP(code) | src, R_A, src == BPF_X ? R_X : 0, imm,
			     (long)t);
			if (f->jf)
				jump(&x, BPF_JMP | BPF_JA, 0, 0, 0, (long)fl);
			break;
		}
		case BPF_RET:
			if (BPF_RVAL(code) == BPF_A)
				emit(&x, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_0, R_A, 0, 0);
			else if (BPF_RVAL(code) == BPF_X)
				emit(&x, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_0, R_X, 0, 0);
			else
				emit(&x, BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, (int32_t)k);
			jump(&x, BPF_JMP | BPF_JA, 0, 0, 0, LBL_RET);
			break;
		case BPF_MISC:
			if (BPF_MISCOP(code) == BPF_TAX)
				emit(&x, BPF_ALU | BPF_MOV | BPF_X, R_X, R_A, 0, 0);
			else if (BPF_MISCOP(code) == BPF_TXA)
				emit(&x, BPF_ALU | BPF_MOV | BPF_X, R_A, R_X, 0, 0);
			else
				ret = -EINVAL;
			break;
		default: ret = -EINVAL;
		}
		if (ret && !err[0])
			snprintf(err, errlen, "unsupported classic BPF instruction 0x%04x at %zu",
				 code, i);
	}
	x.start[n] = x.n;
	/* the common "reject" exit for failed bounds checks (label -2), when something uses it */
	ret0_at = x.n;
	for (i = 0; i < x.nfx; i++)
		if (x.fx[i].label == -2) {
			ret0(&x);
			break;
		}
	if (!ret && x.err == -E2BIG) {
		snprintf(err, errlen,
			 "the filter is too large for the kernel stub (more than %zu eBPF "
			 "instructions); simplify it",
			 slots);
		ret = -E2BIG;
	} else if (!ret && x.err) {
		ret = x.err;
	}
	if (!ret) {
		/* resolve jumps; the slide starts right after the code */
		size_t slide = x.n;

		for (i = 0; i < x.nfx; i++) {
			long l = x.fx[i].label;
			size_t target;

			if (l == LBL_RET)
				target = slide;
			else if (l == -2)
				target = ret0_at;
			else if (l <= -10)
				target = (size_t)(-l - 10);
			else
				target = x.start[l];
			if ((long)target - (long)x.fx[i].at - 1 > 32767) {
				snprintf(err, errlen, "the filter's jumps are too long");
				ret = -E2BIG;
				break;
			}
			x.out[x.fx[i].at].off = (int16_t)((long)target - (long)x.fx[i].at - 1);
		}
		for (i = x.n; i < slots - 1; i++)
			out[i] = (struct bpf_insn){ .code = BPF_JMP | BPF_JA };
		out[slots - 1] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	}
	free(x.start);
	free(x.fx);
	free(reach);
	return ret;
}

size_t elf_find_func(void *elf, size_t size, const char *sym, void **insns)
{
	Elf64_Ehdr *eh = elf;
	Elf64_Shdr *sh;
	size_t i;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shoff == 0 ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(*sh) > size)
		return 0;
	sh = (Elf64_Shdr *)((char *)elf + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		Elf64_Shdr *st = &sh[i], *str;
		Elf64_Sym *syms;
		size_t j, nsym;

		if (st->sh_type != SHT_SYMTAB || st->sh_link >= eh->e_shnum ||
		    st->sh_offset + st->sh_size > size)
			continue;
		str = &sh[st->sh_link];
		syms = (Elf64_Sym *)((char *)elf + st->sh_offset);
		nsym = st->sh_size / sizeof(*syms);
		for (j = 0; j < nsym; j++) {
			Elf64_Shdr *code;
			const char *name;

			if (ELF64_ST_TYPE(syms[j].st_info) != STT_FUNC ||
			    syms[j].st_name >= str->sh_size || syms[j].st_shndx >= eh->e_shnum)
				continue;
			name = (char *)elf + str->sh_offset + syms[j].st_name;
			if (strcmp(name, sym))
				continue;
			code = &sh[syms[j].st_shndx];
			if (code->sh_offset + syms[j].st_value + syms[j].st_size > size ||
			    syms[j].st_size % sizeof(struct bpf_insn))
				return 0;
			*insns = (char *)elf + code->sh_offset + syms[j].st_value;
			return syms[j].st_size / sizeof(struct bpf_insn);
		}
	}
	return 0;
}
