/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* CLOCK_BOOTTIME (what BPF stamps) -> wall clock. */
#ifndef BPFCAP_CLOCK_H
#define BPFCAP_CLOCK_H

#include <stdint.h>

/* REALTIME - BOOTTIME in ns, from the tightest of several bracketed samples. */
int64_t clock_boot_offset(void);
uint64_t clock_now_ns(int clockid);

#endif
