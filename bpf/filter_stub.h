/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A pre-sized filter stub (see include/bpfcap/filter_abi.h). Never inlined, so it exists as
 * its own function in .text that user space can find by symbol and overwrite. */
#ifndef BPFCAP_FILTER_STUB_H
#define BPFCAP_FILTER_STUB_H

#include "bpfcap/filter_abi.h"

#define BPFCAP_STR_(x) #x
#define BPFCAP_STR(x)  BPFCAP_STR_(x)

/* Unpatched, a stub accepts every packet with bytes (it returns caplen). Everything goes
 * through one asm statement: the compiler must keep the three arguments in r1-r3 and must not
 * reason about the result, or it would rewrite the function's signature (dead-argument
 * elimination, constant propagation) and the patched code would see other registers. */
#define BPFCAP_FILTER_STUB(name, magic)                                                                         \
	static __attribute__((noinline)) __u32 name(const __u8 *window, __u32 caplen,                           \
						    __u32 wirelen)                                              \
	{                                                                                                       \
		__u32 r;                                                                                        \
                                                                                                                \
		asm volatile(                                                                                   \
			"r0 = " BPFCAP_STR(                                                                     \
				magic) "\n\t"                                                                   \
				       "r0 = " BPFCAP_STR(                                                      \
					       BPFCAP_FILTER_MAGIC2) "\n\t"                                     \
								     ".rept " BPFCAP_STR(                       \
									     BPFCAP_FILTER_SLOTS) "\n\t"        \
												  "goto +0\n\t" \
												  ".endr\n\t"   \
												  "%[r] = %[l]" \
			: [r] "=r"(r)                                                                           \
			: [w] "r"(window), [l] "r"(caplen), [x] "r"(wirelen)                                    \
			: "r0", "memory");                                                                      \
		return r;                                                                                       \
	}

#endif
