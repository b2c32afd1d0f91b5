// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target over the capture-filter path: pcap-filter expression -> libpcap ->
 * extcap/filter_xlate.c (filter_compile, filter_check). Input: the expression, a NUL, then a
 * packet (an Ethernet frame; its IP part feeds the raw-IP variant).
 * libpcap refusing an expression is fine; what is checked:
 *   - a refusal comes with a message and leaves nothing allocated;
 *   - what filter_compile() accepts for the stub size the BPF objects really have (read from
 *     bpf/filter_test.bpf.o, whose stubs are those of capture.bpf.c), filter_check() accepts
 *     too (fuzz_extcap checks the other direction against the capture object itself);
 *   - each translated variant passes the static checks of xlate_check.c, and its verdict on the
 *     packet (cut to the 512-byte window) equals libpcap's bpf_filter() on the same bytes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>

#include "bpfcap/filter_abi.h"
#include "filter.h"
#include <linux/filter.h> /* struct sock_filter, in the skeleton */
#include "filter_test.skel.h"
#include "pcap_glue.h"
#include "xlate_check.h"

#define FUZZ_NAME "fuzz_filter"
#include "fuzz_common.h"

#define MAX_EXPR 4095 /* the longest filter the CLI takes */

static size_t SLOTS; /* instructions in a filter stub of the BPF objects */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t sz;
	const void *bytes = filter_test_bpf__elf_bytes(&sz);
	void *copy = malloc(sz);

	(void)argc;
	(void)argv;
	if (!copy)
		return 1;
	memcpy(copy, bytes, sz);
	SLOTS = filter_stub_slots(copy, sz);
	free(copy);
	if (SLOTS < 100) {
		fprintf(stderr, "fuzz_filter: no filter stubs in filter_test.bpf.o\n");
		exit(1);
	}
	return 0;
}

static void check_variant(const char *expr, int l3, const struct bpf_insn *ebpf, uint32_t window,
			  const uint8_t *pkt, unsigned len, unsigned wire)
{
	/* as capture.bpf.c: the filter gets the packet's first min(len, window) bytes (at least
	 * 1); libpcap gets what tcpdump -s 512 would have */
	unsigned w = window ? window : 1, cap = len > w ? w : len;
	unsigned pcap_cap = len > BPFCAP_FILTER_WINDOW ? BPFCAP_FILTER_WINDOW : len, n;
	void *cbpf = gl_compile(expr, l3, &n);
	uint32_t got, want;

	if (!cbpf)
		FAIL("'%s': bpfcap translated the %s variant, libpcap does not compile it", expr,
		     l3 ? "raw-IP" : "Ethernet");
	xc_check_static(ebpf, SLOTS, window);
	got = xc_run(ebpf, SLOTS, pkt, cap, wire);
	want = gl_filter(cbpf, n, pkt, wire, pcap_cap);
	if (got != want)
		FAIL("'%s' %s variant: verdict %u, libpcap %u (caplen %u, wirelen %u)", expr,
		     l3 ? "raw-IP" : "Ethernet", got, want, cap, wire);
	free(cbpf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t none[1];
	const uint8_t *nul = memchr(data, 0, size);
	size_t elen = nul ? (size_t)(nul - data) : size;
	const uint8_t *pkt = nul ? nul + 1 : none;
	unsigned len = nul ? (unsigned)(size - elen - 1) : 0;
	char *expr, err[512], err2[512];
	struct filter f;
	int r, rc;

	if (elen > MAX_EXPR)
		return 0;
	expr = malloc(elen + 1);
	if (!expr)
		return 0;
	memcpy(expr, data, elen);
	expr[elen] = '\0';

	memset(&f, 0x5a, sizeof(f));
	err[0] = '\0';
	r = filter_compile(expr, SLOTS, &f, err, sizeof(err));
	rc = filter_check(expr, err2, sizeof(err2));
	if (!r && rc)
		FAIL("'%s': filter_compile() takes it, filter_check() says: %s", expr, err2);
	if (r) {
		if (r != -EINVAL && r != -E2BIG && r != -ENOMEM)
			FAIL("'%s': filter_compile returned %d", expr, r);
		if (!err[0] || strnlen(err, sizeof(err)) == sizeof(err))
			FAIL("'%s': refused without a message", expr);
		if (f.l2 || f.l3)
			FAIL("'%s': refused but left programs allocated", expr);
		free(expr);
		return 0;
	}
	if (f.slots != SLOTS || f.window > BPFCAP_FILTER_WINDOW)
		FAIL("'%s': slots %zu, window %u", expr, f.slots, f.window);
	if (!f.l2 != !!f.l2_matches_nothing || !f.l3 != !!f.l3_matches_nothing || (!f.l2 && !f.l3))
		FAIL("'%s': variants l2 %p/%d l3 %p/%d", expr, f.l2, f.l2_matches_nothing, f.l3,
		     f.l3_matches_nothing);
	if (f.l2)
		check_variant(expr, 0, f.l2, f.window, pkt, len, len + 7);
	if (f.l3 && len >= 14)
		check_variant(expr, 1, f.l3, f.window, pkt + 14, len - 14, len - 14);
	filter_free(&f);
	if (f.l2 || f.l3)
		FAIL("filter_free left pointers");
	free(expr);
	return 0;
}
