/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What every libFuzzer target here shares: the entry points, and FAIL(), which names the target
 * (FUZZ_NAME, defined before including this) and aborts so libFuzzer keeps the input. */
#ifndef BPFCAP_FUZZ_COMMON_H
#define BPFCAP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef FUZZ_REPORT
#define FUZZ_REPORT stderr
#endif

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(FUZZ_REPORT, FUZZ_NAME ": " __VA_ARGS__);                                  \
		fputc('\n', FUZZ_REPORT);                                                          \
		fflush(FUZZ_REPORT);                                                               \
		abort();                                                                           \
	} while (0)

#endif
