/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef BPFCAP_TEST_PCAP_SIDE_H
#define BPFCAP_TEST_PCAP_SIDE_H
#include <stddef.h>

struct ps_packet {
	unsigned cap, wire;
	unsigned char *data;
};

void *ps_compile(const char *expr, int l3, char *err, size_t errlen);
unsigned ps_filter(void *prog, const unsigned char *pkt, unsigned wire, unsigned cap);
const void *ps_insns(void *prog, unsigned *n);
void ps_free(void *prog);
int ps_read(const char *path, struct ps_packet **out, size_t *n, char *err, size_t errlen);
#endif
