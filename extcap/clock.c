// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <time.h>

#include "clock.h"

uint64_t clock_now_ns(int clockid)
{
	struct timespec ts;

	clock_gettime(clockid, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int64_t clock_boot_offset(void)
{
	int64_t best = 0;
	uint64_t best_w = UINT64_MAX;
	int i;

	for (i = 0; i < 10; i++) {
		uint64_t r1 = clock_now_ns(CLOCK_REALTIME);
		uint64_t b = clock_now_ns(CLOCK_BOOTTIME);
		uint64_t r2 = clock_now_ns(CLOCK_REALTIME);

		if (r2 >= r1 && r2 - r1 < best_w) {
			best_w = r2 - r1;
			best = (int64_t)(r1 + (r2 - r1) / 2) - (int64_t)b;
		}
	}
	return best;
}
