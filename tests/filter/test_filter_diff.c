// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Differential test of the in-kernel capture filter: for every filter expression and every
 * packet of a corpus, the verdict of the translated eBPF filter (loaded in the kernel, run with
 * BPF_PROG_TEST_RUN) must equal libpcap's own interpreter (bpf_filter()), for the Ethernet
 * variant and, on IP packets, the raw-IP variant, with whole and with cut packets.
 *   test_filter_diff CORPUS.pcap EXPRESSIONS.txt        (root)
 *   test_filter_diff --bench CORPUS.pcap                 (cost of stub vs interpreter)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/filter.h> /* struct sock_filter, in the skeleton */

#include "bpfcap/filter_abi.h"
#include "filter.h"
#include "filter_test.skel.h"
#include "filter_xlate.h"
#include "pcap_side.h"

static int silent(enum libbpf_print_level l, const char *f, va_list ap)
{
	if (getenv("V"))
		return vfprintf(stderr, f, ap);
	(void)l;
	return 0;
}

struct loaded {
	struct filter_test_bpf *s;
	void *elf;
};

static int load(const char *expr, struct loaded *L, char *err, size_t errlen)
{
	size_t sz, slots;
	const void *bytes = filter_test_bpf__elf_bytes(&sz);
	struct filter f;
	int r;

	memset(L, 0, sizeof(*L));
	L->elf = malloc(sz);
	if (!L->elf)
		return -ENOMEM;
	memcpy(L->elf, bytes, sz);
	slots = filter_stub_slots(L->elf, sz);
	r = filter_compile(expr, slots, &f, err, errlen);
	if (r)
		return r;
	r = filter_patch_elf(L->elf, sz, &f, err, errlen);
	filter_free(&f);
	if (r)
		return r;
	L->s = calloc(1, sizeof(*L->s));
	if (!L->s || filter_test_bpf__create_skeleton(L->s))
		return -ENOMEM;
	L->s->skeleton->data = L->elf;
	L->s->skeleton->data_sz = sz;
	r = bpf_object__open_skeleton(L->s->skeleton, NULL);
	if (!r)
		r = filter_test_bpf__load(L->s);
	if (r)
		snprintf(err, errlen, "load failed: %s (V=1 for the verifier log)", strerror(-r));
	return r;
}

static void unload(struct loaded *L)
{
	filter_test_bpf__destroy(L->s);
	free(L->elf);
}

static int run(struct bpf_program *p, const unsigned char *pkt, unsigned len, int repeat,
	       unsigned *retval, unsigned *ns)
{
	unsigned char buf[65536];
	struct bpf_test_run_opts o = {
		.sz = sizeof(o), .data_in = buf, .data_size_in = len, .repeat = repeat
	};
	int r;

	if (len < 14) { /* the kernel wants an Ethernet header */
		memset(buf, 0, 14);
		len = 14;
	}
	memcpy(buf, pkt, len);
	o.data_size_in = len;
	r = bpf_prog_test_run_opts(bpf_program__fd(p), &o);
	*retval = o.retval;
	if (ns)
		*ns = o.duration;
	return r;
}

static int is_ip(const unsigned char *p, unsigned cap)
{
	return cap >= 15 && ((p[12] == 0x08 && p[13] == 0x00) || (p[12] == 0x86 && p[13] == 0xdd));
}

