/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* libpcap for the fuzzers, in its own translation unit: <pcap/bpf.h> and <linux/bpf.h> both
 * define struct bpf_insn. Classic programs are passed as arrays of struct sock_filter (same
 * layout as libpcap's struct bpf_insn). */
#ifndef BPFCAP_FUZZ_PCAP_GLUE_H
#define BPFCAP_FUZZ_PCAP_GLUE_H

#include <stddef.h>
#include <stdint.h>

/* pcap_compile() on a dead handle (DLT_EN10MB when l3 == 0, else DLT_RAW), as bpfcap does.
 * Returns a malloc'ed copy of the instructions and their number in *n, or NULL. */
void *gl_compile(const char *expr, int l3, unsigned *n);
/* libpcap's interpreter and validator on a classic program */
unsigned gl_filter(const void *insns, unsigned n, const uint8_t *pkt, unsigned wire, unsigned cap);
int gl_validate(const void *insns, unsigned n);

#endif
