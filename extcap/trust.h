/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The trust boundary (docs/security.md). Installed for group wireshark, the extcap copy gains
 * CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN from file capabilities: its caller is trusted to
 * capture packets, not to choose what kernel memory the BPF programs read. In that state bpfcap
 * refuses the inputs that could (--btf) and ignores its own and libbpf's environment variables.
 */
#ifndef BPFCAP_TRUST_H
#define BPFCAP_TRUST_H

#include <stdbool.h>

/* True when the process gained privileges it was not started with by its caller: the kernel
 * set AT_SECURE (file capabilities, setuid/setgid), or it has effective capabilities while its
 * real uid is not root (ambient capabilities). Computed once, at the first call. */
bool trust_restricted(void);

/* For a restricted process: removes BPFCAP_* and LIBBPF_* variables from the environment, so
 * that none of them changes what is loaded or attached. Returns how many were removed. */
int trust_scrub_env(void);

/* Test hook: forces the answer of trust_restricted() (-1: compute it again). */
void trust_force(int restricted);

#endif
