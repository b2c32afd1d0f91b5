/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ifindex -> name inside a given network namespace (identified by its inode). */
#ifndef BPFCAP_IFNAMES_H
#define BPFCAP_IFNAMES_H

#include <stddef.h>
#include <stdint.h>

/* Inode of our own network namespace. */
uint32_t ifnames_own_netns(void);
/* Resolves ifindex in netns; 0 and the name in buf, or -1 if unknown. Results are cached. */
int ifnames_lookup(uint32_t netns, uint32_t ifindex, char *buf, size_t len);
/* Inode of the network namespace at path (nsfs file), or of the inode given as a number.
 * 0 and *ino, or -1 with a reason in err. */
int ifnames_netns_arg(const char *arg, uint32_t *ino, char *err, size_t errlen);
/* Index of device `name` (or a number) inside netns (0 = our own). 0, or -1 with err. */
int ifnames_device_arg(const char *arg, uint32_t netns, uint32_t *ifindex, char *err,
		       size_t errlen);

#endif
