// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The guard of clsact filters: see tcguard.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <bpf/libbpf.h>
#include <cap-ng.h>

#include "tcguard.h"

#define TCGUARD_MAX 256

struct tcguard {
	pid_t pid;
	int wfd;
};

int tcguard_count_filters(int ifindex, bool egress)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req;
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	int fd, n = 0, err = 0;
	bool done = false;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
	req.nh.nlmsg_type = RTM_GETTFILTER;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.tc.tcm_family = AF_UNSPEC;
	req.tc.tcm_ifindex = ifindex;
	req.tc.tcm_parent = TC_H_MAKE(TC_H_CLSACT, egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		err = -errno;
		goto out;
	}
	while (!done) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		size_t off = 0;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		if (r == 0)
			break;
		/* the messages in buf[0, r): each whole, aligned to NLMSG_ALIGNTO */
		while (off + sizeof(struct nlmsghdr) <= (size_t)r) {
			const struct nlmsghdr *nh = (const struct nlmsghdr *)(buf + off);

			if (nh->nlmsg_len < sizeof(*nh) || nh->nlmsg_len > (size_t)r - off)
				break;
			off += NLMSG_ALIGN(nh->nlmsg_len);
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e =
					(const struct nlmsgerr *)((const char *)nh + NLMSG_HDRLEN);

				err = e->error ? e->error : -EIO;
				goto out;
			}
			if (nh->nlmsg_type == RTM_NEWTFILTER)
				n++;
		}
	}
out:
	close(fd);
	return err ? err : n;
}

int tcguard_cleanup(const struct tcguard_filter *f, int n)
{
	int i, j, first = 0;

	/* bpfcap's filters, while they still run bpfcap's program (never another's that took the
	 * same handle and priority since) */
	for (i = 0; i < n; i++) {
		struct bpf_tc_hook h = { .sz = sizeof(h),
					 .ifindex = f[i].ifindex,
					 .attach_point =
						 f[i].egress ? BPF_TC_EGRESS : BPF_TC_INGRESS };
		struct bpf_tc_opts q = { .sz = sizeof(q),
					 .handle = f[i].handle,
					 .priority = f[i].priority };
		int e;

		if (!f[i].handle)
			continue; /* a qdisc record */
		e = bpf_tc_query(&h, &q);
		if (e == -ENOENT || e == -ENODEV || e == -EINVAL)
			continue; /* gone already (device or filter) */
		if (!e && q.prog_id != f[i].prog_id)
			continue;
		if (!e) {
			struct bpf_tc_opts d = { .sz = sizeof(d),
						 .handle = f[i].handle,
						 .priority = f[i].priority };

			e = bpf_tc_detach(&h, &d);
			if (e == -ENOENT)
				e = 0;
		}
		if (e && !first)
			first = e;
	}
	/* the clsact qdiscs bpfcap created, once nobody else's filter is on them */
	for (i = 0; i < n; i++) {
		struct bpf_tc_hook h = { .sz = sizeof(h),
					 .ifindex = f[i].ifindex,
					 .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS };
		int in, eg, e;
		bool seen = false;

		if (!f[i].qdisc_created)
			continue;
		for (j = 0; j < i; j++)
			if (f[j].qdisc_created && f[j].ifindex == f[i].ifindex)
				seen = true;
		if (seen)
			continue;
		in = tcguard_count_filters(f[i].ifindex, false);
		eg = tcguard_count_filters(f[i].ifindex, true);
		if (in == -ENODEV || eg == -ENODEV)
			continue; /* the device is gone, and its qdisc with it */
		if (in != 0 || eg != 0)
			continue; /* another filter uses it (or it cannot be told): keep it */
		e = bpf_tc_hook_destroy(&h);
		/* a device that is gone took its qdisc along (its dump was empty, not an error) */
		if (e && e != -ENOENT && e != -EINVAL && e != -ENODEV && !first)
			first = e;
	}
	return first;
}

static void guard_main(int rfd)
{
	static struct tcguard_filter f[TCGUARD_MAX];
	static const int ignored[] = { SIGINT,	SIGTERM, SIGHUP,  SIGQUIT, SIGPIPE,
				       SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2 };
	size_t i;
	int n = 0, nul;

	/* the terminal's Ctrl-C and Wireshark's stop go to bpfcap, which ends normally; the
	 * guard outlives it by the few milliseconds its cleanup takes */
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	prctl(PR_SET_NAME, "bpfcap-tcguard", 0, 0, 0);
	/* only CAP_NET_ADMIN: enough to remove tc filters and qdiscs */
	capng_clear(CAPNG_SELECT_BOTH);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN);
	capng_apply(CAPNG_SELECT_BOTH);
	/* hold no output open (a pipe reader, Wireshark included, waits for its EOF): 0, 1 and 2
	 * to /dev/null, the pipe as fd 3, nothing else. The pipe first moves above 2: it may be
	 * fd 0 if bpfcap was started with stdin closed. */
	if (rfd < 3) {
		int r = fcntl(rfd, F_DUPFD, 3);

		if (r >= 0)
			rfd = r;
	}
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul >= 0) {
		dup2(nul, STDIN_FILENO);
		dup2(nul, STDOUT_FILENO);
		dup2(nul, STDERR_FILENO);
	}
	if (rfd != 3) {
		dup2(rfd, 3);
		rfd = 3;
	}
	syscall(SYS_close_range, 4u, ~0u, 0u);
	for (;;) {
		struct tcguard_filter rec;
		ssize_t r = read(rfd, &rec, sizeof(rec));

		if (r < 0 && errno == EINTR)
			continue;
		if (r != (ssize_t)sizeof(rec))
			break; /* EOF: bpfcap is gone or done */
		if (n < TCGUARD_MAX)
			f[n++] = rec;
	}
	_exit(tcguard_cleanup(f, n) ? 1 : 0);
}

struct tcguard *tcguard_start(void)
{
	struct tcguard *g = calloc(1, sizeof(*g));
	int p[2];

	if (!g)
		return NULL;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(g);
		return NULL;
	}
	g->pid = fork();
	if (g->pid < 0) {
		int e = errno;

		close(p[0]);
		close(p[1]);
		free(g);
		errno = e;
		return NULL;
	}
	if (g->pid == 0) {
		close(p[1]);
		guard_main(p[0]);
	}
	close(p[0]);
	g->wfd = p[1];
	return g;
}

int tcguard_add(struct tcguard *g, const struct tcguard_filter *f)
{
	ssize_t w;

	do
		w = write(g->wfd, f, sizeof(*f));
	while (w < 0 && errno == EINTR);
	return w == (ssize_t)sizeof(*f) ? 0 : -(w < 0 ? errno : EIO);
}

int tcguard_finish(struct tcguard *g, int timeout_ms)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	int status = 0, waited = 0, ret = -ETIMEDOUT;

	if (!g)
		return 0;
	close(g->wfd);
	for (;;) {
		pid_t r = waitpid(g->pid, &status, WNOHANG);

		if (r == g->pid) {
			ret = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
			break;
		}
		if (r < 0 && errno == ECHILD) {
			ret = 0; /* SIGCHLD ignored: the kernel reaped it; it has finished */
			break;
		}
		if (r < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		if (waited >= timeout_ms)
			break;
		nanosleep(&ts, NULL);
		waited += 5;
	}
	free(g);
	return ret;
}
