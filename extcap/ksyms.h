/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Kernel address -> "symbol+0xoff" from /proc/kallsyms (when addresses are visible). */
#ifndef BPFCAP_KSYMS_H
#define BPFCAP_KSYMS_H

#include <stddef.h>
#include <stdint.h>

struct ksyms;

/* NULL when kallsyms is unreadable or hides addresses (kptr_restrict). */
struct ksyms *ksyms__load(const char *path);
void ksyms__free(struct ksyms *k);
/* Writes "sym+0xoff" into buf; returns 0, or -1 if addr is not in a known symbol. */
int ksyms__format(const struct ksyms *k, uint64_t addr, char *buf, size_t len);

#endif
