// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test and measurement object for the capture filters (not used by bpfcap itself):
 *  - test_l2/test_l3: the same filter stubs as capture.bpf.c, patched by user space the same
 *    way, run on a packet given to BPF_PROG_TEST_RUN (the differential test against libpcap);
 *  - interp_l2: the alternative strategy, a classic-BPF interpreter in eBPF over bpf_loop(),
 *    for the cost comparison in docs/filters.md.
 * tc programs, because BPF_PROG_TEST_RUN gives them a packet and a repeat count. The packet
 * starts with an Ethernet header; test_l3 skips it.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "filter_stub.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* set by the harness before each run: 0 = use the packet's own lengths */
volatile __u32 caplen_override;
volatile __u32 wirelen_override;

struct filter_buf {
	__u8 b[BPFCAP_FILTER_WINDOW];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct filter_buf);
} win SEC(".maps");

BPFCAP_FILTER_STUB(bpfcap_filter_l2, BPFCAP_FILTER_MAGIC_L2)
BPFCAP_FILTER_STUB(bpfcap_filter_l3, BPFCAP_FILTER_MAGIC_L3)

static __always_inline int load(struct __sk_buff *skb, __u32 off, struct filter_buf **w, __u32 *cl,
				__u32 *wl)
{
	__u32 k = 0, n;

	*w = bpf_map_lookup_elem(&win, &k);
	if (!*w || skb->len < off)
		return -1;
	*wl = wirelen_override ? wirelen_override : skb->len - off;
	n = skb->len - off;
	if (caplen_override && caplen_override < n)
		n = caplen_override;
	if (n > BPFCAP_FILTER_WINDOW)
		n = BPFCAP_FILTER_WINDOW;
	*cl = n;
	if (n && bpf_skb_load_bytes(skb, off, (*w)->b, n))
		return -1;
	return 0;
}

SEC("tc")
int test_l2(struct __sk_buff *skb)
{
	struct filter_buf *w;
	__u32 cl, wl;

	if (load(skb, 0, &w, &cl, &wl))
		return -1;
	return (int)bpfcap_filter_l2(w->b, cl, wl);
}

SEC("tc")
int test_l3(struct __sk_buff *skb)
{
	struct filter_buf *w;
	__u32 cl, wl;

	if (load(skb, 14, &w, &cl, &wl))
		return -1;
	return (int)bpfcap_filter_l3(w->b, cl, wl);
}

/* ---- the alternative: a classic BPF interpreter over bpf_loop() ---- */

#define INTERP_MAX 4096
struct sock_filter cbpf[INTERP_MAX];
__u32 cbpf_len;

struct vm {
	__u32 pc, A, X, M[16];
	__u32 ret, done;
	__u32 cl, wl;
	struct filter_buf w;
};

/* The VM lives in a map: values read from a map are not tracked, so every loop iteration looks
 * the same to the verifier and the bpf_loop callback converges. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vm);
} vms SEC(".maps");

/* load `size` bytes big-endian at off; the window is read as 4 bytes and trimmed, which keeps
 * the verifier's branch count low */
static __always_inline int pkt_load(struct vm *vm, __u32 off, __u32 size, __u32 *out)
{
	const __u8 *b = vm->w.b;
	__u32 v;

	if (off + size > vm->cl)
		return -1;
	barrier_var(off); /* the bound below must be on the register the load uses */
	if (off > BPFCAP_FILTER_WINDOW - 4)
		return -1;
	b += off;
	v = (__u32)b[0] << 24 | (__u32)b[1] << 16 | (__u32)b[2] << 8 | b[3];
	*out = v >> (32 - 8 * size);
	return 0;
}

