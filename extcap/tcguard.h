/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The guard of tc filters attached without a link (clsact + cls_bpf: kernels without tcx, before
 * 6.6). Such a filter is not tied to a file descriptor: when bpfcap dies (SIGKILL, a crash) it
 * stays, with its program and maps. The guard is a child process forked before the first such
 * attach; it keeps only CAP_NET_ADMIN, ignores the signals a terminal or Wireshark sends, and
 * waits on a pipe. When bpfcap's end of the pipe closes — a normal end, a crash or SIGKILL — it
 * removes exactly the filters bpfcap told it about (if they still run bpfcap's program), and the
 * clsact qdisc bpfcap created if no other filter is left on it, then exits. bpfcap itself can
 * then drop every capability once attached.
 */
#ifndef BPFCAP_TCGUARD_H
#define BPFCAP_TCGUARD_H

#include <stdbool.h>
#include <stdint.h>

struct tcguard;

struct tcguard_filter {
	int32_t ifindex;
	uint32_t egress; /* 0: ingress, 1: egress */
	uint32_t handle;
	uint32_t priority;
	uint32_t prog_id;	/* the filter is removed only while it runs this program */
	uint32_t qdisc_created; /* bpfcap added the clsact qdisc: remove it when it is empty */
};

/* Forks the guard. NULL (errno set) if it cannot. */
struct tcguard *tcguard_start(void);
/* Tells the guard about a filter bpfcap attached (or a qdisc it created). 0 or -errno. */
int tcguard_add(struct tcguard *g, const struct tcguard_filter *f);
/* bpfcap is done: the guard removes what it was told about; waits up to timeout_ms for it.
 * 0 when the guard finished in time and removed everything, -errno otherwise. Frees g. */
int tcguard_finish(struct tcguard *g, int timeout_ms);

/* The guard's work, exposed for tests: removes what the filters describe. 0 or -errno (the
 * first failure). */
int tcguard_cleanup(const struct tcguard_filter *f, int n);
/* How many tc filters the device has on its clsact ingress or egress hook, from a netlink dump;
 * -errno on failure. */
int tcguard_count_filters(int ifindex, bool egress);

#endif
