/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Classic BPF (what libpcap compiles a pcap-filter expression to) -> eBPF for a filter stub,
 * and the ELF patching that puts it into the BPF object before it is opened. */
#ifndef BPFCAP_FILTER_XLATE_H
#define BPFCAP_FILTER_XLATE_H

#include <stddef.h>
#include <stdint.h>

/* Instruction buffers are void *: this header is also included next to libpcap's headers, whose
 * struct bpf_insn is the classic one. */
struct sock_filter;

/* Translates n classic instructions into exactly `slots` eBPF instructions (the stub's size):
 * the program, then a slide of `goto +0` into a final `exit`. *window gets the number of
 * packet bytes the filter may read. 0, or -EINVAL/-E2BIG with a one-line reason in err. */
int filter_xlate(const struct sock_filter *c, size_t n, void *out, size_t slots, uint32_t *window,
		 char *err, size_t errlen);

/* Finds function `sym` in an ELF BPF object held in memory. Returns its size in instructions
 * and sets *insns to its first instruction, or 0 if not found. */
size_t elf_find_func(void *elf, size_t size, const char *sym, void **insns);

#endif
