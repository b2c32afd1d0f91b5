/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* One-line, tcpdump-like summaries of packets ("IP 10.0.0.1.5 > 10.0.0.2.9: UDP, length 8"). */
#ifndef BPFCAP_PKTSUM_H
#define BPFCAP_PKTSUM_H

#include <stddef.h>
#include <stdint.h>

/* Summarises an L3 packet of the given ethertype. Returns out. */
char *pktsum_l3(uint16_t ethertype, const uint8_t *p, size_t len, char *out, size_t cap);
/* Summarises an Ethernet frame (VLAN tags skipped). */
char *pktsum_eth(const uint8_t *p, size_t len, char *out, size_t cap);
/* IP version nibble -> ethertype (0x0800 / 0x86dd), 0 when neither. */
uint16_t pktsum_ip_ethertype(const uint8_t *p, size_t len);

#endif
