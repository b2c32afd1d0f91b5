/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Running a capture: shared by the CLI and the extcap faces. */
#ifndef BPFCAP_RUN_H
#define BPFCAP_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"

extern volatile sig_atomic_t run_stop;

struct run_opts {
	const struct cli *cli;
	int out_fd;	/* -1: none */
	FILE *text;	/* per-packet lines, or NULL */
	FILE *summary;	/* where the exit summary goes, or NULL */
	bool drop_caps; /* drop all capabilities once attached */
	/* out_fd is a regular file that still holds what it held before: empty it and write the
	 * header only once every probe is attached, so that a failure before costs nothing */
	bool out_truncate;
	/* write the section header before attaching (Wireshark's FIFO: dumpcap waits for it);
	 * otherwise nothing is written until every probe is attached, so a failure leaves a pipe
	 * reader (tcpdump -r -) with an empty stream, not a truncated file */
	bool header_early;
	/* called about once a second with the running totals (extcap toolbar) */
	void (*progress)(void *ctx, const char *line);
	void *progress_ctx;
};

/* Loads BTF, resolves probes, captures until stopped. 0; 2 when an argument names something
 * that does not exist (probe, netns, device); 1 on a runtime error. The error is already
 * reported on stderr as one line. */
int run_capture(const struct run_opts *o);
void run_install_signals(void);
/* Loads the kernel BTF (path or /sys/kernel/btf/vmlinux); NULL with one error line. */
struct btf *run_load_btf(const char *path);

#endif