static int step(__u32 i, void *ctx)
{
	__u32 k = 0, pc, v = 0;
	struct vm *vm = bpf_map_lookup_elem(&vms, &k);
	struct sock_filter f;

	(void)i;
	(void)ctx;
	if (!vm)
		return 1;
	pc = vm->pc;
	if (pc >= INTERP_MAX || pc >= cbpf_len)
		goto reject;
	f = cbpf[pc];
	vm->pc = pc + 1;
	switch (f.code) {
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_H | BPF_ABS:
	case BPF_LD | BPF_B | BPF_ABS:
		if (pkt_load(vm, f.k, 4 >> (BPF_SIZE(f.code) >> 3), &v))
			goto reject;
		vm->A = v;
		return 0;
	case BPF_LD | BPF_W | BPF_IND:
	case BPF_LD | BPF_H | BPF_IND:
	case BPF_LD | BPF_B | BPF_IND:
		if (pkt_load(vm, vm->X + f.k, 4 >> (BPF_SIZE(f.code) >> 3), &v))
			goto reject;
		vm->A = v;
		return 0;
	case BPF_LDX | BPF_B | BPF_MSH:
		if (pkt_load(vm, f.k, 1, &v))
			goto reject;
		vm->X = (v & 0xf) << 2;
		return 0;
	case BPF_LD | BPF_IMM: vm->A = f.k; return 0;
	case BPF_LDX | BPF_IMM: vm->X = f.k; return 0;
	case BPF_LD | BPF_W | BPF_LEN: vm->A = vm->wl; return 0;
	case BPF_LDX | BPF_W | BPF_LEN: vm->X = vm->wl; return 0;
	case BPF_LD | BPF_MEM: vm->A = vm->M[f.k & 15]; return 0;
	case BPF_LDX | BPF_MEM: vm->X = vm->M[f.k & 15]; return 0;
	case BPF_ST: vm->M[f.k & 15] = vm->A; return 0;
	case BPF_STX: vm->M[f.k & 15] = vm->X; return 0;
	case BPF_ALU | BPF_ADD | BPF_K: vm->A += f.k; return 0;
	case BPF_ALU | BPF_SUB | BPF_K: vm->A -= f.k; return 0;
	case BPF_ALU | BPF_MUL | BPF_K: vm->A *= f.k; return 0;
	case BPF_ALU | BPF_AND | BPF_K: vm->A &= f.k; return 0;
	case BPF_ALU | BPF_OR | BPF_K: vm->A |= f.k; return 0;
	case BPF_ALU | BPF_LSH | BPF_K: vm->A <<= f.k & 31; return 0;
	case BPF_ALU | BPF_RSH | BPF_K: vm->A >>= f.k & 31; return 0;
	case BPF_ALU | BPF_ADD | BPF_X: vm->A += vm->X; return 0;
	case BPF_ALU | BPF_SUB | BPF_X: vm->A -= vm->X; return 0;
	case BPF_ALU | BPF_AND | BPF_X: vm->A &= vm->X; return 0;
	case BPF_ALU | BPF_NEG: vm->A = -vm->A; return 0;
	case BPF_ALU | BPF_DIV | BPF_K:
		if (!f.k)
			goto reject;
		vm->A /= f.k;
		return 0;
	case BPF_JMP | BPF_JA: vm->pc += f.k; return 0;
	case BPF_JMP | BPF_JEQ | BPF_K: vm->pc += vm->A == f.k ? f.jt : f.jf; return 0;
	case BPF_JMP | BPF_JGT | BPF_K: vm->pc += vm->A > f.k ? f.jt : f.jf; return 0;
	case BPF_JMP | BPF_JGE | BPF_K: vm->pc += vm->A >= f.k ? f.jt : f.jf; return 0;
	case BPF_JMP | BPF_JSET | BPF_K: vm->pc += (vm->A & f.k) ? f.jt : f.jf; return 0;
	case BPF_JMP | BPF_JEQ | BPF_X: vm->pc += vm->A == vm->X ? f.jt : f.jf; return 0;
	case BPF_JMP | BPF_JGT | BPF_X: vm->pc += vm->A > vm->X ? f.jt : f.jf; return 0;
	case BPF_JMP | BPF_JGE | BPF_X: vm->pc += vm->A >= vm->X ? f.jt : f.jf; return 0;
	case BPF_RET | BPF_K:
		vm->ret = f.k;
		vm->done = 1;
		return 1;
	case BPF_RET | BPF_A:
		vm->ret = vm->A;
		vm->done = 1;
		return 1;
	case BPF_MISC | BPF_TAX: vm->X = vm->A; return 0;
	case BPF_MISC | BPF_TXA: vm->A = vm->X; return 0;
	default: /* opcodes the benchmark filters do not use */ goto reject;
	}
reject:
	vm->ret = 0;
	vm->done = 1;
	return 1;
}

SEC("tc")
int interp_l2(struct __sk_buff *skb)
{
	__u32 k = 0, n;
	struct vm *vm = bpf_map_lookup_elem(&vms, &k);

	if (!vm)
		return -1;
	__builtin_memset(vm, 0, sizeof(*vm) - sizeof(vm->w));
	vm->wl = wirelen_override ? wirelen_override : skb->len;
	n = skb->len;
	if (caplen_override && caplen_override < n)
		n = caplen_override;
	if (n > BPFCAP_FILTER_WINDOW)
		n = BPFCAP_FILTER_WINDOW;
	vm->cl = n;
	if (n && bpf_skb_load_bytes(skb, 0, vm->w.b, n))
		return -1;
	bpf_loop(INTERP_MAX, step, NULL, 0);
	return vm->done ? (int)vm->ret : 0;
}
