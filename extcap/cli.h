/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Command-line parsing for `bpfcap capture`, `bpfcap trace` and `bpfcap list-probes`.
 * Pure: no I/O except the usage error text written into the result. */
#ifndef BPFCAP_CLI_H
#define BPFCAP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpfcap/capture_abi.h"
#include "pcapng.h"
#include "probe.h"
#include "sink.h"

#define CLI_SNAPLEN_DEFAULT 262144u
#define CLI_SNAPLEN_MAX	    262144u
#define CLI_RING_DEFAULT    (16ull << 20)
#define CLI_RING_MIN	    (256ull << 10) /* must hold the largest record */
#define CLI_RING_MAX	    (1ull << 30)

enum cli_cmd {
	CMD_NONE = 0,
	CMD_CAPTURE,
	CMD_TRACE,
	CMD_LIST_PROBES,
	CMD_HELP,
	CMD_VERSION,
	CMD_LIST_REASONS,
};

struct cli {
	enum cli_cmd cmd;
	enum cli_cmd help_for; /* CMD_HELP: which command's help */
	struct probe_spec probes[BPFCAP_MAX_PROBES];
	int nprobes;
	const char *write; /* -w: file or "-"; NULL = none */
	uint64_t count;	   /* -c; 0 = unlimited */
	double duration;   /* seconds; 0 = unlimited */
	uint32_t snaplen;
	enum proto_mode proto;
	enum pcap_format format;
	uint64_t ring_size;
	bool print; /* text lines even with -w or a pipe */
	bool quiet;
	int verbose;
	bool json;	/* list-probes --json */
	bool functions; /* list-probes --functions */
	bool no_skb_output;
	bool stack; /* --stack: the kernel stack of each packet */
	const char *btf_path;
	const char *netns;  /* --netns PATH|INODE */
	const char *device; /* -i NAME|INDEX */
	char reasons[2048]; /* --reason NAME[,NAME...] (accumulated) */
	bool mark_set;	    /* --mark VALUE[/MASK] */
	uint32_t mark_value, mark_mask;
	uint32_t pid;	   /* --pid */
	char filter[4096]; /* trailing arguments joined by spaces */
	char err[512];	   /* usage error (exit 2) */
};

/* argv[0] is the program, argv[1] the subcommand. 0 on success; -1 with cli->err set. */
int cli_parse(int argc, char **argv, struct cli *cli);
/* Parses a size with optional K/M/G suffix (powers of 1024). */
int cli_parse_size(const char *s, uint64_t *out);
/* Parses an unsigned integer in [min, max]. */
int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
void cli_usage(FILE *f, enum cli_cmd cmd);

#endif
