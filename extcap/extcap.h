/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The Wireshark extcap face: query modes (interfaces, dlts, config, reload, filter check) and
 * --capture --fifo, as Wireshark 4.0 speaks the protocol (see docs/wireshark.md). */
#ifndef BPFCAP_EXTCAP_H
#define BPFCAP_EXTCAP_H

#include <stdbool.h>
#include <stdio.h>

/* True when argv is an extcap call (any --extcap-* option or --capture). */
bool extcap_is_call(int argc, char **argv);
int extcap_main(int argc, char **argv);

/* Query printers (pure: no BPF, no privileges), exposed for golden tests. */
struct btf;
void extcap_print_interfaces(FILE *f, const char *wireshark_version);
int extcap_print_dlts(FILE *f, const char *iface);
int extcap_print_config(FILE *f, const char *iface, const char *wireshark_version,
			const struct btf *btf, const char *reload_call);
/* Empty string when valid, else one line naming the problem. */
void extcap_check_filter(const char *filter, char *msg, size_t len);

#endif
