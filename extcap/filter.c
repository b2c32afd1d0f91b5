// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libpcap compiles; filter_xlate.c translates. Kept apart: <pcap/bpf.h> and <linux/bpf.h>
 * both define struct bpf_insn. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "filter_xlate.h"

#define EBPF_INSN_SIZE 8

static int compile_one(const char *expr, int dlt, struct bpf_program *prog, char *err,
		       size_t errlen)
{
	pcap_t *p = pcap_open_dead(dlt, 262144);
	int r;

	if (!p) {
		snprintf(err, errlen, "cannot open a libpcap handle");
		return -ENOMEM;
	}
	r = pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN);
	if (r)
		snprintf(err, errlen, "%s", pcap_geterr(p));
	pcap_close(p);
	return r ? -EINVAL : 0;
}

int filter_check(const char *expr, char *err, size_t errlen)
{
	struct filter f;
	int r = filter_compile(expr, 4096, &f, err, errlen);

	filter_free(&f);
	return r;
}

/* struct bpf_insn of libpcap (cBPF) has the layout of struct sock_filter */
_Static_assert(sizeof(struct bpf_insn) == 8, "cBPF instruction size");

int filter_compile(const char *expr, size_t slots, struct filter *f, char *err, size_t errlen)
{
	struct bpf_program p2 = { 0 }, p3 = { 0 };
	char e2[PCAP_ERRBUF_SIZE + 64] = "", e3[PCAP_ERRBUF_SIZE + 64] = "";
	int r2, r3, ret = 0;
	uint32_t w;

	memset(f, 0, sizeof(*f));
	f->slots = slots;
	r2 = compile_one(expr, DLT_EN10MB, &p2, e2, sizeof(e2));
	r3 = compile_one(expr, DLT_RAW, &p3, e3, sizeof(e3));
	if (r2 && r3) {
		snprintf(err, errlen, "%s", e2);
		return -EINVAL;
	}
	if (!r2) {
		f->l2 = calloc(slots, EBPF_INSN_SIZE);
		if (!f->l2) {
			ret = -ENOMEM;
			goto out;
		}
		ret = filter_xlate((const struct sock_filter *)p2.bf_insns, p2.bf_len, f->l2, slots,
				   &w, err, errlen);
		if (ret)
			goto out;
		f->window = w;
		f->cbpf_l2 = p2.bf_len;
	} else {
		f->l2_matches_nothing = 1;
	}
	if (!r3) {
		f->l3 = calloc(slots, EBPF_INSN_SIZE);
		if (!f->l3) {
			ret = -ENOMEM;
			goto out;
		}
		ret = filter_xlate((const struct sock_filter *)p3.bf_insns, p3.bf_len, f->l3, slots,
				   &w, err, errlen);
		if (ret)
			goto out;
		if (w > f->window)
			f->window = w;
		f->cbpf_l3 = p3.bf_len;
	} else {
		f->l3_matches_nothing = 1;
	}
out:
	if (!r2)
		pcap_freecode(&p2);
	if (!r3)
		pcap_freecode(&p3);
	if (ret)
		filter_free(f);
	return ret;
}

void filter_free(struct filter *f)
{
	free(f->l2);
	free(f->l3);
	f->l2 = f->l3 = NULL;
}

size_t filter_stub_slots(void *elf, size_t size)
{
	void *i2, *i3;
	size_t n2 = elf_find_func(elf, size, "bpfcap_filter_l2", &i2);
	size_t n3 = elf_find_func(elf, size, "bpfcap_filter_l3", &i3);

	return n2 && n2 == n3 ? n2 : 0;
}

/* "reject everything" in a stub: r0 = 0, then the slide */
static void reject_all(void *dst, size_t slots)
{
	static const unsigned char r0_zero[8] = { 0xb4, 0, 0, 0, 0, 0, 0, 0 }; /* w0 = 0 */
	static const unsigned char ja0[8] = { 0x05, 0, 0, 0, 0, 0, 0, 0 };
	static const unsigned char ex[8] = { 0x95, 0, 0, 0, 0, 0, 0, 0 };
	unsigned char *p = (unsigned char *)dst;
	size_t i;

	memcpy(p, r0_zero, 8);
	for (i = 1; i + 1 < slots; i++)
		memcpy(p + i * 8, ja0, 8);
	memcpy(p + (slots - 1) * 8, ex, 8);
}

int filter_patch_elf(void *elf, size_t size, const struct filter *f, char *err, size_t errlen)
{
	void *i2, *i3;
	size_t n2 = elf_find_func(elf, size, "bpfcap_filter_l2", &i2);
	size_t n3 = elf_find_func(elf, size, "bpfcap_filter_l3", &i3);

	if (!n2 || !n3 || n2 != f->slots || n3 != f->slots) {
		snprintf(err, errlen, "the BPF object has no filter stubs of %zu instructions",
			 f->slots);
		return -ENOENT;
	}
	if (f->l2)
		memcpy(i2, f->l2, f->slots * EBPF_INSN_SIZE);
	else
		reject_all(i2, n2);
	if (f->l3)
		memcpy(i3, f->l3, f->slots * EBPF_INSN_SIZE);
	else
		reject_all(i3, n3);
	return 0;
}
