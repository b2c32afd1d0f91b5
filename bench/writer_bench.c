// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfcap-writer-bench: user-space cost of the capture path after the ring buffer: record ->
 * link shaping -> comment + metadata option -> pcapng EPB -> buffered writes into a pipe that
 * a reader thread drains. Prints records/s for a 554-byte Ethernet/UDP frame.
 *   bpfcap-writer-bench [SECONDS]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpfcap/capture_abi.h"
#include "probe.h"
#include "sink.h"

static void *drain(void *arg)
{
	static char buf[1 << 20];
	int fd = *(int *)arg;

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0, t0, el;
	struct probe_info pi;
	struct sink_opts so = { 0 };
	struct bpfcap_event ev = { 0 };
	static uint8_t frame[554];
	char err[256];
	struct sink *s;
	pthread_t th;
	long n = 0;
	int p[2];

	if (pipe(p))
		return 1;
	pthread_create(&th, NULL, drain, &p[0]);
	memset(&pi, 0, sizeof(pi));
	if (probe_spec_parse("tp:skb:kfree_skb", &pi.spec, err, sizeof(err)))
		return 1;
	so.snaplen = 262144;
	so.out_fd = p[1];
	so.probes = &pi;
	so.nprobes = 1;
	s = sink__new(&so);
	if (!s || sink__start(s))
		return 1;
	/* Ethernet + IPv4 + UDP, as a real veth drop looks */
	memset(frame, 0x42, sizeof(frame));
	frame[12] = 0x08;
	frame[13] = 0x00;
	frame[14] = 0x45;
	frame[23] = 17;
	ev.len = sizeof(frame) - 14;
	ev.pre_len = 14;
	ev.cap_len = sizeof(frame);
	ev.start = BPFCAP_START_MAC;
	ev.net_off = 14;
	ev.dev_type = 1;
	ev.ifindex = 2;
	ev.netns = 4026531840u;
	ev.protocol = 0x0800;
	ev.flags = BPFCAP_EV_HAS_REASON;
	ev.reason = 3;
	memcpy(ev.ifname, "veth0", 6);
	memcpy(ev.comm, "swapper/1", 10);
	t0 = now();
	do {
		for (int i = 0; i < 4096; i++) {
			ev.ts_boot += 1000;
			ev.skb_addr += 256;
			ev.cpu = i & 1;
			if (sink__event(s, &ev, frame))
				return 1;
		}
		n += 4096;
		el = now() - t0;
	} while (el < secs);
	sink__flush(s);
	printf("writer: %.0f records/s (%ld records of a 554-byte frame in %.2f s)\n", n / el, n,
	       el);
	sink__free(s);
	close(p[1]);
	pthread_join(th, NULL);
	return 0;
}
