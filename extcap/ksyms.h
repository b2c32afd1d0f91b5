/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Kernel address -> "symbol+0xoff", from /proc/kallsyms or the BPF ksym iterator. */
#ifndef BPFCAP_KSYMS_H
#define BPFCAP_KSYMS_H

#include <stddef.h>
#include <stdint.h>

struct ksyms;

/* From path, or /proc/kallsyms and, where that hides addresses (kptr_restrict, no CAP_SYSLOG),
 * the BPF ksym iterator (needs CAP_BPF and CAP_PERFMON, kernel 6.0+). NULL when neither gives
 * addresses. */
struct ksyms *ksyms__load(const char *path);
/* The kernel's text symbols through the BPF ksym iterator only. */
struct ksyms *ksyms__load_iter(void);
void ksyms__free(struct ksyms *k);
/* Writes "sym+0xoff" into buf; returns 0, or -1 if addr is not in a known symbol. */
int ksyms__format(const struct ksyms *k, uint64_t addr, char *buf, size_t len);

#endif
