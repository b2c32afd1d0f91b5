// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target over the cBPF -> eBPF translator (extcap/filter_xlate.c) on random classic
 * programs. Input: flags byte, instruction count, 2 bytes of extra wire length, the classic
 * instructions (8 bytes each, struct sock_filter), then the packet.
 *   - raw mode (flags bit 0 clear): the instructions as they come, into a stub of a size the
 *     flags pick (including absurd ones); whatever the translator accepts must pass the static
 *     checks of xlate_check.c and run cleanly in its interpreter;
 *   - valid mode (bit 0 set): the instructions are first repaired into a valid classic program
 *     (real opcodes, jumps in range, a return at the end), as libpcap could produce, into the
 *     real stub size; the verdict of the translation must equal libpcap's bpf_filter().
 * Built with -DFUZZ_KERNEL (fuzz_xlate_kernel, root only), valid programs are also patched into
 * bpf/filter_test.bpf.c's stub the way bpfcap patches its capture object, loaded (the verifier
 * must accept every one) and run with BPF_PROG_TEST_RUN: kernel, interpreter and libpcap must
 * agree, as in tests/filter/test_filter_diff.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/filter.h>

#include "bpfcap/filter_abi.h"
#include "filter_xlate.h"
#include "pcap_glue.h"
#include "xlate_check.h"

#ifdef FUZZ_KERNEL
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "filter.h"
#include "filter_test.skel.h"
#endif

#define FUZZ_NAME "fuzz_xlate"
#include "fuzz_common.h"

#define MAX_INSNS 96
#define MAX_PKT	  600

static const uint16_t valid_ops[] = {
	/* loads */
	BPF_LD | BPF_W | BPF_ABS,
	BPF_LD | BPF_H | BPF_ABS,
	BPF_LD | BPF_B | BPF_ABS,
	BPF_LD | BPF_W | BPF_IND,
	BPF_LD | BPF_H | BPF_IND,
	BPF_LD | BPF_B | BPF_IND,
	BPF_LD | BPF_IMM,
	BPF_LD | BPF_MEM,
	BPF_LD | BPF_W | BPF_LEN,
	BPF_LDX | BPF_IMM,
	BPF_LDX | BPF_MEM,
	BPF_LDX | BPF_W | BPF_LEN,
	BPF_LDX | BPF_B | BPF_MSH,
	/* stores */
	BPF_ST,
	BPF_STX,
	/* ALU */
	BPF_ALU | BPF_ADD | BPF_K,
	BPF_ALU | BPF_SUB | BPF_K,
	BPF_ALU | BPF_MUL | BPF_K,
	BPF_ALU | BPF_DIV | BPF_K,
	BPF_ALU | BPF_MOD | BPF_K,
	BPF_ALU | BPF_OR | BPF_K,
	BPF_ALU | BPF_AND | BPF_K,
	BPF_ALU | BPF_XOR | BPF_K,
	BPF_ALU | BPF_LSH | BPF_K,
	BPF_ALU | BPF_RSH | BPF_K,
	BPF_ALU | BPF_NEG,
	BPF_ALU | BPF_ADD | BPF_X,
	BPF_ALU | BPF_SUB | BPF_X,
	BPF_ALU | BPF_MUL | BPF_X,
	BPF_ALU | BPF_DIV | BPF_X,
	BPF_ALU | BPF_MOD | BPF_X,
	BPF_ALU | BPF_OR | BPF_X,
	BPF_ALU | BPF_AND | BPF_X,
	BPF_ALU | BPF_XOR | BPF_X,
	BPF_ALU | BPF_LSH | BPF_X,
	BPF_ALU | BPF_RSH | BPF_X,
	/* jumps */
	BPF_JMP | BPF_JA,
	BPF_JMP | BPF_JEQ | BPF_K,
	BPF_JMP | BPF_JGT | BPF_K,
	BPF_JMP | BPF_JGE | BPF_K,
	BPF_JMP | BPF_JSET | BPF_K,
	BPF_JMP | BPF_JEQ | BPF_X,
	BPF_JMP | BPF_JGT | BPF_X,
	BPF_JMP | BPF_JGE | BPF_X,
	BPF_JMP | BPF_JSET | BPF_X,
	/* returns, misc (no "ret x": bpf_validate() takes it, bpf_filter() abort()s on it) */
	BPF_RET | BPF_K,
	BPF_RET | BPF_A,
	BPF_MISC | BPF_TAX,
	BPF_MISC | BPF_TXA,
	/* a few more returns and jumps, so programs end and branch more often */
	BPF_RET | BPF_K,
	BPF_RET | BPF_A,
	BPF_JMP | BPF_JEQ | BPF_K,
	BPF_JMP | BPF_JGT | BPF_K,
};
#define NOPS (sizeof(valid_ops) / sizeof(valid_ops[0]))

