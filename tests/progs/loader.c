// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test helper: loads a sample user program (xdp or tc), attaches it to IFNAME through a link,
 * pins its bpfcap_events map at PIN_PATH, prints "prog_id N" and "ready", and stays until
 * SIGTERM/SIGINT.
 *   bpfcap-test-loader xdp|tc-ingress|tc-egress|tc-clsact IFNAME PIN_PATH
 * tc-clsact attaches at ingress the legacy way (an existing clsact qdisc, cls_bpf filter).
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tc_sample.skel.h"
#include "xdp_sample.skel.h"

static volatile sig_atomic_t stop;

static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct xdp_sample_bpf *x = NULL;
	struct tc_sample_bpf *t = NULL;
	struct bpf_link *l = NULL;
	struct bpf_prog_info info;
	__u32 il = sizeof(info);
	int ifindex, lfd = -1, pfd;
	struct bpf_map *m;

	if (argc != 4) {
		fprintf(stderr, "usage: %s xdp|tc-ingress|tc-egress IFNAME PIN_PATH\n", argv[0]);
		return 2;
	}
	ifindex = (int)if_nametoindex(argv[2]);
	if (!ifindex) {
		fprintf(stderr, "no device %s\n", argv[2]);
		return 1;
	}
	if (!strcmp(argv[1], "xdp")) {
		x = xdp_sample_bpf__open_and_load();
		if (!x)
			return 1;
		l = bpf_program__attach_xdp(x->progs.sample_xdp, ifindex);
		if (!l)
			return 1;
		pfd = bpf_program__fd(x->progs.sample_xdp);
		m = x->maps.bpfcap_events;
	} else {
		t = tc_sample_bpf__open_and_load();
		if (!t)
			return 1;
		pfd = bpf_program__fd(t->progs.sample_tc);
		lfd = strcmp(argv[1], "tc-clsact")
			      ? bpf_link_create(pfd, ifindex,
						strcmp(argv[1], "tc-egress") ? 46 : 47, NULL)
			      : 0;
		if (lfd < 0) {
			fprintf(stderr, "tcx link: %s\n", strerror(errno));
			return 1;
		}
		m = t->maps.bpfcap_events;
		if (!strcmp(argv[1], "tc-clsact")) {
			struct bpf_tc_hook h = { .sz = sizeof(h),
						 .ifindex = ifindex,
						 .attach_point = BPF_TC_INGRESS };
			struct bpf_tc_opts o = { .sz = sizeof(o), .prog_fd = pfd };

			lfd = -1;
			if (bpf_tc_attach(&h, &o)) {
				fprintf(stderr, "tc attach: %s\n", strerror(errno));
				return 1;
			}
		}
	}
	if (bpf_map__pin(m, argv[3])) {
		fprintf(stderr, "pin %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	memset(&info, 0, sizeof(info));
	bpf_obj_get_info_by_fd(pfd, &info, &il);
	printf("prog_id %u\nready\n", info.id);
	fflush(stdout);
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	while (!stop)
		pause();
	if (x)
		printf("last bpfcap_output_xdp() result: %ld\n", x->bss->last_err);
	bpf_map__unpin(m, argv[3]);
	bpf_link__destroy(l);
	if (lfd > 0)
		close(lfd);
	xdp_sample_bpf__destroy(x);
	tc_sample_bpf__destroy(t);
	return 0;
}
