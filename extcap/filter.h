/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* pcap-filter expressions -> the two kernel filter stubs (L2 Ethernet, L3 raw IP). */
#ifndef BPFCAP_FILTER_H
#define BPFCAP_FILTER_H

#include <stddef.h>
#include <stdint.h>

struct filter {
	/* eBPF for each stub (exactly `slots` instructions), NULL = the variant rejects all */
	void *l2, *l3;
	size_t slots;
	uint32_t window;	 /* packet bytes the filters may read */
	size_t cbpf_l2, cbpf_l3; /* classic instructions of each variant (0: rejects all) */
	int l2_matches_nothing, l3_matches_nothing;
};

/* Compiles expr with libpcap (pcap_compile on a dead handle) for Ethernet and for raw IP and
 * translates both. An expression only one variant accepts (e.g. "arp": link layer only) makes
 * the other reject everything. 0, or -EINVAL with libpcap's message (or ours) in err. */
int filter_compile(const char *expr, size_t slots, struct filter *f, char *err, size_t errlen);
/* Checks expr without translating (extcap --extcap-capture-filter). */
int filter_check(const char *expr, char *err, size_t errlen);
void filter_free(struct filter *f);
/* Patches the stubs in an ELF BPF object (a private copy of the skeleton's bytes). */
int filter_patch_elf(void *elf, size_t size, const struct filter *f, char *err, size_t errlen);
/* Size of the stubs in instructions (the same for both), 0 if the object has none. */
size_t filter_stub_slots(void *elf, size_t size);

#endif