/* Makes prog[0..n) a valid classic program (bpf_validate's rules) from arbitrary bytes. */
static void repair(struct sock_filter *f, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		uint16_t op = valid_ops[f[i].code % NOPS];
		unsigned left = n - i - 1; /* instructions after this one */
		size_t j;

		for (j = 0; j < NOPS; j++) /* a valid opcode stays (libpcap's own programs) */
			if (f[i].code == valid_ops[j])
				op = f[i].code;
		if (i == n - 1 && BPF_CLASS(op) != BPF_RET)
			op = f[i].code & 1 ? (BPF_RET | BPF_A) : (BPF_RET | BPF_K);
		f[i].code = op;
		switch (BPF_CLASS(op)) {
		case BPF_LD:
		case BPF_LDX:
			if (BPF_MODE(op) == BPF_MEM)
				f[i].k %= BPF_MEMWORDS;
			else if ((BPF_MODE(op) == BPF_ABS || BPF_MODE(op) == BPF_IND ||
				  BPF_MODE(op) == BPF_MSH) &&
				 !(f[i].k & 0x80000000u))
				f[i].k &= 0x3ff; /* mostly near the packet; sometimes huge */
			break;
		case BPF_ST:
		case BPF_STX: f[i].k %= BPF_MEMWORDS; break;
		case BPF_ALU:
			if ((BPF_OP(op) == BPF_LSH || BPF_OP(op) == BPF_RSH) &&
			    BPF_SRC(op) == BPF_K)
				f[i].k %= 40;
			break;
		case BPF_JMP:
			if (!left) { /* cannot happen: the last one is a return */
				f[i].code = BPF_RET | BPF_K;
				break;
			}
			if (BPF_OP(op) == BPF_JA) {
				f[i].k %= left;
			} else {
				f[i].jt %= left;
				f[i].jf %= left;
			}
			break;
		default: break;
		}
	}
}

/* The kernel's check_load_and_stores(): does some path read M[k] before any store to it?
 * libpcap's bpf_filter() leaves its memory uninitialised, so such programs have no reference
 * verdict. Jumps are forward: one pass with the intersection of the stored sets. */
static bool reads_unset_memory(const struct sock_filter *f, unsigned n)
{
	uint16_t in[MAX_INSNS];
	unsigned char seen[MAX_INSNS] = { 0 };
	unsigned i;

	seen[0] = 1;
	in[0] = 0;
	for (i = 0; i < n; i++) {
		uint16_t code = f[i].code, s;

		if (!seen[i])
			continue;
		s = in[i];
		if ((code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM)) &&
		    !(s & (1u << f[i].k)))
			return true;
		if (code == BPF_ST || code == BPF_STX)
			s |= (uint16_t)(1u << f[i].k);
#define FLOW(t)                                                                                    \
	do {                                                                                       \
		if ((t) < n) {                                                                     \
			in[t] = seen[t] ? (uint16_t)(in[t] & s) : s;                               \
			seen[t] = 1;                                                               \
		}                                                                                  \
	} while (0)
		if (BPF_CLASS(code) == BPF_RET)
			continue;
		if (code == (BPF_JMP | BPF_JA)) {
			FLOW(i + 1 + f[i].k);
		} else if (BPF_CLASS(code) == BPF_JMP) {
			FLOW(i + 1 + f[i].jt);
			FLOW(i + 1 + f[i].jf);
		} else {
			FLOW(i + 1);
		}
#undef FLOW
	}
	return false;
}

/* Loads at offsets the Linux kernel reserves for ancillary data (SKF_AD_OFF and up) are
 * refused on purpose (docs/filters.md). */
