// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_glue.h"

void *gl_compile(const char *expr, int l3, unsigned *n)
{
	pcap_t *h = pcap_open_dead(l3 ? DLT_RAW : DLT_EN10MB, 262144);
	struct bpf_program p;
	void *copy = NULL;

	*n = 0;
	if (!h)
		return NULL;
	if (pcap_compile(h, &p, expr, 1, PCAP_NETMASK_UNKNOWN) == 0) {
		copy = malloc(p.bf_len * sizeof(struct bpf_insn) + 1);
		if (copy) {
			memcpy(copy, p.bf_insns, p.bf_len * sizeof(struct bpf_insn));
			*n = p.bf_len;
		}
		pcap_freecode(&p);
	}
	pcap_close(h);
	return copy;
}

unsigned gl_filter(const void *insns, unsigned n, const uint8_t *pkt, unsigned wire, unsigned cap)
{
	/* pcap_offline_filter() runs libpcap's interpreter (bpf_filter(), deprecated since
	 * libpcap 1.10.5) and returns its verdict unchanged */
	struct bpf_program prog = { .bf_len = n, .bf_insns = (struct bpf_insn *)insns };
	struct pcap_pkthdr h = { .caplen = cap, .len = wire };

	return (unsigned)pcap_offline_filter(&prog, &h, pkt);
}

int gl_validate(const void *insns, unsigned n)
{
	return bpf_validate((const struct bpf_insn *)insns, (int)n);
}
