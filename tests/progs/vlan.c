// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test helper: tags the packets IFNAME transmits, out of band, as a NIC's VLAN offload leaves
 * them, until SIGTERM/SIGINT. Prints "ready" once attached.
 *   bpfcap-test-vlan IFNAME TPID:TCI[,TPID:TCI]     e.g. 0x8100:100 or 0x8100:100,0x88a8:200
 * The second tag (QinQ) is the outer one: the first then travels in the packet bytes.
 * Attaches through a tcx link (6.6+), else a clsact qdisc it creates and removes.
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vlan_push.skel.h"

static volatile sig_atomic_t stop;

static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

static int parse_tag(const char *s, unsigned *proto, unsigned *tci)
{
	char *end;

	*proto = (unsigned)strtoul(s, &end, 0);
	if (*end != ':')
		return -1;
	*tci = (unsigned)strtoul(end + 1, &end, 0);
	if ((*end && *end != ',') || *proto > 0xffff || *tci > 0xffff)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_tc_hook h = { .sz = sizeof(h), .attach_point = BPF_TC_EGRESS };
	struct bpf_tc_opts o = { .sz = sizeof(o) };
	struct vlan_push_bpf *v;
	unsigned p1, t1, p2 = 0, t2 = 0;
	const char *second;
	int ifindex, pfd, lfd;
	bool tc = false;

	if (argc != 3) {
		fprintf(stderr, "usage: %s IFNAME TPID:TCI[,TPID:TCI]\n", argv[0]);
		return 2;
	}
	ifindex = (int)if_nametoindex(argv[1]);
	second = strchr(argv[2], ',');
	if (!ifindex || parse_tag(argv[2], &p1, &t1) ||
	    (second && parse_tag(second + 1, &p2, &t2))) {
		fprintf(stderr, "bad device or tag: %s %s\n", argv[1], argv[2]);
		return 2;
	}
	v = vlan_push_bpf__open();
	if (!v)
		return 1;
	v->rodata->proto1 = (__u16)p1;
	v->rodata->tci1 = (__u16)t1;
	v->rodata->proto2 = (__u16)p2;
	v->rodata->tci2 = (__u16)t2;
	if (vlan_push_bpf__load(v))
		return 1;
	pfd = bpf_program__fd(v->progs.vlan_push);
	lfd = bpf_link_create(pfd, ifindex, 47 /* BPF_TCX_EGRESS */, NULL);
	if (lfd < 0) {
		h.ifindex = ifindex;
		o.prog_fd = pfd;
		if (bpf_tc_hook_create(&h) && errno != EEXIST) {
			fprintf(stderr, "clsact: %s\n", strerror(errno));
			return 1;
		}
		if (bpf_tc_attach(&h, &o)) {
			fprintf(stderr, "tc attach: %s\n", strerror(errno));
			return 1;
		}
		tc = true;
	}
	printf("ready\n");
	fflush(stdout);
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	while (!stop)
		pause();
	if (tc) {
		o.prog_fd = o.prog_id = 0;
		o.flags = 0;
		bpf_tc_detach(&h, &o);
		bpf_tc_hook_destroy(&h);
	} else {
		close(lfd);
	}
	vlan_push_bpf__destroy(v);
	return 0;
}