static bool uses_ancillary_offsets(const struct sock_filter *f, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if ((BPF_CLASS(f[i].code) == BPF_LD || BPF_CLASS(f[i].code) == BPF_LDX) &&
		    (BPF_MODE(f[i].code) == BPF_ABS || BPF_MODE(f[i].code) == BPF_IND ||
		     BPF_MODE(f[i].code) == BPF_MSH) &&
		    f[i].k >= (uint32_t)SKF_AD_OFF)
			return true;
	return false;
}

/* bpf_validate() looks at an opcode's class, mode and size bits only; bpf_filter() switches on
 * the whole code and abort()s on one it does not know ("ret x", higher bits set, unused mode
 * bits): a reference verdict only when every opcode is one of the table above. */
static bool unknown_opcodes(const struct sock_filter *f, unsigned n)
{
	unsigned i;
	size_t j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < NOPS && f[i].code != valid_ops[j]; j++)
			;
		if (j == NOPS)
			return true;
	}
	return false;
}

static void dump_classic(const struct sock_filter *f, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		fprintf(stderr, "  cbpf %3u: { 0x%02x, %u, %u, 0x%08x }\n", i, f[i].code, f[i].jt,
			f[i].jf, f[i].k);
}

#ifdef FUZZ_KERNEL
static void *elf_copy;
static size_t elf_sz, kslots;

static int quiet(enum libbpf_print_level l, const char *fmt, va_list ap)
{
	if (getenv("V"))
		return vfprintf(stderr, fmt, ap);
	(void)l;
	return 0;
}

/* Loads the translation into filter_test's L2 stub and runs it on pkt. */
static uint32_t kernel_verdict(const void *ebpf, const uint8_t *pkt, unsigned len, unsigned cap,
			       unsigned wire, const struct sock_filter *f, unsigned n)
{
	const void *bytes = filter_test_bpf__elf_bytes(&elf_sz);
	struct filter flt = { .l2 = (void *)ebpf, .l3 = NULL, .slots = kslots };
	struct filter_test_bpf *s;
	unsigned char buf[MAX_PKT + 64] = { 0 };
	struct bpf_test_run_opts o = { .sz = sizeof(o), .data_in = buf, .repeat = 1 };
	char err[256];
	int r;

	memcpy(elf_copy, bytes, elf_sz);
	if (filter_patch_elf(elf_copy, elf_sz, &flt, err, sizeof(err)))
		FAIL("patch: %s", err);
	s = calloc(1, sizeof(*s));
	if (!s || filter_test_bpf__create_skeleton(s))
		FAIL("skeleton");
	s->skeleton->data = elf_copy;
	s->skeleton->data_sz = elf_sz;
	r = bpf_object__open_skeleton(s->skeleton, NULL);
	if (r)
		FAIL("open: %d", r);
	bpf_program__set_autoload(s->progs.test_l3, false);
	bpf_program__set_autoload(s->progs.interp_l2, false);
	r = filter_test_bpf__load(s);
	if (r) {
		dump_classic(f, n);
		xc_dump(ebpf, kslots);
		FAIL("the verifier refused a translated valid program: %s (V=1 for its log)",
		     strerror(-r));
	}
	s->bss->caplen_override = cap;
	s->bss->wirelen_override = wire;
	/* the kernel wants a frame of a plausible size (6.18 refuses an IPv4 ethertype on 23
	 * bytes with EINVAL); the overrides say what the filter sees */
	memcpy(buf, pkt, len);
	o.data_size_in = len < 64 ? 64 : len;
	if (bpf_prog_test_run_opts(bpf_program__fd(s->progs.test_l2), &o))
		FAIL("test run: %s", strerror(errno));
	filter_test_bpf__destroy(s); /* frees s; the ELF copy is ours */
	return o.retval;
}
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
#ifdef FUZZ_KERNEL
	if (geteuid() != 0) {
		fprintf(stderr, "fuzz_xlate_kernel: needs root (BPF_PROG_TEST_RUN)\n");
		exit(1);
	}
	libbpf_set_print(quiet);
	filter_test_bpf__elf_bytes(&elf_sz);
	elf_copy = malloc(elf_sz);
	if (!elf_copy)
		exit(1);
	memcpy(elf_copy, filter_test_bpf__elf_bytes(&elf_sz), elf_sz);
	kslots = filter_stub_slots(elf_copy, elf_sz);
	if (!kslots) {
		fprintf(stderr, "fuzz_xlate_kernel: no filter stubs in filter_test.bpf.o\n");
		exit(1);
	}
