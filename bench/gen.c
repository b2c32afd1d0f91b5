// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfcap-gen: traffic for the benchmark harness.
 *   bpfcap-gen udp DST PORT [--flows N] [--size BYTES] [--rate PPS] [--duration S] [--count N]
 *              [--cpu C] [--stamp]
 *   bpfcap-gen tcp DST PORT [--size BYTES] [--duration S]          (bulk TCP, one connection)
 * UDP uses sendmmsg in batches of 32 (unpaced) or one datagram per tick (--rate). With --stamp
 * each payload starts with "BPFCAPTS" and the CLOCK_REALTIME send time (ns, little-endian),
 * for latency measurements. Prints "sent N packets in S s = PPS pps".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32

static double now_s(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: bpfcap-gen udp|tcp DST PORT [--flows N] [--size BYTES] [--rate PPS] "
		"[--duration S] [--count N] [--cpu C] [--stamp]\n");
	return 2;
}

int main(int argc, char **argv)
{
	double duration = 5, rate = 0, t0, el = 0;
	long count = 0, sent = 0, errs = 0;
	int flows = 1, size = 512, cpu = -1, stamp = 0, i;
	struct sockaddr_storage ss[BATCH];
	socklen_t sl;
	static char buf[BATCH][65536];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	const char *kind, *dst;
	int port, fam, s;

	if (argc < 4)
		return usage();
	kind = argv[1];
	dst = argv[2];
	port = atoi(argv[3]);
	for (i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--stamp")) {
			stamp = 1;
			continue;
		}
		if (i + 1 >= argc)
			return usage();
		if (!strcmp(argv[i], "--flows"))
			flows = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--size"))
			size = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rate"))
			rate = atof(argv[++i]);
		else if (!strcmp(argv[i], "--duration"))
			duration = atof(argv[++i]);
		else if (!strcmp(argv[i], "--count"))
			count = atol(argv[++i]);
		else if (!strcmp(argv[i], "--cpu"))
			cpu = atoi(argv[++i]);
		else
			return usage();
	}
	if (size < 16 || size > 65000 || flows < 1 || port <= 0 || port + flows > 65536)
		return usage();
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	fam = strchr(dst, ':') ? AF_INET6 : AF_INET;
	for (i = 0; i < BATCH; i++) {
		memset(&ss[i], 0, sizeof(ss[i]));
		if (fam == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss[i];

			a->sin_family = AF_INET;
			a->sin_port = htons((uint16_t)(port + i % flows));
			if (inet_pton(AF_INET, dst, &a->sin_addr) != 1)
				return usage();
			sl = sizeof(*a);
		} else {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss[i];

			a->sin6_family = AF_INET6;
			a->sin6_port = htons((uint16_t)(port + i % flows));
			if (inet_pton(AF_INET6, dst, &a->sin6_addr) != 1)
				return usage();
			sl = sizeof(*a);
		}
		memset(buf[i], 'B', sizeof(buf[i]));
	}
	if (!strcmp(kind, "tcp")) {
		s = socket(fam, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&ss[0], sl) < 0) {
			perror("bpfcap-gen: connect");
			return 1;
		}
		t0 = now_s(CLOCK_MONOTONIC);
		long bytes = 0;
		while ((el = now_s(CLOCK_MONOTONIC) - t0) < duration) {
			ssize_t r = send(s, buf[0], sizeof(buf[0]), 0);

			if (r < 0) {
				perror("bpfcap-gen: send");
				return 1;
			}
			bytes += r;
		}
		close(s);
		printf("sent %ld bytes in %.3f s = %.1f Mbit/s\n", bytes, el, bytes * 8 / el / 1e6);
		return 0;
	}
	if (strcmp(kind, "udp"))
		return usage();
	s = socket(fam, SOCK_DGRAM, 0);
	if (s < 0) {
		perror("bpfcap-gen: socket");
		return 1;
	}
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = (size_t)size;
		memset(&m[i], 0, sizeof(m[i]));
		m[i].msg_hdr.msg_name = &ss[i];
		m[i].msg_hdr.msg_namelen = sl;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now_s(CLOCK_MONOTONIC);
	for (;;) {
		int n = BATCH, r;

		el = now_s(CLOCK_MONOTONIC) - t0;
		if ((duration > 0 && el >= duration && !count) || (count && sent >= count))
			break;
		if (rate > 0) {
			double due = sent / rate;

			if (due > el) {
				struct timespec ts = { 0, (long)((due - el) * 1e9) };

				nanosleep(&ts, NULL);
			}
			n = 1;
		}
		if (count && count - sent < n)
			n = (int)(count - sent);
		if (flows > 1) /* rotate over all flows, not just the batch slots */
			for (i = 0; i < n; i++) {
				uint16_t pt = htons((uint16_t)(port + (sent + i) % flows));

				if (fam == AF_INET)
					((struct sockaddr_in *)&ss[i])->sin_port = pt;
				else
					((struct sockaddr_in6 *)&ss[i])->sin6_port = pt;
			}
		if (stamp) {
			for (i = 0; i < n; i++) {
				struct timespec t;
				uint64_t ns;

				clock_gettime(CLOCK_REALTIME, &t);
				ns = (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
				memcpy(buf[i], "BPFCAPTS", 8);
				memcpy(buf[i] + 8, &ns, 8);
			}
		}
		r = sendmmsg(s, m, (unsigned)n, 0);
		if (r > 0)
			sent += r;
		else if (errno != ECONNREFUSED)
			errs++;
	}
	el = now_s(CLOCK_MONOTONIC) - t0;
	printf("sent %ld packets in %.3f s = %.0f pps (%ld errors)\n", sent, el, sent / el, errs);
	return 0;
}
