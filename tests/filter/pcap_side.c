// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libpcap's side of the differential filter test: its compiler and its interpreter. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_side.h"

void *ps_compile(const char *expr, int l3, char *err, size_t errlen)
{
	struct bpf_program *p = calloc(1, sizeof(*p));
	pcap_t *h = pcap_open_dead(l3 ? DLT_RAW : DLT_EN10MB, 262144);

	if (!p || !h) {
		free(p);
		if (h)
			pcap_close(h);
		return NULL;
	}
	if (pcap_compile(h, p, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(err, errlen, "%s", pcap_geterr(h));
		free(p);
		p = NULL;
	}
	pcap_close(h);
	return p;
}

unsigned ps_filter(void *prog, const unsigned char *pkt, unsigned wire, unsigned cap)
{
	/* libpcap's interpreter, through the API that is not deprecated (libpcap 1.10.5) */
	struct pcap_pkthdr h = { .caplen = cap, .len = wire };

	return (unsigned)pcap_offline_filter((const struct bpf_program *)prog, &h, pkt);
}

const void *ps_insns(void *prog, unsigned *n)
{
	*n = ((struct bpf_program *)prog)->bf_len;
	return ((struct bpf_program *)prog)->bf_insns;
}

void ps_free(void *prog)
{
	if (prog) {
		pcap_freecode(prog);
		free(prog);
	}
}

int ps_read(const char *path, struct ps_packet **out, size_t *n, char *err, size_t errlen)
{
	char e[PCAP_ERRBUF_SIZE];
	pcap_t *h = pcap_open_offline(path, e);
	struct pcap_pkthdr *hdr;
	const unsigned char *data;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!h) {
		snprintf(err, errlen, "%s", e);
		return -1;
	}
	while (pcap_next_ex(h, &hdr, &data) == 1) {
		if (*n == cap) {
			struct ps_packet *np;

			cap = cap ? cap * 2 : 64;
			np = realloc(*out, cap * sizeof(*np));
			if (!np)
				break;
			*out = np;
		}
		(*out)[*n].cap = hdr->caplen;
		(*out)[*n].wire = hdr->len;
		(*out)[*n].data = malloc(hdr->caplen ? hdr->caplen : 1);
		memcpy((*out)[*n].data, data, hdr->caplen);
		(*n)++;
	}
	pcap_close(h);
	return 0;
}