#endif
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t slot_choices[8] = {
		0, 1, 21, 22, 40, 120, BPFCAP_FILTER_SLOTS, BPFCAP_FILTER_SLOTS
	};
	struct sock_filter prog[MAX_INSNS];
	uint8_t pkt[MAX_PKT];
	unsigned n, len, cap, ecap, wire, flags;
	size_t slots;
	struct bpf_insn *out;
	uint32_t window = 12345, got, want;
	char err[256];
	int r;

	if (size < 4)
		return 0;
	flags = data[0];
	n = data[1] % MAX_INSNS + 1;
	wire = (unsigned)data[2] | (unsigned)data[3] << 8;
	data += 4;
	size -= 4;
	if (n * sizeof(prog[0]) > size)
		n = (unsigned)(size / sizeof(prog[0]));
	if (!n)
		return 0;
	memcpy(prog, data, n * sizeof(prog[0]));
	data += n * sizeof(prog[0]);
	size -= n * sizeof(prog[0]);
	len = size > MAX_PKT ? MAX_PKT : (unsigned)size;
	memcpy(pkt, data, len);
	cap = len > BPFCAP_FILTER_WINDOW ? BPFCAP_FILTER_WINDOW : len;
	wire += len; /* the wire length is at least what was captured */

	if (flags & 1) {
		repair(prog, n);
		slots = BPFCAP_FILTER_SLOTS;
	} else {
		slots = slot_choices[(flags >> 1) & 7];
	}
#ifdef FUZZ_KERNEL
	if (!(flags & 1))
		return 0; /* the kernel side is only for valid programs */
	slots = kslots;
#endif
	/* exactly `slots` instructions (ASan sees any write past them), filled with garbage so
	 * a slot the translator forgets to write is seen too */
	out = malloc(slots ? slots * sizeof(*out) : 1);
	if (!out)
		return 0;
	memset(out, 0xa5, slots * sizeof(*out));
	err[0] = 'x';
	err[1] = '\0';
	r = filter_xlate(prog, n, out, slots, &window, err, sizeof(err));
	if (r) {
		if (r != -EINVAL && r != -E2BIG && r != -ENOMEM)
			FAIL("filter_xlate returned %d", r);
		if (!err[0] || strlen(err) >= sizeof(err))
			FAIL("filter_xlate failed (%d) without a message", r);
		if ((flags & 1) && r == -EINVAL && gl_validate(prog, n) &&
		    !strstr(err, "shift by") && !uses_ancillary_offsets(prog, n)) {
			/* a valid program of plain instructions must translate */
			dump_classic(prog, n);
			FAIL("a valid classic program was refused: %s", err);
		}
		free(out);
		return 0;
	}
	if (err[0])
		FAIL("filter_xlate succeeded but left a message: %s", err);
	xc_check_static(out, slots, window);
	/* as capture.bpf.c: the filter sees min(len, window) bytes (at least one); libpcap sees
	 * what tcpdump -s 512 would have */
	ecap = len < (window ? window : 1) ? len : (window ? window : 1);
	got = xc_run(out, slots, pkt, ecap, wire);
	if (gl_validate(prog, n) && !reads_unset_memory(prog, n) && !unknown_opcodes(prog, n)) {
		want = gl_filter(prog, n, pkt, wire, cap);
		if (want != got) {
			dump_classic(prog, n);
			xc_dump(out, slots);
			FAIL("verdict %u, libpcap's bpf_filter() %u (caplen %u, window %u, wirelen "
			     "%u)",
			     got, want, cap, window, wire);
		}
#ifdef FUZZ_KERNEL
		if (ecap) {
			uint32_t k = kernel_verdict(out, pkt, len, ecap, wire, prog, n);

			if (k != want) {
				dump_classic(prog, n);
				FAIL("kernel verdict %u, libpcap's %u, interpreter's %u (caplen "
				     "%u, "
				     "window %u, wirelen %u)",
				     k, want, got, cap, window, wire);
			}
		}
#endif
	}
	free(out);
	return 0;
}
