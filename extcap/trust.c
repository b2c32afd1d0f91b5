// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The trust boundary: see trust.h and docs/security.md. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <cap-ng.h>

#include "trust.h"

extern char **environ;

static int forced = -1;
static int computed = -1;

static bool compute(void)
{
	if (getauxval(AT_SECURE))
		return true;
	if (getuid() == 0)
		return false;
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_get_caps_process())
		return true; /* cannot tell: assume the stricter case */
	return capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE;
}

bool trust_restricted(void)
{
	if (forced >= 0)
		return forced;
	if (computed < 0)
		computed = compute();
	return computed;
}

void trust_force(int restricted)
{
	forced = restricted;
	if (restricted < 0)
		computed = -1;
}

int trust_scrub_env(void)
{
	int n = 0;
	size_t i = 0;

	while (environ && environ[i]) {
		const char *e = environ[i];
		const char *eq = strchr(e, '=');

		if (eq && (!strncmp(e, "BPFCAP_", 7) || !strncmp(e, "LIBBPF_", 7))) {
			char name[256];
			size_t len = (size_t)(eq - e);

			if (len < sizeof(name)) {
				memcpy(name, e, len);
				name[len] = '\0';
				if (unsetenv(name) == 0) {
					n++;
					continue; /* environ shifted: look at index i again */
				}
			}
		}
		i++;
	}
	return n;
}