static int bench(const char *corpus)
{
	const char *exprs[] = { "", "udp port 9", "tcp[tcpflags] & tcp-syn != 0 and port 80",
				"host 10.0.0.1 and (udp or icmp) and not port 53",
				"ip6 and tcp dst port 443" };
	struct ps_packet *pk;
	size_t n, i, e;
	char err[512];

	if (ps_read(corpus, &pk, &n, err, sizeof(err)) || !n) {
		fprintf(stderr, "corpus: %s\n", err);
		return 1;
	}
	printf("| filter | translated (stub) ns/run | interpreter (bpf_loop) ns/run |\n");
	printf("|---|---|---|\n");
	for (e = 0; e < sizeof(exprs) / sizeof(exprs[0]); e++) {
		struct loaded L;
		void *cb = ps_compile(exprs[e], 0, err, sizeof(err));
		unsigned long long ts = 0, ti = 0;
		unsigned nc, rv, ns;
		const void *ins;

		if (!cb || load(exprs[e], &L, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", exprs[e], err);
			return 1;
		}
		ins = ps_insns(cb, &nc);
		memcpy(L.s->bss->cbpf, ins, nc * 8);
		L.s->bss->cbpf_len = nc;
		for (i = 0; i < n; i++) {
			run(L.s->progs.test_l2, pk[i].data, pk[i].cap, 20000, &rv, &ns);
			ts += ns;
			run(L.s->progs.interp_l2, pk[i].data, pk[i].cap, 20000, &rv, &ns);
			ti += ns;
		}
		printf("| %s | %.1f | %.1f |\n", *exprs[e] ? exprs[e] : "(none: ret #262144)",
		       (double)ts / n, (double)ti / n);
		unload(&L);
		ps_free(cb);
	}
	printf("\nAverages over the %zu packets of the corpus; each includes the test-run "
	       "overhead (the 'none' row).\n",
	       n);
	return 0;
}

int main(int argc, char **argv)
{
	struct ps_packet *pk;
	size_t n, i;
	char line[1024], err[512];
	int nexpr = 0, bad = 0, checks = 0, refused = 0;
	FILE *f;

	libbpf_set_print(silent);
	if (geteuid() != 0) {
		fprintf(stderr, "SKIP: needs root (BPF_PROG_TEST_RUN)\n");
		return 77;
	}
	if (argc == 3 && !strcmp(argv[1], "--bench"))
		return bench(argv[2]);
	if (argc != 3) {
		fprintf(stderr, "usage: %s CORPUS.pcap EXPRESSIONS.txt\n", argv[0]);
		return 2;
	}
	if (ps_read(argv[1], &pk, &n, err, sizeof(err)) || !n) {
		fprintf(stderr, "corpus %s: %s\n", argv[1], err);
		return 2;
	}
	f = fopen(argv[2], "r");
	if (!f) {
		perror(argv[2]);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		struct loaded L;
		void *c2, *c3;
		char e2[512] = "";
		size_t l = strcspn(line, "\n");
		int expect_refusal = 0;

		line[l] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		if (!strncmp(line, "!refuse ", 8)) { /* a filter bpfcap must refuse, clearly */
			expect_refusal = 1;
			memmove(line, line + 8, strlen(line + 8) + 1);
		}
		nexpr++;
		c2 = ps_compile(line, 0, e2, sizeof(e2));
		c3 = ps_compile(line, 1, err, sizeof(err));
		if (load(line, &L, err, sizeof(err))) {
			if (expect_refusal) {
				printf("ok: '%s' refused: %s\n", line, err);
				refused++;
			} else {
				printf("FAIL: '%s' not loaded: %s\n", line, err);
				bad++;
			}
			unload(&L);
			ps_free(c2);
			ps_free(c3);
			continue;
		}
		if (expect_refusal) {
			printf("FAIL: '%s' should have been refused\n", line);
			bad++;
		}
		for (i = 0; i < n; i++) {
			const struct ps_packet *p = &pk[i];
			/* whole, and cut to 60 bytes as a snaplen would */
			unsigned caps[2] = { p->cap, p->cap > 60 ? 60 : p->cap };
			int v;

			for (v = 0; v < 2; v++) {
				unsigned cap = caps[v], win = cap > BPFCAP_FILTER_WINDOW
								      ? BPFCAP_FILTER_WINDOW
								      : cap;
				unsigned want, got;

				L.s->bss->caplen_override = cap;
				L.s->bss->wirelen_override = p->wire;
				want = c2 ? ps_filter(c2, p->data, p->wire, win) : 0;
				if (run(L.s->progs.test_l2, p->data, p->cap, 1, &got, NULL)) {
					printf("FAIL: test run: %s\n", strerror(errno));
					return 1;
				}
				checks++;
				if (!want != !got) {
					printf("FAIL: L2 '%s' packet %zu (cap %u wire %u): libpcap "
					       "%u, "
					       "kernel %u\n",
					       line, i + 1, cap, p->wire, want, got);
					bad++;
				}
				if (!is_ip(p->data, cap))
					continue;
				L.s->bss->caplen_override = cap - 14;
				L.s->bss->wirelen_override = p->wire - 14;
				want = c3 ? ps_filter(c3, p->data + 14, p->wire - 14,
						      cap - 14 > BPFCAP_FILTER_WINDOW
							      ? BPFCAP_FILTER_WINDOW
							      : cap - 14)
					  : 0;
				if (run(L.s->progs.test_l3, p->data, p->cap, 1, &got, NULL))
					return 1;
				checks++;
				if (!want != !got) {
					printf("FAIL: L3 '%s' packet %zu (cap %u): libpcap %u, "
					       "kernel %u\n",
					       line, i + 1, cap - 14, want, got);
					bad++;
				}
			}
		}
		unload(&L);
		ps_free(c2);
		ps_free(c3);
	}
	fclose(f);
	printf("%d expressions (%d refused as expected), %zu packets, %d verdicts compared\n",
	       nexpr, refused, n, checks);
	printf("%d passed, %d failed\n", checks - bad < 0 ? 0 : checks - bad, bad);
	return bad ? 1 : 0;
}
